import '../../../local/quiet-sdk-warning.ts';
import { mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import type { Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  AthenaClient,
  GetQueryExecutionCommand,
  type GetQueryExecutionOutput,
  GetQueryResultsCommand,
  InvalidRequestException,
  StartQueryExecutionCommand,
  type StartQueryExecutionInput,
  StopQueryExecutionCommand,
} from '@aws-sdk/client-athena';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDuckDb, readSql, sqlDir, sqlParams } from '../../../analytics/duckdb-engine.ts';
import { writeAnalyticsParquet } from '../../../analytics/parquet-files.ts';
import type { AnalyticsRow } from '../../../functions/domain/analytics-row.ts';
import type { AnalyticsEngine, SqlParam } from '../../../functions/shared/gateways/analytics-engine.ts';
import { type AthenaEngine, athenaEngine } from '../../../functions/shared/gateways/athena-engine.ts';
import { LocalAthena } from '../../../local/athena.ts';
import { startAwsEndpoint } from '../../../local/aws-endpoint.ts';
import { LocalEventBus } from '../../../local/event-bus.ts';
import type { LocalStepFunctions } from '../../../local/stepfunctions/service.ts';
import { sampleRow } from '../analytics/sample-rows.ts';

/**
 * Athena's local twin on the local AWS endpoint, driven by the real AthenaClient (as the mining
 * function reaches it through AWS_ENDPOINT_URL_ATHENA): DuckDB over a history root and a live root.
 */
const NOW = Date.parse('2026-12-01T01:00:00Z');
const DATABASE = 'hotline_analytics';
const WORK_GROUP = 'hotline-analytics';
const TIGHT = 'tight';
const TIGHT_CUTOFF = 2_000;

let dir: string;
let historyRoot: string;
let liveRoot: string;
let athena: LocalAthena;
let server: Server;
let client: AthenaClient;
let engine: AthenaEngine;

/** Fourteen orders over two months, each in two versions (the latest view keeps one). */
const history: AnalyticsRow[] = Array.from({ length: 14 }, (_, n) => {
  const month = n < 8 ? '2026-01' : '2026-02';
  const day = String(1 + n).padStart(2, '0');
  const fields = {
    order_id: `WO${String(n).padStart(26, '0')}`,
    received_at: `${month}-${day}T02:00:00.000Z`,
    closed_at: `${month}-${day}T08:30:00.120Z`,
    category_code: n % 2 === 0 ? '010101' : '020101',
    lat: 39.9 + n / 1000,
  };
  return [sampleRow({ ...fields, version: 2, closed_at: null }), sampleRow({ ...fields, version: 9 })];
}).flat();

const parquetBytes = (root: string): number =>
  readdirSync(join(root, 'orders'), { recursive: true })
    .map(String)
    .filter((f) => f.endsWith('.parquet'))
    .reduce((sum, f) => sum + statSync(join(root, 'orders', f)).size, 0);

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'hotline-athena-'));
  historyRoot = join(dir, 'history');
  liveRoot = join(dir, 'data', 'analytics');
  await writeAnalyticsParquet(history, historyRoot, 'generated');
  athena = new LocalAthena({
    roots: [historyRoot, liveRoot],
    database: DATABASE,
    workGroups: {
      [WORK_GROUP]: { bytesScannedCutoffPerQuery: 10 * 1024 ** 3 },
      [TIGHT]: { bytesScannedCutoffPerQuery: TIGHT_CUTOFF },
    },
    now: () => NOW,
    threads: 1,
  });
  const endpoint = await startAwsEndpoint({
    stepFunctions: {} as LocalStepFunctions,
    bus: new LocalEventBus('hotline-local', () => NOW),
    athena,
  });
  server = endpoint.server;
  client = new AthenaClient({
    endpoint: endpoint.url,
    region: 'local',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    maxAttempts: 1,
  });
  engine = athenaEngine({
    client,
    workGroup: WORK_GROUP,
    database: DATABASE,
    poll: { firstMs: 2, maxMs: 20 },
  });
  await engine.createLatestView();
});

afterAll(async () => {
  client?.destroy();
  await new Promise<void>((r) => server?.close(() => r()));
  await athena?.close();
  rmSync(dir, { recursive: true, force: true });
});

