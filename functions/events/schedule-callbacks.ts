import middy from '@middy/core';
import type { EventBridgeEvent } from 'aws-lambda';
import * as z from 'zod';
import { scheduleCallback } from '#application/schedule-callback.ts';
import { logger } from '#shared/platform/logger.ts';

/**
 * Consumer of `WorkOrder Closed` and `WorkOrder Limit Expired` (bus rule ScheduleCallbacks, which
 * already leaves out anonymous requesters and those who declined): the round's call-back falls due, so
 * its first attempt is scheduled (application/schedule-callback.ts). The table stream schedules the
 * same round from the log's callback_due event; whichever comes second changes nothing.
 */
const detailSchema = z.object({ orderId: z.string().min(1), round: z.number().int().min(1) });

export const handler = middy<EventBridgeEvent<string, unknown>, { scheduled: string | null }>().handler(
  async (event) => {
    const { orderId, round } = detailSchema.parse(event.detail);
    const outcome = await scheduleCallback(orderId, round);
    if (outcome.scheduled)
      logger.info('Call-back scheduled', { orderId, round, schedule: outcome.scheduled });
    else logger.info('No call-back to schedule', { orderId, round, state: outcome.state ?? null });
    return { scheduled: outcome.scheduled };
  },
);
