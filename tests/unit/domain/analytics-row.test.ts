import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { analyticsRowOf } from '#domain/analytics-projection.ts';
import {
  type AnalyticsRow,
  type AnalyticsType,
  analyticsColumns,
  analyticsTable,
  analyticsTypes,
  duckdbColumnsDdl,
} from '#domain/analytics-row.ts';
import { exclusionReasons } from '#domain/assessment.ts';
import { satisfiedAnswers, solvedAnswers } from '#domain/callback.ts';
import { sealEvents } from '#domain/order-events.ts';
import { appealTypes, channels, requesterSchema, urgencies } from '#domain/order-input.ts';
import { unitClasses } from '#domain/reference-data.ts';
import { replyResults, type WorkOrder } from '#domain/work-order.ts';
import { keyedHashWith } from '#shared/platform/keyed-hash.ts';
import { referenceData } from '#shared/platform/reference.ts';
import { CLOSED_AT, LEAD, orderIn, REPLIED_AT, workflow } from './support.ts';

/**
 * The analytics row's schema (analytics-row.ts) against the rows the live path really writes
 * (analyticsRowOf): every value has its column's type, only nullable columns are ever null and each of
 * them is null for some order, and the comments (the Glue table's, read by analysts in Athena) name
 * the domain's own values. No DuckDB here: tests/unit/analytics/ runs the SQL over these columns.
 */
const context = { reference: referenceData, keyedHash: keyedHashWith('analytics-row-test-key-0123456789') };

const logOf = (order: WorkOrder, entries: readonly (readonly [string, string, Record<string, unknown>])[]) =>
  sealEvents(
    order.id,
    undefined,
    entries.map(([type, at, data]) => ({ type, at, actor: workflow, data })),
  );

/** Just recorded: anonymous, a level-1 category, only its district known. */
const justReceived = (): AnalyticsRow => {
  const order = orderIn('received', {
    categoryCode: '01',
    requester: { kind: 'person', anonymous: true, declinesCallback: false },
    location: { districtCode: '110101' },
  });
  return analyticsRowOf(order, [], context);
};

/** Handled by 东华门街道, called back (solved, satisfied), then excluded by the centre as a duplicate. */
const handledAndExcluded = (): AnalyticsRow => {
  const answeredAt = '2026-12-03T02:00:00.000Z';
  const order = orderIn('closed', {
    location: {
      districtCode: '110101',
      streetCode: '110101001',
      address: '东华门大街1号',
      lat: 39.91,
      long: 116.4,
    },
    callback: { round: 1, reason: 'handled', state: 'answered', dueAt: CLOSED_AT, attempts: 1 },
  } as Partial<WorkOrder>);
  const events = logOf(order, [
    ['dispatched', '2026-12-01T01:05:00.000Z', { unitId: LEAD }],
    ['replied', REPLIED_AT, { result: 'resolved' }],
    ['closed', CLOSED_AT, { outcome: 'handled' }],
    [
      'callback_answered',
      answeredAt,
      { round: 1, contactedInTime: true, solved: 'solved', satisfied: 'satisfied' },
    ],
    ['assessment_excluded', '2026-12-04T02:00:00.000Z', { reason: 'duplicate', note: '重复' }],
  ]);
  return analyticsRowOf(order, events, context);
};

/** Closed at intake as a repeat of an earlier order (Art. 11). */
const repeatDisposition = (): AnalyticsRow => {
  const received = orderIn('received');
  const order: WorkOrder = {
    ...received,
    status: 'closed',
    disposition: { kind: 'repeat', originalOrderId: 'WO01KBORIGINAL00000000000000' },
    closedAt: received.receivedAt,
    closure: { outcome: 'disposed' },
  };
  return analyticsRowOf(order, [], context);
};

const sampleRows = (): AnalyticsRow[] => [justReceived(), handledAndExcluded(), repeatDisposition()];

const ISO_INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;
const ISO_DATE = /^\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])$/;

/** What a value of each type looks like in a row (timestamps and dates as ISO strings). */
const holdsA: Record<AnalyticsType, (value: unknown) => boolean> = {
  string: (v) => typeof v === 'string',
  int: (v) => Number.isInteger(v),
  double: (v) => typeof v === 'number' && Number.isFinite(v),
  boolean: (v) => typeof v === 'boolean',
  timestamp: (v) => typeof v === 'string' && ISO_INSTANT.test(v) && new Date(v).toISOString() === v,
  date: (v) => typeof v === 'string' && ISO_DATE.test(v),
};

const columnNamed = (name: string) => {
  const found = analyticsColumns.find((c) => c.name === name);
  if (!found) throw new Error(`No column ${name}`);
  return found;
};

/** The values an enumerated column's comment lists: `a | b | c`, after a `label: ` and before a `; note`. */
const listedIn = (comment: string): string[] =>
  comment
    .replace(/^[^|]*: /, '')
    .replace(/;.*$/, '')
    .split(' | ');

