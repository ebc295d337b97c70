import type * as z from 'zod';
import { exclusionFact } from '#domain/assessment.ts';
import {
  appealAssessment,
  decideAppeal,
  excludeFromAssessment,
  exclusionOf,
} from '#domain/assessment-decisions.ts';
import { assessmentActionBodies } from '#shared/contract/action-bodies.ts';
import { retryOnConcurrentUpdate } from '#shared/platform/retry.ts';
import { applyAssessmentEvent } from '#shared/stores/assessment-store.ts';
import { type ActionKind, type ActionSpec, action } from './act-on-order.ts';

/**
 * The assessment decisions on one order (Art. 32), as actions: the body each takes and the domain rule
 * that decides it (domain/assessment-decisions.ts). They are not steps of the lifecycle: no waiting
 * task is completed and no checkpoint applied; an exclusion then moves the unit's counters, once.
 */
export const assessmentActions: Readonly<Record<string, ActionSpec<z.ZodType>>> = {
  'assessment-exclusion': action({
    schema: assessmentActionBodies['assessment-exclusion'],
    decide: (order, body, actor, nowMs) => excludeFromAssessment(order, actor, nowMs, body),
  }),
  'assessment-appeal': action({
    schema: assessmentActionBodies['assessment-appeal'],
    decide: (order, body, actor, nowMs) => appealAssessment(order, actor, nowMs, body.reason),
  }),
  'assessment-appeal-decision': action({
    schema: assessmentActionBodies['assessment-appeal-decision'],
    decide: (order, body, actor, nowMs) => decideAppeal(order, actor, nowMs, body),
  }),
};

export const assessmentDecision: ActionKind = {
  lifecycle: false,
  afterSaved: async (_name, order, change, nowMs) => {
    const exclusion = exclusionOf(change);
    // Applied exactly once by its fact id; a lost race with another fact of the order is read again.
    if (exclusion)
      await retryOnConcurrentUpdate(() => applyAssessmentEvent(exclusionFact(order.id, exclusion, nowMs)));
  },
};
