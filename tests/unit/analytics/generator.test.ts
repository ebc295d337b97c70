import { createHash, createHmac } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { decodeTime } from 'ulid';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type AnalyticsEngine, openDuckDb } from '../../../analytics/duckdb-engine.ts';
import { buildPlan } from '../../../analytics/generator/calendar.ts';
import { createContext, officialCalendar } from '../../../analytics/generator/context.ts';
import { KeyedHasher } from '../../../analytics/generator/keyed-hash.ts';
import { intoCallingHours } from '../../../analytics/generator/lifecycle.ts';
import { orderIdOf } from '../../../analytics/generator/order-id.ts';
import { AliasTable, apportion, Rng } from '../../../analytics/generator/prng.ts';
import { type Manifest, runGenerator } from '../../../analytics/generator/run.ts';
import { analyticsColumns, analyticsTypes } from '../../../functions/domain/analytics-row.ts';
import { withinCallingHours } from '../../../functions/domain/callback.ts';

/**
 * The generator of synthetic history, end to end on a small run (20 000 orders over 2019-2020, with
 * the planted facts): made twice, once in two worker threads and once in this thread, then read back
 * with the analytics engine.
 */
const options = { orders: 20_000, years: 2, endMonth: '2020-12', seed: 'generator-test', plant: true };
let dirA = '';
let dirB = '';
let manifest: Manifest;
let db: AnalyticsEngine;

const filesUnder = (dir: string): string[] =>
  readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .filter((f) => statSync(join(dir, f)).isFile())
    .map((f) => relative(dir, join(dir, f)).split('\\').join('/'))
    .sort();
const sha256 = (file: string) => createHash('sha256').update(readFileSync(file)).digest('hex');
const one = async (sql: string, params: (string | number)[] = []) => (await db.query(sql, params))[0] ?? {};
const num = (v: unknown) => Number(v ?? 0);

beforeAll(async () => {
  dirA = mkdtempSync(join(tmpdir(), 'generator-a-'));
  dirB = mkdtempSync(join(tmpdir(), 'generator-b-'));
  manifest = (await runGenerator({ options, outDir: dirA, workers: 2 })).manifest;
  await runGenerator({ options, outDir: dirB, workers: 0 });
  db = await openDuckDb({ roots: [dirA] });
}, 120_000);

afterAll(() => {
  db?.close();
  for (const d of [dirA, dirB]) if (d) rmSync(d, { recursive: true, force: true });
});

