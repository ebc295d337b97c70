import { receiveContact } from '#application/receive-contact.ts';
import { newOrderSchema } from '#domain/order-input.ts';
import { viewOrder } from '#domain/order-view.ts';
import { actorOf } from '#shared/platform/auth.ts';
import { clock } from '#shared/platform/clock.ts';
import { json, withJsonBody } from '#shared/platform/http.ts';
import { claimOf, replayedHeader } from '#shared/platform/idempotency.ts';
import { possibleDuplicatesField } from '#shared/stores/nearby-orders.ts';

/**
 * POST /orders: every contact becomes one work order (Art. 10), and its lifecycle starts. The 201 also
 * lists the order's possible duplicates (nearby open orders of its category), for a `repeat` (Art. 11).
 */
export const handler = withJsonBody(newOrderSchema, async (event, input) => {
  const actor = actorOf(event);
  // Keys are per caller (shared/platform/idempotency.ts), so two operators can never collide on the same key.
  const claim = claimOf(event, { caller: actor.sub, place: {}, request: input, nowMs: clock.now() });
  const { stored, replayed } = await receiveContact({ input, actor, claim });
  const { order } = stored;
  return json(
    201,
    { ...viewOrder(order, actor), ...(await possibleDuplicatesField(order, actor, clock.now())) },
    {
      location: `/orders/${order.id}`,
      etag: `"${order.version}"`,
      ...(replayed ? replayedHeader : {}),
    },
  );
});
