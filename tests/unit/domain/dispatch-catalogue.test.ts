import { describe, expect, it } from 'vitest';
import {
  type CatalogueEdit,
  checkCatalogueEntry,
  mergeCatalogue,
  type Route,
  routeByCatalogue,
  routeByDispatcher,
} from '#domain/dispatch-catalogue.ts';
import { HotlineError } from '#domain/errors.ts';
import { type CatalogueEntry, ReferenceData } from '#domain/reference-data.ts';
import { referenceData as demo } from '#shared/platform/reference.ts';
import { catchError } from './support.ts';

/**
 * A small test city (not the demo files):
 *   990000 city
 *   ├─ 990001 district D1 (government gov-d1)  streets 990001001 (st-s11), 990001002 (st-s12), 990001003 (no unit)
 *   ├─ 990002 district D2 (government gov-d2)  street 990002001 (st-s21)
 *   └─ 990003 district D3 (no government)      street 990003001 (st-s31)
 * Units beside the governments and street offices: departments dept-a and dept-b and the water company
 * ent-w (city-wide), and ent-s11, an enterprise based in street 990001001.
 * Categories: 10 › 1001 › 100101, 100102; 20 › 2001 › 200101; 30 (manual dispatch) › 3001.
 */
const CITY = '990000';
const D1 = '990001';
const D2 = '990002';
const D3 = '990003';
const S11 = '990001001';
const S12 = '990001002';
const S13 = '990001003';
const S21 = '990002001';
const S31 = '990003001';

const catalogue: CatalogueEntry[] = [
  { categoryCode: '10', areaCode: CITY, leadUnitId: 'dept-a', coUnitIds: [] },
  { categoryCode: '10', areaCode: D1, leadUnitId: 'gov-d1', coUnitIds: ['dept-a'] },
  { categoryCode: '10', areaCode: S11, leadUnitId: 'st-s11', coUnitIds: [] },
  { categoryCode: '10', areaCode: S31, leadUnitId: 'st-s31', coUnitIds: [] },
  { categoryCode: '100101', areaCode: CITY, leadUnitId: 'dept-b', coUnitIds: ['dept-a'] },
  { categoryCode: '20', areaCode: S12, leadUnitId: 'st-s12', coUnitIds: ['gov-d1'] },
  { categoryCode: '2001', areaCode: S21, leadUnitId: 'st-s21', coUnitIds: ['dept-b', 'st-s21'] },
];

const ref = new ReferenceData({
  areas: {
    city: { code: CITY, name: 'Test City' },
    items: [
      { code: D1, name: 'D1', level: 'district', parentCode: CITY },
      { code: D2, name: 'D2', level: 'district', parentCode: CITY },
      { code: D3, name: 'D3', level: 'district', parentCode: CITY },
      { code: S11, name: 'S11', level: 'street', parentCode: D1 },
      { code: S12, name: 'S12', level: 'street', parentCode: D1 },
      { code: S13, name: 'S13', level: 'street', parentCode: D1 },
      { code: S21, name: 'S21', level: 'street', parentCode: D2 },
      { code: S31, name: 'S31', level: 'street', parentCode: D3 },
    ],
  },
  units: {
    items: [
      { id: 'gov-d1', name: 'D1 government', class: 'district', areaCode: D1 },
      { id: 'gov-d2', name: 'D2 government', class: 'district', areaCode: D2 },
      { id: 'st-s11', name: 'S11 office', class: 'street', areaCode: S11 },
      { id: 'st-s12', name: 'S12 office', class: 'street', areaCode: S12 },
      { id: 'st-s21', name: 'S21 office', class: 'street', areaCode: S21 },
      { id: 'st-s31', name: 'S31 office', class: 'street', areaCode: S31 },
      { id: 'dept-a', name: 'Department A', class: 'department', areaCode: CITY },
      { id: 'dept-b', name: 'Department B', class: 'department', areaCode: CITY },
      { id: 'ent-w', name: 'Water company', class: 'enterprise', areaCode: CITY, alwaysOn: true },
      { id: 'ent-s11', name: 'Market of S11', class: 'enterprise', areaCode: S11 },
    ],
  },
  categories: {
    items: [
      { code: '10', name: 'Ten', level: 1, parentCode: null },
      { code: '1001', name: 'Ten-one', level: 2, parentCode: '10' },
      { code: '100101', name: 'Ten-one-one', level: 3, parentCode: '1001' },
      { code: '100102', name: 'Ten-one-two', level: 3, parentCode: '1001' },
      { code: '20', name: 'Twenty', level: 1, parentCode: null },
      { code: '2001', name: 'Twenty-one', level: 2, parentCode: '20' },
      { code: '200101', name: 'Twenty-one-one', level: 3, parentCode: '2001' },
      { code: '30', name: 'Thirty', level: 1, parentCode: null, manualDispatch: true },
      { code: '3001', name: 'Thirty-one', level: 2, parentCode: '30', manualDispatch: true },
    ],
  },
  catalogue: { entries: catalogue },
});

