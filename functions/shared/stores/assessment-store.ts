import { TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import { BatchGetCommand, GetCommand, TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import {
  type AssessmentEvent,
  addCounts,
  contributionOf,
  mergeFact,
  type OrderFacts,
  type RateCounts,
  zeroCounts,
} from '#domain/assessment.ts';
import { ConcurrentUpdateError } from '#domain/errors.ts';
import { dynamo } from '#shared/platform/aws-clients.ts';
import { tableName } from '#shared/platform/config.ts';
import { countsItemRow, factsItemRow, parseRow, tableKeyOf } from '#shared/stores/rows.ts';

/**
 * Assessment aggregates in the table, updated incrementally and exactly once:
 *   an order's facts   pk ASSESSMENT#ORDER#<id>  sk #FACTS   (facts, the event ids applied, a version)
 *   unit-month counts  pk ASSESSMENT#UNIT#<unit> sk <YYYY-MM> (the counters behind the three rates)
 * Each event moves the order's contribution from its old unit-month to its new one in one
 * transaction with a version check on the facts: a duplicate is recognised by its id and changes
 * nothing, and the merge of facts does not depend on the order of delivery.
 */
const TABLE = tableName();
const factsKey = (orderId: string) => ({ pk: `ASSESSMENT#ORDER#${orderId}`, sk: '#FACTS' });
const countsKey = (key: string) => {
  const [unitId, month] = key.split('|');
  return { pk: `ASSESSMENT#UNIT#${unitId}`, sk: month ?? '' };
};

interface StoredFacts {
  readonly facts: OrderFacts;
  readonly applied: readonly string[];
  readonly version: number;
}

const readFacts = async (orderId: string): Promise<StoredFacts> => {
  const result = await dynamo.send(
    new GetCommand({ TableName: TABLE, Key: factsKey(orderId), ConsistentRead: true }),
  );
  return result.Item
    ? parseRow(factsItemRow, 'assessment facts', factsKey(orderId), result.Item)
    : { facts: {}, applied: [], version: 0 };
};

const counterUpdate = (key: string, counts: RateCounts, sign: 1 | -1) => {
  const names = Object.keys(zeroCounts);
  return {
    Update: {
      TableName: TABLE,
      Key: countsKey(key),
      UpdateExpression: `ADD ${names.map((_n, i) => `#c${i} :v${i}`).join(', ')}`,
      ExpressionAttributeNames: Object.fromEntries(names.map((n, i) => [`#c${i}`, n])),
      ExpressionAttributeValues: Object.fromEntries(
        names.map((n, i) => [`:v${i}`, sign * counts[n as keyof RateCounts]]),
      ),
    },
  };
};

/** A stored counters item as counts (a counter never written reads as zero; no item, all zero). */
const countsOf = (item: Record<string, unknown> | undefined): RateCounts =>
  item ? parseRow(countsItemRow, 'unit-month counts', tableKeyOf(item), item) : { ...zeroCounts };

/**
 * Applies one assessment event exactly once; returns whether it changed anything. A transaction lost
 * to another writer of the order's facts throws ConcurrentUpdateError: the caller runs it again
 * (shared/platform/retry.ts), reading the facts afresh.
 */
export const applyAssessmentEvent = async (event: AssessmentEvent): Promise<boolean> => {
  const stored = await readFacts(event.orderId);
  if (stored.applied.includes(event.eventId)) return false;
  const after = mergeFact(stored.facts, event);
  const before = contributionOf(stored.facts);
  const now = contributionOf(after);
  try {
    await dynamo.send(
      new TransactWriteCommand({
        TransactItems: [
          {
            Put: {
              TableName: TABLE,
              Item: {
                ...factsKey(event.orderId),
                type: 'assessmentFacts',
                facts: after,
                applied: [...stored.applied, event.eventId],
                version: stored.version + 1,
              },
              ConditionExpression: 'attribute_not_exists(pk) OR version = :v',
              ExpressionAttributeValues: { ':v': stored.version },
            },
          },
          // One transaction may touch an item once: the same unit-month gets the difference.
          ...(before && now && before.key === now.key
            ? [counterUpdate(now.key, addCounts(now.counts, before.counts, -1), 1)]
            : [
                ...(before ? [counterUpdate(before.key, before.counts, -1)] : []),
                ...(now ? [counterUpdate(now.key, now.counts, 1)] : []),
              ]),
        ],
      }),
    );
    return true;
  } catch (error) {
    // Another delivery of the same order's facts won (a failed version check, or a TransactionConflict).
    if (error instanceof TransactionCanceledException)
      throw new ConcurrentUpdateError(event.orderId, { cause: error });
    throw error;
  }
};

/** Of these events, those the order's aggregate has not applied yet (one consistent read of its facts). */
export const unappliedAssessmentEvents = async (
  orderId: string,
  events: readonly AssessmentEvent[],
): Promise<AssessmentEvent[]> => {
  const { applied } = await readFacts(orderId);
  return events.filter((e) => !applied.includes(e.eventId));
};

export const readUnitMonth = async (unitId: string, month: string): Promise<RateCounts> => {
  const result = await dynamo.send(
    new GetCommand({ TableName: TABLE, Key: countsKey(`${unitId}|${month}`), ConsistentRead: true }),
  );
  return countsOf(result.Item);
};

/** The counters of many units for one month (batched reads of 100; units without any read as zero). */
export const readUnitsMonth = async (
  unitIds: readonly string[],
  month: string,
): Promise<Map<string, RateCounts>> => {
  const found = new Map<string, RateCounts>();
  for (let i = 0; i < unitIds.length; i += 100) {
    let keys: Record<string, unknown>[] = unitIds
      .slice(i, i + 100)
      .map((unitId) => countsKey(`${unitId}|${month}`));
    for (let attempt = 0; keys.length > 0 && attempt < 5; attempt++) {
      const result = await dynamo.send(
        new BatchGetCommand({ RequestItems: { [TABLE]: { Keys: keys, ConsistentRead: true } } }),
      );
      for (const item of result.Responses?.[TABLE] ?? []) {
        const unitId = String(item.pk).replace('ASSESSMENT#UNIT#', '');
        found.set(unitId, countsOf(item));
      }
      keys = (result.UnprocessedKeys?.[TABLE]?.Keys ?? []) as Record<string, unknown>[];
    }
  }
  return new Map(unitIds.map((id) => [id, found.get(id) ?? zeroCounts]));
};
