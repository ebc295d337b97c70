import { describe, expect, it } from 'vitest';
import holidays from '#data/holidays.json' with { type: 'json' };
import timeLimitsJson from '#data/time-limits.json' with { type: 'json' };
import {
  applyLimit,
  dispatchDeadline,
  handlingDeadlines,
  limitsFor,
  secondsUntil,
  type TimeLimits,
  timeLimitsSchema,
} from '#domain/time-limits.ts';
import { type HolidayCalendarData, WorkingCalendar } from '#domain/working-calendar.ts';

const calendar = new WorkingCalendar(holidays as HolidayCalendarData);
const at = (iso: string): number => Date.parse(iso);
const iso = (ms: number): string => new Date(ms).toISOString();

/** Hand-made limits in which every case has a different value, so each precedence is visible. */
const limits: TimeLimits = {
  version: 'test',
  byUrgency: {
    emergency: { contact: { hours: 1 }, resolve: { hours: 4 } },
    urgent: { contact: { hours: 2 }, resolve: { hours: 24 } },
    normal: { contact: { hours: 24 }, resolve: { calendarDays: 7 } },
  },
  utility: { contact: { hours: 3 }, resolve: { hours: 36 } },
  byCategory: {
    '01': { resolve: { workingDays: 5 } },
    '0101': { contact: { hours: 12 } },
    '030101': { resolve: { calendarDays: 2 } },
  },
  reopened: { resolve: { workingDays: 3 } },
};

describe('applyLimit', () => {
  it('returns the instant plus exactly that many hours for an hours limit', () => {
    // Prepare
    const from = at('2026-12-01T02:00:00.000Z');

    // Act / Assess
    expect(iso(applyLimit(from, { hours: 2 }, calendar))).toBe('2026-12-01T04:00:00.000Z');
    expect(iso(applyLimit(from, { hours: 0.5 }, calendar))).toBe('2026-12-01T02:30:00.000Z');
  });

  it('returns the instant plus whole 24-hour days for calendar days, through holidays and weekends', () => {
    // Prepare: 2026-09-30 10:00 CST, the day before National Day
    const from = at('2026-09-30T02:00:00.000Z');

    // Act
    const due = applyLimit(from, { calendarDays: 7 }, calendar);

    // Assess
    expect(iso(due)).toBe('2026-10-07T02:00:00.000Z');
  });

  it('returns the end of the n-th working day in CST for working days', () => {
    // Prepare
    const from = at('2026-09-30T02:00:00.000Z');

    // Act
    const due = applyLimit(from, { workingDays: 3 }, calendar);

    // Assess: Oct 8, Oct 9, Oct 10 (make-up Saturday)
    expect(iso(due)).toBe('2026-10-10T15:59:59.999Z');
  });
});

describe('limitsFor', () => {
  it('returns the limits of the urgency for an ordinary category without override', () => {
    // Act
    const normal = limitsFor(limits, { urgency: 'normal', categoryPath: ['02', '0201'], utility: false });
    const urgent = limitsFor(limits, { urgency: 'urgent', categoryPath: ['02', '0201'], utility: false });

    // Assess
    expect(normal).toEqual({ contact: { hours: 24 }, resolve: { calendarDays: 7 } });
    expect(urgent).toEqual({ contact: { hours: 2 }, resolve: { hours: 24 } });
  });

  it('returns the emergency limits for an emergency order', () => {
    // Act
    const phase = limitsFor(limits, { urgency: 'emergency', categoryPath: ['02'], utility: false });

    // Assess
    expect(phase).toEqual({ contact: { hours: 1 }, resolve: { hours: 4 } });
  });

  it('returns the utility limits for a utility category whatever its stated urgency, unless emergency', () => {
    // Prepare
    const path = ['04', '0401', '040102'];

    // Act
    const normal = limitsFor(limits, { urgency: 'normal', categoryPath: path, utility: true });
    const urgent = limitsFor(limits, { urgency: 'urgent', categoryPath: path, utility: true });
    const emergency = limitsFor(limits, { urgency: 'emergency', categoryPath: path, utility: true });

    // Assess
    expect(normal).toEqual({ contact: { hours: 3 }, resolve: { hours: 36 } });
    expect(urgent).toEqual({ contact: { hours: 3 }, resolve: { hours: 36 } });
    expect(emergency).toEqual({ contact: { hours: 1 }, resolve: { hours: 4 } });
  });

  it('returns the override of the most specific code on the path that has one, over the base', () => {
    // Act: '0101' overrides contact only; '01' (less specific) would override resolve
    const phase = limitsFor(limits, {
      urgency: 'normal',
      categoryPath: ['01', '0101', '010101'],
      utility: false,
    });

    // Assess
    expect(phase).toEqual({ contact: { hours: 12 }, resolve: { calendarDays: 7 } });
  });

  it('returns the level-1 override for a path whose more specific codes have none', () => {
    // Act
    const phase = limitsFor(limits, {
      urgency: 'normal',
      categoryPath: ['01', '0102', '010201'],
      utility: false,
    });

    // Assess
    expect(phase).toEqual({ contact: { hours: 24 }, resolve: { workingDays: 5 } });
  });

  it('returns a category override applied on top of the utility limits', () => {
    // Act
    const phase = limitsFor(limits, {
      urgency: 'normal',
      categoryPath: ['03', '0301', '030101'],
      utility: true,
    });

    // Assess
    expect(phase).toEqual({ contact: { hours: 3 }, resolve: { calendarDays: 2 } });
  });

  it('returns the base limits unchanged (and does not mutate the configuration) when applying an override', () => {
    // Prepare
    const before = structuredClone(limits);

    // Act
    limitsFor(limits, { urgency: 'normal', categoryPath: ['01', '0101'], utility: false });

    // Assess
    expect(limits).toEqual(before);
  });

  it('returns the deployed defaults of data/time-limits.json: urgent limits for utilities', () => {
    // Prepare
    const deployed = timeLimitsSchema.parse(timeLimitsJson);

    // Act
    const utility = limitsFor(deployed, { urgency: 'normal', categoryPath: ['05', '0501'], utility: true });

    // Assess
    expect(utility).toEqual(deployed.byUrgency.urgent);
  });
});

