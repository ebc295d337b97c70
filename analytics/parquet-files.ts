import { mkdirSync, renameSync } from 'node:fs';
import { dirname, join } from 'node:path';
import {
  type DuckDBAppender,
  type DuckDBConnection,
  DuckDBDateValue,
  DuckDBInstance,
  DuckDBTimestampValue,
} from '@duckdb/node-api';
import {
  type AnalyticsRow,
  type AnalyticsType,
  analyticsColumns,
  analyticsPartition,
  analyticsTable,
  duckdbColumnsDdl,
} from '../functions/domain/analytics-row.ts';

/**
 * Analytics rows to Parquet files (ZSTD), laid out as the analytics store reads them:
 * `<root>/orders/month=YYYY-MM/<name>.parquet`, the month being each row's `received_month`. Used by
 * the local twin of Firehose and by tests; the generator has its own faster columnar path to the same
 * schema. A file appears whole or not at all (written aside, then renamed).
 */
const DAY_MS = 86_400_000;

const appendValue: Record<AnalyticsType, (a: DuckDBAppender, v: string | number | boolean) => void> = {
  string: (a, v) => a.appendVarchar(String(v)),
  int: (a, v) => a.appendInteger(Number(v)),
  double: (a, v) => a.appendDouble(Number(v)),
  boolean: (a, v) => a.appendBoolean(Boolean(v)),
  timestamp: (a, v) => a.appendTimestamp(new DuckDBTimestampValue(BigInt(Date.parse(String(v))) * 1000n)),
  date: (a, v) =>
    a.appendDate(new DuckDBDateValue(Math.round(Date.parse(`${String(v)}T00:00:00Z`) / DAY_MS))),
};

/** Checks a row against the schema: every column present, non-null where the schema says so. */
export const checkRow = (row: AnalyticsRow): void => {
  for (const c of analyticsColumns) {
    const v = row[c.name];
    if (v === undefined) throw new Error(`Analytics row ${String(row.order_id)} lacks column ${c.name}`);
    if (v === null && !c.nullable)
      throw new Error(`Analytics row ${String(row.order_id)}: ${c.name} is null`);
  }
};

const appendRows = async (connection: DuckDBConnection, rows: readonly AnalyticsRow[]) => {
  const appender = await connection.createAppender(analyticsTable);
  for (const row of rows) {
    checkRow(row);
    for (const c of analyticsColumns) {
      const v = row[c.name];
      if (v === null || v === undefined) appender.appendNull();
      else appendValue[c.type](appender, v);
    }
    appender.endRow();
  }
  appender.closeSync();
};

/** Writes rows to one Parquet file per CST month of receipt; returns the files written. */
export const writeAnalyticsParquet = async (
  rows: readonly AnalyticsRow[],
  root: string,
  fileName: string,
): Promise<string[]> => {
  const byMonth = new Map<string, AnalyticsRow[]>();
  for (const row of rows) {
    const month = String(row.received_month);
    byMonth.set(month, [...(byMonth.get(month) ?? []), row]);
  }
  const instance = await DuckDBInstance.create(':memory:', { threads: '1' });
  const connection = await instance.connect();
  const written: string[] = [];
  try {
    for (const [month, monthRows] of [...byMonth].sort(([a], [b]) => a.localeCompare(b))) {
      await connection.run(`CREATE OR REPLACE TABLE ${analyticsTable} (${duckdbColumnsDdl()})`);
      await appendRows(connection, monthRows);
      const file = join(root, analyticsTable, `${analyticsPartition.name}=${month}`, `${fileName}.parquet`);
      mkdirSync(dirname(file), { recursive: true });
      const partial = `${file}.partial`;
      await connection.run(
        `COPY ${analyticsTable} TO '${partial.replaceAll("'", "''")}' (FORMAT parquet, COMPRESSION zstd)`,
      );
      renameSync(partial, file);
      written.push(file);
    }
  } finally {
    connection.closeSync();
    instance.closeSync();
  }
  return written;
};
