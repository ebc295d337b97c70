import { describe, expect, it } from 'vitest';
import { type DeadlineRules, deadlinesAtDispatch } from '#domain/dispatch-deadlines.ts';
import { type Category, ReferenceData } from '#domain/reference-data.ts';
import type { TimeLimits } from '#domain/time-limits.ts';
import { WorkingCalendar } from '#domain/working-calendar.ts';

/**
 * Categories of a test city: 07 (utility) › 0701 › 070101, whose children inherit the utility mark;
 * 01 › 0101 › 010101 (utility on the leaf only) and 010102 (no utility anywhere); 14 › 1401, with a
 * category override. Every limit differs, so a deadline tells which limit produced it.
 */
const categories: Category[] = [
  { code: '07', name: '供水', level: 1, parentCode: null, utility: true },
  { code: '0701', name: '停水', level: 2, parentCode: '07' },
  { code: '070101', name: '小区停水', level: 3, parentCode: '0701' },
  { code: '01', name: '城市管理', level: 1, parentCode: null },
  { code: '0101', name: '市容', level: 2, parentCode: '01' },
  { code: '010101', name: '井盖冒水', level: 3, parentCode: '0101', utility: true },
  { code: '010102', name: '占道经营', level: 3, parentCode: '0101', utility: false },
  { code: '14', name: '劳动社保', level: 1, parentCode: null },
  { code: '1401', name: '欠薪', level: 2, parentCode: '14' },
];

const timeLimits: TimeLimits = {
  version: 'test',
  byUrgency: {
    emergency: { contact: { hours: 1 }, resolve: { hours: 12 } },
    urgent: { contact: { hours: 2 }, resolve: { hours: 24 } },
    normal: { contact: { hours: 24 }, resolve: { calendarDays: 7 } },
  },
  utility: { contact: { hours: 3 }, resolve: { hours: 36 } },
  byCategory: { '14': { resolve: { workingDays: 5 } } },
  reopened: { resolve: { workingDays: 3 } },
};

const rules: DeadlineRules = {
  referenceData: new ReferenceData({
    areas: { city: { code: '990000', name: 'Test City' }, items: [] },
    units: { items: [] },
    categories: { items: categories },
    catalogue: { entries: [] },
  }),
  timeLimits,
  // December 2026 has no official holiday: working days are Monday to Friday.
  calendar: new WorkingCalendar({ years: { '2026': { holidays: [], makeupWorkdays: [] } } }),
};

/** Tue 2026-12-01 09:05 CST. */
const DISPATCHED = Date.parse('2026-12-01T01:05:00.000Z');

describe('deadlinesAtDispatch', () => {
  it('returns the limits of the urgency for a category with no utility mark on its path', () => {
    // Act
    const normal = deadlinesAtDispatch({ categoryCode: '010102', urgency: 'normal' }, DISPATCHED, rules);
    const urgent = deadlinesAtDispatch({ categoryCode: '010102', urgency: 'urgent' }, DISPATCHED, rules);

    // Assess: normal 24 h / 7 calendar days; urgent 2 h / 24 h
    expect(normal).toEqual({ contactBy: '2026-12-02T01:05:00.000Z', resolveBy: '2026-12-08T01:05:00.000Z' });
    expect(urgent).toEqual({ contactBy: '2026-12-01T03:05:00.000Z', resolveBy: '2026-12-02T01:05:00.000Z' });
  });

  it('returns the utility limits for a category under a utility root, though it has no mark of its own', () => {
    // Act
    const deadlines = deadlinesAtDispatch({ categoryCode: '070101', urgency: 'normal' }, DISPATCHED, rules);

    // Assess: utility 3 h / 36 h, not normal 24 h / 7 days
    expect(deadlines).toEqual({
      contactBy: '2026-12-01T04:05:00.000Z',
      resolveBy: '2026-12-02T13:05:00.000Z',
    });
  });

  it('returns the utility limits for a utility leaf under a root that is not one', () => {
    // Act
    const deadlines = deadlinesAtDispatch({ categoryCode: '010101', urgency: 'urgent' }, DISPATCHED, rules);

    // Assess: utility 3 h / 36 h, not urgent 2 h / 24 h
    expect(deadlines).toEqual({
      contactBy: '2026-12-01T04:05:00.000Z',
      resolveBy: '2026-12-02T13:05:00.000Z',
    });
  });

  it('returns the emergency limits for an emergency in a utility category: the shorter limits stay', () => {
    // Act
    const deadlines = deadlinesAtDispatch({ categoryCode: '0701', urgency: 'emergency' }, DISPATCHED, rules);

    // Assess: emergency 1 h / 12 h
    expect(deadlines).toEqual({
      contactBy: '2026-12-01T02:05:00.000Z',
      resolveBy: '2026-12-01T13:05:00.000Z',
    });
  });

  it("returns a root category's override for a subcategory, counting working days by the calendar", () => {
    // Act
    const deadlines = deadlinesAtDispatch({ categoryCode: '1401', urgency: 'normal' }, DISPATCHED, rules);

    // Assess: contact stays normal (24 h); resolve is 5 working days after Tue 1 Dec — Wed 2, Thu 3,
    // Fri 4, Mon 7, Tue 8 — so the end of Tue 8 Dec CST (15:59:59.999 UTC)
    expect(deadlines).toEqual({
      contactBy: '2026-12-02T01:05:00.000Z',
      resolveBy: '2026-12-08T15:59:59.999Z',
    });
  });

  it('returns the limits of the urgency for a category the city does not know', () => {
    // Act
    const deadlines = deadlinesAtDispatch({ categoryCode: '999999', urgency: 'urgent' }, DISPATCHED, rules);

    // Assess: urgent 2 h / 24 h
    expect(deadlines).toEqual({
      contactBy: '2026-12-01T03:05:00.000Z',
      resolveBy: '2026-12-02T01:05:00.000Z',
    });
  });
});
