import * as z from 'zod';
import { callbackFallsDue } from './callback.ts';
import { composeChanges } from './changes.ts';
import type { UnsealedEvent } from './order-events.ts';
import { applyLimit, limitSpecSchema } from './time-limits.ts';
import {
  assertAllowed,
  type Change,
  changed,
  closeOrder,
  iso,
  type OrderFlag,
  type WorkOrder,
  withFlag,
} from './work-order.ts';
import type { WorkingCalendar } from './working-calendar.ts';

/**
 * 提醒督办: the checkpoints of an order — a reminder before each deadline, the missed deadline itself,
 * then the supervision ladder 催办 → 督办 → 通报 — as a pure function of the order and the rules. The
 * workflow waits until the next checkpoint (or a person's action), then applies whatever is due.
 * Checkpoint ids carry the deadline they belong to, so a deadline that moves (an extension, a
 * re-dispatch) brings fresh checkpoints and leaves the old ones behind.
 */
export const supervisionRulesSchema = z.strictObject({
  /** Remind when this share of the time to a deadline has passed (0.8: at 80 %). */
  reminderAt: z.number().gt(0).lt(1),
  /** The ladder, each step counted from the missed deadline. */
  ladder: z.strictObject({ urge: limitSpecSchema, supervise: limitSpecSchema, notify: limitSpecSchema }),
  /** With nothing left to wait for, how long the workflow waits for people before it looks again. */
  idleWait: limitSpecSchema,
  /** Idle waits in a row after which an order its unit leaves alone is closed as expired (bounds the loop). */
  maxIdleWaits: z.number().int().min(1).max(24),
  /**
   * The same, when the order waits for the centre (a dispatch, an objection decision, a reply review):
   * the unit is not to blame, so the centre gets longer, but the loop is bounded all the same.
   */
  maxIdleWaitsOnCentre: z.number().int().min(1).max(48),
});
export type SupervisionRules = z.infer<typeof supervisionRulesSchema>;

type Obligation = 'dispatch' | 'contact' | 'resolve';
type Step = 'reminder' | 'deadline' | 'urge' | 'supervise' | 'notify' | 'idle';

export interface Checkpoint {
  readonly id: string;
  readonly step: Step;
  readonly obligation: Obligation | 'none';
  readonly at: number;
  readonly deadline?: string;
}

const missedFlag: Record<Obligation, OrderFlag> = {
  dispatch: 'dispatch_overdue',
  contact: 'contact_overdue',
  resolve: 'overdue',
};
const ladderFlag = { urge: 'urged', supervise: 'supervised', notify: 'notified' } as const satisfies Record<
  string,
  OrderFlag
>;

/** The obligations still open for the order's status, each with its deadline and the time it started. */
const openObligations = (order: WorkOrder): { obligation: Obligation; from: number; deadline: string }[] => {
  const received = Date.parse(order.receivedAt);
  const dispatched = order.dispatchedAt ? Date.parse(order.dispatchedAt) : received;
  switch (order.status) {
    case 'received':
    case 'awaiting_dispatch':
      return [{ obligation: 'dispatch', from: received, deadline: order.deadlines.dispatchBy }];
    // Objected and replied orders wait for the centre: nothing is charged to the unit meanwhile.
    case 'dispatched':
    case 'accepted':
      return [
        ...(order.contact || !order.deadlines.contactBy
          ? []
          : [{ obligation: 'contact' as const, from: dispatched, deadline: order.deadlines.contactBy }]),
        ...(order.deadlines.resolveBy
          ? [{ obligation: 'resolve' as const, from: dispatched, deadline: order.deadlines.resolveBy }]
          : []),
      ];
    default:
      return [];
  }
};

/** Every checkpoint the order has now, done or not, in time order. */
export const plannedCheckpoints = (
  order: WorkOrder,
  rules: SupervisionRules,
  calendar: WorkingCalendar,
): Checkpoint[] => {
  const points: Checkpoint[] = [];
  for (const { obligation, from, deadline } of openObligations(order)) {
    const due = Date.parse(deadline);
    const base = { obligation, deadline };
    if (obligation !== 'dispatch') {
      points.push({
        ...base,
        id: `reminder:${obligation}@${deadline}`,
        step: 'reminder',
        at: from + Math.floor((due - from) * rules.reminderAt),
      });
    }
    points.push({ ...base, id: `deadline:${obligation}@${deadline}`, step: 'deadline', at: due });
    for (const step of ['urge', 'supervise', 'notify'] as const) {
      points.push({
        ...base,
        id: `${step}:${obligation}@${deadline}`,
        step,
        at: applyLimit(due, rules.ladder[step], calendar),
      });
    }
  }
  return points.sort((a, b) => a.at - b.at || a.id.localeCompare(b.id));
};

