/**
 * The contract of the analytics store's query engines: DuckDB over Parquet files on one machine
 * (analytics/duckdb-engine.ts) and Athena in AWS (functions/shared/gateways/athena-engine.ts) run the same
 * SQL files of analytics/sql/ and answer with the same JSON scalars. Runtime-safe: no DuckDB here, so
 * a Lambda bundle can import it.
 */

export type SqlParam = string | number | boolean | null;
export type SqlRow = Record<string, string | number | boolean | null>;

export interface AnalyticsEngine {
  /** Runs one statement with `?` parameters; values come back as JSON-friendly scalars. */
  query(sql: string, params?: readonly SqlParam[]): Promise<SqlRow[]>;
  /** Runs `analytics/sql/<name>.sql` with its declared parameters. */
  queryFile(name: string, params?: Readonly<Record<string, SqlParam>>): Promise<SqlRow[]>;
  close(): void;
}

/** Each order's latest version: what the mining queries read (analytics/sql/latest_orders.sql). */
export const latestTable = 'latest_orders';

/**
 * A SQL file declares its `?` parameters in order, one comment line each, with a sample value the
 * tests run it with: `-- @param month string 2026-01`. A name used twice is declared twice.
 */
export interface SqlParamDeclaration {
  readonly name: string;
  readonly type: 'string' | 'int' | 'double' | 'date';
  readonly sample: string;
}

export const sqlParams = (sql: string): SqlParamDeclaration[] =>
  [...sql.matchAll(/^--\s*@param\s+(\w+)\s+(string|int|double|date)\s+(\S+)\s*$/gm)].map((m) => ({
    name: m[1] ?? '',
    type: (m[2] ?? 'string') as SqlParamDeclaration['type'],
    sample: m[3] ?? '',
  }));

/** Named values in the order the file declares its parameters; a missing one is an error. */
export const bindParams = (sql: string, values: Readonly<Record<string, SqlParam>>): SqlParam[] =>
  sqlParams(sql).map((p) => {
    const value = values[p.name];
    if (value === undefined) throw new Error(`SQL parameter ${p.name} has no value`);
    return value;
  });

/**
 * A timestamp as both engines print it (`2026-01-02 03:04:05.12`, DuckDB trimming trailing zeros;
 * `2026-01-02 03:04:05.120`, Athena; an offset or ` UTC` after it) as the ISO instant in UTC that
 * both engines return: `2026-01-02T03:04:05.120Z`, milliseconds always three digits.
 */
export const isoInstant = (text: string): string => {
  const m = /^(\d{4}-\d{2}-\d{2})[ T](\d{2}:\d{2}:\d{2})(?:\.(\d+))?\s*(Z|UTC|[+-]\d{2}(?::?\d{2})?)?$/.exec(
    text.trim(),
  );
  if (!m) throw new Error(`Not a timestamp: ${text}`);
  const millis = (m[3] ?? '').padEnd(3, '0').slice(0, 3);
  const zone = m[4];
  const local = `${m[1]}T${m[2]}.${millis}`;
  if (zone === undefined || zone === 'Z' || zone === 'UTC' || /^[+-]00(:?00)?$/.test(zone))
    return `${local}Z`;
  const offset =
    zone.length === 3 ? `${zone}:00` : zone.includes(':') ? zone : `${zone.slice(0, 3)}:${zone.slice(3)}`;
  return new Date(`${local}${offset}`).toISOString();
};
