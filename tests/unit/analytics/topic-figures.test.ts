import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import topics from '#data/topics.json' with { type: 'json' };
import type { AnalyticsRow } from '#domain/analytics-row.ts';
import { monthlyTopicCandidates, topicsConfigSchema } from '#domain/mining/monthly-topics.ts';
import { type AnalyticsEngine, openDuckDb } from '../../../analytics/duckdb-engine.ts';
import { writeAnalyticsParquet } from '../../../analytics/parquet-files.ts';
import { queryTopicFigures } from '../../../functions/shared/mining/topic-figures.ts';
import { sampleRow } from './sample-rows.ts';

const config = topicsConfigSchema.parse(topics);

let serial = 0;
/** An order of a level-3 category received on a CST day (at 10:00), answered solved and satisfied. */
const order = (
  l3: string,
  day: string,
  overrides: Partial<Record<string, string | number | boolean | null>> = {},
) =>
  sampleRow({
    order_id: `WO${String(++serial).padStart(26, '0')}`,
    received_at: `${day}T02:00:00.000Z`,
    closed_at: null,
    category_code: l3,
    category_l1: l3.slice(0, 2),
    category_l2: l3.slice(0, 4),
    category_l3: l3,
    address_hash: `a-${serial}`,
    requester_hash: `r-${serial}`,
    callback_state: 'answered',
    answer_solved: 'solved',
    answer_satisfied: 'satisfied',
    ...overrides,
  });

/** n orders of a category in a month, spread over its first 25 days and over `townships` townships. */
const monthOf = (
  l3: string,
  month: string,
  n: number,
  townships: number,
  answer: { solved: string; satisfied: string } | null = { solved: 'solved', satisfied: 'satisfied' },
) =>
  Array.from({ length: n }, (_, i) =>
    order(l3, `${month}-${String(1 + (i % 25)).padStart(2, '0')}`, {
      street_code: `1101050${String(1 + (i % townships)).padStart(2, '0')}`,
      callback_state: answer ? 'answered' : null,
      answer_solved: answer?.solved ?? null,
      answer_satisfied: answer?.satisfied ?? null,
    }),
  );

const monthsFrom = (first: string, count: number) =>
  Array.from({ length: count }, (_, i) => {
    const [y, m] = first.split('-').map(Number) as [number, number];
    return new Date(Date.UTC(y, m - 1 + i, 1)).toISOString().slice(0, 7);
  });

const roots: string[] = [];
const storeOf = async (rows: readonly AnalyticsRow[]): Promise<AnalyticsEngine> => {
  const root = mkdtempSync(join(tmpdir(), 'topic-figures-'));
  roots.push(root);
  await writeAnalyticsParquet(rows, root, 'orders');
  return openDuckDb({ roots: [root], threads: 1 });
};

afterAll(() => {
  for (const root of roots) rmSync(root, { recursive: true, force: true });
});

