import { notFound } from '#domain/errors.ts';
import { verifyChain } from '#domain/order-events.ts';
import { orderTimelineQuery } from '#shared/contract/requests.ts';
import { actorOf, canRead } from '#shared/platform/auth.ts';
import { json, parseQuery, withoutBody } from '#shared/platform/http.ts';
import { readEvents, readOrder } from '#shared/stores/order-store.ts';

/**
 * GET /orders/{id}/timeline[?verify=true]: the whole story of an order, oldest first — every event with
 * its actor, unit, time and payload (deadline changes, flags and supervision steps included). With
 * `verify=true`, also whether the hash chain holds from the first event to the head the order records.
 */
export const handler = withoutBody(async (event) => {
  const actor = actorOf(event);
  const { verify } = parseQuery(orderTimelineQuery, event);
  const id = event.pathParameters?.id ?? '';
  let stored = await readOrder(id);
  if (!stored || !canRead(actor, stored.order)) throw notFound('order', id);
  let events = await readEvents(id);
  // A change may commit between the two reads (the workflow keeps writing): the log is then ahead of
  // the head read before it, which is no gap. Read both again until they agree (a few tries; a log
  // still ahead after them is reported as it is).
  for (let tries = 0; tries < 3 && stored.lastEvent.seq < events.length; tries++) {
    stored = (await readOrder(id)) ?? stored;
    if (stored.lastEvent.seq > events.length) events = await readEvents(id);
  }
  return json(200, {
    orderId: id,
    status: stored.order.status,
    items: events,
    ...(verify === 'true' ? { verification: verifyChain(events, stored.lastEvent) } : {}),
  });
});
