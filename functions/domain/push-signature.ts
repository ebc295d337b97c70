import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * Signed deliveries of order events to a unit's own system (issue 10, "work pushed to the units'
 * systems"; the subscriptions themselves are not built yet). The scheme is the one Stripe and Svix
 * use, so receivers can rely on what they know:
 *
 *   Hotline-Delivery-Id: <id>            the same for every redelivery of one event: a receiver keeps
 *                                        the ids it has handled and ignores a repeat
 *   Hotline-Timestamp:   <epoch seconds> when this attempt was signed
 *   Hotline-Signature:   v1=<hex>        HMAC-SHA-256 of `<id>.<timestamp>.<body>` with the
 *                                        subscription's secret; several, space-separated, while a
 *                                        secret is being rotated
 *
 * A receiver refuses a delivery whose timestamp is more than `toleranceSeconds` (5 minutes) away from
 * its clock, so a captured delivery cannot be replayed later; within the window, the id catches it.
 */
export const signatureHeaders = {
  id: 'hotline-delivery-id',
  timestamp: 'hotline-timestamp',
  signature: 'hotline-signature',
} as const;

export const DEFAULT_TOLERANCE_SECONDS = 300;

const mac = (secret: string, id: string, timestamp: number, body: string): string =>
  createHmac('sha256', secret).update(`${id}.${timestamp}.${body}`, 'utf8').digest('hex');

/** The headers of one delivery attempt, signed with every secret given (the new one first). */
export const signDelivery = (
  delivery: { readonly id: string; readonly body: string; readonly nowMs: number },
  secrets: readonly string[],
): Record<string, string> => {
  if (secrets.length === 0) throw new Error('A delivery is signed with at least one secret.');
  const timestamp = Math.floor(delivery.nowMs / 1000);
  return {
    [signatureHeaders.id]: delivery.id,
    [signatureHeaders.timestamp]: String(timestamp),
    [signatureHeaders.signature]: secrets
      .map((s) => `v1=${mac(s, delivery.id, timestamp, delivery.body)}`)
      .join(' '),
  };
};

export type Verification =
  | { readonly ok: true; readonly id: string; readonly timestamp: number }
  | { readonly ok: false; readonly reason: 'missing_headers' | 'stale' | 'bad_signature' };

/** What a receiver checks, in this order: the headers are there, the time is near, a signature matches. */
export const verifyDelivery = (
  headers: Readonly<Record<string, string | undefined>>,
  body: string,
  secret: string,
  nowMs: number,
  toleranceSeconds = DEFAULT_TOLERANCE_SECONDS,
): Verification => {
  const lower = Object.fromEntries(Object.entries(headers).map(([k, v]) => [k.toLowerCase(), v]));
  const id = lower[signatureHeaders.id];
  const stamp = lower[signatureHeaders.timestamp];
  const signatures = lower[signatureHeaders.signature];
  if (!id || !stamp || !/^\d{1,12}$/.test(stamp) || !signatures)
    return { ok: false, reason: 'missing_headers' };
  const timestamp = Number(stamp);
  if (Math.abs(nowMs / 1000 - timestamp) > toleranceSeconds) return { ok: false, reason: 'stale' };
  const expected = Buffer.from(mac(secret, id, timestamp, body), 'hex');
  const matches = signatures
    .split(/\s+/)
    .filter((s) => s.startsWith('v1='))
    .map((s) => Buffer.from(s.slice(3), 'hex'))
    .some((given) => given.length === expected.length && timingSafeEqual(given, expected));
  return matches ? { ok: true, id, timestamp } : { ok: false, reason: 'bad_signature' };
};
