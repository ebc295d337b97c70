import { describe, expect, it } from 'vitest';
import {
  appealAssessment,
  decideAppeal,
  excludeFromAssessment,
  exclusionOf,
} from '#domain/assessment-decisions.ts';
import type { WorkOrder } from '#domain/work-order.ts';
import { catchError, coHandler, dispatcher, LEAD, lead, orderIn, otherUnit, supervisor } from './support.ts';

const NOW = Date.parse('2026-12-05T02:00:00.000Z');
const AT = new Date(NOW).toISOString();
const closed = (changes: Partial<WorkOrder> = {}) => orderIn('closed', changes);
const undispatched = () => orderIn('received');
const pending = { reason: '诉求人要求超出政策范围', at: '2026-12-04T02:00:00.000Z', by: LEAD };
const codeOf = (fn: () => unknown) => (catchError(fn) as { code?: string } | undefined)?.code;

describe('excludeFromAssessment (assessment-decisions)', () => {
  it('returns the order one version up and an assessment_excluded event with who, why and the unit', () => {
    // Act
    const change = excludeFromAssessment(closed(), supervisor, NOW, {
      reason: 'unreasonable_demand',
      note: '经核实属不合理诉求',
    });

    // Assess
    expect(change.order).toMatchObject({ version: 8, status: 'closed', updatedAt: AT });
    expect(change.events).toEqual([
      {
        type: 'assessment_excluded',
        at: AT,
        actor: supervisor,
        data: { reason: 'unreasonable_demand', note: '经核实属不合理诉求', unitId: LEAD },
      },
    ]);
    expect(exclusionOf(change)).toBe('unreasonable_demand');
  });

  it('rejects anyone but a supervisor with 403 SUPERVISOR_ONLY', () => {
    // Act / Assess
    for (const actor of [dispatcher, lead]) {
      expect(
        codeOf(() => excludeFromAssessment(closed(), actor, NOW, { reason: 'duplicate', note: 'x' })),
      ).toBe('SUPERVISOR_ONLY');
    }
  });

  it('rejects an order never dispatched to a unit with 409 NOT_ASSESSED, before who asks', () => {
    // Act / Assess
    expect(
      codeOf(() => excludeFromAssessment(undispatched(), lead, NOW, { reason: 'duplicate', note: 'x' })),
    ).toBe('NOT_ASSESSED');
  });
});

describe('appealAssessment (assessment-decisions)', () => {
  it('returns the order with the pending appeal of its unit and an assessment_appealed event', () => {
    // Act
    const change = appealAssessment(closed(), lead, NOW, '诉求人要求超出政策范围');

    // Assess
    expect(change.order).toMatchObject({
      version: 8,
      pendingAppeal: { reason: '诉求人要求超出政策范围', at: AT, by: LEAD },
    });
    expect(change.events).toEqual([
      {
        type: 'assessment_appealed',
        at: AT,
        actor: lead,
        data: { reason: '诉求人要求超出政策范围', unitId: LEAD },
      },
    ]);
    expect(exclusionOf(change)).toBeUndefined();
  });

  it('rejects an appeal by any unit but the one the order counts for with 403 NOT_LEAD_UNIT', () => {
    // Act / Assess
    for (const actor of [coHandler, otherUnit, supervisor]) {
      expect(codeOf(() => appealAssessment(closed(), actor, NOW, '再次申诉'))).toBe('NOT_LEAD_UNIT');
    }
  });

  it('rejects a second appeal while one waits with 409 APPEAL_PENDING', () => {
    // Act / Assess
    expect(codeOf(() => appealAssessment(closed({ pendingAppeal: pending }), lead, NOW, '再次申诉'))).toBe(
      'APPEAL_PENDING',
    );
  });

  it('rejects an appeal on an order never dispatched with 409 NOT_ASSESSED', () => {
    // Act / Assess
    expect(codeOf(() => appealAssessment(undispatched(), lead, NOW, '申诉'))).toBe('NOT_ASSESSED');
  });
});

describe('decideAppeal (assessment-decisions)', () => {
  it('returns an upheld appeal as an exclusion: the appeal settled, the reason counted', () => {
    // Act
    const change = decideAppeal(closed({ pendingAppeal: pending }), supervisor, NOW, {
      decision: 'exclude',
      reason: 'unreachable',
      note: '多次联系未果',
    });

    // Assess
    expect(change.order.pendingAppeal).toBeUndefined();
    expect(change.order.version).toBe(8);
    expect(change.events).toEqual([
      {
        type: 'assessment_appeal_upheld',
        at: AT,
        actor: supervisor,
        data: { note: '多次联系未果', reason: 'unreachable' },
      },
    ]);
    expect(exclusionOf(change)).toBe('unreachable');
  });

  it('returns a rejected appeal: the appeal settled and the order still counted', () => {
    // Act
    const change = decideAppeal(closed({ pendingAppeal: pending }), supervisor, NOW, {
      decision: 'keep',
      note: '诉求合理',
    });

    // Assess
    expect(change.order.pendingAppeal).toBeUndefined();
    expect(change.events.map((e) => [e.type, e.data])).toEqual([
      ['assessment_appeal_rejected', { note: '诉求合理' }],
    ]);
    expect(exclusionOf(change)).toBeUndefined();
  });

  it('rejects a decision with no appeal pending with 409 NO_APPEAL_PENDING', () => {
    // Act / Assess
    expect(codeOf(() => decideAppeal(closed(), supervisor, NOW, { decision: 'keep', note: 'x' }))).toBe(
      'NO_APPEAL_PENDING',
    );
  });

  it('rejects a decision by anyone but a supervisor with 403 SUPERVISOR_ONLY, before looking for an appeal', () => {
    // Act / Assess
    expect(codeOf(() => decideAppeal(closed(), lead, NOW, { decision: 'keep', note: 'x' }))).toBe(
      'SUPERVISOR_ONLY',
    );
  });
});