const order = (categoryCode: string, districtCode: string, streetCode?: string) => ({
  categoryCode,
  location: { districtCode, ...(streetCode ? { streetCode } : {}) },
});

describe('routeByCatalogue', () => {
  describe('place precedence', () => {
    it('returns the street-level rule over the district and city rules of the same category', () => {
      // Act
      const route = routeByCatalogue(order('1001', D1, S11), ref);

      // Assess
      expect(route).toEqual({
        kind: 'unit',
        leadUnitId: 'st-s11',
        coUnitIds: [],
        copiedUnitIds: ['gov-d1'],
        basis: { rule: 'catalogue', categoryCode: '10', areaCode: S11 },
      });
    });

    it('returns the district rule when the street has none', () => {
      // Act
      const route = routeByCatalogue(order('1001', D1, S12), ref);

      // Assess
      expect(route).toEqual({
        kind: 'unit',
        leadUnitId: 'gov-d1',
        coUnitIds: ['dept-a'],
        copiedUnitIds: [],
        basis: { rule: 'catalogue', categoryCode: '10', areaCode: D1 },
      });
    });

    it('returns the city rule when neither the street nor the district has one', () => {
      // Act
      const route = routeByCatalogue(order('1001', D2, S21), ref);

      // Assess
      expect(route).toEqual({
        kind: 'unit',
        leadUnitId: 'dept-a',
        coUnitIds: [],
        copiedUnitIds: [],
        basis: { rule: 'catalogue', categoryCode: '10', areaCode: CITY },
      });
    });

    it('returns the district rule for an order with a district but no street', () => {
      // Act
      const route = routeByCatalogue(order('10', D1), ref);

      // Assess
      expect(route).toMatchObject({ kind: 'unit', leadUnitId: 'gov-d1', basis: { areaCode: D1 } });
    });
  });

  describe('category precedence', () => {
    it('returns a level-3 rule (even city-wide) over a level-1 rule of the street', () => {
      // Act
      const route = routeByCatalogue(order('100101', D1, S11), ref);

      // Assess
      expect(route).toEqual({
        kind: 'unit',
        leadUnitId: 'dept-b',
        coUnitIds: ['dept-a'],
        copiedUnitIds: [],
        basis: { rule: 'catalogue', categoryCode: '100101', areaCode: CITY },
      });
    });

    it('returns the level-1 rule for a sibling level-3 category that has no rule of its own', () => {
      // Act
      const route = routeByCatalogue(order('100102', D1, S11), ref);

      // Assess
      expect(route).toMatchObject({
        kind: 'unit',
        leadUnitId: 'st-s11',
        basis: { rule: 'catalogue', categoryCode: '10', areaCode: S11 },
      });
    });
  });

  describe('Art. 12(1): a street lead copies its district government', () => {
    it('returns the district government in copiedUnitIds, not in coUnitIds', () => {
      // Act
      const route = routeByCatalogue(order('10', D1, S11), ref);

      // Assess
      expect(route).toMatchObject({ leadUnitId: 'st-s11', coUnitIds: [], copiedUnitIds: ['gov-d1'] });
    });

    it('returns no copy when the district government is already a co-handler', () => {
      // Act
      const route = routeByCatalogue(order('20', D1, S12), ref);

      // Assess
      expect(route).toEqual({
        kind: 'unit',
        leadUnitId: 'st-s12',
        coUnitIds: ['gov-d1'],
        copiedUnitIds: [],
        basis: { rule: 'catalogue', categoryCode: '20', areaCode: S12 },
      });
    });

    it('returns no copy for a street lead whose district has no government unit', () => {
      // Act
      const route = routeByCatalogue(order('10', D3, S31), ref);

      // Assess
      expect(route).toMatchObject({ kind: 'unit', leadUnitId: 'st-s31', copiedUnitIds: [] });
    });

    it('returns coUnitIds without the lead when a catalogue line lists the lead as co-handler too', () => {
      // Act
      const route = routeByCatalogue(order('200101', D2, S21), ref);

      // Assess
      expect(route).toEqual({
        kind: 'unit',
        leadUnitId: 'st-s21',
        coUnitIds: ['dept-b'],
        copiedUnitIds: ['gov-d2'],
        basis: { rule: 'catalogue', categoryCode: '2001', areaCode: S21 },
      });
    });
  });

  describe('Art. 12(2): district fallback', () => {
    it('returns the district government when no rule names a unit', () => {
      // Act
      const route = routeByCatalogue(order('200101', D2), ref);

      // Assess
      expect(route).toEqual({
        kind: 'unit',
        leadUnitId: 'gov-d2',
        coUnitIds: [],
        copiedUnitIds: [],
        basis: { rule: 'district_fallback', districtCode: D2 },
      });
    });

    it('returns the district government of the order for a street without its own unit', () => {
      // Act
      const route = routeByCatalogue(order('20', D1, S13), ref);

      // Assess
      expect(route).toMatchObject({
        leadUnitId: 'gov-d1',
        basis: { rule: 'district_fallback', districtCode: D1 },
      });
    });
  });

  describe('dispatcher', () => {
    it('returns the dispatcher with manual_category for a manual-dispatch category, whatever the place', () => {
      // Act
      const withStreet = routeByCatalogue(order('3001', D1, S11), ref);
      const withDistrict = routeByCatalogue(order('30', D2), ref);

      // Assess
      const expected: Route = { kind: 'dispatcher', reason: 'manual_category' };
      expect(withStreet).toEqual(expected);
      expect(withDistrict).toEqual(expected);
    });

    it('returns the dispatcher with no_rule when no rule applies and the district has no government', () => {
      // Act
      const route = routeByCatalogue(order('20', D3, S31), ref);

      // Assess
      expect(route).toEqual({ kind: 'dispatcher', reason: 'no_rule' });
    });
  });
});

