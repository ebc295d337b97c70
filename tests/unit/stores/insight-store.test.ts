import { gzipSync } from 'node:zlib';
import {
  GetCommand,
  PutCommand,
  QueryCommand,
  TransactWriteCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Insight, SpikeAlert, TopicChoice } from '#domain/insights.ts';
import type { ClaimPut } from '#shared/platform/idempotency.ts';
import { CorruptRowError } from '#shared/stores/rows.ts';
import { conditionFailed, mockedTable, rejectionOf, TABLE } from './support.ts';

/** The insight store's side of the table: insights whole, alerts once, topic choices by month. */
const ddb = mockedTable();

type Store = typeof import('../../../functions/shared/stores/insight-store.ts');
let store: Store;
beforeAll(async () => {
  store = await import('../../../functions/shared/stores/insight-store.ts');
});

const insight: Insight = {
  kind: 'topics',
  period: '2026-11',
  computedAt: '2026-12-01T00:10:00.000Z',
  runId: 'run-1',
  stats: { engine: 'duckdb', ms: 12 },
  result: { topics: [{ categoryCode: '0102', orders: 40 }] },
};
const insightRow = (changes: Record<string, unknown> = {}) => {
  const { result, ...meta } = insight;
  return {
    pk: 'INSIGHT#topics',
    sk: '2026-11',
    type: 'insight',
    ...meta,
    result: gzipSync(JSON.stringify(result)),
    ...changes,
  };
};

const alert: SpikeAlert = {
  id: '2026-12-01#district:110101#0102#poisson',
  day: '2026-12-01',
  categoryCode: '0102',
  areaLevel: 'district',
  areaCode: '110101',
  method: 'poisson',
  observed: 12,
  expected: 3.5,
  statistic: 4.1,
  threshold: 3,
  detectedAt: '2026-12-02T00:10:00.000Z',
  runId: 'run-1',
};
const ALERT_KEY = { pk: 'INSIGHT#ALERT', sk: alert.id };
const alertRow = (a: unknown, published: unknown = false) => ({
  ...ALERT_KEY,
  type: 'alert',
  alert: a,
  published,
});

const choice: TopicChoice = {
  categoryCode: '0102',
  month: '2026-12',
  by: 'supervisor-1',
  at: '2026-12-01T02:00:00.000Z',
};
const CHOICE_KEY = { pk: 'INSIGHT#TOPIC-CHOICE', sk: '2026-12' };

describe('putInsight and readInsight', () => {
  it('puts the insight under its kind and period with its result gzip’d', async () => {
    ddb.on(PutCommand).resolves({});
    await store.putInsight(insight);
    const item = ddb.commandCalls(PutCommand)[0]?.args[0].input.Item;
    expect(ddb.commandCalls(PutCommand)[0]?.args[0].input.TableName).toBe(TABLE);
    expect({ ...item, result: undefined }).toEqual({ ...insightRow(), result: undefined });
    expect(item?.result).toEqual(insightRow().result);
  });

  it('gets one period by key, and the latest period with a newest-first query of one item', async () => {
    // Prepare
    ddb.on(GetCommand).resolves({ Item: insightRow() });
    ddb.on(QueryCommand).resolves({ Items: [insightRow()] });

    // Act
    const one = await store.readInsight('topics', '2026-11');
    const latest = await store.readInsight('topics');

    // Assess
    expect(one).toEqual(insight);
    expect(latest).toEqual(insight);
    expect(ddb.commandCalls(GetCommand)[0]?.args[0].input).toEqual({
      TableName: TABLE,
      Key: { pk: 'INSIGHT#topics', sk: '2026-11' },
    });
    expect(ddb.commandCalls(QueryCommand)[0]?.args[0].input).toEqual({
      TableName: TABLE,
      KeyConditionExpression: 'pk = :pk',
      ExpressionAttributeValues: { ':pk': 'INSIGHT#topics' },
      ScanIndexForward: false,
      Limit: 1,
    });
  });

  it('returns undefined for a period never computed', async () => {
    ddb.on(GetCommand).resolves({});
    ddb.on(QueryCommand).resolves({ Items: [] });
    expect(await store.readInsight('topics', '2026-10')).toBeUndefined();
    expect(await store.readInsight('topics')).toBeUndefined();
  });

  it('returns an attribute the schema does not list unchanged', async () => {
    ddb.on(GetCommand).resolves({ Item: insightRow({ engineVersion: '1.5' }) });
    expect(await store.readInsight('topics', '2026-11')).toEqual({ ...insight, engineVersion: '1.5' });
  });

  it.each<[string, Record<string, unknown>]>([
    ['an unknown kind', { kind: 'weather' }],
    ['a result that is not binary', { result: '{"topics":[]}' }],
    ['no run id', { runId: undefined }],
  ])('rejects an insight row with %s as a CorruptRowError naming its key', async (_what, changes) => {
    ddb.on(GetCommand).resolves({ Item: insightRow(changes) });
    const error = await rejectionOf(store.readInsight('topics', '2026-11'));
    expect(error).toBeInstanceOf(CorruptRowError);
    expect((error as CorruptRowError).key).toEqual({ pk: 'INSIGHT#topics', sk: '2026-11' });
  });
});

