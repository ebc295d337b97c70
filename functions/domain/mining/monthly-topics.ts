import * as z from 'zod';

/**
 * 每月一题 candidates of a CST month: the categories, at any taxonomy level, most worth a month's
 * city-level push — Beijing picks problems that are specific, high in volume, widespread, rising or
 * coming back season after season, and long unsolved (GOVERNANCE.md). The score is transparent: for
 * each component a raw figure, normalised to [0, 1] by dividing by its `scale` — the highest raw
 * figure among the candidates it is compared with (0 when that is 0) — times its weight from
 * data/topics.json; the score is the sum of the contributions (weights add up to 1, so is the score):
 *
 *   volume            orders received in the month
 *   spread            townships (街乡镇) they came from
 *   growthOnLastYear  rise on the same month last year        r(orders, last year's orders)
 *   growthOnTrailing  rise on the mean of the 3 months before  r(orders, trailing sum / 3)
 *   recurrence        earlier years in which the same month was elevated (above `elevation` × the
 *                     mean of its 3 months before)
 *   unsolved          call-back answers "not solved" / answers
 *   dissatisfied      call-back answers "not satisfied" / answers
 *   repeats           orders at an address or by a requester with an order of the same category in
 *                     the `repeatDays` days before / orders
 *
 * r(x, b) = max(0, (x − b) / (x + b)), 0 when the store lacks the baseline: 0 no rise, 1/3 doubled,
 * 1 from nothing; bounded, so one category new this month does not flatten every other rise.
 *
 * Peers — the components of `normaliseWithinLevel` (volume and spread: sizes) are scaled among the
 * candidates of the same taxonomy level, the others (shares and rises, already comparable) among all
 * candidates. A level-1 category always holds more orders from more townships than any of its
 * children; scaled together, the broad level-1 headings would win on size alone and the concrete
 * problems Beijing picks would never reach the list.
 *
 * Categories below `minOrders` are not candidates. A parent whose orders are (nearly) all in one
 * child — the child holds at least `parentCoveredShare` of them — would fill two places with the same
 * orders: only the child (the more concrete problem) stays, and it lists the parent in `covers`.
 *
 * One candidate per line of descent — the list is read top down; a category whose ancestor or
 * descendant is already listed takes no place of its own but appears in that candidate's `related`
 * (with its score, so nothing is hidden): a month's list of 10 then names 10 different problems, not
 * one family at three levels. A category related to two listed ones (a parent of both) is shown under
 * the higher. Only listed candidates claim their line: a parent shown as related does not keep its
 * other children out. Related are those that ranked above the list's last candidate.
 */
export const topicComponents = [
  'volume',
  'spread',
  'growthOnLastYear',
  'growthOnTrailing',
  'recurrence',
  'unsolved',
  'dissatisfied',
  'repeats',
] as const;
export type TopicComponent = (typeof topicComponents)[number];

const weight = z.number().min(0);
export const topicsConfigSchema = z.strictObject({
  version: z.string().optional(),
  note: z.string().optional(),
  minOrders: z.number().int().min(1),
  topN: z.number().int().min(1),
  repeatDays: z.number().int().min(1),
  elevation: z.number().min(1),
  /** Above one half, so that at most one child can cover a parent. */
  parentCoveredShare: z.number().gt(0.5).max(1),
  /** Components scaled among the candidates of the same taxonomy level (the others: among all). */
  normaliseWithinLevel: z.array(z.enum(topicComponents)),
  weights: z
    .strictObject({
      volume: weight,
      spread: weight,
      growthOnLastYear: weight,
      growthOnTrailing: weight,
      recurrence: weight,
      unsolved: weight,
      dissatisfied: weight,
      repeats: weight,
    })
    .refine(
      // Stryker disable next-line EqualityOperator: equivalent, no sum of weights lands exactly 1e-9 off 1
      (w) => Math.abs(Object.values(w).reduce((a, b) => a + b, 0) - 1) < 1e-9,
      'the weights add up to 1',
    ),
});
export type TopicsConfig = z.infer<typeof topicsConfigSchema>;

/** A category's figures for the month (a row of topic_figures.sql). */
export interface TopicFigures {
  readonly categoryCode: string;
  readonly level: 1 | 2 | 3;
  readonly parentCode: string | null;
  readonly orders: number;
  readonly townships: number;
  readonly answered: number;
  readonly unsolved: number;
  readonly dissatisfied: number;
  readonly repeatOrders: number;
  /** null: the store does not cover that month (or not all three), so there is no baseline. */
  readonly lastYearOrders: number | null;
  readonly trailingOrders: number | null;
  readonly comparableYears: number;
  readonly elevatedYears: number;
}

