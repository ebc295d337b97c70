import middy from '@middy/core';
import type { DynamoDBBatchResponse, DynamoDBRecord, DynamoDBStreamEvent } from 'aws-lambda';
import { assessFromLog } from '#application/assess-from-log.ts';
import { closeCallbackRound } from '#application/callback-settlement.ts';
import { healLifecycle } from '#application/heal-lifecycle.ts';
import { scheduleCallback } from '#application/schedule-callback.ts';
import { logger } from '#shared/platform/logger.ts';
import { readOrder } from '#shared/stores/order-store.ts';
import { assessmentMilestones, lifecycleHealing } from '#wiring/wiring.ts';

/**
 * Consumer of the table's stream (trigger FollowOrderLogs) for what the loop must not miss when a
 * handler died after its write. One consumer for two jobs, because DynamoDB Streams allows two readers
 * per shard and the analytics rows are the other (each job is also done by a faster path that may fail:
the intake, the bus rules; this is the one that cannot miss):
 * - a `received` event: the order's lifecycle is started if the intake's own start did not happen
 *   (application/heal-lifecycle.ts). A record younger than the intake's grace is looked at again until
 *   the grace is over, so an intake still starting its order is never raced;
 * - an event that gives assessment facts: the unit counters are brought up to the order's log
 *   (application/assess-from-log.ts), once per order in the batch;
 * - a `callback_due` event: the round's first call-back attempt is scheduled, if it is not yet
 *   (application/schedule-callback.ts);
 * - a round's end (`callback_answered`, `callback_unreachable`): besides its facts, the operators' task
 *   removed and a reopened order's new lifecycle started (application/callback-settlement.ts
 *   closeCallbackRound), which the answer's handler or the final check may have died before doing.
 * Records that failed are reported as batch item failures; the mapping retries from the first of them
 * (both jobs are idempotent, so the others are harmless) and then sends them to its failure queue.
 */
const GRACE_MS = lifecycleHealing.inlineStartGraceSeconds * 1000;
const assessing = new Set<string>(assessmentMilestones);
const roundEnds = new Set<string>(['callback_answered', 'callback_unreachable']);

const orderIdOf = (record: DynamoDBRecord): string | undefined =>
  record.dynamodb?.Keys?.pk?.S?.match(/^ORDER#(.+)$/)?.[1];
const eventTypeOf = (record: DynamoDBRecord): string | undefined =>
  record.dynamodb?.NewImage?.event?.M?.type?.S;
const roundOf = (record: DynamoDBRecord): number => {
  const round = Number(record.dynamodb?.NewImage?.event?.M?.data?.M?.round?.N);
  return Number.isInteger(round) && round > 0 ? round : Number.NaN;
};

/** When the record was written (epoch seconds, rounded down), in real time: the grace counts from it. */
const writtenAtMs = (record: DynamoDBRecord): number =>
  (record.dynamodb?.ApproximateCreationDateTime ?? Date.now() / 1000) * 1000;

const startLifecycle = async (orderId: string, record: DynamoDBRecord): Promise<string> => {
  const outcome = await healLifecycle(orderId, {
    healer: 'stream',
    waitUntilMs: writtenAtMs(record) + GRACE_MS,
  });
  if (outcome.kind === 'found' && outcome.status !== 'RUNNING') {
    // Ended or failed while the order was just received: an operator's to look at (a redrive).
    logger.warn('Lifecycle of a received order is not running', { orderId, status: outcome.status });
  }
  return outcome.kind;
};

export const handler = middy<DynamoDBStreamEvent, DynamoDBBatchResponse>().handler(async (event) => {
  // One assessment per order named in the batch, whichever of its events named it.
  const assessments = new Map<string, Promise<string>>();
  const assessOnce = (orderId: string): Promise<string> => {
    const running =
      assessments.get(orderId) ??
      assessFromLog(orderId).then((r) => (r.applied > 0 ? 'assessed' : 'counted'));
    assessments.set(orderId, running);
    return running;
  };
  const closings = new Map<string, Promise<unknown>>();
  const closeRoundOnce = (orderId: string): Promise<unknown> => {
    const running =
      closings.get(orderId) ??
      readOrder(orderId).then((stored) => (stored ? closeCallbackRound(stored.order) : undefined));
    closings.set(orderId, running);
    return running;
  };
  const outcomes = await Promise.all(
    event.Records.map(async (record) => {
      const orderId = orderIdOf(record);
      const type = eventTypeOf(record);
      if (!orderId || !type) return 'skipped';
      try {
        if (type === 'received') return await startLifecycle(orderId, record);
        if (roundEnds.has(type)) {
          // The answer's handler or the final check closed the round already, unless it died after saving.
          const [assessed] = await Promise.all([assessOnce(orderId), closeRoundOnce(orderId)]);
          return assessed;
        }
        if (assessing.has(type)) return await assessOnce(orderId);
        if (type === 'callback_due') {
          const round = roundOf(record);
          if (Number.isNaN(round)) throw new Error('callback_due event without a round');
          return (await scheduleCallback(orderId, round)).scheduled ? 'scheduled' : 'counted';
        }
        return 'skipped';
      } catch (error) {
        logger.error('Order log not followed', { orderId, type, error });
        return 'failed';
      }
    }),
  );
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
    failed: batchItemFailures.length,
  });
  return { batchItemFailures };
});
