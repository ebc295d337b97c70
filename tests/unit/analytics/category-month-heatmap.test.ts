import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AnalyticsRow } from '#domain/analytics-row.ts';
import { type AnalyticsEngine, openDuckDb } from '../../../analytics/duckdb-engine.ts';
import { writeAnalyticsParquet } from '../../../analytics/parquet-files.ts';
import { sampleRow } from './sample-rows.ts';

/** Orders of three categories over five months, one recorded at level 1 only, one at level 2 only. */
const codes = ['010101', '010102', '020101', '01', '0201'];
const months = ['2025-12', '2026-01', '2026-02', '2026-03', '2026-04'];
const latest: AnalyticsRow[] = months.flatMap((month, m) =>
  codes.flatMap((code, c) =>
    Array.from({ length: 1 + ((m + c) % 3) }, (_, i) =>
      sampleRow({
        order_id: `WO-${month}-${code}-${i}`,
        received_at: `${month}-1${i}T02:00:00.000Z`,
        category_code: code,
        category_l1: code.slice(0, 2),
        category_l2: code.length >= 4 ? code.slice(0, 4) : null,
        category_l3: code.length === 6 ? code : null,
      }),
    ),
  ),
);
/** An earlier version of the first orders, recorded under another category. */
const earlier = latest.slice(0, 4).map((r) => ({
  ...r,
  version: 1,
  category_code: '03',
  category_l1: '03',
  category_l2: null,
  category_l3: null,
}));

const expectedCells = (level: 1 | 2 | 3, from: string, to: string) => {
  const column = `category_l${level}`;
  const cells = new Map<string, number>();
  for (const r of latest) {
    const code = r[column];
    const month = String(r.received_month);
    if (code === null || month < from || month > to) continue;
    const key = `${String(code)}|${month}`;
    cells.set(key, (cells.get(key) ?? 0) + 1);
  }
  return [...cells]
    .map(([key, orders]) => {
      const [category_code, received_month] = key.split('|');
      return { category_code, received_month, orders };
    })
    .sort((a, b) =>
      `${a.category_code}|${a.received_month}`.localeCompare(`${b.category_code}|${b.received_month}`),
    );
};

let root: string;
let engine: AnalyticsEngine;

beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), 'heatmap-'));
  await writeAnalyticsParquet([...earlier, ...latest], root, 'orders');
  engine = await openDuckDb({ roots: [root], threads: 1 });
});

afterAll(() => {
  engine?.close();
  rmSync(root, { recursive: true, force: true });
});

describe('category_month_heatmap.sql', () => {
  it.each([1, 2, 3] as const)(
    'returns the latest orders per level-%i category and month, within the months asked',
    async (level) => {
      // Act
      const cells = await engine.queryFile('category_month_heatmap', {
        from_month: '2026-01',
        to_month: '2026-03',
        level,
      });

      // Assess
      expect(cells).toEqual(expectedCells(level, '2026-01', '2026-03'));
      expect(cells.length).toBeGreaterThan(0);
    },
  );

  it('leaves out the orders recorded above the level asked', async () => {
    // Act
    const cells = await engine.queryFile('category_month_heatmap', {
      from_month: '2025-01',
      to_month: '2026-12',
      level: 3,
    });

    // Assess
    expect(new Set(cells.map((c) => c.category_code))).toEqual(new Set(['010101', '010102', '020101']));
  });
});
