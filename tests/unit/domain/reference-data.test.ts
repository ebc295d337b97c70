import { describe, expect, it } from 'vitest';
import unitsJson from '#data/units.json' with { type: 'json' };
import {
  type CatalogueEntry,
  type Category,
  ReferenceData,
  type ReferenceDataSources,
  unitClasses,
} from '#domain/reference-data.ts';

/**
 * A small test city: 990000 with districts 990001 (government gov-d1, street 990001001 with office
 * st-s11) and 990002 (no government, but a department based there). Categories 10 › 1001 › 100101
 * and 20 (one level).
 */
const sources: ReferenceDataSources = {
  areas: {
    city: { code: '990000', name: 'Test City' },
    items: [
      { code: '990001', name: 'D1', level: 'district', parentCode: '990000' },
      { code: '990002', name: 'D2', level: 'district', parentCode: '990000' },
      { code: '990001001', name: 'S11', level: 'street', parentCode: '990001' },
    ],
  },
  units: {
    items: [
      { id: 'st-s11', name: 'S11 office', class: 'street', areaCode: '990001001' },
      { id: 'gov-d1', name: 'D1 government', class: 'district', areaCode: '990001' },
      { id: 'dept-d2', name: 'D2 housing bureau', class: 'department', areaCode: '990002' },
      { id: 'ent-d2', name: 'D2 heating company', class: 'enterprise', areaCode: '990002', alwaysOn: true },
    ],
  },
  categories: {
    items: [
      { code: '10', name: 'Ten', level: 1, parentCode: null },
      { code: '1001', name: 'Ten-one', level: 2, parentCode: '10' },
      { code: '100101', name: 'Ten-one-one', level: 3, parentCode: '1001' },
      { code: '20', name: 'Twenty', level: 1, parentCode: null },
    ],
  },
  catalogue: {
    entries: [
      { categoryCode: '10', areaCode: '990000', leadUnitId: 'dept-d2', coUnitIds: [] },
      { categoryCode: '10', areaCode: '990001', leadUnitId: 'gov-d1', coUnitIds: ['dept-d2'] },
      { categoryCode: '1001', areaCode: '990001001', leadUnitId: 'st-s11', coUnitIds: [] },
    ],
  },
};
const ref = new ReferenceData(sources);

describe('unitClasses', () => {
  it('returns exactly the classes the units of the deployment (data/units.json) belong to', () => {
    // Act
    const used = new Set(unitsJson.items.map((u) => u.class));

    // Assess
    expect([...unitClasses].sort()).toEqual([...used].sort());
  });
});

describe('ReferenceData lookups', () => {
  it('returns the city and the plain lists it was given', () => {
    // Act / Assess
    expect(ref.city).toEqual({ code: '990000', name: 'Test City' });
    expect(ref.areas.map((a) => a.code)).toEqual(['990001', '990002', '990001001']);
    expect(ref.units.map((u) => u.id)).toEqual(['st-s11', 'gov-d1', 'dept-d2', 'ent-d2']);
    expect(ref.categories.map((c) => c.code)).toEqual(['10', '1001', '100101', '20']);
    expect(ref.catalogue).toHaveLength(3);
  });

  it('returns an area, a unit and a category by its code or id, and undefined for an unknown one', () => {
    // Act / Assess
    expect(ref.area('990001001')).toMatchObject({ name: 'S11', level: 'street', parentCode: '990001' });
    expect(ref.area('990000')).toBeUndefined(); // the city is no area
    expect(ref.unit('gov-d1')).toMatchObject({ name: 'D1 government', class: 'district' });
    expect(ref.unit('gov-d2')).toBeUndefined();
    expect(ref.category('1001')).toMatchObject({ name: 'Ten-one', level: 2 });
    expect(ref.category('1002')).toBeUndefined();
  });

  it('returns the district government of a district, and none where only other units sit', () => {
    // Act / Assess: the street office and the department are not governments of their areas
    expect(ref.districtGovernmentOf('990001')?.id).toBe('gov-d1');
    expect(ref.districtGovernmentOf('990002')).toBeUndefined();
    expect(ref.districtGovernmentOf('990001001')).toBeUndefined();
  });

  it('returns the catalogue line of a category and place, and none for another pairing of them', () => {
    // Act / Assess
    expect(ref.catalogueEntry('10', '990001')).toEqual({
      categoryCode: '10',
      areaCode: '990001',
      leadUnitId: 'gov-d1',
      coUnitIds: ['dept-d2'],
    });
    expect(ref.catalogueEntry('1001', '990001001')?.leadUnitId).toBe('st-s11');
    expect(ref.catalogueEntry('10', '990000')?.leadUnitId).toBe('dept-d2');
    expect(ref.catalogueEntry('1001', '990001')).toBeUndefined();
    expect(ref.catalogueEntry('20', '990001')).toBeUndefined();
  });
});

