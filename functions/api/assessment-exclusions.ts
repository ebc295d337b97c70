import * as z from 'zod';
import { exclusionFact, exclusionReasons } from '#domain/assessment.ts';
import { HotlineError, notFound } from '#domain/errors.ts';
import { viewOrder } from '#domain/order-view.ts';
import { changed, iso } from '#domain/work-order.ts';
import { applyAssessmentEvent } from '#shared/assessment-store.ts';
import { actorOf } from '#shared/auth.ts';
import { clock } from '#shared/clock.ts';
import { json, withJsonBody } from '#shared/http.ts';
import { readOrder, saveChange } from '#shared/order-store.ts';

/**
 * POST /orders/{id}/assessment-exclusion: the centre takes an order out of its unit's assessment,
 * with a reason (Art. 32: unreasonable demand, requester unreachable, duplicate, malicious). The
 * order's log records who and why; the unit's counters change exactly once.
 */
const bodySchema = z.strictObject({
  reason: z.enum(exclusionReasons),
  note: z.string().trim().min(1).max(1000),
});

export const handler = withJsonBody(bodySchema, async (event, body) => {
  const actor = actorOf(event);
  if (actor.role !== 'supervisor')
    throw new HotlineError(
      'forbidden',
      'SUPERVISOR_ONLY',
      'Only a supervisor excludes orders from assessment.',
    );
  const id = event.pathParameters?.id ?? '';
  const stored = await readOrder(id);
  if (!stored) throw notFound('order', id);
  if (!stored.order.unitId) {
    throw new HotlineError(
      'conflict',
      'NOT_ASSESSED',
      'The order was never dispatched to a unit, so it is not assessed.',
    );
  }
  const nowMs = clock.now();
  const saved = await saveChange(stored, {
    order: changed(stored.order, nowMs, {}),
    events: [
      {
        type: 'assessment_excluded',
        at: iso(nowMs),
        actor,
        data: { reason: body.reason, note: body.note, unitId: stored.order.unitId },
      },
    ],
  });
  await applyAssessmentEvent(exclusionFact(id, body.reason, nowMs));
  return json(200, viewOrder(saved.order, actor), { etag: `"${saved.order.version}"` });
});
