import { setTimeout as sleep } from 'node:timers/promises';
import {
  AthenaClient,
  type ColumnInfo,
  GetQueryExecutionCommand,
  GetQueryResultsCommand,
  type QueryExecution,
  StartQueryExecutionCommand,
  StopQueryExecutionCommand,
} from '@aws-sdk/client-athena';
import {
  type AnalyticsEngine,
  isoInstant,
  latestTable,
  type SqlParam,
  type SqlParamDeclaration,
  type SqlRow,
  sqlParams,
} from '#shared/gateways/analytics-engine.ts';
import { analyticsSql } from '#shared/gateways/analytics-sql.ts';

/**
 * The analytics store in AWS: the SQL files of analytics/sql/ run on Athena (engine v3, Trino) over
 * the Glue table `orders`, through the Athena API — which the local stack serves too (local/athena.ts,
 * DuckDB behind it), so the mining code is the same in both places. Values come back as the DuckDB
 * engine returns them (functions/shared/gateways/analytics-engine.ts).
 */

export interface AthenaEngineOptions {
  /** The workgroup (its result location and bytes-scanned cutoff apply). */
  readonly workGroup: string;
  /** The Glue database the queries' tables are in. */
  readonly database: string;
  /** Created (endpoint from AWS_ENDPOINT_URL_ATHENA) and destroyed by the engine when absent. */
  readonly client?: AthenaClient;
  /** GetQueryExecution polling: first delay, the longest delay, and how long to wait in all. */
  readonly poll?: { readonly firstMs?: number; readonly maxMs?: number; readonly timeoutMs?: number };
  /** Told about every query that succeeded (for logs and cost: Athena bills the bytes scanned). */
  readonly onQuery?: (statistics: AthenaQueryStatistics) => void;
}

export interface AthenaQueryStatistics {
  readonly queryExecutionId: string;
  readonly dataScannedInBytes: number;
  readonly engineExecutionTimeInMillis: number;
  readonly totalExecutionTimeInMillis: number;
  readonly rows: number;
}

export interface AthenaEngine extends AnalyticsEngine {
  /**
   * `CREATE OR REPLACE VIEW latest_orders AS <analytics/sql/latest_orders.sql>`: what the mining
   * queries read, as a view in the Glue database (the DuckDB engine creates it when it opens).
   */
  createLatestView(): Promise<void>;
}

/** A query that did not succeed: its state (FAILED, CANCELLED, or TIMEOUT here) and Athena's reason. */
export class AnalyticsQueryError extends Error {
  override readonly name = 'AnalyticsQueryError';
  constructor(
    readonly queryExecutionId: string,
    readonly state: string,
    readonly reason: string,
    options?: { cause?: unknown },
  ) {
    super(`Athena query ${queryExecutionId} ${state}: ${reason}`, options);
  }
}

// ---- parameters ---------------------------------------------------------------------------------------

/**
 * A value as Athena's ExecutionParameters take it: SQL literal text (strings quoted, `'` doubled;
 * numbers as they are). A file's declared type makes a date a DATE literal (Trino does not compare
 * a date with a string) and checks ints and doubles.
 */
export const sqlLiteral = (value: SqlParam, type?: SqlParamDeclaration['type']): string => {
  if (value === null) return 'NULL';
  if (typeof value === 'boolean') return value ? 'TRUE' : 'FALSE';
  const quoted = (text: string) => `'${text.replaceAll("'", "''")}'`;
  switch (type) {
    case 'date':
      if (typeof value !== 'string' || !/^\d{4}-\d{2}-\d{2}$/.test(value))
        throw new Error(`A date parameter is YYYY-MM-DD, not ${String(value)}`);
      return `DATE ${quoted(value)}`;
    case 'int':
      if (!Number.isSafeInteger(typeof value === 'string' && /^-?\d+$/.test(value) ? Number(value) : value))
        throw new Error(`An int parameter is a whole number, not ${String(value)}`);
      return String(Number(value));
    case 'double': {
      const n = typeof value === 'string' && value.trim() !== '' ? Number(value) : value;
      if (typeof n !== 'number' || !Number.isFinite(n))
        throw new Error(`A double parameter is a finite number, not ${String(value)}`);
      return `DOUBLE '${String(n)}'`;
    }
    default:
      if (typeof value === 'string') return quoted(value);
      if (!Number.isFinite(value)) throw new Error(`A number parameter is finite, not ${String(value)}`);
      return String(value);
  }
};

/** A file's declared parameters, in order, as literals; a missing one is an error. */
const fileLiterals = (sql: string, values: Readonly<Record<string, SqlParam>>): string[] =>
  sqlParams(sql).map((p) => {
    const value = values[p.name];
    if (value === undefined) throw new Error(`SQL parameter ${p.name} has no value`);
    return sqlLiteral(value, p.type);
  });

// ---- results ------------------------------------------------------------------------------------------

const numericTypes = new Set([
  'tinyint',
  'smallint',
  'integer',
  'int',
  'bigint',
  'real',
  'float',
  'double',
  'decimal',
]);

