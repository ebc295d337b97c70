import { createHash } from 'node:crypto';
import { TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import {
  BatchGetCommand,
  GetCommand,
  PutCommand,
  QueryCommand,
  type QueryCommandInput,
  type QueryCommandOutput,
  TransactWriteCommand,
} from '@aws-sdk/lib-dynamodb';
import * as z from 'zod';
import { awaitedCallbackStep } from '#domain/callback.ts';
import { addDaysToDate, chinaDateOf } from '#domain/china-time.ts';
import { contactHeldSince } from '#domain/contact-retention.ts';
import { ConcurrentUpdateError, HotlineError } from '#domain/errors.ts';
import { type OrderEvent, sealEvents, type UnsealedEvent } from '#domain/order-events.ts';
import { type OrderSummary, summarizeOrder } from '#domain/order-view.ts';
import type { OrderStatus, WorkOrder } from '#domain/work-order.ts';
import { dynamo, queryPartition } from '#shared/platform/aws-clients.ts';
import { tableName } from '#shared/platform/config.ts';
import type { ClaimPut } from '#shared/platform/idempotency.ts';
import { placeIndexAttributes } from '#shared/stores/nearby-orders.ts';
import {
  eventItemRow,
  orderItemRow,
  parseRow,
  pendingTaskRow,
  summaryItemRow,
  tableKeyOf,
} from '#shared/stores/rows.ts';

/**
 * Orders and their event logs in the single table. An order is one item; each change rewrites it with
 * a version check and appends its events in the same transaction, so the log and the order can never
 * disagree. Key design (see docs/design.md, "Key design"):
 *   order        pk ORDER#<id>        sk #ORDER
 *   waiting task pk ORDER#<id>        sk #TASK     (the callback token; not part of the order's version)
 *   action claim pk ORDER#<id>        sk ACTION#<sha256(caller, action, Idempotency-Key)>
 *   its events   pk ORDER#<id>        sk EVENT#<seq, 10 digits>
 *   idempotency  pk IDEMPOTENCY#<key> sk #IDEMPOTENCY   (expires after a day)
 *                (both claims are made by idempotency.ts; a write takes one as its first item)
 *   byUnit       gsi1pk UNIT#<lead unit>     gsi1sk <receivedAt>#<id>
 *   byDistrict   gsi2pk DISTRICT#<code>      gsi2sk <receivedAt>#<id>
 *   byDay        gsi3pk DAY#<CST date>       gsi3sk <receivedAt>#<id>
 *   byPlace      gsi4pk PLACE#<H3 cell, r8>  gsi4sk <categoryCode>#<receivedAt>#<id>
 *                (sparse: only while the order is open and has coordinates; see nearby-orders.ts)
 *   byContactHeld gsi6pk CONTACT#HELD       gsi6sk <closedAt>#<id>
 *                (sparse: only closed orders still holding their requester's contact; contact-retention.ts)
 *   byRequester  gsi7pk REQUESTER#<contact hash> gsi7sk <receivedAt>#<id>
 *                (sparse: orders whose requester has a contact hash; a caller's earlier orders)
 *   byCallbackStep gsi5pk CALLBACK#AWAITED  gsi5sk <awaited since>#<id>
 *                (sparse: only while a call-back round waits for its schedule or an attempt; the
 *                call-back reconciler reads the overdue ones; see domain/callback.ts awaitedCallbackStep)
 */
const TABLE = tableName();

/** Which callback task of the order's execution is waiting, and its token (never shown to callers). */
export interface PendingTask {
  readonly awaiting: 'action';
  readonly token: string;
  readonly since: string;
}

export interface StoredOrder {
  readonly order: WorkOrder;
  readonly lastEvent: { readonly seq: number; readonly hash: string };
  readonly pendingTask?: PendingTask;
}

const orderKey = (id: string) => ({ pk: `ORDER#${id}`, sk: '#ORDER' });
const taskKey = (id: string) => ({ pk: `ORDER#${id}`, sk: '#TASK' });
const eventSk = (seq: number) => `EVENT#${String(seq).padStart(10, '0')}`;

const orderItem = (stored: StoredOrder) => {
  const { order } = stored;
  const sortKey = `${order.receivedAt}#${order.id}`;
  return {
    ...orderKey(order.id),
    type: 'order',
    order,
    summary: summarizeOrder(order),
    version: order.version,
    lastEvent: stored.lastEvent,
    ...(order.unitId ? { gsi1pk: `UNIT#${order.unitId}`, gsi1sk: sortKey } : {}),
    gsi2pk: `DISTRICT#${order.location.districtCode}`,
    gsi2sk: sortKey,
    gsi3pk: `DAY#${chinaDateOf(Date.parse(order.receivedAt))}`,
    gsi3sk: sortKey,
    ...placeIndexAttributes(order),
    ...callbackStepAttributes(order),
    ...contactHeldAttributes(order),
    ...(order.requester.contact?.requesterHash
      ? { gsi7pk: `REQUESTER#${order.requester.contact.requesterHash}`, gsi7sk: sortKey }
      : {}),
    status: order.status,
  };
};

const CONTACT_HELD_PK = 'CONTACT#HELD';

/**
 * The byContactHeld entry of a closed order that still holds its requester's contact, by when it
 * closed: the retention job reads its old end. Written once when the order closes (and removed when
 * it reopens or the contact is erased), so the one partition sees about one write per order.
 */
const contactHeldAttributes = (order: WorkOrder) => {
  const since = contactHeldSince(order);
  return since ? { gsi6pk: CONTACT_HELD_PK, gsi6sk: `${since}#${order.id}` } : {};
};

const CALLBACK_STEP_PK = 'CALLBACK#AWAITED';

/**
 * The byCallbackStep entry of an order whose call-back waits for a step. One partition for all: the
 * set is the rounds in progress, whose key changes about once per attempt (a few writes a second at
 * Beijing's volume, far below a partition's 1 000), and the reconciler reads only its overdue end.
 */
const callbackStepAttributes = (order: WorkOrder) => {
  const step = awaitedCallbackStep(order.callback);
  return step ? { gsi5pk: CALLBACK_STEP_PK, gsi5sk: `${step.since}#${order.id}` } : {};
};

const eventItems = (events: readonly OrderEvent[]) =>
  events.map((e) => ({
    Put: {
      TableName: TABLE,
      Item: { pk: `ORDER#${e.orderId}`, sk: eventSk(e.seq), type: 'event', event: e },
      ConditionExpression: 'attribute_not_exists(pk)',
    },
  }));

/**
 * Lost to another writer: a failed condition, or (on AWS) another transaction on the same items at the
 * same moment, which DynamoDB cancels as TransactionConflict. Either way the caller reads again.
 */
const lostRace = (error: unknown): boolean =>
  error instanceof TransactionCanceledException &&
  (error.CancellationReasons ?? []).some(
    (r) => r.Code === 'ConditionalCheckFailed' || r.Code === 'TransactionConflict',
  );

/**
 * Writes a new order and its first events; with an idempotency claim (idempotency.ts) as the first item
 * of the transaction, at most once per key: a taken claim cancels the transaction on item 0.
 */
export const insertOrder = async (
  order: WorkOrder,
  events: readonly UnsealedEvent[],
  claim?: ClaimPut,
): Promise<StoredOrder> => {
  const sealed = sealEvents(order.id, undefined, events);
  const last = sealed.at(-1);
  if (!last) throw new Error('A new order needs at least one event.');
  const stored: StoredOrder = { order, lastEvent: { seq: last.seq, hash: last.hash } };
  await dynamo.send(
    new TransactWriteCommand({
      TransactItems: [
        ...(claim ? [claim] : []),
        {
          Put: {
            TableName: TABLE,
            Item: orderItem(stored),
            ConditionExpression: 'attribute_not_exists(pk)',
          },
        },
        ...eventItems(sealed),
      ],
    }),
  );
  return stored;
};

/** DynamoDB refuses a partition key over 2048 bytes (a ValidationException, a 500): no order has one. */
const MAX_PARTITION_KEY_BYTES = 2048;

/** The order and its waiting task (if any), read together and consistently. */
export const readOrder = async (id: string): Promise<StoredOrder | undefined> => {
  if (Buffer.byteLength(`ORDER#${id}`, 'utf8') > MAX_PARTITION_KEY_BYTES) return undefined;
  const result = await dynamo.send(
    new QueryCommand({
      TableName: TABLE,
      KeyConditionExpression: 'pk = :pk AND begins_with(sk, :hash)',
      ExpressionAttributeValues: { ':pk': `ORDER#${id}`, ':hash': '#' },
      ConsistentRead: true,
    }),
  );
  const orderRow = result.Items?.find((i) => i.sk === '#ORDER');
  if (!orderRow) return undefined;
  const { order, lastEvent } = parseRow(orderItemRow, 'order', orderKey(id), orderRow);
  const taskRow = result.Items?.find((i) => i.sk === '#TASK');
  const task = taskRow ? parseRow(pendingTaskRow, 'waiting task', taskKey(id), taskRow).task : undefined;
  return { order, lastEvent, ...(task ? { pendingTask: task } : {}) };
};

/** DynamoDB's BatchGetItem reads at most 100 keys per call. */
const BATCH_GET_KEYS = 100;
/** Rounds of unprocessed keys retried (with a short backoff) before giving up with an error. */
const BATCH_GET_ROUNDS = 8;

/**
 * Many orders at once (eventually consistent, for listings), in the order asked for; ids of no order
 * are left out. Keys DynamoDB returns unprocessed (throttling) are asked for again.
 */
export const readOrdersById = async (ids: readonly string[]): Promise<WorkOrder[]> => {
  const found = new Map<string, WorkOrder>();
  const wanted = [...new Set(ids)].filter(
    (id) => Buffer.byteLength(`ORDER#${id}`, 'utf8') <= MAX_PARTITION_KEY_BYTES,
  );
  for (let i = 0; i < wanted.length; i += BATCH_GET_KEYS) {
    let keys: Record<string, unknown>[] = wanted.slice(i, i + BATCH_GET_KEYS).map((id) => orderKey(id));
    for (let round = 0; keys.length > 0; round++) {
      if (round === BATCH_GET_ROUNDS)
        throw new Error(`${keys.length} orders still unread after ${round} rounds`);
      if (round > 0) await new Promise((resolve) => setTimeout(resolve, 25 * 2 ** round));
      const result = await dynamo.send(new BatchGetCommand({ RequestItems: { [TABLE]: { Keys: keys } } }));
      for (const item of result.Responses?.[TABLE] ?? []) {
        const { order } = parseRow(orderItemRow, 'order', tableKeyOf(item), item);
        found.set(order.id, order);
      }
      keys = (result.UnprocessedKeys?.[TABLE]?.Keys ?? []) as Record<string, unknown>[];
    }
  }
  return ids.flatMap((id) => found.get(id) ?? []);
};

/**
 * The waiting task must still be what `previous` saw: a token stored (or consumed) in between makes
 * the write fail as a concurrent update, and the caller reads again.
 */
const taskUnchanged = (previous: StoredOrder) => ({
  ConditionCheck: {
    TableName: TABLE,
    Key: taskKey(previous.order.id),
    ...(previous.pendingTask
      ? {
          ConditionExpression: 'task.#token = :token',
          ExpressionAttributeNames: { '#token': 'token' },
          ExpressionAttributeValues: { ':token': previous.pendingTask.token },
        }
      : { ConditionExpression: 'attribute_not_exists(pk)' }),
  },
});

/**
 * Saves a change made from `previous`: the order (if its version is still `previous`'s) and the new
 * events, chained after the last stored one. `consumeTask` deletes the waiting task the change
 * completes; otherwise the waiting task must be unchanged. An idempotency claim goes first.
 */
export const saveChange = async (
  previous: StoredOrder,
  change: { order: WorkOrder; events: readonly UnsealedEvent[] },
  options: { consumeTask?: boolean; claim?: ClaimPut } = {},
): Promise<StoredOrder> => {
  const sealed = sealEvents(change.order.id, previous.lastEvent, change.events);
  const last = sealed.at(-1) ?? { seq: previous.lastEvent.seq, hash: previous.lastEvent.hash };
  const keepTask = previous.pendingTask && !options.consumeTask;
  const stored: StoredOrder = {
    order: change.order,
    lastEvent: { seq: last.seq, hash: last.hash },
    ...(keepTask && previous.pendingTask ? { pendingTask: previous.pendingTask } : {}),
  };
  const consume = options.consumeTask && previous.pendingTask;
  try {
    await dynamo.send(
      new TransactWriteCommand({
        TransactItems: [
          ...(options.claim ? [options.claim] : []),
          {
            Put: {
              TableName: TABLE,
              Item: orderItem(stored),
              ConditionExpression: 'version = :expected',
              ExpressionAttributeValues: { ':expected': previous.order.version },
            },
          },
          consume
            ? {
                Delete: {
                  TableName: TABLE,
                  Key: taskKey(previous.order.id),
                  ConditionExpression: 'task.#token = :token',
                  ExpressionAttributeNames: { '#token': 'token' },
                  ExpressionAttributeValues: { ':token': previous.pendingTask?.token },
                },
              }
            : taskUnchanged(previous),
          ...eventItems(sealed),
        ],
      }),
    );
    return stored;
  } catch (error) {
    if (lostRace(error)) throw new ConcurrentUpdateError(change.order.id, { cause: error });
    throw error;
  }
};

/**
 * Puts back a waiting task's token that an action consumed but could not complete (Step Functions
 * unreachable), so that the next action or checkpoint completes it; never over a newer token.
 */
export const restorePendingTask = async (orderId: string, task: PendingTask): Promise<void> => {
  try {
    await dynamo.send(
      new PutCommand({
        TableName: TABLE,
        Item: { ...taskKey(orderId), type: 'task', task },
        ConditionExpression: 'attribute_not_exists(pk)',
      }),
    );
  } catch (error) {
    if (!(error instanceof Error && error.name === 'ConditionalCheckFailedException')) throw error;
  }
};

/**
 * Keeps a callback task's token with the order while the workflow waits for a person. Not a change of
 * the order (its version stays), but only valid for the order as `previous` saw it.
 */
export const storePendingTask = async (previous: StoredOrder, task: PendingTask): Promise<void> => {
  try {
    await dynamo.send(
      new TransactWriteCommand({
        TransactItems: [
          {
            ConditionCheck: {
              TableName: TABLE,
              Key: orderKey(previous.order.id),
              ConditionExpression: 'version = :expected',
              ExpressionAttributeValues: { ':expected': previous.order.version },
            },
          },
          { Put: { TableName: TABLE, Item: { ...taskKey(previous.order.id), type: 'task', task } } },
        ],
      }),
    );
  } catch (error) {
    if (lostRace(error)) throw new ConcurrentUpdateError(previous.order.id, { cause: error });
    throw error;
  }
};

/** One event of an order's log, or undefined when the log has no such event. */
export const readEvent = async (orderId: string, seq: number): Promise<OrderEvent | undefined> => {
  const { Item } = await dynamo.send(
    new GetCommand({
      TableName: TABLE,
      Key: { pk: `ORDER#${orderId}`, sk: eventSk(seq) },
      ConsistentRead: true,
    }),
  );
  return Item ? parseRow(eventItemRow, 'event', tableKeyOf(Item), Item).event : undefined;
};

export const readEvents = async (orderId: string): Promise<OrderEvent[]> =>
  (await queryPartition(TABLE, `ORDER#${orderId}`, 'EVENT#')).map(
    (item) => parseRow(eventItemRow, 'event', tableKeyOf(item), item).event,
  );

export interface OrderFilter {
  readonly status?: OrderStatus;
  readonly unitId?: string;
  readonly districtCode?: string;
  /** Inclusive ISO instants. */
  readonly from: string;
  readonly to: string;
  readonly limit: number;
  readonly cursor?: string;
}

/**
 * The cursor is opaque to callers but checked here: a DynamoDB key of the index being read (every key
 * attribute a string), the day being read, and a fingerprint of the filter it was issued for.
 */
const cursorSchema = z.strictObject({
  day: z.iso.date().optional(),
  key: z.record(z.string(), z.string().max(512)).optional(),
  filter: z.string().length(16),
});
type Cursor = z.infer<typeof cursorSchema>;

const invalidCursor = () =>
  new HotlineError(
    'badRequest',
    'INVALID_CURSOR',
    'The cursor is not one this API handed out for this filter.',
  );

const encodeCursor = (c: Cursor): string => Buffer.from(JSON.stringify(c)).toString('base64url');
const decodeCursor = (raw: string, fingerprint: string): Cursor => {
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(raw, 'base64url').toString('utf8'));
  } catch {
    throw invalidCursor();
  }
  const cursor = cursorSchema.safeParse(parsed);
  if (!cursor.success || cursor.data.filter !== fingerprint) throw invalidCursor();
  return cursor.data;
};

