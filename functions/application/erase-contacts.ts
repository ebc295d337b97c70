import { DAY_MS } from '#domain/china-time.ts';
import { eraseContact } from '#domain/contact-retention.ts';
import { logger } from '#shared/platform/logger.ts';
import { retryOnConcurrentUpdate } from '#shared/platform/retry.ts';
import { listHeldContacts, readOrder, saveChange } from '#shared/stores/order-store.ts';

/**
 * The retention job's run (domain/contact-retention.ts): the closed orders whose contact is past the
 * retention period, oldest first from the byContactHeld index, each read again (the index lags) and
 * saved without its contact, with `contact_erased` in its log. A run that could not erase some order
 * fails after doing the rest, so Scheduler's retries and the next night pick it up; nothing is erased
 * twice (the order read again no longer holds a contact, or the save loses its version check).
 */
export interface EraseReport {
  readonly erased: readonly string[];
  readonly failed: readonly string[];
  readonly truncated: boolean;
}

const CONCURRENCY = 5;

export const eraseExpiredContacts = async (
  nowMs: number,
  limits: { readonly retentionDays: number; readonly maxOrders: number },
): Promise<EraseReport> => {
  const before = new Date(nowMs - limits.retentionDays * DAY_MS).toISOString();
  const ids: string[] = [];
  let cursor: Record<string, unknown> | undefined;
  do {
    const page = await listHeldContacts({
      before,
      limit: Math.min(500, limits.maxOrders - ids.length),
      ...(cursor ? { cursor } : {}),
    });
    ids.push(...page.ids);
    cursor = page.cursor;
  } while (cursor && ids.length < limits.maxOrders);

  const erased: string[] = [];
  const failed: string[] = [];
  for (let i = 0; i < ids.length; i += CONCURRENCY) {
    await Promise.all(
      ids.slice(i, i + CONCURRENCY).map(async (orderId) => {
        try {
          const done = await retryOnConcurrentUpdate(async () => {
            const stored = await readOrder(orderId);
            const change = stored && eraseContact(stored.order, nowMs, limits.retentionDays);
            if (!stored || !change) return false;
            await saveChange(stored, change);
            return true;
          });
          if (done) erased.push(orderId);
        } catch (error) {
          logger.error('Contact not erased', { orderId, error: error as Error });
          failed.push(orderId);
        }
      }),
    );
  }
  return { erased, failed, truncated: cursor !== undefined };
};