/** The next checkpoint not yet handled (possibly already due), or none. */
export const nextCheckpoint = (
  order: WorkOrder,
  rules: SupervisionRules,
  calendar: WorkingCalendar,
): Checkpoint | undefined => {
  const done = new Set(order.checkpointsDone ?? []);
  return plannedCheckpoints(order, rules, calendar).find((c) => !done.has(c.id));
};

/**
 * What the workflow does next: close, or wait for people until the next checkpoint (with nothing left
 * to supervise, until the idle wait ends). `version` is the order it was computed from.
 */
export const nextStep = (
  order: WorkOrder,
  nowMs: number,
  rules: SupervisionRules,
  calendar: WorkingCalendar,
): {
  step: 'close' | 'wait';
  timeoutSeconds: number;
  version: number;
  until?: string;
  checkpoint?: string;
} => {
  if (order.status === 'closed') return { step: 'close', timeoutSeconds: 1, version: order.version };
  const next = nextCheckpoint(order, rules, calendar);
  const untilMs = next?.at ?? applyLimit(lastActivity(order), rules.idleWait, calendar);
  return {
    step: 'wait',
    timeoutSeconds: Math.max(1, Math.ceil((untilMs - nowMs) / 1000)),
    version: order.version,
    until: iso(untilMs),
    ...(next ? { checkpoint: next.id } : {}),
  };
};

const lastActivity = (order: WorkOrder): number => Date.parse(order.updatedAt);

/**
 * Applies every checkpoint due at `nowMs`, oldest first: reminders, missed deadlines and ladder steps,
 * each an event (and a flag), each applied once. With nothing due and nothing left to supervise, an
 * idle wait is counted; too many in a row close the order as expired.
 */
export const applyDueCheckpoints = (
  order: WorkOrder,
  nowMs: number,
  rules: SupervisionRules,
  calendar: WorkingCalendar,
): Change | undefined => {
  if (order.status === 'closed') return undefined;
  assertAllowed(order, 'checkpoint');
  const done = new Set(order.checkpointsDone ?? []);
  const planned = plannedCheckpoints(order, rules, calendar);
  const due = planned.filter((c) => c.at <= nowMs && !done.has(c.id));
  const at = iso(nowMs);
  const workflow = { kind: 'system', name: 'workflow' } as const;

  if (due.length === 0) {
    const idleEnds = applyLimit(lastActivity(order), rules.idleWait, calendar);
    if (planned.some((c) => !done.has(c.id)) || nowMs < idleEnds) return undefined;
    const idle = (order.idleWaits ?? 0) + 1;
    const marked = changed(order, nowMs, {
      flags: withFlag(order.flags, 'stalled'),
      idleWaits: idle,
      checkpointsDone: [...(order.checkpointsDone ?? []), `idle:${idle}@${at}`],
    });
    const stalled: UnsealedEvent = {
      type: 'stalled',
      at,
      actor: workflow,
      data: { idleWaits: idle, since: order.updatedAt },
    };
    const waitsOnCentre = ['awaiting_dispatch', 'objected', 'replied'].includes(order.status);
    if (idle < (waitsOnCentre ? rules.maxIdleWaitsOnCentre : rules.maxIdleWaits))
      return { order: marked, events: [stalled] };
    return composeChanges(
      order,
      () => ({ order: marked, events: [stalled] }),
      (o) => closeOrder(o, { outcome: 'expired', nowMs }),
    );
  }

  let flags = order.flags;
  const events: UnsealedEvent[] = due.map((c) => {
    if (c.step === 'reminder') {
      return {
        type: 'reminder',
        at,
        actor: workflow,
        data: { obligation: c.obligation, deadline: c.deadline, scheduledAt: iso(c.at) },
      };
    }
    if (c.step === 'deadline') {
      flags = withFlag(flags, missedFlag[c.obligation as Obligation]);
      return {
        type: 'deadline_missed',
        at,
        actor: workflow,
        data: {
          obligation: c.obligation,
          deadline: c.deadline,
          flag: missedFlag[c.obligation as Obligation],
        },
      };
    }
    const step = c.step as keyof typeof ladderFlag;
    flags = withFlag(flags, ladderFlag[step]);
    return {
      type: 'supervision',
      at,
      actor: workflow,
      data: {
        step,
        obligation: c.obligation,
        deadline: c.deadline,
        scheduledAt: iso(c.at),
        flag: ladderFlag[step],
      },
    };
  });
  // Art. 23: when the limit runs out without a reply, the call-back is due all the same.
  const limitExpired = due.some((c) => c.step === 'deadline' && c.obligation === 'resolve');
  const callback = limitExpired ? callbackFallsDue(order, 'limit_expired', nowMs) : undefined;
  return {
    order: changed(order, nowMs, {
      flags,
      checkpointsDone: [...(order.checkpointsDone ?? []), ...due.map((c) => c.id)],
      ...callback?.patch,
    }),
    events: callback ? [...events, callback.event] : events,
  };
};