describe('handlingDeadlines', () => {
  it('returns contactBy and resolveBy as ISO instants counted from the dispatch', () => {
    // Prepare: dispatched 2026-09-30 10:00 CST
    const dispatchedAt = at('2026-09-30T02:00:00.000Z');

    // Act
    const deadlines = handlingDeadlines(
      dispatchedAt,
      { contact: { hours: 24 }, resolve: { workingDays: 3 } },
      calendar,
    );

    // Assess
    expect(deadlines).toEqual({
      contactBy: '2026-10-01T02:00:00.000Z',
      resolveBy: '2026-10-10T15:59:59.999Z',
    });
  });

  it('returns the normal defaults of 24 hours and 7 calendar days', () => {
    // Act
    const deadlines = handlingDeadlines(at('2026-12-01T02:00:00.000Z'), limits.byUrgency.normal, calendar);

    // Assess
    expect(deadlines).toEqual({
      contactBy: '2026-12-02T02:00:00.000Z',
      resolveBy: '2026-12-08T02:00:00.000Z',
    });
  });
});

describe('dispatchDeadline', () => {
  it('returns the end of the CST day of receipt (当天转办)', () => {
    // Act
    const deadline = dispatchDeadline(at('2026-12-01T02:00:00.000Z'));

    // Assess
    expect(iso(deadline)).toBe('2026-12-01T15:59:59.999Z');
  });

  it('returns the end of the next UTC day for an order received after 16:00Z (already the next CST day)', () => {
    // Act
    const deadline = dispatchDeadline(at('2026-12-01T16:00:00.000Z'));

    // Assess
    expect(iso(deadline)).toBe('2026-12-02T15:59:59.999Z');
  });

  it('returns the instant itself for an order received at the last millisecond of the CST day', () => {
    // Prepare
    const last = at('2026-12-01T15:59:59.999Z');

    // Act / Assess
    expect(dispatchDeadline(last)).toBe(last);
  });
});

describe('secondsUntil', () => {
  it('rejects a deadline that is not a date instead of returning NaN', () => {
    // Act / Assess
    expect(() => secondsUntil('', at('2026-12-01T02:00:00.000Z'))).toThrow(RangeError);
    expect(() => secondsUntil('soon', at('2026-12-01T02:00:00.000Z'))).toThrow(RangeError);
  });

  it('returns whole seconds for a deadline a whole number of seconds away', () => {
    // Act / Assess
    expect(secondsUntil('2026-12-01T02:00:10.000Z', at('2026-12-01T02:00:00.000Z'))).toBe(10);
  });

  it('returns the seconds rounded up so that the timeout never fires early', () => {
    // Act / Assess
    expect(secondsUntil('2026-12-01T02:00:10.001Z', at('2026-12-01T02:00:00.000Z'))).toBe(11);
    expect(secondsUntil('2026-12-01T15:59:59.999Z', at('2026-12-01T02:00:00.000Z'))).toBe(50_400);
  });

  it('returns at least 1 for a deadline now, in the past, or a few milliseconds away', () => {
    // Prepare
    const now = at('2026-12-01T02:00:00.000Z');

    // Act / Assess
    expect(secondsUntil('2026-12-01T02:00:00.000Z', now)).toBe(1);
    expect(secondsUntil('2026-11-30T02:00:00.000Z', now)).toBe(1);
    expect(secondsUntil('2026-12-01T02:00:00.200Z', now)).toBe(1);
  });
});

