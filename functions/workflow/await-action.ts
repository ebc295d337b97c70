import * as z from 'zod';
import { clock } from '#shared/clock.ts';
import { lifecycleStep } from '#shared/deadline-rules.ts';
import { storePendingTask } from '#shared/order-store.ts';
import { completeWaitingTask } from '#shared/task-tokens.ts';
import { requireOrder, workflowTask } from '#shared/workflow-task.ts';

/**
 * AwaitAction's Lambda (lambda:invoke.waitForTaskToken): keeps the task token beside the order so that
 * the next person's action completes it. The wait's timeout was computed from version `version` of
 * the order; if someone acted since, the wait ends at once with a fresh next step, so that a changed
 * deadline is never waited past.
 */
const inputSchema = z.object({
  orderId: z.string(),
  version: z.number().int().positive(),
  taskToken: z.string().min(1),
});

export const handler = workflowTask(inputSchema, async ({ orderId, version, taskToken }) => {
  // Bounded retries: an action may change the order between our read and our write.
  for (let attempt = 1; ; attempt++) {
    const stored = await requireOrder(orderId);
    if (stored.order.version !== version || stored.order.status === 'closed') {
      await completeWaitingTask(taskToken, { action: 'none', ...lifecycleStep(stored.order, clock.now()) });
      return { waiting: false };
    }
    try {
      await storePendingTask(stored, {
        awaiting: 'action',
        token: taskToken,
        since: new Date(clock.now()).toISOString(),
      });
      return { waiting: true };
    } catch (error) {
      if (!(error instanceof Error && error.name === 'ConcurrentUpdate') || attempt >= 3) throw error;
    }
  }
});
