import middy from '@middy/core';
import * as z from 'zod';
import { type ReconcileReport, reconcileLifecycles } from '#application/reconcile-lifecycles.ts';
import { clock } from '#shared/platform/clock.ts';
import { logger } from '#shared/platform/logger.ts';
import { lifecycleHealing } from '#wiring/wiring.ts';

/**
 * Scheduler target, every five minutes (wiring/wiring.ts `lifecycleHealing.reconciler`): the backstop of
 * the intake and of the stream trigger. Orders still received a minute after intake whose lifecycle
 * never started get it started; those whose lifecycle ended or failed are reported, not restarted
 * (application/reconcile-lifecycles.ts). A run in which some order could not be looked at fails after
 * doing the rest, so Lambda retries it (asynchronous invocation) and then dead-letters it, with an alarm.
 */
const eventSchema = z.looseObject({ job: z.string().optional() });
const { olderThanSeconds, lookbackHours, maxOrdersPerRun } = lifecycleHealing.reconciler;

export const handler = middy<unknown, ReconcileReport>().handler(async (event) => {
  eventSchema.parse(event ?? {});
  const report = await reconcileLifecycles(clock.now(), {
    olderThanSeconds,
    lookbackHours,
    maxOrders: maxOrdersPerRun,
  });
  logger.info('Lifecycles reconciled', {
    examined: report.examined,
    healed: report.healed.length,
    running: report.running,
    notRunning: report.notRunning.length,
    failed: report.failed.length,
    pages: report.pages,
    truncated: report.truncated,
  });
  if (report.failed.length > 0) {
    throw new Error(`Lifecycles of ${report.failed.length} orders could not be reconciled; the rest were`);
  }
  return report;
});
