import middy from '@middy/core';
import type { EventBridgeEvent } from 'aws-lambda';
import * as z from 'zod';
import { callbackScheduled } from '#domain/callback.ts';
import { applyLimit } from '#domain/time-limits.ts';
import { attemptMoment, scheduleAttempt } from '#shared/callback-schedules.ts';
import { clock } from '#shared/clock.ts';
import { logger } from '#shared/logger.ts';
import { readOrder, saveChange } from '#shared/order-store.ts';
import { callbackRules, workingCalendar } from '#shared/reference.ts';
import { retryOnConcurrentUpdate } from '#shared/retry.ts';

/**
 * Consumer of `WorkOrder Closed` and `WorkOrder Limit Expired` (bus rule ScheduleCallbacks, which
 * already leaves out anonymous requesters and those who declined): the round's call-back falls due, so
 * its first attempt gets an EventBridge Scheduler one-time schedule at the configured moment, within
 * calling hours. The order says whether that happened already, so a second delivery changes nothing.
 */
const detailSchema = z.object({ orderId: z.string().min(1), round: z.number().int().min(1) });

export const handler = middy<EventBridgeEvent<string, unknown>, { scheduled: string | null }>().handler(
  async (event) => {
    const { orderId, round } = detailSchema.parse(event.detail);
    // Someone may change the order meanwhile (an action, the workflow): read again. The schedule exists.
    return retryOnConcurrentUpdate(async () => {
      const stored = await readOrder(orderId);
      const callback = stored?.order.callback;
      if (!stored || callback?.round !== round || callback.state !== 'due') {
        logger.info('No call-back to schedule', { orderId, round, state: callback?.state ?? null });
        return { scheduled: null };
      }
      const nowMs = clock.now();
      const firstAttemptAt = attemptMoment(
        applyLimit(Date.parse(callback.dueAt), callbackRules.firstAttemptAfter, workingCalendar),
        nowMs,
      );
      const schedule = await scheduleAttempt({ orderId, round, attempt: 1 }, firstAttemptAt);
      const change = callbackScheduled(stored.order, { round, firstAttemptAt, schedule, nowMs });
      if (change) await saveChange(stored, change);
      logger.info('Call-back scheduled', { orderId, round, schedule, at: new Date(firstAttemptAt) });
      return { scheduled: schedule };
    });
  },
);