/** What a caller is told: the status kind, the code and the message (4xx messages reach the caller). */
const errorOf = (fn: () => unknown) => {
  const error = catchError(fn) as { kind?: string; code?: string; message?: string } | undefined;
  return error && { kind: error.kind, code: error.code, message: error.message };
};

describe('the errors of assessment decisions', () => {
  const notAssessed = {
    kind: 'conflict',
    code: 'NOT_ASSESSED',
    message: 'The order was never dispatched to a unit, so it is not assessed.',
  };
  const supervisorOnly = {
    kind: 'forbidden',
    code: 'SUPERVISOR_ONLY',
    message: 'Only a supervisor decides on assessment.',
  };

  it('rejects an order never dispatched with 409 NOT_ASSESSED and why, whatever is asked and by whom', () => {
    // Act / Assess
    expect(
      errorOf(() =>
        excludeFromAssessment(undispatched(), supervisor, NOW, { reason: 'duplicate', note: 'x' }),
      ),
    ).toEqual(notAssessed);
    expect(errorOf(() => appealAssessment(undispatched(), lead, NOW, '申诉'))).toEqual(notAssessed);
    expect(errorOf(() => decideAppeal(undispatched(), lead, NOW, { decision: 'keep', note: 'x' }))).toEqual(
      notAssessed,
    );
  });

  it('rejects an exclusion or an appeal decision by anyone but a supervisor with 403 SUPERVISOR_ONLY', () => {
    // Act / Assess
    expect(
      errorOf(() => excludeFromAssessment(closed(), dispatcher, NOW, { reason: 'duplicate', note: 'x' })),
    ).toEqual(supervisorOnly);
    expect(
      errorOf(() =>
        decideAppeal(closed({ pendingAppeal: pending }), dispatcher, NOW, { decision: 'keep', note: 'x' }),
      ),
    ).toEqual(supervisorOnly);
  });

  it('rejects an appeal by anyone but the lead unit with 403 NOT_LEAD_UNIT, even a non-unit carrying its unit id', () => {
    // Prepare: the role decides, not only the unit id
    const dispatcherOfLead = { ...dispatcher, unitId: LEAD };

    // Act / Assess
    for (const actor of [dispatcherOfLead, coHandler]) {
      expect(errorOf(() => appealAssessment(closed(), actor, NOW, '申诉'))).toEqual({
        kind: 'forbidden',
        code: 'NOT_LEAD_UNIT',
        message: 'Only the unit the order counts for can appeal it.',
      });
    }
  });

  it('rejects a second appeal with 409 APPEAL_PENDING and a decision without one with 409 NO_APPEAL_PENDING', () => {
    // Act / Assess
    expect(
      errorOf(() => appealAssessment(closed({ pendingAppeal: pending }), lead, NOW, '再次申诉')),
    ).toEqual({
      kind: 'conflict',
      code: 'APPEAL_PENDING',
      message: 'An appeal on this order waits for the centre.',
    });
    expect(errorOf(() => decideAppeal(closed(), supervisor, NOW, { decision: 'keep', note: 'x' }))).toEqual({
      kind: 'conflict',
      code: 'NO_APPEAL_PENDING',
      message: 'There is no appeal on this order to decide.',
    });
  });
});

describe('exclusionOf (assessment-decisions)', () => {
  const event = (type: string, data: Record<string, unknown>) => ({ type, at: AT, actor: supervisor, data });

  it('returns the reason of the exclusion or upheld appeal among other events of the change', () => {
    // Prepare: an appeal's own event and a deadline change carry a `reason` too, which is no exclusion
    const order = closed();
    const excluded = {
      order,
      events: [
        event('assessment_appealed', { reason: '申诉理由' }),
        event('deadline_changed', { reason: 'extension' }),
        event('assessment_excluded', { reason: 'duplicate', note: 'x' }),
      ],
    };
    const upheld = {
      order,
      events: [
        event('deadline_changed', { reason: 'extension' }),
        event('assessment_appeal_upheld', { reason: 'unreachable' }),
      ],
    };

    // Act / Assess
    expect(exclusionOf(excluded)).toBe('duplicate');
    expect(exclusionOf(upheld)).toBe('unreachable');
  });

  it('returns nothing for a change without an exclusion, even when its events carry a reason', () => {
    // Act / Assess
    expect(
      exclusionOf({
        order: closed(),
        events: [event('assessment_appeal_rejected', { reason: 'duplicate' })],
      }),
    ).toBeUndefined();
    expect(exclusionOf({ order: closed(), events: [] })).toBeUndefined();
  });
});
