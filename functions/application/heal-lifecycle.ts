import type { ExecutionStatus } from '@aws-sdk/client-sfn';
import { type LifecycleHealer, lifecycleHealed } from '#domain/lifecycle-healing.ts';
import { executionNameOf, lifecycleStatusOf, startLifecycleExecution } from '#shared/gateways/lifecycle.ts';
import { clock } from '#shared/platform/clock.ts';
import { logger } from '#shared/platform/logger.ts';
import { retryOnConcurrentUpdate, retryPolicies } from '#shared/platform/retry.ts';
import { readOrder, saveChange } from '#shared/stores/order-store.ts';

/**
 * Heals an order's lifecycle that was never started: looks first (DescribeExecution), starts it only
 * when there is none, and only then appends `lifecycle_healed` to the order's log — so an order whose
 * lifecycle the intake started keeps its log as it was, and an ended or failed execution is reported,
 * never restarted (a failed one waits for an operator's redrive: functions/domain/lifecycle-failure.ts;
 * its name cannot be reused for 90 days anyway).
 *
 * `waitUntilMs` (stream healer): until then the intake may still be starting the lifecycle itself, so a
 * missing execution is looked for again, every `pollMs`, rather than started. It is real time, compared
 * with the stream record's own time, not the order clock (which the local stack may run faster).
 *
 * A crash after the start but before the event leaves a running lifecycle without the event; the
 * lifecycle is what matters, and the next look finds it running.
 */
export type HealOutcome =
  /** The execution exists: `RUNNING` (or waiting), or ended/failed while the order is open. */
  | { readonly kind: 'found'; readonly status: ExecutionStatus }
  /** This call started it and recorded the healing. */
  | { readonly kind: 'healed'; readonly execution: string }
  /** Step Functions refused the name: another execution of it ended, or runs with another input. */
  | { readonly kind: 'refused'; readonly execution: string }
  | { readonly kind: 'no-order' };

const POLL_MS = 250;
const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

export const healLifecycle = async (
  orderId: string,
  args: { readonly healer: LifecycleHealer; readonly round?: number; readonly waitUntilMs?: number },
): Promise<HealOutcome> => {
  const round = args.round ?? 1;
  const execution = executionNameOf(orderId, round);
  for (;;) {
    const status = await lifecycleStatusOf(orderId, round);
    if (status !== undefined) return { kind: 'found', status };
    const left = (args.waitUntilMs ?? 0) - Date.now();
    if (left <= 0) break;
    await sleep(Math.min(POLL_MS, left));
  }
  // Read before starting: an order that is not there (it cannot be: the stream saw it saved) starts nothing.
  if (!(await readOrder(orderId))) return { kind: 'no-order' };
  if ((await startLifecycleExecution(orderId, round)) === 'exists') return { kind: 'refused', execution };
  await retryOnConcurrentUpdate(async () => {
    // The new execution's first task writes the order too: each lost race is decided again on fresh data.
    const stored = await readOrder(orderId);
    if (!stored) throw new Error(`Order ${orderId} vanished while its lifecycle was healed`);
    await saveChange(
      stored,
      lifecycleHealed(stored.order, { healer: args.healer, execution, round, nowMs: clock.now() }),
    );
  }, retryPolicies.persistent);
  logger.warn('Lifecycle healed: it had not been started', { orderId, execution, healer: args.healer });
  return { kind: 'healed', execution };
};
