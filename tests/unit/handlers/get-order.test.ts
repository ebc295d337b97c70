import { beforeAll, describe, expect, it } from 'vitest';
import type { WorkOrder } from '#domain/work-order.ts';
import workOrderJson from '../fixtures/work-order.json' with { type: 'json' };
import { apiEvent, bodyOf, lambdaContext, mockedAws, serveReads, storedOrderItems } from './support.ts';

const masked = { name: '王**', phone: '138****8000' };
const context = lambdaContext('get-order');
// Sets the environment the handler's modules read on load, and mocks AWS: before the dynamic import below.
const { ddb } = mockedAws();

let handler: typeof import('../../../functions/api/get-order.ts')['handler'];

beforeAll(async () => {
  ({ handler } = await import('../../../functions/api/get-order.ts'));
});

/** The fixture: dispatched to 东华门街道 (st-110101001), copied to 东城区 (gov-110101), version 3. */
const storedOrder = (): WorkOrder => structuredClone(workOrderJson) as unknown as WorkOrder;

const getEvent = (id: string, claims: Record<string, string>) =>
  apiEvent({ routeKey: 'GET /orders/{id}', pathParameters: { id }, claims });

const unitStaff = (unitId: string) => ({ sub: `staff-${unitId}`, role: 'unit', unit_id: unitId });

describe('GET /orders/{id} (get-order)', () => {
  it('returns 404 ORDER_NOT_FOUND for an order that does not exist', async () => {
    // Prepare
    serveReads(ddb, []);

    // Act
    const result = await handler(
      getEvent('WO01KBZZZZZZZZZZZZZZZZZZZZZZ', { sub: 'op', role: 'operator' }),
      context,
    );

    // Assess
    expect(result.statusCode).toBe(404);
    expect(bodyOf(result)).toEqual({
      error: { code: 'ORDER_NOT_FOUND', message: 'No order with id WO01KBZZZZZZZZZZZZZZZZZZZZZZ.' },
    });
  });

  it("returns the same 404 for another unit's order as for a missing one", async () => {
    // Prepare
    const order = storedOrder();
    serveReads(ddb, storedOrderItems(order));

    // Act
    const result = await handler(getEvent(order.id, unitStaff('st-110102001')), context);

    // Assess
    expect(result.statusCode).toBe(404);
    expect(bodyOf(result)).toEqual({
      error: { code: 'ORDER_NOT_FOUND', message: `No order with id ${order.id}.` },
    });
  });

  it('returns 200 with the order and its version as ETag to the lead unit', async () => {
    // Prepare
    const order = storedOrder();
    serveReads(ddb, storedOrderItems(order));

    // Act
    const result = await handler(getEvent(order.id, unitStaff('st-110101001')), context);

    // Assess
    expect(result.statusCode).toBe(200);
    expect(result.headers).toMatchObject({ etag: '"3"', 'content-type': 'application/json; charset=utf-8' });
    const { requester: _stored, ...rest } = order;
    expect(bodyOf(result)).toEqual({
      ...rest,
      requester: {
        kind: 'person',
        anonymous: false,
        declinesCallback: false,
        contact: masked,
        contactReadable: true,
      },
    });
  });

  it('returns 200 to a copied unit and to a co-handling unit', async () => {
    // Prepare
    const order = { ...storedOrder(), coUnitIds: ['dept-cgzfj'] };
    serveReads(ddb, storedOrderItems(order));

    // Act
    const copied = await handler(getEvent(order.id, unitStaff('gov-110101')), context);
    const coHandler = await handler(getEvent(order.id, unitStaff('dept-cgzfj')), context);

    // Assess
    expect(copied.statusCode).toBe(200);
    expect(coHandler.statusCode).toBe(200);
  });

  it("returns any order to the centre's staff", async () => {
    // Prepare
    const order = storedOrder();
    serveReads(ddb, storedOrderItems(order));

    // Act
    const results = await Promise.all(
      ['operator', 'dispatcher', 'supervisor', 'auditor'].map((role) =>
        handler(getEvent(order.id, { sub: `${role}-1`, role }), context),
      ),
    );

    // Assess
    expect(results.map((r) => r.statusCode)).toEqual([200, 200, 200, 200]);
  });

  it('returns the contact only masked to a copied unit and a co-handling unit, readable to the lead', async () => {
    // Prepare
    const order = { ...storedOrder(), coUnitIds: ['dept-cgzfj'] };
    serveReads(ddb, storedOrderItems(order));

    // Act
    const copied = await handler(getEvent(order.id, unitStaff('gov-110101')), context);
    const coHandler = await handler(getEvent(order.id, unitStaff('dept-cgzfj')), context);
    const lead = await handler(getEvent(order.id, unitStaff('st-110101001')), context);

    // Assess
    for (const result of [copied, coHandler]) {
      expect(bodyOf(result).requester).toEqual({
        kind: 'person',
        anonymous: false,
        declinesCallback: false,
        contact: masked,
      });
    }
    expect(bodyOf(lead).requester).toMatchObject({ contact: masked, contactReadable: true });
    for (const result of [copied, coHandler, lead])
      expect(result.body).not.toContain('fixture-sealed-contact');
  });

  it("returns a report's requester as protected to the lead unit", async () => {
    // Prepare
    const order: WorkOrder = { ...storedOrder(), appealType: 'report' };
    serveReads(ddb, storedOrderItems(order));

    // Act
    const result = await handler(getEvent(order.id, unitStaff('st-110101001')), context);

    // Assess
    expect(result.statusCode).toBe(200);
    expect(bodyOf(result).requester).toEqual({ kind: 'person', anonymous: false, protected: true });
    expect(result.body).not.toContain('13800138000');
  });

  it('returns nothing of the waiting task token', async () => {
    // Prepare
    const order = storedOrder();
    serveReads(
      ddb,
      storedOrderItems(order, {
        pendingTask: { awaiting: 'action', token: 'secret-task-token', since: '2026-12-01T01:05:01.000Z' },
      }),
    );

    // Act
    const result = await handler(getEvent(order.id, { sub: 'sup-1', role: 'supervisor' }), context);

    // Assess
    expect(result.statusCode).toBe(200);
    expect(result.body).not.toContain('secret-task-token');
  });

  it('rejects a unit token without unit id with 403 NO_UNIT, before reading anything', async () => {
    // Prepare
    serveReads(ddb, storedOrderItems(storedOrder()));

    // Act
    const result = await handler(getEvent(storedOrder().id, { sub: 'staff-x', role: 'unit' }), context);

    // Assess
    expect(result.statusCode).toBe(403);
    expect(bodyOf(result)).toMatchObject({ error: { code: 'NO_UNIT' } });
    expect(ddb.calls()).toHaveLength(0);
  });

  it('rejects a token without role with 403 NO_ROLE', async () => {
    // Act
    const result = await handler(getEvent(storedOrder().id, { sub: 'nobody' }), context);

    // Assess
    expect(result.statusCode).toBe(403);
    expect(bodyOf(result)).toMatchObject({ error: { code: 'NO_ROLE' } });
  });
});
