import type { CallbackRound } from './callback.ts';
import type { Route } from './dispatch-catalogue.ts';
import { HotlineError } from './errors.ts';
import type { LifecycleFailure } from './lifecycle-failure.ts';
import type { Actor, UnsealedEvent } from './order-events.ts';
import type { Disposition, NewOrderInput, OrderLocation } from './order-input.ts';
import { type SealedContact, type StoredRequester, storedRequesterOf } from './requester-privacy.ts';
import type { HandlingDeadlines } from './time-limits.ts';

/**
 * The work order (工单) and the explicit table of its allowed status changes. Every function here and
 * in unit-actions.ts is pure: it takes an order and returns the next order plus the events that explain
 * the change, or throws a 409 `ACTION_NOT_ALLOWED` and changes nothing.
 */
export const orderStatuses = [
  'received',
  'awaiting_dispatch',
  'dispatched', // 已派单: the lead unit has it, not yet signed for
  'accepted', // 已签收: the lead unit handles it
  'objected', // 派单异议: the unit disputes the dispatch; the centre decides
  'replied', // 办结反馈: the unit fed back; the centre reviews
  'closed',
] as const;
export type OrderStatus = (typeof orderStatuses)[number];

/**
 * Flags sit beside the status (supervision marks), they are not states: missed deadlines and the
 * supervision ladder (催办 → 督办 → 通报).
 */
export const orderFlags = [
  'dispatch_overdue',
  'contact_overdue',
  'overdue',
  'urged', // 催办
  'supervised', // 督办
  'notified', // 通报
  'stalled',
] as const;
export type OrderFlag = (typeof orderFlags)[number];

export type ClosureOutcome = 'handled' | 'disposed' | 'expired';

export const replyResults = ['resolved', 'partly_resolved', 'unresolved', 'explained'] as const;
export type ReplyResult = (typeof replyResults)[number];

export const contactWays = ['phone', 'sms', 'visit', 'online', 'other'] as const;

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
  /** Contact details only sealed, hashed and masked (requester-privacy.ts). */
  readonly requester: StoredRequester;
  readonly location: OrderLocation;
  readonly disposition?: Disposition;
  readonly mediaUrl?: string;
  readonly receivedAt: string;
  /** Who recorded it; `app` names the client application of an order filed through Open311. */
  readonly receivedBy: { readonly sub: string; readonly role: string; readonly app?: string };
  readonly unitId?: string;
  readonly coUnitIds: readonly string[];
  readonly copiedUnitIds: readonly string[];
  readonly routeBasis?: Extract<Route, { kind: 'unit' }>['basis'];
  readonly dispatchedAt?: string;
  /** How often the centre moved the order to another unit after an objection (at most once). */
  readonly redispatchCount?: number;
  /** Objections filed (派单异议): one per order. */
  readonly objectionCount?: number;
  readonly pendingObjection?: { readonly reason: string; readonly at: string; readonly by: string };
  readonly acceptedAt?: string;
  readonly contact?: {
    readonly at: string;
    readonly way: (typeof contactWays)[number];
    readonly note?: string;
  };
  readonly pendingExtension?: {
    readonly days: number;
    readonly reason: string;
    readonly at: string;
    readonly by: string;
    readonly proposedResolveBy: string;
  };
  /** Who of the co-handlers reported, and when (the texts are in the events, for the lead to read). */
  readonly coReports?: readonly { readonly unitId: string; readonly at: string }[];
  /** Where the lead escalated to, and when (the reasons are in the events). */
  readonly escalations?: readonly { readonly to: string; readonly at: string }[];
  readonly extensionRequests?: number;
  readonly deadlines: {
    readonly dispatchBy: string;
    readonly contactBy?: string;
    readonly resolveBy?: string;
  };
  readonly reply?: {
    readonly result: ReplyResult;
    readonly text: string;
    readonly at: string;
    readonly by: string;
  };
  readonly replyRejections?: number;
  /** A unit's appeal (申诉) against the order counting in its assessment, until the centre decides. */
  readonly pendingAppeal?: { readonly reason: string; readonly at: string; readonly by: string };
  /** Supervision checkpoints already handled (reminders, missed deadlines, ladder steps), by id. */
  readonly checkpointsDone?: readonly string[];
  /** Person actions recorded so far; bounded so that no order's history can grow without end. */
  readonly actionCount?: number;
  /** Idle waits in a row (nobody acted, nothing left to supervise); any person's action resets it. */
  readonly idleWaits?: number;
  readonly closedAt?: string;
  readonly closure?: { readonly outcome: ClosureOutcome };
  /** The handling round: 1, and one more each time an unhappy call-back reopened the order. */
  readonly round?: number;
  readonly reopenings?: number;
  /** The call-back (回访) of the latest round that has one; earlier rounds' are in the events. */
  readonly callback?: CallbackRound;
  /** The lifecycle stopped: a state failed past its retries, until the execution is redriven (lifecycle-failure.ts). */
  readonly lifecycleFailure?: LifecycleFailure;
  readonly updatedAt: string;
}

