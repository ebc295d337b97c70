import middy from '@middy/core';
import type { DynamoDBBatchResponse, DynamoDBRecord, DynamoDBStreamEvent } from 'aws-lambda';
import { followOrderLogs, type LoggedEvent } from '#application/follow-order-logs.ts';
import { logger } from '#shared/platform/logger.ts';

/**
 * Consumer of the table's stream (trigger FollowOrderLogs) for what the loop must not miss when a
 * handler died after its write. One consumer for several jobs, because DynamoDB Streams allows two
 * readers per shard and the analytics rows are the other (each job is also done by a faster path that
 * may fail: the intake, the bus rules; this is the one that cannot miss): application/follow-order-logs.ts.
 * Records that failed are reported as batch item failures; the mapping retries from the first of them
 * (every job is idempotent, so the others are harmless) and then sends them to its failure queue.
 */
const loggedEventOf = (record: DynamoDBRecord): LoggedEvent | undefined => {
  const orderId = record.dynamodb?.Keys?.pk?.S?.match(/^ORDER#(.+)$/)?.[1];
  const event = record.dynamodb?.NewImage?.event?.M;
  const type = event?.type?.S;
  if (!orderId || !type) return undefined;
  const seq = Number(event?.seq?.N);
  const round = Number(event?.data?.M?.round?.N);
  return {
    orderId,
    type,
    seq: Number.isInteger(seq) && seq > 0 ? seq : Number.NaN,
    round: Number.isInteger(round) && round > 0 ? round : Number.NaN,
    // Epoch seconds, rounded down, in real time.
    writtenAtMs: (record.dynamodb?.ApproximateCreationDateTime ?? Date.now() / 1000) * 1000,
  };
};

export const handler = middy<DynamoDBStreamEvent, DynamoDBBatchResponse>().handler(async (event) => {
  const outcomes = await followOrderLogs(event.Records.map(loggedEventOf));
  const batchItemFailures = event.Records.filter((_r, i) => outcomes[i] === 'failed').map((r) => ({
    itemIdentifier: r.dynamodb?.SequenceNumber ?? '',
  }));
  const count = (kind: string) => outcomes.filter((o) => o === kind).length;
  logger.info('Order logs followed', {
    records: event.Records.length,
    healed: count('healed'),
    found: count('found'),
    assessed: count('assessed'),
    scheduled: count('scheduled'),
    pushed: count('pushed'),
    failed: batchItemFailures.length,
  });
  return { batchItemFailures };
});
