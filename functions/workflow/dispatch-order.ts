import * as z from 'zod';
import { routeByCatalogue } from '#domain/dispatch-catalogue.ts';
import { deadlinesAtDispatch } from '#domain/dispatch-deadlines.ts';
import { workflowActor } from '#domain/order-events.ts';
import { awaitDispatcher, dispatchOrder } from '#domain/work-order.ts';
import { clock } from '#shared/platform/clock.ts';
import { deadlineRules, lifecycleStep } from '#shared/platform/deadline-rules.ts';
import { requireOrder, workflowTask } from '#shared/platform/workflow-task.ts';
import { currentReferenceData } from '#shared/stores/catalogue-store.ts';
import { saveChange } from '#shared/stores/order-store.ts';

/**
 * DispatchByCatalogue: routes a received order the same day (当天转办) — to the unit the catalogue
 * names, or to a dispatcher when it names none — and says what the lifecycle does next. Safe to run
 * twice (Retry, a redriven execution): an order that already moved on is taken as it is.
 */
export const handler = workflowTask(z.object({ orderId: z.string() }), async ({ orderId }) => {
  const stored = await requireOrder(orderId);
  const { order } = stored;
  const nowMs = clock.now();
  if (order.status !== 'received') return lifecycleStep(order, nowMs);

  const route = routeByCatalogue(order, await currentReferenceData());
  const change =
    route.kind === 'dispatcher'
      ? awaitDispatcher(order, { reason: route.reason, nowMs })
      : dispatchOrder(order, {
          route,
          deadlines: deadlinesAtDispatch(order, nowMs, deadlineRules),
          nowMs,
          actor: workflowActor,
        });
  const saved = await saveChange(stored, change);
  return lifecycleStep(saved.order, nowMs);
});