describe('routeByDispatcher', () => {
  it('returns the chosen street lead with its district government copied', () => {
    // Act
    const route = routeByDispatcher(ref, { leadUnitId: 'st-s11', coUnitIds: ['dept-a'] });

    // Assess
    expect(route).toEqual({
      kind: 'unit',
      leadUnitId: 'st-s11',
      coUnitIds: ['dept-a'],
      copiedUnitIds: ['gov-d1'],
      basis: { rule: 'dispatcher' },
    });
  });

  it('returns no copy when the dispatcher made the district government a co-handler', () => {
    // Act
    const route = routeByDispatcher(ref, { leadUnitId: 'st-s21', coUnitIds: ['gov-d2'] });

    // Assess
    expect(route).toMatchObject({ coUnitIds: ['gov-d2'], copiedUnitIds: [] });
  });

  it('returns coUnitIds without the lead when the dispatcher also listed the lead as co-handler', () => {
    // Act
    const route = routeByDispatcher(ref, { leadUnitId: 'st-s11', coUnitIds: ['st-s11', 'dept-b'] });

    // Assess
    expect(route.coUnitIds).toEqual(['dept-b']);
    expect(route.copiedUnitIds).toEqual(['gov-d1']);
  });

  it('returns no copy for a lead that is not a street (department, district, enterprise)', () => {
    // Act
    const routes = ['dept-a', 'gov-d1', 'ent-w'].map((leadUnitId) =>
      routeByDispatcher(ref, { leadUnitId, coUnitIds: [] }),
    );

    // Assess
    expect(routes.map((r) => r.copiedUnitIds)).toEqual([[], [], []]);
  });

  it('returns no copy for a non-street lead based in a street: only a street or township copies its district', () => {
    // Act
    const route = routeByDispatcher(ref, { leadUnitId: 'ent-s11', coUnitIds: [] });

    // Assess
    expect(route).toEqual({
      kind: 'unit',
      leadUnitId: 'ent-s11',
      coUnitIds: [],
      copiedUnitIds: [],
      basis: { rule: 'dispatcher' },
    });
  });

  it('returns the choice with no copy for a lead the city does not know, rather than failing', () => {
    // Act: the handler checks the units exist; routing itself does not fail on an unknown one
    const route = routeByDispatcher(ref, { leadUnitId: 'st-gone', coUnitIds: ['dept-a'] });

    // Assess
    expect(route).toEqual({
      kind: 'unit',
      leadUnitId: 'st-gone',
      coUnitIds: ['dept-a'],
      copiedUnitIds: [],
      basis: { rule: 'dispatcher' },
    });
  });

  it('returns each co-handler once when the dispatcher named it twice', () => {
    // Act
    const route = routeByDispatcher(ref, { leadUnitId: 'st-s11', coUnitIds: ['dept-a', 'dept-b', 'dept-a'] });

    // Assess
    expect(route.coUnitIds).toEqual(['dept-a', 'dept-b']);
    expect(route.copiedUnitIds).toEqual(['gov-d1']);
  });

  it('returns the choice without changing the array it was given', () => {
    // Prepare
    const coUnitIds = ['st-s11', 'dept-a'];

    // Act
    routeByDispatcher(ref, { leadUnitId: 'st-s11', coUnitIds });

    // Assess
    expect(coUnitIds).toEqual(['st-s11', 'dept-a']);
  });
});

