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
 * (fact ids per round, a delete, an execution named by the round), so the answer's handler runs it
 * and the round's remaining schedules run it again: a step that failed once is done by the next.
 */
export const settleCallback = async (order: WorkOrder): Promise<void> => {
  const callback = order.callback;
  if (!callback || (callback.state !== 'answered' && callback.state !== 'unreachable')) return;
  let applied = 0;
  for (const fact of factsFromCallback(order.id, callback)) {
    if (await retryOnConcurrentUpdate(() => applyAssessmentEvent(fact))) applied++;
  }
  if (callback.openedAt) await deleteCallbackTask({ orderId: order.id, openedAt: callback.openedAt });
  const round = roundOf(order);
  const reopened = order.status !== 'closed' && round > callback.round;
  if (reopened) await startLifecycle(order.id, round);
  logger.info('Call-back settled', {
    orderId: order.id,
    round: callback.round,
    state: callback.state,
    factsApplied: applied,
    ...(reopened ? { reopenedRound: round } : {}),
  });
};
