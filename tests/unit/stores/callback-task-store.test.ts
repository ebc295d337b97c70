import { DeleteCommand, PutCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { beforeAll, describe, expect, it } from 'vitest';
import { HotlineError } from '#domain/errors.ts';
import { CorruptRowError } from '#shared/stores/rows.ts';
import { mockedTable, rejectionOf, TABLE } from './support.ts';

/** The call-back task store's side of the table: one partition of open tasks, oldest first. */
const ddb = mockedTable();

type Store = typeof import('../../../functions/shared/stores/callback-task-store.ts');
let store: Store;
beforeAll(async () => {
  store = await import('../../../functions/shared/stores/callback-task-store.ts');
});

const task = {
  orderId: 'WO01KBAAAAAAAAAAAAAAAAAAAAAA',
  round: 1,
  attempt: 2,
  openedAt: '2026-12-02T04:00:00.000Z',
  lastAttemptAt: '2026-12-03T04:00:00.000Z',
  nextCheckAt: '2026-12-04T04:00:00.000Z',
  reason: 'handled',
  unitId: 'st-110101001',
  categoryCode: '010201',
  linkSent: true,
};
const KEY = { pk: 'CALLBACK#OPEN', sk: `${task.openedAt}#${task.orderId}` };
const row = (t: unknown) => ({ ...KEY, type: 'callbackTask', task: t });

describe('putCallbackTask and deleteCallbackTask', () => {
  it('puts the task under its opening time and order, and deletes it by the same key', async () => {
    ddb.on(PutCommand).resolves({});
    ddb.on(DeleteCommand).resolves({});
    await store.putCallbackTask(task);
    await store.deleteCallbackTask(task);
    expect(ddb.commandCalls(PutCommand)[0]?.args[0].input).toEqual({ TableName: TABLE, Item: row(task) });
    expect(ddb.commandCalls(DeleteCommand)[0]?.args[0].input).toEqual({ TableName: TABLE, Key: KEY });
  });
});

describe('listCallbackTasks', () => {
  it('queries the open partition a page at a time, with the page’s last key as an opaque cursor', async () => {
    // Prepare
    ddb.on(QueryCommand).resolves({ Items: [row(task)], LastEvaluatedKey: KEY });

    // Act
    const first = await store.listCallbackTasks({ limit: 1 });
    await store.listCallbackTasks({ limit: 1, ...(first.cursor ? { cursor: first.cursor } : {}) });

    // Assess
    expect(first.items).toEqual([task]);
    expect(ddb.commandCalls(QueryCommand).map((c) => c.args[0].input)).toEqual([
      {
        TableName: TABLE,
        KeyConditionExpression: 'pk = :pk',
        ExpressionAttributeValues: { ':pk': 'CALLBACK#OPEN' },
        Limit: 1,
      },
      {
        TableName: TABLE,
        KeyConditionExpression: 'pk = :pk',
        ExpressionAttributeValues: { ':pk': 'CALLBACK#OPEN' },
        Limit: 1,
        ExclusiveStartKey: KEY,
      },
    ]);
  });

  it('rejects a cursor it did not hand out with a 400 INVALID_CURSOR, before reading', async () => {
    const cursor = Buffer.from(JSON.stringify({ pk: 'ORDER#x', sk: '#ORDER' })).toString('base64url');
    const error = await rejectionOf(store.listCallbackTasks({ limit: 1, cursor }));
    expect(error).toBeInstanceOf(HotlineError);
    expect(error).toMatchObject({ kind: 'badRequest', code: 'INVALID_CURSOR' });
    expect(ddb.commandCalls(QueryCommand)).toHaveLength(0);
  });

  it('returns a task with an attribute the schema does not list unchanged', async () => {
    ddb.on(QueryCommand).resolves({ Items: [row({ ...task, operator: 'operator-2' })] });
    expect((await store.listCallbackTasks({ limit: 10 })).items).toEqual([
      { ...task, operator: 'operator-2' },
    ]);
  });

  it('reads a task of an order without a lead unit (unitId null)', async () => {
    ddb.on(QueryCommand).resolves({ Items: [row({ ...task, unitId: null })] });
    expect((await store.listCallbackTasks({ limit: 10 })).items).toEqual([{ ...task, unitId: null }]);
  });

  it.each<[string, unknown]>([
    ['an attempt that is a string', { ...task, attempt: '2' }],
    ['a unit that is a number', { ...task, unitId: 7 }],
    ['no linkSent', { ...task, linkSent: undefined }],
    ['no task at all', undefined],
  ])('rejects a task row with %s as a CorruptRowError naming its key', async (_what, t) => {
    ddb.on(QueryCommand).resolves({ Items: [row(t)] });
    const error = await rejectionOf(store.listCallbackTasks({ limit: 10 }));
    expect(error).toBeInstanceOf(CorruptRowError);
    expect((error as CorruptRowError).key).toEqual(KEY);
  });
});
