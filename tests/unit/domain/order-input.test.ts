import { describe, expect, it } from 'vitest';
import { appealTypeNames, appealTypes, dispositionSchema, newOrderSchema } from '#domain/order-input.ts';
import newOrderJson from '../fixtures/new-order.json' with { type: 'json' };

type Body = Record<string, unknown> & {
  requester: Record<string, unknown>;
  location: Record<string, unknown>;
};
const body = (): Body => structuredClone(newOrderJson) as Body;

/** The dotted paths of the issues of a rejected input (empty when it parses). */
const issuePaths = (input: unknown): string[] => {
  const result = newOrderSchema.safeParse(input);
  return result.success ? [] : result.error.issues.map((i) => i.path.map(String).join('.'));
};

describe('newOrderSchema', () => {
  it('returns a valid complaint with anonymous and declinesCallback defaulting to false', () => {
    // Act
    const parsed = newOrderSchema.parse(body());

    // Assess
    expect(parsed).toEqual({
      appealType: 'complaint',
      categoryCode: '010201',
      description: '小区门口流动摊贩占道经营，晚上噪声扰民。',
      channel: 'phone',
      urgency: 'normal',
      requester: {
        kind: 'person',
        name: '王女士',
        phone: '13800138000',
        anonymous: false,
        declinesCallback: false,
      },
      location: { districtCode: '110101', streetCode: '110101001', address: '东华门大街1号' },
    });
  });

  it('returns the description trimmed', () => {
    // Prepare
    const input = { ...body(), description: '  路灯不亮  ' };

    // Act / Assess
    expect(newOrderSchema.parse(input).description).toBe('路灯不亮');
  });

  it('returns an enterprise requester with a unified social credit code', () => {
    // Prepare
    const input = {
      ...body(),
      requester: { kind: 'enterprise', name: '某某科技有限公司', creditCode: '91110105MA01ABCD2X' },
    };

    // Act / Assess
    expect(newOrderSchema.safeParse(input).success).toBe(true);
  });

  it('returns an anonymous requester who gives no contact', () => {
    // Prepare
    const input = { ...body(), requester: { kind: 'person', anonymous: true } };

    // Act
    const parsed = newOrderSchema.parse(input);

    // Assess
    expect(parsed.requester).toEqual({ kind: 'person', anonymous: true, declinesCallback: false });
  });

  it('returns a location with both lat and long', () => {
    // Prepare
    const input = { ...body(), location: { districtCode: '110101', lat: 39.91, long: 116.4 } };

    // Act / Assess
    expect(newOrderSchema.safeParse(input).success).toBe(true);
  });

  describe('description', () => {
    it('returns a description of exactly 4000 characters', () => {
      // Act / Assess
      expect(issuePaths({ ...body(), description: '噪'.repeat(4000) })).toEqual([]);
    });

    it('rejects a description of 4001 characters at path description', () => {
      // Act / Assess
      expect(issuePaths({ ...body(), description: '噪'.repeat(4001) })).toEqual(['description']);
    });

    it('rejects an empty or blank description', () => {
      // Act / Assess
      expect(issuePaths({ ...body(), description: '' })).toEqual(['description']);
      expect(issuePaths({ ...body(), description: '   ' })).toEqual(['description']);
    });
  });

  it('rejects an unknown appealType at path appealType', () => {
    // Act / Assess
    expect(issuePaths({ ...body(), appealType: 'rumour' })).toEqual(['appealType']);
  });

  it('rejects an unknown channel and an unknown urgency', () => {
    // Act / Assess
    expect(issuePaths({ ...body(), channel: 'fax' })).toEqual(['channel']);
    expect(issuePaths({ ...body(), urgency: 'whenever' })).toEqual(['urgency']);
  });

  it('rejects category codes that are not 2, 4 or 6 digits', () => {
    // Act / Assess
    for (const categoryCode of ['1', '010', '01020', '0102011', 'ab', '']) {
      expect(issuePaths({ ...body(), categoryCode }), categoryCode).toEqual(['categoryCode']);
    }
    for (const categoryCode of ['01', '0102', '010201']) {
      expect(issuePaths({ ...body(), categoryCode }), categoryCode).toEqual([]);
    }
  });

  it('rejects a missing required field at its path', () => {
    // Prepare
    const { urgency: _urgency, ...withoutUrgency } = body();

    // Act / Assess
    expect(issuePaths(withoutUrgency)).toEqual(['urgency']);
  });

  describe('requester', () => {
    it('rejects an anonymous enterprise that gives its credit code, which identifies it', () => {
      // Act / Assess
      const requester = { kind: 'enterprise', anonymous: true, creditCode: '91110105MA01ABCD2X' };
      expect(issuePaths({ ...body(), requester })).toEqual(['requester.anonymous']);
    });

    it('rejects bad phone numbers at path requester.phone', () => {
      // Act / Assess
      for (const phone of ['abc', '1234', '+', '13800138000x', `1${'2'.repeat(20)}`, '-13800138000']) {
        const requester = { ...body().requester, phone };
        expect(issuePaths({ ...body(), requester }), phone).toEqual(['requester.phone']);
      }
    });

    it('returns phone numbers with a plus, spaces or dashes', () => {
      // Act / Assess
      for (const phone of ['+86 138-0013-8000', '010-12345', '12345']) {
        const requester = { ...body().requester, phone };
        expect(issuePaths({ ...body(), requester }), phone).toEqual([]);
      }
    });

    it('rejects a bad e-mail address at path requester.email', () => {
      // Prepare
      const requester = { ...body().requester, email: 'not-an-email' };

      // Act / Assess
      expect(issuePaths({ ...body(), requester })).toEqual(['requester.email']);
    });

    it('rejects an anonymous requester with a name, a phone or an e-mail at path requester.anonymous', () => {
      // Act / Assess
      for (const contact of [{ name: '王女士' }, { phone: '13800138000' }, { email: 'a@example.com' }]) {
        const requester = { kind: 'person', anonymous: true, ...contact };
        expect(issuePaths({ ...body(), requester }), JSON.stringify(contact)).toEqual([
          'requester.anonymous',
        ]);
      }
    });

    it('rejects an unknown requester kind', () => {
      // Prepare
      const requester = { ...body().requester, kind: 'robot' };

      // Act / Assess
      expect(issuePaths({ ...body(), requester })).toEqual(['requester.kind']);
    });

    it('rejects a credit code with letters the standard excludes (I, O, S, V, Z) or of the wrong length', () => {
      // Act / Assess
      for (const creditCode of [
        '91110105MA01ABCD2I',
        '91110105MA01ABCD2O',
        '91110105MA01ABCD2S',
        '9111010',
        '91110105ma01abcd2x',
      ]) {
        const requester = { kind: 'enterprise', name: '某某公司', creditCode };
        expect(issuePaths({ ...body(), requester }), creditCode).toEqual(['requester.creditCode']);
      }
    });

    it('rejects an unknown requester key', () => {
      // Prepare
      const requester = { ...body().requester, idCard: '110101199001011234' };

      // Act / Assess
      expect(issuePaths({ ...body(), requester })).toEqual(['requester']);
    });
  });

  describe('location', () => {
    it('rejects lat without long, and long without lat, at path location', () => {
      // Act / Assess
      expect(issuePaths({ ...body(), location: { districtCode: '110101', lat: 39.9 } })).toEqual([
        'location',
      ]);
      expect(issuePaths({ ...body(), location: { districtCode: '110101', long: 116.4 } })).toEqual([
        'location',
      ]);
    });

    it('rejects coordinates out of range', () => {
      // Act / Assess
      expect(issuePaths({ ...body(), location: { districtCode: '110101', lat: 91, long: 116.4 } })).toEqual([
        'location.lat',
      ]);
      expect(issuePaths({ ...body(), location: { districtCode: '110101', lat: 39.9, long: -181 } })).toEqual([
        'location.long',
      ]);
    });

    it('rejects a district code that is not 6 digits and a street code that is not 9', () => {
      // Act / Assess
      expect(issuePaths({ ...body(), location: { districtCode: '11010' } })).toEqual([
        'location.districtCode',
      ]);
      expect(issuePaths({ ...body(), location: { districtCode: '110101', streetCode: '11010100' } })).toEqual(
        ['location.streetCode'],
      );
    });

    it('rejects an unknown location key', () => {
      // Act / Assess
      expect(issuePaths({ ...body(), location: { districtCode: '110101', floor: 3 } })).toEqual(['location']);
    });
  });

  it('rejects an unknown top-level key (strict object) with an unrecognized_keys issue', () => {
    // Prepare
    const input = { ...body(), priority: 'high' };

    // Act
    const result = newOrderSchema.safeParse(input);

    // Assess
    expect(result.success).toBe(false);
    expect(result.error?.issues).toEqual([
      expect.objectContaining({ code: 'unrecognized_keys', keys: ['priority'], path: [] }),
    ]);
  });

  describe('disposition', () => {
    it("rejects the 'answered' disposition on a non-consultation at path disposition.kind", () => {
      // Act / Assess
      for (const appealType of ['complaint', 'help', 'report', 'suggestion', 'praise']) {
        expect(
          issuePaths({ ...body(), appealType, disposition: { kind: 'answered', answer: '已答复' } }),
          appealType,
        ).toEqual(['disposition.kind']);
      }
    });

    it("returns the 'answered' disposition on a consultation", () => {
      // Act / Assess
      expect(
        issuePaths({
          ...body(),
          appealType: 'consultation',
          disposition: { kind: 'answered', answer: '已答复' },
        }),
      ).toEqual([]);
    });

    it('returns a disposition on any kind of appeal other than answered', () => {
      // Act / Assess
      expect(issuePaths({ ...body(), disposition: { kind: 'unlawful' } })).toEqual([]);
    });

    it('rejects an unknown disposition kind under disposition', () => {
      // Act
      const paths = issuePaths({ ...body(), disposition: { kind: 'ignored' } });

      // Assess
      expect(paths.length).toBeGreaterThan(0);
      expect(paths.every((p) => p.startsWith('disposition'))).toBe(true);
    });
  });
});