describe('recordAlert and markAlertPublished', () => {
  it('creates the alert unpublished only where none is', async () => {
    ddb.on(PutCommand).resolves({});
    expect(await store.recordAlert(alert)).toBe(true);
    expect(ddb.commandCalls(PutCommand)[0]?.args[0].input).toEqual({
      TableName: TABLE,
      Item: alertRow(alert),
      ConditionExpression: 'attribute_not_exists(pk)',
    });
  });

  it.each([
    [false, true],
    [true, false],
  ])(
    'for an alert that exists with published %s, reads it consistently and returns %s',
    async (published, toPublish) => {
      ddb.on(PutCommand).rejects(conditionFailed());
      ddb.on(GetCommand).resolves({ Item: alertRow(alert, published) });
      expect(await store.recordAlert(alert)).toBe(toPublish);
      expect(ddb.commandCalls(GetCommand)[0]?.args[0].input).toEqual({
        TableName: TABLE,
        Key: ALERT_KEY,
        ConsistentRead: true,
      });
    },
  );

  it('rejects an existing alert whose published mark is not a boolean as a CorruptRowError', async () => {
    ddb.on(PutCommand).rejects(conditionFailed());
    ddb.on(GetCommand).resolves({ Item: alertRow(alert, 'yes') });
    const error = await rejectionOf(store.recordAlert(alert));
    expect(error).toBeInstanceOf(CorruptRowError);
    expect((error as CorruptRowError).key).toEqual(ALERT_KEY);
  });

  it('passes on an error other than the condition', async () => {
    ddb.on(PutCommand).rejects(new Error('throttled'));
    await expect(store.recordAlert(alert)).rejects.toThrow('throttled');
  });

  it('marks an alert published by key', async () => {
    ddb.on(UpdateCommand).resolves({});
    await store.markAlertPublished(alert.id);
    expect(ddb.commandCalls(UpdateCommand)[0]?.args[0].input).toEqual({
      TableName: TABLE,
      Key: ALERT_KEY,
      UpdateExpression: 'SET published = :t',
      ExpressionAttributeValues: { ':t': true },
    });
  });
});

describe('listAlerts', () => {
  it('queries the alerts of the days, every page', async () => {
    // Prepare
    ddb
      .on(QueryCommand)
      .resolvesOnce({ Items: [alertRow(alert)], LastEvaluatedKey: ALERT_KEY })
      .resolvesOnce({ Items: [alertRow({ ...alert, id: 'b', source: 'v2' })] });

    // Act
    const alerts = await store.listAlerts('2026-12-01', '2026-12-07');

    // Assess
    expect(alerts).toEqual([alert, { ...alert, id: 'b', source: 'v2' }]);
    expect(ddb.commandCalls(QueryCommand).map((c) => c.args[0].input)).toEqual([
      {
        TableName: TABLE,
        KeyConditionExpression: 'pk = :pk AND sk BETWEEN :from AND :to',
        ExpressionAttributeValues: { ':pk': 'INSIGHT#ALERT', ':from': '2026-12-01', ':to': '2026-12-07#~' },
        ExclusiveStartKey: undefined,
      },
      expect.objectContaining({ ExclusiveStartKey: ALERT_KEY }),
    ]);
  });

  it.each<[string, unknown]>([
    ['an unknown area level', { ...alert, areaLevel: 'city' }],
    ['a count that is a string', { ...alert, observed: '12' }],
  ])('rejects an alert with %s as a CorruptRowError naming its key', async (_what, a) => {
    ddb.on(QueryCommand).resolves({ Items: [alertRow(a)] });
    const error = await rejectionOf(store.listAlerts('2026-12-01', '2026-12-07'));
    expect(error).toBeInstanceOf(CorruptRowError);
    expect((error as CorruptRowError).key).toEqual(ALERT_KEY);
  });
});

describe('putTopicChoice and topicChoicesBefore', () => {
  const item = { ...CHOICE_KEY, type: 'topicChoice', choice };

  it('puts the month’s choice, in one transaction after the claim when there is one', async () => {
    // Prepare
    ddb.on(PutCommand).resolves({});
    ddb.on(TransactWriteCommand).resolves({});
    const claim: ClaimPut = {
      Put: {
        TableName: TABLE,
        Item: {
          pk: 'IDEMPOTENCY#x',
          sk: '#IDEMPOTENCY',
          type: 'idempotency',
          requestHash: 'h',
          expiresAt: 1,
        },
        ConditionExpression: 'attribute_not_exists(pk) OR expiresAt < :now',
        ExpressionAttributeValues: { ':now': 0 },
      },
    };

    // Act
    await store.putTopicChoice(choice);
    await store.putTopicChoice(choice, claim);

    // Assess
    expect(ddb.commandCalls(PutCommand)[0]?.args[0].input).toEqual({ TableName: TABLE, Item: item });
    expect(ddb.commandCalls(TransactWriteCommand)[0]?.args[0].input).toEqual({
      TransactItems: [claim, { Put: { TableName: TABLE, Item: item } }],
    });
  });

  it('queries the choices of the months before one', async () => {
    ddb.on(QueryCommand).resolves({ Items: [{ ...item, choice: { ...choice, note: '继续' } }] });
    expect(await store.topicChoicesBefore('2027-01')).toEqual([{ ...choice, note: '继续' }]);
    expect(ddb.commandCalls(QueryCommand)[0]?.args[0].input).toEqual({
      TableName: TABLE,
      KeyConditionExpression: 'pk = :pk AND sk < :month',
      ExpressionAttributeValues: { ':pk': 'INSIGHT#TOPIC-CHOICE', ':month': '2027-01' },
    });
  });

  it('rejects a choice without its category as a CorruptRowError naming its key', async () => {
    ddb.on(QueryCommand).resolves({ Items: [{ ...item, choice: { ...choice, categoryCode: undefined } }] });
    const error = await rejectionOf(store.topicChoicesBefore('2027-01'));
    expect(error).toBeInstanceOf(CorruptRowError);
    expect((error as CorruptRowError).key).toEqual(CHOICE_KEY);
  });
});
