import { assessmentActions, assessmentDecision } from '#application/assessment-actions.ts';
import { actionRoute } from './action-route.ts';

/**
 * Assessment decisions on one order (Art. 32):
 *   POST /orders/{id}/assessment-exclusion        a supervisor takes the order out of its unit's rates,
 *                                                 with a reason (unreasonable demand, unreachable,
 *                                                 duplicate, malicious)
 *   POST /orders/{id}/assessment-appeal           the unit it counts for appeals its inclusion (申诉)
 *   POST /orders/{id}/assessment-appeal-decision  a supervisor upholds the appeal (the order is
 *                                                 excluded) or keeps the order in the rates
 * Each is recorded in the order's log with who and why; the unit's counters change exactly once. The
 * rules are domain/assessment-decisions.ts; the bodies application/assessment-actions.ts; If-Match and
 * Idempotency-Key work as for every action on an order (action-route.ts).
 */
export const handler = actionRoute(assessmentActions, assessmentDecision);
