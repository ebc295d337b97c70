import * as z from 'zod';
import { type ExclusionReason, exclusionFact, exclusionReasons } from '#domain/assessment.ts';
import { HotlineError, notFound } from '#domain/errors.ts';
import { viewOrder } from '#domain/order-view.ts';
import { changed, iso, type WorkOrder } from '#domain/work-order.ts';
import { applyAssessmentEvent } from '#shared/assessment-store.ts';
import { actorOf, canRead } from '#shared/auth.ts';
import { clock } from '#shared/clock.ts';
import { json, withJsonBody } from '#shared/http.ts';
import { readOrder, saveChange } from '#shared/order-store.ts';

/**
 * Assessment decisions on one order (Art. 32):
 *   POST /orders/{id}/assessment-exclusion        a supervisor takes the order out of its unit's rates,
 *                                                 with a reason (unreasonable demand, unreachable,
 *                                                 duplicate, malicious)
 *   POST /orders/{id}/assessment-appeal           the unit it counts for appeals its inclusion (申诉)
 *   POST /orders/{id}/assessment-appeal-decision  a supervisor upholds the appeal (the order is
 *                                                 excluded) or keeps the order in the rates
 * Each is recorded in the order's log with who and why; the unit's counters change exactly once.
 */
const note = z.string().trim().min(1).max(1000);
const exclusionSchema = z.strictObject({ reason: z.enum(exclusionReasons), note });
const appealSchema = z.strictObject({ reason: note });
const decisionSchema = z.discriminatedUnion('decision', [
  z.strictObject({ decision: z.literal('exclude'), reason: z.enum(exclusionReasons), note }),
  z.strictObject({ decision: z.literal('keep'), note }),
]);

const requireSupervisor = (role: string): void => {
  if (role !== 'supervisor') {
    throw new HotlineError('forbidden', 'SUPERVISOR_ONLY', 'Only a supervisor decides on assessment.');
  }
};

interface Decided {
  readonly next: WorkOrder;
  readonly type: string;
  readonly data: Record<string, unknown>;
  readonly exclusion?: ExclusionReason;
}

const decide = (
  action: string,
  raw: unknown,
  order: WorkOrder,
  actor: ReturnType<typeof actorOf>,
  nowMs: number,
): Decided => {
  const at = iso(nowMs);
  const { pendingAppeal, ...withoutAppeal } = order;
  if (action === 'assessment-appeal') {
    const body = appealSchema.parse(raw);
    if (actor.role !== 'unit' || actor.unitId !== order.unitId) {
      throw new HotlineError(
        'forbidden',
        'NOT_LEAD_UNIT',
        'Only the unit the order counts for can appeal it.',
      );
    }
    if (pendingAppeal)
      throw new HotlineError('conflict', 'APPEAL_PENDING', 'An appeal on this order waits for the centre.');
    return {
      next: changed(order, nowMs, { pendingAppeal: { reason: body.reason, at, by: order.unitId ?? '' } }),
      type: 'assessment_appealed',
      data: { reason: body.reason, unitId: order.unitId },
    };
  }
  requireSupervisor(actor.role);
  if (action === 'assessment-appeal-decision') {
    const body = decisionSchema.parse(raw);
    if (!pendingAppeal)
      throw new HotlineError('conflict', 'NO_APPEAL_PENDING', 'There is no appeal on this order to decide.');
    return {
      next: changed(withoutAppeal as WorkOrder, nowMs, {}),
      ...(body.decision === 'exclude'
        ? {
            type: 'assessment_appeal_upheld',
            data: { note: body.note, reason: body.reason },
            exclusion: body.reason,
          }
        : { type: 'assessment_appeal_rejected', data: { note: body.note } }),
    };
  }
  const body = exclusionSchema.parse(raw);
  return {
    next: changed(order, nowMs, {}),
    type: 'assessment_excluded',
    data: { reason: body.reason, note: body.note, unitId: order.unitId },
    exclusion: body.reason,
  };
};

export const handler = withJsonBody(z.unknown(), async (event, raw) => {
  const actor = actorOf(event);
  const id = event.pathParameters?.id ?? '';
  const stored = await readOrder(id);
  if (!stored || !canRead(actor, stored.order)) throw notFound('order', id);
  if (!stored.order.unitId) {
    throw new HotlineError(
      'conflict',
      'NOT_ASSESSED',
      'The order was never dispatched to a unit, so it is not assessed.',
    );
  }
  const nowMs = clock.now();
  const decided = decide(event.routeKey.split('/').at(-1) ?? '', raw, stored.order, actor, nowMs);
  const saved = await saveChange(stored, {
    order: decided.next,
    events: [{ type: decided.type, at: iso(nowMs), actor, data: decided.data }],
  });
  if (decided.exclusion) await applyAssessmentEvent(exclusionFact(id, decided.exclusion, nowMs));
  return json(200, viewOrder(saved.order, actor), { etag: `"${saved.order.version}"` });
});
