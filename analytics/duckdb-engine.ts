import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { type DuckDBConnection, DuckDBInstance, type DuckDBValue } from '@duckdb/node-api';
import { analyticsPartition, analyticsTable, duckdbColumnsDdl } from '../functions/domain/analytics-row.ts';
import {
  type AnalyticsEngine,
  bindParams,
  isoInstant,
  latestTable,
  type SqlParam,
  type SqlRow,
} from '../functions/shared/gateways/analytics-engine.ts';

/**
 * The analytics store on one machine: DuckDB over the Parquet files of one or more roots, each laid
 * out as Firehose and the generator write them (`<root>/orders/month=YYYY-MM/*.parquet`). The view
 * `orders` is every row of every root; the SQL files of analytics/sql/ run on it unchanged, as they
 * run on Athena over the Glue table of the same name.
 */
export const sqlDir = join(import.meta.dirname, 'sql');

/** The text of `analytics/sql/<name>.sql`. */
export const readSql = (name: string): string => readFileSync(join(sqlDir, `${name}.sql`), 'utf8');

// The contract both engines share lives in a runtime-safe module (no DuckDB), so a Lambda bundle can
// import it; it is re-exported here so that existing imports keep working.
export {
  type AnalyticsEngine,
  bindParams,
  latestTable,
  type SqlParam,
  type SqlParamDeclaration,
  type SqlRow,
  sqlParams,
} from '../functions/shared/gateways/analytics-engine.ts';

export interface DuckDbOptions {
  /** Roots holding `orders/month=YYYY-MM/*.parquet` (missing or empty roots are skipped). */
  readonly roots: readonly string[];
  /** A database file for spilling and materialised tables; in memory when absent. */
  readonly databaseFile?: string;
  readonly memoryLimit?: string;
  readonly threads?: number;
  /**
   * `latest_orders` (analytics/sql/latest_orders.sql) as a table computed once (many queries over a
   * large store), or as a view (the default: always current, as on Athena).
   */
  readonly materializeLatest?: boolean;
}

const partitionGlob = (root: string): string | undefined => {
  const dir = join(root, analyticsTable);
  if (!existsSync(dir)) return undefined;
  const months = readdirSync(dir).filter((d) => d.startsWith(`${analyticsPartition.name}=`));
  const any = months.some((m) => readdirSync(join(dir, m)).some((f) => f.endsWith('.parquet')));
  return any ? join(dir, `${analyticsPartition.name}=*`, '*.parquet') : undefined;
};

/**
 * DuckDB's values as JSON scalars, the way Athena's results read once parsed: every number a number
 * (BIGINT, HUGEINT and DECIMAL too), DATE as `YYYY-MM-DD`, TIMESTAMP as an ISO instant in UTC.
 */
const numericType =
  /^(TINYINT|SMALLINT|INTEGER|BIGINT|HUGEINT|UTINYINT|USMALLINT|UINTEGER|UBIGINT|FLOAT|DOUBLE|DECIMAL)/;
const scalarOf = (type: string) => {
  if (numericType.test(type)) return (v: unknown) => (v === null ? null : Number(v));
  if (type.startsWith('TIMESTAMP')) return (v: unknown) => (v === null ? null : isoInstant(String(v)));
  return (v: unknown) =>
    v === null || typeof v === 'object' ? (v === null ? null : JSON.stringify(v)) : (v as string | boolean);
};

export const openDuckDb = async (options: DuckDbOptions): Promise<AnalyticsEngine> => {
  const instance = await DuckDBInstance.create(options.databaseFile ?? ':memory:', {
    ...(options.memoryLimit ? { memory_limit: options.memoryLimit } : {}),
    ...(options.threads ? { threads: String(options.threads) } : {}),
  });
  const connection: DuckDBConnection = await instance.connect();
  const globs = options.roots.map(partitionGlob).filter((g): g is string => g !== undefined);
  // Hive partitioning gives the `month` column from the folder name, as Glue's partition does.
  await connection.run(
    globs.length > 0
      ? `CREATE OR REPLACE VIEW ${analyticsTable} AS SELECT * FROM read_parquet([${globs
          .map((g) => `'${g.replaceAll("'", "''")}'`)
          .join(', ')}], hive_partitioning = true, hive_types = {'month': VARCHAR}, union_by_name = true)`
      : `CREATE OR REPLACE TABLE ${analyticsTable} (${duckdbColumnsDdl()}, ${analyticsPartition.name} VARCHAR)`,
  );
  await connection.run(
    `CREATE OR REPLACE ${options.materializeLatest ? 'TABLE' : 'VIEW'} ${latestTable} AS ${readSql(latestTable)}`,
  );
  const query = async (sql: string, params: readonly SqlParam[] = []): Promise<SqlRow[]> => {
    const reader = await connection.runAndReadAll(sql, params as DuckDBValue[]);
    const names = reader.columnNames();
    const convert = reader.columnTypes().map((t) => scalarOf(t.toString()));
    return reader
      .getRowsJson()
      .map((row) => Object.fromEntries(names.map((name, i) => [name, convert[i]?.(row[i] ?? null) ?? null])));
  };
  return {
    query,
    queryFile: (name, params = {}) => {
      const sql = readSql(name);
      return query(sql, bindParams(sql, params));
    },
    close: () => {
      connection.closeSync();
      instance.closeSync();
    },
  };
};
