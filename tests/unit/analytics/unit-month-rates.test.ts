import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import assessment from '#data/assessment.json' with { type: 'json' };
import type { AnalyticsRow } from '#domain/analytics-row.ts';
import {
  type AssessmentEvent,
  assessmentRulesSchema,
  type RateCounts,
  recompute,
  threeRates,
  unitMonthKey,
} from '#domain/assessment.ts';
import { type AnalyticsEngine, openDuckDb } from '../../../analytics/duckdb-engine.ts';
import { writeAnalyticsParquet } from '../../../analytics/parquet-files.ts';
import { queryUnitMonthRates, unitMonthRatesOf } from '../../../functions/shared/mining/rates.ts';
import { sampleRow } from './sample-rows.ts';

const rules = assessmentRulesSchema.parse(assessment.rules);

/**
 * One order's assessment facts, told twice: as the events the live aggregate applies (the domain's
 * reference, `recompute`) and as the latest analytics row of the order. Every combination is built.
 */
type Callback =
  | 'none'
  | { solved: 'solved' | 'partly' | 'not'; satisfied: 'satisfied' | 'basically' | 'not' }
  | 'unreachable'
  | 'answered, then unreachable'
  | 'unreachable, then answered';
interface Facts {
  readonly orderId: string;
  readonly unitId: string;
  readonly unitClass: 'street' | 'department';
  readonly month: string;
  readonly contact: boolean | null;
  readonly callback: Callback;
  readonly exclusion: 'none' | 'excluded' | 'excluded, then revoked';
}

const answer = { solved: 'partly', satisfied: 'basically' } as const;

const eventsOf = (f: Facts): AssessmentEvent[] => {
  let seq = 0;
  const next = (kind: string) => ({ eventId: `${f.orderId}#${seq}#${kind}`, orderId: f.orderId, seq: ++seq });
  const events: AssessmentEvent[] = [
    { ...next('unit'), kind: 'assessed', unitId: f.unitId, unitClass: f.unitClass, month: f.month },
  ];
  if (f.contact !== null)
    events.push({ ...next('contact'), kind: 'contact', withinLimit: f.contact, source: 'unit' });
  const callback = (said: {
    solved: 'solved' | 'partly' | 'not';
    satisfied: 'satisfied' | 'basically' | 'not';
  }) => events.push({ ...next('answer'), kind: 'callback', ...said });
  const unreachable = () => events.push({ ...next('unreachable'), kind: 'unreachable' });
  if (typeof f.callback === 'object') callback(f.callback);
  else if (f.callback === 'unreachable') unreachable();
  else if (f.callback === 'answered, then unreachable') {
    callback(answer);
    unreachable();
  } else if (f.callback === 'unreachable, then answered') {
    unreachable();
    callback(answer);
  }
  if (f.exclusion !== 'none') events.push({ ...next('excluded'), kind: 'excluded', reason: 'duplicate' });
  if (f.exclusion === 'excluded, then revoked')
    events.push({ ...next('revoked'), kind: 'exclusion_revoked' });
  return events;
};

const rowOf = (f: Facts): AnalyticsRow => {
  // the row keeps the latest answer and whether the latest ended call-back found nobody
  const latestAnswer =
    typeof f.callback === 'object'
      ? f.callback
      : f.callback === 'none' || f.callback === 'unreachable'
        ? null
        : answer;
  const unreachable = f.callback === 'unreachable' || f.callback === 'answered, then unreachable';
  return sampleRow({
    order_id: f.orderId,
    unit_id: f.unitId,
    unit_class: f.unitClass,
    assessed: true,
    assessed_month: f.month,
    contacted_in_time: f.contact,
    callback_state: f.callback === 'none' ? 'due' : unreachable ? 'unreachable' : 'answered',
    answer_solved: latestAnswer?.solved ?? null,
    answer_satisfied: latestAnswer?.satisfied ?? null,
    unreachable,
    excluded: f.exclusion === 'excluded',
    exclusion_reason: f.exclusion === 'excluded' ? 'duplicate' : null,
  });
};

