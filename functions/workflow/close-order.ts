import * as z from 'zod';
import { closedEventDetail, closeOrder } from '#domain/work-order.ts';
import { clock } from '#shared/clock.ts';
import { saveChange } from '#shared/order-store.ts';
import { requireOrder, workflowTask } from '#shared/workflow-task.ts';

/**
 * CloseOrder / CloseUnhandled: closes the order and returns the detail of the `WorkOrder Closed`
 * event. Closing a closed order (a disposition at intake, or a retry) changes nothing.
 */
export const handler = workflowTask(
  z.object({ orderId: z.string(), outcome: z.enum(['handled', 'expired']) }),
  async ({ orderId, outcome }) => {
    const stored = await requireOrder(orderId);
    if (stored.order.status === 'closed') return { detail: closedEventDetail(stored.order) };
    // A closed order waits for nobody: a token left by a timed-out wait goes with it.
    const saved = await saveChange(stored, closeOrder(stored.order, { outcome, nowMs: clock.now() }), {
      consumeTask: true,
    });
    return { detail: closedEventDetail(saved.order) };
  },
);
