import type { ExclusionReason } from './assessment.ts';
import { HotlineError } from './errors.ts';
import type { Actor } from './order-events.ts';
import { type Change, changed, iso, type WorkOrder } from './work-order.ts';

/**
 * Who counts in assessment (Art. 32), decided on one order:
 *   exclusion        a supervisor takes the order out of its unit's rates, with a reason
 *   appeal (申诉)     the unit the order counts for appeals its inclusion; one appeal waits at a time
 *   appeal decision  a supervisor upholds the appeal (the order is excluded) or keeps it in the rates
 * Only an order that was dispatched to a unit is assessed. Each decision is a change of the order with
 * its event; the counters follow from the event (`exclusionOf`), exactly once.
 */
type Person = Extract<Actor, { kind: 'person' }>;

export type AppealDecision =
  | { readonly decision: 'exclude'; readonly reason: ExclusionReason; readonly note: string }
  | { readonly decision: 'keep'; readonly note: string };

/** The unit the order counts for: an order never dispatched to a unit is not assessed. */
const assessedUnitOf = (order: WorkOrder): string => {
  if (!order.unitId) {
    throw new HotlineError(
      'conflict',
      'NOT_ASSESSED',
      'The order was never dispatched to a unit, so it is not assessed.',
    );
  }
  return order.unitId;
};

const requireSupervisor = (actor: Person): void => {
  if (actor.role !== 'supervisor') {
    throw new HotlineError('forbidden', 'SUPERVISOR_ONLY', 'Only a supervisor decides on assessment.');
  }
};

const decided = (
  order: WorkOrder,
  actor: Person,
  nowMs: number,
  type: string,
  data: Record<string, unknown>,
): Change => ({ order: changed(order, nowMs, {}), events: [{ type, at: iso(nowMs), actor, data }] });

/** A supervisor excludes the order from its unit's rates. */
export const excludeFromAssessment = (
  order: WorkOrder,
  actor: Person,
  nowMs: number,
  exclusion: { readonly reason: ExclusionReason; readonly note: string },
): Change => {
  const unitId = assessedUnitOf(order);
  requireSupervisor(actor);
  return decided(order, actor, nowMs, 'assessment_excluded', { ...exclusion, unitId });
};

/** 申诉: only the unit the order counts for, and not while an earlier appeal waits. */
export const appealAssessment = (order: WorkOrder, actor: Person, nowMs: number, reason: string): Change => {
  const unitId = assessedUnitOf(order);
  if (actor.role !== 'unit' || actor.unitId !== unitId) {
    throw new HotlineError('forbidden', 'NOT_LEAD_UNIT', 'Only the unit the order counts for can appeal it.');
  }
  if (order.pendingAppeal)
    throw new HotlineError('conflict', 'APPEAL_PENDING', 'An appeal on this order waits for the centre.');
  const appealed = { ...order, pendingAppeal: { reason, at: iso(nowMs), by: unitId } };
  return decided(appealed, actor, nowMs, 'assessment_appealed', { reason, unitId });
};

/** A supervisor decides the pending appeal: upheld excludes the order, kept leaves it counted. */
export const decideAppeal = (
  order: WorkOrder,
  actor: Person,
  nowMs: number,
  decision: AppealDecision,
): Change => {
  assessedUnitOf(order);
  requireSupervisor(actor);
  const { pendingAppeal, ...settled } = order;
  if (!pendingAppeal)
    throw new HotlineError('conflict', 'NO_APPEAL_PENDING', 'There is no appeal on this order to decide.');
  return decision.decision === 'exclude'
    ? decided(settled as WorkOrder, actor, nowMs, 'assessment_appeal_upheld', {
        note: decision.note,
        reason: decision.reason,
      })
    : decided(settled as WorkOrder, actor, nowMs, 'assessment_appeal_rejected', { note: decision.note });
};

/** The exclusion a change makes (an exclusion, or an upheld appeal), for the unit's counters. */
export const exclusionOf = (change: Change): ExclusionReason | undefined => {
  const event = change.events.find(
    (e) => e.type === 'assessment_excluded' || e.type === 'assessment_appeal_upheld',
  );
  return event?.data.reason as ExclusionReason | undefined;
};
