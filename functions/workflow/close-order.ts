import * as z from 'zod';
import { closedEventDetail, closeOrder } from '#domain/work-order.ts';
import { clock } from '#shared/platform/clock.ts';
import { requireOrder, workflowTask } from '#shared/platform/workflow-task.ts';
import { saveChange } from '#shared/stores/order-store.ts';

/**
 * CloseOrder: the lifecycle's end. The order was closed by whoever ended it (a disposition at intake,
 * the centre accepting the reply, the supervision loop giving up); this returns the detail of the
 * `WorkOrder Closed` event, and closes an order left open as expired (never silently).
 */
export const handler = workflowTask(z.object({ orderId: z.string() }), async ({ orderId }) => {
  const stored = await requireOrder(orderId);
  if (stored.order.status === 'closed') return { detail: closedEventDetail(stored.order) };
  const saved = await saveChange(
    stored,
    closeOrder(stored.order, { outcome: 'expired', nowMs: clock.now() }),
    {
      consumeTask: true,
    },
  );
  return { detail: closedEventDetail(saved.order) };
});
