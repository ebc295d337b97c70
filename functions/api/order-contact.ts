import { openRequesterContact } from '#application/requester-contact.ts';
import { HotlineError, notFound } from '#domain/errors.ts';
import { contactAccess } from '#domain/requester-privacy.ts';
import { orderContactQuery } from '#shared/contract/requests.ts';
import { actorOf, canRead } from '#shared/platform/auth.ts';
import { clock } from '#shared/platform/clock.ts';
import { json, parseQuery, withoutBody } from '#shared/platform/http.ts';
import { readOrder } from '#shared/stores/order-store.ts';

/**
 * GET /orders/{id}/contact?purpose=&note=: the requester's contact in clear, for those the rule lets
 * read it (docs/privacy.md): the centre, and the lead unit while it handles the order, never a unit
 * for a 举报. The read is recorded (who, when, which order, why) before the contact is opened.
 */
export const handler = withoutBody(async (event) => {
  const actor = actorOf(event);
  const query = parseQuery(orderContactQuery, event);
  const id = event.pathParameters?.id ?? '';
  const stored = await readOrder(id);
  if (!stored || !canRead(actor, stored.order)) throw notFound('order', id);
  const { order } = stored;
  if (!order.requester.contact) {
    throw new HotlineError(
      'notFound',
      'NO_CONTACT',
      order.requester.contactErasedAt
        ? `The contact of order ${id} was erased on ${order.requester.contactErasedAt} (retention).`
        : `The requester of order ${id} left no contact details.`,
    );
  }
  const access = contactAccess(order, actor);
  if (access !== 'clear') {
    throw new HotlineError(
      'forbidden',
      'CONTACT_NOT_READABLE',
      order.appealType === 'report' && actor.role === 'unit'
        ? "A reporter's identity (举报) is never shown to a unit; the centre relays."
        : 'You may see this contact only masked.',
    );
  }
  const opened = await openRequesterContact(
    order,
    { by: actor, purpose: query.purpose, ...(query.note ? { note: query.note } : {}) },
    clock.now(),
  );
  if (!opened) throw notFound('order', id);
  return json(
    200,
    {
      orderId: id,
      contact: opened.details,
      read: { readId: opened.read.readId, at: opened.read.at, purpose: opened.read.purpose },
    },
    { 'cache-control': 'no-store' },
  );
});
