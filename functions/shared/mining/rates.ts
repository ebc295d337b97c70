import * as z from 'zod';
import { type AssessmentRules, type RateCounts, type ThreeRates, threeRates } from '#domain/assessment.ts';
import { type UnitClass, unitClasses } from '#domain/reference-data.ts';
import type { AnalyticsEngine, SqlRow } from '#shared/gateways/analytics-engine.ts';

/**
 * 三率 from the analytics store: the rows of unit_month_rates.sql (snake_case counters, as every
 * engine returns them: Athena lower-cases column names) as the domain's RateCounts, and the rates by
 * the domain's own threeRates — the SQL counts, it never computes a rate.
 */
const counter = z.number().int().min(0);

/** The counter columns of a row (also those of township_figures.sql) as RateCounts. */
export const rateCountsRowSchema = z
  .object({
    assessed: counter,
    responded_in_time: counter,
    answered: counter,
    solved: counter,
    partly_solved: counter,
    satisfied: counter,
    basically_satisfied: counter,
    unreachable: counter,
    excluded: counter,
  })
  .transform(
    (r): RateCounts => ({
      assessed: r.assessed,
      respondedInTime: r.responded_in_time,
      answered: r.answered,
      solved: r.solved,
      partlySolved: r.partly_solved,
      satisfied: r.satisfied,
      basicallySatisfied: r.basically_satisfied,
      unreachable: r.unreachable,
      excluded: r.excluded,
    }),
  );

const unitRowSchema = z.object({ unit_id: z.string().min(1), unit_class: z.enum(unitClasses) });

export interface UnitMonthRates {
  readonly unitId: string;
  readonly unitClass: UnitClass;
  readonly counts: RateCounts;
  readonly rates: ThreeRates;
}

/** The rows of unit_month_rates.sql as each unit's counts and rates, with its class's rules. */
export const unitMonthRatesOf = (rows: readonly SqlRow[], rules: AssessmentRules): UnitMonthRates[] =>
  rows.map((row) => {
    const unit = unitRowSchema.parse(row);
    const classRules = rules[unit.unit_class];
    if (!classRules) throw new Error(`No assessment rules for class ${unit.unit_class}`);
    const counts = rateCountsRowSchema.parse(row);
    return {
      unitId: unit.unit_id,
      unitClass: unit.unit_class,
      counts,
      rates: threeRates(counts, classRules),
    };
  });

/** Every unit's 三率 for a CST month, from the store. */
export const queryUnitMonthRates = async (
  engine: Pick<AnalyticsEngine, 'queryFile'>,
  month: string,
  rules: AssessmentRules,
): Promise<UnitMonthRates[]> =>
  unitMonthRatesOf(await engine.queryFile('unit_month_rates', { month }), rules);
