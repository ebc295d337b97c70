import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AnalyticsRow } from '#domain/analytics-row.ts';
import { dailyCountsFrom } from '#domain/mining/early-warning.ts';
import { addressRepeatRowsFrom, cellCountsFrom } from '#domain/mining/hotspots.ts';
import { categoryMonthCountsFrom, categoryStreetMonthCountsFrom } from '#domain/mining/seasonal-outlook.ts';
import { type AnalyticsEngine, openDuckDb } from '../../../analytics/duckdb-engine.ts';
import { writeAnalyticsParquet } from '../../../analytics/parquet-files.ts';
import { sampleRow } from '../analytics/sample-rows.ts';

/**
 * The mining's SQL files on DuckDB over Parquet written as the store writes it: what each returns.
 * (tests/unit/analytics/sql-files.test.ts checks that every file also parses as Trino.)
 */
let serial = 0;
const order = (
  day: string,
  o: Partial<Record<string, string | number | boolean | null>> = {},
): AnalyticsRow =>
  sampleRow({
    order_id: `WO${String(++serial).padStart(26, '0')}`,
    received_at: `${day}T02:00:00.000Z`,
    closed_at: null,
    ...o,
  });

const heating = { category_code: '020301', category_l1: '02', category_l2: '0203', category_l3: '020301' };
const noise = { category_code: '0105', category_l1: '01', category_l2: '0105', category_l3: null };

const rows: AnalyticsRow[] = [
  // An order in two versions: first recorded as noise, then recategorised as heating. Only the latest counts.
  order('2026-01-05', { ...noise, order_id: 'WO-TWICE', version: 1, updated_at: '2026-01-05T02:00:00.000Z' }),
  order('2026-01-05', {
    ...heating,
    order_id: 'WO-TWICE',
    version: 2,
    updated_at: '2026-01-06T02:00:00.000Z',
  }),
  order('2026-01-05', { ...heating }),
  order('2026-01-06', { ...heating, street_code: '110105002', district_code: '110105' }),
  order('2026-01-06', {
    ...heating,
    street_code: '110108001',
    district_code: '110108',
    h3_r9: '8931aa42833ffff',
  }),
  order('2026-02-10', { ...noise, h3_r9: null }),
  // The same address three times (two requesters), once more in another category.
  order('2026-03-01', { ...noise, address_hash: 'addr-1', requester_hash: 'r-1', answer_solved: 'not' }),
  order('2026-03-04', { ...noise, address_hash: 'addr-1', requester_hash: 'r-2' }),
  order('2026-03-09', {
    ...noise,
    address_hash: 'addr-1',
    requester_hash: 'r-1',
    closed_at: '2026-03-10T02:00:00.000Z',
  }),
  order('2026-03-09', { ...heating, address_hash: 'addr-1' }),
];

let root: string;
let db: AnalyticsEngine;
beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), 'mining-sql-'));
  await writeAnalyticsParquet(rows, root, 'part-0');
  db = await openDuckDb({ roots: [root] });
});
afterAll(() => {
  db.close();
  rmSync(root, { recursive: true, force: true });
});

describe('category_month_counts.sql', () => {
  it('returns orders per category and month at level 2, each order once in its latest version', async () => {
    // Act
    const counts = categoryMonthCountsFrom(await db.queryFile('category_month_counts', { level: 2 }));

    // Assess
    expect(counts).toEqual([
      { category: '0105', month: '2026-02', orders: 1 },
      { category: '0105', month: '2026-03', orders: 3 },
      { category: '0203', month: '2026-01', orders: 4 },
      { category: '0203', month: '2026-03', orders: 1 },
    ]);
  });

  it('returns only orders recorded at level 3 or below when asked for level 3', async () => {
    // Act
    const counts = categoryMonthCountsFrom(await db.queryFile('category_month_counts', { level: 3 }));

    // Assess: noise was recorded at level 2
    expect(counts.map((c) => c.category)).toEqual(['020301', '020301']);
  });
});

describe('category_street_month_counts.sql', () => {
  it('returns orders per category, township and month inside the window', async () => {
    // Act
    const counts = categoryStreetMonthCountsFrom(
      await db.queryFile('category_street_month_counts', { level: 2, from: '2026-01-01', to: '2026-01-31' }),
    );

    // Assess
    expect(counts).toEqual([
      { category: '0203', street: '110105001', month: '2026-01', orders: 2 },
      { category: '0203', street: '110105002', month: '2026-01', orders: 1 },
      { category: '0203', street: '110108001', month: '2026-01', orders: 1 },
    ]);
  });
});

describe('daily_counts.sql', () => {
  it('returns orders per category, district and day', async () => {
    // Act
    const counts = dailyCountsFrom(
      await db.queryFile('daily_counts', {
        level: 2,
        area: 'district',
        from: '2026-01-01',
        to: '2026-01-31',
      }),
    );

    // Assess
    expect(counts).toEqual([
      { category: '0203', area: '110105', day: '2026-01-05', orders: 2 },
      { category: '0203', area: '110105', day: '2026-01-06', orders: 1 },
      { category: '0203', area: '110108', day: '2026-01-06', orders: 1 },
    ]);
  });

  it('returns orders per category, township and day', async () => {
    // Act
    const counts = dailyCountsFrom(
      await db.queryFile('daily_counts', { level: 1, area: 'street', from: '2026-01-06', to: '2026-01-06' }),
    );

    // Assess
    expect(counts).toEqual([
      { category: '02', area: '110105002', day: '2026-01-06', orders: 1 },
      { category: '02', area: '110108001', day: '2026-01-06', orders: 1 },
    ]);
  });
});

describe('hotspot_cells.sql', () => {
  it('returns orders per cell and category in the window, sorted by cell, without orders lacking a cell', async () => {
    // Act
    const counts = cellCountsFrom(
      await db.queryFile('hotspot_cells', { level: 2, from: '2026-01-01', to: '2026-02-28' }),
    );

    // Assess
    expect(counts).toEqual([
      { cell: '8931aa4282fffff', category: '0203', orders: 3 },
      { cell: '8931aa42833ffff', category: '0203', orders: 1 },
    ]);
  });

  it('returns a null category for orders recorded above the level (they still belong to the cell)', async () => {
    // Act
    const counts = cellCountsFrom(
      await db.queryFile('hotspot_cells', { level: 3, from: '2026-03-01', to: '2026-03-31' }),
    );

    // Assess
    expect(counts).toEqual([
      { cell: '8931aa4282fffff', category: '020301', orders: 1 },
      { cell: '8931aa4282fffff', category: null, orders: 3 },
    ]);
  });
});

describe('address_repeats.sql', () => {
  it('returns addresses with at least min_orders orders of one category, with requesters, days, unsolved and open', async () => {
    // Act
    const repeats = addressRepeatRowsFrom(
      await db.queryFile('address_repeats', {
        level: 2,
        from: '2026-03-01',
        to: '2026-03-31',
        min_orders: 3,
      }),
    );

    // Assess
    expect(repeats).toEqual([
      {
        address: 'addr-1',
        category: '0105',
        orders: 3,
        requesters: 2,
        firstDay: '2026-03-01',
        lastDay: '2026-03-09',
        street: '110105001',
        cell: '8931aa4282fffff',
        unsolved: 1,
        open: 2,
      },
    ]);
  });
});
