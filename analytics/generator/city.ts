import { latLngToCell } from 'h3-js';
import areasJson from '#data/areas.json' with { type: 'json' };
import { routeByCatalogue, routeByDispatcher } from '../../functions/domain/dispatch-catalogue.ts';
import { appealTypes, channels, urgencies } from '../../functions/domain/order-input.ts';
import type { ReferenceData, UnitClass } from '../../functions/domain/reference-data.ts';
import { unitClasses } from '../../functions/domain/reference-data.ts';
import { type LimitSpec, limitsFor, type TimeLimits } from '../../functions/domain/time-limits.ts';
import type { GeneratorConfig } from './config.ts';
import { KeyedHasher } from './keyed-hash.ts';
import { AliasTable, Rng, zipfWeights } from './prng.ts';

/**
 * The city as the generator sees it, built once per run from the seed, the configuration and the
 * project's reference data (areas with population and centroid, units, taxonomy, dispatch
 * catalogue): category leaves with their mixes, townships with their weight, places and frequent
 * callers, units with their quality, and a routing cache. Deterministic: the same seed gives the same
 * city in every worker.
 */
export interface StreetArea {
  readonly code: string;
  readonly name: string;
  readonly parentCode: string;
  readonly population: number;
  readonly lat: number;
  readonly lng: number;
}

export interface City {
  readonly seed: string;
  readonly hasher: KeyedHasher;
  // category leaves (the codes orders are recorded with)
  readonly leafCodes: readonly string[];
  readonly leafL1: readonly string[];
  readonly leafBaseWeight: Float64Array;
  readonly leafUtility: Uint8Array;
  readonly leafManual: Uint8Array;
  /** Probit shift of solving and satisfying (negative: harder). */
  readonly leafDifficulty: Float64Array;
  readonly leafAppeal: readonly AliasTable[];
  readonly leafUrgency: readonly AliasTable[];
  readonly leafEnterpriseShare: Float64Array;
  /** Per leaf and urgency index: contact and resolve limits. */
  readonly leafLimits: readonly (readonly { contact: LimitSpec; resolve: LimitSpec }[])[];
  readonly channelAlias: AliasTable;
  // districts and townships
  readonly districtCodes: readonly string[];
  readonly districtNames: readonly string[];
  readonly streets: readonly StreetArea[];
  readonly streetDistrict: Int32Array;
  readonly streetWeight: Float64Array;
  readonly streetTroubled: Uint8Array;
  readonly streetMultiplier: Float64Array;
  readonly streetAlias: AliasTable;
  /** Streets of each district and an alias over them (for orders forced into a district). */
  readonly districtStreets: readonly Int32Array[];
  readonly districtStreetAlias: readonly AliasTable[];
  /** Share of the city's order volume in each district. */
  readonly districtShare: Float64Array;
  // places (compounds, roads): global arrays, each township a contiguous range
  readonly placeLat: Float64Array;
  readonly placeLng: Float64Array;
  readonly placeStreet: Int32Array;
  readonly placeAddressHash: readonly string[];
  readonly placeR9: Int32Array;
  readonly placeR7: Int32Array;
  readonly r9Cells: readonly string[];
  readonly r7Cells: readonly string[];
  readonly streetPlaceOffset: Int32Array;
  readonly streetPlaceAlias: readonly AliasTable[];
  /** The planted hotspot's place (an extra place outside every township's law). */
  readonly hotspotPlace: number;
  // requesters
  readonly streetFrequentAlias: readonly AliasTable[];
  readonly streetFrequentHome: readonly Int32Array[];
  // units
  readonly unitIds: readonly string[];
  readonly unitClass: Uint8Array;
  readonly unitQuality: Float64Array;
  /** The unit of each township (its own 街道办事处/乡镇政府), −1 when the city has none. */
  readonly streetUnit: Int32Array;
  route(leaf: number, street: number): { unit: number; viaDispatcher: boolean };
}

export const unitClassIndex: Record<UnitClass, number> = {
  district: 0,
  street: 1,
  department: 2,
  enterprise: 3,
};

const EARTH_KM_PER_DEGREE = 111.32;