export type OrderAction =
  | 'dispatch'
  | 'await_dispatcher'
  | 'accept'
  | 'object'
  | 'decide_objection'
  | 'contact'
  | 'progress'
  | 'request_cohandling'
  | 'report_cohandling'
  | 'summon'
  | 'request_extension'
  | 'decide_extension'
  | 'escalate'
  | 'reply'
  | 'review_reply'
  | 'checkpoint'
  | 'close'
  | 'reopen';

/** The allowed transitions: action → the statuses it may start from. Nothing else is allowed. */
export const allowedTransitions: Readonly<Record<OrderAction, readonly OrderStatus[]>> = {
  dispatch: ['received', 'awaiting_dispatch'],
  await_dispatcher: ['received'],
  accept: ['dispatched'],
  object: ['dispatched'],
  decide_objection: ['objected'],
  contact: ['accepted'],
  progress: ['accepted'],
  request_cohandling: ['accepted'],
  report_cohandling: ['accepted', 'replied'],
  summon: ['accepted'],
  request_extension: ['accepted'],
  decide_extension: ['accepted'],
  escalate: ['accepted'],
  reply: ['accepted'],
  review_reply: ['replied'],
  checkpoint: ['received', 'awaiting_dispatch', 'dispatched', 'accepted', 'objected', 'replied'],
  close: ['received', 'awaiting_dispatch', 'dispatched', 'accepted', 'objected', 'replied'],
  // An unhappy call-back reopens a closed order to its unit (重办).
  reopen: ['closed'],
};

export const assertAllowed = (order: WorkOrder, action: OrderAction): void => {
  if (!allowedTransitions[action].includes(order.status)) {
    throw new HotlineError(
      'conflict',
      'ACTION_NOT_ALLOWED',
      `Cannot ${action.replaceAll('_', ' ')} an order that is ${order.status}.`,
      { action, status: order.status, allowedFrom: allowedTransitions[action] },
    );
  }
};

export interface Change {
  readonly order: WorkOrder;
  readonly events: readonly UnsealedEvent[];
}

export const iso = (ms: number): string => new Date(ms).toISOString();

/** A change of the order: the version moves by one and the time of the change is recorded. */
export const changed = (order: WorkOrder, nowMs: number, patch: Partial<WorkOrder>): WorkOrder => ({
  ...order,
  ...patch,
  version: order.version + 1,
  updatedAt: iso(nowMs),
});

export const withFlag = (flags: readonly OrderFlag[], flag: OrderFlag): readonly OrderFlag[] =>
  flags.includes(flag) ? flags : [...flags, flag];

/** Receives a contact (接诉). A disposition closes it at once, recorded, never refused (Art. 11). */
export const receiveOrder = (args: {
  id: string;
  input: NewOrderInput;
  nowMs: number;
  actor: Extract<Actor, { kind: 'person' }>;
  dispatchBy: number;
  /** The client application an Open311 order came through. */
  app?: string;
  /** The requester's contact, sealed by the application (none for an anonymous requester). */
  contact?: SealedContact;
}): Change => {
  const at = iso(args.nowMs);
  const { disposition, requester, ...rest } = args.input;
  const base: WorkOrder = {
    id: args.id,
    version: 1,
    status: 'received',
    flags: [],
    ...rest,
    requester: storedRequesterOf(requester, args.contact),
    ...(disposition ? { disposition } : {}),
    receivedAt: at,
    receivedBy: { sub: args.actor.sub, role: args.actor.role, ...(args.app ? { app: args.app } : {}) },
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
      ...(args.app ? { app: args.app } : {}),
    },
  };
  if (!disposition) return { order: base, events: [received] };
  return {
    order: { ...base, status: 'closed', closedAt: at, closure: { outcome: 'disposed' } },
    events: [received, { type: 'disposed', at, actor: args.actor, data: { disposition } }],
  };
};

/**
 * Dispatch (当天转办) by the catalogue or a dispatcher, and re-dispatch after an objection: the lead
 * unit, its co-handlers, who is copied, and the deadlines counted from now.
 */