const callbacks: Callback[] = [
  'none',
  { solved: 'solved', satisfied: 'satisfied' },
  { solved: 'partly', satisfied: 'basically' },
  { solved: 'not', satisfied: 'not' },
  { solved: 'solved', satisfied: 'basically' },
  'unreachable',
  'answered, then unreachable',
  'unreachable, then answered',
];
const units = [
  { unitId: 'st-110105001', unitClass: 'street' },
  { unitId: 'dept-cgw', unitClass: 'department' },
] as const;
const allFacts: Facts[] = units
  .flatMap((unit) =>
    ['2026-01', '2026-02'].flatMap((month) =>
      [true, false, null].flatMap((contact) =>
        callbacks.flatMap((callback) =>
          (['none', 'excluded', 'excluded, then revoked'] as const).map((exclusion) => ({
            ...unit,
            month,
            contact,
            callback,
            exclusion,
          })),
        ),
      ),
    ),
  )
  .map((f, i) => ({ ...f, orderId: `WO${String(i).padStart(26, '0')}` }));

const latestRows = allFacts.map(rowOf);
/** What the store also holds: each order's first version (open, not assessed), and one row twice. */
const earlierVersions = latestRows.map((r) =>
  sampleRow({
    order_id: r.order_id,
    version: 1,
    closed_at: null,
    unit_id: r.unit_id,
    unit_class: r.unit_class,
  }),
);
const notAssessed = sampleRow({
  order_id: 'WO-DISPOSED',
  unit_id: null,
  unit_class: null,
  assessed: false,
  outcome: 'disposed',
});

let root: string;
let engine: AnalyticsEngine;

beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), 'unit-month-rates-'));
  await writeAnalyticsParquet(
    [...earlierVersions, ...latestRows, latestRows[7] as AnalyticsRow, notAssessed],
    root,
    'orders',
  );
  engine = await openDuckDb({ roots: [root], threads: 1 });
});

afterAll(() => {
  engine?.close();
  rmSync(root, { recursive: true, force: true });
});

describe('unit_month_rates.sql', () => {
  it('returns for every unit and month the counters the domain recomputes from the same facts', async () => {
    // Prepare
    const expected = recompute(allFacts.flatMap(eventsOf));

    // Act
    const counted = new Map<string, RateCounts>();
    for (const month of ['2026-01', '2026-02']) {
      for (const u of await queryUnitMonthRates(engine, month, rules))
        counted.set(unitMonthKey(u.unitId, month), u.counts);
    }

    // Assess: 4 unit-months, each the sum of 72 orders' contributions
    expect(counted.size).toBe(4);
    expect(Object.fromEntries(counted)).toEqual(Object.fromEntries(expected));
  });

  it('returns nothing for a month without assessed orders', async () => {
    // Act
    const rows = await engine.queryFile('unit_month_rates', { month: '2025-12' });

    // Assess
    expect(rows).toEqual([]);
  });
});

describe('unitMonthRatesOf', () => {
  it("returns the rates by the domain's threeRates with each unit's class rules", async () => {
    // Prepare
    const rows = await engine.queryFile('unit_month_rates', { month: '2026-01' });

    // Act
    const rates = unitMonthRatesOf(rows, rules);

    // Assess
    expect(rates.map((r) => r.unitClass).sort()).toEqual(['department', 'street']);
    for (const r of rates) {
      const classRules = rules[r.unitClass];
      if (!classRules) throw new Error(`no rules for ${r.unitClass}`);
      expect(r.rates).toEqual(threeRates(r.counts, classRules));
      expect(r.rates.composite).not.toBeNull();
    }
  });

  it('rejects a row whose counter is not a count', () => {
    // Prepare
    const row = {
      unit_id: 'st-1',
      unit_class: 'street',
      assessed: 1.5,
      responded_in_time: 0,
      answered: 0,
      solved: 0,
      partly_solved: 0,
      satisfied: 0,
      basically_satisfied: 0,
      unreachable: 0,
      excluded: 0,
    };

    // Assess
    expect(() => unitMonthRatesOf([row], rules)).toThrow();
  });
});
