import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  canonicalJson,
  hashEvent,
  type OrderEvent,
  sealEvents,
  type UnsealedEvent,
  verifyChain,
} from '#domain/order-events.ts';

const operator = { kind: 'person', sub: 'operator-1', role: 'operator' } as const;
const workflow = { kind: 'system', name: 'workflow' } as const;

const unsealed: UnsealedEvent[] = [
  {
    type: 'received',
    at: '2026-12-01T01:00:00.000Z',
    actor: operator,
    data: { appealType: 'complaint', categoryCode: '010201', channel: 'phone', urgency: 'normal' },
  },
  {
    type: 'dispatched',
    at: '2026-12-01T01:05:00.000Z',
    actor: workflow,
    data: { unitId: 'st-110101001', coUnitIds: [], copiedUnitIds: ['gov-110101'] },
  },
  {
    type: 'replied',
    at: '2026-12-03T09:00:00.000Z',
    actor: { kind: 'person', sub: 'staff-1', role: 'unit', unitId: 'st-110101001' },
    data: { result: 'resolved', text: '已清理', late: false },
  },
  { type: 'closed', at: '2026-12-08T01:05:00.000Z', actor: workflow, data: { outcome: 'handled' } },
];

const sha256 = (text: string): string => createHash('sha256').update(text).digest('hex');

const chain = (): OrderEvent[] => sealEvents('WO-1', undefined, unsealed);

describe('canonicalJson', () => {
  it('returns object keys sorted at every depth, arrays kept in order', () => {
    // Act
    const text = canonicalJson({ b: 1, a: { d: 2, c: [{ f: 1, e: 2 }, 3] } });

    // Assess
    expect(text).toBe('{"a":{"c":[{"e":2,"f":1},3],"d":2},"b":1}');
  });

  it('returns the same text whatever the key order of equal objects', () => {
    // Prepare
    const one = { orderId: 'WO-1', seq: 1, data: { x: 1, y: [1, 2], z: { p: null, q: 'q' } } };
    const other = { data: { z: { q: 'q', p: null }, y: [1, 2], x: 1 }, seq: 1, orderId: 'WO-1' };

    // Act / Assess
    expect(canonicalJson(one)).toBe(canonicalJson(other));
  });

  it('returns different texts for arrays in a different order', () => {
    // Assess
    expect(canonicalJson({ a: [1, 2] })).not.toBe(canonicalJson({ a: [2, 1] }));
  });

  it('returns plain JSON for scalars and null', () => {
    // Assess
    expect(canonicalJson('工单')).toBe('"工单"');
    expect(canonicalJson(3)).toBe('3');
    expect(canonicalJson(null)).toBe('null');
  });
});

describe('hashEvent', () => {
  it('returns the SHA-256 of the canonical JSON, the same after a round trip that reorders keys', () => {
    // Prepare
    const body = {
      orderId: 'WO-1',
      seq: 1,
      type: 'received',
      at: 'x',
      actor: operator,
      data: { b: 1, a: 2 },
      prevHash: '',
    };
    const reordered = JSON.parse(
      '{"prevHash":"","data":{"a":2,"b":1},"actor":{"role":"operator","sub":"operator-1","kind":"person"},"at":"x","type":"received","seq":1,"orderId":"WO-1"}',
    ) as typeof body;

    // Act
    const hash = hashEvent(body);

    // Assess
    expect(hash).toMatch(/^[0-9a-f]{64}$/);
    expect(hash).toBe(sha256(canonicalJson(body)));
    expect(hashEvent(reordered)).toBe(hash);
  });
});

describe('sealEvents', () => {
  it('returns events numbered from 1, the first with an empty prevHash, each chained to the one before', () => {
    // Act
    const sealed = chain();

    // Assess
    expect(sealed.map((e) => e.seq)).toEqual([1, 2, 3, 4]);
    expect(sealed.map((e) => e.orderId)).toEqual(['WO-1', 'WO-1', 'WO-1', 'WO-1']);
    expect(sealed[0]?.prevHash).toBe('');
    for (let i = 1; i < sealed.length; i++) expect(sealed[i]?.prevHash).toBe(sealed[i - 1]?.hash);
    for (const e of sealed) {
      const { hash, ...body } = e;
      expect(hash).toBe(sha256(canonicalJson(body)));
    }
    expect(new Set(sealed.map((e) => e.hash)).size).toBe(4);
  });

  it('returns the unsealed fields unchanged', () => {
    // Act
    const sealed = chain();

    // Assess
    expect(sealed.map(({ type, at, actor, data }) => ({ type, at, actor, data }))).toEqual(unsealed);
  });

  it('returns new events numbered and chained after an existing last event', () => {
    // Prepare
    const first = sealEvents('WO-1', undefined, unsealed.slice(0, 2));
    const last = first.at(-1) as OrderEvent;

    // Act
    const next = sealEvents('WO-1', { seq: last.seq, hash: last.hash }, unsealed.slice(2));

    // Assess
    expect(next.map((e) => e.seq)).toEqual([3, 4]);
    expect(next[0]?.prevHash).toBe(last.hash);
    expect(next[1]?.prevHash).toBe(next[0]?.hash);
    expect([...first, ...next]).toEqual(chain());
  });

  it('returns an empty list for no events', () => {
    // Assess
    expect(sealEvents('WO-1', { seq: 7, hash: 'h7' }, [])).toEqual([]);
  });
});

