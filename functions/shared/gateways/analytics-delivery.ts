import { type FirehoseClient, PutRecordBatchCommand } from '@aws-sdk/client-firehose';
import type { AnalyticsRow } from '#domain/analytics-row.ts';

/**
 * Analytics rows to the Firehose delivery stream: one JSON row per record, newline-terminated (so
 * Firehose's output stays splittable even without record format conversion). PutRecordBatch takes at
 * most 500 records and 4 MiB, each record at most 1,000 KiB; a call may accept some records and refuse
 * others (`FailedPutCount`, an `ErrorCode` per refused record), so the refused ones are sent again
 * with a bounded backoff. What still fails is returned, for the caller to report.
 */
export const firehoseLimits = {
  recordsPerCall: 500,
  bytesPerCall: 4 * 1024 * 1024,
  bytesPerRecord: 1_000 * 1024,
} as const;

export interface DeliveryOptions {
  /** Further attempts for refused records after the first (default 3). */
  readonly retries?: number;
  /** Backoff before retry n: baseDelayMs × 2^(n−1), at most 2 s (default 100 ms). */
  readonly baseDelayMs?: number;
}

const encoder = new TextEncoder();

/** Indices of `sizes` grouped into calls within the per-call limits, in order. */
export const callsOf = (indices: readonly number[], sizes: readonly number[]): number[][] => {
  const calls: number[][] = [];
  let current: number[] = [];
  let bytes = 0;
  for (const i of indices) {
    const size = sizes[i] ?? 0;
    if (
      current.length > 0 &&
      (current.length === firehoseLimits.recordsPerCall || bytes + size > firehoseLimits.bytesPerCall)
    ) {
      calls.push(current);
      current = [];
      bytes = 0;
    }
    current.push(i);
    bytes += size;
  }
  if (current.length > 0) calls.push(current);
  return calls;
};

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Puts the rows; returns the indices of the rows Firehose did not accept after every retry. */
export const deliverRows = async (
  client: FirehoseClient,
  streamName: string,
  rows: readonly AnalyticsRow[],
  options: DeliveryOptions = {},
): Promise<number[]> => {
  const retries = options.retries ?? 3;
  const baseDelayMs = options.baseDelayMs ?? 100;
  const data = rows.map((row) => encoder.encode(`${JSON.stringify(row)}\n`));
  const sizes = data.map((d) => d.length);
  // A record over the limit is refused by every call: never sent, reported at once.
  const tooLarge = data.flatMap((d, i) => (d.length > firehoseLimits.bytesPerRecord ? [i] : []));
  let pending = data.flatMap((d, i) => (d.length > firehoseLimits.bytesPerRecord ? [] : [i]));
  for (let attempt = 0; pending.length > 0 && attempt <= retries; attempt++) {
    if (attempt > 0) await sleep(Math.min(2000, baseDelayMs * 2 ** (attempt - 1)));
    const refused: number[] = [];
    for (const call of callsOf(pending, sizes)) {
      try {
        const result = await client.send(
          new PutRecordBatchCommand({
            DeliveryStreamName: streamName,
            Records: call.map((i) => ({ Data: data[i] })),
          }),
        );
        if (!result.FailedPutCount) continue;
        for (const [n, response] of (result.RequestResponses ?? []).entries()) {
          const index = call[n];
          if (response.ErrorCode && index !== undefined) refused.push(index);
        }
      } catch {
        // The whole call failed (throttled, unavailable, a timeout): every record of it is retried.
        refused.push(...call);
      }
    }
    pending = refused;
  }
  return [...tooLarge, ...pending].sort((a, b) => a - b);
};
