import { describe, expect, it } from 'vitest';
import topics from '#data/topics.json' with { type: 'json' };
import {
  monthlyTopicCandidates,
  rawComponents,
  type TopicFigures,
  type TopicsConfig,
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

    // Assess: 02 and its children are one line (one place, the children under `related`, as the
    // family rule says; before it, all three held places); covering is unchanged
    expect(candidates.map((c) => c.categoryCode).sort()).toEqual(['010101', '02']);
    expect(candidates.find((c) => c.categoryCode === '010101')?.covers).toEqual(['0101', '01']);
    expect(
      candidates
        .find((c) => c.categoryCode === '02')
        ?.related.map((r) => r.categoryCode)
        .sort(),
    ).toEqual(['0201', '0202']);
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

  it('returns volume and spread scaled among the candidates of the same level, the others among all', () => {
    // Prepare: a broad heading of 600 orders from 90 townships, its biggest child, a level-3 leaf
    // of 60 orders from 12 townships in another line
    const month = [
      figures({ categoryCode: '05', orders: 600, townships: 90 }),
      figures({ categoryCode: '0501', orders: 300, townships: 60 }),
      figures({ categoryCode: '06', orders: 200, townships: 30 }),
      figures({ categoryCode: '0601', orders: 120, townships: 20 }),
      figures({ categoryCode: '060101', orders: 60, townships: 12, unsolved: 15 }),
    ];

    // Act
    const { candidates } = monthlyTopicCandidates('2026-03', month, { ...config, topN: 5 });
    const pool = candidates.flatMap((c) => [c, ...c.related]);
    const of = (code: string) => pool.find((c) => c.categoryCode === code)?.evidence.components;

    // Assess: the leaf leads level 3, so its size counts in full, as the heading's does in level 1
    expect(of('060101')?.volume).toMatchObject({ peers: 'level', scale: 60, normalised: 1 });
    expect(of('060101')?.spread).toMatchObject({ peers: 'level', scale: 12, normalised: 1 });
    expect(of('0601')?.volume).toMatchObject({ peers: 'level', scale: 300, normalised: 120 / 300 });
    expect(of('05')?.volume.normalised).toBe(1);
    expect(of('0501')?.unsolved).toMatchObject({ peers: 'all', scale: 0.5 });
  });

  it('returns a score that its evidence recomputes: the sum of weight × raw ÷ scale', () => {
    // Prepare
    const month = [
      figures({ categoryCode: '01', orders: 300, townships: 40, lastYearOrders: 100 }),
      figures({ categoryCode: '0102', orders: 90, townships: 9, unsolved: 12 }),
      figures({ categoryCode: '020304', orders: 50, townships: 7, repeatOrders: 20, elevatedYears: 2 }),
    ];

    // Act
    const { candidates } = monthlyTopicCandidates('2026-03', month, config);

    // Assess
    for (const c of candidates.flatMap((c) => [c, ...c.related])) {
      const parts = topicComponents.map((name) => c.evidence.components[name]);
      const recomputed = parts.reduce((s, e) => s + e.weight * (e.scale > 0 ? e.raw / e.scale : 0), 0);
      expect(c.score).toBeCloseTo(recomputed, 12);
    }
  });
});