export const dispatchOrder = (
  order: WorkOrder,
  args: {
    route: Extract<Route, { kind: 'unit' }>;
    deadlines: HandlingDeadlines;
    nowMs: number;
    actor: Actor;
    note?: string;
  },
): Change => {
  assertAllowed(order, 'dispatch');
  return dispatchChange(order, args, 'dispatched');
};

export const dispatchChange = (
  order: WorkOrder,
  args: {
    route: Extract<Route, { kind: 'unit' }>;
    deadlines: HandlingDeadlines;
    nowMs: number;
    actor: Actor;
    note?: string;
  },
  type: 'dispatched' | 'redispatched',
): Change => {
  const at = iso(args.nowMs);
  const { pendingObjection: _settled, acceptedAt: _notYet, contact: _before, ...rest } = order;
  return {
    order: changed(rest as WorkOrder, args.nowMs, {
      status: 'dispatched',
      unitId: args.route.leadUnitId,
      coUnitIds: args.route.coUnitIds,
      copiedUnitIds: args.route.copiedUnitIds,
      routeBasis: args.route.basis,
      dispatchedAt: at,
      deadlines: { dispatchBy: order.deadlines.dispatchBy, ...args.deadlines },
      ...(type === 'redispatched'
        ? {
            redispatchCount: (order.redispatchCount ?? 0) + 1,
            // The new unit starts clean; the previous unit's lateness stays in the events.
            flags: order.flags.filter((f) => f === 'dispatch_overdue'),
          }
        : {}),
    }),
    events: [
      {
        type,
        at,
        actor: args.actor,
        data: {
          unitId: args.route.leadUnitId,
          coUnitIds: args.route.coUnitIds,
          copiedUnitIds: args.route.copiedUnitIds,
          basis: args.route.basis,
          contactBy: args.deadlines.contactBy,
          resolveBy: args.deadlines.resolveBy,
          ...(order.unitId && type === 'redispatched' ? { previousUnitId: order.unitId } : {}),
          ...(args.note ? { note: args.note } : {}),
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
  return {
    order: changed(order, args.nowMs, { status: 'awaiting_dispatch' }),
    events: [
      {
        type: 'awaiting_dispatch',
        at: iso(args.nowMs),
        actor: { kind: 'system', name: 'workflow' },
        data: { reason: args.reason, dispatchBy: order.deadlines.dispatchBy },
      },
    ],
  };
};

/** Closes an order: `handled` after an accepted reply, `expired` when the workflow gives up on it. */
export const closeOrder = (
  order: WorkOrder,
  args: { outcome: 'handled' | 'expired'; nowMs: number; actor?: Actor },
): Change => {
  assertAllowed(order, 'close');
  if (args.outcome === 'handled' && order.status !== 'replied') {
    throw new HotlineError(
      'conflict',
      'ACTION_NOT_ALLOWED',
      `An order that is ${order.status} has no accepted reply to close as handled.`,
    );
  }
  const at = iso(args.nowMs);
  return {
    order: changed(order, args.nowMs, { status: 'closed', closedAt: at, closure: { outcome: args.outcome } }),
    events: [
      {
        type: 'closed',
        at,
        actor: args.actor ?? { kind: 'system', name: 'workflow' },
        data: { outcome: args.outcome },
      },
    ],
  };
};

/** What the bus hears when an order closes (the contract of the `WorkOrder Closed` event). */
export const closedEventDetail = (order: WorkOrder) => ({
  ...callbackEventDetail(order),
  outcome: order.closure?.outcome ?? 'handled',
  closedAt: order.closedAt ?? null,
  replyResult: order.reply?.result ?? null,
  disposition: order.disposition?.kind ?? null,
});

/**
 * What the bus hears when an order's limit runs out without a reply (`WorkOrder Limit Expired`): the
 * call-back is due all the same (Art. 23).
 */
export const limitExpiredEventDetail = (order: WorkOrder) => ({
  ...callbackEventDetail(order),
  outcome: 'limit_expired' as const,
  resolveBy: order.deadlines.resolveBy ?? null,
});

const callbackEventDetail = (order: WorkOrder) => ({
  orderId: order.id,
  round: order.round ?? 1,
  status: order.status,
  appealType: order.appealType,
  categoryCode: order.categoryCode,
  districtCode: order.location.districtCode,
  unitId: order.unitId ?? null,
  receivedAt: order.receivedAt,
  flags: order.flags,
  anonymous: order.requester.anonymous,
  declinesCallback: order.requester.declinesCallback,
});
