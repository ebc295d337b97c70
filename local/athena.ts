import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { openDuckDb } from '../analytics/duckdb-engine.ts';
import { analyticsPartition, analyticsTable } from '../functions/domain/analytics-row.ts';
import type { AnalyticsEngine, SqlRow } from '../functions/shared/gateways/analytics-engine.ts';
import { AwsServiceError } from './aws-errors.ts';

/**
 * Athena's local twin: the Athena API (StartQueryExecution, GetQueryExecution, GetQueryResults,
 * StopQueryExecution; local/aws-endpoint.ts serves it) over DuckDB reading the local analytics
 * store (generated history and the live store, analytics/duckdb-engine.ts), so the mining code calls
 * the real AthenaClient on the local stack as it does in AWS.
 *
 * Like Athena:
 * - a query runs asynchronously: QUEUED, RUNNING, then SUCCEEDED, FAILED or CANCELLED, with
 *   `StateChangeReason` and `AthenaError` (category and type from Athena's error catalog);
 * - ExecutionParameters are SQL literal text, one for each `?` in order (outside strings and comments);
 * - one statement a query; SELECT / WITH / VALUES, and CREATE [OR REPLACE] VIEW (kept across queries);
 * - results in Athena's shape: `ResultSet.Rows[].Data[].VarCharValue` (absent for NULL), the header
 *   row first on the first page, `ResultSetMetadata.ColumnInfo` with Athena's type names, pages of at
 *   most 1000 rows chained by NextToken; timestamps as `2026-01-02 03:04:05.123`, doubles as Java
 *   prints them (`1.0E7`), decimals with their scale;
 * - `Statistics.DataScannedInBytes`: the bytes of Parquet files the query read (DuckDB's file-system
 *   log, overlapping reads counted once), and the workgroup's `BytesScannedCutoffPerQuery`: a query
 *   over it is CANCELLED with "Bytes scanned limit was exceeded", its scan reported as the cutoff;
 * - the query text must parse as Trino SQL (dt-sql-parser's TrinoSQL, from Trino's grammar), and
 *   a few DuckDB-only functions fail as Trino fails an unknown function: stricter than DuckDB alone.
 *
 * Unlike Athena:
 * - DuckDB runs the query, so a Trino function DuckDB lacks fails, and DuckDB's looser typing
 *   (a string compared with a date) passes where Trino fails; unaliased expressions are named by
 *   DuckDB (`count_star()`), not `_col0`; column names are lower-cased as Trino does;
 * - queries run one at a time; the cutoff is checked when the query ends, not while it scans;
 * - tables are unqualified (`orders`, `latest_orders`); no other DDL, no CTAS, no result files in S3,
 *   no result reuse; executions live in memory (the last MAX_EXECUTIONS) and not across restarts.
 */

export const LOCAL_ATHENA_CATALOG = 'AwsDataCatalog';
/** Executions kept (with their results) before the oldest finished ones are forgotten. */
const MAX_EXECUTIONS = 500;
const PAGE_MAX = 1000;
const QUERY_MAX = 262_144;

export interface LocalWorkGroup {
  /** Athena's per-query data usage control; none when absent. */
  readonly bytesScannedCutoffPerQuery?: number;
}

export interface LocalAthenaOptions {
  /** Roots holding `orders/month=YYYY-MM/*.parquet`: the generated history and the live store. */
  readonly roots: readonly string[];
  /** The Glue database the queries run in (`QueryExecutionContext.Database`). */
  readonly database: string;
  /** The workgroups that exist besides `primary` (which has no cutoff). */
  readonly workGroups?: Readonly<Record<string, LocalWorkGroup>>;
  /** The stack clock (submission and completion dates). */
  readonly now: () => number;
  /** Checks each query against Trino's grammar first (default true). */
  readonly checkTrinoSyntax?: boolean;
  readonly memoryLimit?: string;
  readonly threads?: number;
}

type State = 'QUEUED' | 'RUNNING' | 'SUCCEEDED' | 'FAILED' | 'CANCELLED';

interface AthenaColumn {
  readonly Name: string;
  readonly Type: string;
  readonly Precision: number;
  readonly Scale: number;
}

