import { describe, expect, it } from 'vitest';
import {
  type Cron,
  nextCronInstant,
  parseScheduleExpression,
  ScheduleExpressionError,
} from '../../../local/schedule-expressions.ts';

const cronOf = (expression: string): Cron => {
  const parsed = parseScheduleExpression(expression);
  if (parsed.kind !== 'cron') throw new Error(`${expression} is not a cron expression`);
  return parsed.cron;
};

/** The next `count` occurrences after `from` (ISO instants), each searched after the one before. */
const occurrences = (expression: string, zone: string, from: string, count: number): string[] => {
  const cron = cronOf(expression);
  const found: string[] = [];
  let after = Date.parse(from);
  for (let i = 0; i < count; i++) {
    const next = nextCronInstant(cron, zone, after);
    if (next === undefined) break;
    found.push(new Date(next).toISOString());
    after = next;
  }
  return found;
};

describe('parseScheduleExpression', () => {
  it.each([
    ['rate(1 minute)', 60_000],
    ['rate(5 minutes)', 300_000],
    ['rate(1 hour)', 3_600_000],
    ['rate(2 days)', 172_800_000],
  ])('returns %s as a period of %i ms', (expression, everyMs) => {
    expect(parseScheduleExpression(expression)).toEqual({ kind: 'rate', everyMs });
  });

  it('returns the values each cron field allows, with names, ranges, lists and steps', () => {
    // Act
    const cron = cronOf('cron(0/20 8-10,22 ? JAN,JUL-AUG MON-FRI 2026-2027)');

    // Assess
    expect(cron).toEqual({
      minutes: new Set([0, 20, 40]),
      hours: new Set([8, 9, 10, 22]),
      daysOfMonth: undefined,
      months: new Set([1, 7, 8]),
      daysOfWeek: new Set([2, 3, 4, 5, 6]),
      years: new Set([2026, 2027]),
    });
  });

  it('returns */n and a-b/n steps from the start of their range', () => {
    // Act
    const cron = cronOf('cron(*/15 1-9/4 */10 * ? *)');

    // Assess
    expect([...cron.minutes]).toEqual([0, 15, 30, 45]);
    expect([...cron.hours]).toEqual([1, 5, 9]);
    expect([...(cron.daysOfMonth ?? [])]).toEqual([1, 11, 21, 31]);
  });

  it.each([
    'cron(0 2 * * ? *)x',
    'cron(0  2 * * ? *)',
    'cron(60 2 * * ? *)',
    'cron(0 2 0 * ? *)',
    'cron(0 2 * 13 ? *)',
    'cron(0 2 ? * 8 *)',
    'cron(0 2 * * ? 2200)',
    'cron(0/0 2 * * ? *)',
    'cron(0 2 * * ? * *)',
    'rate(1 minutes)',
    'rate(-1 minutes)',
    'at(2026-12-01 09:00:00)',
    'every(1 day)',
  ])('rejects %s as an invalid expression', (expression) => {
    // Act
    const error = (() => {
      try {
        parseScheduleExpression(expression);
      } catch (e) {
        return e;
      }
    })();

    // Assess
    expect(error).toBeInstanceOf(ScheduleExpressionError);
    expect((error as Error).message).toBe(`Invalid Schedule Expression ${expression}.`);
  });

  it.each(['cron(0 2 L * ? *)', 'cron(0 2 LW * ? *)', 'cron(0 2 ? * 6L *)', 'cron(0 2 ? * MON#2 *)'])(
    'rejects %s saying the local twin does not support L, W and #',
    (expression) => {
      expect(() => parseScheduleExpression(expression)).toThrow(
        /local EventBridge Scheduler does not support L, W or # in cron expressions/,
      );
    },
  );

  it('returns month and day names that contain L or W as the months and days they name', () => {
    // Act
    const cron = cronOf('cron(0 2 ? JUL WED *)');

    // Assess
    expect([[...cron.months], [...(cron.daysOfWeek ?? [])]]).toEqual([[7], [4]]);
  });
});

describe('nextCronInstant', () => {
  it('returns 02:00 each night in Asia/Shanghai as 18:00 UTC the day before', () => {
    expect(occurrences('cron(0 2 * * ? *)', 'Asia/Shanghai', '2026-12-01T00:00:00Z', 3)).toEqual([
      '2026-12-01T18:00:00.000Z',
      '2026-12-02T18:00:00.000Z',
      '2026-12-03T18:00:00.000Z',
    ]);
  });

  it('returns the occurrence strictly after the given instant, not at it', () => {
    // Prepare
    const at = Date.parse('2026-12-01T18:00:00Z');

    // Act
    const next = nextCronInstant(cronOf('cron(0 2 * * ? *)'), 'Asia/Shanghai', at);

    // Assess
    expect(new Date(next ?? 0).toISOString()).toBe('2026-12-02T18:00:00.000Z');
  });

  it('returns weekdays only for MON-FRI, skipping the weekend', () => {
    // 2026-12-04 is a Friday
    expect(occurrences('cron(30 9 ? * MON-FRI *)', 'UTC', '2026-12-04T10:00:00Z', 2)).toEqual([
      '2026-12-07T09:30:00.000Z',
      '2026-12-08T09:30:00.000Z',
    ]);
  });

  it('returns the 31st only in the months that have one', () => {
    expect(occurrences('cron(0 0 31 * ? *)', 'UTC', '2026-01-31T12:00:00Z', 2)).toEqual([
      '2026-03-31T00:00:00.000Z',
      '2026-05-31T00:00:00.000Z',
    ]);
  });

  it('returns 29 February of leap years only', () => {
    expect(occurrences('cron(0 0 29 2 ? *)', 'UTC', '2026-01-01T00:00:00Z', 2)).toEqual([
      '2028-02-29T00:00:00.000Z',
      '2032-02-29T00:00:00.000Z',
    ]);
  });

  it('returns no occurrence once the year field has passed', () => {
    expect(occurrences('cron(0 0 1 1 ? 2026)', 'UTC', '2026-06-01T00:00:00Z', 1)).toEqual([]);
  });

  it('skips a wall time the spring-forward night does not have (America/New_York, 2026-03-08)', () => {
    expect(occurrences('cron(30 2 * * ? *)', 'America/New_York', '2026-03-07T00:00:00Z', 2)).toEqual([
      '2026-03-07T07:30:00.000Z',
      '2026-03-09T06:30:00.000Z',
    ]);
  });

  it('fires a wall time the fall-back night has twice only once (America/New_York, 2026-11-01)', () => {
    expect(occurrences('cron(30 1 * * ? *)', 'America/New_York', '2026-10-31T12:00:00Z', 2)).toEqual([
      '2026-11-01T05:30:00.000Z',
      '2026-11-02T06:30:00.000Z',
    ]);
  });

  it('fires every 30 minutes through the repeated hour once each, not twice', () => {
    expect(occurrences('cron(0/30 * * * ? *)', 'America/New_York', '2026-11-01T04:45:00Z', 4)).toEqual([
      '2026-11-01T05:00:00.000Z',
      '2026-11-01T05:30:00.000Z',
      '2026-11-01T07:00:00.000Z',
      '2026-11-01T07:30:00.000Z',
    ]);
  });
});