describe('verifyChain', () => {
  it('returns valid with the count for an untouched log', () => {
    // Assess
    expect(verifyChain(chain())).toEqual({ valid: true, count: 4 });
  });

  it('returns valid when the log ends at the head the order records', () => {
    // Prepare
    const events = chain();
    const last = events.at(-1);

    // Act / Assess
    expect(verifyChain(events, { seq: 4, hash: last?.hash ?? '' })).toEqual({ valid: true, count: 4 });
  });

  it('rejects a log whose last events were cut off, which the hashes alone cannot show', () => {
    // Prepare
    const events = chain();
    const head = { seq: 4, hash: events[3]?.hash ?? '' };

    // Act
    const truncated = verifyChain(events.slice(0, 3), head);

    // Assess
    expect(verifyChain(events.slice(0, 3))).toEqual({ valid: true, count: 3 });
    expect(truncated).toEqual({ valid: false, count: 3, brokenAt: 4, reason: 'events missing at the end' });
  });

  it('returns valid for a log sealed in several batches', () => {
    // Prepare
    const first = sealEvents('WO-1', undefined, unsealed.slice(0, 1));
    const second = sealEvents('WO-1', first[0], unsealed.slice(1, 3));
    const third = sealEvents('WO-1', second[1], unsealed.slice(3));

    // Act / Assess
    expect(verifyChain([...first, ...second, ...third])).toEqual({ valid: true, count: 4 });
  });

  it('returns valid with count 0 for an empty log', () => {
    // Assess
    expect(verifyChain([])).toEqual({ valid: true, count: 0 });
  });

  const alterations: Record<string, (e: OrderEvent) => OrderEvent> = {
    data: (e) => ({ ...e, data: { ...e.data, tampered: true } }),
    'a value inside data': (e) => ({
      ...e,
      data: Object.fromEntries(Object.keys(e.data).map((k) => [k, 'x'])),
    }),
    type: (e) => ({ ...e, type: `${e.type}_x` }),
    at: (e) => ({ ...e, at: '2026-01-01T00:00:00.000Z' }),
    actor: (e) => ({ ...e, actor: { kind: 'person', sub: 'someone-else', role: 'supervisor' } }),
    orderId: (e) => ({ ...e, orderId: 'WO-2' }),
    prevHash: (e) => ({ ...e, prevHash: sha256('forged') }),
    hash: (e) => ({ ...e, hash: sha256('forged') }),
  };
  for (const [field, alter] of Object.entries(alterations)) {
    for (const index of [0, 1, 2, 3]) {
      it(`rejects a log whose event ${index + 1} had its ${field} altered, naming seq ${index + 1}`, () => {
        // Prepare
        const events = chain();
        events[index] = alter(events[index] as OrderEvent);

        // Act
        const result = verifyChain(events);

        // Assess
        expect(result).toMatchObject({ valid: false, count: 4, brokenAt: index + 1 });
      });
    }
  }

  it('rejects an altered event even when its own hash was recomputed, naming the next seq', () => {
    // Prepare
    const events = chain();
    const { hash: _old, ...body } = events[1] as OrderEvent;
    const forged = { ...body, data: { ...body.data, unitId: 'st-other' } };
    events[1] = { ...forged, hash: hashEvent(forged) };

    // Act
    const result = verifyChain(events);

    // Assess
    expect(result).toEqual({ valid: false, count: 4, brokenAt: 3, reason: 'chain broken' });
  });

  it('rejects a log with an event removed from the middle, naming the first seq after the gap', () => {
    // Prepare
    const events = chain();
    events.splice(1, 1);

    // Act
    const result = verifyChain(events);

    // Assess
    expect(result).toEqual({ valid: false, count: 3, brokenAt: 3, reason: 'sequence gap' });
  });

  it('rejects a log with its first event removed', () => {
    // Prepare
    const events = chain().slice(1);

    // Act
    const result = verifyChain(events);

    // Assess
    expect(result).toMatchObject({ valid: false, brokenAt: 2 });
  });

  it('rejects a log with two events swapped', () => {
    // Prepare
    const [e1, e2, e3, e4] = chain() as [OrderEvent, OrderEvent, OrderEvent, OrderEvent];

    // Act
    const result = verifyChain([e1, e3, e2, e4]);

    // Assess
    expect(result).toMatchObject({ valid: false, brokenAt: 3 });
  });

  it('rejects a log with two events swapped and renumbered, naming the first renumbered seq', () => {
    // Prepare
    const [e1, e2, e3, e4] = chain() as [OrderEvent, OrderEvent, OrderEvent, OrderEvent];

    // Act
    const result = verifyChain([e1, { ...e3, seq: 2 }, { ...e2, seq: 3 }, e4]);

    // Assess
    expect(result).toMatchObject({ valid: false, brokenAt: 2 });
  });

  it('rejects a log whose events were renumbered to hide a removal', () => {
    // Prepare
    const [e1, , e3, e4] = chain() as [OrderEvent, OrderEvent, OrderEvent, OrderEvent];

    // Act
    const result = verifyChain([e1, { ...e3, seq: 2 }, { ...e4, seq: 3 }]);

    // Assess
    expect(result).toMatchObject({ valid: false, brokenAt: 2 });
  });

  it('rejects a log with an event inserted in the middle', () => {
    // Prepare
    const events = chain();
    const forged = sealEvents('WO-1', events[0], [unsealed[2] as UnsealedEvent]);
    events.splice(1, 0, ...forged);

    // Act
    const result = verifyChain(events);

    // Assess
    expect(result).toMatchObject({ valid: false, brokenAt: 2 });
  });
});
