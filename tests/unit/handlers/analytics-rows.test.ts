import { createHmac } from 'node:crypto';
import { FirehoseClient, PutRecordBatchCommand, type PutRecordBatchInput } from '@aws-sdk/client-firehose';
import { GetSecretValueCommand } from '@aws-sdk/client-secrets-manager';
import { QueryCommand } from '@aws-sdk/lib-dynamodb';
import type { DynamoDBRecord, DynamoDBStreamEvent } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { sealEvents } from '#domain/order-events.ts';
import { receiveOrder } from '#domain/work-order.ts';
import { operator } from '../domain/support.ts';
import { type Item, lambdaContext, mockedAws, serveReads } from './support.ts';

/** 09:00 CST on Tue 2026-12-01. */
const NOW = Date.parse('2026-12-01T01:00:00.000Z');
const STREAM = 'hotline-test-analytics-orders';
const SECRET_ID = 'hotline-test-analytics-key';
const KEY = 'a'.repeat(64);
const context = lambdaContext('analytics-rows');

// The environment the handler reads on load, and the mocked clients: before the dynamic import below.
const { ddb, secrets } = mockedAws(NOW);
Object.assign(process.env, { ANALYTICS_STREAM_NAME: STREAM, ANALYTICS_KEY_SECRET_ID: SECRET_ID });
const firehose = mockClient(FirehoseClient);

type Handler = typeof import('../../../functions/events/analytics-rows.ts')['handler'];
let handler: Handler;
const freshHandler = async (): Promise<Handler> => {
  vi.resetModules();
  return (await import('../../../functions/events/analytics-rows.ts')).handler;
};

beforeAll(async () => {
  handler = (await import('../../../functions/events/analytics-rows.ts')).handler;
});

beforeEach(() => {
  firehose.reset();
  secrets.reset();
  secrets.on(GetSecretValueCommand).resolves({ SecretString: KEY });
  firehose.on(PutRecordBatchCommand).callsFake((input: PutRecordBatchInput) =>
    Promise.resolve({
      FailedPutCount: 0,
      RequestResponses: (input.Records ?? []).map((_r, i) => ({ RecordId: `r${i}` })),
    }),
  );
});

const orderId = (n: number) => `WO01KBROWS${String(n).padStart(18, '0')}`;

const contactHashOfPhone = createHmac('sha256', 'contact-hash-key-of-the-table')
  .update('phone:13700001111')
  .digest('hex');

/** A received order's items in the table: the order and its events (received; disposed for a disposition). */
const orderItems = (n: number, disposition = false): Item[] => {
  const id = orderId(n);
  const { order, events } = receiveOrder({
    id,
    input: {
      appealType: 'consultation',
      categoryCode: '0102',
      description: '咨询流动摊贩管理规定。',
      channel: 'phone',
      urgency: 'normal',
      requester: {
        kind: 'person',
        name: '李先生',
        phone: '13700001111',
        anonymous: false,
        declinesCallback: false,
      },
      location: { districtCode: '110101', address: '东华门大街2号' },
      ...(disposition ? { disposition: { kind: 'answered' as const, answer: '已当场解答。' } } : {}),
    },
    // As the intake stores it: the contact sealed, with the contact hash of the phone.
    contact: {
      sealed: 'sealed-contact',
      requesterHash: contactHashOfPhone,
      masked: { name: '李**', phone: '137****1111' },
    },
    nowMs: NOW,
    actor: operator,
    dispatchBy: NOW + 3_600_000,
  });
  const sealed = sealEvents(id, undefined, events);
  const last = sealed.at(-1) ?? { seq: 0, hash: '' };
  return [
    { pk: `ORDER#${id}`, sk: '#ORDER', type: 'order', order, version: order.version, lastEvent: last },
    ...sealed.map((e) => ({
      pk: `ORDER#${id}`,
      sk: `EVENT#${String(e.seq).padStart(10, '0')}`,
      type: 'event',
      event: e,
    })),
  ];
};