describe('topic_figures.sql', () => {
  /** March 2026 alone (and the days before): repeats, answers and spread of one category. */
  let engine: AnalyticsEngine;
  beforeAll(async () => {
    engine = await storeOf([
      // at address a-x: an order 23 days before (a repeat), and at a-y one 64 days before (not one)
      order('030101', '2026-02-10', { address_hash: 'a-x' }),
      order('030101', '2026-03-05', { address_hash: 'a-x', street_code: '110105002' }),
      order('030101', '2026-01-15', { address_hash: 'a-y' }),
      order('030101', '2026-03-20', { address_hash: 'a-y', answer_solved: 'not', answer_satisfied: 'not' }),
      // requester r-x twice in March (the second a repeat); the same address in another category is not
      order('030101', '2026-03-02', {
        requester_hash: 'r-x',
        answer_solved: 'partly',
        answer_satisfied: 'not',
      }),
      order('030101', '2026-03-10', { requester_hash: 'r-x', street_code: '110105003' }),
      order('030102', '2026-03-12', { address_hash: 'a-x' }),
      // anonymous and without an address: never a repeat, even next to another such order
      order('030101', '2026-03-11', { address_hash: null, requester_hash: null, anonymous: true }),
      order('030101', '2026-03-12', { address_hash: null, requester_hash: null, anonymous: true }),
      // unreachable: its earlier answer is not counted
      order('030101', '2026-03-13', { unreachable: true, answer_solved: 'not', answer_satisfied: 'not' }),
      // recorded at level 2 only
      order('030101', '2026-03-14', { category_code: '0301', category_l3: null }),
    ]);
  });
  afterAll(() => engine?.close());

  it('returns every level of a category, with its parent, orders and townships', async () => {
    // Act
    const figures = await queryTopicFigures(engine, '2026-03', config);

    // Assess
    expect(figures.map((f) => [f.level, f.categoryCode, f.parentCode, f.orders])).toEqual([
      [1, '03', null, 9],
      [2, '0301', '03', 9],
      [3, '030101', '0301', 7],
      [3, '030102', '0301', 1],
    ]);
    expect(figures.find((f) => f.categoryCode === '030101')?.townships).toBe(3);
  });

  it('returns repeats at one address or by one requester of the same category within the window', async () => {
    // Act
    const figures = await queryTopicFigures(engine, '2026-03', config);
    const l3 = figures.find((f) => f.categoryCode === '030101');
    const l1 = figures.find((f) => f.categoryCode === '03');

    // Assess: the a-x order of 03-05 and r-x's of 03-10; at level 1, 030102's a-x order of 03-12 too
    expect(l3?.repeatOrders).toBe(2);
    expect(l1?.repeatOrders).toBe(3);
  });

  it('returns call-back answers without the unreachable, and the unsolved and dissatisfied among them', async () => {
    // Act
    const l3 = (await queryTopicFigures(engine, '2026-03', config)).find((f) => f.categoryCode === '030101');

    // Assess: 6 answered orders of 7 (one unreachable); one 'not' solved, two 'not' satisfied
    expect([l3?.answered, l3?.unsolved, l3?.dissatisfied]).toEqual([6, 1, 2]);
  });

  it('returns no baseline for months the store does not cover', async () => {
    // Act
    const l3 = (await queryTopicFigures(engine, '2026-03', config)).find((f) => f.categoryCode === '030101');

    // Assess: the store holds January to March 2026 only
    expect([l3?.lastYearOrders, l3?.trailingOrders, l3?.comparableYears]).toEqual([null, null, 0]);
  });
});