describe('monthlyTopicCandidates, one candidate per line of descent', () => {
  /** A family: 03 → 0301 → 030101, 030102 and 03 → 0302, with distinct figures; and 04 on its own. */
  const family = [
    figures({ categoryCode: '03', orders: 400, townships: 60, lastYearOrders: 300 }),
    figures({ categoryCode: '0301', orders: 250, townships: 50, lastYearOrders: 150 }),
    figures({ categoryCode: '030101', orders: 160, townships: 40, lastYearOrders: 60, unsolved: 12 }),
    figures({ categoryCode: '030102', orders: 90, townships: 30, lastYearOrders: 90 }),
    figures({ categoryCode: '0302', orders: 150, townships: 30, lastYearOrders: 150 }),
    figures({ categoryCode: '04', orders: 120, townships: 20, lastYearOrders: 120 }),
  ];

  it('lists an ancestor or descendant of a higher-ranked candidate under its related, taking no place', () => {
    // Act
    const { candidates } = monthlyTopicCandidates('2026-03', family, config);
    const codes = candidates.map((c) => c.categoryCode);
    const listedOrRelated = candidates.flatMap((c) => [c, ...c.related]);

    // Assess: no listed candidate is an ancestor of another
    for (const a of codes)
      for (const b of codes) if (a !== b) expect(b.startsWith(a), `${a} and ${b} both listed`).toBe(false);
    // every category is shown once, listed or under the higher-ranked one of its line
    expect(listedOrRelated.map((c) => c.categoryCode).sort()).toEqual(
      family.map((f) => f.categoryCode).sort(),
    );
    for (const c of candidates)
      for (const r of c.related) {
        expect(r.score).toBeLessThanOrEqual(c.score);
        const isAncestor = c.categoryCode.startsWith(r.categoryCode);
        expect(isAncestor || r.categoryCode.startsWith(c.categoryCode)).toBe(true);
        expect(r.relation).toBe(isAncestor ? 'ancestor' : 'descendant');
      }
  });

  it('returns the related parent under the higher of two listed children, and keeps both children', () => {
    // Prepare: two rising, badly solved siblings outrank their parent, which splits between them
    const month = [
      figures({ categoryCode: '07', orders: 200, townships: 30 }),
      figures({ categoryCode: '0701', orders: 110, townships: 20, lastYearOrders: 30, unsolved: 15 }),
      figures({ categoryCode: '0702', orders: 90, townships: 18, lastYearOrders: 30, unsolved: 12 }),
    ];

    // Act
    const { candidates } = monthlyTopicCandidates('2026-03', month, config);

    // Assess
    expect(candidates.map((c) => c.categoryCode)).toEqual(['0701', '0702']);
    expect(candidates[0]?.related.map((r) => [r.categoryCode, r.relation])).toEqual([['07', 'ancestor']]);
    expect(candidates[1]?.related).toEqual([]);
  });

  it('returns topN lines, filling the places its related leave with lower-ranked categories', () => {
    // Prepare: 12 headings with one child each, the child ranking just below its heading
    const month = Array.from({ length: 12 }, (_, i) => [
      figures({ categoryCode: String(i + 10), orders: 200 - 10 * i, townships: 40 - i }),
      figures({ categoryCode: `${i + 10}01`, orders: 100 - 5 * i, townships: 20 - i }),
    ]).flat();

    // Act
    const { candidates } = monthlyTopicCandidates('2026-03', month, config);

    // Assess: 10 places, 10 lines
    expect(candidates).toHaveLength(config.topN);
    expect(new Set(candidates.map((c) => c.categoryCode.slice(0, 2))).size).toBe(config.topN);
    expect(candidates.map((c) => c.rank)).toEqual(Array.from({ length: config.topN }, (_, i) => i + 1));
  });
});

/** Weights that differ from each other, so that the order of the contributions follows from the figures. */
const distinct: TopicsConfig = {
  ...config,
  weights: {
    volume: 0.1,
    spread: 0.1,
    growthOnLastYear: 0.15,
    growthOnTrailing: 0.1,
    recurrence: 0.12,
    unsolved: 0.16,
    dissatisfied: 0.14,
    repeats: 0.13,
  },
};

/** A category with nothing beyond its size: no rise, no recurrence, no call-back answer, no repeat. */
const plain = (overrides: Partial<TopicFigures> & Pick<TopicFigures, 'categoryCode'>): TopicFigures =>
  figures({
    lastYearOrders: null,
    trailingOrders: null,
    answered: 0,
    unsolved: 0,
    dissatisfied: 0,
    repeatOrders: 0,
    ...overrides,
  });

