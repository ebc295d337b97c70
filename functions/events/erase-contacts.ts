import middy from '@middy/core';
import * as z from 'zod';
import { type EraseReport, eraseExpiredContacts } from '#application/erase-contacts.ts';
import { clock } from '#shared/platform/clock.ts';
import { optionalEnv } from '#shared/platform/config.ts';
import { logger } from '#shared/platform/logger.ts';
import { contactRetention, envNames } from '#wiring/wiring.ts';

/**
 * Scheduler target, nightly (wiring/wiring.ts `contactRetention`): erases the contacts of orders closed
 * longer than the retention period (application/erase-contacts.ts). A run in which some order could not
 * be erased fails after doing the rest, so Lambda retries it and then dead-letters it, with an alarm.
 */
const eventSchema = z.looseObject({ job: z.string().optional() });
const retentionDays = z.coerce
  .number()
  .int()
  .min(1)
  .parse(optionalEnv(envNames.contactRetentionDays, String(contactRetention.retentionDays)));

export const handler = middy<unknown, EraseReport>().handler(async (event) => {
  eventSchema.parse(event ?? {});
  const report = await eraseExpiredContacts(clock.now(), {
    retentionDays,
    maxOrders: contactRetention.maxOrdersPerRun,
  });
  logger.info('Contacts erased', {
    erased: report.erased.length,
    failed: report.failed.length,
    truncated: report.truncated,
    retentionDays,
  });
  if (report.failed.length > 0)
    throw new Error(`The contacts of ${report.failed.length} orders could not be erased; the rest were`);
  return report;
});