describe('timeLimitsSchema', () => {
  const valid = () => structuredClone(timeLimitsJson) as Record<string, unknown>;

  it('returns the parsed deployed defaults', () => {
    // Act
    const parsed = timeLimitsSchema.parse(valid());

    // Assess
    expect(parsed.byUrgency.normal.resolve).toEqual({ calendarDays: 7 });
    expect(parsed.reopened.resolve).toEqual({ workingDays: 3 });
  });

  it('rejects an unknown top-level key', () => {
    // Prepare
    const input = { ...valid(), holidaysOff: true };

    // Act / Assess
    expect(timeLimitsSchema.safeParse(input).success).toBe(false);
  });

  it('rejects overdueGrace, a setting that no longer exists', () => {
    // Prepare
    const input = { ...valid(), overdueGrace: { calendarDays: 30 } };

    // Act
    const result = timeLimitsSchema.safeParse(input);

    // Assess
    expect(result.success).toBe(false);
    expect(result.error?.issues).toEqual([
      expect.objectContaining({ code: 'unrecognized_keys', keys: ['overdueGrace'] }),
    ]);
  });

  it('returns the deployed defaults without overdueGrace', () => {
    // Assess
    expect(timeLimitsJson).not.toHaveProperty('overdueGrace');
    expect(Object.keys(timeLimitsSchema.parse(valid()))).not.toContain('overdueGrace');
  });

  it('rejects an unknown key inside a limit and a limit with two units', () => {
    // Prepare
    const extra = valid();
    extra.reopened = { resolve: { workingDays: 3, note: 'x' } };
    const twoUnits = valid();
    twoUnits.reopened = { resolve: { workingDays: 3, hours: 1 } };

    // Act / Assess
    expect(timeLimitsSchema.safeParse(extra).success).toBe(false);
    expect(timeLimitsSchema.safeParse(twoUnits).success).toBe(false);
  });

  it('rejects an unknown urgency and an unknown phase in a category override', () => {
    // Prepare
    const urgency = valid();
    urgency.byUrgency = { ...(urgency.byUrgency as object), critical: limits.byUrgency.urgent };
    const phase = valid();
    phase.byCategory = { '01': { reply: { hours: 2 } } };

    // Act / Assess
    expect(timeLimitsSchema.safeParse(urgency).success).toBe(false);
    expect(timeLimitsSchema.safeParse(phase).success).toBe(false);
  });

  it('returns a category override with only one of the two phases', () => {
    // Prepare
    const input = valid();
    input.byCategory = { '01': { resolve: { workingDays: 5 } } };

    // Act / Assess
    expect(timeLimitsSchema.safeParse(input).success).toBe(true);
  });

  it('rejects zero and negative numbers of hours, calendar days and working days', () => {
    // Prepare
    const specs = [
      { hours: 0 },
      { hours: -1 },
      { calendarDays: 0 },
      { calendarDays: -7 },
      { workingDays: 0 },
      { workingDays: -3 },
    ];

    // Act
    const results = specs.map((spec) => {
      const input = valid();
      input.reopened = { resolve: spec };
      return timeLimitsSchema.safeParse(input).success;
    });

    // Assess
    expect(results).toEqual(specs.map(() => false));
  });

  it('rejects fractional calendar and working days but returns fractional hours', () => {
    // Prepare
    const fractionalDays = valid();
    fractionalDays.reopened = { resolve: { calendarDays: 1.5 } };
    const fractionalWorking = valid();
    fractionalWorking.reopened = { resolve: { workingDays: 2.5 } };
    const fractionalHours = valid();
    fractionalHours.reopened = { resolve: { hours: 1.5 } };

    // Act / Assess
    expect(timeLimitsSchema.safeParse(fractionalDays).success).toBe(false);
    expect(timeLimitsSchema.safeParse(fractionalWorking).success).toBe(false);
    expect(timeLimitsSchema.safeParse(fractionalHours).success).toBe(true);
  });

  it('rejects a configuration without one of the required sections', () => {
    // Prepare
    const { utility: _utility, ...withoutUtility } = valid();

    // Act / Assess
    expect(timeLimitsSchema.safeParse(withoutUtility).success).toBe(false);
  });
});
