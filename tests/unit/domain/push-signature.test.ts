import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { signatureHeaders, signDelivery, verifyDelivery } from '#domain/push-signature.ts';

const NOW = Date.parse('2026-12-07T02:00:00.000Z');
const BODY = JSON.stringify({ type: 'WorkOrder Dispatched', orderId: 'WO01KBAAAAAAAAAAAAAAAAAAAAAA' });
const delivery = { id: 'dlv_01KBEVENT', body: BODY, nowMs: NOW };

describe('signDelivery', () => {
  it('signs id, timestamp and body with HMAC-SHA-256, as a receiver can recompute by hand', () => {
    const headers = signDelivery(delivery, ['whsec-one']);
    const expected = createHmac('sha256', 'whsec-one')
      .update(`dlv_01KBEVENT.${NOW / 1000}.${BODY}`)
      .digest('hex');
    expect(headers).toEqual({
      'hotline-delivery-id': 'dlv_01KBEVENT',
      'hotline-timestamp': String(NOW / 1000),
      'hotline-signature': `v1=${expected}`,
    });
  });

  it('carries one signature per secret while a secret is rotated, and needs one', () => {
    expect(signDelivery(delivery, ['new', 'old'])[signatureHeaders.signature]?.split(' ')).toHaveLength(2);
    expect(() => signDelivery(delivery, [])).toThrow();
  });
});

describe('verifyDelivery', () => {
  const headers = signDelivery(delivery, ['whsec-one']);

  it('accepts what was signed, whatever the case of the header names, within five minutes either way', () => {
    const upper = Object.fromEntries(Object.entries(headers).map(([k, v]) => [k.toUpperCase(), v]));
    expect(verifyDelivery(upper, BODY, 'whsec-one', NOW)).toEqual({
      ok: true,
      id: 'dlv_01KBEVENT',
      timestamp: NOW / 1000,
    });
    expect(verifyDelivery(headers, BODY, 'whsec-one', NOW + 300_000).ok).toBe(true);
    expect(verifyDelivery(headers, BODY, 'whsec-one', NOW - 300_000).ok).toBe(true);
  });

  it('refuses a replay older than five minutes, and a timestamp from the future', () => {
    expect(verifyDelivery(headers, BODY, 'whsec-one', NOW + 301_000)).toEqual({ ok: false, reason: 'stale' });
    expect(verifyDelivery(headers, BODY, 'whsec-one', NOW - 301_000)).toEqual({ ok: false, reason: 'stale' });
  });

  it('refuses a changed body, id or timestamp, and another secret', () => {
    expect(verifyDelivery(headers, `${BODY} `, 'whsec-one', NOW).ok).toBe(false);
    expect(
      verifyDelivery({ ...headers, 'hotline-delivery-id': 'dlv_other' }, BODY, 'whsec-one', NOW).ok,
    ).toBe(false);
    expect(
      verifyDelivery({ ...headers, 'hotline-timestamp': String(NOW / 1000 + 1) }, BODY, 'whsec-one', NOW).ok,
    ).toBe(false);
    expect(verifyDelivery(headers, BODY, 'whsec-two', NOW)).toEqual({ ok: false, reason: 'bad_signature' });
  });

  it('accepts any of several signatures, and refuses what is missing or malformed', () => {
    const rotated = signDelivery(delivery, ['new', 'old']);
    expect(verifyDelivery(rotated, BODY, 'old', NOW).ok).toBe(true);
    expect(
      verifyDelivery({ ...headers, 'hotline-signature': 'v0=abc v1=zz' }, BODY, 'whsec-one', NOW).ok,
    ).toBe(false);
    expect(verifyDelivery({}, BODY, 'whsec-one', NOW)).toEqual({ ok: false, reason: 'missing_headers' });
    expect(verifyDelivery({ ...headers, 'hotline-timestamp': '1e9' }, BODY, 'whsec-one', NOW)).toEqual({
      ok: false,
      reason: 'missing_headers',
    });
  });
});
