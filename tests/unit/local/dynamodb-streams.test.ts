import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DescribeTableCommand, PutItemCommand, TransactWriteItemsCommand } from '@aws-sdk/client-dynamodb';
import type { DynamoDBRecord, DynamoDBStreamEvent } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type StreamTriggerSpec, streamTriggers } from '#wiring/wiring.ts';
import { ensureTable, type RunningDynamo, startDynamoDbLocal } from '../../../local/dynamodb-local.ts';
import { LocalStreamPoller, writtenAtMs } from '../../../local/dynamodb-streams.ts';

/**
 * The local event source mapping on DynamoDB Local's real stream: each test has its own table (so its
 * own stream), the real filter of wiring/wiring.ts, and a fake function that records what it received.
 */
let dynamo: RunningDynamo;
let dir: string;
let tables = 0;

beforeAll(async () => {
  dynamo = await startDynamoDbLocal({});
  dir = mkdtempSync(join(tmpdir(), 'hotline-streams-'));
}, 90_000);

afterAll(async () => {
  await dynamo?.stop();
  rmSync(dir, { recursive: true, force: true });
});

const analytics = streamTriggers.AnalyticsRows as StreamTriggerSpec;
const spec = (overrides: Partial<StreamTriggerSpec> = {}): StreamTriggerSpec => ({
  ...analytics,
  maximumBatchingWindowSeconds: 0,
  ...overrides,
});

const newTable = async (): Promise<string> => {
  const name = `streams-test-${++tables}`;
  await ensureTable(dynamo.client, name);
  return name;
};

const eventItem = (table: string, orderId: string, seq: number, type: string) => ({
  Put: {
    TableName: table,
    Item: {
      pk: { S: `ORDER#${orderId}` },
      sk: { S: `EVENT#${String(seq).padStart(10, '0')}` },
      type: { S: 'event' },
      event: { M: { type: { S: type }, seq: { N: String(seq) }, orderId: { S: orderId } } },
    },
  },
});

/** Writes an order's events (and the order item) in one transaction, as the order store does. */
const saveEvents = (table: string, orderId: string, events: [number, string][]) =>
  dynamo.client.send(
    new TransactWriteItemsCommand({
      TransactItems: [
        {
          Put: {
            TableName: table,
            Item: { pk: { S: `ORDER#${orderId}` }, sk: { S: '#ORDER' }, type: { S: 'order' } },
          },
        },
        ...events.map(([seq, type]) => eventItem(table, orderId, seq, type)),
      ],
    }),
  );

/** A fake function: records every batch; `behave` decides the outcome of each call. */
const fakeFunction = (behave: (records: DynamoDBRecord[], call: number) => unknown = () => ({})) => {
  const calls: DynamoDBRecord[][] = [];
  return {
    calls,
    invoke: async (_target: string, event: DynamoDBStreamEvent) => {
      calls.push(event.Records);
      return behave(event.Records, calls.length);
    },
  };
};

const poller = (
  table: string,
  fn: ReturnType<typeof fakeFunction>,
  trigger: StreamTriggerSpec,
  checkpointFile = join(dir, `${table}.json`),
) =>
  new LocalStreamPoller({
    endpoint: dynamo.endpoint,
    tableName: table,
    triggers: { AnalyticsRows: trigger },
    invoke: fn.invoke,
    checkpointFile,
    retryDelayMs: () => 1,
    functionArn: (target) => `arn:aws:lambda:local:000000000000:function:hotline-${target}`,
  });

const typesOf = (records: readonly DynamoDBRecord[]) =>
  records.map((r) => r.dynamodb?.NewImage?.event?.M?.type?.S);

