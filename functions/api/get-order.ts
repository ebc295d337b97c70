import { notFound } from '#domain/errors.ts';
import { viewOrder } from '#domain/order-view.ts';
import { actorOf, canRead } from '#shared/platform/auth.ts';
import { clock } from '#shared/platform/clock.ts';
import { json, withoutBody } from '#shared/platform/http.ts';
import { possibleDuplicatesField } from '#shared/stores/nearby-orders.ts';
import { readOrder } from '#shared/stores/order-store.ts';

/**
 * GET /orders/{id}. A unit's staff asking for another unit's order get 404, as if it did not exist.
 * The centre and auditors also see the order's possible duplicates (nearby open orders of its category).
 */
export const handler = withoutBody(async (event) => {
  const actor = actorOf(event);
  const id = event.pathParameters?.id ?? '';
  const stored = await readOrder(id);
  if (!stored || !canRead(actor, stored.order)) throw notFound('order', id);
  const duplicates = await possibleDuplicatesField(stored.order, actor, clock.now());
  return json(
    200,
    { ...viewOrder(stored.order, actor), ...duplicates },
    { etag: `"${stored.order.version}"` },
  );
});