const start = async (QueryString: string, changes: Partial<StartQueryExecutionInput> = {}) => {
  const { QueryExecutionId } = await client.send(
    new StartQueryExecutionCommand({
      QueryString,
      WorkGroup: WORK_GROUP,
      QueryExecutionContext: { Database: DATABASE },
      ...changes,
    }),
  );
  return QueryExecutionId ?? '';
};

/** The execution once it ended (the twin runs queries one after another: wait for them all). */
const ended = async (id: string): Promise<NonNullable<GetQueryExecutionOutput['QueryExecution']>> => {
  await athena.whenIdle();
  const { QueryExecution } = await client.send(new GetQueryExecutionCommand({ QueryExecutionId: id }));
  if (!QueryExecution) throw new Error('no execution');
  return QueryExecution;
};

describe('StartQueryExecution and GetQueryExecution', () => {
  it('returns the id at once, then QUEUED, RUNNING and SUCCEEDED in turn, with Athena engine v3', async () => {
    // Prepare: a direct call, so that the state right after the start is seen before it can move
    const id = athena.startQueryExecution({
      QueryString: 'SELECT count(*) AS n FROM latest_orders',
      WorkGroup: WORK_GROUP,
      QueryExecutionContext: { Database: DATABASE },
    }).QueryExecutionId;
    const seen = [athena.getQueryExecution({ QueryExecutionId: id }).QueryExecution.Status.State];

    // Act: poll as a client does, until the state is final
    while (!['SUCCEEDED', 'FAILED', 'CANCELLED'].includes(seen.at(-1) ?? '')) {
      await new Promise((r) => setImmediate(r));
      const state = athena.getQueryExecution({ QueryExecutionId: id }).QueryExecution.Status.State;
      if (state !== seen.at(-1)) seen.push(state);
    }
    const execution = await ended(id);

    // Assess
    expect(seen).toEqual(['QUEUED', 'RUNNING', 'SUCCEEDED']);
    expect(execution).toMatchObject({
      QueryExecutionId: id,
      Query: 'SELECT count(*) AS n FROM latest_orders',
      StatementType: 'DML',
      SubstatementType: 'SELECT',
      WorkGroup: WORK_GROUP,
      QueryExecutionContext: { Database: DATABASE },
      Status: { State: 'SUCCEEDED', SubmissionDateTime: new Date(NOW), CompletionDateTime: new Date(NOW) },
      EngineVersion: { EffectiveEngineVersion: 'Athena engine version 3' },
    });
  });

  it('returns DataScannedInBytes of the Parquet read: more than none, at most every file once', async () => {
    // Act
    const everything = await ended(await start('SELECT * FROM orders'));
    const january = await ended(
      await start("SELECT count(order_id) AS n FROM orders WHERE month = '2026-01'"),
    );

    // Assess
    const scanned = (e: typeof everything) => e.Statistics?.DataScannedInBytes ?? 0;
    expect(scanned(everything)).toBeGreaterThan(0);
    expect(scanned(everything)).toBeLessThanOrEqual(parquetBytes(historyRoot));
    // One partition and one column read less than every partition and column.
    expect(scanned(january)).toBeGreaterThan(0);
    expect(scanned(january)).toBeLessThan(scanned(everything));
  });

  it('cancels a query over the workgroup cutoff as Athena does, reporting the cutoff as scanned', async () => {
    // Act
    const execution = await ended(await start('SELECT * FROM orders', { WorkGroup: TIGHT }));
    const results = await client
      .send(new GetQueryResultsCommand({ QueryExecutionId: execution.QueryExecutionId }))
      .catch((e) => e);

    // Assess
    expect(execution.Status).toMatchObject({
      State: 'CANCELLED',
      StateChangeReason: 'Bytes scanned limit was exceeded',
    });
    expect(execution.Statistics?.DataScannedInBytes).toBe(TIGHT_CUTOFF);
    expect(results).toBeInstanceOf(InvalidRequestException);
  });

  it('returns a query under the cutoff in the same workgroup as SUCCEEDED', async () => {
    // Act
    const execution = await ended(await start('SELECT 1 AS one', { WorkGroup: TIGHT }));

    // Assess
    expect(execution.Status?.State).toBe('SUCCEEDED');
    expect(execution.Statistics?.DataScannedInBytes).toBe(0);
  });

  it('rejects a workgroup that does not exist with InvalidRequestException', async () => {
    // Act
    const error = await start('SELECT 1 AS one', { WorkGroup: 'nope' }).catch((e) => e);

    // Assess
    expect(error).toBeInstanceOf(InvalidRequestException);
    expect(error.message).toBe('WorkGroup nope is not found.');
    expect(error.AthenaErrorCode).toBe('INVALID_INPUT');
  });

  it('rejects an execution id it does not know with InvalidRequestException', async () => {
    // Act
    const error = await client
      .send(new GetQueryExecutionCommand({ QueryExecutionId: 'f00' }))
      .catch((e) => e);

    // Assess
    expect(error).toBeInstanceOf(InvalidRequestException);
    expect(error.message).toBe('QueryExecution f00 was not found');
  });

  it('returns the same execution for a repeated ClientRequestToken', async () => {
    // Act
    const token = 'mining-2026-12-01-topics-0000000000';
    const first = await start('SELECT 1 AS one', { ClientRequestToken: token });
    const again = await start('SELECT 1 AS one', { ClientRequestToken: token });

    // Assess
    expect(again).toBe(first);
  });

  it('cancels a queued query on StopQueryExecution, and leaves one that ended as it ended', async () => {
    // Prepare: direct calls, so that the second query is still queued behind the first when stopped
    const query = { WorkGroup: WORK_GROUP, QueryExecutionContext: { Database: DATABASE } };
    const first = athena.startQueryExecution({ QueryString: 'SELECT 1 AS one', ...query }).QueryExecutionId;
    const second = athena.startQueryExecution({ QueryString: 'SELECT 2 AS two', ...query }).QueryExecutionId;

    // Act
    athena.stopQueryExecution({ QueryExecutionId: second });
    await athena.whenIdle();
    const afterEnd = await client.send(new StopQueryExecutionCommand({ QueryExecutionId: first }));

    // Assess
    expect((await ended(second)).Status).toMatchObject({
      State: 'CANCELLED',
      StateChangeReason: 'Query cancelled by user',
      AthenaError: { ErrorCategory: 2, ErrorType: 1011 },
    });
    expect(afterEnd.$metadata.httpStatusCode).toBe(200);
    expect((await ended(first)).Status?.State).toBe('SUCCEEDED');
  });
});

