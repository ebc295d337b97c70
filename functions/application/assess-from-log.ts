import { assessmentEventsOf } from '#domain/analytics-projection.ts';
import { referenceData } from '#shared/platform/reference.ts';
import { retryOnConcurrentUpdate } from '#shared/platform/retry.ts';
import { applyAssessmentEvent, unappliedAssessmentEvents } from '#shared/stores/assessment-store.ts';
import { readEvents, readOrder } from '#shared/stores/order-store.ts';

/**
 * The assessment counters caught up with an order's log, the source of truth: every fact its log
 * gives (closings, call-back ends, exclusions: domain/analytics-projection.ts `assessmentEventsOf`)
 * that the aggregate has not applied yet is applied, each exactly once by its id. The bus rule and the
 * handlers apply the same facts (same ids) as they happen; this is the path that cannot miss one,
 * since it runs from the log's own stream (trigger FollowOrderLogs) after every such event.
 */
export interface LogAssessment {
  /** False for an order that does not exist (nothing to do). */
  readonly found: boolean;
  /** Facts the log gives in all. */
  readonly facts: number;
  /** Of those, facts this call applied (0 when the other paths had applied them all). */
  readonly applied: number;
}

export const assessFromLog = async (orderId: string): Promise<LogAssessment> => {
  const stored = await readOrder(orderId);
  if (!stored) return { found: false, facts: 0, applied: 0 };
  const facts = assessmentEventsOf(stored.order, await readEvents(orderId), referenceData);
  const missing = facts.length > 0 ? await unappliedAssessmentEvents(orderId, facts) : [];
  let applied = 0;
  for (const fact of missing) {
    // Applied since the read by another path: applyAssessmentEvent recognises its id and says false.
    if (await retryOnConcurrentUpdate(() => applyAssessmentEvent(fact))) applied++;
  }
  return { found: true, facts: facts.length, applied };
};
