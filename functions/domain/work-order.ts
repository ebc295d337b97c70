import type { Route } from './dispatch-catalogue.ts';
import { HotlineError } from './errors.ts';
import type { Actor, UnsealedEvent } from './order-events.ts';
import type { Disposition, NewOrderInput, OrderLocation, Requester } from './order-input.ts';
import type { HandlingDeadlines } from './time-limits.ts';

/**
 * The work order (工单) and the explicit table of its allowed status changes. Every function here is
 * pure: it takes an order and returns the next order plus the events that explain the change, or
 * throws a 409 `ACTION_NOT_ALLOWED` and changes nothing.
 */
export const orderStatuses = ['received', 'awaiting_dispatch', 'dispatched', 'replied', 'closed'] as const;
export type OrderStatus = (typeof orderStatuses)[number];

/** Flags sit beside the status (supervision marks), they are not states. */
export type OrderFlag = 'dispatch_overdue' | 'overdue';

export type ClosureOutcome = 'handled' | 'disposed' | 'expired';

export const replyResults = ['resolved', 'partly_resolved', 'unresolved', 'explained'] as const;
export type ReplyResult = (typeof replyResults)[number];

export interface WorkOrder {
  readonly id: string;
  readonly version: number;
  readonly status: OrderStatus;
  readonly flags: readonly OrderFlag[];
  readonly appealType: NewOrderInput['appealType'];
  readonly categoryCode: string;
  readonly description: string;
  readonly channel: NewOrderInput['channel'];
  readonly urgency: NewOrderInput['urgency'];
  readonly requester: Requester;
  readonly location: OrderLocation;
  readonly disposition?: Disposition;
  readonly receivedAt: string;
  readonly receivedBy: { readonly sub: string; readonly role: string };
  readonly unitId?: string;
  readonly coUnitIds: readonly string[];
  readonly copiedUnitIds: readonly string[];
  readonly routeBasis?: Extract<Route, { kind: 'unit' }>['basis'];
  readonly dispatchedAt?: string;
  readonly deadlines: {
    readonly dispatchBy: string;
    readonly contactBy?: string;
    readonly resolveBy?: string;
    /** After a missed deadline, the late action is still accepted until then. */
    readonly graceUntil?: string;
  };
  readonly reply?: {
    readonly result: ReplyResult;
    readonly text: string;
    readonly at: string;
    readonly by: string;
  };
  readonly closedAt?: string;
  readonly closure?: { readonly outcome: ClosureOutcome };
  readonly updatedAt: string;
}

export type OrderAction = 'dispatch' | 'await_dispatcher' | 'reply' | 'close' | 'flag_overdue';

/** The allowed transitions: action → the statuses it may start from. Nothing else is allowed. */
export const allowedTransitions: Readonly<Record<OrderAction, readonly OrderStatus[]>> = {
  dispatch: ['received', 'awaiting_dispatch'],
  await_dispatcher: ['received'],
  reply: ['dispatched'],
  close: ['replied', 'received', 'awaiting_dispatch', 'dispatched'],
  flag_overdue: ['awaiting_dispatch', 'dispatched'],
};

export const assertAllowed = (order: WorkOrder, action: OrderAction): void => {
  if (!allowedTransitions[action].includes(order.status)) {
    throw new HotlineError(
      'conflict',
      'ACTION_NOT_ALLOWED',
      `Cannot ${action.replace('_', ' ')} an order that is ${order.status}.`,
      {
        action,
        status: order.status,
        allowedFrom: allowedTransitions[action],
      },
    );
  }
};

export interface Change {
  readonly order: WorkOrder;
  readonly events: readonly UnsealedEvent[];
}

const iso = (ms: number): string => new Date(ms).toISOString();

/** Receives a contact (接诉). A disposition closes it at once, recorded, never refused (Art. 11). */
export const receiveOrder = (args: {
  id: string;
  input: NewOrderInput;
  nowMs: number;
  actor: Extract<Actor, { kind: 'person' }>;
  dispatchBy: number;
}): Change => {
  const at = iso(args.nowMs);
  const { disposition, ...rest } = args.input;
  const base: WorkOrder = {
    id: args.id,
    version: 1,
    status: 'received',
    flags: [],
    ...rest,
    ...(disposition ? { disposition } : {}),
    receivedAt: at,
    receivedBy: { sub: args.actor.sub, role: args.actor.role },
    coUnitIds: [],
    copiedUnitIds: [],
    deadlines: { dispatchBy: iso(args.dispatchBy) },
    updatedAt: at,
  };
  const received: UnsealedEvent = {
    type: 'received',
    at,
    actor: args.actor,
    data: {
      appealType: base.appealType,
      categoryCode: base.categoryCode,
      channel: base.channel,
      urgency: base.urgency,
    },
  };
  if (!disposition) return { order: base, events: [received] };
  return {
    order: { ...base, status: 'closed', closedAt: at, closure: { outcome: 'disposed' } },
    events: [received, { type: 'disposed', at, actor: args.actor, data: { disposition } }],
  };
};

