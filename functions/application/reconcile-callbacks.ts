import { awaitedCallbackStep, callbackRescheduled, rescheduledAttemptName } from '#domain/callback.ts';
import { attemptMoment, scheduleAttempt } from '#shared/gateways/callback-schedules.ts';
import { logger } from '#shared/platform/logger.ts';
import { retryOnConcurrentUpdate } from '#shared/platform/retry.ts';
import { callbackTaskOf, putCallbackTask } from '#shared/stores/callback-task-store.ts';
import { listAwaitedCallbacks, readOrder, saveChange } from '#shared/stores/order-store.ts';
import { scheduleCallback } from './schedule-callback.ts';

/**
 * The call-back reconciler's run (回访 backstop). Every step of a round is driven by something that can
 * be lost past its retries: the first schedule by the stream trigger and the bus rule, each attempt by
 * the schedule its predecessor made, invoked asynchronously by Scheduler (Lambda retries twice, then
 * its failure queue). A round whose awaited step (domain/callback.ts `awaitedCallbackStep`) is
 * `overdueAfterSeconds` late — past those retries — is found on the byCallbackStep index, oldest first:
 * - waiting for its first schedule: scheduled now (application/schedule-callback.ts; the usual
 *   callback_scheduled event);
 * - waiting for an attempt's firing: a schedule of its own for that attempt, a minute ahead and within
 *   calling hours, and `callback_rescheduled` in the order's log (the round then waits for that one);
 * - a round rescheduled `maxReschedules` times already is left alone and reported (`stuck`): the
 *   attempt itself fails, which its failure queue's alarm tells an operator; rescheduling it forever
 *   would only lengthen the log. It is reported by every run until it is `lookbackHours` overdue.
 * Every step is idempotent: the schedule is created before the order is saved, under a name the round's
 * count of reschedules makes new; a concurrent run or a late firing makes the save lose its version
 * check, and the order read again no longer waits for that step.
 */
export interface CallbackReconcileLimits {
  readonly overdueAfterSeconds: number;
  /** Steps awaited longer than this are no longer looked at (a stuck round ages out of the run). */
  readonly lookbackHours: number;
  readonly maxOrders: number;
  readonly maxReschedules: number;
}

export interface CallbackReconcileReport {
  readonly examined: number;
  readonly scheduled: readonly string[];
  readonly rescheduled: readonly string[];
  /** Rounds rescheduled `maxReschedules` times whose attempt is still overdue. */
  readonly stuck: readonly string[];
  /** Orders that could not be reconciled (DynamoDB or Scheduler unavailable): the run then fails. */
  readonly failed: readonly string[];
  readonly truncated: boolean;
}

type Outcome = 'scheduled' | 'rescheduled' | 'stuck' | 'current';

/** Orders reconciled at once: each is a read, a CreateSchedule and a transaction. */
const CONCURRENCY = 5;

const reconcileOrder = async (
  orderId: string,
  nowMs: number,
  cutoffMs: number,
  limits: CallbackReconcileLimits,
): Promise<Outcome> => {
  const outcome = await retryOnConcurrentUpdate(async (): Promise<Outcome | { scheduleRound: number }> => {
    const stored = await readOrder(orderId);
    const callback = stored?.order.callback;
    const awaited = awaitedCallbackStep(callback);
    // The index lags the table: the round may have moved on since.
    if (!stored || !callback || !awaited || Date.parse(awaited.since) >= cutoffMs) return 'current';
    // Its first schedule is scheduleCallback's to make, with its own read and retries.
    if (awaited.kind === 'schedule') return { scheduleRound: awaited.round };
    const reschedules = callback.reschedules ?? 0;
    if (reschedules >= limits.maxReschedules) return 'stuck';
    const input = { orderId, round: awaited.round, attempt: awaited.attempt };
    const atMs = attemptMoment(nowMs, nowMs);
    const name = rescheduledAttemptName(orderId, input.round, input.attempt, reschedules + 1);
    const schedule = await scheduleAttempt(input, atMs, name);
    const change = callbackRescheduled(stored.order, { ...input, atMs, schedule, nowMs });
    if (!change) return 'current';
    const saved = await saveChange(stored, change);
    // The operators' list shows when the next attempt comes.
    const task = callbackTaskOf(saved.order);
    if (task) await putCallbackTask(task);
    return 'rescheduled';
  });
  if (typeof outcome === 'string') return outcome;
  return (await scheduleCallback(orderId, outcome.scheduleRound)).scheduled ? 'scheduled' : 'current';
};

export const reconcileCallbacks = async (
  nowMs: number,
  limits: CallbackReconcileLimits,
): Promise<CallbackReconcileReport> => {
  const cutoffMs = nowMs - limits.overdueAfterSeconds * 1000;
  const before = new Date(cutoffMs).toISOString();
  const found: Record<Outcome, string[]> = { scheduled: [], rescheduled: [], stuck: [], current: [] };
  const failed: string[] = [];
  let examined = 0;
  let cursor: Record<string, unknown> | undefined;
  do {
    const page = await listAwaitedCallbacks({
      from: new Date(cutoffMs - limits.lookbackHours * 3_600_000).toISOString(),
      before,
      limit: Math.min(100, limits.maxOrders - examined),
      ...(cursor ? { cursor } : {}),
    });
    cursor = page.cursor;
    for (let i = 0; i < page.orderIds.length; i += CONCURRENCY) {
      await Promise.all(
        page.orderIds.slice(i, i + CONCURRENCY).map(async (orderId) => {
          try {
            found[await reconcileOrder(orderId, nowMs, cutoffMs, limits)].push(orderId);
          } catch (error) {
            logger.error('Call-back not reconciled', { orderId, error });
            failed.push(orderId);
          }
        }),
      );
    }
    examined += page.orderIds.length;
  } while (cursor && examined < limits.maxOrders);
  for (const orderId of found.stuck) {
    logger.warn('Call-back attempt still overdue after the reconciler rescheduled it', {
      orderId,
      maxReschedules: limits.maxReschedules,
    });
  }
  return {
    examined,
    scheduled: found.scheduled,
    rescheduled: found.rescheduled,
    stuck: found.stuck,
    failed,
    truncated: cursor !== undefined,
  };
};
