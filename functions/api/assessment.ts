import { unitForCaller } from '#application/unit-access.ts';
import assessment from '#data/assessment.json' with { type: 'json' };
import { assessmentRulesSchema, threeRates } from '#domain/assessment.ts';
import { assessmentReportQuery } from '#shared/contract/requests.ts';
import { actorOf } from '#shared/platform/auth.ts';
import { json, parseQuery, withoutBody } from '#shared/platform/http.ts';
import { readUnitMonth } from '#shared/stores/assessment-store.ts';

/**
 * GET /assessment/units/{id}?month=YYYY-MM: a unit's three rates and composite for a CST month, with
 * the counts behind them and the factors and weights of its class. A unit's staff see their own unit.
 */
const rules = assessmentRulesSchema.parse(assessment.rules);

export const handler = withoutBody(async (event) => {
  const actor = actorOf(event);
  const { month } = parseQuery(assessmentReportQuery, event);
  const unitId = event.pathParameters?.id ?? '';
  const unit = unitForCaller(actor, unitId, "A unit's staff see their own unit's assessment.");
  const counts = await readUnitMonth(unitId, month);
  const classRules = rules[unit.class];
  if (!classRules) throw new Error(`No assessment rules for class ${unit.class}`);
  return json(200, {
    unitId,
    name: unit.name,
    class: unit.class,
    month,
    counts,
    rates: threeRates(counts, classRules),
    rules: classRules,
  });
});
