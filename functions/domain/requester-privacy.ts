import * as z from 'zod';
import { normaliseAddress, normalisePhone } from '#domain/normalise.ts';
import type { Requester } from '#domain/order-input.ts';
import { maskPhone } from '#domain/personal-data.ts';
import type { OrderStatus } from '#domain/work-order.ts';

/**
 * The requester's privacy by design (Art. 8 of the regulation; PIPL). See docs/privacy.md.
 *
 * What is kept: an order holds its requester's contact details (name, phone, e-mail, credit code)
 * only sealed (one AWS Encryption SDK message per order, opened by the few who may read it), beside
 * a keyed hash of who the requester is (to find repeat callers and count them in analytics without
 * opening anything) and a masked form of each detail (`138****8000`) for those who may know that
 * someone called but not who.
 *
 * Who sees what (`contactAccess`):
 * - clear, on request with a purpose, every read recorded: the centre (operator, dispatcher,
 *   supervisor), and the lead unit while it handles the order (dispatched to it, up to its reply);
 * - masked: the lead unit before dispatch or after closing, co-handlers, copied units and auditors;
 * - nothing at all: any unit, the lead included, when the order is a 举报 (a report of wrongdoing: the
 *   unit may be the one reported on, and a masked phone can be enough to guess who reported); anyone
 *   else (Open311, rankings, analytics). Once the retention job erased a contact, nobody sees one.
 * A 举报 whose reporter must be reached by the unit is relayed by the centre, which decides case by case
 * and reads the contact itself (its read recorded with its purpose).
 */
export interface ContactDetails {
  readonly name?: string;
  readonly phone?: string;
  readonly email?: string;
  readonly creditCode?: string;
}

export type MaskedContact = ContactDetails;

export interface SealedContact {
  /** The details as one AWS Encryption SDK message (base64), bound to the order by its context. */
  readonly sealed: string;
  /** HMAC of who the requester is (`requesterIdentityText`), with the centre's contact-hash key. */
  readonly requesterHash?: string;
  readonly masked: MaskedContact;
}

/** The requester as an order keeps it: no contact detail in clear. */
export interface StoredRequester {
  readonly kind: Requester['kind'];
  readonly anonymous: boolean;
  readonly declinesCallback: boolean;
  readonly contact?: SealedContact;
  /** When the retention job erased the contact (contact_erased in the log). */
  readonly contactErasedAt?: string;
}

export const contactFields = ['name', 'phone', 'email', 'creditCode'] as const;

/** The details a requester gave, or undefined when there are none (anonymous). */
export const contactDetailsOf = (requester: Requester): ContactDetails | undefined => {
  const details: Record<string, string> = {};
  for (const field of contactFields) {
    const value = requester[field];
    if (value !== undefined) details[field] = value;
  }
  return Object.keys(details).length > 0 ? details : undefined;
};

/**
 * What identifies a requester across orders, as the text that is hashed: the phone, else the credit
 * code of an enterprise, else the name; each with its kind in front, so a name can never collide with
 * a number. Undefined when nothing identifies them.
 */
export const requesterIdentityText = (details: ContactDetails): string | undefined => {
  if (details.phone) return phoneIdentityText(details.phone);
  if (details.creditCode) return `credit:${details.creditCode.toUpperCase()}`;
  if (details.name) return `name:${normaliseAddress(details.name)}`;
  return undefined;
};

/** The identity text of a phone number: what the centre hashes to find a caller's earlier orders. */
export const phoneIdentityText = (phone: string): string => `phone:${normalisePhone(phone)}`;

const stars = (n: number) => '*'.repeat(Math.max(1, n));

/** A name: its first character, the rest starred (张** ; "A*** L*" for each word of a Latin name). */
export const maskName = (name: string): string => {
  const chars = [...name.trim()];
  if (/\p{Script=Han}/u.test(name)) return `${chars[0] ?? ''}${stars(chars.length - 1)}`;
  return name
    .trim()
    .split(/\s+/)
    .map((word) => `${[...word][0] ?? ''}${stars([...word].length - 1)}`)
    .join(' ');
};