describe('dispositionSchema', () => {
  const accepts = (value: unknown): boolean => dispositionSchema.safeParse(value).success;

  it('returns emergency_transfer only with a transfer to 110, 119, 120 or 122', () => {
    // Assess
    for (const to of ['110', '119', '120', '122'])
      expect(accepts({ kind: 'emergency_transfer', transferredTo: to })).toBe(true);
    expect(accepts({ kind: 'emergency_transfer' })).toBe(false);
    expect(accepts({ kind: 'emergency_transfer', transferredTo: '999' })).toBe(false);
    expect(accepts({ kind: 'emergency_transfer', transferredTo: 119 })).toBe(false);
  });

  it('returns legal_channel only with one of the legal channels', () => {
    // Assess
    for (const channel of ['litigation', 'arbitration', 'discipline', 'administrative_review', 'petition']) {
      expect(accepts({ kind: 'legal_channel', channel })).toBe(true);
    }
    expect(accepts({ kind: 'legal_channel' })).toBe(false);
    expect(accepts({ kind: 'legal_channel', channel: 'media' })).toBe(false);
  });

  it('returns repeat only with a non-empty original order id of at most 64 characters', () => {
    // Assess
    expect(accepts({ kind: 'repeat', originalOrderId: 'WO01KBAAAAAAAAAAAAAAAAAAAAAA' })).toBe(true);
    expect(accepts({ kind: 'repeat' })).toBe(false);
    expect(accepts({ kind: 'repeat', originalOrderId: '' })).toBe(false);
    expect(accepts({ kind: 'repeat', originalOrderId: 'W'.repeat(65) })).toBe(false);
  });

  it('returns confidential, outside_duty and unlawful with or without a note', () => {
    // Assess
    for (const kind of ['confidential', 'outside_duty', 'unlawful']) {
      expect(accepts({ kind }), kind).toBe(true);
      expect(accepts({ kind, note: '已解释' }), kind).toBe(true);
      expect(accepts({ kind, note: 'x'.repeat(1001) }), kind).toBe(false);
    }
  });

  it('returns answered only with a non-empty answer', () => {
    // Assess
    expect(accepts({ kind: 'answered', answer: '工作日9点到17点' })).toBe(true);
    expect(accepts({ kind: 'answered' })).toBe(false);
    expect(accepts({ kind: 'answered', answer: '' })).toBe(false);
    expect(accepts({ kind: 'answered', answer: 'x'.repeat(4001) })).toBe(false);
  });

  it("rejects a field of another kind (strict objects): a note on 'answered', a channel on 'repeat'", () => {
    // Assess
    expect(accepts({ kind: 'answered', answer: '好', note: 'x' })).toBe(false);
    expect(accepts({ kind: 'repeat', originalOrderId: 'WO1', channel: 'petition' })).toBe(false);
    expect(accepts({ kind: 'confidential', transferredTo: '110' })).toBe(false);
  });
});

