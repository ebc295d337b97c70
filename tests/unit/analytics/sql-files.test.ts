import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TrinoSQL } from 'dt-sql-parser';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type AnalyticsEngine,
  openDuckDb,
  readSql,
  type SqlParam,
  type SqlRow,
  sqlDir,
  sqlParams,
} from '../../../analytics/duckdb-engine.ts';
import { writeAnalyticsParquet } from '../../../analytics/parquet-files.ts';
import type { AnalyticsRow } from '../../../functions/domain/analytics-row.ts';
import { sampleRow } from './sample-rows.ts';

/**
 * The contract of every SQL file in analytics/sql/ (whoever adds it): it says what it returns, it
 * declares its parameters, it parses as Trino SQL (Athena engine v3, by dt-sql-parser's grammar built
 * from Trino's own), it avoids the functions whose names or meanings differ between DuckDB and Trino,
 * and it runs on DuckDB reading each order's latest version only.
 */
const trino = new TrinoSQL();
const trinoErrors = (sql: string) =>
  trino.validate(sql).map((e) => `${e.startLine}:${e.startColumn} ${e.message}`);

/** The SQL without comments and string literals: what the lexical checks look at. */
const code = (sql: string) => sql.replace(/--[^\n]*/g, '').replace(/'(?:[^']|'')*'/g, "''");

