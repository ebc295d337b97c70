import { PutCommand, QueryCommand, TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import { beforeAll, describe, expect, it } from 'vitest';
import { ConcurrentUpdateError } from '#domain/errors.ts';
import { sealEvents, type UnsealedEvent } from '#domain/order-events.ts';
import { summarizeOrder } from '#domain/order-view.ts';
import type { WorkOrder } from '#domain/work-order.ts';
import type { ClaimPut } from '#shared/platform/idempotency.ts';
import { CorruptRowError } from '#shared/stores/rows.ts';
import { dispatchedFixture, operator, orderIn } from '../domain/support.ts';
import { cancelled, conditionFailed, mockedTable, rejectionOf, TABLE } from './support.ts';

/**
 * The order store's side of the table: the exact keys, key conditions, conditions and indexes of each
 * command; what a lost race turns into; and that what it reads back is checked (a corrupt row is a
 * CorruptRowError, an attribute it does not know survives).
 */
const ddb = mockedTable();

type Store = typeof import('../../../functions/shared/stores/order-store.ts');
let store: Store;
beforeAll(async () => {
  store = await import('../../../functions/shared/stores/order-store.ts');
});

const order = dispatchedFixture();
const ID = order.id;
const head = { seq: 3, hash: 'c'.repeat(64) };
const task = { awaiting: 'action', token: 'token-1', since: '2026-12-01T01:06:00.000Z' } as const;
const received: UnsealedEvent = { type: 'received', at: order.receivedAt, actor: operator, data: {} };

const orderRow = (o: unknown = order, extra: Record<string, unknown> = {}) => ({
  pk: `ORDER#${ID}`,
  sk: '#ORDER',
  type: 'order',
  order: o,
  version: order.version,
  lastEvent: head,
  ...extra,
});
const taskRow = (t: unknown = task) => ({ pk: `ORDER#${ID}`, sk: '#TASK', type: 'task', task: t });
const serveQuery = (...items: Record<string, unknown>[]) =>
  ddb.on(QueryCommand).resolves({ Items: structuredClone(items) });
const transaction = (call = 0) => ddb.commandCalls(TransactWriteCommand)[call]?.args[0].input.TransactItems;

const claim: ClaimPut = {
  Put: {
    TableName: TABLE,
    Item: { pk: `ORDER#${ID}`, sk: 'ACTION#abc', type: 'actionClaim', requestHash: 'h' },
    ConditionExpression: 'attribute_not_exists(pk)',
  },
};

describe('readOrder', () => {
  it('reads the order and its waiting task with one consistent query of the partition’s # items', async () => {
    // Prepare
    serveQuery(orderRow(), taskRow());

    // Act
    const stored = await store.readOrder(ID);

    // Assess
    expect(ddb.commandCalls(QueryCommand)[0]?.args[0].input).toEqual({
      TableName: TABLE,
      KeyConditionExpression: 'pk = :pk AND begins_with(sk, :hash)',
      ExpressionAttributeValues: { ':pk': `ORDER#${ID}`, ':hash': '#' },
      ConsistentRead: true,
    });
    expect(stored).toEqual({ order, lastEvent: head, pendingTask: task });
  });

  it('returns no waiting task when the partition has none, and undefined without the order item', async () => {
    serveQuery(orderRow());
    expect(await store.readOrder(ID)).toEqual({ order, lastEvent: head });
    ddb.reset();
    serveQuery(taskRow());
    expect(await store.readOrder(ID)).toBeUndefined();
  });

  it('returns undefined without reading for an id whose partition key DynamoDB would refuse (over 2048 bytes)', async () => {
    expect(await store.readOrder('x'.repeat(2043))).toBeUndefined();
    expect(ddb.commandCalls(QueryCommand)).toHaveLength(0);
  });

  it('returns an attribute the schema does not list unchanged, in the order and in its task', async () => {
    // Prepare: fields a newer writer added
    const newer = { ...order, triage: { score: 3, by: 'model-7' } };
    serveQuery(orderRow(newer, { archivedAt: '2027-01-01' }), taskRow({ ...task, attempt: 2 }));

    // Act
    const stored = await store.readOrder(ID);

    // Assess
    expect(stored?.order).toEqual(newer);
    expect(stored?.pendingTask).toEqual({ ...task, attempt: 2 });
  });

  it.each<[string, Record<string, unknown>, RegExp]>([
    ['a version that is not a number', orderRow({ ...order, version: '3' }), /order\.version/],
    ['a negative version', orderRow({ ...order, version: -1 }), /order\.version/],
    ['no order', { ...orderRow(), order: undefined }, /order: /],
    ['an unknown status', orderRow({ ...order, status: 'lost' }), /order\.status/],
    ['an unknown flag', orderRow({ ...order, flags: ['late'] }), /order\.flags\.0/],
    ['no deadlines', orderRow({ ...order, deadlines: undefined }), /order\.deadlines/],
    ['flags that are not an array', orderRow({ ...order, flags: 'overdue' }), /order\.flags/],
    ['a row version that is not a number', orderRow(order, { version: '3' }), /version/],
    ['no head of the event log', orderRow(order, { lastEvent: undefined }), /lastEvent/],
  ])('rejects an order row with %s as a CorruptRowError naming its key', async (_what, row, issue) => {
    // Prepare
    serveQuery(row);

    // Act
    const error = await rejectionOf(store.readOrder(ID));

    // Assess
    expect(error).toBeInstanceOf(CorruptRowError);
    expect((error as CorruptRowError).key).toEqual({ pk: `ORDER#${ID}`, sk: '#ORDER' });
    expect((error as Error).message).toContain(`"pk":"ORDER#${ID}","sk":"#ORDER"`);
    expect((error as Error).message).toMatch(issue);
  });

  it('rejects a waiting task without its token as a CorruptRowError', async () => {
    serveQuery(orderRow(), taskRow({ awaiting: 'action', since: task.since }));
    const error = await rejectionOf(store.readOrder(ID));
    expect(error).toBeInstanceOf(CorruptRowError);
    expect((error as CorruptRowError).key).toEqual({ pk: `ORDER#${ID}`, sk: '#TASK' });
    expect((error as Error).message).toMatch(/task\.token/);
  });
});

describe('insertOrder', () => {
  it('puts the order and its first events only where nothing is, with the claim as item 0', async () => {
    // Prepare
    ddb.on(TransactWriteCommand).resolves({});
    const fresh = orderIn('received');

    // Act
    const stored = await store.insertOrder(fresh, [received], claim);

    // Assess
    const [first] = sealEvents(fresh.id, undefined, [received]);
    expect(stored).toEqual({ order: fresh, lastEvent: { seq: 1, hash: first?.hash } });
    const items = transaction();
    expect(items?.[0]).toEqual(claim);
    expect(items?.[1]).toEqual({
      Put: {
        TableName: TABLE,
        Item: expect.objectContaining({
          pk: `ORDER#${fresh.id}`,
          sk: '#ORDER',
          type: 'order',
          order: fresh,
          version: 1,
          status: 'received',
          lastEvent: { seq: 1, hash: first?.hash },
          summary: summarizeOrder(fresh),
          gsi2pk: 'DISTRICT#110101',
          gsi2sk: `${fresh.receivedAt}#${fresh.id}`,
          gsi3pk: 'DAY#2026-12-01',
          gsi3sk: `${fresh.receivedAt}#${fresh.id}`,
        }),
        ConditionExpression: 'attribute_not_exists(pk)',
      },
    });
    expect(items?.[1]?.Put?.Item).not.toHaveProperty('gsi1pk');
    expect(items?.[2]).toEqual({
      Put: {
        TableName: TABLE,
        Item: { pk: `ORDER#${fresh.id}`, sk: 'EVENT#0000000001', type: 'event', event: first },
        ConditionExpression: 'attribute_not_exists(pk)',
      },
    });
    expect(items).toHaveLength(3);
  });

  it('puts the lead unit index key once the order has a unit', async () => {
    ddb.on(TransactWriteCommand).resolves({});
    await store.insertOrder(order, [received]);
    expect(transaction()?.[0]?.Put?.Item).toMatchObject({
      gsi1pk: `UNIT#${order.unitId}`,
      gsi1sk: `${order.receivedAt}#${ID}`,
    });
  });

  it('refuses an order without events and writes nothing', async () => {
    await expect(store.insertOrder(order, [])).rejects.toThrow(/at least one event/);
    expect(ddb.commandCalls(TransactWriteCommand)).toHaveLength(0);
  });
});

describe('saveChange', () => {
  const previous = { order, lastEvent: head };
  const next: WorkOrder = { ...order, version: order.version + 1, status: 'accepted' };

  it('puts the order on its version still being the one read, the task still absent, the events chained', async () => {
    // Prepare
    ddb.on(TransactWriteCommand).resolves({});

    // Act
    const stored = await store.saveChange(previous, { order: next, events: [received] }, { claim });

    // Assess
    const [event] = sealEvents(ID, head, [received]);
    expect(stored).toEqual({ order: next, lastEvent: { seq: 4, hash: event?.hash } });
    const items = transaction();
    expect(items?.[0]).toEqual(claim);
    expect(items?.[1]?.Put).toMatchObject({
      TableName: TABLE,
      Item: { pk: `ORDER#${ID}`, sk: '#ORDER', version: 4, status: 'accepted' },
      ConditionExpression: 'version = :expected',
      ExpressionAttributeValues: { ':expected': 3 },
    });
    expect(items?.[2]).toEqual({
      ConditionCheck: {
        TableName: TABLE,
        Key: { pk: `ORDER#${ID}`, sk: '#TASK' },
        ConditionExpression: 'attribute_not_exists(pk)',
      },
    });
    expect(items?.[3]?.Put).toEqual({
      TableName: TABLE,
      Item: { pk: `ORDER#${ID}`, sk: 'EVENT#0000000004', type: 'event', event },
      ConditionExpression: 'attribute_not_exists(pk)',
    });
  });

  it('checks that the waiting task still holds the token read, and keeps it', async () => {
    ddb.on(TransactWriteCommand).resolves({});
    const stored = await store.saveChange({ ...previous, pendingTask: task }, { order: next, events: [] });
    expect(transaction()?.[1]).toEqual({
      ConditionCheck: {
        TableName: TABLE,
        Key: { pk: `ORDER#${ID}`, sk: '#TASK' },
        ConditionExpression: 'task.#token = :token',
        ExpressionAttributeNames: { '#token': 'token' },
        ExpressionAttributeValues: { ':token': 'token-1' },
      },
    });
    expect(stored).toEqual({ order: next, lastEvent: head, pendingTask: task });
  });

  it('deletes the waiting task it completes, on its token', async () => {
    ddb.on(TransactWriteCommand).resolves({});
    const stored = await store.saveChange(
      { ...previous, pendingTask: task },
      { order: next, events: [] },
      { consumeTask: true },
    );
    expect(transaction()?.[1]).toEqual({
      Delete: {
        TableName: TABLE,
        Key: { pk: `ORDER#${ID}`, sk: '#TASK' },
        ConditionExpression: 'task.#token = :token',
        ExpressionAttributeNames: { '#token': 'token' },
        ExpressionAttributeValues: { ':token': 'token-1' },
      },
    });
    expect(stored).not.toHaveProperty('pendingTask');
  });

  it.each([['ConditionalCheckFailed'], ['TransactionConflict']])(
    'rejects a race lost as %s with ConcurrentUpdateError',
    async (code) => {
      const race = cancelled('None', code, 'None');
      ddb.on(TransactWriteCommand).rejects(race);
      const error = await rejectionOf(store.saveChange(previous, { order: next, events: [received] }));
      expect(error).toBeInstanceOf(ConcurrentUpdateError);
      expect((error as Error).cause).toBe(race);
    },
  );

  it('passes on a cancellation for another reason, and any other error, as it is', async () => {
    const other = cancelled('ValidationError', 'None');
    ddb.on(TransactWriteCommand).rejects(other);
    expect(await rejectionOf(store.saveChange(previous, { order: next, events: [] }))).toBe(other);
    const down = new Error('socket hang up');
    ddb.on(TransactWriteCommand).rejects(down);
    expect(await rejectionOf(store.saveChange(previous, { order: next, events: [] }))).toBe(down);
  });

  it('writes back an attribute the schema does not list, as it was read (read-modify-write)', async () => {
    // Prepare
    serveQuery(orderRow({ ...order, triage: { score: 3 } }));
    ddb.on(TransactWriteCommand).resolves({});
    const read = await store.readOrder(ID);
    if (!read) throw new Error('the order was read');

    // Act
    await store.saveChange(read, { order: { ...read.order, version: 4 }, events: [] });

    // Assess
    expect(transaction()?.[0]?.Put?.Item?.order).toEqual({ ...order, version: 4, triage: { score: 3 } });
  });
});

describe('storePendingTask', () => {
  it('puts the task on the order’s version still being the one read', async () => {
    ddb.on(TransactWriteCommand).resolves({});
    await store.storePendingTask({ order, lastEvent: head }, task);
    expect(transaction()).toEqual([
      {
        ConditionCheck: {
          TableName: TABLE,
          Key: { pk: `ORDER#${ID}`, sk: '#ORDER' },
          ConditionExpression: 'version = :expected',
          ExpressionAttributeValues: { ':expected': 3 },
        },
      },
      { Put: { TableName: TABLE, Item: { pk: `ORDER#${ID}`, sk: '#TASK', type: 'task', task } } },
    ]);
  });

  it.each([['ConditionalCheckFailed'], ['TransactionConflict']])(
    'rejects a race lost as %s with ConcurrentUpdateError',
    async (code) => {
      ddb.on(TransactWriteCommand).rejects(cancelled(code, 'None'));
      await expect(store.storePendingTask({ order, lastEvent: head }, task)).rejects.toBeInstanceOf(
        ConcurrentUpdateError,
      );
    },
  );
});

describe('restorePendingTask', () => {
  it('puts the task back only where none is, and leaves a newer one alone', async () => {
    // Prepare
    ddb.on(PutCommand).rejects(conditionFailed());

    // Act
    await store.restorePendingTask(ID, task);

    // Assess
    expect(ddb.commandCalls(PutCommand)[0]?.args[0].input).toEqual({
      TableName: TABLE,
      Item: { pk: `ORDER#${ID}`, sk: '#TASK', type: 'task', task },
      ConditionExpression: 'attribute_not_exists(pk)',
    });
  });

  it('passes on any other error', async () => {
    ddb.on(PutCommand).rejects(new Error('throttled'));
    await expect(store.restorePendingTask(ID, task)).rejects.toThrow('throttled');
  });
});

describe('readEvents', () => {
  const events = sealEvents(ID, undefined, [received, { ...received, type: 'dispatched' }]);
  const eventRow = (event: unknown, seq = 1) => ({
    pk: `ORDER#${ID}`,
    sk: `EVENT#${String(seq).padStart(10, '0')}`,
    type: 'event',
    event,
  });

  it('reads every page of the partition’s EVENT# items, consistently', async () => {
    // Prepare
    ddb
      .on(QueryCommand)
      .resolvesOnce({ Items: [eventRow(events[0])], LastEvaluatedKey: { pk: `ORDER#${ID}`, sk: 'EVENT#1' } })
      .resolvesOnce({ Items: [eventRow(events[1], 2)] });

    // Act
    const read = await store.readEvents(ID);

    // Assess
    expect(read).toEqual(events);
    expect(ddb.commandCalls(QueryCommand).map((c) => c.args[0].input)).toEqual([
      {
        TableName: TABLE,
        KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
        ExpressionAttributeValues: { ':pk': `ORDER#${ID}`, ':prefix': 'EVENT#' },
        ConsistentRead: true,
        ExclusiveStartKey: undefined,
      },
      expect.objectContaining({ ExclusiveStartKey: { pk: `ORDER#${ID}`, sk: 'EVENT#1' } }),
    ]);
  });

  it('returns an event with an attribute the schema does not list unchanged (its hash still holds)', async () => {
    const withExtra = { ...events[0], region: 'cn-north-1' };
    ddb.on(QueryCommand).resolves({ Items: [eventRow(withExtra)] });
    expect(await store.readEvents(ID)).toEqual([withExtra]);
  });

  it.each<[string, unknown]>([
    ['a sequence number that is a string', { ...events[0], seq: '1' }],
    ['an actor of an unknown kind', { ...events[0], actor: { kind: 'robot' } }],
    ['no hash', { ...events[0], hash: undefined }],
    ['no event at all', undefined],
  ])('rejects an event row with %s as a CorruptRowError naming its key', async (_what, event) => {
    ddb.on(QueryCommand).resolves({ Items: [eventRow(event)] });
    const error = await rejectionOf(store.readEvents(ID));
    expect(error).toBeInstanceOf(CorruptRowError);
    expect((error as CorruptRowError).key).toEqual({ pk: `ORDER#${ID}`, sk: 'EVENT#0000000001' });
  });
});

describe('listOrders', () => {
  const summary = summarizeOrder(order);
  const indexRow = (s: unknown = summary) => ({
    pk: `ORDER#${ID}`,
    sk: '#ORDER',
    gsi3pk: 'DAY#2026-12-01',
    gsi3sk: `${order.receivedAt}#${ID}`,
    summary: s,
    status: order.status,
  });
  const day = { from: '2026-12-01T00:00:00.000Z', to: '2026-12-01T10:00:00.000Z', limit: 20 };
  const query = (call = 0) => ddb.commandCalls(QueryCommand)[call]?.args[0].input;

  it('reads one CST day of byDay, newest first, for a filter without unit or district', async () => {
    ddb.on(QueryCommand).resolves({ Items: [indexRow()] });
    expect(await store.listOrders(day)).toEqual({ items: [summary] });
    expect(query()).toEqual({
      TableName: TABLE,
      IndexName: 'byDay',
      KeyConditionExpression: 'gsi3pk = :pk AND gsi3sk BETWEEN :from AND :to',
      ExpressionAttributeValues: { ':from': day.from, ':to': `${day.to}#~`, ':pk': 'DAY#2026-12-01' },
      ScanIndexForward: false,
      Limit: 100,
      ExclusiveStartKey: undefined,
    });
  });

  it('reads byUnit for a unit, filtering a district through the summary and the status by name', async () => {
    ddb.on(QueryCommand).resolves({ Items: [] });
    await store.listOrders({ ...day, unitId: 'st-110101001', districtCode: '110101', status: 'accepted' });
    expect(query()).toMatchObject({
      IndexName: 'byUnit',
      KeyConditionExpression: 'gsi1pk = :pk AND gsi1sk BETWEEN :from AND :to',
      ExpressionAttributeValues: { ':pk': 'UNIT#st-110101001', ':district': '110101', ':status': 'accepted' },
      ExpressionAttributeNames: {
        '#status': 'status',
        '#summary': 'summary',
        '#location': 'location',
        '#districtCode': 'districtCode',
      },
      FilterExpression: '#status = :status AND #summary.#location.#districtCode = :district',
    });
  });

  it('reads byDistrict for a district alone', async () => {
    ddb.on(QueryCommand).resolves({ Items: [] });
    await store.listOrders({ ...day, districtCode: '110101' });
    expect(query()).toMatchObject({
      IndexName: 'byDistrict',
      KeyConditionExpression: 'gsi2pk = :pk AND gsi2sk BETWEEN :from AND :to',
      ExpressionAttributeValues: { ':pk': 'DISTRICT#110101' },
    });
  });

  it('returns a summary with an attribute the schema does not list unchanged', async () => {
    ddb.on(QueryCommand).resolves({ Items: [indexRow({ ...summary, priority: 'p1' })] });
    expect(await store.listOrders(day)).toEqual({ items: [{ ...summary, priority: 'p1' }] });
  });

  it.each<[string, unknown]>([
    ['an unknown status', { ...summary, status: 'lost' }],
    ['a version that is a string', { ...summary, version: '3' }],
    ['no summary', null],
  ])('rejects an index row with %s as a CorruptRowError naming its key and index', async (_what, s) => {
    ddb
      .on(QueryCommand)
      .resolves({ Items: [s === null ? { ...indexRow(), summary: undefined } : indexRow(s)] });
    const error = await rejectionOf(store.listOrders(day));
    expect(error).toBeInstanceOf(CorruptRowError);
    expect((error as CorruptRowError).key).toEqual({ pk: `ORDER#${ID}`, sk: '#ORDER', index: 'byDay' });
  });
});

describe('the byCallbackStep index', () => {
  const DUE = '2026-12-02T02:00:00.000Z';
  const withCallback = (callback: WorkOrder['callback']): WorkOrder => ({
    ...orderIn('closed'),
    callback,
  });
  const savedItem = async (o: WorkOrder) => {
    ddb.on(TransactWriteCommand).resolves({});
    await store.saveChange({ order: o, lastEvent: head }, { order: o, events: [received] });
    return transaction(ddb.commandCalls(TransactWriteCommand).length - 1)?.[0]?.Put?.Item ?? {};
  };

  it('puts the entry of a round waiting for a step, keyed by the time it is awaited since', async () => {
    const round = { round: 1, reason: 'handled', dueAt: DUE } as const;
    const due = await savedItem(withCallback({ ...round, state: 'due', attempts: 0 }));
    const scheduled = await savedItem(
      withCallback({ ...round, state: 'scheduled', attempts: 0, firstAttemptAt: '2026-12-02T04:00:00.000Z' }),
    );
    const open = await savedItem(
      withCallback({
        ...round,
        state: 'open',
        attempts: 1,
        openedAt: '2026-12-02T04:00:00.000Z',
        lastAttemptAt: '2026-12-02T04:00:00.000Z',
        nextCheckAt: '2026-12-03T04:00:00.000Z',
      }),
    );
    expect([due, scheduled, open].map((i) => [i.gsi5pk, i.gsi5sk])).toEqual([
      ['CALLBACK#AWAITED', `${DUE}#${ID}`],
      ['CALLBACK#AWAITED', `2026-12-02T04:00:00.000Z#${ID}`],
      ['CALLBACK#AWAITED', `2026-12-03T04:00:00.000Z#${ID}`],
    ]);
  });

  it('leaves the entry out once the round ended, and without a call-back', async () => {
    const ended = await savedItem(
      withCallback({ round: 1, reason: 'handled', dueAt: DUE, state: 'unreachable', attempts: 3 }),
    );
    const none = await savedItem(orderIn('closed'));
    expect([ended, none].map((i) => 'gsi5pk' in i || 'gsi5sk' in i)).toEqual([false, false]);
  });

  it('lists the ids awaited within [from, before), oldest first, a page at a time', async () => {
    // Prepare
    const cursor = { pk: `ORDER#${ID}`, sk: '#ORDER', gsi5pk: 'CALLBACK#AWAITED', gsi5sk: `${DUE}#${ID}` };
    ddb
      .on(QueryCommand)
      .resolves({ Items: [{ gsi5sk: `${DUE}#${ID}`, status: 'closed' }], LastEvaluatedKey: cursor });

    // Act
    const page = await store.listAwaitedCallbacks({ from: 'A', before: 'B', limit: 7, cursor: { k: 1 } });

    // Assess
    expect(page).toEqual({ orderIds: [ID], cursor });
    expect(ddb.commandCalls(QueryCommand)[0]?.args[0].input).toEqual({
      TableName: TABLE,
      IndexName: 'byCallbackStep',
      KeyConditionExpression: 'gsi5pk = :pk AND gsi5sk BETWEEN :from AND :before',
      ExpressionAttributeValues: { ':pk': 'CALLBACK#AWAITED', ':from': 'A', ':before': 'B' },
      Limit: 7,
      ExclusiveStartKey: { k: 1 },
    });
  });
});