describe('runGenerator', () => {
  it('returns byte-identical files for the same seed and arguments, whatever the number of workers', () => {
    // Prepare
    const a = filesUnder(dirA);
    const b = filesUnder(dirB);

    // Act
    const hashesA = a.map((f) => sha256(join(dirA, f)));
    const hashesB = b.map((f) => sha256(join(dirB, f)));

    // Assess
    expect(a).toContain('manifest.json');
    expect(a.filter((f) => f.endsWith('.parquet'))).toHaveLength(24);
    expect(b).toEqual(a);
    expect(hashesB).toEqual(hashesA);
    for (const m of manifest.months)
      for (const f of m.files) expect(sha256(join(dirA, f.path))).toBe(f.sha256);
  });

  it('writes one file set per CST month of receipt, with the rows the manifest counts', async () => {
    // Act
    const rows = await db.query(
      'SELECT month, received_month, count(*) AS n FROM orders GROUP BY month, received_month ORDER BY month',
    );

    // Assess
    expect(rows.map((r) => r.month)).toEqual(manifest.months.map((m) => m.month));
    for (const r of rows) expect(r.received_month).toBe(r.month);
    expect(rows.map((r) => num(r.n))).toEqual(manifest.months.map((m) => m.rows));
    expect(manifest.totals.baseOrders).toBe(options.orders);
    expect(manifest.totals.rows).toBe(options.orders + manifest.totals.plantedOrders);
  });

  it('writes rows in exactly the analytics schema, non-null columns never null', async () => {
    // Act
    const described = await db.query(
      "SELECT column_name, column_type FROM (DESCRIBE orders) WHERE column_name <> 'month'",
    );
    const nulls = await one(
      `SELECT ${analyticsColumns.map((c) => `count(*) FILTER (WHERE ${c.name} IS NULL) AS ${c.name}`).join(', ')} FROM orders`,
    );
    const sources = await db.query('SELECT DISTINCT source FROM orders');

    // Assess
    expect(described.map((r) => [r.column_name, r.column_type])).toEqual(
      analyticsColumns.map((c) => [c.name, analyticsTypes[c.type].duckdb]),
    );
    for (const c of analyticsColumns) if (!c.nullable) expect(num(nulls[c.name]), c.name).toBe(0);
    expect(sources).toEqual([{ source: 'generated' }]);
  });

  it('fills the assessment columns as the live aggregates count them', async () => {
    // Act
    const r = await one(`SELECT
      count(*) FILTER (WHERE assessed AND (unit_id IS NULL OR assessed_month IS NULL)) AS assessed_without_unit,
      count(*) FILTER (WHERE status = 'closed' AND outcome IN ('handled', 'expired') AND unit_id IS NOT NULL AND NOT assessed) AS closed_not_assessed,
      count(*) FILTER (WHERE outcome = 'disposed' AND (assessed OR unit_id IS NOT NULL OR disposition IS NULL)) AS disposed_wrong,
      count(*) FILTER (WHERE status = 'closed' AND assessed_month <> closed_month) AS month_mismatch,
      count(*) FILTER (WHERE closed_at IS NOT NULL AND abs(hours_to_close - date_diff('millisecond', received_at, closed_at) / 3600000.0) > 0.001) AS hours_wrong,
      count(*) FILTER (WHERE excluded AND (exclusion_reason IS NULL OR NOT assessed)) AS exclusion_wrong,
      count(*) FILTER (WHERE assessed AND contacted_in_time IS NULL) AS assessed_without_contact,
      count(*) FILTER (WHERE callback_state = 'answered' AND (answer_solved IS NULL OR answer_satisfied IS NULL OR answered_at IS NULL)) AS answer_missing,
      count(*) FILTER (WHERE unreachable <> (callback_state = 'unreachable')) AS unreachable_wrong,
      count(*) FILTER (WHERE reopenings <> round - 1) AS rounds_wrong,
      count(*) FILTER (WHERE updated_at < received_at) AS updated_wrong,
      count(*) FILTER (WHERE assessed AND NOT excluded) AS assessed_counted,
      count(*) FILTER (WHERE excluded) AS excluded,
      count(*) FILTER (WHERE unreachable) AS unreachable,
      count(*) FILTER (WHERE reopenings > 0) AS reopened,
      count(*) FILTER (WHERE outcome = 'expired') AS expired,
      count(*) FILTER (WHERE status <> 'closed') AS open
    FROM orders`);
    const reasons = await db.query(
      'SELECT DISTINCT exclusion_reason AS reason FROM orders WHERE excluded ORDER BY 1',
    );

    // Assess
    for (const k of [
      'assessed_without_unit',
      'closed_not_assessed',
      'disposed_wrong',
      'month_mismatch',
      'hours_wrong',
      'exclusion_wrong',
      'assessed_without_contact',
      'answer_missing',
      'unreachable_wrong',
      'rounds_wrong',
      'updated_wrong',
    ])
      expect(num(r[k]), k).toBe(0);
    expect(num(r.assessed_counted)).toBeGreaterThan(10_000);
    for (const k of ['excluded', 'unreachable', 'reopened', 'expired', 'open'])
      expect(num(r[k]), k).toBeGreaterThan(0);
    expect(reasons.map((x) => x.reason)).toEqual([
      'duplicate',
      'malicious',
      'unreachable',
      'unreasonable_demand',
    ]);
  });

  it('keeps the configured mix: about half consultations, about 90 % by phone', async () => {
    // Act
    const r =
      await one(`SELECT avg(CASE WHEN appeal_type = 'consultation' THEN 1.0 ELSE 0 END) AS consultation,
      avg(CASE WHEN channel = 'phone' THEN 1.0 ELSE 0 END) AS phone,
      avg(CASE WHEN requester_kind = 'enterprise' THEN 1.0 ELSE 0 END) AS enterprise,
      avg(CASE WHEN anonymous THEN 1.0 ELSE 0 END) AS anonymous FROM orders`);

    // Assess
    expect(num(r.consultation)).toBeGreaterThan(0.47);
    expect(num(r.consultation)).toBeLessThan(0.53);
    expect(num(r.phone)).toBeGreaterThan(0.88);
    expect(num(r.phone)).toBeLessThan(0.92);
    expect(num(r.enterprise)).toBeGreaterThan(0.03);
    expect(num(r.enterprise)).toBeLessThan(0.12);
    expect(num(r.anonymous)).toBeGreaterThan(0.015);
    expect(num(r.anonymous)).toBeLessThan(0.05);
  });

  it('shows the seasons: heating in January far above July, floods in July-August far above February', async () => {
    // Act
    const r = await one(`SELECT
      count(*) FILTER (WHERE category_l1 = '03' AND substr(received_month, 6, 2) = '01') AS heat_jan,
      count(*) FILTER (WHERE category_l1 = '03' AND substr(received_month, 6, 2) = '07') AS heat_jul,
      count(*) FILTER (WHERE category_l1 = '07' AND substr(received_month, 6, 2) IN ('07', '08')) AS flood_summer,
      count(*) FILTER (WHERE category_l1 = '07' AND substr(received_month, 6, 2) = '02') AS flood_feb,
      count(*) FILTER (WHERE category_l2 = '1201' AND substr(received_month, 6, 2) IN ('04', '05', '06')) AS school_spring,
      count(*) FILTER (WHERE category_l2 = '1201' AND substr(received_month, 6, 2) IN ('10', '11', '12')) AS school_autumn
    FROM orders`);

    // Assess
    expect(num(r.heat_jan)).toBeGreaterThan(4 * num(r.heat_jul));
    expect(num(r.flood_summer) / 2).toBeGreaterThan(2.5 * num(r.flood_feb));
    expect(num(r.school_spring)).toBeGreaterThan(2.5 * num(r.school_autumn));
  });

  it('returns more orders on an average weekday than on an average weekend day', async () => {
    // Act
    const r = await one(`SELECT
      count(*) FILTER (WHERE received_weekday BETWEEN 1 AND 5) / 5.0 AS weekday,
      count(*) FILTER (WHERE received_weekday IN (0, 6)) / 2.0 AS weekend FROM orders`);

    // Assess
    expect(num(r.weekday)).toBeGreaterThan(1.2 * num(r.weekend));
  });

  it('contains every planted fact where and when the manifest says', async () => {
    // Prepare
    const fact = (kind: string) => {
      const f = manifest.planted.find((p) => p.kind === kind);
      if (!f) throw new Error(`no ${kind} fact in the manifest`);
      return f;
    };
    const expected = (f: ReturnType<typeof fact>) => ({
      baseline: Object.values(f.baselinePerDay).reduce((a, b) => a + b, 0),
      extra: f.extraTotal,
      days: Object.keys(f.extraPerDay),
    });
    const spike = fact('spike');
    const hotspot = fact('hotspot');
    const rising = fact('rising');
    const seasonal = fact('seasonal');

    // Act
    const spikeDays = await one(
      `SELECT count(*) AS n FROM orders WHERE category_l2 = ? AND district_code = ? AND received_date BETWEEN CAST(? AS DATE) AND CAST(? AS DATE)`,
      [spike.categoryCode, spike.districtCode ?? '', spike.from, spike.to],
    );
    const hot = await one(
      `SELECT count(*) FILTER (WHERE received_date BETWEEN CAST(? AS DATE) AND CAST(? AS DATE)) AS inside,
              count(*) FILTER (WHERE received_date NOT BETWEEN CAST(? AS DATE) AND CAST(? AS DATE)) AS outside,
              min(lat) AS lat, min(lng) AS lng, min(h3_r7) AS r7, min(address_hash) AS address
       FROM orders WHERE category_code = ? AND h3_r9 = ?`,
      [hotspot.from, hotspot.to, hotspot.from, hotspot.to, hotspot.categoryCode, hotspot.place?.h3_r9 ?? ''],
    );
    const risingDays = expected(rising);
    const risingMonths = rising.parameters.months as string[];
    const risingCount = await one(
      `SELECT count(*) FILTER (WHERE received_month = ?) AS last, count(*) FILTER (WHERE received_month = ?) AS first
       FROM orders WHERE category_l2 = ?`,
      [risingMonths.at(-1) ?? '', risingMonths[0] ?? '', rising.categoryCode],
    );
    const seasonalMonths = await db.query(
      `SELECT substr(received_month, 6, 2) AS mm, count(*) AS n FROM orders WHERE category_l2 = ? GROUP BY 1 ORDER BY 1`,
      [seasonal.categoryCode],
    );

    // Assess
    const s = expected(spike);
    expect(s.days).toHaveLength(3);
    expect(num(spikeDays.n)).toBeGreaterThanOrEqual(s.extra);
    expect(num(spikeDays.n)).toBeGreaterThan(4 * Math.max(s.baseline, 1));
    expect(num(hot.inside)).toBeGreaterThanOrEqual(hotspot.extraTotal);
    expect(num(hot.outside)).toBeLessThan(num(hot.inside) / 5);
    expect([num(hot.lat), num(hot.lng)]).toEqual([hotspot.place?.lat, hotspot.place?.lng]);
    expect(hot.r7).toBe(hotspot.place?.h3_r7);
    expect(hot.address).toBe(hotspot.place?.address_hash);
    expect(risingDays.extra).toBeGreaterThan(0);
    expect(num(risingCount.last)).toBeGreaterThan(1.4 * num(risingCount.first));
    const monthCount = (mm: string) => num(seasonalMonths.find((r) => r.mm === mm)?.n);
    const others = ['01', '02', '03', '04', '07', '08', '09', '10'].map(monthCount);
    const mean = others.reduce((a, b) => a + b, 0) / others.length;
    expect(monthCount('06')).toBeGreaterThan(1.3 * mean);
    expect(monthCount('11')).toBeGreaterThan(1.3 * mean);
  });

  it('returns better outcomes in 2020 than in 2019, as the city improved', async () => {
    // Act
    const rows = await db.query(`SELECT substr(assessed_month, 1, 4) AS year,
        avg(CASE WHEN answer_solved = 'solved' THEN 1.0 WHEN answer_solved = 'partly' THEN 0.6 ELSE 0 END) AS solved,
        avg(CASE WHEN answer_satisfied = 'satisfied' THEN 1.0 WHEN answer_satisfied = 'basically' THEN 0.8 ELSE 0 END) AS satisfied
      FROM orders WHERE assessed AND NOT excluded AND answer_solved IS NOT NULL GROUP BY 1 ORDER BY 1`);

    // Assess
    const [y2019, y2020] = rows;
    expect(y2019?.year).toBe('2019');
    expect(num(y2019?.solved)).toBeLessThan(0.65);
    expect(num(y2020?.solved)).toBeGreaterThan(num(y2019?.solved) + 0.1);
    expect(num(y2020?.satisfied)).toBeGreaterThan(num(y2019?.satisfied) + 0.08);
  });

  it('repeats complaints at the same place and by the same requester, some as repeat dispositions', async () => {
    // Act
    const r = await one(`SELECT
      (SELECT count(*) FROM (SELECT requester_hash FROM orders WHERE requester_hash IS NOT NULL GROUP BY 1 HAVING count(*) >= 3)) AS frequent,
      (SELECT count(*) FROM (SELECT address_hash, category_code FROM orders WHERE address_hash IS NOT NULL GROUP BY 1, 2 HAVING count(*) >= 3)) AS places,
      (SELECT count(*) FROM orders WHERE disposition = 'repeat') AS repeats,
      (SELECT count(*) FROM orders o WHERE disposition = 'repeat' AND NOT EXISTS (SELECT 1 FROM orders p WHERE p.order_id = o.repeat_of)) AS dangling`);

    // Assess
    expect(num(r.frequent)).toBeGreaterThan(20);
    expect(num(r.places)).toBeGreaterThan(10);
    expect(num(r.repeats)).toBeGreaterThan(50);
    expect(num(r.dangling)).toBe(0);
  });
});