/** An e-mail address: the first character of its local part, then the domain (z***@example.cn). */
export const maskEmail = (email: string): string => {
  const at = email.lastIndexOf('@');
  return at < 1 ? stars(email.length) : `${email[0]}***${email.slice(at)}`;
};

/** A credit code: its first and last four characters. */
export const maskCreditCode = (code: string): string =>
  code.length <= 8 ? stars(code.length) : `${code.slice(0, 4)}${stars(code.length - 8)}${code.slice(-4)}`;

export const maskContact = (details: ContactDetails): MaskedContact => ({
  ...(details.name ? { name: maskName(details.name) } : {}),
  ...(details.phone ? { phone: maskPhone(details.phone) } : {}),
  ...(details.email ? { email: maskEmail(details.email) } : {}),
  ...(details.creditCode ? { creditCode: maskCreditCode(details.creditCode) } : {}),
});

/** The requester without any detail in clear, with the sealed contact the application made. */
export const storedRequesterOf = (
  requester: Requester,
  contact: SealedContact | undefined,
): StoredRequester => ({
  kind: requester.kind,
  anonymous: requester.anonymous,
  declinesCallback: requester.declinesCallback,
  ...(contact ? { contact } : {}),
});

export type ContactAccess = 'clear' | 'masked' | 'hidden';

export interface ContactViewer {
  readonly role: string;
  readonly unitId?: string;
}

const centreRoles = new Set(['operator', 'dispatcher', 'supervisor']);
/** The statuses in which the lead unit handles the order: from dispatch to its reply's review. */
const handledByLead = new Set<OrderStatus>(['dispatched', 'accepted', 'objected', 'replied']);

/** The rule of docs/privacy.md by role and order, whether or not the order still holds a contact. */
const accessByRole = (order: PrivacyOrder, viewer: ContactViewer): ContactAccess => {
  if (centreRoles.has(viewer.role)) return 'clear';
  if (viewer.role === 'auditor') return 'masked';
  if (viewer.role !== 'unit' || viewer.unitId === undefined) return 'hidden';
  if (order.appealType === 'report') return 'hidden';
  if (viewer.unitId === order.unitId) return handledByLead.has(order.status) ? 'clear' : 'masked';
  return order.coUnitIds.includes(viewer.unitId) || order.copiedUnitIds.includes(viewer.unitId)
    ? 'masked'
    : 'hidden';
};

export interface PrivacyOrder {
  readonly appealType: string;
  readonly status: OrderStatus;
  readonly unitId?: string;
  readonly coUnitIds: readonly string[];
  readonly copiedUnitIds: readonly string[];
  readonly requester: StoredRequester;
}

/** Who may read the order's contact in clear, who sees it masked, who sees nothing (no contact: nobody). */
export const contactAccess = (order: PrivacyOrder, viewer: ContactViewer): ContactAccess =>
  order.requester.contact ? accessByRole(order, viewer) : 'hidden';

/** What a viewer sees of the requester in an order (never the clear details: GET …/contact has them). */
export const viewRequester = (order: PrivacyOrder, viewer: ContactViewer): Record<string, unknown> => {
  const { kind, anonymous, declinesCallback, contact, contactErasedAt } = order.requester;
  const access = accessByRole(order, viewer);
  if (access === 'hidden')
    return { kind, anonymous, ...(contact || contactErasedAt ? { protected: true } : {}) };
  if (!contact) return { kind, anonymous, declinesCallback, ...(contactErasedAt ? { contactErasedAt } : {}) };
  return {
    kind,
    anonymous,
    declinesCallback,
    contact: contact.masked,
    // The clear details are one request away, with a purpose (GET /orders/{id}/contact).
    ...(access === 'clear' ? { contactReadable: true } : {}),
  };
};

/** Why someone reads a contact in clear: recorded with the read. */
export const contactPurposes = [
  'callback', // 回访: calling the requester back
  'handling', // 办理: the unit contacts the requester about the matter
  'verification', // 核实: checking who called, or a repeat
  'supervision', // 督办: the centre follows up a stalled order
  'report_relay', // 举报转达: the centre relays between a reporter and the unit
] as const;
export type ContactPurpose = (typeof contactPurposes)[number];

export const contactPurposeSchema = z.enum(contactPurposes);
