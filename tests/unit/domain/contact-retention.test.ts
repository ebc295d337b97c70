import { describe, expect, it } from 'vitest';
import { contactExpired, contactHeldSince, eraseContact } from '#domain/contact-retention.ts';
import { DAY, orderIn } from './support.ts';

const CLOSED_AT = '2026-12-02T02:00:00.000Z';
const closed = () => orderIn('closed');

describe('contactHeldSince', () => {
  it('is the closing time of a closed order that holds a contact, and nothing otherwise', () => {
    expect(contactHeldSince(closed())).toBe(CLOSED_AT);
    expect(contactHeldSince(orderIn('replied'))).toBeUndefined();
    const { contact: _c, ...noContact } = closed().requester;
    expect(contactHeldSince({ ...closed(), requester: noContact })).toBeUndefined();
  });
});

describe('eraseContact', () => {
  const due = Date.parse(CLOSED_AT) + 365 * DAY;

  it('is not due a moment before the period ends, and is due at its end', () => {
    expect(contactExpired(closed(), due - 1, 365)).toBe(false);
    expect(eraseContact(closed(), due - 1, 365)).toBeUndefined();
    expect(contactExpired(closed(), due, 365)).toBe(true);
  });

  it('takes the sealed contact, its hash and masks out, keeps the rest, and says so in one event', () => {
    const order = closed();
    const change = eraseContact(order, due, 365);
    expect(change?.order.requester).toEqual({
      kind: 'person',
      anonymous: false,
      declinesCallback: false,
      contactErasedAt: new Date(due).toISOString(),
    });
    const { requester: _before, version, updatedAt: _u, ...rest } = order;
    const { requester: _after, version: nextVersion, updatedAt, ...kept } = change?.order ?? order;
    expect(kept).toEqual(rest);
    expect([nextVersion, updatedAt]).toEqual([version + 1, new Date(due).toISOString()]);
    expect(change?.events).toEqual([
      {
        type: 'contact_erased',
        at: new Date(due).toISOString(),
        actor: { kind: 'system', name: 'retention' },
        data: { closedAt: CLOSED_AT, retentionDays: 365 },
      },
    ]);
    expect(JSON.stringify(change?.order)).not.toContain('fixture-sealed-contact');
    expect(eraseContact(change?.order ?? order, due + DAY, 365)).toBeUndefined();
  });

  it('honours another period, and leaves an open order alone whatever its age', () => {
    expect(eraseContact(closed(), Date.parse(CLOSED_AT) + 30 * DAY, 30)).toBeDefined();
    expect(eraseContact(orderIn('accepted'), due + 1000 * DAY, 365)).toBeUndefined();
  });
});