let sequence = 100;
/** The stream record of an event item's INSERT, as Lambda hands it over. */
const recordOf = (n: number, seq: number): DynamoDBRecord => ({
  eventID: `e-${sequence}`,
  eventName: 'INSERT',
  eventSource: 'aws:dynamodb',
  awsRegion: 'cn-north-1',
  dynamodb: {
    Keys: { pk: { S: `ORDER#${orderId(n)}` }, sk: { S: `EVENT#${String(seq).padStart(10, '0')}` } },
    SequenceNumber: String(sequence++),
    SizeBytes: 100,
    StreamViewType: 'NEW_AND_OLD_IMAGES',
  },
});

const streamEvent = (records: DynamoDBRecord[]): DynamoDBStreamEvent => ({ Records: records });

/** The rows each PutRecordBatch call carried. */
const putRows = () =>
  firehose.commandCalls(PutRecordBatchCommand).map((call) =>
    (call.args[0].input.Records ?? []).map((r) => {
      const text = new TextDecoder().decode(r.Data as Uint8Array);
      return { text, row: JSON.parse(text) as Record<string, unknown> };
    }),
  );

describe('analyticsRows (analytics-rows)', () => {
  it('returns no failures and puts one newline-terminated row per order, once for an order named twice', async () => {
    // Prepare: order 1 is a disposition (received and disposed in one transaction), order 2 received
    serveReads(ddb, [...orderItems(1, true), ...orderItems(2)]);
    const records = [recordOf(1, 1), recordOf(1, 2), recordOf(2, 1)];

    // Act
    const result = await handler(streamEvent(records), context);

    // Assess
    expect(result).toEqual({ batchItemFailures: [] });
    const calls = putRows();
    expect(calls).toHaveLength(1);
    expect(firehose.commandCalls(PutRecordBatchCommand)[0]?.args[0].input.DeliveryStreamName).toBe(STREAM);
    const rows = calls[0] ?? [];
    expect(rows.map((r) => r.row.order_id)).toEqual([orderId(1), orderId(2)]);
    expect(rows.every((r) => r.text.endsWith('}\n'))).toBe(true);
    expect(rows[0]?.row).toMatchObject({ status: 'closed', disposition: 'answered', source: 'live' });
    expect(rows[1]?.row).toMatchObject({ status: 'received', version: 1 });
    // The intake's contact hash, hashed again with the analytics key: the stores cannot be joined by one key.
    const expectedHash = createHmac('sha256', KEY).update(`requester:${contactHashOfPhone}`).digest('hex');
    expect(rows[1]?.row.requester_hash).toBe(expectedHash);
    for (const { text } of rows) {
      for (const clear of ['李先生', '13700001111', '东华门大街2号', '咨询流动摊贩', '已当场解答'])
        expect(text).not.toContain(clear);
    }
  });

  it('returns no failures after sending again only the records Firehose refused', async () => {
    // Prepare: the first call refuses the second record
    serveReads(ddb, [...orderItems(1), ...orderItems(2)]);
    firehose
      .on(PutRecordBatchCommand)
      .resolvesOnce({
        FailedPutCount: 1,
        RequestResponses: [
          { RecordId: 'r0' },
          { ErrorCode: 'ServiceUnavailableException', ErrorMessage: 'Slow down.' },
        ],
      })
      .resolves({ FailedPutCount: 0, RequestResponses: [{ RecordId: 'r1' }] });

    // Act
    const result = await handler(streamEvent([recordOf(1, 1), recordOf(2, 1)]), context);

    // Assess
    expect(result).toEqual({ batchItemFailures: [] });
    expect(putRows().map((call) => call.map((r) => r.row.order_id))).toEqual([
      [orderId(1), orderId(2)],
      [orderId(2)],
    ]);
  });

  it('returns the records of the order whose row Firehose kept refusing, after bounded retries', async () => {
    // Prepare: every call refuses order 2's row
    serveReads(ddb, [...orderItems(1), ...orderItems(2)]);
    firehose.on(PutRecordBatchCommand).callsFake((input: PutRecordBatchInput) => {
      const responses = (input.Records ?? []).map((r) =>
        new TextDecoder().decode(r.Data as Uint8Array).includes(orderId(2))
          ? { ErrorCode: 'InternalFailure', ErrorMessage: 'Internal service failure.' }
          : { RecordId: 'ok' },
      );
      return Promise.resolve({
        FailedPutCount: responses.filter((r) => 'ErrorCode' in r).length,
        RequestResponses: responses,
      });
    });
    const records = [recordOf(1, 1), recordOf(2, 1), recordOf(2, 2)];

    // Act
    const result = await handler(streamEvent(records), context);

    // Assess: the first try and three retries
    expect(result).toEqual({
      batchItemFailures: [
        { itemIdentifier: records[1]?.dynamodb?.SequenceNumber },
        { itemIdentifier: records[2]?.dynamodb?.SequenceNumber },
      ],
    });
    expect(firehose.commandCalls(PutRecordBatchCommand)).toHaveLength(4);
  });

  it('returns the records of an order that could not be read, and delivers the others', async () => {
    // Prepare
    serveReads(ddb, [...orderItems(1), ...orderItems(2)]);
    ddb
      .on(QueryCommand, { ExpressionAttributeValues: { ':pk': `ORDER#${orderId(2)}`, ':hash': '#' } })
      .rejects(new Error('ProvisionedThroughputExceededException'));
    const records = [recordOf(1, 1), recordOf(2, 1)];

    // Act
    const result = await handler(streamEvent(records), context);

    // Assess
    expect(result).toEqual({ batchItemFailures: [{ itemIdentifier: records[1]?.dynamodb?.SequenceNumber }] });
    expect(putRows().map((call) => call.map((r) => r.row.order_id))).toEqual([[orderId(1)]]);
  });

  it('splits 501 rows into calls of at most 500 records', async () => {
    // Prepare
    const ids = Array.from({ length: 501 }, (_v, i) => i + 1);
    serveReads(
      ddb,
      ids.flatMap((n) => orderItems(n)),
    );

    // Act
    const result = await handler(streamEvent(ids.map((n) => recordOf(n, 1))), context);

    // Assess
    expect(result).toEqual({ batchItemFailures: [] });
    expect(putRows().map((call) => call.length)).toEqual([500, 1]);
  });

  it('reads the key once per container', async () => {
    // Prepare: a new container
    const fresh = await freshHandler();
    serveReads(ddb, orderItems(1));

    // Act
    await fresh(streamEvent([recordOf(1, 1)]), context);
    await fresh(streamEvent([recordOf(1, 1)]), context);

    // Assess
    expect(secrets.commandCalls(GetSecretValueCommand)).toHaveLength(1);
    expect(secrets.commandCalls(GetSecretValueCommand)[0]?.args[0].input).toEqual({ SecretId: SECRET_ID });
  });

  it('rejects the whole batch while the key cannot be read, and reads it again next time', async () => {
    // Prepare: a new container whose first read of the secret fails
    const fresh = await freshHandler();
    serveReads(ddb, orderItems(1));
    secrets
      .on(GetSecretValueCommand)
      .rejectsOnce(new Error('AccessDeniedException'))
      .resolves({ SecretString: KEY });

    // Act
    const first = fresh(streamEvent([recordOf(1, 1)]), context);
    await expect(first).rejects.toThrow('AccessDeniedException');
    const second = await fresh(streamEvent([recordOf(1, 1)]), context);

    // Assess
    expect(second).toEqual({ batchItemFailures: [] });
    expect(firehose.commandCalls(PutRecordBatchCommand)).toHaveLength(1);
  });
});