/** The reason's phrases after its leading "score …: n orders from m townships". */
const phrasesOf = (reason: string | undefined) => (reason ?? '').split('; ').slice(1);

describe('topicsConfigSchema, messages', () => {
  it('rejects weights that do not add up to 1 with a message that says so', () => {
    // Prepare
    const bad = { ...topics, weights: { ...topics.weights, repeats: topics.weights.repeats / 2 } };

    // Act
    const result = topicsConfigSchema.safeParse(bad);

    // Assess
    expect(result.error?.issues.map((i) => i.message)).toEqual(['the weights add up to 1']);
  });
});

describe('rawComponents', () => {
  it('returns no rise and no share where the figure they divide by is 0', () => {
    // Prepare: nothing this month, nothing last year nor in the months before, no call-back answer
    const empty = figures({
      categoryCode: '01',
      orders: 0,
      lastYearOrders: 0,
      trailingOrders: 0,
      answered: 0,
      unsolved: 0,
      dissatisfied: 0,
      repeatOrders: 0,
    });

    // Act
    const raw = rawComponents(empty);

    // Assess
    expect(raw).toMatchObject({
      growthOnLastYear: 0,
      growthOnTrailing: 0,
      unsolved: 0,
      dissatisfied: 0,
      repeats: 0,
    });
  });

  it('returns the rise on the mean of the 3 months before, not on their sum, and none without them', () => {
    // Prepare: 40 orders; the months before held 60 (a mean of 20), 120 (a mean of 40), or are unknown
    const onTwenty = figures({ categoryCode: '01', orders: 40, trailingOrders: 60 });
    const onForty = figures({ categoryCode: '01', orders: 40, trailingOrders: 120 });
    const unknown = figures({ categoryCode: '01', orders: 40, trailingOrders: null });

    // Act / Assess: (40 − 20) / (40 + 20) = 1/3; no rise on an equal mean nor on an unknown one
    expect(rawComponents(onTwenty).growthOnTrailing).toBeCloseTo(1 / 3, 12);
    expect(rawComponents(onForty).growthOnTrailing).toBe(0);
    expect(rawComponents(unknown).growthOnTrailing).toBe(0);
  });

  it('returns the shares of the call-back answers and of the orders', () => {
    // Prepare
    const f = figures({
      categoryCode: '01',
      orders: 50,
      answered: 40,
      unsolved: 10,
      dissatisfied: 6,
      repeatOrders: 5,
    });

    // Act
    const raw = rawComponents(f);

    // Assess
    expect(raw).toMatchObject({
      volume: 50,
      spread: 4,
      unsolved: 10 / 40,
      dissatisfied: 6 / 40,
      repeats: 5 / 50,
    });
  });
});

