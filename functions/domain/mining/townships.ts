import * as z from 'zod';
import {
  type AssessmentRules,
  assessGovernance,
  type GovernanceAssessment,
  type GovernanceFigures,
  type GovernanceRule,
  governanceOrder,
  type RateCounts,
  rankUnits,
  type ThreeRates,
} from '../assessment.ts';

/**
 * 治理类街乡镇 from the analytics store: each township's month in figures (township_figures.sql), its
 * census population and its street office's rates, judged by the one governance rule of
 * assessment.ts — the rule GET /assessment/rankings applies with the fewer figures it has. Here the
 * volume is what the township's residents asked (orders received there, whoever handled them).
 */
export interface TownshipFigures {
  readonly streetCode: string;
  /** Orders received in the township in the month, and how many of them ran overdue. */
  readonly orders: number;
  readonly overdueOrders: number;
  /** Orders received 1, 2, 3 months before; null where the store does not cover that month. */
  readonly previousOrders: readonly (number | null)[];
  /** The street office's (st-<street_code>) counters for the month. */
  readonly counts: RateCounts;
}

export interface TownshipGovernance extends GovernanceAssessment {
  /** Place in the rule's order (proposed first). */
  readonly rank: number;
  readonly streetCode: string;
  readonly orders: number;
  readonly population: number | null;
  readonly counts: RateCounts;
  readonly rates: ThreeRates;
  /** Rank by composite among the townships with one (0: no composite). */
  readonly compositeRank: number;
}

const populated = z.object({ code: z.string(), population: z.number().int().positive() });

/** The census population of every area that has one (data/areas.json items), by area code. */
export const populationsOf = (areas: readonly unknown[]): Map<string, number> =>
  new Map(
    areas.flatMap((a) => {
      const parsed = populated.safeParse(a);
      return parsed.success ? [[parsed.data.code, parsed.data.population] as const] : [];
    }),
  );

const officeOf = (streetCode: string) => `st-${streetCode}`;

/** Orders per 10 000 residents over every area with a population; undefined when none has one. */
export const cityOrdersPer10k = (
  areas: readonly { readonly orders: number; readonly population: number | undefined }[],
): number | undefined => {
  const known = areas.filter((a) => (a.population ?? 0) > 0);
  const population = known.reduce((n, a) => n + (a.population ?? 0), 0);
  return population > 0 ? (known.reduce((n, a) => n + a.orders, 0) * 10_000) / population : undefined;
};

/** What the rule can weigh of a township beyond its office's rates. */
const governanceFigures = (
  f: TownshipFigures,
  population: number | undefined,
  cityPer10k: number | undefined,
): GovernanceFigures => {
  const covered = f.previousOrders.filter((n): n is number => n !== null);
  // Stryker disable next-line ConditionalExpression,EqualityOperator: equivalent, the mean of no month is NaN, which the trend's `previousMean > 0` skips as it skips 0
  const previousMean = covered.length > 0 ? covered.reduce((a, b) => a + b, 0) / covered.length : 0;
  return {
    ...(population
      ? {
          volume: {
            orders: f.orders,
            population,
            basis: 'received in the township',
            cityPer10k,
          },
        }
      : {}),
    // Stryker disable next-line ConditionalExpression,EqualityOperator: equivalent, assessGovernance leaves a share of 0 orders unevaluated (no figure), as it does an absent one
    ...(f.orders > 0 ? { overdue: { orders: f.orders, overdue: f.overdueOrders } } : {}),
    // Stryker disable next-line ConditionalExpression,EqualityOperator: equivalent, assessGovernance leaves a trend on a mean of 0 unevaluated (no figure), as it does an absent one
    ...(previousMean > 0 ? { trend: { orders: f.orders, previousMean, months: covered.length } } : {}),
  };
};

/**
 * Every township of the month in the rule's order, each with the reasons in numbers; the proposals
 * are the first `maxProposals` of those the rule proposes.
 */
export const townshipGovernance = (
  figures: readonly TownshipFigures[],
  populations: ReadonlyMap<string, number>,
  rules: AssessmentRules,
  rule: GovernanceRule,
): { readonly townships: TownshipGovernance[]; readonly proposals: TownshipGovernance[] } => {
  const classRules = rules.street;
  if (!classRules) throw new Error('No assessment rules for the street class');
  const byOffice = new Map(figures.map((f) => [officeOf(f.streetCode), f]));
  // The city's orders per 10 000 residents in the month: what a township's demand is measured against.
  const cityPer10k = cityOrdersPer10k(
    figures.map((f) => ({ orders: f.orders, population: populations.get(f.streetCode) })),
  );
  const ranked = rankUnits(
    figures.map((f) => ({ unitId: officeOf(f.streetCode), counts: f.counts })),
    classRules,
  );
  const townships = ranked
    .map((unit) => {
      const f = byOffice.get(unit.unitId) as TownshipFigures;
      const population = populations.get(f.streetCode);
      return {
        ...assessGovernance(unit, rule, governanceFigures(f, population, cityPer10k)),
        streetCode: f.streetCode,
        orders: f.orders,
        population: population ?? null,
        counts: unit.counts,
        rates: unit.rates,
        compositeRank: unit.rank,
      };
    })
    .sort(governanceOrder)
    .map((t, i) => ({ ...t, rank: i + 1 }));
  const proposals = rule.unitClass === 'street' ? townships.filter((t) => t.proposed) : [];
  return { townships, proposals: proposals.slice(0, rule.maxProposals) };
};
