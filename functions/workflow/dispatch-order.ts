import * as z from 'zod';
import { routeByCatalogue } from '#domain/dispatch-catalogue.ts';
import { deadlinesAtDispatch } from '#domain/dispatch-deadlines.ts';
import { workflowActor } from '#domain/order-events.ts';
import { secondsUntil } from '#domain/time-limits.ts';
import { awaitDispatcher, dispatchOrder } from '#domain/work-order.ts';
import { clock } from '#shared/clock.ts';
import { deadlineRules } from '#shared/deadline-rules.ts';
import { saveChange } from '#shared/order-store.ts';
import { referenceData } from '#shared/reference.ts';
import { requireOrder, workflowTask } from '#shared/workflow-task.ts';

/**
 * DispatchByCatalogue: routes a received order the same day (当天转办). Safe to run twice (Retry): an
 * order that already moved on is reported as it is.
 */
export type DispatchOutcome = { outcome: 'dispatched' | 'awaiting' | 'disposed'; timeoutSeconds: number };

export const handler = workflowTask(
  z.object({ orderId: z.string() }),
  async ({ orderId }): Promise<DispatchOutcome> => {
    const stored = await requireOrder(orderId);
    const { order } = stored;
    const nowMs = clock.now();
    if (order.status === 'closed') return { outcome: 'disposed', timeoutSeconds: 1 };
    if (order.status === 'awaiting_dispatch') {
      return { outcome: 'awaiting', timeoutSeconds: secondsUntil(order.deadlines.dispatchBy, nowMs) };
    }
    if (order.status !== 'received') {
      return {
        outcome: 'dispatched',
        timeoutSeconds: secondsUntil(order.deadlines.resolveBy ?? order.deadlines.dispatchBy, nowMs),
      };
    }

    const route = routeByCatalogue(order, referenceData);
    if (route.kind === 'dispatcher') {
      await saveChange(stored, awaitDispatcher(order, { reason: route.reason, nowMs }));
      return { outcome: 'awaiting', timeoutSeconds: secondsUntil(order.deadlines.dispatchBy, nowMs) };
    }
    const deadlines = deadlinesAtDispatch(order, nowMs, deadlineRules);
    await saveChange(stored, dispatchOrder(order, { route, deadlines, nowMs, actor: workflowActor }));
    return { outcome: 'dispatched', timeoutSeconds: secondsUntil(deadlines.resolveBy, nowMs) };
  },
);
