import { notFound } from '#domain/errors.ts';
import { dayContactReadsQuery, orderContactReadsQuery } from '#shared/contract/requests.ts';
import { actorOf } from '#shared/platform/auth.ts';
import { json, parseQuery, withoutBody } from '#shared/platform/http.ts';
import { listContactReads } from '#shared/stores/contact-read-store.ts';
import { readOrder } from '#shared/stores/order-store.ts';

/**
 * GET /orders/{id}/contact-reads and GET /contact-reads?day=: every opening of a requester's contact,
 * for auditors and supervisors (docs/privacy.md), oldest first, paged.
 */
export const handler = withoutBody(async (event) => {
  actorOf(event);
  if (event.routeKey === 'GET /contact-reads') {
    const { day, ...page } = parseQuery(dayContactReadsQuery, event);
    return json(200, await listContactReads({ day }, page));
  }
  const page = parseQuery(orderContactReadsQuery, event);
  const id = event.pathParameters?.id ?? '';
  if (!(await readOrder(id))) throw notFound('order', id);
  return json(200, await listContactReads({ orderId: id }, page));
});
