import * as z from 'zod';
import { ConcurrentUpdateError } from '#domain/errors.ts';
import { completeWaitingTask } from '#shared/gateways/task-tokens.ts';
import { clock } from '#shared/platform/clock.ts';
import { lifecycleStep } from '#shared/platform/deadline-rules.ts';
import { requireOrder, workflowTask } from '#shared/platform/workflow-task.ts';
import { type StoredOrder, storePendingTask } from '#shared/stores/order-store.ts';

/**
 * AwaitAction's Lambda (lambda:invoke.waitForTaskToken): keeps the task token beside the order so that
 * the next person's action completes it. The wait's timeout was computed from version `version` of
 * the order; if someone acted since, the wait ends at once with a fresh next step, so that a changed
 * deadline is never waited past.
 *
 * No retry loop here: a write lost to an action that moved the order is simply the "someone acted"
 * case, read once more; a race that moved no version throws ConcurrentUpdate, and the state's own
 * Retry (statemachines/work-order.asl.json, AwaitAction) runs the task again.
 */
const inputSchema = z.object({
  orderId: z.string(),
  version: z.number().int().positive(),
  taskToken: z.string().min(1),
});

const movedOn = (stored: StoredOrder, version: number) =>
  stored.order.version !== version || stored.order.status === 'closed';

const endWait = async (stored: StoredOrder, taskToken: string) => {
  await completeWaitingTask(taskToken, { action: 'none', ...lifecycleStep(stored.order, clock.now()) });
  return { waiting: false };
};

export const handler = workflowTask(inputSchema, async ({ orderId, version, taskToken }) => {
  const stored = await requireOrder(orderId);
  if (movedOn(stored, version)) return endWait(stored, taskToken);
  try {
    await storePendingTask(stored, {
      awaiting: 'action',
      token: taskToken,
      since: new Date(clock.now()).toISOString(),
    });
    return { waiting: true };
  } catch (error) {
    if (!(error instanceof ConcurrentUpdateError)) throw error;
    const fresh = await requireOrder(orderId);
    if (movedOn(fresh, version)) return endWait(fresh, taskToken);
    throw error;
  }
});
