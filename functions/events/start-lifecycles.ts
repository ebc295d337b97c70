import middy from '@middy/core';
import type { DynamoDBBatchResponse, DynamoDBRecord, DynamoDBStreamEvent } from 'aws-lambda';
import { healLifecycle } from '#application/heal-lifecycle.ts';
import { logger } from '#shared/logger.ts';
import { lifecycleHealing } from '#wiring/wiring.ts';

/**
 * Consumer of the table's stream (trigger StartLifecycles): every order saved — its `received` event —
 * has its lifecycle started if the intake's own start did not happen (application/heal-lifecycle.ts).
 * A record younger than the intake's grace is looked at again until the grace is over, so an intake
 * still starting its order is never raced. Records that failed are reported as batch item failures;
 * the mapping retries from the first of them (starting is idempotent, so the others are harmless).
 */
const GRACE_MS = lifecycleHealing.inlineStartGraceSeconds * 1000;

const orderIdOf = (record: DynamoDBRecord): string | undefined =>
  record.dynamodb?.Keys?.pk?.S?.match(/^ORDER#(.+)$/)?.[1];

/** When the record was written (epoch seconds, rounded down), in real time: the grace counts from it. */
const writtenAtMs = (record: DynamoDBRecord): number =>
  (record.dynamodb?.ApproximateCreationDateTime ?? Date.now() / 1000) * 1000;

export const handler = middy<DynamoDBStreamEvent, DynamoDBBatchResponse>().handler(async (event) => {
  const outcomes = await Promise.all(
    event.Records.map(async (record) => {
      const orderId = orderIdOf(record);
      if (!orderId) return 'skipped';
      try {
        const outcome = await healLifecycle(orderId, {
          healer: 'stream',
          waitUntilMs: writtenAtMs(record) + GRACE_MS,
        });
        if (outcome.kind === 'found' && outcome.status !== 'RUNNING') {
          // Ended or failed while the order was just received: an operator's to look at (a redrive).
          logger.warn('Lifecycle of a received order is not running', { orderId, status: outcome.status });
        }
        return outcome.kind;
      } catch (error) {
        logger.error('Lifecycle not started', { orderId, error });
        return 'failed';
      }
    }),
  );
  const batchItemFailures = event.Records.filter((_r, i) => outcomes[i] === 'failed').map((r) => ({
    itemIdentifier: r.dynamodb?.SequenceNumber ?? '',
  }));
  const count = (kind: string) => outcomes.filter((o) => o === kind).length;
  logger.info('Lifecycles checked', {
    records: event.Records.length,
    healed: count('healed'),
    found: count('found'),
    failed: batchItemFailures.length,
  });
  return { batchItemFailures };
});
