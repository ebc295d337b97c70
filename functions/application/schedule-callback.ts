import { callbackScheduled } from '#domain/callback.ts';
import { applyLimit } from '#domain/time-limits.ts';
import { attemptMoment, scheduleAttempt } from '#shared/gateways/callback-schedules.ts';
import { clock } from '#shared/platform/clock.ts';
import { callbackRules, workingCalendar } from '#shared/platform/reference.ts';
import { retryOnConcurrentUpdate } from '#shared/platform/retry.ts';
import { readOrder, saveChange } from '#shared/stores/order-store.ts';

/**
 * A round's call-back that fell due gets its first attempt: an EventBridge Scheduler one-time schedule
 * at the configured moment, within calling hours, and a callback_scheduled event in the order's log.
 * Two paths call it for the same round: the bus rule ScheduleCallbacks as the order closes, and the
 * table stream (FollowOrderLogs) on the callback_due event, the one that cannot miss it. Either may
 * come second: the order says whether the round is scheduled already, and the schedule's name is the
 * round's, so a second call creates nothing and changes nothing.
 */
export interface CallbackScheduling {
  readonly orderId: string;
  readonly round: number;
  /** The schedule's name, or null when the round had nothing to schedule (any more). */
  readonly scheduled: string | null;
  /** Why nothing was scheduled: the order's call-back state (null: no order, or no call-back). */
  readonly state?: string | null;
}

export const scheduleCallback = (orderId: string, round: number): Promise<CallbackScheduling> =>
  // Someone may change the order meanwhile (an action, the workflow): read again. The schedule exists.
  retryOnConcurrentUpdate(async () => {
    const stored = await readOrder(orderId);
    const callback = stored?.order.callback;
    if (!stored || callback?.round !== round || callback.state !== 'due') {
      return { orderId, round, scheduled: null, state: callback?.state ?? null };
    }
    const nowMs = clock.now();
    const firstAttemptAt = attemptMoment(
      applyLimit(Date.parse(callback.dueAt), callbackRules.firstAttemptAfter, workingCalendar),
      nowMs,
    );
    const schedule = await scheduleAttempt({ orderId, round, attempt: 1 }, firstAttemptAt);
    const change = callbackScheduled(stored.order, { round, firstAttemptAt, schedule, nowMs });
    if (change) await saveChange(stored, change);
    return { orderId, round, scheduled: schedule };
  });
