import * as z from 'zod';
import { secondsUntil } from '#domain/time-limits.ts';
import { closedEventDetail, closeOrder } from '#domain/work-order.ts';
import { clock } from '#shared/clock.ts';
import { saveChange } from '#shared/order-store.ts';
import { requireOrder, workflowTask } from '#shared/workflow-task.ts';

/**
 * CloseOrder / CloseUnhandled / GiveUpDispatch: closes the order and returns the detail of the
 * `WorkOrder Closed` event. Closing a closed order (a disposition at intake, or a retry) changes
 * nothing. When a grace period runs out, the saved order decides, not the timeout: a reply that
 * raced it closes the order as handled, and a dispatch that raced it sends the order on to its unit.
 */
const inputSchema = z.object({
  orderId: z.string(),
  outcome: z.enum(['handled', 'expired']),
  missed: z.enum(['dispatch', 'reply']).optional(),
});

export const handler = workflowTask(inputSchema, async ({ orderId, outcome, missed }) => {
  const stored = await requireOrder(orderId);
  const { order } = stored;
  const nowMs = clock.now();
  if (order.status === 'closed')
    return { outcome: 'closed', timeoutSeconds: 1, detail: closedEventDetail(order) };
  if (missed === 'dispatch' && order.status === 'dispatched') {
    return {
      outcome: 'dispatched',
      timeoutSeconds: secondsUntil(order.deadlines.resolveBy ?? '', nowMs),
      detail: null,
    };
  }
  const effective = outcome === 'expired' && order.status === 'replied' ? 'handled' : outcome;
  // A closed order waits for nobody: a token left by a timed-out wait goes with it.
  const saved = await saveChange(stored, closeOrder(order, { outcome: effective, nowMs }), {
    consumeTask: true,
  });
  return { outcome: 'closed', timeoutSeconds: 1, detail: closedEventDetail(saved.order) };
});
