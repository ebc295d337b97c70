import { FirehoseClient } from '@aws-sdk/client-firehose';
import middy from '@middy/core';
import type { DynamoDBBatchResponse, DynamoDBRecord, DynamoDBStreamEvent } from 'aws-lambda';
import { analyticsRowOf } from '#domain/analytics-projection.ts';
import type { AnalyticsRow } from '#domain/analytics-row.ts';
import { deliverRows } from '#shared/gateways/analytics-delivery.ts';
import { requireEnv } from '#shared/platform/config.ts';
import { analyticsKeyedHash } from '#shared/platform/keyed-hash.ts';
import { logger } from '#shared/platform/logger.ts';
import { referenceData } from '#shared/platform/reference.ts';
import { readEvents, readOrder } from '#shared/stores/order-store.ts';
import { envNames } from '#wiring/wiring.ts';

/**
 * Consumer of the table's stream (trigger AnalyticsRows): a milestone event appended to an order's log
 * (received, disposed, closed, reopened, call-back ended, excluded) makes the order's analytics row of
 * its current version, read consistently from the order and its log, and puts it to Firehose. Orders
 * named twice in a batch get one row. Records whose row could not be made or delivered are reported
 * as batch item failures, so the event source mapping retries from the first of them; a row delivered
 * twice is harmless (queries take each order's latest version).
 */
const STREAM = requireEnv(envNames.analyticsStream);
const KEY_SECRET = requireEnv(envNames.analyticsKeySecret);
const firehose = new FirehoseClient({});
/** Orders read at once: a batch of 100 records must not become 200 reads in a row. */
const READ_CONCURRENCY = 10;

const orderIdOf = (record: DynamoDBRecord): string | undefined =>
  record.dynamodb?.Keys?.pk?.S?.match(/^ORDER#(.+)$/)?.[1];

export const handler = middy<DynamoDBStreamEvent, DynamoDBBatchResponse>().handler(async (event) => {
  // Without the key no row can be made: the whole batch fails and is retried.
  const keyedHash = await analyticsKeyedHash(KEY_SECRET);
  const orderIds = [...new Set(event.Records.map(orderIdOf).filter((id) => id !== undefined))];
  const failed = new Set<string>();
  const rows: { orderId: string; row: AnalyticsRow }[] = [];
  for (let i = 0; i < orderIds.length; i += READ_CONCURRENCY) {
    await Promise.all(
      orderIds.slice(i, i + READ_CONCURRENCY).map(async (orderId) => {
        try {
          const stored = await readOrder(orderId);
          if (!stored) return logger.warn('Stream record of an order that does not exist', { orderId });
          const row = analyticsRowOf(stored.order, await readEvents(orderId), {
            reference: referenceData,
            keyedHash,
          });
          rows.push({ orderId, row });
        } catch (error) {
          logger.error('Analytics row not made', { orderId, error });
          failed.add(orderId);
        }
      }),
    );
  }
  const undelivered = await deliverRows(
    firehose,
    STREAM,
    rows.map((r) => r.row),
  );
  for (const i of undelivered) failed.add(rows[i]?.orderId ?? '');
  const batchItemFailures = event.Records.filter((r) => failed.has(orderIdOf(r) ?? '')).map((r) => ({
    itemIdentifier: r.dynamodb?.SequenceNumber ?? '',
  }));
  logger.info('Analytics rows delivered', {
    records: event.Records.length,
    rows: rows.length - undelivered.length,
    failedOrders: failed.size,
  });
  return { batchItemFailures };
});
