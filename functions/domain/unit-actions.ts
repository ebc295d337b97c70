import { callbackFallsDue } from './callback.ts';
import { composeChanges } from './changes.ts';
import type { Route } from './dispatch-catalogue.ts';
import { HotlineError } from './errors.ts';
import type { Actor } from './order-events.ts';
import type { HandlingDeadlines } from './time-limits.ts';
import {
  assertAllowed,
  type Change,
  changed,
  closeOrder,
  type contactWays,
  dispatchChange,
  iso,
  type OrderAction,
  type ReplyResult,
  type WorkOrder,
} from './work-order.ts';

/**
 * What people do to an order while it is handled (限期反馈), each a pure change with its event. The
 * status each action may start from is in `allowedTransitions`; who may do it is checked here too:
 * the lead unit (首接负责), a co-handler (协办), or the centre.
 */
type Person = Extract<Actor, { kind: 'person' }>;

/** Extension requests (延期) one order may make: each moves the deadline, so they are few. */
export const MAX_EXTENSION_REQUESTS = 3;

/** The days one extension may ask for: whole days, at least one, at most a month. */
export const EXTENSION_DAYS = { min: 1, max: 30 } as const;

/** The most person actions one order takes, so that no history can grow without bound (25 000 events). */
export const MAX_ACTIONS_PER_ORDER = 500;

const denied = (code: string, message: string) => new HotlineError('forbidden', code, message);
const conflict = (code: string, message: string, details?: unknown) =>
  new HotlineError('conflict', code, message, details);

const requireLead = (order: WorkOrder, actor: Person): void => {
  if (actor.role !== 'unit' || actor.unitId !== order.unitId) {
    throw denied('NOT_LEAD_UNIT', 'Only the lead unit of this order can do this (首接负责).');
  }
};

/** The co-handling unit the actor speaks for (协办单位), or a refusal. */
const coHandlerUnitOf = (order: WorkOrder, actor: Person): string => {
  const unitId = actor.role === 'unit' ? order.coUnitIds.find((id) => id === actor.unitId) : undefined;
  if (unitId === undefined) {
    throw denied('NOT_CO_HANDLER', 'Only a co-handling unit of this order can report on it.');
  }
  return unitId;
};

const requireCentre = (actor: Person, roles: readonly string[]): void => {
  if (!roles.includes(actor.role))
    throw denied('CENTRE_ONLY', `Only the centre (${roles.join(', ')}) can do this.`);
};

/** Actions the lead needs to finish the order: never blocked by the bound, whoever used it up. */
const essential: readonly OrderAction[] = ['accept', 'contact', 'reply'];

/** The bound on units' actions (the centre's decisions and the lead's essential ones are never blocked). */
const checkActionLimit = (order: WorkOrder, actor: Person, action?: OrderAction): void => {
  if (action && essential.includes(action)) return;
  if (actor.role === 'unit' && (order.actionCount ?? 0) >= MAX_ACTIONS_PER_ORDER) {
    throw conflict(
      'ACTION_LIMIT',
      `An order takes at most ${MAX_ACTIONS_PER_ORDER} unit actions; ask the centre to review it.`,
    );
  }
};

/**
 * Every person action goes through here: the transition table, the action bound, the version, the
 * event. A person acting also ends a run of idle waits (see supervision.ts).
 */
const act = (
  order: WorkOrder,
  action: OrderAction,
  actor: Person,
  nowMs: number,
  type: string,
  data: Record<string, unknown>,
  patch: Partial<WorkOrder> = {},
): Change => {
  assertAllowed(order, action);
  checkActionLimit(order, actor, action);
  return {
    order: changed(order, nowMs, {
      ...patch,
      actionCount: (order.actionCount ?? 0) + 1,
      // Someone acted: the run of idle waits ends, and the order is no longer stalled.
      ...(order.idleWaits ? { idleWaits: 0, flags: order.flags.filter((f) => f !== 'stalled') } : {}),
    }),
    events: [{ type, at: iso(nowMs), actor, data }],
  };
};

/** 签收: the lead unit signs for the order. */
export const acceptOrder = (order: WorkOrder, actor: Person, nowMs: number): Change => {
  requireLead(order, actor);
  return act(order, 'accept', actor, nowMs, 'accepted', {}, { status: 'accepted', acceptedAt: iso(nowMs) });
};

/** 派单异议: the lead unit says the order is not theirs. Once per order: a re-dispatched order stays. */
export const objectToDispatch = (order: WorkOrder, actor: Person, nowMs: number, reason: string): Change => {
  requireLead(order, actor);
  assertAllowed(order, 'object');
  if ((order.objectionCount ?? 0) > 0 || (order.redispatchCount ?? 0) > 0) {
    throw conflict(
      'OBJECTION_NOT_ALLOWED',
      'This order was objected to once already; it cannot be returned again.',
    );
  }
  return act(
    order,
    'object',
    actor,
    nowMs,
    'objected',
    { reason, unitId: order.unitId },
    {
      status: 'objected',
      objectionCount: (order.objectionCount ?? 0) + 1,
      pendingObjection: { reason, at: iso(nowMs), by: actor.unitId ?? actor.sub },
    },
  );
};

