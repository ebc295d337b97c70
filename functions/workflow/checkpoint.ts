import * as z from 'zod';
import { applyDueCheckpoints } from '#domain/supervision.ts';
import { publishIfCallbackDue } from '#shared/gateways/order-notices.ts';
import { clock } from '#shared/platform/clock.ts';
import { lifecycleStep } from '#shared/platform/deadline-rules.ts';
import { supervisionRules, workingCalendar } from '#shared/platform/reference.ts';
import { requireOrder, workflowTask } from '#shared/platform/workflow-task.ts';
import { saveChange } from '#shared/stores/order-store.ts';

/**
 * Checkpoint: the wait for people timed out at a checkpoint (提醒督办). Applies every reminder, missed
 * deadline and supervision step due now, each once, and says what the lifecycle does next. An action
 * that raced the timeout is already in the saved order, so it is never lost.
 */
export const handler = workflowTask(z.object({ orderId: z.string() }), async ({ orderId }) => {
  const stored = await requireOrder(orderId);
  const nowMs = clock.now();
  const change = applyDueCheckpoints(stored.order, nowMs, supervisionRules, workingCalendar);
  const order = change
    ? (await saveChange(stored, change, { consumeTask: change.order.status === 'closed' })).order
    : stored.order;
  // Art. 23: a limit run out without a reply makes the call-back due; published at every checkpoint
  // until scheduled, so a failed publish only delays it.
  await publishIfCallbackDue(order);
  return lifecycleStep(order, nowMs);
});
