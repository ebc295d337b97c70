import { randomUUID } from 'node:crypto';
import {
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  renameSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { analyticsDelivery } from '#wiring/wiring.ts';
import { checkRow, writeAnalyticsParquet } from '../analytics/parquet-files.ts';
import {
  type AnalyticsRow,
  type AnalyticsType,
  analyticsColumns,
  analyticsPartition,
  analyticsTable,
} from '../functions/domain/analytics-row.ts';
import { CST_OFFSET_MS } from '../functions/domain/china-time.ts';
import { AwsServiceError } from './aws-errors.ts';

/**
 * The local twin of the analytics delivery stream (Amazon Data Firehose, Direct PUT, with dynamic
 * partitioning and record format conversion to Parquet by the Glue table's schema), as
 * infra/constructs/analytics-store.ts configures it in AWS. It serves PutRecord and PutRecordBatch
 * (JSON 1.1, `Firehose_20150804.*`) on the local AWS endpoint.
 *
 * Like AWS:
 * - PutRecordBatch takes 1 to 500 records, each `Data` (base64) at most 1,000 KiB decoded
 *   (ValidationException), and at most 4 MiB in all (InvalidArgumentException); an unknown stream is a
 *   ResourceNotFoundException; a record is refused on its own (`ErrorCode` ServiceUnavailableException,
 *   counted in `FailedPutCount`) when the stream is over its buffer, so callers must retry those;
 * - records are buffered and delivered when the buffer reaches its size or its interval runs out;
 * - dynamic partitioning by `received_month` (the `month=YYYY-MM/` folder of the rows), then one
 *   Parquet file per partition and delivery: `orders/month=YYYY-MM/<stream>-1-<CST time>-<id>.parquet`;
 * - a record that cannot be partitioned or converted goes to the error output, as JSON documents
 *   (attemptsMade, arrivalTimestamp, ErrorCode, ErrorMessage, attemptEndingTimestamp, rawData in base64,
 *   dataCatalogTable …) under `errors/<partitioning-failed | format-conversion-failed>/<CST date>/`.
 *
 * Unlike AWS (on purpose, or for want of a way): buffers are small and flushed after a second or two
 * (AWS: 64-128 MiB and 60-900 s with format conversion) and on `drain()`; the files are ZSTD, not
 * SNAPPY; a row that lacks a column the schema says is never null goes to the error output (the Glue
 * table has no NOT NULL, so AWS would write the null); timestamps are read as ISO 8601 strings only
 * (OpenX also takes epoch numbers and `yyyy-MM-dd HH:mm:ss`); a record must hold exactly one JSON
 * object; there is no throughput quota, encryption or CloudWatch metric.
 */
export interface LocalFirehoseOptions {
  /** The store's root: `orders/…` and `errors/…` are written under it. */
  readonly root: string;
  /** The delivery streams that exist (their names). */
  readonly streams: readonly string[];
  /** Deliver when a stream's buffer holds this many bytes (default 1 MiB). */
  readonly bufferBytes?: number;
  /** …or when its oldest record waited this long (default 1 s, real time). */
  readonly bufferIntervalMs?: number;
  /** Records past this many buffered bytes are refused (ServiceUnavailableException; default 64 MiB). */
  readonly maxBufferedBytes?: number;
  readonly region?: string;
  readonly account?: string;
}

export const firehoseApiLimits = {
  recordsPerBatch: 500,
  bytesPerRecord: 1_024_000,
  bytesPerBatch: 4 * 1024 * 1024,
} as const;

interface BufferedRecord {
  readonly data: Buffer;
  readonly arrival: number;
  readonly recordId: string;
}

interface StreamBuffer {
  records: BufferedRecord[];
  bytes: number;
  timer?: NodeJS.Timeout;
}

export interface AnalyticsFile {
  /** Relative to the store's root, with `/` separators. */
  readonly path: string;
  readonly month: string;
  readonly rows: number;
  readonly bytes: number;
}

export interface ErrorFile {
  readonly path: string;
  readonly type: string;
  readonly records: number;
}

type ErrorOutputType = 'partitioning-failed' | 'format-conversion-failed';

interface FailedRecord {
  readonly record: BufferedRecord;
  readonly type: ErrorOutputType;
  readonly code: string;
  readonly message: string;
}

const validation = (message: string) =>
  new AwsServiceError('ValidationException', `1 validation error detected: ${message}`);

const namePattern = /^[a-zA-Z0-9_.-]{1,64}$/;
const base64Pattern = /^[A-Za-z0-9+/]*={0,2}$/;
const monthPattern = /^\d{4}-(0[1-9]|1[0-2])$/;
const datePattern = /^\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])$/;

