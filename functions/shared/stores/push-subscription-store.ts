import { TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import { GetCommand, TransactWriteCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { ConcurrentUpdateError, HotlineError } from '#domain/errors.ts';
import { MAX_SUBSCRIPTIONS_PER_UNIT, type PushSubscription } from '#domain/push-subscriptions.ts';
import { dynamo, queryPartition } from '#shared/platform/aws-clients.ts';
import { tableName } from '#shared/platform/config.ts';
import type { ClaimPut } from '#shared/platform/idempotency.ts';
import { parseRow, pushSubscriptionRow, tableKeyOf } from '#shared/stores/rows.ts';

/**
 * The units' push subscriptions (domain/push-subscriptions.ts), one partition per unit, read by the
 * stream consumer for every pushed event (one query per unit told):
 *
 *   subscription  pk PUSH#UNIT#<unit id>   sk SUB#<subscription id>
 *   count         pk PUSH#UNIT#<unit id>   sk COUNT     (how many: a unit's limit holds under races)
 */
const TABLE = tableName();
const pkOf = (unitId: string) => `PUSH#UNIT#${unitId}`;
const keyOf = (unitId: string, subscriptionId: string) => ({ pk: pkOf(unitId), sk: `SUB#${subscriptionId}` });

const subscriptionOf = (item: Record<string, unknown>): PushSubscription => {
  const row = parseRow(pushSubscriptionRow, 'push subscription', tableKeyOf(item), item);
  return {
    subscriptionId: row.subscriptionId,
    unitId: row.unitId,
    url: row.url,
    events: row.events,
    ...(row.description !== undefined ? { description: row.description } : {}),
    state: row.state,
    generation: row.generation,
    ...(row.previousSecretUntil !== undefined ? { previousSecretUntil: row.previousSecretUntil } : {}),
    createdAt: row.createdAt,
    createdBy: row.createdBy,
  };
};

const tooMany = () =>
  new HotlineError(
    'conflict',
    'TOO_MANY_SUBSCRIPTIONS',
    `A unit has at most ${MAX_SUBSCRIPTIONS_PER_UNIT} push subscriptions; remove one first.`,
  );

/**
 * Writes a new subscription (state `provisioning`) with the unit's count raised in the same
 * transaction, refused once the unit has its most; with an idempotency claim, the claim too.
 */
export const createSubscription = async (
  subscription: PushSubscription,
  claim?: ClaimPut,
): Promise<PushSubscription> => {
  try {
    await dynamo.send(
      new TransactWriteCommand({
        TransactItems: [
          ...(claim ? [claim] : []),
          {
            Update: {
              TableName: TABLE,
              Key: { pk: pkOf(subscription.unitId), sk: 'COUNT' },
              UpdateExpression: 'SET #n = if_not_exists(#n, :zero) + :one, #type = :type',
              ConditionExpression: 'attribute_not_exists(#n) OR #n < :max',
              ExpressionAttributeNames: { '#n': 'subscriptions', '#type': 'type' },
              ExpressionAttributeValues: {
                ':zero': 0,
                ':one': 1,
                ':max': MAX_SUBSCRIPTIONS_PER_UNIT,
                ':type': 'pushSubscriptionCount',
              },
            },
          },
          {
            Put: {
              TableName: TABLE,
              Item: {
                ...keyOf(subscription.unitId, subscription.subscriptionId),
                type: 'pushSubscription',
                ...subscription,
              },
              ConditionExpression: 'attribute_not_exists(pk)',
            },
          },
        ],
      }),
    );
  } catch (error) {
    const reasons = error instanceof TransactionCanceledException ? error.CancellationReasons : undefined;
    const claimTaken = claim !== undefined && reasons?.[0]?.Code === 'ConditionalCheckFailed';
    if (!claimTaken && reasons?.[claim ? 1 : 0]?.Code === 'ConditionalCheckFailed') throw tooMany();
    throw error;
  }
  return subscription;
};

export const readSubscription = async (
  unitId: string,
  subscriptionId: string,
): Promise<PushSubscription | undefined> => {
  const { Item } = await dynamo.send(
    new GetCommand({ TableName: TABLE, Key: keyOf(unitId, subscriptionId), ConsistentRead: true }),
  );
  return Item ? subscriptionOf(Item) : undefined;
};

/** A unit's subscriptions, oldest first (ids are ULIDs). */
export const listSubscriptions = async (unitId: string): Promise<PushSubscription[]> =>
  (await queryPartition(TABLE, pkOf(unitId), 'SUB#')).map(subscriptionOf);

/** Provisioned: deliveries flow. Marking an active one again changes nothing. */
export const markSubscriptionActive = async (unitId: string, subscriptionId: string): Promise<void> => {
  await dynamo.send(
    new UpdateCommand({
      TableName: TABLE,
      Key: keyOf(unitId, subscriptionId),
      UpdateExpression: 'SET #state = :active',
      ConditionExpression: 'attribute_exists(pk)',
      ExpressionAttributeNames: { '#state': 'state' },
      ExpressionAttributeValues: { ':active': 'active' },
    }),
  );
};

/**
 * A new secret generation; the previous one still signs until `previousSecretUntil`. With an
 * idempotency claim, the claim and the rotation are written together. Undefined when there is no such
 * subscription.
 */
export const rotateSubscriptionSecret = async (args: {
  readonly unitId: string;
  readonly subscriptionId: string;
  readonly previousSecretUntil: string;
  readonly claimFor?: (generation: number) => ClaimPut;
}): Promise<PushSubscription | undefined> => {
  const current = await readSubscription(args.unitId, args.subscriptionId);
  if (!current) return undefined;
  const generation = current.generation + 1;
  try {
    await dynamo.send(
      new TransactWriteCommand({
        TransactItems: [
          ...(args.claimFor ? [args.claimFor(generation)] : []),
          {
            Update: {
              TableName: TABLE,
              Key: keyOf(args.unitId, args.subscriptionId),
              UpdateExpression: 'SET generation = :next, previousSecretUntil = :until',
              // On the generation read: two rotations at once make one each, never the same twice.
              ConditionExpression: 'generation = :current',
              ExpressionAttributeValues: {
                ':current': current.generation,
                ':next': generation,
                ':until': args.previousSecretUntil,
              },
            },
          },
        ],
      }),
    );
  } catch (error) {
    const reasons = error instanceof TransactionCanceledException ? error.CancellationReasons : undefined;
    if (reasons?.[args.claimFor ? 1 : 0]?.Code === 'ConditionalCheckFailed') {
      const raced = new ConcurrentUpdateError(args.subscriptionId, { cause: error });
      raced.message = 'The subscription was rotated at the same moment; send it again.';
      throw raced;
    }
    throw error;
  }
  return { ...current, generation, previousSecretUntil: args.previousSecretUntil };
};

/**
 * Removes a subscription and lowers the unit's count, together (with an idempotency claim, the claim
 * too); removing one that is gone changes nothing.
 */
export const deleteSubscription = async (
  unitId: string,
  subscriptionId: string,
  claim?: ClaimPut,
): Promise<void> => {
  try {
    await dynamo.send(
      new TransactWriteCommand({
        TransactItems: [
          ...(claim ? [claim] : []),
          {
            Delete: {
              TableName: TABLE,
              Key: keyOf(unitId, subscriptionId),
              ConditionExpression: 'attribute_exists(pk)',
            },
          },
          {
            Update: {
              TableName: TABLE,
              Key: { pk: pkOf(unitId), sk: 'COUNT' },
              UpdateExpression: 'SET #n = #n - :one',
              ConditionExpression: '#n > :zero',
              ExpressionAttributeNames: { '#n': 'subscriptions' },
              ExpressionAttributeValues: { ':zero': 0, ':one': 1 },
            },
          },
        ],
      }),
    );
  } catch (error) {
    const reasons = error instanceof TransactionCanceledException ? error.CancellationReasons : undefined;
    // A taken claim is the idempotency layer's to answer; a subscription already gone changes nothing.
    const claimTaken = claim !== undefined && reasons?.[0]?.Code === 'ConditionalCheckFailed';
    if (!claimTaken && reasons?.[claim ? 1 : 0]?.Code === 'ConditionalCheckFailed') return;
    throw error;
  }
};
