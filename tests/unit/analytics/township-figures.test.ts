import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import assessment from '#data/assessment.json' with { type: 'json' };
import type { AnalyticsRow } from '#domain/analytics-row.ts';
import { assessmentRulesSchema, governanceRuleSchema } from '#domain/assessment.ts';
import { townshipGovernance } from '#domain/mining/townships.ts';
import { type AnalyticsEngine, openDuckDb } from '../../../analytics/duckdb-engine.ts';
import { writeAnalyticsParquet } from '../../../analytics/parquet-files.ts';
import { queryUnitMonthRates } from '../../../functions/shared/mining/rates.ts';
import { queryTownshipFigures } from '../../../functions/shared/mining/township-figures.ts';
import { sampleRow } from './sample-rows.ts';

const rules = assessmentRulesSchema.parse(assessment.rules);
const rule = governanceRuleSchema.parse(assessment.governance);

let serial = 0;
/** n orders received in a township in a month (from its 1st day), closed the next day by `unitId`. */
const orders = (
  street: string,
  month: string,
  n: number,
  o: {
    overdue?: number;
    unitId?: string;
    answers?: readonly (readonly ['solved' | 'partly' | 'not', 'satisfied' | 'basically' | 'not'])[];
  } = {},
): AnalyticsRow[] =>
  Array.from({ length: n }, (_, i) => {
    const day = 1 + (i % 25);
    const answer = o.answers?.[i % o.answers.length] ?? ['solved', 'satisfied'];
    const unitId = o.unitId ?? `st-${street}`;
    return sampleRow({
      order_id: `WO${String(++serial).padStart(26, '0')}`,
      received_at: `${month}-${String(day).padStart(2, '0')}T02:00:00.000Z`,
      closed_at: `${month}-${String(day + 1).padStart(2, '0')}T02:00:00.000Z`,
      street_code: street,
      unit_id: unitId,
      unit_class: unitId.startsWith('st-') ? 'street' : 'department',
      overdue: i < (o.overdue ?? 0),
      contacted_in_time: i % 4 !== 0,
      answer_solved: answer[0],
      answer_satisfied: answer[1],
      unreachable: i % 9 === 8,
      excluded: i % 13 === 12,
      exclusion_reason: i % 13 === 12 ? 'unreasonable_demand' : null,
    });
  });

const BUSY = '110105001';
const CALM = '110105002';
const OFFICE_ONLY = '110105003';

const roots: string[] = [];
const storeOf = async (rows: readonly AnalyticsRow[]): Promise<AnalyticsEngine> => {
  const root = mkdtempSync(join(tmpdir(), 'township-figures-'));
  roots.push(root);
  await writeAnalyticsParquet(rows, root, 'orders');
  return openDuckDb({ roots: [root], threads: 1 });
};

afterAll(() => {
  for (const root of roots) rmSync(root, { recursive: true, force: true });
});

describe('township_figures.sql', () => {
  /**
   * December 2025 to March 2026: BUSY rises to 300 orders in March (60 overdue, 40 of them handled
   * by a department, badly answered), from 100 a month; CALM stays at 100; OFFICE_ONLY's office closes
   * in March an order received in October.
   */
  let engine: AnalyticsEngine;
  beforeAll(async () => {
    const bad = [
      ['not', 'not'],
      ['partly', 'basically'],
      ['solved', 'not'],
    ] as const;
    engine = await storeOf([
      ...['2025-12', '2026-01', '2026-02'].flatMap((m) => [...orders(BUSY, m, 100), ...orders(CALM, m, 100)]),
      ...orders(BUSY, '2026-03', 260, { overdue: 60, answers: bad }),
      ...orders(BUSY, '2026-03', 40, { unitId: 'dept-cgw' }),
      ...orders(CALM, '2026-03', 100, { overdue: 5 }),
      sampleRow({
        order_id: 'WO-OCTOBER',
        received_at: '2025-10-20T02:00:00.000Z',
        closed_at: '2026-03-02T02:00:00.000Z',
        street_code: OFFICE_ONLY,
        unit_id: `st-${OFFICE_ONLY}`,
      }),
    ]);
  });
  afterAll(() => engine?.close());

  it('returns per township the orders of the month, the overdue ones and the three months before', async () => {
    // Act
    const figures = await queryTownshipFigures(engine, '2026-03');

    // Assess
    expect(figures.map((f) => [f.streetCode, f.orders, f.overdueOrders, f.previousOrders])).toEqual([
      [BUSY, 300, 60, [100, 100, 100]],
      [CALM, 100, 5, [100, 100, 100]],
      [OFFICE_ONLY, 0, 0, [0, 0, 0]],
    ]);
  });

  it("returns each street office's counters exactly as unit_month_rates.sql counts them", async () => {
    // Act
    const figures = await queryTownshipFigures(engine, '2026-03');
    const rates = await queryUnitMonthRates(engine, '2026-03', rules);

    // Assess: the department's orders in BUSY count for the department, not for the office
    const offices = rates.filter((r) => r.unitId.startsWith('st-'));
    expect(Object.fromEntries(figures.map((f) => [`st-${f.streetCode}`, f.counts]))).toEqual(
      Object.fromEntries(offices.map((r) => [r.unitId, r.counts])),
    );
    expect(figures[0]?.counts.assessed).toBeGreaterThan(0);
    expect(figures.reduce((n, f) => n + f.counts.assessed + f.counts.excluded, 0)).toBe(260 + 100 + 1);
  });

  it('returns null for a month before that the store does not cover', async () => {
    // Prepare: nothing in January
    const gap = await storeOf([
      ...orders(BUSY, '2026-02', 5),
      ...orders(BUSY, '2025-12', 5),
      ...orders(BUSY, '2026-03', 5),
    ]);

    // Act
    const figures = await queryTownshipFigures(gap, '2026-03');
    gap.close();

    // Assess
    expect(figures.map((f) => f.previousOrders)).toEqual([[5, null, 5]]);
  });

  it('returns the busy, rising, overdue township as the proposal, with every criterion in its reasons', async () => {
    // Prepare: both townships of 15 000 residents; OFFICE_ONLY's population unknown
    const figures = await queryTownshipFigures(engine, '2026-03');
    const populations = new Map([
      [BUSY, 15_000],
      [CALM, 15_000],
    ]);

    // Act
    const { proposals, townships } = townshipGovernance(figures, populations, rules, rule);

    // Assess: BUSY has 300 × 10 000 / 15 000 = 200 orders per 10 000 residents, 20 % overdue, +200 %
    // on the mean of its 3 months before, and a weak composite
    expect(proposals.map((p) => [p.streetCode, p.criteriaMet])).toEqual([[BUSY, 4]]);
    expect(proposals[0]?.reasons.map((r) => [r.criterion, r.figure])).toEqual([
      ['assessed', figures[0]?.counts.assessed],
      ['composite', proposals[0]?.rates.composite],
      ['ordersPer10k', 200],
      ['overdueShare', 0.2],
      ['trend', 2],
    ]);
    expect(townships.map((t) => [t.rank, t.streetCode, t.proposed])).toEqual([
      [1, BUSY, true],
      [2, CALM, false],
      [3, OFFICE_ONLY, false],
    ]);
    expect(townships.find((t) => t.streetCode === OFFICE_ONLY)?.notEvaluated).toEqual([
      'ordersPer10k',
      'overdueShare',
      'trend',
    ]);
  });
});