/** A JSON value as the column's type wants it, or an error message (OpenX's leniency, made explicit). */
const coerce: Record<AnalyticsType, (v: unknown) => string | number | boolean | Error> = {
  string: (v) =>
    typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean'
      ? String(v)
      : new Error('a string'),
  int: (v) => {
    const n = typeof v === 'string' && v.trim() !== '' ? Number(v) : v;
    return typeof n === 'number' && Number.isInteger(n) && Math.abs(n) <= 2 ** 31 - 1
      ? n
      : new Error('an int');
  },
  double: (v) => {
    const n = typeof v === 'string' && v.trim() !== '' ? Number(v) : v;
    return typeof n === 'number' && Number.isFinite(n) ? n : new Error('a double');
  },
  boolean: (v) =>
    typeof v === 'boolean' ? v : v === 'true' ? true : v === 'false' ? false : new Error('a boolean'),
  timestamp: (v) =>
    typeof v === 'string' && /^\d{4}-\d{2}-\d{2}T/.test(v) && !Number.isNaN(Date.parse(v))
      ? new Date(Date.parse(v)).toISOString()
      : new Error('an ISO 8601 timestamp'),
  date: (v) => (typeof v === 'string' && datePattern.test(v) ? v : new Error('a date YYYY-MM-DD')),
};

/** `yyyy-MM-dd-HH-mm-ss` of an instant in CST, the delivery stream's time zone. */
const cstStamp = (ms: number): string =>
  new Date(ms + CST_OFFSET_MS).toISOString().slice(0, 19).replace('T', '-').replaceAll(':', '-');

const filesUnder = (dir: string, suffix: string): string[] => {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile() && e.name.endsWith(suffix))
    .map((e) => join(e.parentPath, e.name))
    .sort();
};

export class LocalFirehose {
  private readonly buffers = new Map<string, StreamBuffer>();
  private writing: Promise<void> = Promise.resolve();
  private readonly rowCounts = new Map<string, number>();
  private readonly bufferBytes: number;
  private readonly bufferIntervalMs: number;
  private readonly maxBufferedBytes: number;
  private readonly account: string;
  private readonly region: string;
  /** Bytes accepted and not yet written, per stream (buffered or being written). */
  private readonly unwritten = new Map<string, number>();

  constructor(private readonly options: LocalFirehoseOptions) {
    this.bufferBytes = options.bufferBytes ?? 1024 * 1024;
    this.bufferIntervalMs = options.bufferIntervalMs ?? 1000;
    this.maxBufferedBytes = options.maxBufferedBytes ?? 64 * 1024 * 1024;
    this.account = options.account ?? '000000000000';
    this.region = options.region ?? 'local';
    for (const name of options.streams) {
      this.buffers.set(name, { records: [], bytes: 0 });
      this.unwritten.set(name, 0);
    }
  }

  get root(): string {
    return this.options.root;
  }

  private streamOf(body: Record<string, unknown>): string {
    const name = body.DeliveryStreamName;
    if (name === undefined || name === null)
      throw validation(
        "Value null at 'deliveryStreamName' failed to satisfy constraint: Member must not be null",
      );
    if (typeof name !== 'string' || !namePattern.test(name))
      throw validation(
        `Value '${String(name)}' at 'deliveryStreamName' failed to satisfy constraint: Member must satisfy regular expression pattern: [a-zA-Z0-9_.-]+ and have length between 1 and 64`,
      );
    if (!this.buffers.has(name))
      throw new AwsServiceError(
        'ResourceNotFoundException',
        `Firehose ${name} under account ${this.account} not found.`,
      );
    return name;
  }

  private decode(record: unknown, field: string): Buffer {
    const data = (record as { Data?: unknown } | null)?.Data;
    if (typeof data !== 'string')
      throw validation(`Value null at '${field}.data' failed to satisfy constraint: Member must not be null`);
    if (!base64Pattern.test(data) || data.length % 4 !== 0)
      throw new AwsServiceError('SerializationException', `${field}.data is not valid base64.`);
    const bytes = Buffer.from(data, 'base64');
    if (bytes.length > firehoseApiLimits.bytesPerRecord)
      throw validation(
        `Value at '${field}.data' failed to satisfy constraint: Member must have length less than or equal to ${firehoseApiLimits.bytesPerRecord}`,
      );
    return bytes;
  }

