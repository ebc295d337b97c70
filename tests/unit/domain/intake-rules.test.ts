import { describe, expect, it } from 'vitest';
import { HotlineError } from '#domain/errors.ts';
import { checkAgainstReferenceData } from '#domain/intake-rules.ts';
import { type NewOrderInput, newOrderSchema } from '#domain/order-input.ts';
import { referenceData } from '#shared/platform/reference.ts';
import newOrderJson from '../fixtures/new-order.json' with { type: 'json' };

const contact = (
  changes: { categoryCode?: string; location?: NewOrderInput['location'] } = {},
): NewOrderInput => ({
  ...newOrderSchema.parse(structuredClone(newOrderJson)),
  ...changes,
});

const rejection = (input: NewOrderInput): HotlineError => {
  try {
    checkAgainstReferenceData(input, referenceData);
  } catch (error) {
    if (error instanceof HotlineError) return error;
    throw error;
  }
  throw new Error('expected a rejection');
};

describe('checkAgainstReferenceData', () => {
  it('returns without error for a category, district and street of the city', () => {
    // Act / Assess
    expect(() => checkAgainstReferenceData(contact(), referenceData)).not.toThrow();
  });

  it('returns without error for an order with a district and no street', () => {
    // Act / Assess
    expect(() =>
      checkAgainstReferenceData(contact({ location: { districtCode: '110108' } }), referenceData),
    ).not.toThrow();
  });

  it('rejects an unknown category with 422 UNKNOWN_CATEGORY', () => {
    // Act
    const error = rejection(contact({ categoryCode: '019999' }));

    // Assess
    expect(error.kind).toBe('unprocessable');
    expect(error.code).toBe('UNKNOWN_CATEGORY');
    expect(error.details).toEqual([
      { path: 'categoryCode', code: 'UNKNOWN_CATEGORY', message: 'No category 019999.' },
    ]);
  });

  it('rejects an unknown district with UNKNOWN_DISTRICT', () => {
    // Act
    const error = rejection(contact({ location: { districtCode: '110100' } }));

    // Assess
    expect(error).toMatchObject({ kind: 'unprocessable', code: 'UNKNOWN_DISTRICT' });
    expect(error.details).toEqual([expect.objectContaining({ path: 'location.districtCode' })]);
  });

  it('rejects the city code used as a district', () => {
    // Act
    const city = rejection(contact({ location: { districtCode: '110000' } }));

    // Assess
    expect(city.code).toBe('UNKNOWN_DISTRICT');
  });

  it('rejects an unknown street with UNKNOWN_STREET', () => {
    // Act
    const error = rejection(contact({ location: { districtCode: '110101', streetCode: '110101999' } }));

    // Assess
    expect(error).toMatchObject({ kind: 'unprocessable', code: 'UNKNOWN_STREET' });
  });

  it('rejects a street of another district with STREET_NOT_IN_DISTRICT', () => {
    // Prepare: 东华门街道 (110101001) is in 东城区, not in 西城区 (110102)
    const input = contact({ location: { districtCode: '110102', streetCode: '110101001' } });

    // Act
    const error = rejection(input);

    // Assess
    expect(error).toMatchObject({ kind: 'unprocessable', code: 'STREET_NOT_IN_DISTRICT' });
    expect(error.details).toEqual([
      expect.objectContaining({ path: 'location.streetCode', code: 'STREET_NOT_IN_DISTRICT' }),
    ]);
    expect(error.message).toContain('110101001');
  });

  it('rejects several problems at once with INVALID_REFERENCES and every problem in details', () => {
    // Prepare
    const input = contact({
      categoryCode: '019999',
      location: { districtCode: '110100', streetCode: '110101001' },
    });

    // Act
    const error = rejection(input);

    // Assess
    expect(error.kind).toBe('unprocessable');
    expect(error.code).toBe('INVALID_REFERENCES');
    expect(error.details).toEqual([
      expect.objectContaining({ path: 'categoryCode', code: 'UNKNOWN_CATEGORY' }),
      expect.objectContaining({ path: 'location.districtCode', code: 'UNKNOWN_DISTRICT' }),
      expect.objectContaining({ path: 'location.streetCode', code: 'STREET_NOT_IN_DISTRICT' }),
    ]);
    expect(error.message).toBe('No category 019999.');
  });

  it('rejects an unknown category and an unknown street together', () => {
    // Act
    const error = rejection(
      contact({ categoryCode: '98', location: { districtCode: '110101', streetCode: '110101999' } }),
    );

    // Assess
    expect(error.code).toBe('INVALID_REFERENCES');
    expect((error.details as { code: string }[]).map((d) => d.code)).toEqual([
      'UNKNOWN_CATEGORY',
      'UNKNOWN_STREET',
    ]);
  });
});
