import type { WorkOrder } from './work-order.ts';

/**
 * What a caller sees of an order. Art. 8: the identity and contact details of a requester are
 * protected; a report's (举报) requester is never shown to a unit.
 */
export const viewOrder = (order: WorkOrder, viewer: { role: string; unitId?: string }) => {
  // Art. 8: contact details go to those who must call the requester — the centre and the lead unit —
  // and never, for a report (举报), to a unit. Co-handlers and copied units see the matter, not the person.
  // A unit without its id is no lead, even of an order that has none yet (undefined === undefined).
  const seesRequester =
    viewer.role !== 'unit' ||
    (viewer.unitId !== undefined && viewer.unitId === order.unitId && order.appealType !== 'report');
  const shown = seesRequester
    ? order
    : {
        ...order,
        requester: { kind: order.requester.kind, anonymous: order.requester.anonymous, protected: true },
      };
  return inReadingOrder(withoutLinkHashes(shown));
};

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
