import { describe, expect, it } from 'vitest';
import { alertIdOf, daySchema, monthSchema, topicChoiceSchema } from '#domain/insights.ts';

const messagesOf = (result: { success: boolean; error?: { issues: { message: string }[] } }) =>
  result.success ? [] : (result.error?.issues.map((i) => i.message) ?? []);

describe('monthSchema', () => {
  it('returns a CST month written YYYY-MM, January to December', () => {
    // Assess: both branches of the month, at their ends (01, 09 | 10, 12)
    for (const month of ['2026-01', '2026-09', '2026-10', '2026-12', '0001-05'])
      expect(monthSchema.safeParse(month).success, month).toBe(true);
  });

  it('rejects month 00 and 13 and above, a month of one digit and a year of other than four', () => {
    // Assess
    for (const month of [
      '2026-00',
      '2026-13',
      '2026-19',
      '2026-20',
      '2026-1',
      '2026-001',
      '226-01',
      '20260-01',
    ])
      expect(messagesOf(monthSchema.safeParse(month)), month).toEqual(['a month, YYYY-MM']);
  });

  it('rejects a month with anything before or after it, or another separator', () => {
    // Assess
    for (const month of ['x2026-01', '2026-01x', ' 2026-01', '2026-01\n', '2026/01', '202601', 'YYYY-MM'])
      expect(messagesOf(monthSchema.safeParse(month)), JSON.stringify(month)).toEqual(['a month, YYYY-MM']);
  });
});

describe('daySchema', () => {
  it('returns a calendar day YYYY-MM-DD, 29 February in a leap year only', () => {
    // Assess
    expect(daySchema.safeParse('2026-12-31').success).toBe(true);
    expect(daySchema.safeParse('2028-02-29').success).toBe(true);
    expect(daySchema.safeParse('2026-02-29').success).toBe(false);
    expect(daySchema.safeParse('2026-12').success).toBe(false);
    expect(daySchema.safeParse('2026-12-01T00:00:00Z').success).toBe(false);
  });
});

describe('alertIdOf', () => {
  const alert = {
    day: '2026-12-03',
    categoryCode: '0102',
    areaLevel: 'street',
    areaCode: '110101001',
    method: 'ewma',
  } as const;

  it('returns day#level:area#category#method, so that a second run finds the same alert', () => {
    // Act / Assess
    expect(alertIdOf(alert)).toBe('2026-12-03#street:110101001#0102#ewma');
    expect(alertIdOf({ ...alert })).toBe(alertIdOf(alert));
  });

  it('returns another id when any one of the five things it is about differs', () => {
    // Prepare
    const others = [
      { ...alert, day: '2026-12-04' },
      { ...alert, categoryCode: '010201' },
      { ...alert, areaLevel: 'district' as const },
      { ...alert, areaCode: '110102001' },
      { ...alert, method: 'poisson' },
    ];

    // Act
    const ids = new Set([alert, ...others].map(alertIdOf));

    // Assess
    expect(ids.size).toBe(6);
  });
});

describe('topicChoiceSchema', () => {
  it('returns a category code of 2, 4 or 6 digits, with or without a note', () => {
    // Assess
    for (const categoryCode of ['02', '0201', '020101'])
      expect(topicChoiceSchema.safeParse({ categoryCode }).success, categoryCode).toBe(true);
    expect(topicChoiceSchema.parse({ categoryCode: '0201', note: '  物业服务  ' })).toEqual({
      categoryCode: '0201',
      note: '物业服务',
    });
  });

  it('rejects a category code of other lengths, of letters, or with anything around it', () => {
    // Assess
    for (const categoryCode of [
      '',
      '0',
      '020',
      '02010',
      '0201011',
      '02010101',
      'ab',
      'x0201',
      '0201x',
      '02 01',
    ])
      expect(messagesOf(topicChoiceSchema.safeParse({ categoryCode })), categoryCode).toEqual([
        'a category code of 2, 4 or 6 digits',
      ]);
  });

  it('returns a note of 1000 characters and rejects one of 1001', () => {
    // Assess
    expect(topicChoiceSchema.safeParse({ categoryCode: '0201', note: '治'.repeat(1000) }).success).toBe(true);
    expect(topicChoiceSchema.safeParse({ categoryCode: '0201', note: '治'.repeat(1001) }).success).toBe(
      false,
    );
  });

  it('rejects a choice without a category code, and any other key (the month and who come from the request)', () => {
    // Assess
    expect(topicChoiceSchema.safeParse({}).success).toBe(false);
    expect(topicChoiceSchema.safeParse({ note: '物业' }).success).toBe(false);
    const extra = topicChoiceSchema.safeParse({ categoryCode: '0201', month: '2026-12' });
    expect(extra.error?.issues).toEqual([
      expect.objectContaining({ code: 'unrecognized_keys', keys: ['month'] }),
    ]);
  });
});