export interface ComponentEvidence {
  readonly raw: number;
  /** Whom the raw figure is compared with: the candidates of its taxonomy level, or all. */
  readonly peers: 'level' | 'all';
  /** The highest raw figure among those peers; normalised = raw / scale (0 when scale is 0). */
  readonly scale: number;
  readonly normalised: number;
  readonly weight: number;
  readonly contribution: number;
}

export interface TopicCandidate {
  readonly rank: number;
  readonly categoryCode: string;
  readonly level: 1 | 2 | 3;
  readonly score: number;
  readonly reason: string;
  /** Months before this one in which the centre chose this category (or one it covers). */
  readonly chosenBefore: readonly string[];
  /** Ancestors left out because this category holds (nearly) all their orders. */
  readonly covers: readonly string[];
  /** Ancestors and descendants that ranked below it, above the list's last candidate: its line. */
  readonly related: readonly RelatedCategory[];
  readonly evidence: {
    readonly figures: TopicFigures;
    readonly components: Readonly<Record<TopicComponent, ComponentEvidence>>;
  };
}

/** A category of a listed candidate's line that ranked below it: scored and explained the same way. */
export interface RelatedCategory extends Omit<TopicCandidate, 'rank' | 'related'> {
  readonly relation: 'ancestor' | 'descendant';
}

/** An earlier month's pick (每月一题), as the store of choices keeps it. */
export interface EarlierChoice {
  readonly month: string;
  readonly categoryCode: string;
}

const rise = (orders: number, baseline: number | null) => {
  if (baseline === null) return 0;
  const total = orders + baseline;
  return total === 0 ? 0 : Math.max(0, (orders - baseline) / total);
};
const share = (n: number, d: number) => (d > 0 ? n / d : 0);

export const rawComponents = (f: TopicFigures): Record<TopicComponent, number> => ({
  volume: f.orders,
  spread: f.townships,
  growthOnLastYear: rise(f.orders, f.lastYearOrders),
  growthOnTrailing: rise(f.orders, f.trailingOrders === null ? null : f.trailingOrders / 3),
  recurrence: f.elevatedYears,
  unsolved: share(f.unsolved, f.answered),
  dissatisfied: share(f.dissatisfied, f.answered),
  repeats: share(f.repeatOrders, f.orders),
});

const percent = (x: number) => `${(x * 100).toFixed(1)} %`;
/** A rise in words: only a rise is told (a growth component is in the reason when it contributes). */
const change = (orders: number, baseline: number, against: string) =>
  baseline === 0
    ? `${orders} orders against none ${against}`
    : `+${percent(orders / baseline - 1)} ${against} (${baseline.toFixed(baseline % 1 === 0 ? 0 : 1)})`;

type BeyondSize = Exclude<TopicComponent, 'volume' | 'spread'>;
const phrase = (c: BeyondSize, f: TopicFigures, config: TopicsConfig): string => {
  switch (c) {
    case 'growthOnLastYear':
      return change(f.orders, f.lastYearOrders ?? 0, 'on the same month last year');
    case 'growthOnTrailing':
      return change(f.orders, (f.trailingOrders ?? 0) / 3, 'on the mean of the 3 months before');
    case 'recurrence':
      return `elevated in this month in ${f.elevatedYears} of ${f.comparableYears} earlier years`;
    case 'unsolved':
      return `${percent(share(f.unsolved, f.answered))} of call-back answers not solved (${f.unsolved} of ${f.answered})`;
    case 'dissatisfied':
      return `${percent(share(f.dissatisfied, f.answered))} not satisfied (${f.dissatisfied} of ${f.answered})`;
    case 'repeats':
      return `${percent(share(f.repeatOrders, f.orders))} repeats at one address or by one requester within ${config.repeatDays} days`;
  }
};

const keyOf = (level: number, code: string | null) => `${level}:${code}`;

/** Eligible categories without the parents a single child covers; each with what it covers. */
const withoutCoveredParents = (eligible: readonly TopicFigures[], coveredShare: number) => {
  const byKey = new Map(eligible.map((f) => [keyOf(f.level, f.categoryCode), f]));
  const coveredBy = new Map<string, string>();
  for (const child of eligible) {
    // a heading's parent key is `0:null`, which no category has
    const parentKey = keyOf(child.level - 1, child.parentCode);
    const parent = byKey.get(parentKey);
    if (parent && child.orders >= coveredShare * parent.orders)
      coveredBy.set(parentKey, keyOf(child.level, child.categoryCode));
  }
  const representative = (key: string): string => {
    const child = coveredBy.get(key);
    return child === undefined ? key : representative(child);
  };
  return eligible
    .filter((f) => !coveredBy.has(keyOf(f.level, f.categoryCode)))
    .map((f) => {
      const key = keyOf(f.level, f.categoryCode);
      const covers = eligible
        .filter((p) => coveredBy.has(keyOf(p.level, p.categoryCode)))
        .filter((p) => representative(keyOf(p.level, p.categoryCode)) === key)
        .sort((a, b) => b.level - a.level)
        .map((p) => p.categoryCode);
      return { figures: f, covers };
    });
};

