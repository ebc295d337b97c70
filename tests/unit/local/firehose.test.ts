import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FirehoseClient, PutRecordBatchCommand, ResourceNotFoundException } from '@aws-sdk/client-firehose';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openDuckDb } from '../../../analytics/duckdb-engine.ts';
import { startAwsEndpoint } from '../../../local/aws-endpoint.ts';
import type { AwsServiceError } from '../../../local/aws-errors.ts';
import { LocalFirehose, type LocalFirehoseOptions } from '../../../local/firehose.ts';
import { sampleRow } from '../analytics/sample-rows.ts';

/**
 * The local delivery stream: AWS's API limits and error names, buffering by size and time, dynamic
 * partitioning by the month of receipt, and Firehose's error output for what cannot be converted.
 */
const STREAM = 'hotline-test-analytics-orders';
let root: string;
let firehose: LocalFirehose;

const start = (options: Partial<LocalFirehoseOptions> = {}) => {
  firehose = new LocalFirehose({ root, streams: [STREAM], bufferIntervalMs: 60_000, ...options });
  return firehose;
};

beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), 'hotline-firehose-'));
});

afterEach(async () => {
  await firehose?.stop();
  rmSync(root, { recursive: true, force: true });
});

const data = (text: string) => Buffer.from(text).toString('base64');
const rowData = (overrides: Parameters<typeof sampleRow>[0] = {}) =>
  data(`${JSON.stringify(sampleRow(overrides))}\n`);
const batch = (records: string[], stream = STREAM) => ({
  DeliveryStreamName: stream,
  Records: records.map((Data) => ({ Data })),
});

const errorOf = (fn: () => unknown): AwsServiceError | undefined => {
  try {
    fn();
  } catch (error) {
    return error as AwsServiceError;
  }
  return undefined;
};

