import { describe, expect, it } from 'vitest';
import { addMonthsToMonth } from '../../../functions/domain/china-time.ts';
import { defaultPeriod } from '../../../functions/shared/mining/mine-insights.ts';

/** 2026-12-02 09:00 in Beijing. */
const NOW = Date.parse('2026-12-02T01:00:00Z');

describe('defaultPeriod', () => {
  it('returns yesterday and the last complete month when the store reaches yesterday', () => {
    expect(defaultPeriod(NOW, '2026-12-02')).toEqual({ day: '2026-12-01', month: '2026-11' });
    expect(defaultPeriod(NOW, '2026-12-01')).toEqual({ day: '2026-12-01', month: '2026-11' });
  });

  it('returns the newest day of a store that ends earlier, and its month when that day closes it', () => {
    expect(defaultPeriod(NOW, '2026-11-30')).toEqual({ day: '2026-11-30', month: '2026-11' });
    expect(defaultPeriod(NOW, '2026-11-29')).toEqual({ day: '2026-11-29', month: '2026-10' });
  });

  it('returns yesterday for an empty store', () => {
    expect(defaultPeriod(NOW, null)).toEqual({ day: '2026-12-01', month: '2026-11' });
  });

  it('uses the CST day, not the UTC one, just after midnight in Beijing', () => {
    expect(defaultPeriod(Date.parse('2026-12-01T16:30:00Z'), null)).toEqual({
      day: '2026-12-01',
      month: '2026-11',
    });
  });
});

describe('addMonthsToMonth', () => {
  it('returns the month k months away across year ends', () => {
    expect(addMonthsToMonth('2026-01', -1)).toBe('2025-12');
    expect(addMonthsToMonth('2026-11', 2)).toBe('2027-01');
    expect(addMonthsToMonth('2026-11', -35)).toBe('2023-12');
  });
});