/** The centre's answer to an objection: re-dispatch elsewhere (new deadlines), or confirm the unit. */
export const decideObjection = (
  order: WorkOrder,
  actor: Person,
  nowMs: number,
  decision:
    | {
        kind: 'redispatch';
        route: Extract<Route, { kind: 'unit' }>;
        deadlines: HandlingDeadlines;
        note?: string;
      }
    | { kind: 'confirm'; note: string },
): Change => {
  requireCentre(actor, ['dispatcher', 'supervisor']);
  assertAllowed(order, 'decide_objection');
  if (decision.kind === 'confirm') {
    const { pendingObjection: settled, ...rest } = order;
    // The unit's clock stood still while the centre decided: its deadlines move by that pause.
    const pause = settled ? Math.max(0, nowMs - Date.parse(settled.at)) : 0;
    const shift = (deadline: string | undefined) =>
      deadline ? iso(Date.parse(deadline) + pause) : undefined;
    const deadlines = {
      ...order.deadlines,
      ...(order.deadlines.contactBy ? { contactBy: shift(order.deadlines.contactBy) } : {}),
      ...(order.deadlines.resolveBy ? { resolveBy: shift(order.deadlines.resolveBy) } : {}),
    } as WorkOrder['deadlines'];
    const confirmed = act(
      rest as WorkOrder,
      'decide_objection',
      actor,
      nowMs,
      'objection_refused',
      { note: decision.note, unitId: order.unitId },
      { status: 'dispatched', deadlines },
    );
    if (pause === 0) return confirmed;
    return {
      order: confirmed.order,
      events: [
        ...confirmed.events,
        {
          type: 'deadline_changed',
          at: iso(nowMs),
          actor,
          data: { reason: 'objection_refused', from: order.deadlines, to: deadlines },
        },
      ],
    };
  }
  if (decision.route.leadUnitId === order.unitId) {
    throw new HotlineError(
      'unprocessable',
      'SAME_UNIT',
      'Re-dispatch to another unit, or confirm the dispatch.',
    );
  }
  const moved = dispatchChange(
    order,
    {
      route: decision.route,
      deadlines: decision.deadlines,
      nowMs,
      actor,
      ...(decision.note ? { note: decision.note } : {}),
    },
    'redispatched',
  );
  return {
    order: {
      ...moved.order,
      actionCount: (order.actionCount ?? 0) + 1,
      // Someone acted: the run of idle waits ends, and the order is no longer stalled.
      ...(order.idleWaits ? { idleWaits: 0 } : {}),
    },
    events: [
      {
        type: 'deadline_changed',
        at: iso(nowMs),
        actor,
        data: { reason: 'redispatched', from: order.deadlines, to: moved.order.deadlines },
      },
      ...moved.events,
    ],
  };
};

/** 首次联系: the lead unit reached the requester (when and how). */
export const recordContact = (
  order: WorkOrder,
  actor: Person,
  nowMs: number,
  contact: { at?: string; way: (typeof contactWays)[number]; note?: string },
): Change => {
  requireLead(order, actor);
  if (order.contact)
    throw conflict('ALREADY_CONTACTED', `The requester was first contacted at ${order.contact.at}.`);
  const at = contact.at ?? iso(nowMs);
  if (Date.parse(at) > nowMs)
    throw new HotlineError(
      'unprocessable',
      'CONTACT_IN_FUTURE',
      'A contact cannot be recorded before it happens.',
    );
  if (order.dispatchedAt && Date.parse(at) < Date.parse(order.dispatchedAt)) {
    throw new HotlineError(
      'unprocessable',
      'CONTACT_BEFORE_DISPATCH',
      'The contact is earlier than the dispatch.',
    );
  }
  const late =
    order.deadlines.contactBy !== undefined && Date.parse(at) > Date.parse(order.deadlines.contactBy);
  return act(
    order,
    'contact',
    actor,
    nowMs,
    'contacted',
    { at, way: contact.way, late, ...(contact.note ? { note: contact.note } : {}) },
    {
      contact: { at, way: contact.way, ...(contact.note ? { note: contact.note } : {}) },
    },
  );
};