const until = async (check: () => Promise<boolean>, what: string) => {
  const deadline = Date.now() + 10_000;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`Timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
};

describe('LocalFirehose (firehose)', () => {
  it('rejects what PutRecordBatch refuses on AWS, with AWS’s error names', () => {
    // Prepare
    const twin = start();
    const small = rowData();

    // Act
    const errors = {
      tooMany: errorOf(() => twin.putRecordBatch(batch(Array.from({ length: 501 }, () => small)))),
      none: errorOf(() => twin.putRecordBatch(batch([]))),
      recordTooLarge: errorOf(() => twin.putRecordBatch(batch([data('x'.repeat(1_024_001))]))),
      batchTooLarge: errorOf(() =>
        twin.putRecordBatch(batch(Array.from({ length: 5 }, () => data('x'.repeat(900_000))))),
      ),
      unknownStream: errorOf(() => twin.putRecordBatch(batch([small], 'no-such-stream'))),
      badName: errorOf(() => twin.putRecordBatch(batch([small], 'bad name!'))),
      notBase64: errorOf(() => twin.putRecordBatch(batch(['%%%']))),
    };

    // Assess
    expect(Object.fromEntries(Object.entries(errors).map(([k, e]) => [k, e?.code]))).toEqual({
      tooMany: 'ValidationException',
      none: 'ValidationException',
      recordTooLarge: 'ValidationException',
      batchTooLarge: 'InvalidArgumentException',
      unknownStream: 'ResourceNotFoundException',
      badName: 'ValidationException',
      notBase64: 'SerializationException',
    });
    expect(errors.unknownStream?.message).toBe(
      'Firehose no-such-stream under account 000000000000 not found.',
    );
  });

  it('returns a record id per record through the real SDK, and AWS’s exception for an unknown stream', async () => {
    // Prepare
    const twin = start();
    const aws = await startAwsEndpoint({ stepFunctions: {} as never, bus: {} as never, firehose: twin });
    const client = new FirehoseClient({
      endpoint: aws.url,
      region: 'local',
      credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    });
    const record = { Data: new TextEncoder().encode(`${JSON.stringify(sampleRow())}\n`) };

    try {
      // Act
      const accepted = await client.send(
        new PutRecordBatchCommand({ DeliveryStreamName: STREAM, Records: [record, record] }),
      );
      const refused = await client
        .send(new PutRecordBatchCommand({ DeliveryStreamName: 'missing', Records: [record] }))
        .catch((error: unknown) => error);

      // Assess
      expect(accepted.FailedPutCount).toBe(0);
      expect(accepted.RequestResponses?.map((r) => typeof r.RecordId)).toEqual(['string', 'string']);
      expect(refused).toBeInstanceOf(ResourceNotFoundException);
    } finally {
      client.destroy();
      await new Promise((r) => aws.server.close(r));
    }
  });

  it('writes one Parquet file per month of receipt, as dynamic partitioning does', async () => {
    // Prepare
    const twin = start();
    twin.putRecordBatch(
      batch([
        rowData({ order_id: 'WO-NOV-1', received_at: '2026-11-05T02:00:00.000Z' }),
        rowData({ order_id: 'WO-DEC-1', received_at: '2026-12-05T02:00:00.000Z' }),
        rowData({ order_id: 'WO-DEC-2', received_at: '2026-12-31T16:30:00.000Z' }),
      ]),
    );

    // Act
    await twin.drain();
    const listed = await twin.listFiles();
    const engine = await openDuckDb({ roots: [root] });
    const rows = await engine.query('SELECT order_id, month, received_month FROM orders ORDER BY order_id');
    engine.close();

    // Assess: 31 Dec 16:30 UTC is 1 Jan in Beijing
    expect(listed.files.map((f) => [f.month, f.rows])).toEqual([
      ['2026-11', 1],
      ['2026-12', 1],
      ['2027-01', 1],
    ]);
    for (const file of listed.files) {
      expect(file.path).toMatch(
        new RegExp(`^orders/month=${file.month}/${STREAM}-1-\\d{4}(-\\d{2}){5}-[0-9a-f-]{36}\\.parquet$`),
      );
    }
    expect(rows).toEqual([
      { order_id: 'WO-DEC-1', month: '2026-12', received_month: '2026-12' },
      { order_id: 'WO-DEC-2', month: '2027-01', received_month: '2027-01' },
      { order_id: 'WO-NOV-1', month: '2026-11', received_month: '2026-11' },
    ]);
    expect(listed.errors).toEqual([]);
  });

  it('sends records it cannot partition or convert to the error output, and writes the rest', async () => {
    // Prepare
    const twin = start();
    const notJson = data('not json\n');
    const { received_month: _m, ...noMonth } = sampleRow({ order_id: 'WO-NO-MONTH' });
    const withoutMonth = data(JSON.stringify(noMonth));
    const wrongType = rowData({ order_id: 'WO-WRONG', version: 'nine' });
    const missingColumn = data(JSON.stringify({ ...sampleRow({ order_id: 'WO-MISSING' }), status: null }));
    twin.putRecordBatch(
      batch([notJson, withoutMonth, wrongType, missingColumn, rowData({ order_id: 'WO-GOOD' })]),
    );

    // Act
    await twin.drain();
    const listed = await twin.listFiles();

    // Assess
    expect(listed.files.map((f) => f.rows)).toEqual([1]);
    expect(listed.errors.map((e) => [e.type, e.records])).toEqual([
      ['format-conversion-failed', 2],
      ['partitioning-failed', 2],
    ]);
    const documents = listed.errors.flatMap((e) =>
      readFileSync(join(root, e.path), 'utf8')
        .trim()
        .split('\n')
        .map((line) => JSON.parse(line) as Record<string, unknown>),
    );
    expect(documents.map((d) => d.rawData).sort()).toEqual(
      [notJson, withoutMonth, wrongType, missingColumn].sort(),
    );
    expect(documents.map((d) => d.ErrorCode)).toEqual([
      'DataFormatConversion.MalformedData',
      'DataFormatConversion.MalformedData',
      'DynamicPartitioning.MetadataExtractionFailed',
      'DynamicPartitioning.MetadataExtractionFailed',
    ]);
    expect(documents[0]).toMatchObject({
      attemptsMade: 1,
      arrivalTimestamp: expect.any(Number),
      dataCatalogTable: { databaseName: 'hotline_analytics', tableName: 'orders' },
    });
    expect(listed.errors[0]?.path).toMatch(/^errors\/format-conversion-failed\/\d{4}-\d{2}-\d{2}\//);
  });

  it('delivers on its own once the buffer is full, and once its interval ran out', async () => {
    // Prepare: one stream that delivers by size only, one by time only
    const size = Buffer.from(rowData(), 'base64').length;
    const bySize = start({ bufferBytes: Math.floor(1.5 * size), bufferIntervalMs: 3_600_000 });
    const sizeRoot = root;
    bySize.putRecordBatch(batch([rowData({ order_id: 'WO-A' })]));
    const nothingYet = (await bySize.listFiles()).files.length;

    // Act
    bySize.putRecordBatch(batch([rowData({ order_id: 'WO-B' })]));
    await until(async () => (await bySize.listFiles()).files.length === 1, 'a delivery by size');
    root = mkdtempSync(join(tmpdir(), 'hotline-firehose-'));
    const byTime = new LocalFirehose({ root, streams: [STREAM], bufferBytes: 1e9, bufferIntervalMs: 200 });
    byTime.putRecordBatch(batch([rowData({ order_id: 'WO-C' })]));
    await until(async () => (await byTime.listFiles()).files.length === 1, 'a delivery by time');

    // Assess
    expect(nothingYet).toBe(0);
    expect((await bySize.listFiles()).files[0]?.rows).toBe(2);
    expect((await byTime.listFiles()).files[0]?.rows).toBe(1);
    await bySize.stop();
    await byTime.stop();
    rmSync(sizeRoot, { recursive: true, force: true });
  });

  it('refuses records one by one while its buffer is over its limit, so that callers retry them', () => {
    // Prepare
    const record = rowData();
    const twin = start({ maxBufferedBytes: Math.floor(1.5 * Buffer.from(record, 'base64').length) });

    // Act
    const result = twin.putRecordBatch(batch([record, record, record]));

    // Assess
    expect(result.FailedPutCount).toBe(2);
    expect(result.RequestResponses.map((r) => ('ErrorCode' in r ? r.ErrorCode : 'ok'))).toEqual([
      'ok',
      'ServiceUnavailableException',
      'ServiceUnavailableException',
    ]);
  });

  it('counts the rows of files written by an earlier run', async () => {
    // Prepare
    const earlier = start();
    earlier.putRecordBatch(batch([rowData({ order_id: 'WO-1' }), rowData({ order_id: 'WO-2' })]));
    await earlier.drain();

    // Act
    const later = new LocalFirehose({ root, streams: [STREAM] });
    const listed = await later.listFiles();

    // Assess
    expect(existsSync(join(root, 'orders'))).toBe(true);
    expect(readdirSync(join(root, 'orders'))).toEqual(['month=2026-01']);
    expect(listed.files.map((f) => f.rows)).toEqual([2]);
  });
});
