import { BatchGetCommand } from '@aws-sdk/lib-dynamodb';
import { beforeAll, describe, expect, it } from 'vitest';
import areas from '#data/areas.json' with { type: 'json' };
import assessment from '#data/assessment.json' with { type: 'json' };
import { governanceRuleSchema, zeroCounts } from '#domain/assessment.ts';
import { apiEvent, bodyOf, lambdaContext, mockedAws } from './support.ts';

const context = lambdaContext('assessment-rankings');
const { ddb } = mockedAws();

let handler: typeof import('../../../functions/api/assessment-rankings.ts')['handler'];

beforeAll(async () => {
  ({ handler } = await import('../../../functions/api/assessment-rankings.ts'));
});

const rule = governanceRuleSchema.parse(assessment.governance);
const populationOf = (code: string) =>
  Number((areas.items as { code: string; population?: number }[]).find((a) => a.code === code)?.population);

/** Serves the unit-month counters of some units to BatchGet; the others have none. */
const serveCounters = (counters: Record<string, Record<string, number>>) => {
  ddb
    .on(BatchGetCommand)
    .callsFake((input: { RequestItems: Record<string, { Keys: { pk: string; sk: string }[] }> }) => {
      const [table, request] = Object.entries(input.RequestItems)[0] ?? ['', { Keys: [] }];
      const items = request.Keys.flatMap((k) => {
        const c = counters[k.pk.replace('ASSESSMENT#UNIT#', '')];
        return c ? [{ ...k, ...c }] : [];
      });
      return Promise.resolve({ Responses: { [table]: items } });
    });
};

const rankings = (month: string, unitClass: string) => {
  const event = apiEvent({
    routeKey: 'GET /assessment/rankings',
    claims: { sub: 'auditor-1', role: 'auditor' },
  });
  event.queryStringParameters = { month, class: unitClass };
  return handler(event, context);
};

/** A weak office's month (composite about 44 %) with `closed` assessed orders. */
const weak = (closed: number) => ({
  ...zeroCounts,
  assessed: closed,
  respondedInTime: Math.round(closed * 0.8),
  answered: Math.round(closed * 0.9),
  solved: Math.round(closed * 0.3),
  satisfied: Math.round(closed * 0.3),
});

describe('GET /assessment/rankings (assessment-rankings)', () => {
  it('proposes by the governance rule the weak offices that also closed much per 10 000 residents', async () => {
    // Prepare: both weak; 东华门 closes 1.2 × the threshold per 10 000 residents, 景山 the minimum sample
    const busy = Math.ceil(((rule.minOrdersPer10k * populationOf('110101001')) / 10_000) * 1.2);
    serveCounters({ 'st-110101001': weak(busy), 'st-110101002': weak(rule.minAssessed) });

    // Act
    const result = await rankings('2026-12', 'street');

    // Assess
    expect(result.statusCode).toBe(200);
    const body = bodyOf(result) as {
      governance: {
        proposals: {
          unitId: string;
          notEvaluated: string[];
          reasons: { criterion: string; met: boolean | null }[];
        }[];
      };
    };
    expect(body.governance.proposals.map((p) => p.unitId)).toEqual(['st-110101001']);
    expect(body.governance.proposals[0]?.notEvaluated).toEqual(['overdueShare', 'trend']);
    expect(body.governance.proposals[0]?.reasons.map((r) => [r.criterion, r.met])).toEqual([
      ['assessed', true],
      ['composite', true],
      ['ordersPer10k', true],
      ['overdueShare', null],
      ['trend', null],
    ]);
  });

  it('returns no governance for a class the rule does not name', async () => {
    // Prepare
    serveCounters({});

    // Act
    const result = await rankings('2026-12', 'department');

    // Assess
    expect(result.statusCode).toBe(200);
    expect(bodyOf(result).governance).toBeUndefined();
  });
});