describe('failures, as Athena reports them', () => {
  it.each([
    [
      'DuckDB-only syntax (::)',
      'SELECT received_hour::VARCHAR AS h FROM orders',
      /^SYNTAX_ERROR: line 1:\d+: /,
      1006,
    ],
    ['GROUP BY ALL', 'SELECT category_code, count(*) AS n FROM orders GROUP BY ALL', /^SYNTAX_ERROR: /, 1006],
    [
      'a DuckDB-only function',
      "SELECT strftime(received_at, '%Y') AS y FROM orders",
      /^FUNCTION_NOT_FOUND: line 1:8: Function 'strftime' not registered$/,
      1303,
    ],
    [
      'a table that does not exist',
      'SELECT * FROM nope',
      /^TABLE_NOT_FOUND: Table 'awsdatacatalog.hotline_analytics.nope' does not exist$/,
      1110,
    ],
    ['a column that does not exist', 'SELECT nope FROM orders', /^COLUMN_NOT_FOUND: /, 1000],
    ['two statements', 'SELECT 1 AS a; SELECT 2 AS b', /^Only one sql statement is allowed/, 1006],
    ['a statement the twin does not run', 'DROP TABLE orders', /^NOT_SUPPORTED: /, 1200],
  ])('returns FAILED for %s, with the reason and AthenaError', async (_case, sql, reason, errorType) => {
    // Act
    const execution = await ended(await start(sql));
    const results = await client
      .send(new GetQueryResultsCommand({ QueryExecutionId: execution.QueryExecutionId }))
      .catch((e) => e);

    // Assess
    expect(execution.Status?.State).toBe('FAILED');
    expect(execution.Status?.StateChangeReason).toMatch(reason);
    expect(execution.Status?.AthenaError).toMatchObject({ ErrorCategory: 2, ErrorType: errorType });
    expect(results).toBeInstanceOf(InvalidRequestException);
    expect(results.message).toBe(execution.Status?.StateChangeReason);
  });

  it('returns FAILED for a database that does not exist', async () => {
    // Act
    const execution = await ended(
      await start('SELECT 1 AS one', { QueryExecutionContext: { Database: 'other' } }),
    );

    // Assess
    expect(execution.Status).toMatchObject({
      State: 'FAILED',
      StateChangeReason: "SCHEMA_NOT_FOUND: Schema 'other' does not exist",
    });
  });
});