/** A progress note, from the lead or a co-handler. */
export const noteProgress = (order: WorkOrder, actor: Person, nowMs: number, text: string): Change => {
  if (
    actor.role !== 'unit' ||
    actor.unitId === undefined ||
    (actor.unitId !== order.unitId && !order.coUnitIds.includes(actor.unitId))
  ) {
    throw denied('NOT_HANDLING_UNIT', 'Only a unit handling this order can note progress on it.');
  }
  return act(order, 'progress', actor, nowMs, 'progress_noted', { text, unitId: actor.unitId });
};

/** 协办: the lead asks other units to co-handle; they report to the lead. */
export const requestCoHandling = (
  order: WorkOrder,
  actor: Person,
  nowMs: number,
  request: { unitIds: readonly string[]; note: string },
): Change => {
  requireLead(order, actor);
  return addCoHandlers(order, actor, nowMs, request, 'request_cohandling', 'co_handling_requested');
};

/** New co-handlers (协办 or 报到), each once; the lead and those already handling are left out. */
const addCoHandlers = (
  order: WorkOrder,
  actor: Person,
  nowMs: number,
  request: { unitIds: readonly string[]; note: string },
  action: 'request_cohandling' | 'summon',
  type: string,
): Change => {
  const added = [...new Set(request.unitIds)].filter(
    (id) => id !== order.unitId && !order.coUnitIds.includes(id),
  );
  if (added.length === 0) {
    throw new HotlineError('unprocessable', 'NO_NEW_CO_HANDLER', 'Those units already handle this order.');
  }
  return act(
    order,
    action,
    actor,
    nowMs,
    type,
    { unitIds: added, note: request.note },
    {
      coUnitIds: [...order.coUnitIds, ...added],
    },
  );
};

/** A co-handler's report, which reaches the lead (首接负责: the lead answers for the whole). */
export const reportCoHandling = (order: WorkOrder, actor: Person, nowMs: number, text: string): Change => {
  const unitId = coHandlerUnitOf(order, actor);
  // The text lives in the event; the order keeps who reported when (an item stays far under 400 KB).
  const report = { unitId, at: iso(nowMs) };
  return act(
    order,
    'report_cohandling',
    actor,
    nowMs,
    'co_handling_reported',
    { ...report, text, leadUnitId: order.unitId },
    {
      coReports: [...(order.coReports ?? []), report],
    },
  );
};

/** 街乡吹哨、部门报到: a street or township summons departments, which then co-handle (Art. 16). */
export const summonDepartments = (
  order: WorkOrder,
  actor: Person,
  nowMs: number,
  request: { unitIds: readonly string[]; note: string; leadIsStreet: boolean },
): Change => {
  requireLead(order, actor);
  if (!request.leadIsStreet)
    throw denied('NOT_A_STREET', 'Only a street or township summons departments (吹哨报到).');
  return addCoHandlers(order, actor, nowMs, request, 'summon', 'departments_summoned');
};

/** 延期: the lead asks for more time, with a reason; the centre decides. One request at a time. */
export const requestExtension = (
  order: WorkOrder,
  actor: Person,
  nowMs: number,
  request: { days: number; reason: string },
): Change => {
  requireLead(order, actor);
  if (
    !Number.isInteger(request.days) ||
    request.days < EXTENSION_DAYS.min ||
    request.days > EXTENSION_DAYS.max
  ) {
    throw new HotlineError(
      'badRequest',
      'EXTENSION_DAYS',
      `An extension asks for a whole number of days from ${EXTENSION_DAYS.min} to ${EXTENSION_DAYS.max}.`,
      { days: request.days },
    );
  }
  if (order.pendingExtension)
    throw conflict('EXTENSION_PENDING', 'An extension request is already waiting for the centre.');
  if ((order.extensionRequests ?? 0) >= MAX_EXTENSION_REQUESTS) {
    throw conflict('EXTENSION_LIMIT', `An order takes at most ${MAX_EXTENSION_REQUESTS} extension requests.`);
  }
  const current = order.deadlines.resolveBy;
  if (!current) throw conflict('NO_DEADLINE', 'This order has no resolution deadline to extend.');
  const proposedResolveBy = iso(Date.parse(current) + request.days * 24 * 60 * 60 * 1000);
  return act(
    order,
    'request_extension',
    actor,
    nowMs,
    'extension_requested',
    { ...request, resolveBy: current, proposedResolveBy },
    {
      pendingExtension: { ...request, at: iso(nowMs), by: actor.unitId ?? actor.sub, proposedResolveBy },
      extensionRequests: (order.extensionRequests ?? 0) + 1,
    },
  );
};

