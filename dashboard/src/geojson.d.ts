declare module '*.geojson' {
  const value: {
    readonly type: 'FeatureCollection';
    /** Where the shapes come from and under which licence (shown on the map). */
    readonly attribution: string;
    readonly features: readonly {
      readonly type: 'Feature';
      readonly properties: { readonly code: string; readonly name: string };
      readonly geometry:
        | { readonly type: 'Polygon'; readonly coordinates: readonly (readonly [number, number][])[] }
        | {
            readonly type: 'MultiPolygon';
            readonly coordinates: readonly (readonly (readonly [number, number][])[])[];
          };
    }[];
  };
  export default value;
}

/** Stylesheets imported for their effect: esbuild emits them as the bundle's .css. */
declare module '*.css';
