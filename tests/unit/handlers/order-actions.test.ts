import { TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import { SendTaskSuccessCommand, SFNClient, TaskTimedOut } from '@aws-sdk/client-sfn';
import { DynamoDBDocumentClient, TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { OrderEvent } from '#domain/order-events.ts';
import type { WorkOrder } from '#domain/work-order.ts';
import { useClockSource } from '#shared/clock.ts';
import workOrderJson from '../fixtures/work-order.json' with { type: 'json' };
import {
  apiEvent,
  bodyOf,
  type Item,
  lambdaContext,
  putWithSk,
  serveReads,
  setHandlerEnvironment,
  storedOrderItems,
  TABLE,
  transactItems,
} from './support.ts';

// Read by the handler's modules when they load: set before the dynamic import below.
setHandlerEnvironment();

const NOW = Date.parse('2026-12-03T02:00:00.000Z');
const context = lambdaContext('order-actions');
const ddb = mockClient(DynamoDBDocumentClient);
const sfn = mockClient(SFNClient);

let handler: typeof import('../../../functions/api/order-actions.ts')['handler'];

beforeAll(async () => {
  ({ handler } = await import('../../../functions/api/order-actions.ts'));
});

beforeEach(() => {
  ddb.reset();
  sfn.reset();
  useClockSource({ now: () => NOW });
});

afterEach(() => {
  useClockSource(undefined);
});

/** The fixture: dispatched to 东华门街道 (st-110101001), version 3; its log ends at event 5. */
const dispatched = (): WorkOrder => structuredClone(workOrderJson) as unknown as WorkOrder;
const LAST_EVENT = { seq: 5, hash: 'a'.repeat(64) };
const replyTask = {
  awaiting: 'reply',
  token: 'task-token-reply',
  since: '2026-12-01T01:05:01.000Z',
} as const;

const lead = { sub: 'staff-1', role: 'unit', unit_id: 'st-110101001' };
const replyBody = { result: 'resolved', text: '已清理占道摊贩，并安排每日巡查。' };

const replyEvent = (
  options: {
    id?: string;
    body?: unknown;
    headers?: Record<string, string>;
    claims?: Record<string, string>;
  } = {},
) =>
  apiEvent({
    routeKey: 'POST /orders/{id}/reply',
    pathParameters: { id: options.id ?? dispatched().id },
    body: options.body ?? replyBody,
    ...(options.headers ? { headers: options.headers } : {}),
    claims: options.claims ?? lead,
  });

const stored = (
  order: WorkOrder,
  pendingTask?: typeof replyTask | { awaiting: 'dispatch'; token: string; since: string },
): Item[] => storedOrderItems(order, { lastEvent: LAST_EVENT, ...(pendingTask ? { pendingTask } : {}) });

const versionConflict = () =>
  new TransactionCanceledException({
    message: 'Transaction cancelled',
    $metadata: {},
    CancellationReasons: [{ Code: 'ConditionalCheckFailed' }, { Code: 'None' }, { Code: 'None' }],
  });

describe('POST /orders/{id}/reply (order-actions)', () => {
  it('returns 200 with the replied order and its new ETag', async () => {
    // Prepare
    serveReads(ddb, stored(dispatched(), replyTask));
    ddb.on(TransactWriteCommand).resolves({});
    sfn.on(SendTaskSuccessCommand).resolves({});

    // Act
    const result = await handler(replyEvent(), context);

    // Assess
    expect(result.statusCode).toBe(200);
    expect(result.headers).toMatchObject({ etag: '"4"' });
    expect(bodyOf(result)).toMatchObject({
      status: 'replied',
      version: 4,
      reply: { result: 'resolved', text: replyBody.text, at: '2026-12-03T02:00:00.000Z', by: 'st-110101001' },
    });
  });

  it('returns after saving the change: the order on its version condition and the replied event chained after the last', async () => {
    // Prepare
    const order = dispatched();
    serveReads(ddb, stored(order, replyTask));
    ddb.on(TransactWriteCommand).resolves({});
    sfn.on(SendTaskSuccessCommand).resolves({});

    // Act
    await handler(replyEvent(), context);

    // Assess
    expect(ddb.commandCalls(TransactWriteCommand)).toHaveLength(1);
    const items = transactItems(ddb);
    const orderPut = putWithSk(items, '#ORDER');
    expect(orderPut).toMatchObject({
      TableName: TABLE,
      ConditionExpression: 'version = :expected',
      ExpressionAttributeValues: { ':expected': 3 },
      Item: {
        pk: `ORDER#${order.id}`,
        version: 4,
        status: 'replied',
        order: { status: 'replied', version: 4 },
      },
    });
    const eventPut = putWithSk(items, 'EVENT#0000000006');
    expect(eventPut?.ConditionExpression).toBe('attribute_not_exists(pk)');
    const event = eventPut?.Item.event as OrderEvent;
    expect(event).toMatchObject({
      orderId: order.id,
      seq: 6,
      type: 'replied',
      prevHash: LAST_EVENT.hash,
      actor: { kind: 'person', sub: 'staff-1', role: 'unit', unitId: 'st-110101001' },
      data: { result: 'resolved', text: replyBody.text, late: false },
    });
    expect(orderPut?.Item.lastEvent).toEqual({ seq: 6, hash: event.hash });
  });

  it('returns after completing the waiting task with the stored token and the reply, once saved', async () => {
    // Prepare
    serveReads(ddb, stored(dispatched(), replyTask));
    ddb.on(TransactWriteCommand).resolves({});
    sfn.on(SendTaskSuccessCommand).resolves({});

    // Act
    await handler(replyEvent(), context);

    // Assess
    const completions = sfn.commandCalls(SendTaskSuccessCommand);
    expect(completions).toHaveLength(1);
    const input = completions[0]?.args[0].input;
    expect(input?.taskToken).toBe('task-token-reply');
    expect(JSON.parse(input?.output ?? 'null')).toEqual({
      outcome: 'replied',
      result: 'resolved',
      text: replyBody.text,
      by: 'staff-1',
    });
    const write = ddb.commandCalls(TransactWriteCommand)[0];
    expect(write && completions[0] && write.calledBefore(completions[0])).toBe(true);
  });

  it('returns 200 without completing any task when no reply task is waiting', async () => {
    // Prepare
    serveReads(ddb, stored(dispatched()));
    ddb.on(TransactWriteCommand).resolves({});

    // Act
    const result = await handler(replyEvent(), context);

    // Assess
    expect(result.statusCode).toBe(200);
    expect(ddb.commandCalls(TransactWriteCommand)).toHaveLength(1);
    expect(sfn.calls()).toHaveLength(0);
  });

  it('returns 200 when the waiting task already timed out (SendTaskSuccess fails with TaskTimedOut)', async () => {
    // Prepare
    serveReads(ddb, stored(dispatched(), replyTask));
    ddb.on(TransactWriteCommand).resolves({});
    sfn.on(SendTaskSuccessCommand).rejects(new TaskTimedOut({ message: 'Task Timed Out', $metadata: {} }));

    // Act
    const result = await handler(replyEvent(), context);

    // Assess
    expect(result.statusCode).toBe(200);
    expect(bodyOf(result)).toMatchObject({ status: 'replied' });
    expect(ddb.commandCalls(TransactWriteCommand)).toHaveLength(1);
    expect(sfn.commandCalls(SendTaskSuccessCommand)).toHaveLength(1);
  });

  it('returns 200 for an If-Match equal to the current version, strong or weak', async () => {
    // Prepare
    serveReads(ddb, stored(dispatched(), replyTask));
    ddb.on(TransactWriteCommand).resolves({});
    sfn.on(SendTaskSuccessCommand).resolves({});

    // Act
    const strong = await handler(replyEvent({ headers: { 'if-match': '"3"' } }), context);
    const weak = await handler(replyEvent({ headers: { 'if-match': 'W/"3"' } }), context);

    // Assess
    expect(strong.statusCode).toBe(200);
    expect(weak.statusCode).toBe(200);
  });

  it('rejects a stale If-Match with 409 VERSION_CONFLICT and writes nothing', async () => {
    // Prepare
    serveReads(ddb, stored(dispatched(), replyTask));

    // Act
    const result = await handler(replyEvent({ headers: { 'if-match': '"2"' } }), context);

    // Assess
    expect(result.statusCode).toBe(409);
    expect(bodyOf(result)).toMatchObject({ error: { code: 'VERSION_CONFLICT' } });
    expect(ddb.commandCalls(TransactWriteCommand)).toHaveLength(0);
    expect(sfn.calls()).toHaveLength(0);
  });

  it('rejects an If-Match that is not an ETag with 400 INVALID_IF_MATCH', async () => {
    // Prepare
    serveReads(ddb, stored(dispatched(), replyTask));

    // Act
    const result = await handler(replyEvent({ headers: { 'if-match': 'yesterday' } }), context);

    // Assess
    expect(result.statusCode).toBe(400);
    expect(bodyOf(result)).toMatchObject({ error: { code: 'INVALID_IF_MATCH' } });
    expect(ddb.commandCalls(TransactWriteCommand)).toHaveLength(0);
  });

  it('rejects a reply to a closed order with 409 ACTION_NOT_ALLOWED and writes nothing', async () => {
    // Prepare
    const closed: WorkOrder = {
      ...dispatched(),
      status: 'closed',
      closedAt: '2026-12-02T01:05:00.000Z',
      closure: { outcome: 'expired' },
    };
    serveReads(ddb, stored(closed));

    // Act
    const result = await handler(replyEvent(), context);

    // Assess
    expect(result.statusCode).toBe(409);
    expect(bodyOf(result)).toMatchObject({
      error: { code: 'ACTION_NOT_ALLOWED', details: { action: 'reply', status: 'closed' } },
    });
    expect(ddb.commandCalls(TransactWriteCommand)).toHaveLength(0);
    expect(sfn.calls()).toHaveLength(0);
  });

  it('rejects a reply by the copied district government with 403 NOT_LEAD_UNIT and writes nothing', async () => {
    // Prepare
    serveReads(ddb, stored(dispatched(), replyTask));

    // Act
    const result = await handler(
      replyEvent({ claims: { sub: 'staff-9', role: 'unit', unit_id: 'gov-110101' } }),
      context,
    );

    // Assess
    expect(result.statusCode).toBe(403);
    expect(bodyOf(result)).toMatchObject({ error: { code: 'NOT_LEAD_UNIT' } });
    expect(ddb.commandCalls(TransactWriteCommand)).toHaveLength(0);
    expect(sfn.calls()).toHaveLength(0);
  });

  it('rejects a reply by a unit that has nothing to do with the order with 404', async () => {
    // Prepare
    serveReads(ddb, stored(dispatched(), replyTask));

    // Act
    const result = await handler(
      replyEvent({ claims: { sub: 'staff-8', role: 'unit', unit_id: 'st-110102001' } }),
      context,
    );

    // Assess
    expect(result.statusCode).toBe(404);
    expect(ddb.commandCalls(TransactWriteCommand)).toHaveLength(0);
  });

  it('rejects a reply to an order that does not exist with 404 ORDER_NOT_FOUND', async () => {
    // Prepare
    serveReads(ddb, []);

    // Act
    const result = await handler(replyEvent({ id: 'WO01KBZZZZZZZZZZZZZZZZZZZZZZ' }), context);

    // Assess
    expect(result.statusCode).toBe(404);
    expect(bodyOf(result)).toMatchObject({ error: { code: 'ORDER_NOT_FOUND' } });
  });

  it('rejects a reply body that breaks the schema with 400 VALIDATION_FAILED', async () => {
    // Prepare
    serveReads(ddb, stored(dispatched(), replyTask));

    // Act
    const result = await handler(replyEvent({ body: { result: 'done', text: '' } }), context);

    // Assess
    expect(result.statusCode).toBe(400);
    const { error } = bodyOf(result) as { error: { code: string; details: { path: string }[] } };
    expect(error.code).toBe('VALIDATION_FAILED');
    expect(error.details.map((d) => d.path).sort()).toEqual(['result', 'text']);
    expect(ddb.commandCalls(TransactWriteCommand)).toHaveLength(0);
  });

  it('returns 200 after reading again when it lost a race with the workflow and no If-Match was sent', async () => {
    // Prepare
    serveReads(ddb, stored(dispatched(), replyTask));
    ddb.on(TransactWriteCommand).rejectsOnce(versionConflict()).resolves({});
    sfn.on(SendTaskSuccessCommand).resolves({});

    // Act
    const result = await handler(replyEvent(), context);

    // Assess
    expect(result.statusCode).toBe(200);
    expect(ddb.commandCalls(TransactWriteCommand)).toHaveLength(2);
    expect(sfn.commandCalls(SendTaskSuccessCommand)).toHaveLength(1);
  });

  it('returns 200 with If-Match when the race it lost moved no version (the workflow storing its token)', async () => {
    // Prepare
    serveReads(ddb, stored(dispatched(), replyTask));
    ddb.on(TransactWriteCommand).rejectsOnce(versionConflict()).resolves({});
    sfn.on(SendTaskSuccessCommand).resolves({});

    // Act
    const result = await handler(replyEvent({ headers: { 'if-match': '"3"' } }), context);

    // Assess
    expect(result.statusCode).toBe(200);
    expect(ddb.commandCalls(TransactWriteCommand)).toHaveLength(2);
  });

  it('rejects with 409 VERSION_CONFLICT and stops retrying when the races keep being lost', async () => {
    // Prepare
    serveReads(ddb, stored(dispatched(), replyTask));
    ddb.on(TransactWriteCommand).rejects(versionConflict());

    // Act
    const result = await handler(replyEvent({ headers: { 'if-match': '"3"' } }), context);

    // Assess
    expect(result.statusCode).toBe(409);
    expect(bodyOf(result)).toMatchObject({ error: { code: 'VERSION_CONFLICT' } });
    expect(ddb.commandCalls(TransactWriteCommand)).toHaveLength(3);
    expect(sfn.calls()).toHaveLength(0);
  });
});

describe('POST /orders/{id}/dispatch (order-actions)', () => {
  const awaiting = (): WorkOrder => {
    const { unitId: _u, routeBasis: _r, dispatchedAt: _d, ...rest } = dispatched();
    return {
      ...rest,
      version: 2,
      status: 'awaiting_dispatch',
      categoryCode: '990102',
      coUnitIds: [],
      copiedUnitIds: [],
      deadlines: { dispatchBy: '2026-12-03T15:59:59.999Z' },
    };
  };
  const dispatchTask = {
    awaiting: 'dispatch',
    token: 'task-token-dispatch',
    since: '2026-12-03T01:00:00.000Z',
  } as const;
  const dispatcher = { sub: 'dispatcher-1', role: 'dispatcher' };
  const dispatchEvent = (body: unknown) =>
    apiEvent({
      routeKey: 'POST /orders/{id}/dispatch',
      pathParameters: { id: awaiting().id },
      body,
      claims: dispatcher,
    });

  it("returns the order dispatched to the dispatcher's street, its district copied, and completes the task", async () => {
    // Prepare
    serveReads(ddb, stored(awaiting(), dispatchTask));
    ddb.on(TransactWriteCommand).resolves({});
    sfn.on(SendTaskSuccessCommand).resolves({});

    // Act
    const result = await handler(dispatchEvent({ unitId: 'st-110101001', note: '属地街道处理' }), context);

    // Assess
    expect(result.statusCode).toBe(200);
    expect(bodyOf(result)).toMatchObject({
      status: 'dispatched',
      unitId: 'st-110101001',
      coUnitIds: [],
      copiedUnitIds: ['gov-110101'],
      routeBasis: { rule: 'dispatcher' },
      deadlines: {
        dispatchBy: '2026-12-03T15:59:59.999Z',
        contactBy: '2026-12-04T02:00:00.000Z',
        resolveBy: '2026-12-10T02:00:00.000Z',
      },
    });
    const input = sfn.commandCalls(SendTaskSuccessCommand)[0]?.args[0].input;
    expect(input?.taskToken).toBe('task-token-dispatch');
    expect(JSON.parse(input?.output ?? 'null')).toEqual({
      outcome: 'dispatched',
      timeoutSeconds: 7 * 24 * 60 * 60,
      unitId: 'st-110101001',
      by: 'dispatcher-1',
      note: '属地街道处理',
    });
  });

  it('rejects an unknown unit with 422 UNKNOWN_UNIT and writes nothing', async () => {
    // Prepare
    serveReads(ddb, stored(awaiting(), dispatchTask));

    // Act
    const result = await handler(dispatchEvent({ unitId: 'st-nowhere' }), context);

    // Assess
    expect(result.statusCode).toBe(422);
    expect(bodyOf(result)).toMatchObject({ error: { code: 'UNKNOWN_UNIT' } });
    expect(ddb.commandCalls(TransactWriteCommand)).toHaveLength(0);
    expect(sfn.calls()).toHaveLength(0);
  });
});