describe('buildPlan', () => {
  it('returns make-up workdays (调休) as busy as workdays and holidays quieter than weekdays', () => {
    // Prepare
    const ctx = createContext({ orders: 100_000, years: 1, endMonth: '2025-12', seed: 'plan', plant: false });
    const plan = buildPlan({
      config: ctx.config,
      city: ctx.city,
      calendar: officialCalendar(),
      seed: 'plan',
      endMonth: '2025-12',
      years: 1,
      orders: 100_000,
    });
    const day = (date: string) => {
      const d = plan.days.find((x) => x.date === date);
      if (!d) throw new Error(date);
      return d.weight / d.leafLaw.reduce((a, b) => a + b, 0);
    };

    // Act
    const makeup = day('2025-09-28'); // Sunday, 调休 workday before National Day
    const sunday = day('2025-09-21');
    const holiday = day('2025-10-02'); // Thursday in the National Day holiday
    const thursday = day('2025-09-25');

    // Assess
    expect(plan.days.find((d) => d.date === '2025-09-28')?.makeupWorkday).toBe(true);
    expect(makeup).toBeGreaterThan(1.25 * sunday);
    expect(holiday).toBeLessThan(0.8 * thursday);
    expect(plan.days.reduce((a, d) => a + d.count, 0)).toBe(100_000);
    expect(plan.yearsWithoutHolidays).toEqual([]);
  });
});

