import { DeleteCommand, PutCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import * as z from 'zod';
import { HotlineError } from '#domain/errors.ts';
import type { WorkOrder } from '#domain/work-order.ts';
import { dynamo } from '#shared/platform/aws-clients.ts';
import { tableName } from '#shared/platform/config.ts';
import { callbackTaskItemRow, parseRow, tableKeyOf } from '#shared/stores/rows.ts';

/**
 * The operators' call-back tasks (回访任务): one item per order whose call-back round is open, removed
 * when the round ends (answered or unreachable). Kept apart from the order so that listing them reads
 * one small partition, oldest first:
 *   open task   pk CALLBACK#OPEN   sk <opened at>#<order id>
 * The open set is small (a round ends within days) and changes about once per call-back attempt, well
 * within one partition's limits even at Beijing's volume (see docs/design.md, "Key design").
 */
const TABLE = tableName();
const PARTITION = 'CALLBACK#OPEN';

export interface CallbackTask {
  readonly orderId: string;
  readonly round: number;
  readonly attempt: number;
  readonly openedAt: string;
  readonly lastAttemptAt: string;
  readonly nextCheckAt: string;
  readonly reason: string;
  readonly unitId: string | null;
  readonly categoryCode: string;
  /** Whether a survey link went out too (SMS or e-mail), so the operator may find it answered. */
  readonly linkSent: boolean;
}

/** The operators' task of the order's open call-back attempt, or nothing when no attempt is open. */
export const callbackTaskOf = (order: WorkOrder): CallbackTask | undefined => {
  const open = order.callback;
  if (open?.state !== 'open' || !open.openedAt || !open.lastAttemptAt || !open.nextCheckAt) return undefined;
  return {
    orderId: order.id,
    round: open.round,
    attempt: open.attempts,
    openedAt: open.openedAt,
    lastAttemptAt: open.lastAttemptAt,
    nextCheckAt: open.nextCheckAt,
    reason: open.reason,
    unitId: order.unitId ?? null,
    categoryCode: order.categoryCode,
    linkSent: (open.links ?? []).length > 0,
  };
};

const keyOf = (task: Pick<CallbackTask, 'orderId' | 'openedAt'>) => ({
  pk: PARTITION,
  sk: `${task.openedAt}#${task.orderId}`,
});

/** Writes (or updates, at a later attempt) the task of an open round. */
export const putCallbackTask = async (task: CallbackTask): Promise<void> => {
  await dynamo.send(
    new PutCommand({ TableName: TABLE, Item: { ...keyOf(task), type: 'callbackTask', task } }),
  );
};

/** Removes the task of a round that ended; removing one already gone is fine. */
export const deleteCallbackTask = async (task: Pick<CallbackTask, 'orderId' | 'openedAt'>): Promise<void> => {
  await dynamo.send(new DeleteCommand({ TableName: TABLE, Key: keyOf(task) }));
};

const cursorSchema = z.strictObject({ pk: z.literal(PARTITION), sk: z.string().min(1).max(200) });

const decodeCursor = (cursor: string) => {
  try {
    return cursorSchema.parse(JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')));
  } catch {
    throw new HotlineError('badRequest', 'INVALID_CURSOR', 'The cursor is not one this API handed out.');
  }
};

/** Open tasks, oldest first, a page at a time. */
export const listCallbackTasks = async (args: {
  limit: number;
  cursor?: string;
}): Promise<{ items: CallbackTask[]; cursor?: string }> => {
  const page = await dynamo.send(
    new QueryCommand({
      TableName: TABLE,
      KeyConditionExpression: 'pk = :pk',
      ExpressionAttributeValues: { ':pk': PARTITION },
      Limit: args.limit,
      ...(args.cursor ? { ExclusiveStartKey: decodeCursor(args.cursor) } : {}),
    }),
  );
  const last = page.LastEvaluatedKey;
  return {
    items: (page.Items ?? []).map(
      (item) => parseRow(callbackTaskItemRow, 'call-back task', tableKeyOf(item), item).task,
    ),
    ...(last ? { cursor: Buffer.from(JSON.stringify(last)).toString('base64url') } : {}),
  };
};