describe('monthlyTopicCandidates, the reason', () => {
  it('returns the score, the size and the one component beyond size that counts, in words', () => {
    // Prepare: alone, so every component it has is at the top of its scale
    const month = [plain({ categoryCode: '01', orders: 60, townships: 5, lastYearOrders: 40 })];

    // Act
    const { candidates } = monthlyTopicCandidates('2026-03', month, distinct);

    // Assess: 60 against 40 is +50 %; no other component beyond size is above 0
    const w = distinct.weights;
    expect(candidates[0]?.score).toBeCloseTo(w.volume + w.spread + w.growthOnLastYear, 12);
    expect(candidates[0]?.reason).toBe(
      `score ${(w.volume + w.spread + w.growthOnLastYear).toFixed(3)}: 60 orders from 5 townships; ` +
        '+50.0 % on the same month last year (40)',
    );
  });

  it('returns a rise from nothing as orders against none', () => {
    // Prepare
    const month = [plain({ categoryCode: '01', orders: 40, lastYearOrders: 0 })];

    // Act
    const { candidates } = monthlyTopicCandidates('2026-03', month, distinct);

    // Assess
    expect(phrasesOf(candidates[0]?.reason)).toEqual(['40 orders against none on the same month last year']);
  });

  it('returns the rise on the mean of the months before, the mean shown whole or to one decimal', () => {
    // Prepare: 40 orders on 60 in the 3 months before (mean 20); 1 order on 1 (mean 1/3) where 1 is enough
    const small = { ...distinct, minOrders: 1 };
    const whole = [plain({ categoryCode: '01', orders: 40, trailingOrders: 60 })];
    const third = [plain({ categoryCode: '01', orders: 1, trailingOrders: 1 })];

    // Act
    const onWhole = monthlyTopicCandidates('2026-03', whole, small).candidates[0];
    const onThird = monthlyTopicCandidates('2026-03', third, small).candidates[0];

    // Assess: 40 / 20 − 1 = +100 %; 1 / (1/3) − 1 = +200 %
    expect(phrasesOf(onWhole?.reason)).toEqual(['+100.0 % on the mean of the 3 months before (20)']);
    expect(phrasesOf(onThird?.reason)).toEqual(['+200.0 % on the mean of the 3 months before (0.3)']);
  });

  it('returns the three components beyond size that contribute most, the largest first', () => {
    // Prepare: two headings that set each other's scales
    const a = plain({
      categoryCode: '01',
      orders: 60,
      townships: 6,
      lastYearOrders: 40,
      elevatedYears: 1,
      comparableYears: 3,
      answered: 20,
      unsolved: 10,
      dissatisfied: 3,
      repeatOrders: 6,
    });
    const b = plain({
      categoryCode: '02',
      orders: 40,
      townships: 4,
      lastYearOrders: 20,
      elevatedYears: 2,
      comparableYears: 3,
      answered: 20,
      unsolved: 5,
      dissatisfied: 4,
      repeatOrders: 2,
    });

    // Act
    const { candidates } = monthlyTopicCandidates('2026-03', [b, a], distinct);

    // Assess: scales (the higher of the two): rise 1/3, recurrence 2, unsolved 0.5, dissatisfied 0.2,
    // repeats 0.1. a: rise 0.2 → 0.6 × 0.15, recurrence 1/2 × 0.12, unsolved 1 × 0.16,
    // dissatisfied 0.75 × 0.14, repeats 1 × 0.13: unsolved, repeats, dissatisfied.
    // b: rise 1 × 0.15, recurrence 1 × 0.12, unsolved 0.5 × 0.16, dissatisfied 1 × 0.14, repeats
    // 0.5 × 0.13: rise, dissatisfied, recurrence.
    const w = distinct.weights;
    const scoreA =
      w.volume +
      w.spread +
      0.6 * w.growthOnLastYear +
      0.5 * w.recurrence +
      w.unsolved +
      0.75 * w.dissatisfied +
      w.repeats;
    const [first, second] = candidates;
    expect(candidates.map((c) => c.categoryCode)).toEqual(['01', '02']);
    expect(first?.score).toBeCloseTo(scoreA, 12);
    expect(first?.reason).toBe(
      [
        `score ${first?.score.toFixed(3)}: 60 orders from 6 townships`,
        '50.0 % of call-back answers not solved (10 of 20)',
        `10.0 % repeats at one address or by one requester within ${distinct.repeatDays} days`,
        '15.0 % not satisfied (3 of 20)',
      ].join('; '),
    );
    expect(phrasesOf(second?.reason)).toEqual([
      '+100.0 % on the same month last year (20)',
      '20.0 % not satisfied (4 of 20)',
      'elevated in this month in 2 of 3 earlier years',
    ]);
  });
});