describe('KeyedHasher', () => {
  it('returns HMAC-SHA-256 truncated to 32 hex characters, as node:crypto computes it', () => {
    // Prepare
    const keys = ['k', 'hotline-generated-history-v1', 'x'.repeat(64), 'y'.repeat(100)];
    const texts = [0, 1, 20, 55, 56, 63, 64, 65, 119, 200].map((n) =>
      Array.from({ length: n }, (_, i) => String.fromCharCode(33 + ((i * 7) % 90))).join(''),
    );

    // Act / Assess
    for (const key of keys) {
      const hasher = new KeyedHasher(key);
      for (const t of texts)
        expect(hasher.hex32(t)).toBe(createHmac('sha256', key).update(t).digest('hex').slice(0, 32));
    }
  });
});

describe('orderIdOf', () => {
  it('returns WO + a ULID whose time is the instant of receipt', () => {
    // Prepare
    const ms = Date.parse('2025-03-04T05:06:07.089Z');

    // Act
    const id = orderIdOf(ms, 0xffffffff, 0x12345678, 0xabcd);

    // Assess
    expect(id).toMatch(/^WO[0-9A-HJKMNP-TV-Z]{26}$/);
    expect(decodeTime(id.slice(2))).toBe(ms);
    expect(orderIdOf(ms, 1, 0, 0)).not.toBe(orderIdOf(ms, 0, 0, 0));
  });
});

