import type { Requester } from '#domain/order-input.ts';
import {
  type ContactDetails,
  contactDetailsOf,
  maskContact,
  requesterIdentityText,
  type SealedContact,
} from '#domain/requester-privacy.ts';
import type { WorkOrder } from '#domain/work-order.ts';
import { contactHashOfEnv, contactSealerOfEnv } from '#shared/platform/contact-keys.ts';
import { type ContactRead, recordContactRead } from '#shared/stores/contact-read-store.ts';

/**
 * A requester's contact, sealed at intake and opened only after the opening is recorded
 * (docs/privacy.md). The order keeps the sealed message, the keyed hash of who the requester is and
 * the masked details; nothing else of the contact reaches DynamoDB or a log.
 */
export const sealRequesterContact = async (
  orderId: string,
  requester: Requester,
): Promise<SealedContact | undefined> => {
  const details = contactDetailsOf(requester);
  if (!details || requester.anonymous) return undefined;
  const identity = requesterIdentityText(details);
  const [sealed, hash] = await Promise.all([contactSealerOfEnv().seal(orderId, details), contactHashOfEnv()]);
  return { sealed, ...(identity ? { requesterHash: hash(identity) } : {}), masked: maskContact(details) };
};

/**
 * A sealed contact in clear, for someone the rule lets read it (the caller checked `contactAccess`),
 * or for the system sending a survey message: the read is recorded first, so a read that fails to
 * record opens nothing. The one place a contact is opened.
 */
export const openSealedContact = async (
  sealed: { readonly orderId: string; readonly sealed: string },
  read: Pick<ContactRead, 'by' | 'purpose' | 'note'>,
  nowMs: number,
): Promise<{ details: ContactDetails; read: ContactRead }> => {
  const recorded = await recordContactRead(
    {
      orderId: sealed.orderId,
      at: new Date(nowMs).toISOString(),
      by: read.by,
      purpose: read.purpose,
      ...(read.note ? { note: read.note } : {}),
    },
    nowMs,
  );
  return { details: await contactSealerOfEnv().open(sealed.orderId, sealed.sealed), read: recorded };
};

/** The order's contact in clear (openSealedContact); undefined when there is no contact. */
export const openRequesterContact = async (
  order: Pick<WorkOrder, 'id' | 'requester'>,
  read: Pick<ContactRead, 'by' | 'purpose' | 'note'>,
  nowMs: number,
): Promise<{ details: ContactDetails; read: ContactRead } | undefined> => {
  const contact = order.requester.contact;
  return contact ? openSealedContact({ orderId: order.id, sealed: contact.sealed }, read, nowMs) : undefined;
};

/** The contact-hash of a phone number as the centre types it: to find the requester's orders. */
export const phoneHashOf = async (phoneIdentity: string): Promise<string> =>
  (await contactHashOfEnv())(phoneIdentity);