/** The highest raw figure of each component among the pool, by level for those scaled within it. */
const scalesOf = (
  pool: readonly { readonly figures: TopicFigures; readonly raw: Record<TopicComponent, number> }[],
  config: TopicsConfig,
) => {
  const withinLevel = new Set<TopicComponent>(config.normaliseWithinLevel);
  const highest = (c: TopicComponent, level?: number) =>
    Math.max(0, ...pool.filter((p) => level === undefined || p.figures.level === level).map((p) => p.raw[c]));
  return (c: TopicComponent, level: number) =>
    withinLevel.has(c)
      ? { peers: 'level' as const, scale: highest(c, level) }
      : { peers: 'all' as const, scale: highest(c) };
};

/** Whether `a` is an ancestor of `b`, following the parent codes of the month's figures. */
const ancestryOf = (figures: readonly TopicFigures[]) => {
  const parentOf = new Map(figures.map((f) => [keyOf(f.level, f.categoryCode), f.parentCode]));
  return (a: TopicFigures, b: TopicFigures): boolean => {
    // up b's line until a's level (a line that ends first, or starts at or above a's level, holds no a)
    let level = b.level;
    let parent = parentOf.get(keyOf(b.level, b.categoryCode)) ?? null;
    while (parent !== null) {
      level--;
      if (level === a.level) return parent === a.categoryCode;
      parent = parentOf.get(keyOf(level, parent)) ?? null;
    }
    return false;
  };
};

/** The month's top candidates, ranked by score, each with its evidence and a one-line reason. */
export const monthlyTopicCandidates = (
  month: string,
  figures: readonly TopicFigures[],
  config: TopicsConfig,
  // Stryker disable next-line ArrayDeclaration: equivalent, a string has no month, so it is never before this one
  earlierChoices: readonly EarlierChoice[] = [],
): { readonly month: string; readonly eligible: number; readonly candidates: TopicCandidate[] } => {
  const eligible = figures.filter((f) => f.orders >= config.minOrders);
  const pool = withoutCoveredParents(eligible, config.parentCoveredShare).map((c) => ({
    ...c,
    raw: rawComponents(c.figures),
  }));
  const scale = scalesOf(pool, config);
  const scored = pool.map(({ figures: f, covers, raw }) => {
    const components = Object.fromEntries(
      topicComponents.map((c) => {
        const peers = scale(c, f.level);
        const normalised = peers.scale > 0 ? raw[c] / peers.scale : 0;
        const w = config.weights[c];
        return [c, { raw: raw[c], ...peers, normalised, weight: w, contribution: w * normalised }];
      }),
    ) as Record<TopicComponent, ComponentEvidence>;
    const score = topicComponents.reduce((sum, c) => sum + components[c].contribution, 0);
    // the line: its size, then the three components beyond size that weigh most in its score
    const strongest = topicComponents
      .filter((c): c is BeyondSize => c !== 'volume' && c !== 'spread' && components[c].contribution > 0)
      .sort((a, b) => components[b].contribution - components[a].contribution)
      .slice(0, 3);
    const codes = new Set([f.categoryCode, ...covers]);
    return {
      categoryCode: f.categoryCode,
      level: f.level,
      score,
      reason: [
        `score ${score.toFixed(3)}: ${f.orders} orders from ${f.townships} townships`,
        ...strongest.map((c) => phrase(c, f, config)),
      ].join('; '),
      chosenBefore: [
        ...new Set(
          earlierChoices.filter((c) => c.month < month && codes.has(c.categoryCode)).map((c) => c.month),
        ),
      ].sort(),
      covers,
      related: [] as RelatedCategory[],
      evidence: { figures: f, components },
    };
  });
  scored.sort(
    (a, b) =>
      b.score - a.score ||
      b.evidence.figures.orders - a.evidence.figures.orders ||
      a.categoryCode.localeCompare(b.categoryCode),
  );
  // one candidate per line of descent: a lower-ranked ancestor or descendant joins its `related`
  const isAncestor = ancestryOf(figures);
  const listed: (typeof scored)[number][] = [];
  for (const c of scored) {
    if (listed.length === config.topN) break;
    const f = c.evidence.figures;
    const holder = listed.find((l) => isAncestor(l.evidence.figures, f) || isAncestor(f, l.evidence.figures));
    if (holder === undefined) listed.push(c);
    else {
      const { related: _, ...shown } = c;
      const relation = isAncestor(f, holder.evidence.figures) ? 'ancestor' : 'descendant';
      holder.related.push({ ...shown, relation });
    }
  }
  const candidates = listed.map((c, i) => ({ rank: i + 1, ...c }));
  return { month, eligible: eligible.length, candidates };
};
