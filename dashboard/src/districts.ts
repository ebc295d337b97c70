import districts from '#data/geo/beijing-districts.geo.json' with { type: 'json' };
import { type DistrictShape, districtOfPoint } from '#domain/district-of-point.ts';

/** Beijing's 16 districts (data/geo/beijing-districts.geo.json; its licence in data/README.md). */
export const mapAttribution = districts.attribution;

const shapes = districts.features as readonly DistrictShape[];

/** The district whose polygon holds the point: its code and name, or undefined outside Beijing. */
export const districtAt = (lat: number, lng: number): { code: string; name: string } | undefined =>
  districtOfPoint(shapes, { lat, long: lng })?.properties;