describe('monthlyTopicCandidates, covering and order', () => {
  it('returns a child at exactly the covered share in its parent’s place, each child covering only its own line', () => {
    // Prepare: 0501 holds exactly 90 % of 05, 0701 all of 07; 0601 only 35 of 40
    const month = [
      plain({ categoryCode: '05', orders: 40 }),
      plain({ categoryCode: '0501', orders: 40 * config.parentCoveredShare }),
      plain({ categoryCode: '06', orders: 40 }),
      plain({ categoryCode: '0601', orders: 35 }),
      plain({ categoryCode: '07', orders: 50 }),
      plain({ categoryCode: '0701', orders: 50 }),
    ];

    // Act
    const { candidates } = monthlyTopicCandidates('2026-03', month, config);
    const shown = candidates.flatMap((c) => [c, ...c.related]);
    const coversOf = (code: string) => shown.find((c) => c.categoryCode === code)?.covers;

    // Assess: a covered parent is shown nowhere, neither listed nor related
    expect(shown.map((c) => c.categoryCode).sort()).toEqual(['0501', '06', '0601', '0701']);
    expect(coversOf('0501')).toEqual(['05']);
    expect(coversOf('0701')).toEqual(['07']);
    expect(coversOf('0601')).toEqual([]);
  });

  it('returns equal scores ordered by volume, whichever comes first in the figures', () => {
    // Prepare: a heading of 40 and a level-2 category of 60 (its parent not in the month), each the
    // largest of its level, with the same shares and rises: their scores are equal
    const heading = figures({
      categoryCode: '01',
      orders: 40,
      lastYearOrders: 20,
      trailingOrders: 120,
      repeatOrders: 2,
    });
    const child = figures({
      categoryCode: '0301',
      orders: 60,
      lastYearOrders: 30,
      trailingOrders: 180,
      repeatOrders: 3,
    });

    // Act
    const one = monthlyTopicCandidates('2026-03', [heading, child], config).candidates;
    const other = monthlyTopicCandidates('2026-03', [child, heading], config).candidates;

    // Assess
    expect(one[0]?.score).toBe(one[1]?.score);
    expect(one.map((c) => c.categoryCode)).toEqual(['0301', '01']);
    expect(other.map((c) => c.categoryCode)).toEqual(['0301', '01']);
  });

  it('returns a lower-ranked child under its listed parent as a descendant', () => {
    // Prepare: 08 leads level 1; its child 0801 is small beside 0901 in level 2 (09 not in the month)
    const month = [
      figures({ categoryCode: '08', orders: 200, townships: 30 }),
      figures({ categoryCode: '0801', orders: 60, townships: 10 }),
      figures({ categoryCode: '0901', orders: 300, townships: 40 }),
    ];

    // Act
    const { candidates } = monthlyTopicCandidates('2026-03', month, config);

    // Assess
    const parent = candidates.find((c) => c.categoryCode === '08');
    expect(parent?.related.map((r) => [r.categoryCode, r.relation])).toEqual([['0801', 'descendant']]);
  });
});

describe('monthlyTopicCandidates, chosen before', () => {
  it('returns the earlier months, sorted and once each, in which the category or a parent it covers was chosen', () => {
    // Prepare: 0101 covers 01; 02 is another line
    const month = [
      plain({ categoryCode: '01', orders: 40 }),
      plain({ categoryCode: '0101', orders: 40 }),
      plain({ categoryCode: '02', orders: 30 }),
    ];
    const earlier = [
      { month: '2026-01', categoryCode: '0101' },
      { month: '2025-11', categoryCode: '01' },
      { month: '2026-01', categoryCode: '01' },
      { month: '2026-03', categoryCode: '0101' }, // this month: not before
      { month: '2026-04', categoryCode: '0101' }, // later
      { month: '2025-12', categoryCode: '02' },
    ];

    // Act
    const { candidates } = monthlyTopicCandidates('2026-03', month, config, earlier);
    const chosen = (code: string) => candidates.find((c) => c.categoryCode === code)?.chosenBefore;

    // Assess
    expect(chosen('0101')).toEqual(['2025-11', '2026-01']);
    expect(chosen('02')).toEqual(['2025-12']);
  });
});