describe('topic_figures.sql and monthlyTopicCandidates over years of history', () => {
  /**
   * December 2023 to March 2026. 040101 (水电气热) is small and steady but rises every March, and in
   * March 2026 jumps to 60 orders from 12 townships, mostly unsolved; 010101 and 010201 are big and
   * steady in two townships, well solved; 020101 appears in March 2026 with 8 unsolved orders from
   * 8 townships: rising and badly solved, but below the minimum volume.
   */
  const months = monthsFrom('2023-12', 28);
  let engine: AnalyticsEngine;
  beforeAll(async () => {
    const rows = months.flatMap((month) => [
      ...monthOf('010101', month, 40, 2),
      ...monthOf('010201', month, 35, 2),
      ...(month === '2026-03'
        ? [
            ...monthOf('040101', month, 45, 12, { solved: 'not', satisfied: 'not' }),
            ...monthOf('040101', month, 15, 12, { solved: 'partly', satisfied: 'basically' }),
            ...monthOf('020101', month, 8, 8, { solved: 'not', satisfied: 'not' }),
          ]
        : monthOf('040101', month, month.endsWith('-03') ? 12 : 4, 3)),
    ]);
    engine = await storeOf(rows);
  });
  afterAll(() => engine?.close());

  it('returns the baselines and the earlier years in which the month was elevated', async () => {
    // Act
    const figures = await queryTopicFigures(engine, '2026-03', config);
    const rising = figures.find((f) => f.categoryCode === '040101');
    const steady = figures.find((f) => f.categoryCode === '010101');

    // Assess: March 2024 and 2025 are comparable (their 3 months before are in the store)
    expect(rising).toMatchObject({
      orders: 60,
      lastYearOrders: 12,
      trailingOrders: 12,
      comparableYears: 2,
      elevatedYears: 2,
    });
    expect(steady).toMatchObject({
      orders: 40,
      lastYearOrders: 40,
      trailingOrders: 120,
      comparableYears: 2,
      elevatedYears: 0,
    });
  });

  it('ranks the rising, widespread, badly solved category first and leaves out the small one', async () => {
    // Act
    const { candidates } = monthlyTopicCandidates(
      '2026-03',
      await queryTopicFigures(engine, '2026-03', config),
      config,
    );

    // Assess
    expect(candidates[0]?.categoryCode).toBe('040101');
    expect(candidates[0]?.covers).toEqual(['0401', '04']);
    expect(candidates.map((c) => c.categoryCode)).not.toContain('020101');
    expect(candidates.map((c) => c.categoryCode)).not.toContain('02');
    // one place per line of descent (monthly-topics.ts): 01 holds its, its two children under `related`
    expect(candidates.map((c) => c.categoryCode).sort()).toEqual(['01', '040101']);
    expect(
      candidates
        .find((c) => c.categoryCode === '01')
        ?.related.map((r) => r.categoryCode)
        .sort(),
    ).toEqual(['010101', '010201']);
  });

  it('returns a score that is the weighted sum of the normalised components in its evidence', async () => {
    // Act
    const { candidates } = monthlyTopicCandidates(
      '2026-03',
      await queryTopicFigures(engine, '2026-03', config),
      config,
    );

    // Assess: every raw figure from the evidence, normalised by the highest among its peers — the
    // candidates of its level for volume and spread, all for the rest (every eligible one is shown here,
    // listed or related)
    const shown = candidates.flatMap((c) => [c, ...c.related]);
    for (const c of shown) {
      const f = c.evidence.figures;
      const components = c.evidence.components;
      const rise = (x: number, b: number) => Math.max(0, (x - b) / (x + b));
      expect(components.volume.raw).toBe(f.orders);
      expect(components.growthOnLastYear.raw).toBeCloseTo(rise(f.orders, f.lastYearOrders ?? f.orders), 12);
      expect(components.growthOnTrailing.raw).toBeCloseTo(rise(f.orders, (f.trailingOrders ?? 0) / 3), 12);
      expect(components.unsolved.raw).toBeCloseTo(f.unsolved / f.answered, 12);
      let score = 0;
      for (const [name, e] of Object.entries(components)) {
        const peers = shown.filter((o) => e.peers === 'all' || o.level === c.level);
        const highest = Math.max(
          ...peers.map((o) => o.evidence.components[name as keyof typeof components].raw),
        );
        expect(e.peers).toBe(config.normaliseWithinLevel.includes(name as never) ? 'level' : 'all');
        expect(e.scale).toBe(highest);
        expect(e.normalised).toBeCloseTo(highest > 0 ? e.raw / highest : 0, 12);
        expect(e.weight).toBe(config.weights[name as keyof typeof config.weights]);
        score += e.weight * e.normalised;
      }
      expect(c.score).toBeCloseTo(score, 12);
    }
  });

  it('marks a candidate chosen in an earlier month, through the parent it covers too', async () => {
    // Prepare
    const figures = await queryTopicFigures(engine, '2026-03', config);
    const choices = [
      { month: '2025-07', categoryCode: '0401' },
      { month: '2026-01', categoryCode: '040101' },
      { month: '2026-03', categoryCode: '010101' },
    ];

    // Act
    const { candidates } = monthlyTopicCandidates('2026-03', figures, config, choices);

    // Assess: this month's own choice is not an earlier one
    expect(candidates.find((c) => c.categoryCode === '040101')?.chosenBefore).toEqual(['2025-07', '2026-01']);
    const shown = candidates.flatMap((c) => [c, ...c.related]);
    expect(shown.find((c) => c.categoryCode === '010101')?.chosenBefore).toEqual([]);
  });
});
