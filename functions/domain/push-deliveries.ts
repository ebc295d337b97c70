import { createHash } from 'node:crypto';
import type { OrderEvent } from './order-events.ts';
import { viewOrder } from './order-view.ts';
import { type PushedEventType, pushedEventTypes } from './pushed-events.ts';
import type { WorkOrder } from './work-order.ts';

/**
 * Work pushed to the units' own systems (issue 10): which events of an order's log a unit is told of,
 * which units are told, and what each delivery says. Pure: the signing is push-signature.ts, the
 * subscriptions push-subscription-store.ts, the sending EventBridge API destinations.
 *
 * A unit is told of what asks something of it:
 *   dispatched / redispatched          the lead unit it went to, and the co-handlers named with it
 *   co_handling_requested              the units asked to co-handle (协办)
 *   departments_summoned               the departments a street summoned (吹哨报到)
 *   reminder / supervision             the lead unit, when the obligation is the unit's (not the
 *                                      centre's own dispatch)
 *   reply_rejected                     the lead unit (its reply was sent back)
 *   reopened                           the unit the order is reopened to
 *   callback_answered / _unreachable   the lead unit (the call-back's result, 回访评价)
 */
export { type PushedEventType, pushedEventTypes };

const pushed = new Set<string>(pushedEventTypes);
export const isPushedEventType = (type: string): type is PushedEventType => pushed.has(type);

/** Obligations that are the centre's own: a reminder of them asks nothing of a unit. */
const centreObligations = new Set(['dispatch']);

const unitIdsIn = (value: unknown): string[] =>
  Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string' && v !== '') : [];

/** The units told of one event, each once, in a stable order. */
export const recipientsOf = (
  event: Pick<OrderEvent, 'type' | 'data'>,
  order: Pick<WorkOrder, 'unitId' | 'coUnitIds'>,
): string[] => {
  const data = event.data;
  const lead = typeof data.unitId === 'string' ? data.unitId : order.unitId;
  const units = (() => {
    switch (event.type) {
      case 'dispatched':
      case 'redispatched':
        return [lead, ...unitIdsIn(data.coUnitIds)];
      case 'co_handling_requested':
      case 'departments_summoned':
        return unitIdsIn(data.unitIds);
      case 'reminder':
      case 'supervision':
        return centreObligations.has(String(data.obligation)) ? [] : [order.unitId];
      case 'reply_rejected':
      case 'callback_answered':
      case 'callback_unreachable':
        return [order.unitId];
      case 'reopened':
        return [lead];
      default:
        return [];
    }
  })();
  return [...new Set(units.filter((u): u is string => typeof u === 'string' && u !== ''))];
};

/**
 * What of an event's data a unit is told: as logged, except the requester's own words in a
 * call-back's answer (the unit reads its result, not the comment; Art. 8).
 */
const dataForUnit = (event: Pick<OrderEvent, 'type' | 'data'>): Record<string, unknown> => {
  if (event.type !== 'callback_answered') return { ...event.data };
  const { comment: _requesterWords, ...rest } = event.data;
  return rest;
};

/** The delivery of one event to one subscription has one id, whoever sends it and however often. */
export const deliveryIdOf = (subscriptionId: string, orderId: string, seq: number): string =>
  `dlv_${createHash('sha256').update(`${subscriptionId}|${orderId}|${seq}`).digest('hex').slice(0, 32)}`;

/**
 * The largest body sent with the order in it. An EventBridge entry holds at most 256 KB with its
 * headers' values; an order above this is sent without its view (the receiver reads GET /orders/{id}).
 */
export const MAX_BODY_WITH_ORDER_BYTES = 200_000;

export interface DeliveryBody {
  readonly id: string;
  readonly type: `order.${PushedEventType}`;
  readonly subscriptionId: string;
  readonly unitId: string;
  readonly occurredAt: string;
  readonly event: {
    readonly orderId: string;
    readonly seq: number;
    readonly type: PushedEventType;
    readonly at: string;
    readonly data: Record<string, unknown>;
  };
  /** The order as GET /orders/{id} shows it to this unit, when the delivery was made. */
  readonly order?: ReturnType<typeof viewOrder>;
  readonly orderOmitted?: true;
}

/**
 * The body of one delivery, as compact JSON (what is signed is exactly these bytes). The order is
 * shown as the API shows it to the unit: the requester masked, a whistle-blower hidden from the unit
 * reported on (requester-privacy.ts viewRequester).
 */
export const deliveryBodyOf = (args: {
  readonly subscriptionId: string;
  readonly unitId: string;
  readonly event: Pick<OrderEvent, 'orderId' | 'seq' | 'type' | 'at' | 'data'>;
  readonly order: WorkOrder;
}): { body: string; deliveryId: string } => {
  const { event } = args;
  if (!isPushedEventType(event.type)) throw new Error(`Order events of type ${event.type} are not pushed.`);
  const deliveryId = deliveryIdOf(args.subscriptionId, event.orderId, event.seq);
  const thin: DeliveryBody = {
    id: deliveryId,
    type: `order.${event.type}`,
    subscriptionId: args.subscriptionId,
    unitId: args.unitId,
    occurredAt: event.at,
    event: {
      orderId: event.orderId,
      seq: event.seq,
      type: event.type,
      at: event.at,
      data: dataForUnit(event),
    },
  };
  const full = JSON.stringify({
    ...thin,
    order: viewOrder(args.order, { role: 'unit', unitId: args.unitId }),
  });
  const body =
    Buffer.byteLength(full, 'utf8') <= MAX_BODY_WITH_ORDER_BYTES
      ? full
      : JSON.stringify({ ...thin, orderOmitted: true });
  return { body, deliveryId };
};
