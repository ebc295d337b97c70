import type { ActionKind } from '#application/act-on-order.ts';
import { settleCallback } from '#application/callback-settlement.ts';
import { actions } from '#application/order-actions.ts';
import { publishIfCallbackDue } from '#shared/gateways/order-notices.ts';
import { logger } from '#shared/platform/logger.ts';
import { actionRoute } from './action-route.ts';

/**
 * POST /orders/{id}/<action>: a person acts on an order. What each action takes and decides is
 * application/order-actions.ts (the explicit transition table behind it, domain/work-order.ts); how it
 * is loaded, decided, saved with its event and then completes the lifecycle's waiting task (so that it
 * also shows in the execution history) is application/act-on-order.ts; If-Match and Idempotency-Key,
 * action-route.ts.
 */
export { actions };

/**
 * After an action is saved: a call-back that fell due on the way (the limit ran out just before the
 * action) goes to the bus, and a call-back answer is settled (assessment, a reopened round's
 * execution). Both are idempotent and retried by later steps (checkpoints, the round's remaining
 * schedules), so a failure here is logged, not lost.
 */
const lifecycleAction: ActionKind = {
  lifecycle: true,
  afterSaved: async (name, order) => {
    try {
      await publishIfCallbackDue(order);
      if (name === 'callback') await settleCallback(order);
    } catch (error) {
      logger.error('Follow-up of the action failed; a later step retries it', { error: error as Error });
    }
  },
};

export const handler = actionRoute(actions, lifecycleAction);
