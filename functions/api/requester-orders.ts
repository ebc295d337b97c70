import { phoneHashOf } from '#application/requester-contact.ts';
import { summarizeOrder } from '#domain/order-view.ts';
import { phoneIdentityText } from '#domain/requester-privacy.ts';
import { requesterOrdersQuery } from '#shared/contract/requests.ts';
import { actorOf } from '#shared/platform/auth.ts';
import { json, parseQuery, withoutBody } from '#shared/platform/http.ts';
import { listRequesterOrders, readOrdersById } from '#shared/stores/order-store.ts';

/**
 * GET /requester-orders?phone=&limit=: the centre finds a caller's earlier orders (a repeat caller, a
 * `repeat` disposition) by the contact hash of the number they give, without opening any contact
 * (docs/privacy.md). The answer is order summaries, newest first, nothing of the requester.
 */
export const handler = withoutBody(async (event) => {
  actorOf(event);
  const { phone, limit } = parseQuery(requesterOrdersQuery, event);
  const ids = await listRequesterOrders(await phoneHashOf(phoneIdentityText(phone)), limit);
  const orders = await readOrdersById(ids);
  return json(200, { items: orders.map(summarizeOrder) });
});
