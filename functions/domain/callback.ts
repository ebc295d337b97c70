import * as z from 'zod';
import { composeChanges } from './changes.ts';
import { CST_OFFSET_MS, chinaDateOf, HOUR_MS, startOfChinaDate } from './china-time.ts';
import { HotlineError } from './errors.ts';
import type { Actor, UnsealedEvent } from './order-events.ts';
import { meaningfulText } from './text.ts';
import { limitSpecSchema } from './time-limits.ts';
import { assertAllowed, type Change, changed, iso, type WorkOrder } from './work-order.ts';

/**
 * 回访评价 (Art. 23): the call-back of the requester once the handling of a round ended — the centre
 * accepted the unit's reply, or the limit ran out without one. Each handling round (the first, and
 * one per reopening) has at most one call-back with a few attempts; an answer, or the last attempt
 * running out ("unreachable"), ends it. An unhappy answer to a closed order reopens it to its unit.
 *
 *   due ──schedule──▶ scheduled ──attempt 1..n──▶ open ──answer──▶ answered (▶ reopened)
 *                                                   └──attempts run out──▶ unreachable
 *
 * Pure: every step takes the order and returns the next order and its events, or nothing when the
 * step already happened (schedules and deliveries come at least once).
 */
export const callbackRulesSchema = z.strictObject({
  version: z.string(),
  /** The first attempt comes this long after the call-back fell due… */
  firstAttemptAfter: limitSpecSchema,
  /** …and each further attempt this long after the one before. */
  retryAfter: limitSpecSchema,
  /** Attempts before the requester counts as unreachable. */
  attempts: z.number().int().min(1).max(10),
  /** Attempts only in these CST hours [from, to): nobody is called at night. */
  callingHours: z
    .strictObject({ from: z.number().int().min(0).max(23), to: z.number().int().min(1).max(24) })
    .refine((h) => h.from < h.to, 'from is before to'),
  /** Reopenings after unhappy answers an order may have; the answer after the last is only recorded. */
  maxReopenings: z.number().int().min(0).max(5),
});
export type CallbackRules = z.infer<typeof callbackRulesSchema>;

export const solvedAnswers = ['solved', 'partly', 'not'] as const;
export const satisfiedAnswers = ['satisfied', 'basically', 'not'] as const;

/** The three questions of the call-back (Art. 23; brief §5) and a free text. */
export const callbackAnswerSchema = z.strictObject({
  /** Did the unit contact you within the limit? */
  contactedInTime: z.boolean(),
  solved: z.enum(solvedAnswers),
  satisfied: z.enum(satisfiedAnswers),
  comment: meaningfulText(1000).optional(),
});
export type CallbackAnswer = z.infer<typeof callbackAnswerSchema>;

export type CallbackReason = 'handled' | 'limit_expired';
export type CallbackState = 'due' | 'scheduled' | 'open' | 'answered' | 'unreachable';

export interface CallbackRound {
  readonly round: number;
  readonly reason: CallbackReason;
  readonly state: CallbackState;
  readonly dueAt: string;
  /** When the first attempt is scheduled (once scheduled). */
  readonly firstAttemptAt?: string;
  /** Attempts opened so far; the first opened at `openedAt`. */
  readonly attempts: number;
  readonly openedAt?: string;
  readonly lastAttemptAt?: string;
  /** When the next attempt, or the final check of the last one, is due. */
  readonly nextCheckAt?: string;
  /** Hashes of the survey links sent in this round (the links themselves are never stored here). */
  readonly links?: readonly { readonly hash: string; readonly expiresAt: string }[];
  readonly answer?: CallbackAnswer & {
    readonly at: string;
    readonly via: 'operator' | 'link';
  };
  readonly endedAt?: string;
  /** How often the reconciler had to schedule an awaited step again (a firing that was lost). */
  readonly reschedules?: number;
}

/** The handling round an order is in: 1, then one more per reopening. */
export const roundOf = (order: Pick<WorkOrder, 'round'>): number => order.round ?? 1;

/** Anonymous requesters and those who declined are never contacted. */
export const mayCallBack = (order: Pick<WorkOrder, 'requester'>): boolean =>
  !order.requester.anonymous && !order.requester.declinesCallback;

export const isUnhappy = (answer: Pick<CallbackAnswer, 'solved' | 'satisfied'>): boolean =>
  answer.solved === 'not' || answer.satisfied === 'not';

