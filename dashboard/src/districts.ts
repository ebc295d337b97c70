import districts from '../../data/geo/beijing-districts.geojson';

/** Beijing's 16 districts (data/geo/beijing-districts.geojson; its licence in data/README.md). */
export const mapAttribution = districts.attribution;

type Ring = readonly (readonly [number, number])[];

/** Even-odd ray casting: is (lng, lat) inside the ring? */
const inRing = (lng: number, lat: number, ring: Ring): boolean => {
  let inside = false;
  for (let i = 0, j = ring.length - 1; i < ring.length; j = i++) {
    const [xi, yi] = ring[i] ?? [0, 0];
    const [xj, yj] = ring[j] ?? [0, 0];
    if (yi > lat !== yj > lat && lng < ((xj - xi) * (lat - yi)) / (yj - yi) + xi) inside = !inside;
  }
  return inside;
};

/** A polygon's outer ring holds the point and none of its holes does. */
const inPolygon = (lng: number, lat: number, rings: readonly Ring[]): boolean =>
  rings.length > 0 && inRing(lng, lat, rings[0] ?? []) && !rings.slice(1).some((r) => inRing(lng, lat, r));

/** The district whose polygon holds the point: its code and name, or undefined outside Beijing. */
export const districtAt = (lat: number, lng: number): { code: string; name: string } | undefined => {
  for (const f of districts.features) {
    const polygons = f.geometry.type === 'Polygon' ? [f.geometry.coordinates] : f.geometry.coordinates;
    if (polygons.some((p) => inPolygon(lng, lat, p))) return f.properties;
  }
  return undefined;
};
