import { TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import { beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { OrderEvent } from '#domain/order-events.ts';
import type { WorkOrder } from '#domain/work-order.ts';
import workOrderJson from '../fixtures/work-order.json' with { type: 'json' };
import {
  lambdaContext,
  mockedAws,
  putWithSk,
  serveReads,
  storedOrderItems,
  TABLE,
  transactItems,
} from './support.ts';

/** 2026-12-01 10:00 CST; the order was received at 09:00 CST and must be dispatched by 23:59:59.999 CST. */
const NOW = Date.parse('2026-12-01T02:00:00.000Z');
const DISPATCH_BY = '2026-12-01T15:59:59.999Z';
const context = lambdaContext('dispatch-order');
// Sets the environment the handler's modules read on load, and mocks AWS: before the dynamic import below.
const { ddb } = mockedAws(NOW);

let handler: typeof import('../../../functions/workflow/dispatch-order.ts')['handler'];

beforeAll(async () => {
  ({ handler } = await import('../../../functions/workflow/dispatch-order.ts'));
});

beforeEach(() => {
  ddb.on(TransactWriteCommand).resolves({});
});

/** A received order (version 1, one event) of 流动摊贩 in 东华门街道, 东城区, unless changed. */
const received = (changes: Partial<WorkOrder> = {}): WorkOrder => {
  const {
    unitId: _u,
    routeBasis: _r,
    dispatchedAt: _d,
    ...rest
  } = structuredClone(workOrderJson) as unknown as WorkOrder;
  return {
    ...rest,
    version: 1,
    status: 'received',
    coUnitIds: [],
    copiedUnitIds: [],
    deadlines: { dispatchBy: DISPATCH_BY },
    updatedAt: rest.receivedAt,
    ...changes,
  };
};
const LAST_EVENT = { seq: 1, hash: 'b'.repeat(64) };

const run = (order: WorkOrder) => {
  serveReads(ddb, storedOrderItems(order, { lastEvent: LAST_EVENT }));
  return handler({ orderId: order.id }, context);
};

/** 80 % of the 24 hours to contact after a dispatch at 10:00 CST: 05:12 CST the next day. */
const waitForContactReminder = {
  step: 'wait',
  timeoutSeconds: (24 * 60 * 60 * 4) / 5,
  version: 2,
  until: '2026-12-01T21:12:00.000Z',
  checkpoint: 'reminder:contact@2026-12-02T02:00:00.000Z',
};
const waitForDispatchDeadline = {
  step: 'wait',
  timeoutSeconds: 14 * 60 * 60,
  version: 2,
  until: DISPATCH_BY,
  checkpoint: `deadline:dispatch@${DISPATCH_BY}`,
};

const savedOrder = (): WorkOrder | undefined =>
  putWithSk(transactItems(ddb), '#ORDER')?.Item.order as WorkOrder | undefined;
const savedEvent = (): OrderEvent | undefined =>
  putWithSk(transactItems(ddb), 'EVENT#0000000002')?.Item.event as OrderEvent | undefined;

describe('DispatchByCatalogue (dispatch-order)', () => {
  it('returns a wait until the contact reminder for an order the catalogue routes, with the saved version', async () => {
    // Act
    const next = await run(received());

    // Assess: normal urgency → contact within 24 h of dispatch, reminded at 80 % of that
    expect(next).toEqual(waitForContactReminder);
  });

  it('returns after saving the dispatched order: the street office leads, its district is copied', async () => {
    // Act
    await run(received());

    // Assess
    expect(ddb.commandCalls(TransactWriteCommand)).toHaveLength(1);
    const orderPut = putWithSk(transactItems(ddb), '#ORDER');
    expect(orderPut).toMatchObject({
      TableName: TABLE,
      ConditionExpression: 'version = :expected',
      ExpressionAttributeValues: { ':expected': 1 },
      Item: { version: 2, status: 'dispatched', gsi1pk: 'UNIT#st-110101001' },
    });
    expect(savedOrder()).toMatchObject({
      status: 'dispatched',
      version: 2,
      unitId: 'st-110101001',
      coUnitIds: [],
      copiedUnitIds: ['gov-110101'],
      routeBasis: { rule: 'catalogue', categoryCode: '0102', areaCode: '110101001' },
      dispatchedAt: '2026-12-01T02:00:00.000Z',
      deadlines: {
        dispatchBy: DISPATCH_BY,
        contactBy: '2026-12-02T02:00:00.000Z',
        resolveBy: '2026-12-08T02:00:00.000Z',
      },
    });
    expect(savedEvent()).toMatchObject({
      seq: 2,
      type: 'dispatched',
      prevHash: LAST_EVENT.hash,
      actor: { kind: 'system', name: 'workflow' },
      data: { unitId: 'st-110101001', resolveBy: '2026-12-08T02:00:00.000Z' },
    });
  });

  it('returns the timeout of a utility category: contact within 2 hours, resolve within 24, whatever the urgency', async () => {
    // Prepare: 突发停水 in 朝阳区
    const order = received({ categoryCode: '040102', location: { districtCode: '110105' } });

    // Act
    const next = await run(order);

    // Assess: reminded at 80 % of 2 hours
    expect(next).toEqual({
      step: 'wait',
      timeoutSeconds: 96 * 60,
      version: 2,
      until: '2026-12-01T03:36:00.000Z',
      checkpoint: 'reminder:contact@2026-12-01T04:00:00.000Z',
    });
    expect(savedOrder()).toMatchObject({
      unitId: 'ent-water',
      deadlines: { resolveBy: '2026-12-02T02:00:00.000Z' },
    });
  });

  it('returns dispatched to the district government when no catalogue rule names a unit (Art. 12(2))', async () => {
    // Prepare: 路灯不亮 has no rule in 东城区
    const order = received({ categoryCode: '010601' });

    // Act
    const next = await run(order);

    // Assess
    expect(next.step).toBe('wait');
    expect(savedOrder()).toMatchObject({
      unitId: 'gov-110101',
      routeBasis: { rule: 'district_fallback', districtCode: '110101' },
    });
  });

  it('returns a wait until the end of the day for a manual-dispatch category', async () => {
    // Prepare: 其他投诉 waits for a dispatcher
    const order = received({ categoryCode: '990102' });

    // Act
    const next = await run(order);

    // Assess: from 10:00 CST to 23:59:59.999 CST, rounded up
    expect(next).toEqual(waitForDispatchDeadline);
    expect(savedOrder()).toMatchObject({ status: 'awaiting_dispatch', version: 2 });
    expect(savedOrder()?.unitId).toBeUndefined();
    expect(savedEvent()).toMatchObject({
      type: 'awaiting_dispatch',
      data: { reason: 'manual_category', dispatchBy: DISPATCH_BY },
    });
  });

  it('returns close, and writes nothing, for an order closed at intake', async () => {
    // Prepare
    const order = received({
      status: 'closed',
      closedAt: '2026-12-01T01:00:00.000Z',
      closure: { outcome: 'disposed' },
      disposition: { kind: 'outside_duty' },
    });

    // Act
    const next = await run(order);

    // Assess
    expect(next).toEqual({ step: 'close', timeoutSeconds: 1, version: 1 });
    expect(ddb.commandCalls(TransactWriteCommand)).toHaveLength(0);
  });

  it('returns the same answer, and writes nothing, when run again on an order it already dispatched', async () => {
    // Prepare
    const order = received({
      status: 'dispatched',
      version: 2,
      unitId: 'st-110101001',
      dispatchedAt: '2026-12-01T02:00:00.000Z',
      deadlines: {
        dispatchBy: DISPATCH_BY,
        contactBy: '2026-12-02T02:00:00.000Z',
        resolveBy: '2026-12-08T02:00:00.000Z',
      },
    });

    // Act
    const next = await run(order);

    // Assess
    expect(next).toEqual(waitForContactReminder);
    expect(ddb.commandCalls(TransactWriteCommand)).toHaveLength(0);
  });

  it('returns the same wait, and writes nothing, when run again on an order already waiting for a dispatcher', async () => {
    // Prepare
    const order = received({ status: 'awaiting_dispatch', version: 2, categoryCode: '990102' });

    // Act
    const next = await run(order);

    // Assess
    expect(next).toEqual(waitForDispatchDeadline);
    expect(ddb.commandCalls(TransactWriteCommand)).toHaveLength(0);
  });

  it('rejects an order that does not exist with ORDER_NOT_FOUND', async () => {
    // Prepare
    serveReads(ddb, []);

    // Act / Assess
    await expect(handler({ orderId: 'WO01KBZZZZZZZZZZZZZZZZZZZZZZ' }, context)).rejects.toMatchObject({
      code: 'ORDER_NOT_FOUND',
    });
  });

  it('rejects an input without orderId', async () => {
    // Act / Assess
    await expect(handler({}, context)).rejects.toThrow();
    expect(ddb.calls()).toHaveLength(0);
  });
});