describe('intoCallingHours', () => {
  it('returns the same instant as the domain rule, for every hour of a day', () => {
    // Prepare
    const start = Date.parse('2025-06-30T16:00:00.000Z');
    const hours = { from: 9, to: 20 };

    // Act / Assess
    for (let k = 0; k < 48; k++) {
      const ms = start + k * 1_800_000 + 12_345;
      expect(intoCallingHours(ms, hours.from, hours.to)).toBe(withinCallingHours(ms, hours));
    }
  });
});

describe('Rng, AliasTable and apportion', () => {
  it('returns the same stream for the same name and the configured law on average', () => {
    // Prepare
    const a = new Rng('s|month|2025-01');
    const b = new Rng('s|month|2025-01');
    const table = new AliasTable([1, 3, 6]);
    const rng = new Rng('law');

    // Act
    const same = Array.from({ length: 5 }, () => a.u32()).every((x) => x === b.u32());
    const counts = [0, 0, 0];
    for (let i = 0; i < 30_000; i++) {
      const k = table.draw(rng);
      counts[k] = (counts[k] ?? 0) + 1;
    }
    const split = apportion(10, [1, 1, 1]);

    // Assess
    expect(same).toBe(true);
    expect(new Rng('s|month|2025-02').u32()).not.toBe(new Rng('s|month|2025-01').u32());
    expect((counts[2] ?? 0) / 30_000).toBeGreaterThan(0.55);
    expect((counts[0] ?? 0) / 30_000).toBeLessThan(0.15);
    expect(Array.from(split)).toEqual([4, 3, 3]);
  });
});
