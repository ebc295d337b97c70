import middy from '@middy/core';
import type { EventBridgeEvent } from 'aws-lambda';
import * as z from 'zod';
import { factsFromClosedOrder } from '#domain/assessment.ts';
import { logger } from '#shared/platform/logger.ts';
import { referenceData } from '#shared/platform/reference.ts';
import { retryOnConcurrentUpdate } from '#shared/platform/retry.ts';
import { applyAssessmentEvent } from '#shared/stores/assessment-store.ts';

/**
 * Consumer of `WorkOrder Closed` (bus rule AssessClosedOrders): turns a closed order into assessment
 * facts and applies each exactly once. EventBridge delivers at least once and retries failures; a
 * delivery that fails for good goes to the rule's dead-letter queue.
 */
const detailSchema = z.object({
  orderId: z.string(),
  // Only the first round's closing says whether the requester was contacted in time.
  round: z.number().int().positive().optional(),
  unitId: z.string().nullable(),
  outcome: z.string(),
  flags: z.array(z.string()),
  closedAt: z.string().nullable(),
});

export const handler = middy<EventBridgeEvent<'WorkOrder Closed', unknown>, { applied: number }>().handler(
  async (event) => {
    const detail = detailSchema.parse(event.detail);
    const unitClass = detail.unitId ? referenceData.unit(detail.unitId)?.class : undefined;
    let applied = 0;
    for (const fact of factsFromClosedOrder(detail, unitClass)) {
      // A lost race with another delivery for the same order is read again (shared/platform/retry.ts).
      if (await retryOnConcurrentUpdate(() => applyAssessmentEvent(fact))) applied++;
    }
    logger.info('Assessment facts applied', { orderId: detail.orderId, applied });
    return { applied };
  },
);