export const dispatchOrder = (
  order: WorkOrder,
  args: {
    route: Extract<Route, { kind: 'unit' }>;
    deadlines: HandlingDeadlines;
    nowMs: number;
    actor: Actor;
  },
): Change => {
  assertAllowed(order, 'dispatch');
  const at = iso(args.nowMs);
  const { graceUntil: _droppedGrace, ...deadlines } = order.deadlines;
  return {
    order: {
      ...order,
      version: order.version + 1,
      status: 'dispatched',
      unitId: args.route.leadUnitId,
      coUnitIds: args.route.coUnitIds,
      copiedUnitIds: args.route.copiedUnitIds,
      routeBasis: args.route.basis,
      dispatchedAt: at,
      deadlines: { ...deadlines, ...args.deadlines },
      updatedAt: at,
    },
    events: [
      {
        type: 'dispatched',
        at,
        actor: args.actor,
        data: {
          unitId: args.route.leadUnitId,
          coUnitIds: args.route.coUnitIds,
          copiedUnitIds: args.route.copiedUnitIds,
          basis: args.route.basis,
          contactBy: args.deadlines.contactBy,
          resolveBy: args.deadlines.resolveBy,
        },
      },
    ],
  };
};

export const awaitDispatcher = (
  order: WorkOrder,
  args: { reason: Extract<Route, { kind: 'dispatcher' }>['reason']; nowMs: number },
): Change => {
  assertAllowed(order, 'await_dispatcher');
  const at = iso(args.nowMs);
  return {
    order: { ...order, version: order.version + 1, status: 'awaiting_dispatch', updatedAt: at },
    events: [
      {
        type: 'awaiting_dispatch',
        at,
        actor: { kind: 'system', name: 'workflow' },
        data: { reason: args.reason, dispatchBy: order.deadlines.dispatchBy },
      },
    ],
  };
};

export const replyToOrder = (
  order: WorkOrder,
  args: { result: ReplyResult; text: string; nowMs: number; actor: Extract<Actor, { kind: 'person' }> },
): Change => {
  assertAllowed(order, 'reply');
  if (args.actor.unitId !== order.unitId) {
    throw new HotlineError('forbidden', 'NOT_LEAD_UNIT', 'Only the lead unit of this order can reply to it.');
  }
  const at = iso(args.nowMs);
  const reply = { result: args.result, text: args.text, at, by: args.actor.unitId ?? '' };
  return {
    order: { ...order, version: order.version + 1, status: 'replied', reply, updatedAt: at },
    events: [
      {
        type: 'replied',
        at,
        actor: args.actor,
        data: { result: args.result, text: args.text, late: order.flags.includes('overdue') },
      },
    ],
  };
};

/** A deadline passed without the awaited action: flag it (the supervision mark) and open a grace period. */
export const flagOverdue = (
  order: WorkOrder,
  args: { missed: 'dispatch' | 'reply'; graceUntilMs: number; nowMs: number },
): Change => {
  assertAllowed(order, 'flag_overdue');
  const flag: OrderFlag = args.missed === 'dispatch' ? 'dispatch_overdue' : 'overdue';
  const at = iso(args.nowMs);
  const deadline = args.missed === 'dispatch' ? order.deadlines.dispatchBy : order.deadlines.resolveBy;
  return {
    order: {
      ...order,
      version: order.version + 1,
      flags: order.flags.includes(flag) ? order.flags : [...order.flags, flag],
      deadlines: { ...order.deadlines, graceUntil: iso(args.graceUntilMs) },
      updatedAt: at,
    },
    events: [
      {
        type: 'deadline_missed',
        at,
        actor: { kind: 'system', name: 'workflow' },
        data: { missed: args.missed, deadline, flag, graceUntil: iso(args.graceUntilMs) },
      },
    ],
  };
};

export const closeOrder = (
  order: WorkOrder,
  args: { outcome: 'handled' | 'expired'; nowMs: number },
): Change => {
  assertAllowed(order, 'close');
  if (args.outcome === 'handled' && order.status !== 'replied') {
    throw new HotlineError(
      'conflict',
      'ACTION_NOT_ALLOWED',
      `Cannot close as handled an order that is ${order.status}.`,
    );
  }
  const at = iso(args.nowMs);
  return {
    order: {
      ...order,
      version: order.version + 1,
      status: 'closed',
      closedAt: at,
      closure: { outcome: args.outcome },
      updatedAt: at,
    },
    events: [
      { type: 'closed', at, actor: { kind: 'system', name: 'workflow' }, data: { outcome: args.outcome } },
    ],
  };
};

/** What the bus hears when an order closes (the contract of the `WorkOrder Closed` event). */
export const closedEventDetail = (order: WorkOrder) => ({
  orderId: order.id,
  outcome: order.closure?.outcome ?? 'handled',
  status: order.status,
  appealType: order.appealType,
  categoryCode: order.categoryCode,
  districtCode: order.location.districtCode,
  unitId: order.unitId ?? null,
  receivedAt: order.receivedAt,
  closedAt: order.closedAt ?? null,
  flags: order.flags,
  replyResult: order.reply?.result ?? null,
  disposition: order.disposition?.kind ?? null,
  anonymous: order.requester.anonymous,
  declinesCallback: order.requester.declinesCallback,
});
