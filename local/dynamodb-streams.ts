import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { DescribeTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import {
  type _Record,
  type AttributeValue,
  DescribeStreamCommand,
  DynamoDBStreamsClient,
  GetRecordsCommand,
  type GetRecordsCommandOutput,
  GetShardIteratorCommand,
  type Shard,
} from '@aws-sdk/client-dynamodb-streams';
import type { DynamoDBRecord, DynamoDBStreamEvent, AttributeValue as LambdaAttributeValue } from 'aws-lambda';
import type { FunctionName, StreamTriggerSpec } from '#wiring/wiring.ts';
import { type EventPattern, matchesPattern, parseEventPattern } from './eventbridge/event-pattern.ts';

/**
 * The local twin of Lambda's event source mapping for DynamoDB Streams, on DynamoDB Local's own stream
 * (DescribeStream, GetShardIterator, GetRecords). One mapping per trigger of wiring/wiring.ts
 * `streamTriggers`, each with its own position in every shard, as on AWS.
 *
 * Like AWS (Lambda developer guide: "Using AWS Lambda with Amazon DynamoDB", "Configuring partial batch
 * response", "Control which events Lambda sends to your function"):
 * - it starts from the oldest record still in the stream (TRIM_HORIZON, as the CDK mapping does), reads a
 *   shard only after its parent is read to the end, and finds new shards as they appear;
 * - the filter criteria (the EventBridge pattern language, on the record as the function receives it)
 *   drop the records they do not match: dropped records count as processed;
 * - the function gets at most `batchSize` records of one shard, in order, once the batch is full or the
 *   batching window ran out since the first record was read, with AWS's record shape (eventID, eventName,
 *   eventVersion, eventSource, awsRegion, dynamodb {ApproximateCreationDateTime in epoch seconds, Keys,
 *   NewImage, OldImage, SequenceNumber, SizeBytes, StreamViewType}, eventSourceARN);
 * - `batchItemFailures` (ReportBatchItemFailures): the records before the lowest reported sequence number
 *   are done, the rest is retried; an empty or unknown `itemIdentifier` fails the whole batch;
 * - a function error splits the batch in two (bisectBatchOnError, without using up retries); what still
 *   fails after `retryAttempts`, or is older than `maximumRecordAgeSeconds`, is dead-lettered with the
 *   on-failure destination's metadata (requestContext, responseContext, DDBStreamBatchInfo) and the
 *   shard moves on.
 *
 * Unlike AWS: ApproximateCreationDateTime is the later bound of when the record was written (DynamoDB
 * Local keeps only its minute: `writtenAtMs`), so a record looks at most as old as it is, maybe younger;
 * dead letters also keep the records themselves (GET /_local/dead-letters), as an S3
 * destination would; retries wait a short, bounded, exponential delay; one batch per shard at a time
 * (ParallelizationFactor 1); each shard's last processed sequence number is kept in a JSON file, so a
 * restart resumes where it stopped (at least once: a batch in flight at a crash is delivered again).
 */
export interface StreamPollerOptions {
  /** DynamoDB Local's endpoint. */
  readonly endpoint: string;
  readonly tableName: string;
  readonly triggers: Readonly<Record<string, StreamTriggerSpec>>;
  /** Invokes the trigger's target synchronously (RequestResponse) with the batch; a rejection is a function error. */
  readonly invoke: (target: FunctionName, event: DynamoDBStreamEvent) => Promise<unknown>;
  /** Where each shard's checkpoint and the dead letters are kept. */
  readonly checkpointFile: string;
  /** How often the shards are read (default 250 ms: Lambda polls a shard four times a second). */
  readonly pollIntervalMs?: number;
  /** The wait before retry n (default 200 ms × 2^(n−1), at most 5 s). */
  readonly retryDelayMs?: (retry: number) => number;
  /** The target's ARN, for the dead letters' metadata. */
  readonly functionArn?: (target: FunctionName) => string;
}

export interface StreamDeadLetter {
  readonly trigger: string;
  readonly requestContext: {
    readonly requestId: string;
    readonly functionArn: string;
    readonly condition: 'RetryAttemptsExhausted' | 'RecordAgeExceeded';
    readonly approximateInvokeCount: number;
  };
  readonly responseContext: {
    readonly statusCode: number;
    readonly executedVersion: string;
    readonly functionError: string;
  };
  readonly version: '1.0';
  readonly timestamp: string;
  readonly DDBStreamBatchInfo: {
    readonly shardId: string;
    readonly startSequenceNumber: string;
    readonly endSequenceNumber: string;
    readonly approximateArrivalOfFirstRecord: string;
    readonly approximateArrivalOfLastRecord: string;
    readonly batchSize: number;
    readonly streamArn: string;
  };
  readonly records: readonly DynamoDBRecord[];
}

interface PendingRecord {
  readonly record: DynamoDBRecord;
  readonly sequenceNumber: string;
  readonly matches: boolean;
  /** When this poller read it (real time): the batching window counts from here. */
  readonly readAt: number;
  /** ApproximateCreationDateTime in ms: the record's age counts from here. */
  readonly createdAt: number;
}

interface ShardState {
  readonly shardId: string;
  /** Unknown for a shard restored from the checkpoints until the stream describes it again. */
  parentShardId: string | undefined;
  closed: boolean;
  iterator: string | undefined;
  /** GetRecords gave no next iterator: the closed shard is read to its end. */
  exhausted: boolean;
  lastRead: string | undefined;
  checkpoint: string | undefined;
  finished: boolean;
  pending: PendingRecord[];
}

interface Mapping {
  readonly name: string;
  readonly spec: StreamTriggerSpec;
  readonly pattern: EventPattern;
  readonly shards: Map<string, ShardState>;
}

interface SavedState {
  readonly version: 1;
  readonly streamArn: string;
  readonly mappings: Record<string, Record<string, { checkpoint?: string; finished?: boolean }>>;
  readonly deadLetters: StreamDeadLetter[];
}

/** Dead letters kept at most (the oldest go first). */
const MAX_DEAD_LETTERS = 1000;
/** How often the stream's shard list is read again while polling. */
const DESCRIBE_INTERVAL_MS = 5000;
/** Records held in memory per shard before reading pauses for processing to catch up. */
const MAX_PENDING = 10_000;

type Outcome = { kind: 'ok' } | { kind: 'partial'; from: number } | { kind: 'error'; error: string };

const base64 = (bytes: Uint8Array | undefined): string => Buffer.from(bytes ?? []).toString('base64');

/** An attribute value as Lambda's JSON has it: binaries in base64, everything else as the SDK read it. */
const lambdaAttribute = (value: AttributeValue): LambdaAttributeValue => {
  if (value.B !== undefined) return { B: base64(value.B) };
  if (value.BS !== undefined) return { BS: value.BS.map(base64) };
  if (value.M !== undefined) return { M: lambdaImage(value.M) ?? {} };
  if (value.L !== undefined) return { L: value.L.map(lambdaAttribute) };
  const { $unknown: _u, ...rest } = value as AttributeValue & { $unknown?: unknown };
  return rest as LambdaAttributeValue;
};

const lambdaImage = (
  image: Record<string, AttributeValue> | undefined,
): Record<string, LambdaAttributeValue> | undefined =>
  image && Object.fromEntries(Object.entries(image).map(([k, v]) => [k, lambdaAttribute(v)]));

/**
 * When a record was written, to the second as AWS gives it. DynamoDB Local rounds its
 * ApproximateCreationDateTime down to the minute (3.3.0, tried: writes at :09 to :12 all read :00), which
 * would make a fresh record look up to a minute old; the write happened between that minute and the
 * moment the record was read, so the later of the two bounds is taken (never older than it is).
 */
export const writtenAtMs = (record: _Record, readAtMs: number): number | undefined => {
  const minute = record.dynamodb?.ApproximateCreationDateTime?.getTime();
  return minute === undefined ? undefined : Math.floor(Math.min(readAtMs, minute + 59_999) / 1000) * 1000;
};

/** A stream record as the Lambda event source mapping hands it to the function. */
export const lambdaRecordOf = (record: _Record, streamArn: string, readAtMs = Date.now()): DynamoDBRecord => {
  const d = record.dynamodb ?? {};
  const createdMs = writtenAtMs(record, readAtMs);
  return {
    eventID: record.eventID,
    eventName: record.eventName,
    eventVersion: record.eventVersion,
    eventSource: record.eventSource ?? 'aws:dynamodb',
    awsRegion: record.awsRegion,
    dynamodb: {
      ...(createdMs !== undefined ? { ApproximateCreationDateTime: createdMs / 1000 } : {}),
      Keys: lambdaImage(d.Keys),
      ...(d.NewImage ? { NewImage: lambdaImage(d.NewImage) } : {}),
      ...(d.OldImage ? { OldImage: lambdaImage(d.OldImage) } : {}),
      SequenceNumber: d.SequenceNumber,
      SizeBytes: d.SizeBytes,
      StreamViewType: d.StreamViewType,
    },
    eventSourceARN: streamArn,
    ...(record.userIdentity
      ? { userIdentity: { type: record.userIdentity.Type, principalId: record.userIdentity.PrincipalId } }
      : {}),
  } as DynamoDBRecord;
};

const errorText = (error: unknown): string =>
  error instanceof Error ? `${error.name}: ${error.message}` : String(error);

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export class LocalStreamPoller {
  private readonly dynamo: DynamoDBClient;
  private readonly streams: DynamoDBStreamsClient;
  private readonly mappings: Mapping[];
  private readonly pollIntervalMs: number;
  private readonly retryDelayMs: (retry: number) => number;
  private streamArn: string | undefined;
  private deadLetters: StreamDeadLetter[] = [];
  private work: Promise<unknown> = Promise.resolve();
  private busy = false;
  private timer: NodeJS.Timeout | undefined;
  private stopped = false;
  private lastError = '';
  private shards: Shard[] = [];
  private describedAt = 0;

  constructor(private readonly options: StreamPollerOptions) {
    const client = { endpoint: options.endpoint, region: 'local' };
    const credentials = { accessKeyId: 'local', secretAccessKey: 'local' };
    this.dynamo = new DynamoDBClient({ ...client, credentials });
    this.streams = new DynamoDBStreamsClient({ ...client, credentials });
    this.mappings = Object.entries(options.triggers).map(([name, spec]) => ({
      name,
      spec,
      // Refused at start, as CreateEventSourceMapping refuses an invalid filter (Lambda's dialect).
      pattern: parseEventPattern(JSON.stringify(spec.filter), { dialect: 'lambda' }),
      shards: new Map(),
    }));
    this.pollIntervalMs = options.pollIntervalMs ?? 250;
    this.retryDelayMs = options.retryDelayMs ?? ((n) => Math.min(5000, 200 * 2 ** (n - 1)));
  }

  /** Starts polling; the first poll finds the stream and restores the checkpoints. */
  start(): void {
    this.timer = setInterval(() => {
      if (this.busy || this.stopped) return;
      void this.enqueue(() => this.step(false));
    }, this.pollIntervalMs);
    this.timer.unref();
  }

  /** Every record written to the table so far has been delivered (or dead-lettered), batching windows or not. */
  async drain(): Promise<void> {
    // Delivering may write more (a consumer's own writes): read again until a pass finds nothing.
    for (let pass = 0; pass < 100; pass++) {
      const moved = await this.enqueue(() => this.step(true));
      if (moved === 0) return;
    }
  }

  /** Delivers what is in the stream, then stops polling. */
  async stop(): Promise<void> {
    clearInterval(this.timer);
    try {
      await this.drain();
    } finally {
      this.stopped = true;
      await this.work.catch(() => undefined);
      this.dynamo.destroy();
      this.streams.destroy();
    }
  }

  deadLettered(): readonly StreamDeadLetter[] {
    return this.deadLetters;
  }

  private enqueue<T>(task: () => Promise<T>): Promise<T> {
    const run = this.work.then(async () => {
      this.busy = true;
      try {
        return await task();
      } finally {
        this.busy = false;
      }
    });
    this.work = run.catch(() => undefined);
    return run;
  }

  // ---- one pass over the shards -------------------------------------------------------------------

  /** Reads and processes every shard that may be read now; returns how many records it read or held. */
  private async step(force: boolean): Promise<number> {
    if (this.stopped) return 0;
    try {
      const streamArn = await this.stream();
      // The shard list changes rarely (a new shard every few hours on AWS): looked at every few seconds,
      // and whenever a drain asks or a shard was read to its end.
      const ended = this.mappings.some((m) => [...m.shards.values()].some((x) => x.exhausted && !x.finished));
      if (force || ended || Date.now() - this.describedAt >= DESCRIBE_INTERVAL_MS) {
        this.shards = await this.describeShards(streamArn);
        this.describedAt = Date.now();
      }
      const shards = this.shards;
      let moved = 0;
      for (const mapping of this.mappings) {
        this.syncShards(mapping, shards);
        for (const shard of this.readableShards(mapping)) {
          moved += await this.read(shard, streamArn, mapping);
          moved += shard.pending.length;
          await this.process(mapping, shard, streamArn, force);
          if (shard.closed && shard.exhausted && shard.pending.length === 0 && !shard.finished) {
            shard.finished = true;
            this.save();
          }
        }
      }
      this.lastError = '';
      return moved;
    } catch (error) {
      // DynamoDB Local gone (stopping) or a passing fault: say it once, poll again later.
      const text = errorText(error);
      if (text !== this.lastError) console.error(`Local stream poller: ${text}`);
      this.lastError = text;
      return 0;
    }
  }

  private async stream(): Promise<string> {
    if (this.streamArn) return this.streamArn;
    const table = await this.dynamo.send(new DescribeTableCommand({ TableName: this.options.tableName }));
    const arn = table.Table?.LatestStreamArn;
    if (!arn) throw new Error(`Table ${this.options.tableName} has no stream.`);
    this.streamArn = arn;
    this.restore(arn);
    return arn;
  }

  private async describeShards(streamArn: string): Promise<Shard[]> {
    const shards: Shard[] = [];
    let start: string | undefined;
    do {
      const page = await this.streams.send(
        new DescribeStreamCommand({ StreamArn: streamArn, ExclusiveStartShardId: start }),
      );
      shards.push(...(page.StreamDescription?.Shards ?? []));
      start = page.StreamDescription?.LastEvaluatedShardId;
    } while (start);
    return shards;
  }

  private syncShards(mapping: Mapping, shards: readonly Shard[]): void {
    for (const shard of shards) {
      const id = shard.ShardId ?? '';
      const known = mapping.shards.get(id);
      const closed = shard.SequenceNumberRange?.EndingSequenceNumber !== undefined;
      if (known) {
        known.closed = closed;
        known.parentShardId ??= shard.ParentShardId;
        continue;
      }
      mapping.shards.set(id, {
        shardId: id,
        parentShardId: shard.ParentShardId,
        closed,
        iterator: undefined,
        exhausted: false,
        lastRead: undefined,
        checkpoint: undefined,
        finished: false,
        pending: [],
      });
    }
  }

  /** Shards not finished whose parent (if the stream still has it) is read to its end: parents first. */
  private readableShards(mapping: Mapping): ShardState[] {
    return [...mapping.shards.values()].filter((s) => {
      if (s.finished) return false;
      const parent = s.parentShardId ? mapping.shards.get(s.parentShardId) : undefined;
      return !parent || parent.finished;
    });
  }

  private async iteratorOf(shard: ShardState, streamArn: string): Promise<string | undefined> {
    const after = shard.lastRead ?? shard.checkpoint;
    const result = await this.streams.send(
      new GetShardIteratorCommand({
        StreamArn: streamArn,
        ShardId: shard.shardId,
        ...(after
          ? { ShardIteratorType: 'AFTER_SEQUENCE_NUMBER', SequenceNumber: after }
          : { ShardIteratorType: 'TRIM_HORIZON' }),
      }),
    );
    return result.ShardIterator;
  }

  /** Reads what the shard has beyond what was read; returns the number of records read. */
  private async read(shard: ShardState, streamArn: string, mapping: Mapping): Promise<number> {
    let read = 0;
    while (!shard.exhausted && shard.pending.length < MAX_PENDING) {
      shard.iterator ??= await this.iteratorOf(shard, streamArn);
      if (!shard.iterator) {
        shard.exhausted = true;
        break;
      }
      let page: GetRecordsCommandOutput;
      try {
        page = await this.streams.send(new GetRecordsCommand({ ShardIterator: shard.iterator, Limit: 1000 }));
      } catch (error) {
        const name = (error as Error).name;
        if (name === 'ExpiredIteratorException') {
          shard.iterator = undefined;
          continue;
        }
        if (name === 'TrimmedDataAccessException') {
          // The records after the checkpoint are gone (older than 24 hours): start from the oldest left.
          console.error(`Local stream poller: records of ${shard.shardId} expired before delivery`);
          shard.lastRead = undefined;
          shard.checkpoint = undefined;
          shard.iterator = undefined;
          continue;
        }
        throw error;
      }
      const records = page.Records ?? [];
      const now = Date.now();
      for (const raw of records) {
        const record = lambdaRecordOf(raw, streamArn, now);
        const sequenceNumber = record.dynamodb?.SequenceNumber ?? '';
        shard.pending.push({
          record,
          sequenceNumber,
          matches: matchesPattern(mapping.pattern, record),
          readAt: now,
          createdAt: writtenAtMs(raw, now) ?? now,
        });
        shard.lastRead = sequenceNumber;
      }
      read += records.length;
      shard.iterator = page.NextShardIterator;
      if (!page.NextShardIterator) shard.exhausted = true;
      if (records.length === 0) break;
    }
    return read;
  }

  /** Delivers the shard's pending records batch by batch, as far as the batching window allows. */
  private async process(mapping: Mapping, shard: ShardState, streamArn: string, force: boolean) {
    const windowMs = mapping.spec.maximumBatchingWindowSeconds * 1000;
    while (shard.pending.length > 0) {
      const batch: PendingRecord[] = [];
      let covered = 0;
      for (const p of shard.pending) {
        if (p.matches) {
          if (batch.length === mapping.spec.batchSize) break;
          batch.push(p);
        }
        covered++;
      }
      const first = batch[0];
      if (first) {
        const full = batch.length === mapping.spec.batchSize;
        const waited = Date.now() - first.readAt >= windowMs;
        if (!force && !full && !waited && !shard.exhausted) return;
        await this.deliver(mapping, shard, streamArn, batch, 0);
      }
      const done = shard.pending.slice(0, covered);
      shard.pending = shard.pending.slice(covered);
      shard.checkpoint = done.at(-1)?.sequenceNumber ?? shard.checkpoint;
      this.save();
    }
  }

  /** One batch to its end: delivered, split and retried, or dead-lettered. */
  private async deliver(
    mapping: Mapping,
    shard: ShardState,
    streamArn: string,
    batch: readonly PendingRecord[],
    retriesUsed: number,
  ): Promise<void> {
    let records = batch;
    let retries = retriesUsed;
    let invokes = 0;
    for (;;) {
      const maxAgeMs = mapping.spec.maximumRecordAgeSeconds * 1000;
      const expired = maxAgeMs >= 0 ? records.filter((r) => Date.now() - r.createdAt > maxAgeMs) : [];
      if (expired.length > 0) {
        this.deadLetter(mapping, shard, streamArn, expired, 'RecordAgeExceeded', invokes, 'record too old');
        records = records.filter((r) => !expired.includes(r));
      }
      if (records.length === 0) return;
      invokes++;
      const outcome = await this.invoke(mapping, records);
      if (outcome.kind === 'ok') return;
      if (outcome.kind === 'error' && mapping.spec.bisectBatchOnError && records.length > 1) {
        // Split in two, each half from the same retry count: splitting uses up no retry.
        const half = Math.ceil(records.length / 2);
        await this.deliver(mapping, shard, streamArn, records.slice(0, half), retries);
        await this.deliver(mapping, shard, streamArn, records.slice(half), retries);
        return;
      }
      // Reported items: what came before the first of them is done; the rest is retried.
      if (outcome.kind === 'partial') records = records.slice(outcome.from);
      retries++;
      if (retries > mapping.spec.retryAttempts) {
        const error = outcome.kind === 'error' ? outcome.error : 'batchItemFailures reported';
        this.deadLetter(mapping, shard, streamArn, records, 'RetryAttemptsExhausted', invokes, error);
        return;
      }
      await sleep(this.retryDelayMs(retries));
    }
  }

  private async invoke(mapping: Mapping, records: readonly PendingRecord[]): Promise<Outcome> {
    let response: unknown;
    try {
      response = await this.options.invoke(mapping.spec.target, { Records: records.map((r) => r.record) });
    } catch (error) {
      return { kind: 'error', error: errorText(error) };
    }
    const failures = (response as { batchItemFailures?: unknown } | null | undefined)?.batchItemFailures;
    if (failures === undefined || failures === null) return { kind: 'ok' };
    if (!Array.isArray(failures)) return { kind: 'partial', from: 0 };
    if (failures.length === 0) return { kind: 'ok' };
    let from = records.length;
    for (const failure of failures) {
      const id = (failure as { itemIdentifier?: unknown } | null)?.itemIdentifier;
      const index = records.findIndex((r) => r.sequenceNumber === id);
      // An empty, null or unknown identifier: the whole batch failed.
      if (typeof id !== 'string' || id === '' || index < 0) return { kind: 'partial', from: 0 };
      from = Math.min(from, index);
    }
    return { kind: 'partial', from };
  }

  private deadLetter(
    mapping: Mapping,
    shard: ShardState,
    streamArn: string,
    records: readonly PendingRecord[],
    condition: StreamDeadLetter['requestContext']['condition'],
    invokes: number,
    error: string,
  ): void {
    const first = records[0];
    const last = records.at(-1);
    if (!first || !last) return;
    this.deadLetters.push({
      trigger: mapping.name,
      requestContext: {
        requestId: crypto.randomUUID(),
        functionArn: this.options.functionArn?.(mapping.spec.target) ?? mapping.spec.target,
        condition,
        approximateInvokeCount: invokes,
      },
      responseContext: { statusCode: 200, executedVersion: '$LATEST', functionError: error },
      version: '1.0',
      timestamp: new Date().toISOString(),
      DDBStreamBatchInfo: {
        shardId: shard.shardId,
        startSequenceNumber: first.sequenceNumber,
        endSequenceNumber: last.sequenceNumber,
        approximateArrivalOfFirstRecord: new Date(first.createdAt).toISOString(),
        approximateArrivalOfLastRecord: new Date(last.createdAt).toISOString(),
        batchSize: records.length,
        streamArn,
      },
      records: records.map((r) => r.record),
    });
    if (this.deadLetters.length > MAX_DEAD_LETTERS) this.deadLetters.shift();
    this.save();
  }

  // ---- checkpoints --------------------------------------------------------------------------------

  private restore(streamArn: string): void {
    if (!existsSync(this.options.checkpointFile)) return;
    const saved = JSON.parse(readFileSync(this.options.checkpointFile, 'utf8')) as SavedState;
    this.deadLetters = saved.deadLetters ?? [];
    // Another stream (the table was made anew): its positions mean nothing here.
    if (saved.streamArn !== streamArn) return;
    for (const mapping of this.mappings) {
      for (const [shardId, position] of Object.entries(saved.mappings[mapping.name] ?? {})) {
        mapping.shards.set(shardId, {
          shardId,
          parentShardId: undefined,
          closed: false,
          iterator: undefined,
          exhausted: position.finished === true,
          lastRead: undefined,
          checkpoint: position.checkpoint,
          finished: position.finished === true,
          pending: [],
        });
      }
    }
  }

  private save(): void {
    if (!this.streamArn) return;
    const state: SavedState = {
      version: 1,
      streamArn: this.streamArn,
      mappings: Object.fromEntries(
        this.mappings.map((m) => [
          m.name,
          Object.fromEntries(
            [...m.shards.values()]
              .filter((s) => s.checkpoint !== undefined || s.finished)
              .map((s) => [
                s.shardId,
                {
                  ...(s.checkpoint ? { checkpoint: s.checkpoint } : {}),
                  ...(s.finished ? { finished: true } : {}),
                },
              ]),
          ),
        ]),
      ),
      deadLetters: this.deadLetters,
    };
    const file = this.options.checkpointFile;
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(`${file}.partial`, JSON.stringify(state));
    renameSync(`${file}.partial`, file);
  }
}
