import * as z from 'zod';
import { phoneHashOf } from '#application/requester-contact.ts';
import { summarizeOrder } from '#domain/order-view.ts';
import { phoneIdentityText } from '#domain/requester-privacy.ts';
import { actorOf } from '#shared/platform/auth.ts';
import { json, parseQuery, withoutBody } from '#shared/platform/http.ts';
import { listRequesterOrders, readOrdersById } from '#shared/stores/order-store.ts';

/**
 * GET /requester-orders?phone=&limit=: the centre finds a caller's earlier orders (a repeat caller, a
 * `repeat` disposition) by the contact hash of the number they give, without opening any contact
 * (docs/privacy.md). The answer is order summaries, newest first, nothing of the requester.
 */
const querySchema = z.strictObject({
  phone: z.string().regex(/^\+?[0-9][0-9 -]{4,19}$/, 'a phone number: digits, spaces or dashes, 5 to 20'),
  limit: z.coerce.number().int().min(1).max(50).default(20),
});

export const handler = withoutBody(async (event) => {
  actorOf(event);
  const { phone, limit } = parseQuery(querySchema, event);
  const ids = await listRequesterOrders(await phoneHashOf(phoneIdentityText(phone)), limit);
  const orders = await readOrdersById(ids);
  return json(200, { items: orders.map(summarizeOrder) });
});
