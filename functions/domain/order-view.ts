import { viewRequester } from './requester-privacy.ts';
import type { WorkOrder } from './work-order.ts';

/**
 * What a caller sees of an order. Art. 8: the requester's contact details are never in an order as it
 * is shown: those who may read them in clear see them masked with `contactReadable` and ask for them
 * (GET /orders/{id}/contact, recorded); others see them masked or not at all (requester-privacy.ts).
 */
export const viewOrder = (order: WorkOrder, viewer: { role: string; unitId?: string }) =>
  inReadingOrder(withoutLinkHashes({ ...order, requester: viewRequester(order, viewer) }));

/** Survey links are the requester's credential: callers see how many went out, not their hashes. */
const withoutLinkHashes = <T extends Pick<WorkOrder, 'callback'>>(order: T): T => {
  if (!order.callback?.links) return order;
  const { links, ...callback } = order.callback;
  return { ...order, callback: { ...callback, linksSent: links.length } };
};

/** Fields in the order a person reads an order (DynamoDB does not keep the order of a map's keys). */
const readingOrder = [
  'id',
  'version',
  'status',
  'flags',
  'lifecycleFailure',
  'appealType',
  'categoryCode',
  'urgency',
  'channel',
  'description',
  'requester',
  'location',
  'mediaUrl',
  'disposition',
  'unitId',
  'coUnitIds',
  'copiedUnitIds',
  'routeBasis',
  'deadlines',
  'receivedAt',
  'receivedBy',
  'dispatchedAt',
  'reply',
  'closedAt',
  'closure',
  'round',
  'reopenings',
  'callback',
  'updatedAt',
] as const;

const inReadingOrder = <T extends object>(value: T): T => {
  const source = value as Record<string, unknown>;
  const ordered: Record<string, unknown> = {};
  for (const key of readingOrder) if (key in source) ordered[key] = source[key];
  // The other fields follow in their own order: a spread keeps the keys already placed where they are.
  return { ...ordered, ...source } as T;
};

/** What a listing shows of an order: enough to pick it from a queue, without the requester's details. */
export const summarizeOrder = (order: WorkOrder) => ({
  id: order.id,
  version: order.version,
  status: order.status,
  flags: order.flags,
  appealType: order.appealType,
  categoryCode: order.categoryCode,
  urgency: order.urgency,
  channel: order.channel,
  title: order.description.length > 60 ? `${order.description.slice(0, 60)}…` : order.description,
  location: {
    districtCode: order.location.districtCode,
    ...(order.location.streetCode ? { streetCode: order.location.streetCode } : {}),
  },
  ...(order.unitId ? { unitId: order.unitId } : {}),
  coUnitIds: order.coUnitIds,
  copiedUnitIds: order.copiedUnitIds,
  deadlines: order.deadlines,
  receivedAt: order.receivedAt,
  updatedAt: order.updatedAt,
  ...(order.closure ? { closure: order.closure } : {}),
  ...(order.round && order.round > 1 ? { round: order.round } : {}),
  ...(order.callback ? { callback: { round: order.callback.round, state: order.callback.state } } : {}),
  // A stopped lifecycle shows in every queue the order is in, until its execution is redriven.
  ...(order.lifecycleFailure
    ? { lifecycleFailure: { state: order.lifecycleFailure.state, at: order.lifecycleFailure.at } }
    : {}),
});
export type OrderSummary = ReturnType<typeof summarizeOrder>;