describe('checkCatalogueEntry', () => {
  const entry = (changes: Partial<CatalogueEntry> = {}): CatalogueEntry => ({
    categoryCode: '100102',
    areaCode: S11,
    leadUnitId: 'st-s11',
    coUnitIds: ['dept-a'],
    ...changes,
  });

  /** The problems a line has, as `path code: message`, or [] when it passes. */
  const problemsOf = (line: CatalogueEntry): string[] => {
    const error = catchError(() => checkCatalogueEntry(line, ref));
    if (error === undefined) return [];
    expect(error).toBeInstanceOf(HotlineError);
    return ((error as HotlineError).details as { path: string; code: string; message: string }[]).map(
      (p) => `${p.path} ${p.code}: ${p.message}`,
    );
  };

  it('returns nothing for a line whose category, place and units exist', () => {
    // Act / Assess
    expect(() => checkCatalogueEntry(entry(), ref)).not.toThrow();
  });

  it('returns nothing for a line of a district and for a city-wide line (the city code is no area)', () => {
    // Act / Assess
    expect(problemsOf(entry({ areaCode: D1, leadUnitId: 'gov-d1' }))).toEqual([]);
    expect(problemsOf(entry({ areaCode: CITY, leadUnitId: 'dept-b', coUnitIds: [] }))).toEqual([]);
  });

  it('rejects an unknown category with 422 UNKNOWN_CATEGORY naming the code', () => {
    // Act
    const error = catchError(() => checkCatalogueEntry(entry({ categoryCode: '4001' }), ref));

    // Assess
    expect(error).toBeInstanceOf(HotlineError);
    expect(error).toMatchObject({
      kind: 'unprocessable',
      code: 'UNKNOWN_CATEGORY',
      message: 'No category 4001.',
      details: [{ path: 'categoryCode', code: 'UNKNOWN_CATEGORY', message: 'No category 4001.' }],
    });
  });

  it('rejects a manual-dispatch category with 422 MANUAL_CATEGORY: a dispatcher picks its unit, no line does', () => {
    // Act
    const error = catchError(() => checkCatalogueEntry(entry({ categoryCode: '3001' }), ref));

    // Assess
    expect(error).toMatchObject({
      kind: 'unprocessable',
      code: 'MANUAL_CATEGORY',
      message: 'Thirty-one is dispatched by hand; it takes no catalogue line.',
    });
    expect(problemsOf(entry({ categoryCode: '3001' }))).toEqual([
      'categoryCode MANUAL_CATEGORY: Thirty-one is dispatched by hand; it takes no catalogue line.',
    ]);
  });

  it('rejects an unknown place with 422 UNKNOWN_AREA naming the code', () => {
    // Act
    const error = catchError(() => checkCatalogueEntry(entry({ areaCode: '990004' }), ref));

    // Assess
    expect(error).toMatchObject({ kind: 'unprocessable', code: 'UNKNOWN_AREA', message: 'No area 990004.' });
    expect(problemsOf(entry({ areaCode: '990004' }))).toEqual(['areaCode UNKNOWN_AREA: No area 990004.']);
  });

  it('rejects an unknown lead with 422 UNKNOWN_UNIT at leadUnitId', () => {
    // Act
    const error = catchError(() => checkCatalogueEntry(entry({ leadUnitId: 'st-gone' }), ref));

    // Assess
    expect(error).toMatchObject({ kind: 'unprocessable', code: 'UNKNOWN_UNIT', message: 'No unit st-gone.' });
    expect(problemsOf(entry({ leadUnitId: 'st-gone' }))).toEqual([
      'leadUnitId UNKNOWN_UNIT: No unit st-gone.',
    ]);
  });

  it('rejects an unknown co-handler at its own index in coUnitIds', () => {
    // Act: the second co-handler (index 1) is unknown
    const problems = problemsOf(entry({ coUnitIds: ['dept-a', 'dept-z'] }));

    // Assess
    expect(problems).toEqual(['coUnitIds.1 UNKNOWN_UNIT: No unit dept-z.']);
  });

  it('rejects the lead named as its own co-handler with 422 LEAD_AS_CO_HANDLER', () => {
    // Act
    const error = catchError(() => checkCatalogueEntry(entry({ coUnitIds: ['dept-a', 'st-s11'] }), ref));

    // Assess
    expect(error).toMatchObject({
      kind: 'unprocessable',
      code: 'LEAD_AS_CO_HANDLER',
      message: 'The lead unit is not also its own co-handler.',
      details: [
        {
          path: 'coUnitIds',
          code: 'LEAD_AS_CO_HANDLER',
          message: 'The lead unit is not also its own co-handler.',
        },
      ],
    });
  });

  it('rejects a co-handler named twice with 422 DUPLICATE_CO_HANDLER', () => {
    // Act
    const error = catchError(() =>
      checkCatalogueEntry(entry({ coUnitIds: ['dept-a', 'dept-b', 'dept-a'] }), ref),
    );

    // Assess
    expect(error).toBeInstanceOf(HotlineError);
    expect(error).toMatchObject({
      kind: 'unprocessable',
      code: 'DUPLICATE_CO_HANDLER',
      message: 'A co-handler is named twice.',
      details: [{ path: 'coUnitIds', code: 'DUPLICATE_CO_HANDLER', message: 'A co-handler is named twice.' }],
    });
  });

  it('rejects a line with a duplicate among other problems with 422 INVALID_CATALOGUE_ENTRY listing each', () => {
    // Act
    const error = catchError(() =>
      checkCatalogueEntry(entry({ coUnitIds: ['st-s11', 'st-s11'] }), ref),
    ) as HotlineError;

    // Assess
    expect(error).toMatchObject({ kind: 'unprocessable', code: 'INVALID_CATALOGUE_ENTRY' });
    expect((error.details as { code: string }[]).map((p) => p.code)).toEqual([
      'DUPLICATE_CO_HANDLER',
      'LEAD_AS_CO_HANDLER',
    ]);
  });

  it('rejects a line with several problems with the first one as message, listing all in field order', () => {
    // Prepare
    const line = entry({ categoryCode: '4001', areaCode: '990004', leadUnitId: 'st-gone', coUnitIds: ['x'] });

    // Act
    const error = catchError(() => checkCatalogueEntry(line, ref));

    // Assess
    expect(error).toMatchObject({
      kind: 'unprocessable',
      code: 'INVALID_CATALOGUE_ENTRY',
      message: 'No category 4001.',
    });
    expect(problemsOf(line)).toEqual([
      'categoryCode UNKNOWN_CATEGORY: No category 4001.',
      'areaCode UNKNOWN_AREA: No area 990004.',
      'leadUnitId UNKNOWN_UNIT: No unit st-gone.',
      'coUnitIds.0 UNKNOWN_UNIT: No unit x.',
    ]);
  });
});

