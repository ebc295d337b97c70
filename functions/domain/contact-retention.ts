import { DAY_MS } from '#domain/china-time.ts';
import type { StoredRequester } from '#domain/requester-privacy.ts';
import type { Change, WorkOrder } from '#domain/work-order.ts';

/**
 * Retention of requesters' contacts (PIPL: kept no longer than needed): once an order has been closed
 * for the retention period (default 365 days, wiring's contactRetention), its sealed contact, the
 * contact's hash and its masks are erased. The order keeps everything else; a `contact_erased` event
 * says when and why, appended to the hash chain like any other, so the chain stays valid. A reopened
 * order is not closed, so its contact stays until it closes again and the period runs anew.
 */
export const contactHeldSince = (
  order: Pick<WorkOrder, 'status' | 'closedAt' | 'requester'>,
): string | undefined =>
  order.status === 'closed' && order.requester.contact && order.closedAt ? order.closedAt : undefined;

/** Whether the order's contact is due to be erased at `nowMs`. */
export const contactExpired = (
  order: Pick<WorkOrder, 'status' | 'closedAt' | 'requester'>,
  nowMs: number,
  retentionDays: number,
): boolean => {
  const since = contactHeldSince(order);
  return since !== undefined && Date.parse(since) + retentionDays * DAY_MS <= nowMs;
};

/** The order without its contact, and the event that says so; undefined when not due (nothing to do). */
export const eraseContact = (order: WorkOrder, nowMs: number, retentionDays: number): Change | undefined => {
  if (!contactExpired(order, nowMs, retentionDays)) return undefined;
  const at = new Date(nowMs).toISOString();
  const { contact: _erased, ...rest } = order.requester;
  const requester: StoredRequester = { ...rest, contactErasedAt: at };
  return {
    order: { ...order, version: order.version + 1, requester, updatedAt: at },
    events: [
      {
        type: 'contact_erased',
        at,
        actor: { kind: 'system', name: 'retention' },
        data: { closedAt: order.closedAt, retentionDays },
      },
    ],
  };
};
