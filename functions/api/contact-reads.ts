import * as z from 'zod';
import { notFound } from '#domain/errors.ts';
import { actorOf } from '#shared/platform/auth.ts';
import { json, parseQuery, withoutBody } from '#shared/platform/http.ts';
import { listContactReads } from '#shared/stores/contact-read-store.ts';
import { readOrder } from '#shared/stores/order-store.ts';

/**
 * GET /orders/{id}/contact-reads and GET /contact-reads?day=: every opening of a requester's contact,
 * for auditors and supervisors (docs/privacy.md), oldest first, paged.
 */
const pageSchema = {
  limit: z.coerce.number().int().min(1).max(100).default(50),
  cursor: z.string().min(1).max(512).optional(),
};
const ofOrder = z.strictObject(pageSchema);
const ofDay = z.strictObject({ day: z.iso.date(), ...pageSchema });

export const handler = withoutBody(async (event) => {
  actorOf(event);
  if (event.routeKey === 'GET /contact-reads') {
    const { day, ...page } = parseQuery(ofDay, event);
    return json(200, await listContactReads({ day }, page));
  }
  const page = parseQuery(ofOrder, event);
  const id = event.pathParameters?.id ?? '';
  if (!(await readOrder(id))) throw notFound('order', id);
  return json(200, await listContactReads({ orderId: id }, page));
});