const workflow = { kind: 'system', name: 'callbacks' } as const;

/**
 * The call-back of the order's current round falls due (its reply was accepted, or its limit ran out
 * without one). Nothing when the requester may not be called or the round already has its call-back.
 * Used inside other changes: returns the patch and the event to add, not a change of its own.
 */
export const callbackFallsDue = (
  order: WorkOrder,
  reason: CallbackReason,
  nowMs: number,
): { patch: Pick<WorkOrder, 'callback'>; event: UnsealedEvent } | undefined => {
  const round = roundOf(order);
  if (!mayCallBack(order) || (order.callback && order.callback.round >= round)) return undefined;
  const at = iso(nowMs);
  return {
    patch: { callback: { round, reason, state: 'due', dueAt: at, attempts: 0 } },
    event: { type: 'callback_due', at, actor: workflow, data: { round, reason } },
  };
};

/** Moves an instant into the calling hours (CST): before them to their start, after them to the next day's. */
export const withinCallingHours = (ms: number, hours: CallbackRules['callingHours']): number => {
  const hour = new Date(ms + CST_OFFSET_MS).getUTCHours();
  if (hour >= hours.from && hour < hours.to) return ms;
  const dayStart = startOfChinaDate(chinaDateOf(ms));
  const start = dayStart + hours.from * HOUR_MS;
  // Stryker disable next-line EqualityOperator: equivalent, an hour equal to `from` returned above
  return hour < hours.from ? start : start + 24 * HOUR_MS;
};

const currentRound = (order: WorkOrder, round: number): CallbackRound | undefined =>
  order.callback && order.callback.round === round ? order.callback : undefined;

/** The first attempt got its schedule. Nothing if the round moved on already. */
export const callbackScheduled = (
  order: WorkOrder,
  args: { round: number; firstAttemptAt: number; schedule: string; nowMs: number },
): Change | undefined => {
  const callback = currentRound(order, args.round);
  if (callback?.state !== 'due') return undefined;
  const firstAttemptAt = iso(args.firstAttemptAt);
  return {
    order: changed(order, args.nowMs, {
      callback: { ...callback, state: 'scheduled', firstAttemptAt, nextCheckAt: firstAttemptAt },
    }),
    events: [
      {
        type: 'callback_scheduled',
        at: iso(args.nowMs),
        actor: workflow,
        data: { round: args.round, firstAttemptAt, schedule: args.schedule },
      },
    ],
  };
};

/**
 * Whether attempt `attempt` may open: the round has not ended and has not had it. A round still `due`
 * counts as scheduled — an attempt firing proves its schedule exists even if saving that was lost.
 */
/**
 * What a firing of the call-back schedules does, for attempt `attempt` of round `round`: nothing for a
 * round the order is no longer in (`superseded`: a reopening started another); the ended round only
 * settled again (`settle`: a firing after an answer or the final check); the final check, once the
 * configured attempts all ran out (`unreachable`: the schedule of attempt attempts + 1 is that check);
 * else the attempt opens (`open`; a late replay of an earlier attempt is found superseded then).
 */
export type AttemptStep = 'superseded' | 'settle' | 'unreachable' | 'open';

export const attemptStep = (
  callback: CallbackRound | undefined,
  firing: { readonly round: number; readonly attempt: number },
  rules: Pick<CallbackRules, 'attempts'>,
): AttemptStep => {
  if (callback?.round !== firing.round) return 'superseded';
  if (callback.state === 'answered' || callback.state === 'unreachable') return 'settle';
  return firing.attempt > rules.attempts ? 'unreachable' : 'open';
};

export const mayOpenAttempt = (callback: CallbackRound, attempt: number): boolean =>
  ['due', 'scheduled', 'open'].includes(callback.state) && callback.attempts < attempt;

/**
 * Attempt `attempt` of the round opens: the operators' task and, with a phone or e-mail, a survey link
 * (its hash and expiry; the link expires when the next check is due). Nothing when the attempt is
 * already open or the round has ended.
 */
