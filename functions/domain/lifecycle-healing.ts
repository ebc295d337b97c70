import type { Actor } from './order-events.ts';
import { type Change, changed, iso, type WorkOrder } from './work-order.ts';

/**
 * Every acknowledged order has a lifecycle. The intake starts it right after saving the order; when that
 * start did not happen (it failed, or the intake died in between), one of two healers starts it and says
 * so in the order's log with a `lifecycle_healed` event: who healed it, why, which execution, and how
 * long after intake. An order whose lifecycle the intake started has no such event.
 *
 * Healers:
 * - `stream`: the table stream's FollowOrderLogs trigger, which sees every order saved;
 * - `reconciler`: the recurring reconciler, for what the stream trigger missed (its retries ran out,
 *   its records expired).
 */
export const lifecycleHealers = ['stream', 'reconciler'] as const;
export type LifecycleHealer = (typeof lifecycleHealers)[number];

/** Why a lifecycle was healed: the only case a healer starts one is that it was never started. */
export type HealingReason = 'not_started';

/** Healing finishes the intake's own work (接诉: record, then start), so the intake is the actor. */
const intake: Actor = { kind: 'system', name: 'intake' };

/** The change that records a healed lifecycle: nothing of the order changes but its version. */
export const lifecycleHealed = (
  order: WorkOrder,
  args: { healer: LifecycleHealer; execution: string; round: number; nowMs: number },
): Change => ({
  order: changed(order, args.nowMs, {}),
  events: [
    {
      type: 'lifecycle_healed',
      at: iso(args.nowMs),
      actor: intake,
      data: {
        healer: args.healer,
        reason: 'not_started' satisfies HealingReason,
        execution: args.execution,
        round: args.round,
        // Whole seconds from intake to healing, on the clock the order was received by.
        afterSeconds: Math.max(0, Math.floor((args.nowMs - Date.parse(order.receivedAt)) / 1000)),
      },
    },
  ],
});

/** Whether the reconciler should look at an order still `received`: only once the intake is long over. */
export const overdueForLifecycle = (
  order: { readonly status: string; readonly receivedAt: string },
  nowMs: number,
  olderThanSeconds: number,
): boolean => order.status === 'received' && nowMs - Date.parse(order.receivedAt) >= olderThanSeconds * 1000;