interface Execution {
  readonly id: string;
  readonly query: string;
  readonly parameters: readonly string[] | undefined;
  readonly workGroup: string;
  readonly database: string;
  readonly clientRequestToken: string | undefined;
  readonly statementType: 'DML' | 'DDL';
  readonly substatementType: string;
  readonly submittedAt: number;
  readonly submittedMono: number;
  state: State;
  reason?: string;
  error?: { ErrorCategory: number; ErrorType: number; Retryable: boolean; ErrorMessage: string };
  startedMono?: number;
  completedAt?: number;
  completedMono?: number;
  dataScanned: number;
  stopRequested: boolean;
  columns?: readonly AthenaColumn[];
  /** Data rows as VarCharValues (undefined: NULL), without the header. */
  rows?: readonly (readonly (string | undefined)[])[];
}

/** A query's failure as Athena reports it: a reason with Trino's error name, and the catalog's numbers. */
class QueryFailure extends Error {
  constructor(
    readonly reason: string,
    readonly category: number,
    readonly type: number,
    readonly state: 'FAILED' | 'CANCELLED' = 'FAILED',
  ) {
    super(reason);
  }
}

const invalidRequest = (message: string) =>
  new AwsServiceError('InvalidRequestException', message, 400, { AthenaErrorCode: 'INVALID_INPUT' });

const constraint = (value: unknown, field: string, rule: string) =>
  invalidRequest(
    `1 validation error detected: Value '${String(value)}' at '${field}' failed to satisfy constraint: ${rule}`,
  );

// ---- SQL text: placeholders, statements, literals ---------------------------------------------------

/**
 * Walks the SQL outside string literals, quoted identifiers and comments, calling `visit` with each
 * character's index there; returns the text with comments and literals blanked (for the lexical checks).
 */
const codeOf = (sql: string, visit?: (i: number) => void): string => {
  let out = '';
  for (let i = 0; i < sql.length; i++) {
    const c = sql[i] ?? '';
    const next = sql[i + 1];
    if (c === '-' && next === '-') {
      const end = sql.indexOf('\n', i);
      const stop = end === -1 ? sql.length : end;
      out += ' '.repeat(stop - i);
      i = stop - 1;
    } else if (c === '/' && next === '*') {
      const end = sql.indexOf('*/', i + 2);
      const stop = end === -1 ? sql.length : end + 2;
      out += ' '.repeat(stop - i);
      i = stop - 1;
    } else if (c === "'" || c === '"') {
      let j = i + 1;
      while (j < sql.length && !(sql[j] === c && sql[j + 1] !== c)) j += sql[j] === c ? 2 : 1;
      out += c === "'" ? `'${' '.repeat(Math.max(0, j - i - 1))}'` : sql.slice(i, j + 1);
      i = j;
    } else {
      visit?.(i);
      out += c;
    }
  }
  return out;
};

