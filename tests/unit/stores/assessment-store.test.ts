import { BatchGetCommand, GetCommand, TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import { beforeAll, describe, expect, it } from 'vitest';
import { type AssessmentEvent, zeroCounts } from '#domain/assessment.ts';
import { ConcurrentUpdateError } from '#domain/errors.ts';
import { CorruptRowError } from '#shared/stores/rows.ts';
import { cancelled, mockedTable, rejectionOf, TABLE } from './support.ts';

/**
 * The assessment store's side of the table: the facts item read and written on its version, the
 * counters moved in the same transaction, what a lost race turns into, and the rows read back checked.
 */
const ddb = mockedTable();

type Store = typeof import('../../../functions/shared/stores/assessment-store.ts');
let store: Store;
beforeAll(async () => {
  store = await import('../../../functions/shared/stores/assessment-store.ts');
});

const ORDER = 'WO01KBFACTS00000000000000001';
const FACTS_KEY = { pk: `ASSESSMENT#ORDER#${ORDER}`, sk: '#FACTS' };
const assessed: AssessmentEvent = {
  eventId: `${ORDER}#2`,
  orderId: ORDER,
  seq: 2,
  kind: 'assessed',
  unitId: 'gov-110101',
  unitClass: 'district',
  month: '2026-12',
};
const unit = { unitId: 'gov-110101', unitClass: 'district', month: '2026-12', seq: 2 } as const;
const factsRow = (row: Record<string, unknown>) => ({ ...FACTS_KEY, type: 'assessmentFacts', ...row });
const transaction = () => ddb.commandCalls(TransactWriteCommand)[0]?.args[0].input.TransactItems;
const counterNames = Object.fromEntries(Object.keys(zeroCounts).map((n, i) => [`#c${i}`, n]));

describe('applyAssessmentEvent', () => {
  it('puts the first facts only where none are, and adds the order to its unit-month', async () => {
    // Prepare
    ddb.on(GetCommand).resolves({});
    ddb.on(TransactWriteCommand).resolves({});

    // Act
    const changed = await store.applyAssessmentEvent(assessed);

    // Assess
    expect(changed).toBe(true);
    expect(ddb.commandCalls(GetCommand)[0]?.args[0].input).toEqual({
      TableName: TABLE,
      Key: FACTS_KEY,
      ConsistentRead: true,
    });
    const items = transaction();
    expect(items?.[0]).toEqual({
      Put: {
        TableName: TABLE,
        Item: factsRow({ facts: { unit }, applied: [assessed.eventId], version: 1 }),
        ConditionExpression: 'attribute_not_exists(pk) OR version = :v',
        ExpressionAttributeValues: { ':v': 0 },
      },
    });
    expect(items?.[1]?.Update).toEqual({
      TableName: TABLE,
      Key: { pk: 'ASSESSMENT#UNIT#gov-110101', sk: '2026-12' },
      UpdateExpression: `ADD ${Object.keys(zeroCounts)
        .map((_n, i) => `#c${i} :v${i}`)
        .join(', ')}`,
      ExpressionAttributeNames: counterNames,
      ExpressionAttributeValues: expect.objectContaining({ ':v0': 1 }),
    });
    expect(items).toHaveLength(2);
  });

  it('puts later facts on the version read, keeping what the schema does not list (read-modify-write)', async () => {
    // Prepare: facts stored with a field a newer writer added
    ddb.on(GetCommand).resolves({
      Item: factsRow({ facts: { unit, note: 'kept' }, applied: ['a#1'], version: 4, migrated: true }),
    });
    ddb.on(TransactWriteCommand).resolves({});

    // Act
    await store.applyAssessmentEvent({ ...assessed, eventId: `${ORDER}#9`, seq: 9 });

    // Assess
    expect(transaction()?.[0]?.Put).toMatchObject({
      Item: {
        facts: { unit: { ...unit, seq: 9 }, note: 'kept' },
        applied: ['a#1', `${ORDER}#9`],
        version: 5,
      },
      ConditionExpression: 'attribute_not_exists(pk) OR version = :v',
      ExpressionAttributeValues: { ':v': 4 },
    });
  });

  it('returns false and writes nothing for an event already applied', async () => {
    ddb
      .on(GetCommand)
      .resolves({ Item: factsRow({ facts: { unit }, applied: [assessed.eventId], version: 1 }) });
    expect(await store.applyAssessmentEvent(assessed)).toBe(false);
    expect(ddb.commandCalls(TransactWriteCommand)).toHaveLength(0);
  });

  it.each([['ConditionalCheckFailed'], ['TransactionConflict']])(
    'rejects a race lost as %s with ConcurrentUpdateError',
    async (code) => {
      ddb.on(GetCommand).resolves({});
      ddb.on(TransactWriteCommand).rejects(cancelled(code, 'None'));
      await expect(store.applyAssessmentEvent(assessed)).rejects.toBeInstanceOf(ConcurrentUpdateError);
    },
  );

  it('passes on an error that is no cancelled transaction', async () => {
    ddb.on(GetCommand).resolves({});
    ddb.on(TransactWriteCommand).rejects(new Error('throttled'));
    await expect(store.applyAssessmentEvent(assessed)).rejects.toThrow('throttled');
  });

  it.each<[string, Record<string, unknown>]>([
    ['a version that is a string', { facts: {}, applied: [], version: '1' }],
    ['no list of applied events', { facts: {}, version: 1 }],
    ['no facts', { applied: [], version: 1 }],
    [
      'a unit of an unknown class',
      { facts: { unit: { ...unit, unitClass: 'club' } }, applied: [], version: 1 },
    ],
  ])('rejects a facts row with %s as a CorruptRowError naming its key', async (_what, row) => {
    ddb.on(GetCommand).resolves({ Item: factsRow(row) });
    const error = await rejectionOf(store.applyAssessmentEvent(assessed));
    expect(error).toBeInstanceOf(CorruptRowError);
    expect((error as CorruptRowError).key).toEqual(FACTS_KEY);
    expect(ddb.commandCalls(TransactWriteCommand)).toHaveLength(0);
  });
});

describe('unappliedAssessmentEvents', () => {
  it('returns the events the facts have not applied yet, from one consistent read', async () => {
    ddb
      .on(GetCommand)
      .resolves({ Item: factsRow({ facts: { unit }, applied: [assessed.eventId], version: 1 }) });
    const later = { ...assessed, eventId: `${ORDER}#3`, seq: 3 };
    expect(await store.unappliedAssessmentEvents(ORDER, [assessed, later])).toEqual([later]);
    expect(ddb.commandCalls(GetCommand)[0]?.args[0].input).toMatchObject({
      Key: FACTS_KEY,
      ConsistentRead: true,
    });
  });
});

describe('readUnitMonth', () => {
  const KEY = { pk: 'ASSESSMENT#UNIT#gov-110101', sk: '2026-12' };

  it('reads the unit-month’s counters by key; a counter never written reads as zero, the key is not a count', async () => {
    ddb.on(GetCommand).resolves({ Item: { ...KEY, assessed: 3, solved: 1 } });
    expect(await store.readUnitMonth('gov-110101', '2026-12')).toEqual({
      ...zeroCounts,
      assessed: 3,
      solved: 1,
    });
    expect(ddb.commandCalls(GetCommand)[0]?.args[0].input).toEqual({
      TableName: TABLE,
      Key: KEY,
      ConsistentRead: true,
    });
  });

  it('reads all zeros for a unit-month never counted', async () => {
    ddb.on(GetCommand).resolves({});
    expect(await store.readUnitMonth('gov-110101', '2026-12')).toEqual(zeroCounts);
  });

  it('rejects a counter that is not a whole number as a CorruptRowError naming its key', async () => {
    ddb.on(GetCommand).resolves({ Item: { ...KEY, assessed: '3' } });
    const error = await rejectionOf(store.readUnitMonth('gov-110101', '2026-12'));
    expect(error).toBeInstanceOf(CorruptRowError);
    expect((error as CorruptRowError).key).toEqual(KEY);
  });
});

describe('readUnitsMonth', () => {
  it('reads the units’ counters in consistent batches, again for the keys left unprocessed', async () => {
    // Prepare
    const key = (u: string) => ({ pk: `ASSESSMENT#UNIT#${u}`, sk: '2026-12' });
    ddb
      .on(BatchGetCommand)
      .resolvesOnce({
        Responses: { [TABLE]: [{ ...key('a'), assessed: 2 }] },
        UnprocessedKeys: { [TABLE]: { Keys: [key('b')] } },
      })
      .resolvesOnce({ Responses: { [TABLE]: [{ ...key('b'), excluded: 1 }] } });

    // Act
    const counts = await store.readUnitsMonth(['a', 'b', 'c'], '2026-12');

    // Assess
    expect(ddb.commandCalls(BatchGetCommand).map((c) => c.args[0].input)).toEqual([
      { RequestItems: { [TABLE]: { Keys: [key('a'), key('b'), key('c')], ConsistentRead: true } } },
      { RequestItems: { [TABLE]: { Keys: [key('b')], ConsistentRead: true } } },
    ]);
    expect(counts).toEqual(
      new Map([
        ['a', { ...zeroCounts, assessed: 2 }],
        ['b', { ...zeroCounts, excluded: 1 }],
        ['c', zeroCounts],
      ]),
    );
  });
});
