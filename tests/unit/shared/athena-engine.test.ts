import {
  AthenaClient,
  type ColumnInfo,
  GetQueryExecutionCommand,
  GetQueryResultsCommand,
  type GetQueryResultsOutput,
  type QueryExecutionState,
  StartQueryExecutionCommand,
  StopQueryExecutionCommand,
} from '@aws-sdk/client-athena';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { readSql } from '../../../analytics/duckdb-engine.ts';
import {
  AnalyticsQueryError,
  type AthenaQueryStatistics,
  athenaEngine,
  athenaScalar,
  sqlLiteral,
} from '../../../functions/shared/gateways/athena-engine.ts';

/**
 * The Athena engine against a mocked Athena API: what it sends (the statement, workgroup, database,
 * ExecutionParameters as SQL literals), how it waits (GetQueryExecution until a final state), and
 * how it reads the results (every page, the header row skipped, values by column type).
 */
const athena = mockClient(AthenaClient);
const ID = 'f1d2a3b4-0000-4000-8000-000000000001';
const fast = { firstMs: 1, maxMs: 2 };

const engineUnderTest = (statistics: AthenaQueryStatistics[] = []) =>
  athenaEngine({
    client: new AthenaClient({ region: 'cn-north-1' }),
    workGroup: 'hotline-analytics',
    database: 'hotline_analytics',
    poll: fast,
    onQuery: (s) => statistics.push(s),
  });

const column = (Name: string, Type: string): ColumnInfo => ({ Name, Label: Name, Type });
const row = (...values: (string | undefined)[]) => ({
  Data: values.map((v) => (v === undefined ? {} : { VarCharValue: v })),
});

/** Athena's answer for a SELECT whose executions pass through `states`, ending SUCCEEDED. */
const succeeds = (states: QueryExecutionState[] = ['SUCCEEDED'], statementType = 'DML') => {
  athena.on(StartQueryExecutionCommand).resolves({ QueryExecutionId: ID });
  const answers = athena.on(GetQueryExecutionCommand);
  states.forEach((State, i) => {
    const answer = {
      QueryExecution: {
        QueryExecutionId: ID,
        StatementType: statementType as 'DML',
        Status: { State },
        Statistics: {
          DataScannedInBytes: 12_345,
          EngineExecutionTimeInMillis: 321,
          TotalExecutionTimeInMillis: 400,
        },
      },
    };
    if (i === states.length - 1) answers.resolves(answer);
    else answers.resolvesOnce(answer);
  });
};

beforeEach(() => {
  athena.reset();
});