describe('ExecutionParameters', () => {
  it('binds each literal to its ? in order, leaving a ? inside a string or comment alone', async () => {
    // Act
    const rows = await engine.query(
      "SELECT ? AS s, ? AS n, '?' AS q, CAST(? AS DATE) AS d, count(*) AS c -- what?\nFROM latest_orders WHERE month = ?",
      ["it's", 3, '2026-01-31', '2026-01'],
    );

    // Assess
    expect(rows).toEqual([{ s: "it's", n: 3, q: '?', d: '2026-01-31', c: 8 }]);
  });

  it('binds a DATE literal where a file declares a date (Trino compares no date with a string)', async () => {
    // Act
    const id = await start('SELECT count(*) AS n FROM latest_orders WHERE received_date >= ?', {
      ExecutionParameters: ["DATE '2026-02-01'"],
    });
    await ended(id);
    const results = await client.send(new GetQueryResultsCommand({ QueryExecutionId: id }));

    // Assess
    expect(results.ResultSet?.Rows?.map((r) => r.Data?.map((d) => d.VarCharValue))).toEqual([['n'], ['6']]);
  });

  it('returns FAILED when the parameters do not match the placeholders', async () => {
    // Act
    const execution = await ended(await start('SELECT ? AS a, ? AS b', { ExecutionParameters: ['1'] }));

    // Assess
    expect(execution.Status?.StateChangeReason).toBe(
      'INVALID_PARAMETER_USAGE: Incorrect number of parameters: expected 2 but found 1',
    );
  });
});

describe('GetQueryResults', () => {
  it('returns pages of at most 1000 rows, the header row first on the first page only', async () => {
    // Prepare: 28 rows a side, so 28³ = 21 952 rows
    const id = await start(
      'SELECT a.order_id AS a, b.version AS b FROM orders a CROSS JOIN orders b CROSS JOIN orders c',
    );
    await ended(id);

    // Act
    const pages = [];
    let NextToken: string | undefined;
    do {
      const page = await client.send(new GetQueryResultsCommand({ QueryExecutionId: id, NextToken }));
      pages.push(page.ResultSet?.Rows ?? []);
      NextToken = page.NextToken;
    } while (NextToken);

    // Assess
    expect(pages.map((p) => p.length)).toEqual([...Array(21).fill(1000), 953]);
    expect(pages[0]?.[0]?.Data).toEqual([{ VarCharValue: 'a' }, { VarCharValue: 'b' }]);
    expect(pages[1]?.[0]?.Data?.[0]?.VarCharValue).toMatch(/^WO/);
  });

  it('returns the column types and texts Athena gives, and NULL as a datum without value', async () => {
    // Act
    const id = await start(
      "SELECT CAST(1 AS INTEGER) AS i, count(*) AS n, sum(version) AS s, avg(lat) AS mean, 1.0E7 AS big, 0.5E0 AS half, CAST(12.5 AS DECIMAL(10,2)) AS money, true AS yes, DATE '2026-01-02' AS day, TIMESTAMP '2026-01-02 03:04:05.120' AS at, max(closed_at) AS closed, CAST(NULL AS VARCHAR) AS nothing, 'Mixed' AS MixedCase FROM latest_orders WHERE month = '2026-01'",
    );
    await ended(id);
    const results = await client.send(new GetQueryResultsCommand({ QueryExecutionId: id }));

    // Assess
    const columns = results.ResultSet?.ResultSetMetadata?.ColumnInfo ?? [];
    expect(columns.map((c) => [c.Name, c.Type])).toEqual([
      ['i', 'integer'],
      ['n', 'bigint'],
      ['s', 'bigint'],
      ['mean', 'double'],
      ['big', 'double'],
      ['half', 'double'],
      ['money', 'decimal'],
      ['yes', 'boolean'],
      ['day', 'date'],
      ['at', 'timestamp'],
      ['closed', 'timestamp'],
      ['nothing', 'varchar'],
      ['mixedcase', 'varchar'],
    ]);
    expect(columns.find((c) => c.Name === 'money')).toMatchObject({ Precision: 10, Scale: 2 });
    expect(results.ResultSet?.Rows?.[1]?.Data).toEqual([
      { VarCharValue: '1' },
      { VarCharValue: '8' },
      { VarCharValue: '72' },
      { VarCharValue: expect.stringMatching(/^39\.90\d+$/) },
      { VarCharValue: '1.0E7' },
      { VarCharValue: '0.5' },
      { VarCharValue: '12.50' },
      { VarCharValue: 'true' },
      { VarCharValue: '2026-01-02' },
      { VarCharValue: '2026-01-02 03:04:05.120' },
      { VarCharValue: '2026-01-08 08:30:00.120' },
      {},
      { VarCharValue: 'Mixed' },
    ]);
  });

  it('rejects GetQueryResults before the query ended', async () => {
    // Prepare
    const id = athena.startQueryExecution({
      QueryString: 'SELECT 1 AS one',
      WorkGroup: WORK_GROUP,
      QueryExecutionContext: { Database: DATABASE },
    }).QueryExecutionId;

    // Act
    const error = (() => {
      try {
        athena.getQueryResults({ QueryExecutionId: id });
      } catch (e) {
        return e as Error;
      }
    })();
    await athena.whenIdle();

    // Assess
    expect(error?.message).toBe('Query has not yet finished. Current state: QUEUED');
  });
});