describe('analyticsColumns (analytics-row)', () => {
  it('returns a type of the store for every column', () => {
    for (const column of analyticsColumns) {
      expect(Object.keys(analyticsTypes), column.name).toContain(column.type);
    }
  });

  it('returns columns whose type holds every value the live path writes', () => {
    // Act
    const rows = sampleRows();

    // Assess
    for (const row of rows) {
      for (const column of analyticsColumns) {
        const value = row[column.name];
        if (value === null) continue;
        expect(
          holdsA[column.type](value),
          `${column.name} = ${JSON.stringify(value)} as ${column.type}`,
        ).toBe(true);
      }
    }
  });

  it('returns the types that the meaning of each kind of column needs', () => {
    // Instants (UTC), CST calendar days, counts, measures and flags each have their own type.
    expect(columnNamed('received_at').type).toBe('timestamp');
    expect(columnNamed('updated_at').type).toBe('timestamp');
    expect(columnNamed('answered_at').type).toBe('timestamp');
    expect(columnNamed('received_date').type).toBe('date');
    expect(columnNamed('closed_date').type).toBe('date');
    expect(columnNamed('received_month').type).toBe('string');
    expect(columnNamed('version').type).toBe('int');
    expect(columnNamed('received_hour').type).toBe('int');
    expect(columnNamed('reopenings').type).toBe('int');
    expect(columnNamed('hours_to_close').type).toBe('double');
    expect(columnNamed('lat').type).toBe('double');
    expect(columnNamed('overdue').type).toBe('boolean');
    expect(columnNamed('contacted_in_time').type).toBe('boolean');
    // H3 cells are hex strings: Trino has no unsigned 64-bit integers.
    expect(columnNamed('h3_r9').type).toBe('string');
  });

  it('returns not nullable for every column that no order ever leaves null', () => {
    // Act
    const rows = sampleRows();

    // Assess
    for (const row of rows) {
      for (const column of analyticsColumns) {
        if (!column.nullable) expect(row[column.name], `${column.name} of ${row.status}`).not.toBeNull();
      }
    }
  });

  it('returns nullable only for columns that some order leaves null', () => {
    // Act
    const rows = sampleRows();

    // Assess
    for (const column of analyticsColumns.filter((c) => c.nullable)) {
      expect(
        rows.some((row) => row[column.name] === null),
        column.name,
      ).toBe(true);
    }
  });

  it('returns columns that some order fills: none is always null', () => {
    // Act
    const rows = sampleRows();

    // Assess
    for (const column of analyticsColumns) {
      expect(
        rows.some((row) => row[column.name] !== null),
        column.name,
      ).toBe(true);
    }
  });

  it('returns a comment for every column', () => {
    for (const column of analyticsColumns) expect(column.comment.trim(), column.name).not.toBe('');
  });

  it("returns comments that list the domain's own values of each enumerated column", () => {
    const domainValues: Record<string, readonly string[]> = {
      appeal_type: appealTypes,
      channel: channels,
      urgency: urgencies,
      requester_kind: requesterSchema.shape.kind.options,
      unit_class: unitClasses,
      reply_result: replyResults,
      answer_solved: solvedAnswers,
      answer_satisfied: satisfiedAnswers,
      exclusion_reason: exclusionReasons,
    };
    for (const [name, values] of Object.entries(domainValues)) {
      expect(listedIn(columnNamed(name).comment), name).toEqual([...values]);
    }
  });

  it('returns a comment on the source that names the value the live path writes', () => {
    // Act
    const row = justReceived();

    // Assess
    expect(columnNamed('source').comment).toContain(`'${String(row.source)}'`);
  });
});

describe('duckdbColumnsDdl (analytics-row)', () => {
  it('returns every column in file order with its DuckDB type, as `name TYPE, …`', () => {
    // Act
    const ddl = duckdbColumnsDdl();

    // Assess
    const parts = ddl.split(', ').map((part) => part.split(' '));
    expect(parts.map(([name]) => name)).toEqual(analyticsColumns.map((c) => c.name));
    for (const [name, type, ...rest] of parts) {
      expect(rest, String(name)).toEqual([]);
      expect(type, String(name)).toBe(analyticsTypes[columnNamed(String(name)).type].duckdb);
    }
    expect(ddl.startsWith('order_id VARCHAR, version INTEGER, updated_at TIMESTAMP, ')).toBe(true);
    expect(ddl).toContain(', received_date DATE, ');
    expect(ddl).toContain(', lat DOUBLE, ');
    expect(ddl).toContain(', anonymous BOOLEAN, ');
  });
});

describe('analyticsTable (analytics-row)', () => {
  it('returns the relation that latest_orders.sql, which every query reads, selects from', () => {
    // Prepare
    const sql = readFileSync(new URL('../../../analytics/sql/latest_orders.sql', import.meta.url), 'utf8');

    // Act
    const tables = [...sql.matchAll(/\bFROM\s+(\w+)\s+\w+\b/g)].map((m) => m[1]);

    // Assess
    expect(tables).toEqual([analyticsTable, analyticsTable]);
  });
});
