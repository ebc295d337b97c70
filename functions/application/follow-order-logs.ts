import { isPushedEventType } from '#domain/push-deliveries.ts';
import { logger } from '#shared/platform/logger.ts';
import { readOrder } from '#shared/stores/order-store.ts';
import { assessmentMilestones, lifecycleHealing } from '#wiring/wiring.ts';
import { assessFromLog } from './assess-from-log.ts';
import { closeCallbackRound } from './callback-settlement.ts';
import { healLifecycle } from './heal-lifecycle.ts';
import { pushOrderEvent } from './push-order-events.ts';
import { scheduleCallback } from './schedule-callback.ts';

/**
 * What the table stream's FollowOrderLogs trigger does with a batch of an order's new events (see
 * functions/events/follow-order-logs.ts for why it exists). Each event's job is idempotent:
 * - `received`: the order's lifecycle is started if the intake's own start did not happen
 *   (heal-lifecycle.ts). An event younger than the intake's grace is looked at again until the grace
 *   is over, so an intake still starting its order is never raced;
 * - an event that gives assessment facts: the unit counters are brought up to the order's log
 *   (assess-from-log.ts), once per order in the batch;
 * - `callback_due`: the round's first call-back attempt is scheduled, if it is not yet
 *   (schedule-callback.ts);
 * - a round's end (`callback_answered`, `callback_unreachable`): besides its facts, the operators' task
 *   removed and a reopened order's new lifecycle started (callback-settlement.ts closeCallbackRound),
 *   which the answer's handler or the final check may have died before doing;
 * - an event the units are told of (domain/push-deliveries.ts): signed and put on the bus for each
 *   subscription of the units it concerns (push-order-events.ts), besides any job above. The events
 *   of one batch are pushed concurrently: a receiver orders an order's deliveries by `event.seq`.
 */
export interface LoggedEvent {
  readonly orderId: string;
  readonly type: string;
  /** The event's place in the order's log (NaN when the record says none). */
  readonly seq: number;
  /** The round of a `callback_due` event (NaN when it says none). */
  readonly round: number;
  /** When the stream record was written, in real time: the lifecycle's grace counts from it. */
  readonly writtenAtMs: number;
}

export type FollowOutcome =
  | Awaited<ReturnType<typeof healLifecycle>>['kind']
  | 'assessed'
  | 'counted'
  | 'scheduled'
  | 'pushed'
  | 'skipped'
  | 'failed';

const GRACE_MS = lifecycleHealing.inlineStartGraceSeconds * 1000;
const assessing = new Set<string>(assessmentMilestones);
const roundEnds = new Set<string>(['callback_answered', 'callback_unreachable']);

const startLifecycle = async (event: LoggedEvent): Promise<FollowOutcome> => {
  const outcome = await healLifecycle(event.orderId, {
    healer: 'stream',
    waitUntilMs: event.writtenAtMs + GRACE_MS,
  });
  if (outcome.kind === 'found' && outcome.status !== 'RUNNING') {
    // Ended or failed while the order was just received: an operator's to look at (a redrive).
    logger.warn('Lifecycle of a received order is not running', {
      orderId: event.orderId,
      status: outcome.status,
    });
  }
  return outcome.kind;
};

/** Each event's outcome, in the batch's order; an event that could not be followed is `failed`. */
export const followOrderLogs = async (
  events: readonly (LoggedEvent | undefined)[],
): Promise<FollowOutcome[]> => {
  // One assessment and one round closing per order named in the batch, whichever of its events named it.
  const once = <T>(cache: Map<string, Promise<T>>, orderId: string, run: () => Promise<T>): Promise<T> => {
    const running = cache.get(orderId) ?? run();
    cache.set(orderId, running);
    return running;
  };
  const assessments = new Map<string, Promise<FollowOutcome>>();
  const closings = new Map<string, Promise<unknown>>();
  const assessOnce = (orderId: string) =>
    once(assessments, orderId, () =>
      assessFromLog(orderId).then((r) => (r.applied > 0 ? 'assessed' : 'counted')),
    );
  const closeRoundOnce = (orderId: string) =>
    once(closings, orderId, () =>
      readOrder(orderId).then((stored) => (stored ? closeCallbackRound(stored.order) : undefined)),
    );

  const follow = async (event: LoggedEvent): Promise<FollowOutcome> => {
    if (event.type === 'received') return startLifecycle(event);
    if (roundEnds.has(event.type)) {
      // The answer's handler or the final check closed the round already, unless it died after saving.
      const [assessed] = await Promise.all([assessOnce(event.orderId), closeRoundOnce(event.orderId)]);
      return assessed;
    }
    if (assessing.has(event.type)) return assessOnce(event.orderId);
    if (event.type === 'callback_due') {
      if (Number.isNaN(event.round)) throw new Error('callback_due event without a round');
      return (await scheduleCallback(event.orderId, event.round)).scheduled ? 'scheduled' : 'counted';
    }
    return 'skipped';
  };

  return Promise.all(
    events.map(async (event) => {
      if (!event) return 'skipped';
      try {
        const [outcome, pushed] = await Promise.all([
          follow(event),
          isPushedEventType(event.type) && !Number.isNaN(event.seq)
            ? pushOrderEvent(event.orderId, event.seq)
            : 0,
        ]);
        return outcome === 'skipped' && pushed > 0 ? 'pushed' : outcome;
      } catch (error) {
        logger.error('Order log not followed', { orderId: event.orderId, type: event.type, error });
        return 'failed';
      }
    }),
  );
};
