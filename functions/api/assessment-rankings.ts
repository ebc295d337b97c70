import assessment from '#data/assessment.json' with { type: 'json' };
import {
  assessmentRulesSchema,
  type GovernanceFigures,
  governanceRuleSchema,
  proposeGovernance,
  rankUnits,
  zeroCounts,
} from '#domain/assessment.ts';
import { cityOrdersPer10k, populationsOf } from '#domain/mining/townships.ts';
import { assessmentRankingsQuery } from '#shared/contract/requests.ts';
import { actorOf } from '#shared/platform/auth.ts';
import { json, parseQuery, withoutBody } from '#shared/platform/http.ts';
import { referenceData } from '#shared/platform/reference.ts';
import { readUnitsMonth } from '#shared/stores/assessment-store.ts';

/**
 * GET /assessment/rankings?month=YYYY-MM&class=street: every unit of a class ranked by its composite
 * for a CST month (best first), with the counts and rates behind each rank; for the class the
 * governance rule names, the 治理类街乡镇 it proposes for extra support, each with its reasons. The
 * rule is the mining's: here it knows the composite and, from the census population of the unit's
 * area, the office's closed orders per 10 000 residents; overdue share and trend it leaves unevaluated.
 */
const rules = assessmentRulesSchema.parse(assessment.rules);
const governance = governanceRuleSchema.parse(assessment.governance);
const populations = populationsOf(referenceData.areas);

export const handler = withoutBody(async (event) => {
  actorOf(event);
  const query = parseQuery(assessmentRankingsQuery, event);
  const classRules = rules[query.class];
  if (!classRules) throw new Error(`No assessment rules for class ${query.class}`);
  const units = referenceData.units.filter((u) => u.class === query.class);
  const counts = await readUnitsMonth(
    units.map((u) => u.id),
    query.month,
  );
  const ranked = rankUnits(
    units.map((u) => ({ unitId: u.id, counts: counts.get(u.id) ?? zeroCounts })),
    classRules,
  ).map((r) => ({ ...r, name: referenceData.unit(r.unitId)?.name }));
  const closedOf = (unitId: string) => {
    const c = counts.get(unitId) ?? zeroCounts;
    return c.assessed + c.excluded;
  };
  const populationOf = (unitId: string) => populations.get(referenceData.unit(unitId)?.areaCode ?? '');
  const cityPer10k = cityOrdersPer10k(
    units.map((u) => ({ orders: closedOf(u.id), population: populationOf(u.id) })),
  );
  const figuresOf = (unitId: string): GovernanceFigures | undefined => {
    const population = populationOf(unitId);
    return population
      ? {
          volume: {
            orders: closedOf(unitId),
            population,
            basis: 'orders closed by its office',
            ...(cityPer10k === undefined ? {} : { cityPer10k }),
          },
        }
      : undefined;
  };
  return json(200, {
    month: query.month,
    class: query.class,
    rules: classRules,
    items: ranked,
    ...(governance.unitClass === query.class
      ? { governance: { rule: governance, proposals: proposeGovernance(ranked, governance, figuresOf) } }
      : {}),
  });
});