  /** Accepts one record into the stream's buffer, or refuses it when the buffer is full. */
  private accept(
    stream: string,
    data: Buffer,
  ): { RecordId: string } | { ErrorCode: string; ErrorMessage: string } {
    const unwritten = this.unwritten.get(stream) ?? 0;
    if (unwritten + data.length > this.maxBufferedBytes)
      return { ErrorCode: 'ServiceUnavailableException', ErrorMessage: 'Slow down.' };
    const buffer = this.buffers.get(stream) as StreamBuffer;
    const record = { data, arrival: Date.now(), recordId: randomUUID().replaceAll('-', '') };
    buffer.records.push(record);
    buffer.bytes += data.length;
    this.unwritten.set(stream, unwritten + data.length);
    if (buffer.bytes >= this.bufferBytes) this.flush(stream);
    else if (!buffer.timer) {
      buffer.timer = setTimeout(() => this.flush(stream), this.bufferIntervalMs);
      buffer.timer.unref();
    }
    return { RecordId: record.recordId };
  }

  /** PutRecord (`Firehose_20150804.PutRecord`). */
  putRecord(body: Record<string, unknown>) {
    const stream = this.streamOf(body);
    if (body.Record === undefined || body.Record === null)
      throw validation("Value null at 'record' failed to satisfy constraint: Member must not be null");
    const result = this.accept(stream, this.decode(body.Record, 'record'));
    if ('ErrorCode' in result) throw new AwsServiceError(result.ErrorCode, result.ErrorMessage, 503);
    return { RecordId: result.RecordId, Encrypted: false };
  }

  /** PutRecordBatch (`Firehose_20150804.PutRecordBatch`): each record accepted or refused on its own. */
  putRecordBatch(body: Record<string, unknown>) {
    const stream = this.streamOf(body);
    const records = body.Records;
    if (!Array.isArray(records))
      throw validation("Value null at 'records' failed to satisfy constraint: Member must not be null");
    if (records.length < 1 || records.length > firehoseApiLimits.recordsPerBatch)
      throw validation(
        `Value at 'records' failed to satisfy constraint: Member must have length ${records.length < 1 ? 'greater than or equal to 1' : `less than or equal to ${firehoseApiLimits.recordsPerBatch}`}`,
      );
    const decoded = records.map((r, i) => this.decode(r, `records.${i + 1}.member`));
    const total = decoded.reduce((n, d) => n + d.length, 0);
    if (total > firehoseApiLimits.bytesPerBatch)
      throw new AwsServiceError(
        'InvalidArgumentException',
        `Records size exceeds ${firehoseApiLimits.bytesPerBatch / 1024 / 1024} MB limit`,
      );
    const responses = decoded.map((data) => this.accept(stream, data));
    return {
      FailedPutCount: responses.filter((r) => 'ErrorCode' in r).length,
      Encrypted: false,
      RequestResponses: responses,
    };
  }

  /** Hands the stream's buffer to the writer (deliveries are written one after the other). */
  private flush(stream: string): void {
    const buffer = this.buffers.get(stream);
    if (!buffer) return;
    clearTimeout(buffer.timer);
    buffer.timer = undefined;
    if (buffer.records.length === 0) return;
    const records = buffer.records;
    const bytes = buffer.bytes;
    buffer.records = [];
    buffer.bytes = 0;
    this.writing = this.writing
      .then(() => this.deliver(stream, records))
      .catch((error: unknown) => console.error(`Local Firehose ${stream}: delivery failed`, error))
      .finally(() => this.unwritten.set(stream, (this.unwritten.get(stream) ?? 0) - bytes));
  }

  /** Resolves once every record accepted so far is written (to Parquet or to the error output). */
  async drain(): Promise<void> {
    for (const stream of this.buffers.keys()) this.flush(stream);
    await this.writing;
  }

  async stop(): Promise<void> {
    await this.drain();
  }