describe('athenaEngine.query', () => {
  it('returns every page of rows, the header skipped on the first page only', async () => {
    // Prepare
    succeeds();
    const columns = [column('category_code', 'varchar'), column('n', 'bigint')];
    const page = (rows: GetQueryResultsOutput['ResultSet'], NextToken?: string) => ({
      ResultSet: rows,
      ...(NextToken ? { NextToken } : {}),
    });
    athena
      .on(GetQueryResultsCommand, { NextToken: undefined })
      .resolves(
        page(
          { Rows: [row('category_code', 'n'), row('0101', '5')], ResultSetMetadata: { ColumnInfo: columns } },
          'p2',
        ),
      )
      .on(GetQueryResultsCommand, { NextToken: 'p2' })
      .resolves(
        page(
          { Rows: [row('category_code', '7'), row('0103', '1')], ResultSetMetadata: { ColumnInfo: columns } },
          'p3',
        ),
      )
      .on(GetQueryResultsCommand, { NextToken: 'p3' })
      .resolves(page({ Rows: [row('0104', '2')], ResultSetMetadata: { ColumnInfo: columns } }));

    // Act
    const rows = await engineUnderTest().query('SELECT category_code, count(*) AS n FROM orders GROUP BY 1');

    // Assess: a data row that happens to read like the header, on a later page, is data
    expect(rows).toEqual([
      { category_code: '0101', n: 5 },
      { category_code: 'category_code', n: 7 },
      { category_code: '0103', n: 1 },
      { category_code: '0104', n: 2 },
    ]);
    const pages = athena.commandCalls(GetQueryResultsCommand).map((c) => c.args[0].input);
    expect(pages).toEqual([
      { QueryExecutionId: ID, MaxResults: 1000, NextToken: undefined },
      { QueryExecutionId: ID, MaxResults: 1000, NextToken: 'p2' },
      { QueryExecutionId: ID, MaxResults: 1000, NextToken: 'p3' },
    ]);
  });

  it('sends the statement in the workgroup and database, its parameters as SQL literals', async () => {
    // Prepare
    succeeds();
    athena.on(GetQueryResultsCommand).resolves({
      ResultSet: { Rows: [row('n')], ResultSetMetadata: { ColumnInfo: [column('n', 'bigint')] } },
    });

    // Act
    await engineUnderTest().query(
      'SELECT count(*) AS n FROM orders WHERE a = ? AND b = ? AND c = ? AND d = ? AND e = ?',
      ["O'Brien's", 42, 0.25, true, null],
    );

    // Assess
    expect(athena.commandCalls(StartQueryExecutionCommand)[0]?.args[0].input).toEqual({
      QueryString: 'SELECT count(*) AS n FROM orders WHERE a = ? AND b = ? AND c = ? AND d = ? AND e = ?',
      WorkGroup: 'hotline-analytics',
      QueryExecutionContext: { Database: 'hotline_analytics' },
      ExecutionParameters: ["'O''Brien''s'", '42', '0.25', 'TRUE', 'NULL'],
    });
  });

  it('sends no ExecutionParameters when the statement has none (Athena wants at least one if any)', async () => {
    // Prepare
    succeeds();
    athena
      .on(GetQueryResultsCommand)
      .resolves({ ResultSet: { Rows: [], ResultSetMetadata: { ColumnInfo: [] } } });

    // Act
    await engineUnderTest().query('SELECT 1 AS one');

    // Assess
    expect(athena.commandCalls(StartQueryExecutionCommand)[0]?.args[0].input).not.toHaveProperty(
      'ExecutionParameters',
    );
  });

  it('waits through QUEUED and RUNNING, then reports the statistics of the succeeded query', async () => {
    // Prepare
    succeeds(['QUEUED', 'RUNNING', 'RUNNING', 'SUCCEEDED']);
    athena.on(GetQueryResultsCommand).resolves({
      ResultSet: {
        Rows: [row('n'), row('3')],
        ResultSetMetadata: { ColumnInfo: [column('n', 'integer')] },
      },
    });
    const statistics: AthenaQueryStatistics[] = [];

    // Act
    const rows = await engineUnderTest(statistics).query('SELECT 3 AS n');

    // Assess
    expect(rows).toEqual([{ n: 3 }]);
    expect(athena.commandCalls(GetQueryExecutionCommand)).toHaveLength(4);
    expect(statistics).toEqual([
      {
        queryExecutionId: ID,
        dataScannedInBytes: 12_345,
        engineExecutionTimeInMillis: 321,
        totalExecutionTimeInMillis: 400,
        rows: 1,
      },
    ]);
  });

  it.each([
    ['FAILED', "TABLE_NOT_FOUND: line 1:15: Table 'awsdatacatalog.hotline_analytics.nope' does not exist"],
    ['CANCELLED', 'Bytes scanned limit was exceeded'],
  ] as const)(
    'rejects a %s query with an AnalyticsQueryError naming the reason',
    async (State, StateChangeReason) => {
      // Prepare
      athena.on(StartQueryExecutionCommand).resolves({ QueryExecutionId: ID });
      athena
        .on(GetQueryExecutionCommand)
        .resolves({ QueryExecution: { QueryExecutionId: ID, Status: { State, StateChangeReason } } });

      // Act
      const error = await engineUnderTest()
        .query('SELECT * FROM nope')
        .catch((e: unknown) => e);

      // Assess
      expect(error).toBeInstanceOf(AnalyticsQueryError);
      expect(error).toMatchObject({ queryExecutionId: ID, state: State, reason: StateChangeReason });
      expect((error as Error).message).toBe(`Athena query ${ID} ${State}: ${StateChangeReason}`);
      expect(athena.commandCalls(GetQueryResultsCommand)).toHaveLength(0);
    },
  );

  it('stops a query that outlasts the timeout and rejects it', async () => {
    // Prepare
    athena.on(StartQueryExecutionCommand).resolves({ QueryExecutionId: ID });
    athena
      .on(GetQueryExecutionCommand)
      .resolves({ QueryExecution: { QueryExecutionId: ID, Status: { State: 'RUNNING' } } });
    athena.on(StopQueryExecutionCommand).resolves({});
    const engine = athenaEngine({
      client: new AthenaClient({ region: 'cn-north-1' }),
      workGroup: 'hotline-analytics',
      database: 'hotline_analytics',
      poll: { firstMs: 1, maxMs: 2, timeoutMs: 20 },
    });

    // Act
    const error = await engine.query('SELECT 1 AS one').catch((e: unknown) => e);

    // Assess
    expect(error).toMatchObject({ name: 'AnalyticsQueryError', state: 'TIMEOUT' });
    expect(athena.commandCalls(StopQueryExecutionCommand)[0]?.args[0].input).toEqual({
      QueryExecutionId: ID,
    });
  });
});