/** The centre approves (the deadline moves) or denies (it stays) an extension request. */
export const decideExtension = (
  order: WorkOrder,
  actor: Person,
  nowMs: number,
  decision: { approve: boolean; note?: string },
): Change => {
  requireCentre(actor, ['dispatcher', 'supervisor']);
  assertAllowed(order, 'decide_extension');
  const pending = order.pendingExtension;
  if (!pending) throw conflict('NO_EXTENSION_PENDING', 'There is no extension request to decide.');
  const { pendingExtension: _decided, ...rest } = order;
  const note = decision.note ? { note: decision.note } : {};
  if (!decision.approve) {
    return act(rest as WorkOrder, 'decide_extension', actor, nowMs, 'extension_denied', {
      days: pending.days,
      ...note,
    });
  }
  const change = act(
    rest as WorkOrder,
    'decide_extension',
    actor,
    nowMs,
    'extension_approved',
    { days: pending.days, ...note },
    {
      deadlines: { ...order.deadlines, resolveBy: pending.proposedResolveBy },
    },
  );
  return {
    order: change.order,
    events: [
      ...change.events,
      {
        type: 'deadline_changed',
        at: iso(nowMs),
        actor,
        data: {
          reason: 'extension',
          field: 'resolveBy',
          from: order.deadlines.resolveBy,
          to: pending.proposedResolveBy,
        },
      },
    ],
  };
};

/** The lead escalates a matter beyond its powers to the district, the city or a regulator (Art. 20). */
export const escalate = (
  order: WorkOrder,
  actor: Person,
  nowMs: number,
  request: { to: 'district' | 'city' | 'regulator'; reason: string; districtGovernmentId?: string },
): Change => {
  requireLead(order, actor);
  const { districtGovernmentId, ...escalation } = request;
  // Escalated to the district: its government is copied and can read the order from now on.
  const copy =
    escalation.to === 'district' &&
    districtGovernmentId &&
    !order.copiedUnitIds.includes(districtGovernmentId)
      ? { copiedUnitIds: [...order.copiedUnitIds, districtGovernmentId] }
      : {};
  return act(
    order,
    'escalate',
    actor,
    nowMs,
    'escalated',
    { ...escalation, ...(copy.copiedUnitIds ? { copied: districtGovernmentId } : {}) },
    {
      ...copy,
      escalations: [...(order.escalations ?? []), { to: escalation.to, at: iso(nowMs) }],
    },
  );
};

/** 办结反馈: the lead unit's reply with the result; the centre reviews it. */
export const replyToOrder = (
  order: WorkOrder,
  args: { result: ReplyResult; text: string; nowMs: number; actor: Person },
): Change => {
  requireLead(order, args.actor);
  // A reply withdraws a pending extension request: the work is done, no more time is needed.
  const { pendingExtension: withdrawn, ...rest } = order;
  // Stryker disable next-line StringLiteral: equivalent, requireLead leaves only the unit of the order, and an accepted order has one
  const reply = { result: args.result, text: args.text, at: iso(args.nowMs), by: args.actor.unitId ?? '' };
  const late = order.deadlines.resolveBy !== undefined && args.nowMs > Date.parse(order.deadlines.resolveBy);
  return act(
    rest as WorkOrder,
    'reply',
    args.actor,
    args.nowMs,
    'replied',
    { result: args.result, text: args.text, late, ...(withdrawn ? { extensionWithdrawn: true } : {}) },
    { status: 'replied', reply },
  );
};

/** The centre reviews the reply: accepted closes the handling; rejected sends it back with a reason. */
export const reviewReply = (
  order: WorkOrder,
  actor: Person,
  nowMs: number,
  decision: { accept: true } | { accept: false; reason: string; resolveBy: string },
): Change => {
  requireCentre(actor, ['operator', 'dispatcher', 'supervisor']);
  if (decision.accept) {
    return composeChanges(
      order,
      (o) => act(o, 'review_reply', actor, nowMs, 'reply_accepted', { result: o.reply?.result ?? null }),
      (o) => closeOrder(o, { outcome: 'handled', nowMs, actor }),
      // The handling ended: the call-back (回访) falls due.
      (o) => {
        const due = callbackFallsDue(o, 'handled', nowMs);
        return due && { order: { ...o, ...due.patch }, events: [due.event] };
      },
    );
  }
  const { reply: _rejected, ...rest } = order;
  const current = order.deadlines.resolveBy;
  const resolveBy = current && current > decision.resolveBy ? current : decision.resolveBy;
  const change = act(
    rest as WorkOrder,
    'review_reply',
    actor,
    nowMs,
    'reply_rejected',
    { reason: decision.reason, result: order.reply?.result ?? null },
    {
      status: 'accepted',
      replyRejections: (order.replyRejections ?? 0) + 1,
      deadlines: { ...order.deadlines, resolveBy },
    },
  );
  if (resolveBy === current) return change;
  return {
    order: change.order,
    events: [
      ...change.events,
      {
        type: 'deadline_changed',
        at: iso(nowMs),
        actor,
        data: { reason: 'reply_rejected', field: 'resolveBy', from: current ?? null, to: resolveBy },
      },
    ],
  };
};