describe('mergeCatalogue', () => {
  const line = (categoryCode: string, areaCode: string, leadUnitId: string): CatalogueEntry => ({
    categoryCode,
    areaCode,
    leadUnitId,
    coUnitIds: [],
  });
  const base = [line('10', CITY, 'dept-a'), line('10', D1, 'gov-d1'), line('20', S12, 'st-s12')];

  it('returns the bundled catalogue unchanged when the centre made no edit', () => {
    // Act
    const merged = mergeCatalogue(base, []);

    // Assess
    expect(merged).toEqual(base);
    expect(merged).not.toBe(base);
  });

  it('returns an edit in place of the line of the same category and place, where that line stood', () => {
    // Prepare
    const edit: CatalogueEdit = { ...line('10', D1, 'dept-b'), coUnitIds: ['gov-d1'], note: 'since Dec' };

    // Act
    const merged = mergeCatalogue(base, [edit]);

    // Assess
    expect(merged).toEqual([base[0], edit, base[2]]);
  });

  it('returns an edit for a new category and place after the bundled lines', () => {
    // Act
    const merged = mergeCatalogue(base, [line('20', D1, 'gov-d1')]);

    // Assess
    expect(merged).toEqual([...base, line('20', D1, 'gov-d1')]);
  });

  it('returns a line of the same category in another place, or of another category in the same place, as a new line', () => {
    // Act
    const merged = mergeCatalogue(base, [line('10', D2, 'gov-d2'), line('20', CITY, 'dept-b')]);

    // Assess
    expect(merged).toEqual([...base, line('10', D2, 'gov-d2'), line('20', CITY, 'dept-b')]);
  });

  it('returns the catalogue without a line the centre removed, whatever the removal names as its units', () => {
    // Act
    const merged = mergeCatalogue(base, [{ ...line('10', D1, 'dept-z'), removed: true }]);

    // Assess
    expect(merged).toEqual([base[0], base[2]]);
  });

  it('returns the catalogue unchanged by the removal of a line it does not have', () => {
    // Act
    const merged = mergeCatalogue(base, [{ ...line('20', D2, 'gov-d2'), removed: true }]);

    // Assess
    expect(merged).toEqual(base);
  });

  it('returns an edit marked removed: false as a plain line, without the mark', () => {
    // Act
    const merged = mergeCatalogue(base, [{ ...line('10', D1, 'dept-b'), removed: false }]);

    // Assess
    expect(merged[1]).toStrictEqual(line('10', D1, 'dept-b'));
  });

  it('returns the later of two edits of the same line, and a line removed then added again', () => {
    // Act
    const merged = mergeCatalogue(base, [
      line('20', S12, 'dept-a'),
      line('20', S12, 'dept-b'),
      { ...line('10', CITY, 'dept-a'), removed: true },
      line('10', CITY, 'ent-w'),
    ]);

    // Assess: the removed-then-added line goes to the end
    expect(merged).toEqual([base[1], line('20', S12, 'dept-b'), line('10', CITY, 'ent-w')]);
  });

  it('returns a new list and leaves the bundled one untouched', () => {
    // Prepare
    const before = structuredClone(base);

    // Act
    mergeCatalogue(base, [{ ...line('10', CITY, 'dept-a'), removed: true }, line('10', D1, 'dept-b')]);

    // Assess
    expect(base).toEqual(before);
  });
});