const distanceKm = (aLat: number, aLng: number, bLat: number, bLng: number): number => {
  const x = (bLng - aLng) * Math.cos(((aLat + bLat) / 2) * (Math.PI / 180));
  const y = bLat - aLat;
  return Math.sqrt(x * x + y * y) * EARTH_KM_PER_DEGREE;
};

/** The most specific entry of `map` along a category path (leaf first), if any. */
const mostSpecific = <T>(map: Readonly<Record<string, T>>, path: readonly string[]): T | undefined => {
  for (let i = path.length - 1; i >= 0; i--) {
    const v = map[path[i] as string];
    if (v !== undefined) return v;
  }
  return undefined;
};

/** Mix × tilt, normalised, as weights in the order of `keys`. */
const tilted = (
  keys: readonly string[],
  mix: Readonly<Record<string, number | undefined>>,
  tilt: Readonly<Record<string, number | undefined>> | undefined,
): number[] => keys.map((k) => (mix[k] ?? 0) * (tilt?.[k] ?? 1));

/**
 * The base appeal mix such that, once each leaf's tilt is applied and the leaves weighted by their
 * base volume, the city-wide mix is the configured one (a few fixed-point steps).
 */
const calibrateMix = (
  keys: readonly string[],
  target: Readonly<Record<string, number | undefined>>,
  tiltsPerLeaf: readonly (Readonly<Record<string, number | undefined>> | undefined)[],
  leafWeights: Float64Array,
): Record<string, number> => {
  const base: Record<string, number> = Object.fromEntries(keys.map((k) => [k, target[k] ?? 0]));
  const total = leafWeights.reduce((a, b) => a + b, 0);
  for (let step = 0; step < 60; step++) {
    const achieved: Record<string, number> = Object.fromEntries(keys.map((k) => [k, 0]));
    tiltsPerLeaf.forEach((tilt, leaf) => {
      const w = tilted(keys, base, tilt);
      const sum = w.reduce((a, b) => a + b, 0);
      keys.forEach((k, i) => {
        achieved[k] =
          (achieved[k] as number) + ((leafWeights[leaf] as number) / total) * ((w[i] as number) / sum);
      });
    });
    for (const k of keys)
      if ((achieved[k] as number) > 0)
        base[k] = (base[k] as number) * ((target[k] ?? 0) / (achieved[k] as number));
  }
  return base;
};

export interface CityInputs {
  readonly seed: string;
  readonly hashKey: string;
  readonly config: GeneratorConfig;
  readonly ref: ReferenceData;
  readonly timeLimits: TimeLimits;
}