/** A literal Athena's parameters can be spliced in as it is; anything else goes in parentheses. */
const plainLiteral =
  /^(?:\d+(?:\.\d*)?(?:[eE][+-]?\d+)?|'(?:[^']|'')*'|(?:DATE|TIMESTAMP|TIME|DOUBLE|REAL|DECIMAL|BIGINT|INTEGER|VARCHAR)\s+'(?:[^']|'')*'|TRUE|FALSE|NULL)$/i;

/** The query with each `?` replaced by its ExecutionParameter, as Athena binds them (EXECUTE ... USING). */
const bindParameters = (sql: string, parameters: readonly string[]): string => {
  const marks: number[] = [];
  codeOf(sql, (i) => {
    if (sql[i] === '?') marks.push(i);
  });
  if (marks.length !== parameters.length)
    throw new QueryFailure(
      `INVALID_PARAMETER_USAGE: Incorrect number of parameters: expected ${marks.length} but found ${parameters.length}`,
      2,
      1100,
    );
  let bound = '';
  let from = 0;
  marks.forEach((at, k) => {
    const value = (parameters[k] ?? '').trim();
    bound += sql.slice(from, at) + (plainLiteral.test(value) ? value : `(${value})`);
    from = at + 1;
  });
  return bound + sql.slice(from);
};

type Statement =
  | { readonly kind: 'query' }
  | { readonly kind: 'view'; readonly name: string; readonly schema: string | undefined };

const statementOf = (sql: string): Statement => {
  const code = codeOf(sql).trim().replace(/;\s*$/, '');
  if (code.includes(';'))
    throw new QueryFailure(`Only one sql statement is allowed. Got: ${sql.trim()}`, 2, 1006);
  if (/^\(*\s*(SELECT|WITH|VALUES|TABLE)\b/i.test(code)) return { kind: 'query' };
  const view = /^CREATE\s+(?:OR\s+REPLACE\s+)?VIEW\s+(?:([A-Za-z_]\w*)\s*\.\s*)?([A-Za-z_]\w*)\s+AS\b/i.exec(
    code,
  );
  if (view?.[2]) return { kind: 'view', name: view[2].toLowerCase(), schema: view[1]?.toLowerCase() };
  throw new QueryFailure(
    'NOT_SUPPORTED: the local Athena runs queries (SELECT, WITH, VALUES) and CREATE [OR REPLACE] VIEW only',
    2,
    1200,
  );
};

/** Functions DuckDB has and Trino (Athena engine v3) has not: Athena fails a query calling them. */
const duckDbOnlyFunctions =
  /\b(strftime|strptime|epoch_ms|datediff|quantile|quantile_cont|quantile_disc|median|approx_quantile|regexp_matches|regexp_full_match|list_\w+|array_length|string_agg|group_concat)\s*\(/i;

const lineColumn = (sql: string, index: number) => {
  const before = sql.slice(0, index).split('\n');
  return `line ${before.length}:${(before.at(-1)?.length ?? 0) + 1}`;
};

type TrinoParser = { validate(sql: string): { startLine: number; startColumn: number; message: string }[] };
let trinoParser: Promise<TrinoParser> | undefined;

const checkTrino = async (sql: string): Promise<void> => {
  // The Trino parser alone: the package's index loads every dialect's (seconds, in vitest tens of them).
  trinoParser ??= import('dt-sql-parser/dist/parser/trino/index.js').then(
    (m) => new m.TrinoSQL() as TrinoParser,
  );
  const [first] = (await trinoParser).validate(sql);
  if (first)
    throw new QueryFailure(
      `SYNTAX_ERROR: line ${first.startLine}:${first.startColumn}: ${first.message}`,
      2,
      1006,
    );
  const code = codeOf(sql);
  const unknown = duckDbOnlyFunctions.exec(code);
  if (unknown?.[1])
    throw new QueryFailure(
      `FUNCTION_NOT_FOUND: ${lineColumn(sql, unknown.index)}: Function '${unknown[1].toLowerCase()}' not registered`,
      2,
      1303,
    );
};

/** DuckDB's error as Athena would name it (Trino's error names, Athena's catalog numbers). */
const failureOf = (error: unknown, database: string): QueryFailure => {
  if (error instanceof QueryFailure) return error;
  const message = (error instanceof Error ? error.message : String(error)).split('\n')[0] ?? '';
  const table = /^Catalog Error: Table with name (\S+) does not exist/.exec(message);
  if (table)
    return new QueryFailure(
      `TABLE_NOT_FOUND: Table '${LOCAL_ATHENA_CATALOG.toLowerCase()}.${database}.${table[1]}' does not exist`,
      2,
      1110,
    );
  if (/^Catalog Error: .*Function with name/.test(message))
    return new QueryFailure(`FUNCTION_NOT_FOUND: ${message}`, 2, 1303);
  if (/^Binder Error: .*column/i.test(message))
    return new QueryFailure(`COLUMN_NOT_FOUND: ${message}`, 2, 1000);
  if (/^Parser Error/.test(message)) return new QueryFailure(`SYNTAX_ERROR: ${message}`, 2, 1006);
  if (/^(Conversion|Invalid Input|Out of Range) Error/.test(message))
    return new QueryFailure(`INVALID_CAST_ARGUMENT: ${message}`, 2, 1001);
  if (/^(Binder|Catalog) Error/.test(message)) return new QueryFailure(`SEMANTIC_ERROR: ${message}`, 2, 1000);
  return new QueryFailure(`GENERIC_INTERNAL_ERROR: ${message}`, 1, 200);
};

// ---- types and values -----------------------------------------------------------------------------

/** DuckDB's column type as Athena's ColumnInfo names it (Trino's types; sums of integers are bigint). */
export const athenaColumnType = (duckType: string): Omit<AthenaColumn, 'Name'> => {
  const t = duckType.toUpperCase();
  const decimal = /^DECIMAL\((\d+),\s*(\d+)\)$/.exec(t);
  if (decimal) return { Type: 'decimal', Precision: Number(decimal[1]), Scale: Number(decimal[2]) };
  const simple = (Type: string, Precision: number) => ({ Type, Precision, Scale: 0 });
  if (t.endsWith('[]')) return simple('array', 0);
  if (t.startsWith('STRUCT')) return simple('row', 0);
  if (t.startsWith('MAP')) return simple('map', 0);
  if (t.startsWith('TIMESTAMP WITH TIME ZONE')) return simple('timestamp with time zone', 3);
  if (t.startsWith('TIMESTAMP')) return simple('timestamp', 3);
  const types: Record<string, [string, number]> = {
    VARCHAR: ['varchar', 2_147_483_647],
    UUID: ['varchar', 2_147_483_647],
    BOOLEAN: ['boolean', 0],
    TINYINT: ['tinyint', 3],
    UTINYINT: ['smallint', 5],
    SMALLINT: ['smallint', 5],
    USMALLINT: ['integer', 10],
    INTEGER: ['integer', 10],
    UINTEGER: ['bigint', 19],
    BIGINT: ['bigint', 19],
    UBIGINT: ['bigint', 19],
    HUGEINT: ['bigint', 19],
    FLOAT: ['real', 24],
    DOUBLE: ['double', 53],
    DATE: ['date', 0],
    TIME: ['time', 3],
    BLOB: ['varbinary', 2_147_483_647],
    JSON: ['json', 0],
    '"NULL"': ['unknown', 0],
    NULL: ['unknown', 0],
  };
  const [type, precision] = types[t] ?? (t.startsWith('ENUM') ? ['varchar', 2_147_483_647] : ['varchar', 0]);
  return simple(type, precision);
};

/** A double as Java's Double.toString prints it, which is how Athena's results show one. */
export const javaDouble = (n: number): string => {
  if (Number.isNaN(n)) return 'NaN';
  if (!Number.isFinite(n)) return n > 0 ? 'Infinity' : '-Infinity';
  const abs = Math.abs(n);
  if (abs === 0 || (abs >= 1e-3 && abs < 1e7)) {
    const text = String(n);
    return text.includes('.') ? text : `${text}.0`;
  }
  const [mantissa = '', exponent = ''] = n.toExponential().split('e');
  return `${mantissa.includes('.') ? mantissa : `${mantissa}.0`}E${exponent.replace('+', '')}`;
};

/** One value of the DuckDB engine's JSON scalars as Athena's VarCharValue of that column type. */
const varCharValue = (value: SqlRow[string] | undefined, column: AthenaColumn): string | undefined => {
  if (value === null || value === undefined) return undefined;
  switch (column.Type) {
    case 'double':
    case 'real':
      return javaDouble(Number(value));
    case 'decimal':
      return Number(value).toFixed(column.Scale);
    case 'timestamp':
      return String(value).replace('T', ' ').replace(/Z$/, '');
    case 'timestamp with time zone':
      return `${String(value).replace('T', ' ').replace(/Z$/, '')} UTC`;
    default:
      return String(value);
  }
};

// ---- the service --------------------------------------------------------------------------------------

const hasParquet = (root: string): boolean => {
  const dir = join(root, analyticsTable);
  if (!existsSync(dir)) return false;
  return readdirSync(dir)
    .filter((d) => d.startsWith(`${analyticsPartition.name}=`))
    .some((m) => readdirSync(join(dir, m)).some((f) => f.endsWith('.parquet')));
};

/** Bytes of each file covered by at least one read (DuckDB re-reads footers and pages). */
const bytesRead = (reads: readonly SqlRow[]): number => {
  const byFile = new Map<string, [number, number][]>();
  for (const r of reads) {
    const path = String(r.path);
    if (!path.endsWith('.parquet')) continue;
    byFile.set(path, [...(byFile.get(path) ?? []), [Number(r.pos), Number(r.pos) + Number(r.bytes)]]);
  }
  let total = 0;
  for (const ranges of byFile.values()) {
    ranges.sort((a, b) => a[0] - b[0]);
    let [start, end] = ranges[0] ?? [0, 0];
    for (const [s, e] of ranges.slice(1)) {
      if (s > end) {
        total += end - start;
        start = s;
      }
      end = Math.max(end, e);
    }
    total += end - start;
  }
  return total;
};

export class LocalAthena {
  private readonly executions = new Map<string, Execution>();
  private readonly tokens = new Map<string, string>();
  private readonly workGroups: ReadonlyMap<string, LocalWorkGroup>;
  /** CREATE [OR REPLACE] VIEW statements run so far, by view name: replayed when DuckDB reopens. */
  private readonly views = new Map<string, string>();
  private engine: AnalyticsEngine | undefined;
  private engineRoots = '';
  private running: Promise<void> = Promise.resolve();

  constructor(private readonly options: LocalAthenaOptions) {
    this.workGroups = new Map([['primary', {}], ...Object.entries(options.workGroups ?? {})]);
  }

  // ---- the Athena API (request and response shapes of the AWS JSON 1.1 protocol) ------------------

  startQueryExecution(body: Record<string, unknown>): { QueryExecutionId: string } {
    const query = body.QueryString;
    if (typeof query !== 'string' || query.length < 1 || query.length > QUERY_MAX)
      throw constraint(
        typeof query === 'string' ? `${query.slice(0, 40)}…` : query,
        'queryString',
        `Member must have length between 1 and ${QUERY_MAX}`,
      );
    const workGroup = typeof body.WorkGroup === 'string' ? body.WorkGroup : 'primary';
    if (!this.workGroups.has(workGroup)) throw invalidRequest(`WorkGroup ${workGroup} is not found.`);
    const parameters = body.ExecutionParameters;
    if (parameters !== undefined) {
      if (!Array.isArray(parameters) || parameters.length < 1)
        throw constraint('[]', 'executionParameters', 'Member must have length greater than or equal to 1');
      for (const p of parameters)
        if (typeof p !== 'string' || p.length < 1 || p.length > 1024)
          throw constraint(p, 'executionParameters.member', 'Member must have length between 1 and 1024');
    }
    const context = (body.QueryExecutionContext ?? {}) as { Database?: unknown };
    const database = typeof context.Database === 'string' ? context.Database : 'default';
    const token = typeof body.ClientRequestToken === 'string' ? body.ClientRequestToken : undefined;
    if (token !== undefined) {
      const earlier = this.executions.get(this.tokens.get(token) ?? '');
      if (earlier) {
        if (earlier.query !== query) throw invalidRequest('Idempotent parameters do not match');
        return { QueryExecutionId: earlier.id };
      }
    }
    let statementType: Execution['statementType'] = 'DML';
    let substatementType = 'SELECT';
    try {
      if (statementOf(query).kind === 'view') [statementType, substatementType] = ['DDL', 'CREATE_VIEW'];
    } catch {
      // Classified again when it runs, where the failure is reported as the query's state.
    }
    const execution: Execution = {
      id: crypto.randomUUID(),
      query,
      parameters: parameters as string[] | undefined,
      workGroup,
      database,
      clientRequestToken: token,
      statementType,
      substatementType,
      submittedAt: this.options.now(),
      submittedMono: performance.now(),
      state: 'QUEUED',
      dataScanned: 0,
      stopRequested: false,
    };
    this.executions.set(execution.id, execution);
    if (token !== undefined) this.tokens.set(token, execution.id);
    this.forgetOldExecutions();
    // Asynchronous, as Athena: the id comes back at once, the query runs after the ones before it.
    this.running = this.running.then(() => this.run(execution));
    return { QueryExecutionId: execution.id };
  }

  getQueryExecution(body: Record<string, unknown>) {
    const e = this.require(body.QueryExecutionId);
    const queued = (e.startedMono ?? e.completedMono ?? performance.now()) - e.submittedMono;
    const engine = e.startedMono === undefined ? 0 : (e.completedMono ?? performance.now()) - e.startedMono;
    const seconds = (ms: number) => ms / 1000;
    return {
      QueryExecution: {
        QueryExecutionId: e.id,
        Query: e.query,
        StatementType: e.statementType,
        SubstatementType: e.substatementType,
        ResultConfiguration: { OutputLocation: `s3://hotline-local-athena-results/${e.id}.csv` },
        ResultReuseConfiguration: { ResultReuseByAgeConfiguration: { Enabled: false } },
        QueryExecutionContext: { Database: e.database, Catalog: LOCAL_ATHENA_CATALOG.toLowerCase() },
        Status: {
          State: e.state,
          ...(e.reason !== undefined ? { StateChangeReason: e.reason } : {}),
          SubmissionDateTime: seconds(e.submittedAt),
          ...(e.completedAt !== undefined ? { CompletionDateTime: seconds(e.completedAt) } : {}),
          ...(e.error ? { AthenaError: e.error } : {}),
        },
        Statistics: {
          EngineExecutionTimeInMillis: Math.round(engine),
          DataScannedInBytes: e.dataScanned,
          TotalExecutionTimeInMillis: Math.round(queued + engine),
          QueryQueueTimeInMillis: Math.round(queued),
          ServicePreProcessingTimeInMillis: 0,
          QueryPlanningTimeInMillis: 0,
          ServiceProcessingTimeInMillis: 0,
          ResultReuseInformation: { ReusedPreviousResult: false },
        },
        WorkGroup: e.workGroup,
        EngineVersion: { SelectedEngineVersion: 'AUTO', EffectiveEngineVersion: 'Athena engine version 3' },
        ...(e.parameters ? { ExecutionParameters: e.parameters } : {}),
      },
    };
  }

  /** A page of a succeeded query's results; the header row (column names) opens a SELECT's first page. */
  getQueryResults(body: Record<string, unknown>) {
    const e = this.require(body.QueryExecutionId);
    const max = body.MaxResults === undefined ? PAGE_MAX : Number(body.MaxResults);
    if (!Number.isInteger(max) || max < 1 || max > PAGE_MAX)
      throw constraint(body.MaxResults, 'maxResults', `Member must have value between 1 and ${PAGE_MAX}`);
    if (e.state === 'QUEUED' || e.state === 'RUNNING')
      throw invalidRequest(`Query has not yet finished. Current state: ${e.state}`);
    if (e.state !== 'SUCCEEDED') throw invalidRequest(e.reason ?? `Query ${e.state}`);
    let offset = 0;
    if (body.NextToken !== undefined) {
      try {
        const token = JSON.parse(Buffer.from(String(body.NextToken), 'base64url').toString()) as {
          q?: unknown;
          o?: unknown;
        };
        if (token.q !== e.id || typeof token.o !== 'number') throw new Error('not this query');
        offset = token.o;
      } catch {
        throw invalidRequest('The NextToken is not valid for this query.');
      }
    }
    const columns = e.columns ?? [];
    const header = columns.map((c) => ({ VarCharValue: c.Name }));
    const data = (e.rows ?? []).map((row) => row.map((v) => (v === undefined ? {} : { VarCharValue: v })));
    const all = e.statementType === 'DML' ? [header, ...data] : data;
    const page = all.slice(offset, offset + max);
    return {
      UpdateCount: 0,
      ResultSet: {
        Rows: page.map((Data) => ({ Data })),
        ResultSetMetadata: {
          ColumnInfo: columns.map((c) => ({
            CatalogName: 'hive',
            SchemaName: '',
            TableName: '',
            Name: c.Name,
            Label: c.Name,
            Type: c.Type,
            Precision: c.Precision,
            Scale: c.Scale,
            Nullable: 'UNKNOWN',
            CaseSensitive: c.Type === 'varchar',
          })),
        },
      },
      ...(offset + max < all.length
        ? { NextToken: Buffer.from(JSON.stringify({ q: e.id, o: offset + max })).toString('base64url') }
        : {}),
    };
  }

  /** Cancels a queued or running query; one that already ended stays as it ended. */
  stopQueryExecution(body: Record<string, unknown>): Record<string, never> {
    const e = this.require(body.QueryExecutionId);
    if (e.state === 'QUEUED')
      this.finish(e, new QueryFailure('Query cancelled by user', 2, 1011, 'CANCELLED'));
    else if (e.state === 'RUNNING') e.stopRequested = true;
    return {};
  }

  /** Resolves when every query started so far has ended (tests, and the stack's shutdown). */
  whenIdle(): Promise<void> {
    return this.running;
  }

  async close(): Promise<void> {
    await this.running;
    this.engine?.close();
    this.engine = undefined;
  }

  // ---- internals -----------------------------------------------------------------------------------------

  private require(id: unknown): Execution {
    const execution = typeof id === 'string' ? this.executions.get(id) : undefined;
    if (!execution) throw invalidRequest(`QueryExecution ${String(id)} was not found`);
    return execution;
  }

  private forgetOldExecutions(): void {
    for (const [id, e] of this.executions) {
      if (this.executions.size <= MAX_EXECUTIONS) return;
      if (e.state === 'QUEUED' || e.state === 'RUNNING') continue;
      this.executions.delete(id);
      if (e.clientRequestToken !== undefined) this.tokens.delete(e.clientRequestToken);
    }
  }

  private finish(e: Execution, failure?: QueryFailure): void {
    e.state = failure ? failure.state : 'SUCCEEDED';
    if (failure) {
      e.reason = failure.reason;
      if (failure.state === 'FAILED' || failure.type === 1011)
        e.error = {
          ErrorCategory: failure.category,
          ErrorType: failure.type,
          Retryable: false,
          ErrorMessage: failure.reason,
        };
      e.rows = undefined;
    }
    e.completedAt = this.options.now();
    e.completedMono = performance.now();
  }

  /** DuckDB over the roots that hold files now (reopened when one gains its first file). */
  private async duckDb(): Promise<AnalyticsEngine> {
    const roots = this.options.roots.filter(hasParquet);
    if (this.engine && roots.join('\n') === this.engineRoots) return this.engine;
    this.engine?.close();
    this.engine = undefined;
    const engine = await openDuckDb({
      roots,
      ...(this.options.memoryLimit ? { memoryLimit: this.options.memoryLimit } : {}),
      ...(this.options.threads ? { threads: this.options.threads } : {}),
    });
    // Every read goes to the file system and is logged: what DataScannedInBytes counts.
    await engine.query('SET enable_external_file_cache = false');
    await engine.query("CALL enable_logging('FileSystem')");
    for (const view of this.views.values()) await engine.query(view).catch(() => undefined);
    this.engine = engine;
    this.engineRoots = roots.join('\n');
    return engine;
  }

  private async run(e: Execution): Promise<void> {
    if (e.state !== 'QUEUED') return;
    e.state = 'RUNNING';
    e.startedMono = performance.now();
    try {
      if (e.database !== this.options.database)
        throw new QueryFailure(`SCHEMA_NOT_FOUND: Schema '${e.database}' does not exist`, 2, 1301);
      const sql = bindParameters(e.query, e.parameters ?? []);
      const statement = statementOf(sql);
      if (statement.kind === 'view' && statement.schema !== undefined && statement.schema !== e.database)
        throw new QueryFailure(`SCHEMA_NOT_FOUND: Schema '${statement.schema}' does not exist`, 2, 1301);
      if (this.options.checkTrinoSyntax !== false) await checkTrino(sql);
      const engine = await this.duckDb();
      if (statement.kind === 'view') {
        await engine.query(sql);
        this.views.set(statement.name, sql);
        e.columns = [];
        e.rows = [];
      } else {
        await this.runQuery(engine, e, sql);
      }
      const cutoff = this.workGroups.get(e.workGroup)?.bytesScannedCutoffPerQuery;
      if (cutoff !== undefined && e.dataScanned > cutoff) {
        // Athena stops the scan at the cutoff and reports that much scanned.
        e.dataScanned = cutoff;
        throw new QueryFailure('Bytes scanned limit was exceeded', 2, 0, 'CANCELLED');
      }
      if (e.stopRequested) throw new QueryFailure('Query cancelled by user', 2, 1011, 'CANCELLED');
      this.finish(e);
    } catch (error) {
      this.finish(e, failureOf(error, e.database));
    }
  }

  private async runQuery(engine: AnalyticsEngine, e: Execution, sql: string): Promise<void> {
    const body = sql.trim().replace(/;\s*$/, '');
    const described = await engine.query(`DESCRIBE ${body}`);
    const names = described.map((d) => String(d.column_name));
    const columns = described.map((d) => ({
      Name: String(d.column_name).toLowerCase(),
      ...athenaColumnType(String(d.column_type)),
    }));
    await engine.query('CALL truncate_duckdb_logs()');
    const rows = await engine.query(body);
    const reads = await engine.query(
      `SELECT json_extract_string(message, '$.path') AS path,
              CAST(json_extract_string(message, '$.pos') AS BIGINT) AS pos,
              CAST(json_extract_string(message, '$.bytes') AS BIGINT) AS bytes
       FROM duckdb_logs
       WHERE type = 'FileSystem' AND json_extract_string(message, '$.op') = 'READ'`,
    );
    e.dataScanned = bytesRead(reads);
    e.columns = columns;
    e.rows = rows.map((row) => columns.map((c, i) => varCharValue(row[names[i] ?? ''], c)));
  }
}