describe('routeByCatalogue with the demo data of Beijing', () => {
  it('returns the street office for illegal construction in 东华门街道, copying 东城区人民政府', () => {
    // Act
    const route = routeByCatalogue(order('010101', '110101', '110101001'), demo);

    // Assess
    expect(route).toEqual({
      kind: 'unit',
      leadUnitId: 'st-110101001',
      coUnitIds: [],
      copiedUnitIds: ['gov-110101'],
      basis: { rule: 'catalogue', categoryCode: '0101', areaCode: '110101001' },
    });
  });

  it('returns the district government for flooding inside a 朝阳区 compound and the drainage group elsewhere', () => {
    // Act
    const chaoyang = routeByCatalogue(order('070202', '110105'), demo);
    const haidian = routeByCatalogue(order('070202', '110108'), demo);

    // Assess
    expect(chaoyang).toMatchObject({
      leadUnitId: 'gov-110105',
      coUnitIds: ['ent-drainage'],
      basis: { categoryCode: '070202', areaCode: '110105' },
    });
    expect(haidian).toMatchObject({
      leadUnitId: 'ent-drainage',
      coUnitIds: ['dept-swj'],
      basis: { categoryCode: '0702', areaCode: '110000' },
    });
  });

  it('returns the dispatcher for the manual-dispatch category 其他投诉', () => {
    // Act
    const route = routeByCatalogue(order('990102', '110101', '110101001'), demo);

    // Assess
    expect(route).toEqual({ kind: 'dispatcher', reason: 'manual_category' });
  });
});