export const openCallbackAttempt = (
  order: WorkOrder,
  args: {
    round: number;
    attempt: number;
    nowMs: number;
    nextCheckAt: number;
    link?: { hash: string; channels: readonly string[] };
  },
): Change | undefined => {
  const callback = currentRound(order, args.round);
  if (!callback || !mayOpenAttempt(callback, args.attempt)) return undefined;
  const at = iso(args.nowMs);
  const nextCheckAt = iso(args.nextCheckAt);
  return {
    order: changed(order, args.nowMs, {
      callback: {
        ...callback,
        state: 'open',
        attempts: args.attempt,
        openedAt: callback.openedAt ?? at,
        lastAttemptAt: at,
        nextCheckAt,
        ...(args.link
          ? { links: [...(callback.links ?? []), { hash: args.link.hash, expiresAt: nextCheckAt }] }
          : {}),
      },
    }),
    events: [
      {
        type: 'callback_attempt',
        at,
        actor: workflow,
        data: {
          round: args.round,
          attempt: args.attempt,
          nextCheckAt,
          channels: ['operator', ...(args.link?.channels ?? [])],
        },
      },
    ],
  };
};

/** An operator tried and did not reach the requester: recorded; the next attempt comes by schedule. */
export const callbackNotReached = (
  order: WorkOrder,
  args: { note: string; actor: Actor; nowMs: number },
): Change => {
  const callback = requireOpen(order);
  return {
    order: changed(order, args.nowMs, {}),
    events: [
      {
        type: 'callback_not_reached',
        at: iso(args.nowMs),
        actor: args.actor,
        data: { round: callback.round, attempt: callback.attempts, note: args.note },
      },
    ],
  };
};

const requireOpen = (order: WorkOrder): CallbackRound => {
  const callback = order.callback;
  if (callback?.state !== 'open') {
    throw new HotlineError(
      'conflict',
      'CALLBACK_NOT_OPEN',
      callback
        ? `The call-back of round ${callback.round} is ${callback.state}, not open.`
        : 'This order has no call-back.',
      { state: callback?.state ?? null },
    );
  }
  return callback;
};

/** Whether a survey link's hash belongs to the open round and has not expired. */
export const validLink = (order: WorkOrder, hash: string, nowMs: number): boolean =>
  order.callback?.state === 'open' &&
  (order.callback.links ?? []).some((l) => l.hash === hash && Date.parse(l.expiresAt) > nowMs);

/**
 * The requester answered, to an operator or by the link. The round ends; an unhappy answer (not
 * solved, or not satisfied) about a closed order reopens it to its unit with the short limit
 * (`resolveBy`), unless it was reopened `maxReopenings` times already. An order still open (its limit
 * ran out without a reply) stays with its unit under supervision either way.
 */
export const answerCallback = (
  order: WorkOrder,
  args: {
    answer: CallbackAnswer;
    via: 'operator' | 'link';
    actor: Actor;
    nowMs: number;
    maxReopenings: number;
    resolveBy: number;
  },
): Change => {
  const callback = requireOpen(order);
  const at = iso(args.nowMs);
  const answered: WorkOrder = changed(order, args.nowMs, {
    callback: {
      ...callback,
      state: 'answered',
      answer: { ...args.answer, at, via: args.via },
      endedAt: at,
    },
  });
  const events: UnsealedEvent[] = [
    {
      type: 'callback_answered',
      at,
      actor: args.actor,
      data: { round: callback.round, via: args.via, attempt: callback.attempts, ...args.answer },
    },
  ];
  const reopenings = order.reopenings ?? 0;
  if (!isUnhappy(args.answer) || order.status !== 'closed') return { order: answered, events };
  if (reopenings >= args.maxReopenings) {
    events.push({
      type: 'reopen_limit_reached',
      at,
      actor: workflow,
      data: { round: callback.round, reopenings, maxReopenings: args.maxReopenings },
    });
    return { order: answered, events };
  }
  return composeChanges(
    order,
    () => ({ order: answered, events }),
    (o) => reopenOrder({ order: o, events: [] }, { nowMs: args.nowMs, resolveBy: args.resolveBy }),
  );
};

/**
 * Reopens a closed order to the unit that handled it (重办): a new round with the short limit; the
 * unit signed for it already and made contact, so it owes a new reply. The previous round's flags stay
 * in its events; only the lateness that counts for response (contact, dispatch) stays on the order.
 */
