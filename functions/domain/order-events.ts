import { createHash } from 'node:crypto';

/**
 * The append-only event log of an order. Every change to an order is written together with one or
 * more events in the same transaction; audits rely on this log after Step Functions' 90-day history
 * retention ends. Each event carries a SHA-256 hash chained to the previous one (tamper evidence).
 */
export type Actor =
  | { readonly kind: 'person'; readonly sub: string; readonly role: string; readonly unitId?: string }
  | { readonly kind: 'system'; readonly name: 'workflow' | 'intake' | 'callbacks' | 'retention' }
  /** The requester, by their survey link (no login, so no identity beyond the link). */
  | { readonly kind: 'requester'; readonly via: 'survey_link' };

export const workflowActor: Actor = { kind: 'system', name: 'workflow' };

export interface OrderEvent {
  readonly orderId: string;
  /** 1, 2, 3 ... without gaps. */
  readonly seq: number;
  readonly type: string;
  readonly at: string;
  readonly actor: Actor;
  readonly data: Readonly<Record<string, unknown>>;
  /** The hash of the previous event (the empty string for the first). */
  readonly prevHash: string;
  readonly hash: string;
}

export type UnsealedEvent = Pick<OrderEvent, 'type' | 'at' | 'actor' | 'data'>;

/** JSON with object keys sorted, so the hash does not depend on key order after a round trip. */
export const canonicalJson = (value: unknown): string =>
  JSON.stringify(value, (_key, v: unknown) =>
    v && typeof v === 'object' && !Array.isArray(v)
      ? Object.fromEntries(Object.entries(v as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : 1)))
      : v,
  );

export const hashEvent = (event: Omit<OrderEvent, 'hash'>): string =>
  createHash('sha256').update(canonicalJson(event)).digest('hex');

/** Gives new events their sequence numbers and chains their hashes after the last stored event. */
export const sealEvents = (
  orderId: string,
  last: { seq: number; hash: string } | undefined,
  events: readonly UnsealedEvent[],
): OrderEvent[] => {
  let seq = last?.seq ?? 0;
  let prevHash = last?.hash ?? '';
  return events.map((e) => {
    seq += 1;
    const body = { orderId, seq, type: e.type, at: e.at, actor: e.actor, data: e.data, prevHash };
    const sealed = { ...body, hash: hashEvent(body) };
    prevHash = sealed.hash;
    return sealed;
  });
};

/**
 * Checks that the log is gap-free and that every hash holds; names the first event that breaks. With
 * `head` (the last event as the order item records it), events cut off the end are detected too.
 */
export const verifyChain = (
  events: readonly OrderEvent[],
  head?: { readonly seq: number; readonly hash: string },
): { valid: true; count: number } | { valid: false; count: number; brokenAt: number; reason: string } => {
  let prevHash = '';
  for (const [i, e] of events.entries()) {
    const { hash, ...body } = e;
    if (e.seq !== i + 1)
      return { valid: false, count: events.length, brokenAt: e.seq, reason: 'sequence gap' };
    if (e.prevHash !== prevHash)
      return { valid: false, count: events.length, brokenAt: e.seq, reason: 'chain broken' };
    if (hashEvent(body) !== hash)
      return { valid: false, count: events.length, brokenAt: e.seq, reason: 'content altered' };
    prevHash = hash;
  }
  if (head && (head.seq !== events.length || head.hash !== prevHash)) {
    return {
      valid: false,
      count: events.length,
      brokenAt: Math.min(head.seq, events.length + 1),
      reason: 'events missing at the end',
    };
  }
  return { valid: true, count: events.length };
};