/** The most index reads one page may cost, so a sparse filter cannot turn one request into a table scan. */
const MAX_QUERIES_PER_PAGE = 20;
/** Index items read per query: filters apply after reading, so read generously and cut the page ourselves. */
const READ_BATCH = 100;

interface IndexChoice {
  readonly name: string;
  readonly pk: string;
  readonly sk: string;
}
const byUnit: IndexChoice = { name: 'byUnit', pk: 'gsi1pk', sk: 'gsi1sk' };
const byDistrict: IndexChoice = { name: 'byDistrict', pk: 'gsi2pk', sk: 'gsi2sk' };
const byDay: IndexChoice = { name: 'byDay', pk: 'gsi3pk', sk: 'gsi3sk' };

/**
 * Newest first. Reads the most selective index for the filter: the lead unit, else the district,
 * else one CST day at a time from `to` back to `from`. Status and the remaining filters are applied
 * on the way; a page is cut at `limit` and its cursor is the key of its last item, so nothing read
 * beyond the page is lost. A sparse filter may return a short page with a cursor.
 */
export const listOrders = async (
  filter: OrderFilter,
): Promise<{ items: OrderSummary[]; cursor?: string }> => {
  const fingerprint = createHash('sha256')
    .update(JSON.stringify([filter.status, filter.unitId, filter.districtCode, filter.from, filter.to]))
    .digest('hex')
    .slice(0, 16);
  const start: Partial<Cursor> = filter.cursor ? decodeCursor(filter.cursor, fingerprint) : {};
  const names: Record<string, string> = {};
  const values: Record<string, unknown> = { ':from': filter.from, ':to': `${filter.to}#~` };
  const conditions: string[] = [];
  if (filter.status) {
    names['#status'] = 'status';
    values[':status'] = filter.status;
    conditions.push('#status = :status');
  }
  let index: { choice: IndexChoice; value: string } | undefined;
  if (filter.unitId) {
    index = { choice: byUnit, value: `UNIT#${filter.unitId}` };
    if (filter.districtCode) {
      // A filter reads only what the index projects (tableSpec): the district is in the summary, while
      // gsi2pk is another index's key, which byUnit does not hold.
      names['#summary'] = 'summary';
      names['#location'] = 'location';
      names['#districtCode'] = 'districtCode';
      values[':district'] = filter.districtCode;
      conditions.push('#summary.#location.#districtCode = :district');
    }
  } else if (filter.districtCode) {
    index = { choice: byDistrict, value: `DISTRICT#${filter.districtCode}` };
  }

  const firstDay = chinaDateOf(Date.parse(filter.from));
  let day = index ? undefined : (start.day ?? chinaDateOf(Date.parse(filter.to)));
  if (day !== undefined && (day < firstDay || day > chinaDateOf(Date.parse(filter.to))))
    throw invalidCursor();
  let key: Record<string, unknown> | undefined = start.key;
  const items: OrderSummary[] = [];
  for (let queries = 0; queries < MAX_QUERIES_PER_PAGE; queries++) {
    const target = index ?? { choice: byDay, value: `DAY#${day}` };
    const input: QueryCommandInput = {
      TableName: TABLE,
      IndexName: target.choice.name,
      KeyConditionExpression: `${target.choice.pk} = :pk AND ${target.choice.sk} BETWEEN :from AND :to`,
      ExpressionAttributeValues: { ...values, ':pk': target.value },
      ...(Object.keys(names).length > 0 ? { ExpressionAttributeNames: names } : {}),
      ...(conditions.length > 0 ? { FilterExpression: conditions.join(' AND ') } : {}),
      ScanIndexForward: false,
      Limit: READ_BATCH,
      ExclusiveStartKey: key,
    };
    let page: QueryCommandOutput;
    try {
      page = await dynamo.send(new QueryCommand(input));
    } catch (error) {
      // A key that does not belong to this index (a forged cursor) is the caller's mistake.
      if (error instanceof Error && error.name === 'ValidationException' && key) throw invalidCursor();
      throw error;
    }
    const found = page.Items ?? [];
    for (const item of found) {
      items.push(
        parseRow(summaryItemRow, 'order summary', { ...tableKeyOf(item), index: target.choice.name }, item)
          .summary,
      );
      if (items.length === filter.limit) {
        const last = keyOf(item, target.choice);
        const more =
          item !== found.at(-1) ||
          page.LastEvaluatedKey !== undefined ||
          (!index && day !== undefined && day > firstDay);
        return {
          items,
          ...(more
            ? { cursor: encodeCursor({ ...(day ? { day } : {}), key: last, filter: fingerprint }) }
            : {}),
        };
      }
    }
    key = page.LastEvaluatedKey;
    if (key === undefined) {
      if (index || day === undefined || day <= firstDay) return { items };
      day = addDaysToDate(day, -1);
    }
  }
  return {
    items,
    cursor: encodeCursor({
      ...(day ? { day } : {}),
      ...(key ? { key: key as Record<string, string> } : {}),
      filter: fingerprint,
    }),
  };
};

