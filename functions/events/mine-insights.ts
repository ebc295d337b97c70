import { PutEventsCommand } from '@aws-sdk/client-eventbridge';
import middy from '@middy/core';
import { ulid } from 'ulid';
import * as z from 'zod';
import { athenaEngine } from '#shared/gateways/athena-engine.ts';
import { type MiningReport, mineInsights } from '#shared/mining/mine-insights.ts';
import { eventBridge } from '#shared/platform/aws-clients.ts';
import { clock } from '#shared/platform/clock.ts';
import { requireEnv } from '#shared/platform/config.ts';
import { logger } from '#shared/platform/logger.ts';
import { referenceData } from '#shared/platform/reference.ts';
import {
  markAlertPublished,
  putInsight,
  recordAlert,
  topicChoicesBefore,
} from '#shared/stores/insight-store.ts';
import { envNames, insightEventSource } from '#wiring/wiring.ts';

/**
 * The mining (主动治理), nightly by EventBridge Scheduler (wiring/wiring.ts `miningSchedule`) or on
 * demand: the SQL files on Athena over the analytics store, the domain's mining on their aggregates,
 * each insight stored for its period, each new spike published once (`Insight Spike Detected`).
 * The event may name the month, the day and the kinds to mine; by default the last complete month and
 * yesterday. A failed run is retried by Lambda (asynchronous invocation) and then dead-lettered; a
 * repeated run rewrites the same insights and publishes no alert twice.
 */
const eventSchema = z.looseObject({
  month: z
    .string()
    .regex(/^\d{4}-(0[1-9]|1[0-2])$/)
    .optional(),
  day: z.iso.date().optional(),
  kinds: z
    .array(z.enum(['topics', 'townships', 'rates', 'heatmap', 'outlook', 'hotspots', 'alerts']))
    .optional(),
});

const workGroup = requireEnv(envNames.athenaWorkGroup);
const database = requireEnv(envNames.athenaDatabase);
const busName = requireEnv(envNames.eventBus);

/** PutEvents takes at most 10 entries a call; an entry it refuses fails the run (and is retried). */
const publishSpikes = async (alerts: readonly { id: string }[]) => {
  for (let i = 0; i < alerts.length; i += 10) {
    const result = await eventBridge.send(
      new PutEventsCommand({
        Entries: alerts.slice(i, i + 10).map((alert) => ({
          EventBusName: busName,
          Source: insightEventSource,
          DetailType: 'Insight Spike Detected',
          Detail: JSON.stringify(alert),
        })),
      }),
    );
    if (result.FailedEntryCount) throw new Error(`PutEvents refused ${result.FailedEntryCount} spike events`);
  }
};

export const handler = middy<unknown, MiningReport>().handler(async (event) => {
  const options = eventSchema.parse(event ?? {});
  const engine = athenaEngine({
    workGroup,
    database,
    onQuery: (stats) => logger.debug('Athena query', { ...stats }),
  });
  try {
    await engine.createLatestView();
    const report = await mineInsights(
      {
        engine,
        sink: { putInsight, recordAlert, markAlertPublished, topicChoicesBefore },
        reference: referenceData,
        publishSpikes,
        now: () => clock.now(),
        runId: `mining-${ulid()}`,
      },
      options,
    );
    logger.info('Mining run done', { ...report });
    return report;
  } finally {
    engine.close();
  }
});
