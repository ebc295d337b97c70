import { describe, expect, it } from 'vitest';
import { composeChanges } from '#domain/changes.ts';
import { type Change, changed, type WorkOrder } from '#domain/work-order.ts';
import { orderIn, workflow } from './support.ts';

const NOW = Date.parse('2026-12-03T02:00:00.000Z');

/** A rule that changes the order as a rule does: `changed` (version one up) and one event. */
const rule =
  (type: string, patch: Partial<WorkOrder> = {}) =>
  (order: WorkOrder): Change => ({
    order: changed(order, NOW, patch),
    events: [{ type, at: new Date(NOW).toISOString(), actor: workflow, data: { saw: order.flags } }],
  });
const nothing = () => undefined;

describe('composeChanges (changes)', () => {
  it('returns one change one version above the order, however many rules made it', () => {
    // Prepare
    const order = orderIn('accepted');

    // Act
    const change = composeChanges(order, rule('a'), rule('b'), rule('c'));

    // Assess
    expect(order.version).toBe(4);
    expect(change.order.version).toBe(5);
  });

  it('returns the events of every rule in the order of the rules', () => {
    // Act
    const change = composeChanges(orderIn('accepted'), rule('first'), nothing, rule('second'));

    // Assess
    expect(change.events.map((e) => e.type)).toEqual(['first', 'second']);
  });

  it('returns each rule applied to the order the rules before it left', () => {
    // Act
    const change = composeChanges(
      orderIn('accepted'),
      rule('flagged', { flags: ['overdue'] }),
      rule('then', { status: 'replied' }),
    );

    // Assess: the second rule saw the first one's flag, and the last order keeps both patches
    expect(change.events[1]?.data).toEqual({ saw: ['overdue'] });
    expect(change.order).toMatchObject({ flags: ['overdue'], status: 'replied' });
  });

  it('returns the single rule’s own change when only one rule changes anything', () => {
    // Prepare
    const order = orderIn('accepted');

    // Act
    const change = composeChanges(order, nothing, rule('only'), nothing);

    // Assess
    expect(change).toEqual(rule('only')(order));
  });

  it('returns no change when no rule changes anything, and leaves the order as it was', () => {
    // Prepare
    const order = orderIn('accepted');
    const before = structuredClone(order);

    // Act
    const change = composeChanges(order, nothing, nothing);

    // Assess
    expect(change).toBeUndefined();
    expect(order).toEqual(before);
  });

  it('returns the version one above the order even when a rule forgets to move it', () => {
    // Prepare: a rule that patches without `changed`
    const order = orderIn('accepted');
    const patchOnly = (o: WorkOrder): Change => ({ order: { ...o, flags: ['urged'] }, events: [] });

    // Act
    const change = composeChanges(order, patchOnly);

    // Assess
    expect(change.order).toMatchObject({ version: 5, flags: ['urged'] });
  });
});
