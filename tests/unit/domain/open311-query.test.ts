import { describe, expect, it } from 'vitest';
import { DAY_MS } from '#domain/china-time.ts';
import { open311Query, parseW3cTime } from '#domain/open311-query.ts';

const NOW = Date.parse('2026-12-04T02:00:00Z');

describe('parseW3cTime', () => {
  it.each([
    ['2026-12-01T00:00:00Z', '2026-12-01T00:00:00.000Z'],
    ['2026-12-01T08:00:00+08:00', '2026-12-01T00:00:00.000Z'],
    ['2026-12-01T08:00+08:00', '2026-12-01T00:00:00.000Z'],
    ['2026-12-01T03:00:00.5-05:00', '2026-12-01T08:00:00.500Z'],
    // a date alone is that day at CST midnight
    ['2026-12-01', '2026-11-30T16:00:00.000Z'],
  ])('reads %s', (raw, iso) => {
    expect(new Date(parseW3cTime(raw) ?? 0).toISOString()).toBe(iso);
  });

  it.each(['2026-12-01T00:00:00', 'yesterday', '2026-13-01', '2026-12-01 00:00:00Z', ''])(
    'refuses %j',
    (raw) => {
      expect(parseW3cTime(raw)).toBeUndefined();
    },
  );
});

describe('open311Query', () => {
  it('defaults to the most recent 90 days, every service and status', () => {
    expect(open311Query({}, NOW)).toEqual({
      ok: true,
      query: { kind: 'range', fromMs: NOW - 90 * DAY_MS, toMs: NOW },
    });
  });

  it('lets service_request_id override everything else, deduplicated', () => {
    expect(
      open311Query({ service_request_id: 'WO1, WO2,WO1,', status: 'bogus', start_date: 'x' }, NOW),
    ).toEqual({
      ok: true,
      query: { kind: 'ids', ids: ['WO1', 'WO2'] },
    });
  });

  it('spans 90 days from a start alone (never past now) and to an end alone', () => {
    const start = Date.parse('2026-10-01T00:00:00Z');
    const fromStart = open311Query({ start_date: '2026-10-01T00:00:00Z' }, NOW);
    expect(fromStart.ok && fromStart.query).toMatchObject({ fromMs: start, toMs: NOW });
    const older = open311Query({ start_date: '2026-01-01T00:00:00Z' }, NOW);
    expect(older.ok && older.query).toMatchObject({ toMs: Date.parse('2026-01-01T00:00:00Z') + 90 * DAY_MS });
    const future = open311Query({ start_date: '2027-01-01T00:00:00Z' }, NOW);
    expect(future.ok && future.query).toMatchObject({
      fromMs: Date.parse('2027-01-01T00:00:00Z'),
      toMs: Date.parse('2027-01-01T00:00:00Z'),
    });
    const toEnd = open311Query({ end_date: '2026-10-01T00:00:00Z' }, NOW);
    expect(toEnd.ok && toEnd.query).toMatchObject({ fromMs: start - 90 * DAY_MS, toMs: start });
  });

  it('reads service_code and status lists', () => {
    const parsed = open311Query({ service_code: '010201,010101', status: 'open' }, NOW);
    expect(parsed.ok && parsed.query).toMatchObject({
      serviceCodes: new Set(['010201', '010101']),
      statuses: new Set(['open']),
    });
  });

  it('refuses a range over 90 days, a reversed one, bad dates and statuses, all at once where they can be', () => {
    const codes = (params: Record<string, string>) => {
      const parsed = open311Query(params, NOW);
      return parsed.ok ? [] : parsed.problems.map((p) => p.code);
    };
    expect(codes({ start_date: '2026-01-01T00:00:00Z', end_date: '2026-06-01T00:00:00Z' })).toEqual([
      'RANGE_TOO_LONG',
    ]);
    expect(codes({ start_date: '2026-06-01T00:00:00Z', end_date: '2026-01-01T00:00:00Z' })).toEqual([
      'INVALID_RANGE',
    ]);
    expect(codes({ start_date: '2026-06-01T00:00:00', status: 'open,pending' })).toEqual([
      'INVALID_DATE',
      'INVALID_STATUS',
    ]);
    expect(codes({ service_request_id: Array.from({ length: 101 }, (_, i) => `WO${i}`).join(',') })).toEqual([
      'TOO_MANY_IDS',
    ]);
  });

  it('accepts exactly 90 days', () => {
    expect(
      open311Query({ start_date: '2026-09-01T00:00:00Z', end_date: '2026-11-30T00:00:00Z' }, NOW).ok,
    ).toBe(true);
  });
});