/**
 * One VarCharValue as the JSON scalar the DuckDB engine returns for its column type: numbers for the
 * numeric types, booleans, `YYYY-MM-DD` for date, an ISO instant in UTC for timestamp (Athena prints
 * `2026-01-02 03:04:05.123`), the text for the rest. A missing VarCharValue is SQL NULL.
 */
export const athenaScalar = (
  text: string | undefined,
  column: ColumnInfo,
): string | number | boolean | null => {
  if (text === undefined) return null;
  const type = (column.Type ?? 'varchar').toLowerCase().replace(/\(.*$/, '');
  if (numericTypes.has(type)) return Number(text);
  if (type === 'boolean') return text === 'true';
  if (type === 'timestamp' || type === 'timestamp with time zone') return isoInstant(text);
  return text;
};

// ---- the engine ---------------------------------------------------------------------------------------

const DEFAULT_POLL = { firstMs: 100, maxMs: 2_000, timeoutMs: 14 * 60_000 };
/** Rows a GetQueryResults page holds at most (Athena's limit; the header row counts on page one). */
const PAGE_ROWS = 1000;

export const athenaEngine = (options: AthenaEngineOptions): AthenaEngine => {
  const client = options.client ?? new AthenaClient({});
  const poll = { ...DEFAULT_POLL, ...options.poll };

  /** Starts a statement and waits for it to succeed; resolves with its execution. */
  const execute = async (sql: string, literals: readonly string[]): Promise<QueryExecution> => {
    const { QueryExecutionId: id } = await client.send(
      new StartQueryExecutionCommand({
        QueryString: sql,
        WorkGroup: options.workGroup,
        QueryExecutionContext: { Database: options.database },
        ...(literals.length > 0 ? { ExecutionParameters: [...literals] } : {}),
      }),
    );
    if (!id) throw new Error('Athena StartQueryExecution returned no QueryExecutionId');
    const deadline = Date.now() + poll.timeoutMs;
    for (let delay = poll.firstMs; ; delay = Math.min(poll.maxMs, Math.max(1, delay * 2))) {
      const { QueryExecution: execution } = await client.send(
        new GetQueryExecutionCommand({ QueryExecutionId: id }),
      );
      const state = execution?.Status?.State;
      if (execution && state === 'SUCCEEDED') return execution;
      if (state === 'FAILED' || state === 'CANCELLED')
        throw new AnalyticsQueryError(id, state, execution?.Status?.StateChangeReason ?? 'no reason given');
      if (Date.now() + delay > deadline) {
        await client.send(new StopQueryExecutionCommand({ QueryExecutionId: id })).catch(() => undefined);
        throw new AnalyticsQueryError(id, 'TIMEOUT', `still ${state} after ${poll.timeoutMs} ms; stopped`);
      }
      await sleep(delay);
    }
  };

  /** Every page of a succeeded query's results, as rows named by the result's columns. */
  const results = async (execution: QueryExecution): Promise<SqlRow[]> => {
    const id = execution.QueryExecutionId ?? '';
    // A SELECT's first row of the first page holds the column names, not data.
    let skipHeader = execution.StatementType === 'DML';
    const rows: SqlRow[] = [];
    let columns: ColumnInfo[] = [];
    let NextToken: string | undefined;
    do {
      const page = await client.send(
        new GetQueryResultsCommand({ QueryExecutionId: id, MaxResults: PAGE_ROWS, NextToken }),
      );
      if (columns.length === 0) columns = page.ResultSet?.ResultSetMetadata?.ColumnInfo ?? [];
      const pageRows = page.ResultSet?.Rows ?? [];
      for (const row of skipHeader ? pageRows.slice(1) : pageRows) {
        const data = row.Data ?? [];
        rows.push(
          Object.fromEntries(
            columns.map((c, i) => [c.Name ?? `_col${i}`, athenaScalar(data[i]?.VarCharValue, c)]),
          ),
        );
      }
      skipHeader = false;
      NextToken = page.NextToken;
    } while (NextToken);
    return rows;
  };

  const run = async (sql: string, literals: readonly string[]): Promise<SqlRow[]> => {
    const execution = await execute(sql, literals);
    const rows = await results(execution);
    const statistics = execution.Statistics;
    options.onQuery?.({
      queryExecutionId: execution.QueryExecutionId ?? '',
      dataScannedInBytes: statistics?.DataScannedInBytes ?? 0,
      engineExecutionTimeInMillis: statistics?.EngineExecutionTimeInMillis ?? 0,
      totalExecutionTimeInMillis: statistics?.TotalExecutionTimeInMillis ?? 0,
      rows: rows.length,
    });
    return rows;
  };

  return {
    query: (sql, params = []) =>
      run(
        sql,
        params.map((p) => sqlLiteral(p)),
      ),
    queryFile: async (name, params = {}) => {
      const sql = await analyticsSql(name);
      return run(sql, fileLiterals(sql, params));
    },
    createLatestView: async () => {
      const body = (await analyticsSql(latestTable)).trim().replace(/;+$/, '');
      await execute(`CREATE OR REPLACE VIEW ${latestTable} AS\n${body}`, []);
    },
    close: () => {
      if (!options.client) client.destroy();
    },
  };
};