/** The issues of a rejected input as `path: message`, which is what the 400 tells the caller. */
const issuesOf = (input: unknown): string[] => {
  const result = newOrderSchema.safeParse(input);
  return result.success
    ? []
    : result.error.issues.map((i) => `${i.path.map(String).join('.')}: ${i.message}`);
};

describe('newOrderSchema messages and anchors', () => {
  const requesterWith = (changes: Record<string, unknown>) => ({
    ...body(),
    requester: { ...body().requester, ...changes },
  });
  const enterpriseWith = (creditCode: string) => ({
    ...body(),
    requester: { kind: 'enterprise', name: '某某科技有限公司', creditCode },
  });
  const locationWith = (location: Record<string, unknown>) => ({ ...body(), location });

  it('rejects a bad phone number saying what a phone number is', () => {
    // Act / Assess
    expect(issuesOf(requesterWith({ phone: '1234' }))).toEqual([
      'requester.phone: a phone number: digits, spaces or dashes, 5 to 20',
    ]);
  });

  it('rejects a credit code with anything before or after its 18 characters, saying what it is', () => {
    // Act / Assess: 18 valid characters with one more in front or behind
    for (const creditCode of ['X91110105MA01ABCD2X', '91110105MA01ABCD2XX', '991110105MA01ABCD2X']) {
      expect(issuesOf(enterpriseWith(creditCode)), creditCode).toEqual([
        'requester.creditCode: an 18-character unified social credit code',
      ]);
    }
    expect(issuesOf(enterpriseWith('91110105MA01ABCD2X'))).toEqual([]);
  });

  it('rejects an anonymous requester with a contact saying that an anonymous one gives none', () => {
    // Act / Assess
    expect(issuesOf({ ...body(), requester: { kind: 'person', anonymous: true, name: '王女士' } })).toEqual([
      'requester.anonymous: an anonymous requester gives no name, phone, e-mail or credit code',
    ]);
  });

  it('rejects a district code of 5 or 7 digits or with a letter, saying it has 6 digits', () => {
    // Act / Assess
    for (const districtCode of ['11010', '1101011', 'x110101', '110101x']) {
      expect(issuesOf(locationWith({ districtCode })), districtCode).toEqual([
        'location.districtCode: a 6-digit district code',
      ]);
    }
  });

  it('rejects a street code of 8 or 10 digits or with a letter, saying it has 9 digits', () => {
    // Act / Assess
    for (const streetCode of ['11010100', '1101010011', 'x110101001', '110101001x']) {
      expect(issuesOf(locationWith({ districtCode: '110101', streetCode })), streetCode).toEqual([
        'location.streetCode: a 9-digit street/township code',
      ]);
    }
  });

  it('rejects a category code saying it has 2, 4 or 6 digits', () => {
    // Act / Assess
    expect(issuesOf({ ...body(), categoryCode: '010' })).toEqual([
      'categoryCode: a category code of 2, 4 or 6 digits',
    ]);
  });

  it('rejects lat without long saying they come together', () => {
    // Act / Assess
    expect(issuesOf(locationWith({ districtCode: '110101', lat: 39.9 }))).toEqual([
      'location: lat and long come together',
    ]);
  });

  it("rejects 'answered' on a complaint saying only a consultation is answered on the spot", () => {
    // Act / Assess
    expect(issuesOf({ ...body(), disposition: { kind: 'answered', answer: '已答复' } })).toEqual([
      'disposition.kind: only a consultation can be answered on the spot',
    ]);
  });
});

describe('appealTypeNames', () => {
  it('names each appeal type with its own two-character Chinese term', () => {
    // Act
    const names = appealTypes.map((type) => appealTypeNames[type]);

    // Assess
    for (const name of names) expect(name).toMatch(/^\p{Script=Han}{2}$/u);
    expect(new Set(names).size).toBe(appealTypes.length);
  });

  it('names a complaint 投诉 and a report 举报, the two a caller most often confuses', () => {
    // Assess: 投诉 is about one's own harm, 举报 about someone's wrongdoing
    expect(appealTypeNames.complaint).toBe('投诉');
    expect(appealTypeNames.report).toBe('举报');
  });
});
