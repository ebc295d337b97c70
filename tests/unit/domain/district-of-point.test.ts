import { describe, expect, it } from 'vitest';
import districts from '#data/geo/beijing-districts.geo.json' with { type: 'json' };
import { type DistrictShape, districtOfPoint } from '#domain/district-of-point.ts';
import { referenceData } from '#shared/platform/reference.ts';

const shapes = districts.features as readonly DistrictShape[];
const square = (code: string, [lng, lat]: [number, number], hole?: [number, number]): DistrictShape => ({
  properties: { code, name: code },
  geometry: {
    type: 'Polygon',
    coordinates: [
      [
        [lng, lat],
        [lng + 1, lat],
        [lng + 1, lat + 1],
        [lng, lat + 1],
        [lng, lat],
      ],
      ...(hole
        ? [
            [
              [hole[0], hole[1]],
              [hole[0] + 0.2, hole[1]],
              [hole[0] + 0.2, hole[1] + 0.2],
              [hole[0], hole[1] + 0.2],
              [hole[0], hole[1]],
            ],
          ]
        : []),
    ],
  },
});

describe('districtOfPoint', () => {
  it('finds the district of each district centroid in the data', () => {
    const withCentroid = referenceData.areas.filter((a) => a.level === 'district' && a.lat !== undefined);
    expect(withCentroid).toHaveLength(16);
    for (const area of withCentroid) {
      const found = districtOfPoint(shapes, { lat: area.lat ?? 0, long: area.lng ?? 0 });
      expect(found?.properties.code, area.name).toBe(area.code);
    }
  });

  it('places known landmarks (WGS 84)', () => {
    // 天安门 (东城区), 国家体育场 (朝阳区), 八达岭长城 (延庆区)
    expect(districtOfPoint(shapes, { lat: 39.9087, long: 116.3975 })?.properties.name).toBe('东城区');
    expect(districtOfPoint(shapes, { lat: 39.9929, long: 116.3965 })?.properties.name).toBe('朝阳区');
    expect(districtOfPoint(shapes, { lat: 40.3597, long: 116.0199 })?.properties.name).toBe('延庆区');
  });

  it('finds none outside the city (Shanghai, 0/0)', () => {
    expect(districtOfPoint(shapes, { lat: 31.2304, long: 121.4737 })).toBeUndefined();
    expect(districtOfPoint(shapes, { lat: 0, long: 0 })).toBeUndefined();
  });

  it('takes longitude as x and latitude as y, and leaves holes out', () => {
    const a = square('A', [10, 50], [10.4, 50.4]);
    expect(districtOfPoint([a], { lat: 50.1, long: 10.1 })?.properties.code).toBe('A');
    expect(districtOfPoint([a], { lat: 10.1, long: 50.1 })).toBeUndefined();
    expect(districtOfPoint([a], { lat: 50.5, long: 10.5 })).toBeUndefined();
  });

  it('reads multipolygons', () => {
    const [first, second] = [
      square('x', [0, 0]).geometry.coordinates,
      square('x', [5, 5]).geometry.coordinates,
    ];
    const multi: DistrictShape = {
      properties: { code: 'M', name: 'M' },
      geometry: { type: 'MultiPolygon', coordinates: [first, second] },
    };
    expect(districtOfPoint([multi], { lat: 5.5, long: 5.5 })?.properties.code).toBe('M');
    expect(districtOfPoint([multi], { lat: 3, long: 3 })).toBeUndefined();
  });
});