describe('athenaEngine.queryFile and createLatestView', () => {
  it('sends the file text with its declared parameters as literals of their types', async () => {
    // Prepare
    succeeds();
    athena.on(GetQueryResultsCommand).resolves({
      ResultSet: {
        Rows: [row('unit_id')],
        ResultSetMetadata: { ColumnInfo: [column('unit_id', 'varchar')] },
      },
    });

    // Act
    await engineUnderTest().queryFile('unit_month_rates', { month: '2026-01' });

    // Assess
    expect(athena.commandCalls(StartQueryExecutionCommand)[0]?.args[0].input).toMatchObject({
      QueryString: readSql('unit_month_rates'),
      ExecutionParameters: ["'2026-01'"],
    });
  });

  it('rejects a file parameter without a value before calling Athena', async () => {
    // Act
    const error = await engineUnderTest()
      .queryFile('unit_month_rates', {})
      .catch((e: unknown) => e);

    // Assess
    expect((error as Error).message).toBe('SQL parameter month has no value');
    expect(athena.commandCalls(StartQueryExecutionCommand)).toHaveLength(0);
  });

  it('creates the latest_orders view from analytics/sql/latest_orders.sql as a DDL statement', async () => {
    // Prepare
    succeeds(['SUCCEEDED'], 'DDL');

    // Act
    await engineUnderTest().createLatestView();

    // Assess
    const sent = athena.commandCalls(StartQueryExecutionCommand)[0]?.args[0].input;
    expect(sent?.QueryString).toBe(
      `CREATE OR REPLACE VIEW latest_orders AS\n${readSql('latest_orders').trim()}`,
    );
    expect(sent).not.toHaveProperty('ExecutionParameters');
    expect(athena.commandCalls(GetQueryResultsCommand)).toHaveLength(0);
  });
});

describe('sqlLiteral', () => {
  it.each([
    ['a string', 'it’s', undefined, "'it’s'"],
    ['a quote', "a'b", undefined, "'a''b'"],
    ['an integer', 7, undefined, '7'],
    ['a negative fraction', -0.5, undefined, '-0.5'],
    ['a date', '2026-01-31', 'date', "DATE '2026-01-31'"],
    ['an int given as text', '12', 'int', '12'],
    ['a double', 0.1, 'double', "DOUBLE '0.1'"],
    ['a string declared string', '2026-01', 'string', "'2026-01'"],
    ['false', false, undefined, 'FALSE'],
  ] as const)('returns %s as Athena literal text', (_case, value, type, expected) => {
    expect(sqlLiteral(value, type)).toBe(expected);
  });

  it.each([
    ['a date not YYYY-MM-DD', '31/01/2026', 'date'],
    ['an int with a fraction', 1.5, 'int'],
    ['a double that is not a number', 'lots', 'double'],
    ['an infinite number', Number.POSITIVE_INFINITY, undefined],
  ] as const)('rejects %s', (_case, value, type) => {
    expect(() => sqlLiteral(value, type)).toThrow();
  });
});

describe('athenaScalar', () => {
  it.each([
    ['bigint', '9007199254740991', 9_007_199_254_740_991],
    ['integer', '-3', -3],
    ['double', '1.0E7', 10_000_000],
    ['double', 'NaN', Number.NaN],
    ['decimal(10,2)', '12.50', 12.5],
    ['boolean', 'true', true],
    ['boolean', 'false', false],
    ['date', '2026-01-02', '2026-01-02'],
    ['timestamp', '2026-01-02 03:04:05.123', '2026-01-02T03:04:05.123Z'],
    ['timestamp', '2026-01-02 03:04:05', '2026-01-02T03:04:05.000Z'],
    ['timestamp with time zone', '2026-01-02 11:04:05.100 UTC', '2026-01-02T11:04:05.100Z'],
    ['varchar', '', ''],
    ['varchar', '0101', '0101'],
  ])('returns %s %j as the DuckDB engine would', (type, text, expected) => {
    expect(athenaScalar(text, column('c', type))).toEqual(expected);
  });

  it('returns null for a datum without VarCharValue (SQL NULL)', () => {
    expect(athenaScalar(undefined, column('c', 'bigint'))).toBeNull();
  });
});