describe('CREATE OR REPLACE VIEW and the live store', () => {
  it('runs CREATE OR REPLACE VIEW as DDL, and later queries read the view', async () => {
    // Act
    const id = await start(
      "CREATE OR REPLACE VIEW january AS SELECT * FROM latest_orders WHERE month = '2026-01'",
    );
    const created = await ended(id);
    const rows = await engine.query('SELECT count(*) AS n FROM january');
    const results = await client.send(new GetQueryResultsCommand({ QueryExecutionId: id }));

    // Assess
    expect(created).toMatchObject({
      StatementType: 'DDL',
      SubstatementType: 'CREATE_VIEW',
      Status: { State: 'SUCCEEDED' },
    });
    expect(results.ResultSet?.Rows).toEqual([]);
    expect(rows).toEqual([{ n: 8 }]);
  });

  it('reads a live root that received its first file after the first queries, keeping the views', async () => {
    // Prepare
    await writeAnalyticsParquet(
      [sampleRow({ order_id: 'WO-LIVE-0001', received_at: '2026-02-20T02:00:00.000Z' })],
      liveRoot,
      'firehose-0001',
    );

    // Act
    const rows = await engine.query('SELECT count(*) AS n FROM latest_orders');
    const view = await engine.query('SELECT count(*) AS n FROM january');

    // Assess
    expect([rows, view]).toEqual([[{ n: 15 }], [{ n: 8 }]]);
  });
});

describe('the SQL files on Athena (the local twin) and on DuckDB', () => {
  let duckDb: AnalyticsEngine;
  beforeAll(async () => {
    duckDb = await openDuckDb({ roots: [historyRoot, liveRoot], threads: 1 });
  });
  afterAll(() => duckDb?.close());

  const files = readdirSync(sqlDir)
    .filter((f) => f.endsWith('.sql') && f !== 'latest_orders.sql')
    .map((f) => f.slice(0, -4));
  const samples = (name: string): Record<string, SqlParam> =>
    Object.fromEntries(
      sqlParams(readSql(name)).map((p) => [
        p.name,
        p.type === 'int' || p.type === 'double' ? Number(p.sample) : p.sample,
      ]),
    );

  it.each(files)(
    'returns the same rows for %s.sql through the Athena API as DuckDB returns',
    async (name) => {
      // Act
      const onAthena = await engine.queryFile(name, samples(name));
      const onDuckDb = await duckDb.queryFile(name, samples(name));

      // Assess
      const canonical = (rows: readonly object[]) => rows.map((r) => JSON.stringify(r)).sort();
      expect(canonical(onAthena)).toEqual(canonical(onDuckDb));
    },
  );
});
