import { describe, expect, it } from 'vitest';
import topics from '#data/topics.json' with { type: 'json' };
import {
  monthlyTopicCandidates,
  type TopicFigures,
  topicComponents,
  topicsConfigSchema,
} from '#domain/mining/monthly-topics.ts';

const config = topicsConfigSchema.parse(topics);

/** A steady, well-solved category of 40 orders from 4 townships, with overrides. */
const figures = (overrides: Partial<TopicFigures> & Pick<TopicFigures, 'categoryCode'>): TopicFigures => ({
  level: (overrides.categoryCode.length / 2) as 1 | 2 | 3,
  parentCode: overrides.categoryCode.length > 2 ? overrides.categoryCode.slice(0, -2) : null,
  orders: 40,
  townships: 4,
  answered: 30,
  unsolved: 3,
  dissatisfied: 3,
  repeatOrders: 2,
  lastYearOrders: 40,
  trailingOrders: 120,
  comparableYears: 3,
  elevatedYears: 0,
  ...overrides,
});

describe('topicsConfigSchema', () => {
  it('rejects weights that do not add up to 1', () => {
    // Prepare
    const bad = { ...topics, weights: { ...topics.weights, volume: topics.weights.volume + 0.1 } };

    // Assess
    expect(topicsConfigSchema.safeParse(bad).success).toBe(false);
  });

  it('rejects a covered share of one half or less, at which two children could cover one parent', () => {
    // Assess
    expect(topicsConfigSchema.safeParse({ ...topics, parentCoveredShare: 0.5 }).success).toBe(false);
  });
});

describe('monthlyTopicCandidates', () => {
  it('returns only the child when it holds nearly all of its parent’s orders, and lists the parent it covers', () => {
    // Prepare: 0101 is nearly all 010101 (38 of 40); 02 is split between two children
    const month = [
      figures({ categoryCode: '01', orders: 41 }),
      figures({ categoryCode: '0101', orders: 40 }),
      figures({ categoryCode: '010101', orders: 38 }),
      figures({ categoryCode: '02', orders: 80 }),
      figures({ categoryCode: '0201', orders: 40 }),
      figures({ categoryCode: '0202', orders: 40 }),
    ];

    // Act
    const { candidates } = monthlyTopicCandidates('2026-03', month, config);

    // Assess
    expect(candidates.map((c) => c.categoryCode).sort()).toEqual(['010101', '02', '0201', '0202']);
    expect(candidates.find((c) => c.categoryCode === '010101')?.covers).toEqual(['0101', '01']);
  });

  it('keeps a parent whose covering child is below the minimum volume', () => {
    // Prepare
    const month = [
      figures({ categoryCode: '03', orders: config.minOrders }),
      figures({ categoryCode: '0301', orders: config.minOrders - 1 }),
    ];

    // Act
    const { candidates } = monthlyTopicCandidates('2026-03', month, config);

    // Assess
    expect(candidates.map((c) => c.categoryCode)).toEqual(['03']);
  });

  it('returns every component normalised to [0, 1], the highest candidate at 1, unaffected by the too small', () => {
    // Prepare: a tiny category with a huge unsolved share must not set the scale
    const month = [
      figures({ categoryCode: '01', unsolved: 15 }),
      figures({ categoryCode: '02', unsolved: 6 }),
      figures({ categoryCode: '03', orders: config.minOrders - 1, answered: 10, unsolved: 10 }),
    ];

    // Act
    const { candidates, eligible } = monthlyTopicCandidates('2026-03', month, config);

    // Assess
    expect(eligible).toBe(2);
    const unsolved = Object.fromEntries(
      candidates.map((c) => [c.categoryCode, c.evidence.components.unsolved]),
    );
    expect(unsolved['01']?.normalised).toBe(1);
    expect(unsolved['02']?.normalised).toBeCloseTo(6 / 15, 12);
    for (const c of candidates)
      for (const name of topicComponents) {
        expect(c.evidence.components[name].normalised).toBeGreaterThanOrEqual(0);
        expect(c.evidence.components[name].normalised).toBeLessThanOrEqual(1);
      }
  });

  it('returns no growth where the store has no baseline, and none for a decline', () => {
    // Prepare
    const month = [
      figures({ categoryCode: '01', lastYearOrders: null, trailingOrders: null }),
      figures({ categoryCode: '02', lastYearOrders: 80, trailingOrders: 240 }),
      figures({ categoryCode: '03', lastYearOrders: 20, trailingOrders: 60 }),
    ];

    // Act
    const { candidates } = monthlyTopicCandidates('2026-03', month, config);
    const growth = (code: string) => candidates.find((c) => c.categoryCode === code)?.evidence.components;

    // Assess: 40 against 20 is doubled, (40 − 20) / (40 + 20) = 1/3
    expect(growth('01')?.growthOnLastYear.raw).toBe(0);
    expect(growth('02')?.growthOnTrailing.raw).toBe(0);
    expect(growth('03')?.growthOnLastYear.raw).toBeCloseTo(1 / 3, 12);
  });

  it('returns at most topN candidates, best first, each with a reason led by its size', () => {
    // Prepare: 15 categories of rising volume
    const month = Array.from({ length: 15 }, (_, i) =>
      figures({ categoryCode: String(i + 10), orders: 40 + 10 * i, townships: 4 + i }),
    );

    // Act
    const { candidates } = monthlyTopicCandidates('2026-03', month, config);

    // Assess
    expect(candidates).toHaveLength(config.topN);
    expect(candidates.map((c) => c.rank)).toEqual(Array.from({ length: config.topN }, (_, i) => i + 1));
    expect(candidates[0]?.categoryCode).toBe('24');
    expect([...candidates].sort((a, b) => b.score - a.score)).toEqual(candidates);
    expect(candidates[0]?.reason).toMatch(/^score \d\.\d{3}: 180 orders from 18 townships; /);
  });

  it('returns chosenBefore empty when nothing was chosen', () => {
    // Act
    const { candidates } = monthlyTopicCandidates('2026-03', [figures({ categoryCode: '01' })], config);

    // Assess
    expect(candidates[0]?.chosenBefore).toEqual([]);
  });
});
