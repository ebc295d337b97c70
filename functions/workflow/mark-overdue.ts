import * as z from 'zod';
import { applyLimit, secondsUntil } from '#domain/time-limits.ts';
import { flagOverdue } from '#domain/work-order.ts';
import { clock } from '#shared/clock.ts';
import { saveChange } from '#shared/order-store.ts';
import { timeLimits, workingCalendar } from '#shared/reference.ts';
import { requireOrder, workflowTask } from '#shared/workflow-task.ts';

/**
 * FlagDispatchOverdue / FlagReplyOverdue: a deadline passed while the workflow waited. If the awaited
 * action was in fact saved (it raced the timeout), reports it so the workflow carries on normally;
 * otherwise flags the order and opens a bounded grace period.
 */
export const handler = workflowTask(
  z.object({ orderId: z.string(), missed: z.enum(['dispatch', 'reply']) }),
  async ({ orderId, missed }) => {
    const stored = await requireOrder(orderId);
    const { order } = stored;
    const nowMs = clock.now();
    if (missed === 'dispatch' && order.status !== 'awaiting_dispatch' && order.status !== 'received') {
      return {
        outcome: 'dispatched',
        timeoutSeconds: secondsUntil(order.deadlines.resolveBy ?? order.deadlines.dispatchBy, nowMs),
      };
    }
    if (missed === 'reply' && order.status !== 'dispatched') return { outcome: 'replied', timeoutSeconds: 1 };
    // Already flagged (a retry, or a redriven execution): keep the grace period that was given.
    const flag = missed === 'dispatch' ? 'dispatch_overdue' : 'overdue';
    if (order.flags.includes(flag) && order.deadlines.graceUntil) {
      return { outcome: 'overdue', timeoutSeconds: secondsUntil(order.deadlines.graceUntil, nowMs) };
    }

    const graceUntilMs = applyLimit(nowMs, timeLimits.overdueGrace, workingCalendar);
    const saved = await saveChange(stored, flagOverdue(order, { missed, graceUntilMs, nowMs }));
    return {
      outcome: 'overdue',
      timeoutSeconds: secondsUntil(saved.order.deadlines.graceUntil ?? '', nowMs),
    };
  },
);