/** The ExclusiveStartKey of an index item: the table's key and the index's key. */
const keyOf = (item: Record<string, unknown>, index: IndexChoice): Record<string, string> => ({
  pk: String(item.pk),
  sk: String(item.sk),
  [index.pk]: String(item[index.pk]),
  [index.sk]: String(item[index.sk]),
});

/**
 * Orders whose call-back step has been awaited since `from` or later and before `before` (ISO), oldest
 * first, a page at a time (ids only; the index is eventually consistent, so the caller reads each order
 * before acting).
 */
export const listAwaitedCallbacks = async (args: {
  from: string;
  before: string;
  limit: number;
  cursor?: Record<string, unknown>;
}): Promise<{ orderIds: string[]; cursor?: Record<string, unknown> }> => {
  const page = await dynamo.send(
    new QueryCommand({
      TableName: TABLE,
      IndexName: 'byCallbackStep',
      // BETWEEN is inclusive: `before` itself sorts below every `<before>#<id>`, so it is excluded.
      KeyConditionExpression: 'gsi5pk = :pk AND gsi5sk BETWEEN :from AND :before',
      ExpressionAttributeValues: { ':pk': CALLBACK_STEP_PK, ':from': args.from, ':before': args.before },
      Limit: args.limit,
      ...(args.cursor ? { ExclusiveStartKey: args.cursor } : {}),
    }),
  );
  return {
    orderIds: (page.Items ?? []).flatMap((item) => {
      const id = typeof item.gsi5sk === 'string' ? item.gsi5sk.split('#').at(-1) : undefined;
      return id ? [id] : [];
    }),
    ...(page.LastEvaluatedKey ? { cursor: page.LastEvaluatedKey } : {}),
  };
};