/** Constructs that parse (or not) in one dialect only, each with why it is out of the common ground. */
const offCommonGround: readonly [RegExp, string][] = [
  [/\bGROUP\s+BY\s+ALL\b/i, 'GROUP BY ALL is DuckDB only'],
  [/\bQUALIFY\b/i, 'QUALIFY is DuckDB only: filter row_number() in a subquery'],
  [/\bEXCLUDE\s*\(/i, 'SELECT * EXCLUDE is DuckDB only'],
  [/::/, ':: casts are DuckDB only: CAST(x AS type)'],
  [/\bILIKE\b/i, 'ILIKE is DuckDB only: lower(x) LIKE'],
  [/\b(strftime|strptime)\s*\(/i, 'strftime/strptime are DuckDB only'],
  [/\b(date_format|date_parse|format_datetime)\s*\(/i, 'date_format/date_parse are Trino only'],
  [/\bdate_add\s*\(/i, "date_add('day', n, d) is Trino only (DuckDB has date_add(date, interval))"],
  [/\bapprox_(quantile|percentile|count_distinct|distinct)\s*\(/i, 'approximate functions differ by name'],
  [/\b(quantile|quantile_cont|quantile_disc|median)\s*\(/i, 'DuckDB-only percentiles: compute in TypeScript'],
  [
    /\b(list|array)_\w+\s*\(|\barray_agg\s*\(/i,
    'list/array functions differ by name (and the rows have none)',
  ],
  [/\b(regexp_matches|regexp_full_match)\s*\(/i, 'regexp_matches is DuckDB only (Trino: regexp_like)'],
];
const commonGroundViolations = (sql: string) =>
  offCommonGround.filter(([pattern]) => pattern.test(code(sql))).map(([, why]) => why);

/** Each declared parameter's sample, typed. */
const sampleParams = (sql: string): Record<string, SqlParam> =>
  Object.fromEntries(
    sqlParams(sql).map((p) => [
      p.name,
      p.type === 'int' || p.type === 'double' ? Number(p.sample) : p.sample,
    ]),
  );

/** The header: the comment lines before the first statement, without the @param declarations. */
const headerProse = (sql: string) => {
  const lines = sql.split('\n');
  const header = lines.slice(
    0,
    Math.max(
      0,
      lines.findIndex((l) => !l.startsWith('--')),
    ),
  );
  return header
    .filter((l) => !/^--\s*@param\b/.test(l))
    .map((l) => l.replace(/^--\s?/, '').trim())
    .join(' ')
    .trim();
};

const canonical = (rows: readonly SqlRow[]) => rows.map((r) => JSON.stringify(r)).sort();

const sqlFiles = readdirSync(sqlDir)
  .filter((f) => f.endsWith('.sql'))
  .map((f) => f.slice(0, -'.sql'.length))
  .sort();

/**
 * The fixture store: a few orders a month over fifteen months (categories, townships, answers,
 * exclusions, overdue, repeated places), written as the latest versions only; and the same store
 * with an earlier version of some orders (another category, township, unit and no answer) and an
 * exact duplicate of another, as a second delivery. Every file must give the same result on both.
 */
const months = Array.from({ length: 15 }, (_, i) => {
  const d = new Date(Date.UTC(2025, i, 1));
  return d.toISOString().slice(0, 7);
});
const latestRows: AnalyticsRow[] = months.flatMap((month, m) =>
  Array.from({ length: 6 }, (_, k) => {
    const n = m * 6 + k;
    const street = `11010500${1 + (n % 3)}`;
    const l3 = ['010101', '010102', '020101'][n % 3] ?? '010101';
    return sampleRow({
      order_id: `WO${String(n).padStart(26, '0')}`,
      received_at: `${month}-${String(3 + k * 4).padStart(2, '0')}T02:00:00.000Z`,
      closed_at: `${month}-${String(4 + k * 4).padStart(2, '0')}T02:00:00.000Z`,
      category_code: l3,
      category_l1: l3.slice(0, 2),
      category_l2: l3.slice(0, 4),
      category_l3: l3,
      street_code: street,
      unit_id: `st-${street}`,
      address_hash: `a-${n % 4}`,
      requester_hash: k === 5 ? null : `r-${n % 5}`,
      answer_solved: ['solved', 'partly', 'not'][n % 3] ?? null,
      answer_satisfied: ['satisfied', 'basically', 'not'][(n + 1) % 3] ?? null,
      unreachable: n % 7 === 0,
      excluded: n % 11 === 0,
      exclusion_reason: n % 11 === 0 ? 'duplicate' : null,
      overdue: n % 4 === 0,
      contacted_in_time: n % 5 !== 0,
    });
  }),
);
const staleRows: AnalyticsRow[] = latestRows
  .filter((_, i) => i % 4 === 1)
  .map((row) =>
    sampleRow({
      order_id: row.order_id,
      version: 2,
      received_at: row.received_at,
      closed_at: null,
      category_code: '0301',
      category_l1: '03',
      category_l2: '0301',
      category_l3: null,
      street_code: '110101001',
      unit_id: 'st-110101001',
      address_hash: 'a-stale',
    }),
  );
const duplicateRows = latestRows.filter((_, i) => i % 5 === 2);

let root: string;
let latestOnly: AnalyticsEngine;
let redelivered: AnalyticsEngine;

beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), 'sql-files-'));
  await writeAnalyticsParquet(latestRows, join(root, 'latest'), 'base');
  await writeAnalyticsParquet(latestRows, join(root, 'redelivered'), 'base');
  await writeAnalyticsParquet([...staleRows, ...duplicateRows], join(root, 'redelivered'), 'again');
  latestOnly = await openDuckDb({ roots: [join(root, 'latest')], threads: 1 });
  redelivered = await openDuckDb({ roots: [join(root, 'redelivered')], threads: 1 });
});

afterAll(() => {
  latestOnly?.close();
  redelivered?.close();
  rmSync(root, { recursive: true, force: true });
});

describe('analytics/sql files', () => {
  it('returns at least the shared latest_orders and the files of the mining', () => {
    // Assess: the directory is what the checks below iterate
    expect(sqlFiles).toEqual(expect.arrayContaining(['latest_orders', 'unit_month_rates']));
  });

  describe.each(sqlFiles)('%s.sql', (name) => {
    const sql = readSql(name);

    it('declares a header comment saying what it returns', () => {
      // Assess
      expect(headerProse(sql).length).toBeGreaterThan(20);
    });

    it('declares one @param for each ? placeholder, in order', () => {
      // Act
      const placeholders = (code(sql).match(/\?/g) ?? []).length;

      // Assess
      expect(sqlParams(sql)).toHaveLength(placeholders);
    });

    it('parses as Trino SQL (Athena engine v3)', () => {
      // Assess
      expect(trinoErrors(sql)).toEqual([]);
    });

    it('keeps to the common ground of DuckDB and Trino', () => {
      // Assess
      expect(commonGroundViolations(sql)).toEqual([]);
    });

    it('returns on DuckDB the same rows whether or not earlier versions and duplicates were delivered', async () => {
      // Act
      const once = await latestOnly.queryFile(name, sampleParams(sql));
      const again = await redelivered.queryFile(name, sampleParams(sql));

      // Assess: samples fit the fixture's months (2025-01 to 2026-03), so the comparison is not vacuous
      expect(once.length, 'rows for the sample parameters').toBeGreaterThan(0);
      expect(canonical(again)).toEqual(canonical(once));
    });
  });
});

describe('the Trino and common-ground checks', () => {
  it('rejects a DuckDB-only statement that DuckDB itself runs', async () => {
    // Prepare
    const duckDbOnly = 'SELECT received_month, count(*) AS n FROM orders GROUP BY ALL';

    // Act
    const ranOnDuckDb = await latestOnly.query(duckDbOnly);

    // Assess
    expect(ranOnDuckDb.length).toBeGreaterThan(0);
    expect(trinoErrors(duckDbOnly)).not.toEqual([]);
    expect(commonGroundViolations(duckDbOnly)).toEqual(['GROUP BY ALL is DuckDB only']);
  });

  it('rejects a function of one dialect that the grammar cannot tell from any other', () => {
    // Prepare: strftime parses as a function call in Trino, but Trino has no such function
    const sql = "SELECT strftime(received_at, '%Y-%m') AS m FROM orders";

    // Act
    const parsed = trinoErrors(sql);

    // Assess
    expect(parsed).toEqual([]);
    expect(commonGroundViolations(sql)).toEqual(['strftime/strptime are DuckDB only']);
  });

  it('tells a query that reads every delivered row from one that reads the latest versions', async () => {
    // Prepare
    const naive = 'SELECT category_l1, count(*) AS n FROM orders GROUP BY category_l1';

    // Act
    const once = await latestOnly.query(naive);
    const again = await redelivered.query(naive);

    // Assess
    expect(canonical(again)).not.toEqual(canonical(once));
  });

  it('ignores ? and forbidden words inside comments and string literals', () => {
    // Prepare
    const sql = "-- GROUP BY ALL, strftime(?)\nSELECT '::?' AS s FROM orders WHERE received_month = ?";

    // Assess
    expect(commonGroundViolations(sql)).toEqual([]);
    expect((code(sql).match(/\?/g) ?? []).length).toBe(1);
  });
});
