import { factsFromCallback } from '#domain/assessment.ts';
import { roundOf } from '#domain/callback.ts';
import type { WorkOrder } from '#domain/work-order.ts';
import { startLifecycle } from '#shared/gateways/lifecycle.ts';
import { logger } from '#shared/platform/logger.ts';
import { retryOnConcurrentUpdate } from '#shared/platform/retry.ts';
import { applyAssessmentEvent } from '#shared/stores/assessment-store.ts';
import { deleteCallbackTask } from '#shared/stores/callback-task-store.ts';

/**
 * What follows a call-back round's end, once the order says it ended: its facts counted in assessment,
 * the operators' task removed, and a reopened order's new round started. Every step is idempotent
 * (fact ids per round, a delete, an execution named by the round), so the answer's handler runs it,
 * the round's remaining schedules run it again, and the table stream's FollowOrderLogs, which cannot
 * miss the round's end, does the last two (closeCallbackRound; it counts the facts itself).
 */
export const settleCallback = async (order: WorkOrder): Promise<void> => {
  const callback = order.callback;
  if (!callback || (callback.state !== 'answered' && callback.state !== 'unreachable')) return;
  let applied = 0;
  for (const fact of factsFromCallback(order.id, callback)) {
    if (await retryOnConcurrentUpdate(() => applyAssessmentEvent(fact))) applied++;
  }
  const reopenedRound = await closeCallbackRound(order);
  logger.info('Call-back settled', {
    orderId: order.id,
    round: callback.round,
    state: callback.state,
    factsApplied: applied,
    ...(reopenedRound ? { reopenedRound } : {}),
  });
};

/**
 * The ended round's task removed and, when its answer reopened the order, the new round's lifecycle
 * started (by its name: a second start finds it). Returns the reopened round, if any.
 */
export const closeCallbackRound = async (order: WorkOrder): Promise<number | undefined> => {
  const callback = order.callback;
  if (!callback || (callback.state !== 'answered' && callback.state !== 'unreachable')) return undefined;
  if (callback.openedAt) await deleteCallbackTask({ orderId: order.id, openedAt: callback.openedAt });
  const round = roundOf(order);
  if (order.status === 'closed' || round <= callback.round) return undefined;
  await startLifecycle(order.id, round);
  return round;
};