/** Ids of closed orders still holding a contact, closed before `before` (ISO), oldest first, a page at a time. */
export const listHeldContacts = async (args: {
  before: string;
  limit: number;
  cursor?: Record<string, unknown>;
}): Promise<{ ids: string[]; cursor?: Record<string, unknown> }> => {
  const result = await dynamo.send(
    new QueryCommand({
      TableName: TABLE,
      IndexName: 'byContactHeld',
      KeyConditionExpression: 'gsi6pk = :pk AND gsi6sk < :before',
      ExpressionAttributeValues: { ':pk': CONTACT_HELD_PK, ':before': args.before },
      Limit: args.limit,
      ...(args.cursor ? { ExclusiveStartKey: args.cursor } : {}),
    }),
  );
  const ids = (result.Items ?? []).flatMap((item) =>
    typeof item.gsi6sk === 'string' ? [item.gsi6sk.split('#').at(-1) ?? ''] : [],
  );
  return { ids, ...(result.LastEvaluatedKey ? { cursor: result.LastEvaluatedKey } : {}) };
};

/** Ids of the orders of one requester (their contact hash), newest first, at most `limit`. */
export const listRequesterOrders = async (requesterHash: string, limit: number): Promise<string[]> => {
  const result = await dynamo.send(
    new QueryCommand({
      TableName: TABLE,
      IndexName: 'byRequester',
      KeyConditionExpression: 'gsi7pk = :pk',
      ExpressionAttributeValues: { ':pk': `REQUESTER#${requesterHash}` },
      ScanIndexForward: false,
      Limit: limit,
    }),
  );
  return (result.Items ?? []).flatMap((item) =>
    typeof item.gsi7sk === 'string' ? [item.gsi7sk.split('#').at(-1) ?? ''] : [],
  );
};
