import { describe, expect, it } from 'vitest';
import { lifecycleHealed, overdueForLifecycle } from '#domain/lifecycle-healing.ts';
import { at, orderIn } from './support.ts';

/** The fixture order was received at 2026-12-01T01:00:00Z (09:00 CST). */
const RECEIVED = at('2026-12-01T01:00:00.000Z');

describe('lifecycleHealed', () => {
  it('returns a change that only moves the version and the time of change, and logs who healed what', () => {
    // Prepare
    const order = { ...orderIn('received'), receivedAt: new Date(RECEIVED).toISOString() };
    const nowMs = RECEIVED + 95_500;

    // Act
    const change = lifecycleHealed(order, { healer: 'stream', execution: order.id, round: 1, nowMs });

    // Assess
    expect(change.order).toEqual({
      ...order,
      version: order.version + 1,
      updatedAt: new Date(nowMs).toISOString(),
    });
    expect(change.events).toEqual([
      {
        type: 'lifecycle_healed',
        at: new Date(nowMs).toISOString(),
        actor: { kind: 'system', name: 'intake' },
        data: { healer: 'stream', reason: 'not_started', execution: order.id, round: 1, afterSeconds: 95 },
      },
    ]);
  });

  it('returns the round and execution it was given, and the reconciler as healer', () => {
    // Prepare
    const order = { ...orderIn('accepted'), receivedAt: new Date(RECEIVED).toISOString() };

    // Act
    const change = lifecycleHealed(order, {
      healer: 'reconciler',
      execution: `${order.id}-r2`,
      round: 2,
      nowMs: RECEIVED + 3_600_000,
    });

    // Assess
    expect(change.events[0]?.data).toMatchObject({
      healer: 'reconciler',
      execution: `${order.id}-r2`,
      round: 2,
      afterSeconds: 3600,
    });
    expect(change.order.status).toBe('accepted');
  });

  it('returns 0 seconds after intake when the clock reads earlier than the receipt', () => {
    // Prepare
    const order = { ...orderIn('received'), receivedAt: new Date(RECEIVED).toISOString() };

    // Act
    const change = lifecycleHealed(order, {
      healer: 'stream',
      execution: order.id,
      round: 1,
      nowMs: RECEIVED - 5000,
    });

    // Assess
    expect(change.events[0]?.data.afterSeconds).toBe(0);
  });
});

describe('overdueForLifecycle', () => {
  const receivedAt = new Date(RECEIVED).toISOString();

  it('returns true for an order still received once the time has passed', () => {
    expect(overdueForLifecycle({ status: 'received', receivedAt }, RECEIVED + 60_000, 60)).toBe(true);
  });

  it('returns false for an order received more recently than that', () => {
    expect(overdueForLifecycle({ status: 'received', receivedAt }, RECEIVED + 59_999, 60)).toBe(false);
  });

  it('returns false for an order its lifecycle moved on, however old', () => {
    for (const status of ['awaiting_dispatch', 'dispatched', 'closed']) {
      expect(overdueForLifecycle({ status, receivedAt }, RECEIVED + 86_400_000, 60)).toBe(false);
    }
  });
});