describe('ReferenceData.categoryPath', () => {
  it('returns the codes from the root down to the category itself', () => {
    // Act / Assess
    expect(ref.categoryPath('100101')).toEqual(['10', '1001', '100101']);
    expect(ref.categoryPath('1001')).toEqual(['10', '1001']);
    expect(ref.categoryPath('20')).toEqual(['20']);
  });

  it('returns an empty path for an unknown category', () => {
    // Act / Assess
    expect(ref.categoryPath('999999')).toEqual([]);
  });

  it('returns the path up to the last known ancestor when a parent is missing from the data', () => {
    // Prepare
    const orphan: Category = { code: '300101', name: 'Orphan', level: 3, parentCode: '3001' };
    const withOrphan = new ReferenceData({
      ...sources,
      categories: { items: [...sources.categories.items, orphan] },
    });

    // Act / Assess
    expect(withOrphan.categoryPath('300101')).toEqual(['300101']);
  });

  it('returns, for a cycle in the data, four codes (one more than the three levels of a valid path) rather than hanging', () => {
    // Prepare: A › B › A …
    const cyclic = new ReferenceData({
      ...sources,
      categories: {
        items: [
          { code: 'A', name: 'A', level: 1, parentCode: 'B' },
          { code: 'B', name: 'B', level: 2, parentCode: 'A' },
        ],
      },
    });

    // Act / Assess: the walk goes A, B, A, B and stops on the fourth code
    expect(cyclic.categoryPath('A')).toEqual(['B', 'A', 'B', 'A']);
  });
});

describe('ReferenceData.withCatalogue', () => {
  const edited: CatalogueEntry[] = [
    { categoryCode: '20', areaCode: '990001', leadUnitId: 'gov-d1', coUnitIds: [] },
  ];

  it('returns the same city with the catalogue it is given in place of the bundled one', () => {
    // Act
    const next = ref.withCatalogue(edited);

    // Assess
    expect(next.catalogue).toEqual(edited);
    expect(next.catalogueEntry('20', '990001')?.leadUnitId).toBe('gov-d1');
    expect(next.catalogueEntry('10', '990001')).toBeUndefined();
    expect(next.city).toEqual(ref.city);
    expect(next.unit('st-s11')).toEqual(ref.unit('st-s11'));
    expect(next.categoryPath('100101')).toEqual(['10', '1001', '100101']);
    expect(next.districtGovernmentOf('990001')?.id).toBe('gov-d1');
    expect(next.area('990001001')).toEqual(ref.area('990001001'));
  });

  it('returns a new instance and leaves the original catalogue in force', () => {
    // Act
    const next = ref.withCatalogue(edited);

    // Assess
    expect(next).not.toBe(ref);
    expect(ref.catalogueEntry('10', '990001')?.leadUnitId).toBe('gov-d1');
    expect(ref.catalogueEntry('20', '990001')).toBeUndefined();
  });
});
