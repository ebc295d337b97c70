import { booleanPointInPolygon } from '@turf/boolean-point-in-polygon';
import type { MultiPolygon, Polygon } from 'geojson';

/**
 * Which district a point (WGS 84) lies in, by the districts' polygons (data/geo, simplified to about
 * 1 m): for a contact that comes with coordinates but no district (Open311's lat/long). A point on no
 * polygon (outside the city, or in a sliver the simplification lost along a border) has none, and the
 * caller asks for the district instead of guessing.
 */
export interface DistrictShape {
  readonly properties: { readonly code: string; readonly name: string };
  readonly geometry: { readonly type: 'Polygon' | 'MultiPolygon'; readonly coordinates: readonly unknown[] };
}

/** The shape (a GeoJSON feature) holding the point, or undefined. */
export const districtOfPoint = <S extends DistrictShape>(
  shapes: readonly S[],
  point: { readonly lat: number; readonly long: number },
): S | undefined =>
  // turf's types want mutable GeoJSON; it only reads the geometry.
  shapes.find((shape) =>
    booleanPointInPolygon([point.long, point.lat], shape.geometry as Polygon | MultiPolygon),
  );
