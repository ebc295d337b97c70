import middy from '@middy/core';
import * as z from 'zod';
import { type CallbackReconcileReport, reconcileCallbacks } from '#application/reconcile-callbacks.ts';
import { clock } from '#shared/platform/clock.ts';
import { logger } from '#shared/platform/logger.ts';
import { callbackHealing } from '#wiring/wiring.ts';

/**
 * Scheduler target, every five minutes (wiring/wiring.ts `callbackHealing.reconciler`): the backstop of
 * the call-back schedules. A round still waiting for its first schedule, or for an attempt whose firing
 * was lost past Lambda's retries, a quarter of an hour after it was due, gets it scheduled again
 * (application/reconcile-callbacks.ts). A run in which some order could not be reconciled fails after
 * doing the rest, so Lambda retries it (asynchronous invocation) and then dead-letters it, with an alarm.
 */
const eventSchema = z.looseObject({ job: z.string().optional() });
const { overdueAfterSeconds, lookbackHours, maxOrdersPerRun, maxReschedules } = callbackHealing.reconciler;

export const handler = middy<unknown, CallbackReconcileReport>().handler(async (event) => {
  eventSchema.parse(event ?? {});
  const report = await reconcileCallbacks(clock.now(), {
    overdueAfterSeconds,
    lookbackHours,
    maxOrders: maxOrdersPerRun,
    maxReschedules,
  });
  logger.info('Call-backs reconciled', {
    examined: report.examined,
    scheduled: report.scheduled.length,
    rescheduled: report.rescheduled.length,
    stuck: report.stuck.length,
    failed: report.failed.length,
    truncated: report.truncated,
  });
  if (report.failed.length > 0) {
    throw new Error(`Call-backs of ${report.failed.length} orders could not be reconciled; the rest were`);
  }
  return report;
});
