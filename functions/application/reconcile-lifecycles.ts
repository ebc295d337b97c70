import type { ExecutionStatus } from '@aws-sdk/client-sfn';
import { overdueForLifecycle } from '#domain/lifecycle-healing.ts';
import { logger } from '#shared/platform/logger.ts';
import { listOrders } from '#shared/stores/order-store.ts';
import { healLifecycle } from './heal-lifecycle.ts';

/**
 * The reconciler's run: the orders still `received` well after intake — a lifecycle moves every order
 * on within seconds (its first task dispatches it or hands it to a dispatcher) — newest first over the
 * lookback, from the byDay index (its entries carry the status; nothing else is read per order). For
 * each, at most `maxOrders`:
 * - no execution: start it and record `lifecycle_healed` (healer `reconciler`);
 * - running: nothing (its first task is retrying, or a person is about to dispatch);
 * - ended, failed, timed out or aborted while the order is open: reported (log and result), never
 *   started again — the lifecycle-failure task records a failure on the order and an alarm fires, and
 *   an operator redrives the execution once the cause is fixed (docs/design.md).
 * The run stops at `maxOrders` (`truncated`): newer orders first, since they are the ones to heal; a
 * failed one is reported again by every run until it is redriven.
 */
export interface ReconcileLimits {
  readonly olderThanSeconds: number;
  readonly lookbackHours: number;
  readonly maxOrders: number;
}

export interface ReconcileReport {
  readonly examined: number;
  readonly healed: readonly string[];
  readonly running: number;
  readonly notRunning: readonly { readonly orderId: string; readonly status: ExecutionStatus | 'refused' }[];
  /** Orders whose look or start failed (Step Functions or DynamoDB unavailable): the run then fails. */
  readonly failed: readonly string[];
  readonly pages: number;
  readonly truncated: boolean;
}

/** DescribeExecution calls in flight at once: Step Functions' API is throttled per account. */
const CONCURRENCY = 5;
/** Index pages a run reads at most (each up to 2000 index items, see listOrders). */
const MAX_PAGES = 50;

export const reconcileLifecycles = async (
  nowMs: number,
  limits: ReconcileLimits,
): Promise<ReconcileReport> => {
  const from = new Date(nowMs - limits.lookbackHours * 3_600_000).toISOString();
  const to = new Date(nowMs - limits.olderThanSeconds * 1000).toISOString();
  const healed: string[] = [];
  const notRunning: { orderId: string; status: ExecutionStatus | 'refused' }[] = [];
  const failed: string[] = [];
  let running = 0;
  let examined = 0;
  let pages = 0;
  let cursor: string | undefined;
  let cutShort = false;
  do {
    const page = await listOrders({
      status: 'received',
      from,
      to,
      limit: 100,
      ...(cursor ? { cursor } : {}),
    });
    pages++;
    cursor = page.cursor;
    const overdue = page.items.filter((o) => overdueForLifecycle(o, nowMs, limits.olderThanSeconds));
    const due = overdue.slice(0, limits.maxOrders - examined);
    cutShort ||= due.length < overdue.length;
    for (let i = 0; i < due.length; i += CONCURRENCY) {
      await Promise.all(
        due.slice(i, i + CONCURRENCY).map(async ({ id }) => {
          const outcome = await healLifecycle(id, { healer: 'reconciler' }).catch((error: unknown) => {
            logger.error('Lifecycle not reconciled', { orderId: id, error });
            failed.push(id);
            return undefined;
          });
          if (!outcome) return;
          if (outcome.kind === 'healed') healed.push(id);
          else if (outcome.kind === 'found' && outcome.status === 'RUNNING') running++;
          else if (outcome.kind === 'found') notRunning.push({ orderId: id, status: outcome.status });
          else if (outcome.kind === 'refused') notRunning.push({ orderId: id, status: 'refused' });
        }),
      );
    }
    examined += due.length;
    logger.info('Reconciling lifecycles', { page: pages, examined, healed: healed.length });
  } while (cursor && examined < limits.maxOrders && pages < MAX_PAGES);
  const truncated = cutShort || cursor !== undefined;
  for (const order of notRunning) {
    logger.warn('Open order whose lifecycle is not running: redrive it once the cause is fixed', order);
  }
  return { examined, healed, running, notRunning, failed, pages, truncated };
};
