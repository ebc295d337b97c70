import { beforeAll, describe, expect, it } from 'vitest';
import type * as z from 'zod';
import { setHandlerEnvironment } from './support.ts';

/**
 * Every action's free text (notes, replies, reasons) follows the domain's one rule (domain/text.ts):
 * a blank text, or one carrying NUL, is a 400 before anything is read or written.
 */
setHandlerEnvironment();
let schemas: Record<string, z.ZodType>;

beforeAll(async () => {
  const { actions } = await import('#application/order-actions.ts');
  const { assessmentActions } = await import('#application/assessment-actions.ts');
  const { catalogueLineBody } = await import('#shared/contract/requests.ts');
  schemas = {
    ...Object.fromEntries(
      Object.entries({ ...actions, ...assessmentActions }).map(([name, spec]) => [name, spec.schema]),
    ),
    'PUT /catalogue/lines': catalogueLineBody,
  };
});

/** For each action: a valid body with `X` where its free text goes. */
const bodies: Record<string, Record<string, unknown>[]> = {
  dispatch: [{ unitId: 'st-110105001', note: 'X' }],
  accept: [{ note: 'X' }],
  objection: [{ reason: 'X' }],
  'objection-decision': [
    { decision: 'confirm', note: 'X' },
    { decision: 'redispatch', unitId: 'st-110105003', note: 'X' },
  ],
  contact: [{ way: 'phone', note: 'X' }],
  progress: [{ text: 'X' }],
  'co-handling': [{ unitIds: ['dept-scjgj'], note: 'X' }],
  summon: [{ unitIds: ['dept-cgzfj'], note: 'X' }],
  'co-handling-report': [{ text: 'X' }],
  extension: [{ days: 5, reason: 'X' }],
  'extension-decision': [{ approve: true, note: 'X' }],
  escalation: [{ to: 'district', reason: 'X' }],
  reply: [{ result: 'resolved', text: 'X' }],
  'reply-review': [{ decision: 'reject', reason: 'X' }],
  callback: [
    { reached: false, note: 'X' },
    { reached: true, contactedInTime: true, solved: 'partly', satisfied: 'basically', comment: 'X' },
  ],
  'assessment-exclusion': [{ reason: 'unreachable', note: 'X' }],
  'assessment-appeal': [{ reason: 'X' }],
  'assessment-appeal-decision': [
    { decision: 'keep', note: 'X' },
    { decision: 'exclude', reason: 'unreasonable_demand', note: 'X' },
  ],
  'PUT /catalogue/lines': [
    { categoryCode: '0106', areaCode: '110101001', leadUnitId: 'dept-cgw', note: 'X' },
  ],
};

const withText = (body: Record<string, unknown>, text: string) =>
  Object.fromEntries(Object.entries(body).map(([k, v]) => [k, v === 'X' ? text : v]));

describe('the free text of every action and of a catalogue line', () => {
  it('returns a body for every action the API has (a new action needs its row here)', () => {
    // Assess
    expect(Object.keys(bodies).sort()).toEqual(Object.keys(schemas).sort());
  });

  it('returns each body parsed with its text, trimmed', () => {
    for (const [name, variants] of Object.entries(bodies))
      for (const body of variants) {
        // Act
        const parsed = schemas[name]?.safeParse(withText(body, ' 已核实\u200b '));

        // Assess
        expect(parsed?.success, `${name} ${JSON.stringify(parsed?.error?.issues)}`).toBe(true);
        expect(Object.values(parsed?.data as object), name).toContain('已核实');
      }
  });

  it('rejects each body whose text is blank, invisible, or holds NUL', () => {
    // Act / Assess
    for (const [name, variants] of Object.entries(bodies))
      for (const body of variants)
        for (const text of ['\u0000', '   ', '\u200b\ufeff', '\u3000', '已\u0000核实'])
          expect(
            schemas[name]?.safeParse(withText(body, text)).success,
            `${name} ${JSON.stringify(text)}`,
          ).toBe(false);
  });
});