export const buildCity = ({ seed, hashKey, config, ref, timeLimits }: CityInputs): City => {
  const hasher = new KeyedHasher(hashKey);
  // ── categories ──
  const hasChildren = new Set(ref.categories.map((c) => c.parentCode).filter((c): c is string => c !== null));
  for (const code of [
    ...Object.keys(config.categories.weights),
    ...Object.keys(config.categories.difficulty),
    ...config.seasons.flatMap((s) => s.codes),
  ]) {
    if (!ref.category(code))
      throw new Error(`data/generator.json names category ${code}, which data/categories.json lacks.`);
  }
  const leaves = ref.categories.filter((c) => !hasChildren.has(c.code));
  const leafCodes = leaves.map((c) => c.code);
  const leafPaths = leafCodes.map((code) => ref.categoryPath(code));
  const leafBaseWeight = new Float64Array(leaves.length);
  leaves.forEach((leaf, i) => {
    const own = config.categories.weights[leaf.code];
    if (own !== undefined) {
      leafBaseWeight[i] = own;
      return;
    }
    // A parent's weight is shared by its leaves that have none of their own.
    const path = leafPaths[i] as string[];
    for (let level = path.length - 2; level >= 0; level--) {
      const parent = path[level] as string;
      const w = config.categories.weights[parent];
      if (w === undefined) continue;
      const siblings = leafCodes.filter(
        (c, j) => (leafPaths[j] as string[]).includes(parent) && config.categories.weights[c] === undefined,
      );
      leafBaseWeight[i] = w / siblings.length;
      return;
    }
    leafBaseWeight[i] = config.categories.defaultLeafWeight;
  });
  const appealTilts = leafPaths.map((p) => mostSpecific(config.appealTypes.tilt, p));
  const baseAppeal = calibrateMix(appealTypes, config.appealTypes.mix, appealTilts, leafBaseWeight);
  const leafAppeal = appealTilts.map((t) => new AliasTable(tilted(appealTypes, baseAppeal, t)));
  const leafUrgency = leafPaths.map(
    (p) => new AliasTable(tilted(urgencies, config.urgency.mix, mostSpecific(config.urgency.tilt, p))),
  );
  const leafEnterpriseShare = new Float64Array(
    leafPaths.map((p) =>
      Math.min(
        0.95,
        config.requesters.enterpriseShare * (mostSpecific(config.requesters.enterpriseTilt, p) ?? 1),
      ),
    ),
  );
  const leafDifficulty = new Float64Array(
    leafPaths.map((p) => mostSpecific(config.categories.difficulty, p) ?? 0),
  );
  const leafLimits = leaves.map((leaf, i) =>
    urgencies.map((urgency) =>
      limitsFor(timeLimits, {
        urgency,
        categoryPath: leafPaths[i] as string[],
        utility: leaf.utility === true,
      }),
    ),
  );

  // ── districts and townships ──
  const items = (areasJson as { items: readonly Record<string, unknown>[] }).items;
  const districts = items.filter((a) => a.level === 'district');
  const districtCodes = districts.map((d) => String(d.code));
  const districtNames = districts.map((d) => String(d.name));
  const streets: StreetArea[] = items
    .filter((a) => a.level === 'street')
    .map((a) => {
      const population = Number(a.population);
      const lat = Number(a.lat);
      const lng = Number(a.lng);
      if (!(population > 0) || !Number.isFinite(lat) || !Number.isFinite(lng)) {
        throw new Error(`data/areas.json: street ${String(a.code)} lacks population, lat or lng.`);
      }
      return {
        code: String(a.code),
        name: String(a.name),
        parentCode: String(a.parentCode),
        population,
        lat,
        lng,
      };
    });
  const streetDistrict = new Int32Array(streets.map((s) => districtCodes.indexOf(s.parentCode)));
  if (streetDistrict.some((d) => d < 0)) throw new Error('data/areas.json: a street has no district.');
  const cityRng = new Rng(`${seed}|city`);
  const streetMultiplier = new Float64Array(streets.length);
  const streetTroubled = new Uint8Array(streets.length);
  for (let i = 0; i < streets.length; i++) {
    streetMultiplier[i] = Math.exp(config.townships.multiplierSigma * cityRng.normal());
  }
  // 治理类街乡镇 to be found: a fixed share of townships, far more problems per resident.
  const troubledCount = Math.round(config.townships.troubledShare * streets.length);
  const order = Array.from({ length: streets.length }, (_, i) => [cityRng.next(), i] as const).sort(
    (a, b) => a[0] - b[0],
  );
  for (let k = 0; k < troubledCount; k++) {
    const i = (order[k] as readonly [number, number])[1];
    streetTroubled[i] = 1;
    const [lo, hi] = config.townships.troubledMultiplier;
    streetMultiplier[i] = cityRng.between(lo, hi);
  }
  const streetWeight = new Float64Array(
    streets.map((s, i) => s.population * (streetMultiplier[i] as number)),
  );
  const streetAlias = new AliasTable(streetWeight);
  const districtStreets = districtCodes.map(
    (_, d) => new Int32Array(streets.flatMap((_, i) => (streetDistrict[i] === d ? [i] : []))),
  );
  const districtStreetAlias = districtStreets.map(
    (members) => new AliasTable(Array.from(members, (i) => streetWeight[i] as number)),
  );
  const totalWeight = streetWeight.reduce((a, b) => a + b, 0);
  const districtShare = new Float64Array(
    districtStreets.map(
      (members) => Array.from(members).reduce((a, i) => a + (streetWeight[i] as number), 0) / totalWeight,
    ),
  );

  // ── places ──
  const counts = streets.map((s) =>
    Math.min(
      config.places.maxPerTownship,
      Math.max(config.places.minPerTownship, Math.round(s.population / config.places.residentsPerPlace)),
    ),
  );
  const totalPlaces = counts.reduce((a, b) => a + b, 0) + 1; // + the hotspot
  const placeLat = new Float64Array(totalPlaces);
  const placeLng = new Float64Array(totalPlaces);
  const placeStreet = new Int32Array(totalPlaces);
  const placeAddressHash: string[] = new Array(totalPlaces);
  const streetPlaceOffset = new Int32Array(streets.length + 1);
  const streetPlaceAlias: AliasTable[] = [];
  const placeRng = new Rng(`${seed}|places`);
  let p = 0;
  streets.forEach((s, i) => {
    let nearest = Number.POSITIVE_INFINITY;
    for (const o of streets) if (o !== s) nearest = Math.min(nearest, distanceKm(s.lat, s.lng, o.lat, o.lng));
    const radius = Math.min(
      config.places.maxRadiusKm,
      Math.max(config.places.minRadiusKm, config.places.radiusShareOfNeighbourDistance * nearest),
    );
    const sigma = radius / 2;
    streetPlaceOffset[i] = p;
    for (let k = 0; k < (counts[i] as number); k++, p++) {
      let dx = 0;
      let dy = 0;
      do {
        dx = placeRng.normal() * sigma;
        dy = placeRng.normal() * sigma;
      } while (dx * dx + dy * dy > radius * radius);
      placeLat[p] = Math.round((s.lat + dy / EARTH_KM_PER_DEGREE) * 1e6) / 1e6;
      placeLng[p] =
        Math.round((s.lng + dx / (EARTH_KM_PER_DEGREE * Math.cos((s.lat * Math.PI) / 180))) * 1e6) / 1e6;
      placeStreet[p] = i;
      placeAddressHash[p] = hasher.hex32(`generated-place:${s.code}:${k}`);
    }
    streetPlaceAlias.push(
      new AliasTable(zipfWeights(counts[i] as number, config.places.zipfExponent, placeRng)),
    );
  });
  streetPlaceOffset[streets.length] = p;
  // The planted hotspot: a fixed point, in the township of its district whose centroid is nearest.
  const hot = config.planted.hotspot;
  const hotDistrict = districtCodes.indexOf(hot.districtCode);
  if (hotDistrict < 0)
    throw new Error(`data/generator.json: no district ${hot.districtCode} for the hotspot.`);
  let hotStreet = -1;
  let best = Number.POSITIVE_INFINITY;
  for (const i of districtStreets[hotDistrict] as Int32Array) {
    const s = streets[i] as StreetArea;
    const dist = distanceKm(s.lat, s.lng, hot.lat, hot.lng);
    if (dist < best) [best, hotStreet] = [dist, i];
  }
  const hotspotPlace = p;
  placeLat[p] = hot.lat;
  placeLng[p] = hot.lng;
  placeStreet[p] = hotStreet;
  placeAddressHash[p] = hasher.hex32('generated-place:planted-hotspot');
  // H3 cells, each distinct cell once.
  const r9Index = new Map<string, number>();
  const r7Index = new Map<string, number>();
  const placeR9 = new Int32Array(totalPlaces);
  const placeR7 = new Int32Array(totalPlaces);
  for (let k = 0; k < totalPlaces; k++) {
    const r9 = latLngToCell(placeLat[k] as number, placeLng[k] as number, 9);
    const r7 = latLngToCell(placeLat[k] as number, placeLng[k] as number, 7);
    if (!r9Index.has(r9)) r9Index.set(r9, r9Index.size);
    if (!r7Index.has(r7)) r7Index.set(r7, r7Index.size);
    placeR9[k] = r9Index.get(r9) as number;
    placeR7[k] = r7Index.get(r7) as number;
  }

  // ── frequent callers: a few per township, calling many times, mostly about their home place ──
  const callerRng = new Rng(`${seed}|callers`);
  const fc = config.requesters.frequentCallers;
  const streetFrequentAlias: AliasTable[] = [];
  const streetFrequentHome: Int32Array[] = [];
  streets.forEach((s, i) => {
    const n = Math.max(1, Math.round(s.population / fc.residentsPerCaller));
    streetFrequentAlias.push(new AliasTable(zipfWeights(n, fc.zipfExponent, callerRng)));
    const homes = new Int32Array(n);
    for (let k = 0; k < n; k++)
      homes[k] = (streetPlaceOffset[i] as number) + (streetPlaceAlias[i] as AliasTable).draw(callerRng);
    streetFrequentHome.push(homes);
  });

  // ── units: quality is each unit's own draw (adding a unit moves no other) ──
  const unitIds = ref.units.map((u) => u.id);
  const unitIndex = new Map(unitIds.map((id, i) => [id, i]));
  const unitClass = new Uint8Array(ref.units.map((u) => unitClassIndex[u.class]));
  const streetUnit = new Int32Array(streets.length).fill(-1);
  for (const [i, u] of ref.units.entries()) {
    if (u.class !== 'street') continue;
    const s = streets.findIndex((st) => st.code === u.areaCode);
    if (s >= 0) streetUnit[s] = i;
  }
  const unitQuality = new Float64Array(
    ref.units.map(
      (u) =>
        config.units.classOffset[u.class] +
        config.units.qualitySigma * new Rng(`${seed}|unit|${u.id}`).normal(),
    ),
  );
  streets.forEach((_, s) => {
    const u = streetUnit[s] as number;
    if (streetTroubled[s] && u >= 0)
      unitQuality[u] = (unitQuality[u] as number) - config.townships.troubledQualityPenalty;
  });

  // ── routing by the dispatch catalogue, cached per leaf and township ──
  const routes = new Int32Array(leaves.length * streets.length).fill(-2);
  const route = (leaf: number, street: number): { unit: number; viaDispatcher: boolean } => {
    const key = leaf * streets.length + street;
    let cached = routes[key] as number;
    if (cached === -2) {
      const s = streets[street] as StreetArea;
      const location = { districtCode: s.parentCode, streetCode: s.code };
      const r = routeByCatalogue({ categoryCode: leafCodes[leaf] as string, location }, ref);
      let lead: string | undefined;
      let viaDispatcher = false;
      if (r.kind === 'unit') lead = r.leadUnitId;
      else {
        // A dispatcher picks: the township's own unit, else its district government (Art. 12(2)).
        const own = streetUnit[street] as number;
        const choice = own >= 0 ? unitIds[own] : ref.districtGovernmentOf(s.parentCode)?.id;
        if (choice) lead = routeByDispatcher(ref, { leadUnitId: choice, coUnitIds: [] }).leadUnitId;
        viaDispatcher = true;
      }
      const index = lead === undefined ? undefined : unitIndex.get(lead);
      cached = index === undefined ? -1 : index * 2 + (viaDispatcher ? 1 : 0);
      routes[key] = cached;
    }
    return cached < 0
      ? { unit: -1, viaDispatcher: true }
      : { unit: cached >> 1, viaDispatcher: (cached & 1) === 1 };
  };

  return {
    seed,
    hasher,
    leafCodes,
    leafL1: leafPaths.map((p) => p[0] as string),
    leafBaseWeight,
    leafUtility: new Uint8Array(leaves.map((c) => (c.utility ? 1 : 0))),
    leafManual: new Uint8Array(leaves.map((c) => (c.manualDispatch ? 1 : 0))),
    leafDifficulty,
    leafAppeal,
    leafUrgency,
    leafEnterpriseShare,
    leafLimits,
    channelAlias: new AliasTable(channels.map((c) => config.channels[c] ?? 0)),
    districtCodes,
    districtNames,
    streets,
    streetDistrict,
    streetWeight,
    streetTroubled,
    streetMultiplier,
    streetAlias,
    districtStreets,
    districtStreetAlias,
    districtShare,
    placeLat,
    placeLng,
    placeStreet,
    placeAddressHash,
    placeR9,
    placeR7,
    r9Cells: [...r9Index.keys()],
    r7Cells: [...r7Index.keys()],
    streetPlaceOffset,
    streetPlaceAlias,
    hotspotPlace,
    streetFrequentAlias,
    streetFrequentHome,
    unitIds,
    unitClass,
    unitQuality,
    streetUnit,
    route,
  };
};

export { unitClasses };