export const reopenOrder = (change: Change, args: { nowMs: number; resolveBy: number }): Change => {
  const { order } = change;
  assertAllowed(order, 'reopen');
  const {
    reply: _answeredReply,
    closedAt: _closedAt,
    closure: _closure,
    pendingExtension: _none,
    ...rest
  } = order;
  const round = roundOf(order) + 1;
  const resolveBy = iso(args.resolveBy);
  return {
    order: changed(rest as WorkOrder, args.nowMs, {
      status: 'accepted',
      round,
      reopenings: (order.reopenings ?? 0) + 1,
      flags: order.flags.filter((f) => f === 'dispatch_overdue' || f === 'contact_overdue'),
      deadlines: { ...order.deadlines, resolveBy },
      idleWaits: 0,
    }),
    events: [
      ...change.events,
      {
        type: 'reopened',
        at: iso(args.nowMs),
        actor: workflow,
        data: { round, unitId: order.unitId ?? null, resolveBy, previousClosedAt: order.closedAt ?? null },
      },
    ],
  };
};

/** The last attempt ran out without an answer: the requester is unreachable for this round. */
export const callbackUnreachable = (
  order: WorkOrder,
  args: { round: number; nowMs: number },
): Change | undefined => {
  const callback = currentRound(order, args.round);
  if (callback?.state !== 'open') return undefined;
  const at = iso(args.nowMs);
  return {
    order: changed(order, args.nowMs, { callback: { ...callback, state: 'unreachable', endedAt: at } }),
    events: [
      {
        type: 'callback_unreachable',
        at,
        actor: workflow,
        data: { round: args.round, attempts: callback.attempts },
      },
    ],
  };
};

/** The name of an attempt's one-time schedule: unique per order, round and attempt (≤ 64 characters). */
export const attemptScheduleName = (orderId: string, round: number, attempt: number): string =>
  `callback-${orderId}-r${round}-a${attempt}`;

/**
 * What a round in progress waits for, and since when: the schedule of its first attempt (`due`: the
 * stream trigger or the bus rule makes it within seconds), or the firing of attempt `attempt`
 * (`scheduled`: the first; `open`: the next one, or after the last the final check). Nothing once the
 * round ended. The order store indexes rounds by `since` (byCallbackStep), so that the call-back
 * reconciler finds the steps long overdue (application/reconcile-callbacks.ts).
 */
export type AwaitedCallbackStep =
  | { readonly kind: 'schedule'; readonly round: number; readonly since: string }
  | { readonly kind: 'attempt'; readonly round: number; readonly attempt: number; readonly since: string };

export const awaitedCallbackStep = (callback: CallbackRound | undefined): AwaitedCallbackStep | undefined => {
  if (!callback) return undefined;
  const { round } = callback;
  if (callback.state === 'due') return { kind: 'schedule', round, since: callback.dueAt };
  const since = callback.nextCheckAt ?? callback.firstAttemptAt;
  if ((callback.state !== 'scheduled' && callback.state !== 'open') || !since) return undefined;
  return { kind: 'attempt', round, attempt: callback.attempts + 1, since };
};

/**
 * The awaited attempt's firing was lost (its invocation failed past Lambda's retries, or its schedule
 * went missing): the reconciler made a new schedule, `schedule`, for `atMs`. The round now waits for
 * that one (nextCheckAt). Nothing when the round no longer waits for that attempt (it fired meanwhile).
 */
export const callbackRescheduled = (
  order: WorkOrder,
  args: { round: number; attempt: number; atMs: number; schedule: string; nowMs: number },
): Change | undefined => {
  const callback = currentRound(order, args.round);
  const awaited = awaitedCallbackStep(callback);
  if (!callback || awaited?.kind !== 'attempt' || awaited.attempt !== args.attempt) return undefined;
  const nextCheckAt = iso(args.atMs);
  return {
    order: changed(order, args.nowMs, {
      callback: { ...callback, nextCheckAt, reschedules: (callback.reschedules ?? 0) + 1 },
    }),
    events: [
      {
        type: 'callback_rescheduled',
        at: iso(args.nowMs),
        actor: workflow,
        data: {
          round: args.round,
          attempt: args.attempt,
          missedAt: awaited.since,
          nextCheckAt,
          schedule: args.schedule,
          healer: 'reconciler',
        },
      },
    ],
  };
};

/** The name of the reconciler's `n`-th schedule of an attempt: never one Scheduler may still hold. */
export const rescheduledAttemptName = (orderId: string, round: number, attempt: number, n: number): string =>
  `${attemptScheduleName(orderId, round, attempt)}-h${n}`;
