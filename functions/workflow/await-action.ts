import * as z from 'zod';
import { secondsUntil } from '#domain/time-limits.ts';
import type { WorkOrder } from '#domain/work-order.ts';
import { clock } from '#shared/clock.ts';
import { storePendingTask } from '#shared/order-store.ts';
import { completeWaitingTask } from '#shared/task-tokens.ts';
import { requireOrder, workflowTask } from '#shared/workflow-task.ts';

/**
 * The callback tasks' Lambda (lambda:invoke.waitForTaskToken): keeps the task token with the order so
 * that the person's action endpoint can complete it. If the action already happened (it raced ahead of
 * this task), completes the token at once with what was saved.
 */
const inputSchema = z.object({
  orderId: z.string(),
  awaiting: z.enum(['dispatch', 'reply']),
  taskToken: z.string().min(1),
});

/** What the action looked like, rebuilt from the saved order, when it raced ahead of the wait. */
const alreadyDone = (
  order: WorkOrder,
  awaiting: 'dispatch' | 'reply',
  nowMs: number,
): Record<string, unknown> | undefined => {
  if (awaiting === 'dispatch' && order.status !== 'received' && order.status !== 'awaiting_dispatch') {
    return {
      outcome: 'dispatched',
      timeoutSeconds: secondsUntil(order.deadlines.resolveBy ?? order.deadlines.dispatchBy, nowMs),
      unitId: order.unitId,
    };
  }
  if (awaiting === 'reply' && (order.status === 'replied' || order.status === 'closed')) {
    return {
      outcome: 'replied',
      result: order.reply?.result ?? null,
      text: order.reply?.text ?? null,
      by: order.reply?.by ?? null,
    };
  }
  return undefined;
};

export const handler = workflowTask(inputSchema, async ({ orderId, awaiting, taskToken }) => {
  // Bounded retries: the action endpoint may change the order between our read and our write.
  for (let attempt = 1; attempt <= 3; attempt++) {
    const stored = await requireOrder(orderId);
    const nowMs = clock.now();
    const done = alreadyDone(stored.order, awaiting, nowMs);
    if (done) {
      await completeWaitingTask(taskToken, done);
      return { waiting: false };
    }
    try {
      await storePendingTask(stored, { awaiting, token: taskToken, since: new Date(nowMs).toISOString() });
      return { waiting: true };
    } catch (error) {
      if (!(error instanceof Error && error.name === 'ConcurrentUpdate') || attempt === 3) throw error;
    }
  }
  return { waiting: false };
});