describe('LocalStreamPoller (dynamodb-streams)', () => {
  it('delivers only the records the trigger’s filter matches, in the record shape Lambda gives', async () => {
    // Prepare: milestones and other events of one order, the order item, and a change of an event item
    const table = await newTable();
    await saveEvents(table, 'WO1', [
      [1, 'received'],
      [2, 'dispatched'],
    ]);
    await saveEvents(table, 'WO1', [
      [3, 'accepted'],
      [4, 'closed'],
    ]);
    await dynamo.client.send(new PutItemCommand(eventItem(table, 'WO1', 2, 'dispatched').Put));
    const fn = fakeFunction();
    const streams = poller(table, fn, spec());
    const streamArn = (await dynamo.client.send(new DescribeTableCommand({ TableName: table }))).Table
      ?.LatestStreamArn;

    // Act
    await streams.drain();
    await streams.stop();

    // Assess
    const records = fn.calls.flat();
    expect(typesOf(records)).toEqual(['received', 'closed']);
    const [first] = records;
    expect(first).toMatchObject({
      eventName: 'INSERT',
      eventSource: 'aws:dynamodb',
      eventSourceARN: streamArn,
      dynamodb: {
        Keys: { pk: { S: 'ORDER#WO1' }, sk: { S: 'EVENT#0000000001' } },
        NewImage: { type: { S: 'event' }, event: { M: { type: { S: 'received' }, seq: { N: '1' } } } },
        StreamViewType: 'NEW_AND_OLD_IMAGES',
      },
    });
    expect(typeof first?.eventID).toBe('string');
    expect(typeof first?.awsRegion).toBe('string');
    expect(typeof first?.dynamodb?.ApproximateCreationDateTime).toBe('number');
    expect(first?.dynamodb?.SequenceNumber).toMatch(/^\d+$/);
    expect(first?.dynamodb?.SizeBytes).toBeGreaterThan(0);
  });

  it('delivers batches of at most batchSize records, in stream order', async () => {
    // Prepare
    const table = await newTable();
    for (let n = 1; n <= 5; n++) await saveEvents(table, `WO${n}`, [[1, 'received']]);
    const fn = fakeFunction();
    const streams = poller(table, fn, spec({ batchSize: 2 }));

    // Act
    await streams.drain();
    await streams.stop();

    // Assess
    expect(fn.calls.map((c) => c.length)).toEqual([2, 2, 1]);
    expect(fn.calls.flat().map((r) => r.dynamodb?.Keys?.pk?.S)).toEqual([
      'ORDER#WO1',
      'ORDER#WO2',
      'ORDER#WO3',
      'ORDER#WO4',
      'ORDER#WO5',
    ]);
  });

  it('waits for the batching window before it delivers a batch that is not full', async () => {
    // Prepare
    const table = await newTable();
    const fn = fakeFunction();
    const streams = poller(table, fn, spec({ batchSize: 10, maximumBatchingWindowSeconds: 1 }));
    streams.start();
    const written = Date.now();
    await saveEvents(table, 'WO1', [[1, 'received']]);

    // Act: wait until the poller delivers on its own
    const deadline = Date.now() + 10_000;
    while (fn.calls.length === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    const waited = Date.now() - written;
    await streams.stop();

    // Assess
    expect(fn.calls.map((c) => c.length)).toEqual([1]);
    expect(waited).toBeGreaterThanOrEqual(1000);
  });

  it('resumes after a restart from its checkpoint; a mapping without one starts at the oldest record', async () => {
    // Prepare: three records delivered, the poller stopped, two more written
    const table = await newTable();
    for (let n = 1; n <= 3; n++) await saveEvents(table, `WO${n}`, [[1, 'received']]);
    const before = fakeFunction();
    const first = poller(table, before, spec());
    await first.drain();
    await first.stop();
    for (let n = 4; n <= 5; n++) await saveEvents(table, `WO${n}`, [[1, 'received']]);

    // Act
    const after = fakeFunction();
    const restarted = poller(table, after, spec());
    await restarted.drain();
    await restarted.stop();
    const fresh = fakeFunction();
    const anew = poller(table, fresh, spec(), join(dir, `${table}-another.json`));
    await anew.drain();
    await anew.stop();

    // Assess
    expect(before.calls.flat()).toHaveLength(3);
    expect(after.calls.flat().map((r) => r.dynamodb?.Keys?.pk?.S)).toEqual(['ORDER#WO4', 'ORDER#WO5']);
    expect(fresh.calls.flat()).toHaveLength(5);
  });

  it('retries from the first item the function reports as failed, never the ones before it', async () => {
    // Prepare: the first call reports the second record
    const table = await newTable();
    for (let n = 1; n <= 3; n++) await saveEvents(table, `WO${n}`, [[1, 'received']]);
    const fn = fakeFunction((records, call) =>
      call === 1 ? { batchItemFailures: [{ itemIdentifier: records[1]?.dynamodb?.SequenceNumber }] } : {},
    );
    const streams = poller(table, fn, spec());

    // Act
    await streams.drain();
    await streams.stop();

    // Assess
    expect(fn.calls.map((c) => c.map((r) => r.dynamodb?.Keys?.pk?.S))).toEqual([
      ['ORDER#WO1', 'ORDER#WO2', 'ORDER#WO3'],
      ['ORDER#WO2', 'ORDER#WO3'],
    ]);
    expect(streams.deadLettered()).toEqual([]);
  });

  it('retries the whole batch when an item identifier is not one of its records', async () => {
    // Prepare
    const table = await newTable();
    for (let n = 1; n <= 2; n++) await saveEvents(table, `WO${n}`, [[1, 'received']]);
    const fn = fakeFunction((_records, call) =>
      call === 1 ? { batchItemFailures: [{ itemIdentifier: '' }] } : { batchItemFailures: [] },
    );
    const streams = poller(table, fn, spec());

    // Act
    await streams.drain();
    await streams.stop();

    // Assess
    expect(fn.calls.map((c) => c.length)).toEqual([2, 2]);
  });

  it('splits a failing batch, retries the bad record, dead-letters it after the retries and moves on', async () => {
    // Prepare: the function fails whenever its batch holds WO3's record
    const table = await newTable();
    for (let n = 1; n <= 4; n++) await saveEvents(table, `WO${n}`, [[1, 'received']]);
    const poisoned = (records: DynamoDBRecord[]) =>
      records.some((r) => r.dynamodb?.Keys?.pk?.S === 'ORDER#WO3');
    const fn = fakeFunction((records) => {
      if (poisoned(records)) throw new Error('cannot project WO3');
      return {};
    });
    const streams = poller(table, fn, spec({ batchSize: 4, retryAttempts: 2, bisectBatchOnError: true }));

    // Act
    await streams.drain();
    await streams.stop();
    const again = fakeFunction();
    const restarted = poller(table, again, spec());
    await restarted.drain();
    await restarted.stop();

    // Assess
    const keys = (c: DynamoDBRecord[]) => c.map((r) => r.dynamodb?.Keys?.pk?.S?.replace('ORDER#', ''));
    expect(fn.calls.map(keys)).toEqual([
      ['WO1', 'WO2', 'WO3', 'WO4'],
      ['WO1', 'WO2'],
      ['WO3', 'WO4'],
      ['WO3'],
      ['WO3'],
      ['WO3'],
      ['WO4'],
    ]);
    const [dead] = streams.deadLettered();
    expect(streams.deadLettered()).toHaveLength(1);
    expect(dead).toMatchObject({
      trigger: 'AnalyticsRows',
      version: '1.0',
      requestContext: {
        condition: 'RetryAttemptsExhausted',
        functionArn: 'arn:aws:lambda:local:000000000000:function:hotline-analyticsRows',
      },
      responseContext: { functionError: 'Error: cannot project WO3' },
      DDBStreamBatchInfo: { batchSize: 1 },
    });
    expect(keys([...(dead?.records ?? [])])).toEqual(['WO3']);
    expect(dead?.DDBStreamBatchInfo.startSequenceNumber).toBe(dead?.records[0]?.dynamodb?.SequenceNumber);
    // The restarted poller keeps the dead letter and delivers nothing again.
    expect(again.calls).toEqual([]);
    expect(restarted.deadLettered()).toHaveLength(1);
  });
});

describe('writtenAtMs', () => {
  // DynamoDB Local rounds ApproximateCreationDateTime down to the minute; AWS gives the second.
  const recordAt = (iso: string) => ({ dynamodb: { ApproximateCreationDateTime: new Date(iso) } });

  it('returns the second the record was read in, when it was read within its minute', () => {
    expect(writtenAtMs(recordAt('2026-12-01T01:00:00Z'), Date.parse('2026-12-01T01:00:42.731Z'))).toBe(
      Date.parse('2026-12-01T01:00:42Z'),
    );
  });

  it("returns the minute's last second for a record read later (after a restart): never older than it is", () => {
    expect(writtenAtMs(recordAt('2026-12-01T01:00:00Z'), Date.parse('2026-12-01T03:00:00Z'))).toBe(
      Date.parse('2026-12-01T01:00:59Z'),
    );
  });

  it('returns undefined for a record without a time', () => {
    expect(writtenAtMs({ dynamodb: {} }, Date.now())).toBeUndefined();
  });
});