  /** One record as the row of the schema, or why it cannot be (partitioning, then conversion). */
  private convert(record: BufferedRecord): { row: AnalyticsRow } | { failure: FailedRecord } {
    const fail = (type: ErrorOutputType, code: string, message: string) => ({
      failure: { record, type, code, message },
    });
    let parsed: unknown;
    try {
      parsed = JSON.parse(record.data.toString('utf8'));
    } catch (error) {
      return fail(
        'partitioning-failed',
        'DynamicPartitioning.MetadataExtractionFailed',
        (error as Error).message,
      );
    }
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed))
      return fail(
        'partitioning-failed',
        'DynamicPartitioning.MetadataExtractionFailed',
        'Not a JSON object.',
      );
    const json = parsed as Record<string, unknown>;
    const month = json[analyticsDelivery.partitionField];
    if (typeof month !== 'string' || !monthPattern.test(month))
      return fail(
        'partitioning-failed',
        'DynamicPartitioning.MetadataExtractionFailed',
        `The partition key .${analyticsDelivery.partitionField} is not a month YYYY-MM.`,
      );
    const row: Record<string, string | number | boolean | null> = {};
    for (const column of analyticsColumns) {
      const value = json[column.name];
      if (value === undefined || value === null) {
        row[column.name] = null;
        continue;
      }
      const converted = coerce[column.type](value);
      if (converted instanceof Error)
        return fail(
          'format-conversion-failed',
          'DataFormatConversion.MalformedData',
          `Column ${column.name} (${column.type}): ${JSON.stringify(value)} is not ${converted.message}.`,
        );
      row[column.name] = converted;
    }
    try {
      checkRow(row);
    } catch (error) {
      return fail('format-conversion-failed', 'DataFormatConversion.MalformedData', (error as Error).message);
    }
    return { row };
  }

  /** One delivery: the rows as one Parquet file per month, the rest to the error output. */
  private async deliver(stream: string, records: readonly BufferedRecord[]): Promise<void> {
    const rows: AnalyticsRow[] = [];
    const failed: FailedRecord[] = [];
    for (const record of records) {
      const result = this.convert(record);
      if ('row' in result) rows.push(result.row);
      else failed.push(result.failure);
    }
    const now = Date.now();
    const name = `${stream}-1-${cstStamp(now)}-${randomUUID()}`;
    if (rows.length > 0) {
      for (const file of await writeAnalyticsParquet(rows, this.root, name)) {
        const month = /month=(\d{4}-\d{2})/.exec(file)?.[1];
        this.rowCounts.set(file, rows.filter((r) => r[analyticsDelivery.partitionField] === month).length);
      }
    }
    const byType = new Map<ErrorOutputType, FailedRecord[]>();
    for (const f of failed) byType.set(f.type, [...(byType.get(f.type) ?? []), f]);
    for (const [type, failures] of byType) {
      const file = join(
        this.root,
        'errors',
        type,
        new Date(now + CST_OFFSET_MS).toISOString().slice(0, 10),
        name,
      );
      mkdirSync(dirname(file), { recursive: true });
      const documents = failures.map((f) =>
        JSON.stringify({
          attemptsMade: 1,
          arrivalTimestamp: f.record.arrival,
          ErrorCode: f.code,
          ErrorMessage: f.message,
          attemptEndingTimestamp: now,
          rawData: f.record.data.toString('base64'),
          sequenceNumber: f.record.recordId,
          subSequenceNumber: 0,
          dataCatalogTable: {
            catalogId: this.account,
            databaseName: analyticsDelivery.database,
            tableName: analyticsDelivery.table,
            region: this.region,
            versionId: 'LATEST',
          },
        }),
      );
      writeFileSync(`${file}.partial`, `${documents.join('\n')}\n`);
      renameSync(`${file}.partial`, file);
    }
  }

  /** The Parquet files delivered so far, with their row counts, and the error output's files. */
  async listFiles(): Promise<{ files: AnalyticsFile[]; errors: ErrorFile[] }> {
    const parquet = filesUnder(join(this.root, analyticsTable), '.parquet');
    const unknown = parquet.filter((f) => !this.rowCounts.has(f));
    if (unknown.length > 0) {
      // Files of an earlier run: counted once from their Parquet footers.
      const instance = await DuckDBInstance.create(':memory:', { threads: '1' });
      const connection = await instance.connect();
      try {
        const list = unknown.map((f) => `'${f.replaceAll("'", "''")}'`).join(', ');
        const reader = await connection.runAndReadAll(
          `SELECT file_name, CAST(num_rows AS INTEGER) AS n FROM parquet_file_metadata([${list}])`,
        );
        for (const [file, n] of reader.getRows()) this.rowCounts.set(String(file), Number(n));
      } finally {
        connection.closeSync();
        instance.closeSync();
      }
    }
    const partition = new RegExp(`${analyticsPartition.name}=(\\d{4}-\\d{2})`);
    const files = parquet.map((file) => ({
      path: relative(this.root, file).split(/[\\/]/).join('/'),
      month: partition.exec(file)?.[1] ?? '',
      rows: this.rowCounts.get(file) ?? 0,
      bytes: statSync(file).size,
    }));
    const errors = filesUnder(join(this.root, 'errors'), '')
      .filter((f) => !f.endsWith('.partial'))
      .map((file) => {
        const path = relative(this.root, file).split(/[\\/]/).join('/');
        return {
          path,
          type: path.split('/')[1] ?? '',
          records: readFileSync(file, 'utf8').split('\n').filter(Boolean).length,
        };
      });
    return { files, errors };
  }
}
