import {
  cellToLatLng,
  cellToLocalIj,
  getHexagonEdgeLengthAvg,
  getPentagons,
  getResolution,
  greatCircleDistance,
  gridDisk,
  localIjToCell,
  UNITS,
} from 'h3-js';
import * as z from 'zod';
import { poissonUpperTail, twoSidedP } from './distributions.ts';

/**
 * Hotspots and repeats (举一反三 at one place): H3 resolution-9 cells (edge ≈ 174 m) where orders of a
 * category cluster within a window, and normalised addresses with several orders of one category.
 *
 * Significance — Getis-Ord Gi* (Getis & Ord 1992; Ord & Getis 1995), binary weights over the cell's
 * k-ring disk, the cell itself included (the "star"):
 *
 *   Gi* = (Σ_j w_ij x_j − X̄ Σ_j w_ij) / (S · √((n Σ_j w_ij² − (Σ_j w_ij)²) / (n − 1)))
 *
 * with X̄ and S = √(Σ x²/n − X̄²) over the n cells of the study area. Gi* is a z-score; a hot spot has
 * z > 0 and a two-sided p below 0.10, 0.05 or 0.01 (90/95/99 % confidence). With ~10⁵ cells, 1 % of
 * them would pass the 99 % test by chance alone, so the critical p-values are corrected by the false
 * discovery rate (Benjamini-Hochberg), as ArcGIS's Hot Spot Analysis does when asked.
 *
 * Neighbourhood — k = 2 rings: 19 cells (the cell and 18 neighbours, ≈ 2 km² around it), the
 * "10+ neighbours per cell" that Gi* needs to be near normal; k = 1 gives only 7.
 *
 * Attribute and p-value — on raw counts every busy district is "hot" for every category: Gi* then
 * maps where people live, not what goes wrong where. By default (`excess`) each cell carries its
 * Pearson residual (O − E)/√E, E being the cell's orders of all categories × the category's
 * city-wide share, so a hot spot is where the category is over-represented among the place's orders.
 * Its p-value is then the exact Poisson tail of the neighbourhood's orders against their expectation,
 * 2·P(Poisson(ΣE) ≥ ΣO): the FDR needs p-values near 10⁻⁷, where the normal approximation of a sum
 * of sparse counts (mostly 0 or 1 per cell and month) is wrong by orders of magnitude — with it, a
 * uniform field of 2 M orders shows hundreds of "hot spots". `count` is the textbook Gi* on raw
 * counts with normal p-values, the study area grown by k rings so that empty cells count as zeros.
 *
 * Study area — every cell with an order of any category in the window (for `count`, grown by k
 * rings). Cells at the edge have fewer neighbours; Gi* allows for it.
 *
 * Sparse categories — a hot spot needs at least `minNeighbourhoodOrders` of the category in its
 * neighbourhood: a handful of orders is not a place to send a team to.
 */
export const hotspotRulesSchema = z.strictObject({
  version: z.string(),
  note: z.string().optional(),
  categoryLevel: z.union([z.literal(1), z.literal(2), z.literal(3)]),
  /**
   * What Gi* is computed on: `excess`, each cell's Pearson residual (O − E)/√E against the category's
   * city-wide share of the cell's orders; or `count`, the raw orders of the category.
   */
  attribute: z.enum(['excess', 'count']),
  /** Days of orders looked at, up to the run's day. */
  windowDays: z.int().min(1),
  /** k of gridDisk(cell, k): the neighbourhood of Gi*. */
  neighbourhoodRings: z.int().min(1).max(5),
  confidenceLevels: z.array(z.number().gt(0).lt(1)).min(1),
  falseDiscoveryRate: z.boolean(),
  minNeighbourhoodOrders: z.int().min(1),
  maxCellsPerCategory: z.int().min(1),
  repeats: z.strictObject({
    /** Orders of one category at one address within the window (the SQL's min_orders). */
    minOrders: z.int().min(2),
    maxItems: z.int().min(1),
  }),
});
export type HotspotRules = z.infer<typeof hotspotRulesSchema>;

/** One row of analytics/sql/hotspot_cells.sql; a null category marks orders without one at the level. */
export interface CellCount {
  readonly cell: string;
  readonly category: string | null;
  readonly orders: number;
}

export const cellCountsFrom = (rows: readonly Readonly<Record<string, unknown>>[]): CellCount[] =>
  rows.map((r) => ({
    cell: String(r.cell),
    category: r.category === null || r.category === undefined ? null : String(r.category),
    orders: Number(r.orders),
  }));

/** Cells and their neighbourhoods, as index lists (compressed rows) for fast sums. */
export interface StudyArea {
  readonly size: number;
  /** The index of a cell of the area (undefined outside it). */
  indexOf(cell: string): number | undefined;
  /** The H3 cell at an index. */
  cellAt(index: number): string;
  /** Neighbours of cell i (itself included): neighbours[offsets[i]] … neighbours[offsets[i + 1] − 1]. */
  readonly offsets: Int32Array;
  readonly neighbours: Int32Array;
}

const compress = (lists: readonly (readonly number[])[]) => {
  const offsets = new Int32Array(lists.length + 1);
  let total = 0;
  lists.forEach((list, i) => {
    offsets[i] = total;
    total += list.length;
  });
  offsets[lists.length] = total;
  const neighbours = new Int32Array(total);
  lists.forEach((list, i) => {
    neighbours.set(list, offsets[i] ?? 0);
  });
  return { offsets, neighbours };
};

/** The plain way, one gridDisk per cell: for areas where local IJ coordinates do not hold. */
const studyAreaByGridDisk = (occupied: readonly string[], rings: number, grow: number): StudyArea => {
  const set = new Set<string>(occupied);
  if (grow > 0) for (const cell of occupied) for (const c of gridDisk(cell, grow)) set.add(c);
  // Stryker disable next-line MethodExpression: the order of the indexes is not part of the area
  const cells = [...set].sort();
  const index = new Map(cells.map((c, i) => [c, i]));
  const lists = cells.map((cell) =>
    gridDisk(cell, rings).flatMap((c) => {
      const j = index.get(c);
      return j === undefined ? [] : [j];
    }),
  );
  return {
    size: cells.length,
    indexOf: (c) => index.get(c),
    cellAt: (i) => cells[i] ?? '',
    ...compress(lists),
  };
};

// H3's local IJ coordinates: the six neighbours are (±1, 0), (0, ±1) and ±(1, 1), so the grid
// distance of an offset (di, dj) is max(|di|, |dj|) when they share a sign and |di| + |dj| otherwise.
const diskOffsets = (rings: number): [number, number][] => {
  // Stryker disable next-line ArrayDeclaration: a non-pair entry gives NaN coordinates, which match no cell
  const out: [number, number][] = [];
  for (let di = -rings; di <= rings; di++)
    for (let dj = -rings; dj <= rings; dj++)
      // Stryker disable next-line MethodExpression: a same-sign offset of the square has max and min ≤ rings
      if ((di * dj >= 0 ? Math.max(Math.abs(di), Math.abs(dj)) : Math.abs(di) + Math.abs(dj)) <= rings)
        out.push([di, dj]);
  return out;
};

/** Distinct values in first-seen order, comparing each to the previous first (sorted input is cheap). */
const distinct = (values: Iterable<string>): string[] => {
  const seen = new Set<string>();
  let previous: string | undefined;
  for (const v of values) {
    if (v === previous) continue;
    previous = v;
    seen.add(v);
  }
  return [...seen];
};

/**
 * Whether an H3 pentagon lies within `margin` rings (and a ring more) of the cells, measured on the
 * ground from the first cell: IJ arithmetic is wrong around a pentagon, also where the area is only
 * grown towards one that the occupied cells, which the arithmetic is checked on, do not reach. Two
 * edge lengths per ring bound the distance between neighbouring centres (√3 edges) from above.
 */
const nearPentagon = (cells: readonly string[], origin: string, margin: number): boolean => {
  const resolution = getResolution(origin);
  const [lat, lng] = cellToLatLng(origin);
  let radius = 0;
  for (const cell of cells) {
    const [cLat, cLng] = cellToLatLng(cell);
    radius = Math.max(radius, greatCircleDistance([lat, lng], [cLat, cLng], UNITS.km));
  }
  const reach = radius + (margin + 1) * 2 * getHexagonEdgeLengthAvg(resolution, UNITS.km);
  return getPentagons(resolution).some(
    (p) => greatCircleDistance([lat, lng], cellToLatLng(p), UNITS.km) <= reach,
  );
};

/**
 * The study area: the occupied cells, grown by `grow` rings, each with its disk of `rings` rings.
 * Neighbourhoods are found by integer arithmetic on a grid of local IJ coordinates (a city is far
 * smaller than an H3 base cell), checked against gridDisk on a sample; gridDisk is the fallback.
 */
export const studyArea = (occupied: Iterable<string>, rings: number, grow = rings): StudyArea => {
  const unique = distinct(occupied).sort();
  const origin = unique[0];
  if (origin === undefined) return studyAreaByGridDisk([], rings, grow);
  if (nearPentagon(unique, origin, grow + rings)) return studyAreaByGridDisk(unique, rings, grow);
  let ij: { i: number; j: number }[];
  try {
    ij = unique.map((c) => cellToLocalIj(origin, c));
  } catch {
    return studyAreaByGridDisk(unique, rings, grow);
  }
  // A dense grid of the bounding box (plus margins) maps IJ coordinates to indexes.
  const margin = grow + rings;
  let [minI, maxI, minJ, maxJ] = [
    Number.POSITIVE_INFINITY,
    Number.NEGATIVE_INFINITY,
    Number.POSITIVE_INFINITY,
    Number.NEGATIVE_INFINITY,
  ];
  for (const { i, j } of ij) {
    minI = Math.min(minI, i - margin);
    maxI = Math.max(maxI, i + margin);
    minJ = Math.min(minJ, j - margin);
    maxJ = Math.max(maxJ, j + margin);
  }
  const width = maxI - minI + 1;
  const height = maxJ - minJ + 1;
  if (width * height > 50_000_000) return studyAreaByGridDisk(unique, rings, grow);
  const grid = new Int32Array(width * height).fill(-1);
  const coordinates: number[] = [];
  const add = (i: number, j: number) => {
    const g = (i - minI) * height + (j - minJ);
    if (grid[g] === -1) {
      grid[g] = coordinates.length / 2;
      coordinates.push(i, j);
    }
  };
  for (const { i, j } of ij) add(i, j);
  const occupiedCount = coordinates.length / 2;
  if (grow > 0) for (const { i, j } of ij) for (const [di, dj] of diskOffsets(grow)) add(i + di, j + dj);
  const size = coordinates.length / 2;
  const disk = diskOffsets(rings);
  const offsets = new Int32Array(size + 1);
  const buffer = new Int32Array(size * disk.length);
  let total = 0;
  for (let k = 0; k < size; k++) {
    offsets[k] = total;
    const i = coordinates[2 * k] ?? 0;
    const j = coordinates[2 * k + 1] ?? 0;
    // Inside the grid: every cell of the area lies within `grow` rings of an occupied cell, and the
    // grid's margin is grow + rings.
    for (const [di, dj] of disk) {
      const ii = i + di - minI;
      const jj = j + dj - minJ;
      const found = grid[ii * height + jj] ?? -1;
      if (found >= 0) buffer[total++] = found;
    }
  }
  offsets[size] = total;
  const neighbours = buffer.slice(0, total);
  // Stryker disable next-line ArrayDeclaration: a cache; an occupied cell's name is also computed from its IJ
  const names = new Map<number, string>(unique.map((c, k) => [k, c]));
  const cellAt = (k: number): string => {
    let name = names.get(k);
    if (name === undefined) {
      name = localIjToCell(origin, { i: coordinates[2 * k] ?? 0, j: coordinates[2 * k + 1] ?? 0 });
      names.set(k, name);
    }
    return name;
  };
  // Stryker disable next-line ArrayDeclaration: a cache; an occupied cell's index is also found on the grid
  const occupiedIndex = new Map(unique.map((c, k) => [c, k]));
  const indexOf = (c: string): number | undefined => {
    const known = occupiedIndex.get(c);
    if (known !== undefined) return known;
    try {
      const { i, j } = cellToLocalIj(origin, c);
      if (i < minI || j < minJ || i - minI >= width || j - minJ >= height) return undefined;
      const found = grid[(i - minI) * height + (j - minJ)] ?? -1;
      return found >= 0 ? found : undefined;
      // Stryker disable next-line BlockStatement: an empty catch returns undefined as well
    } catch {
      return undefined;
    }
  };
  // The arithmetic must agree with H3 itself; where it does not (pentagon distortion), use gridDisk.
  for (let k = 0; k < Math.min(occupiedCount, 32); k++) {
    const expected = new Set(gridDisk(unique[k] ?? origin, rings));
    for (let m = offsets[k] ?? 0; m < (offsets[k + 1] ?? 0); m++)
      if (!expected.has(cellAt(neighbours[m] ?? 0))) return studyAreaByGridDisk(unique, rings, grow);
  }
  return { size, indexOf, cellAt, offsets, neighbours };
};

export interface GiStar {
  /** z-score per cell of the study area. */
  readonly z: Float64Array;
  /** Σ_j w_ij x_j: the orders in each cell's neighbourhood. */
  readonly neighbourhoodSum: Float64Array;
}

/** Gi* of every cell for values `x` (one per study-area cell); null when all values are equal. */
export const getisOrdGiStar = (x: Float64Array, area: StudyArea): GiStar | null => {
  const n = x.length;
  let sum = 0;
  let sumSquares = 0;
  for (let i = 0; i < n; i++) {
    const v = x[i] ?? 0;
    sum += v;
    sumSquares += v * v;
  }
  const mean = sum / n;
  const variance = sumSquares / n - mean * mean;
  if (n < 2 || !(variance > 1e-12 * Math.max(1, mean * mean))) return null;
  const s = Math.sqrt(variance);
  const z = new Float64Array(n);
  const neighbourhoodSum = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const from = area.offsets[i] ?? 0;
    const to = area.offsets[i + 1] ?? 0;
    let sx = 0;
    for (let k = from; k < to; k++) sx += x[area.neighbours[k] ?? 0] ?? 0;
    const w = to - from;
    const denominator = s * Math.sqrt((n * w - w * w) / (n - 1));
    neighbourhoodSum[i] = sx;
    z[i] = denominator > 0 ? (sx - mean * w) / denominator : 0;
  }
  return { z, neighbourhoodSum };
};

/**
 * Benjamini-Hochberg: the largest p-value p_(k) with p_(k) ≤ k·α/m among m tests (0 when none), so
 * that a test is significant at α when its p is at most the value returned.
 */
export const falseDiscoveryCriticalP = (pValues: readonly number[], m: number, alpha: number): number => {
  const sorted = [...pValues].sort((a, b) => a - b);
  let critical = 0;
  sorted.forEach((p, k) => {
    if (p <= ((k + 1) * alpha) / m) critical = p;
  });
  return critical;
};

export interface Hotspot {
  readonly category: string;
  readonly cell: string;
  /** The cell's centre (cellToLatLng). */
  readonly lat: number;
  readonly lng: number;
  /** Orders of the category in the cell itself. */
  readonly orders: number;
  /** Orders of the category in the cell's neighbourhood. */
  readonly neighbourhoodOrders: number;
  /** What the neighbourhood would have by chance (excess: the city-wide share of its orders; count: the mean). */
  readonly neighbourhoodExpected: number;
  /** Cells in the neighbourhood, the cell included (19 for k = 2 away from the edge). */
  readonly neighbourhoodCells: number;
  /** Gi*. */
  readonly z: number;
  /** Two-sided p-value (excess: from the exact Poisson tail; count: from z). */
  readonly p: number;
  /** The highest confidence level met (after the FDR correction when it is on): 0.9, 0.95 or 0.99. */
  readonly confidence: number;
}

export interface CategoryHotspots {
  readonly category: string;
  readonly orders: number;
  readonly occupiedCells: number;
  /** Critical p-value per level ('0.9', '0.95', '0.99'). */
  readonly criticalP: Readonly<Record<string, number>>;
  readonly hotspots: number;
}

export interface HotspotResult {
  readonly attribute: HotspotRules['attribute'];
  readonly studyCells: number;
  readonly rings: number;
  readonly categories: readonly CategoryHotspots[];
  /** Hot spots of every category, most significant first within each category. */
  readonly hotspots: readonly Hotspot[];
}

/** The study area of hotspot_cells.sql's rows: occupied cells, grown by k rings for `count`. */
export const hotspotStudyArea = (counts: readonly CellCount[], rules: HotspotRules): StudyArea =>
  studyArea(
    counts.map((c) => c.cell),
    rules.neighbourhoodRings,
    rules.attribute === 'count' ? rules.neighbourhoodRings : 0,
  );

/** Orders per cell of the area: each category's, and all categories' together. */
const cellTotals = (counts: readonly CellCount[], area: StudyArea) => {
  const all = new Float64Array(area.size);
  const byCategory = new Map<string, { index: number[]; orders: number[] }>();
  let previousCell: string | undefined;
  let previousIndex: number | undefined;
  for (const c of counts) {
    // Rows come sorted by cell: look each cell up once.
    const i = c.cell === previousCell ? previousIndex : area.indexOf(c.cell);
    previousCell = c.cell;
    previousIndex = i;
    if (i === undefined) continue;
    all[i] = (all[i] ?? 0) + Number(c.orders);
    if (c.category === null) continue;
    let rows = byCategory.get(c.category);
    if (!rows) {
      rows = { index: [], orders: [] };
      byCategory.set(c.category, rows);
    }
    rows.index.push(i);
    rows.orders.push(Number(c.orders));
  }
  return { all, byCategory };
};

/** Hot spots of each category from the rows of hotspot_cells.sql. */
export const findHotspots = (
  counts: readonly CellCount[],
  rules: HotspotRules,
  area: StudyArea = hotspotStudyArea(counts, rules),
): HotspotResult => {
  const n = area.size;
  const { all, byCategory } = cellTotals(counts, area);
  // Stryker disable next-line ArrayDeclaration: a non-index entry reads no orders and writes no cell
  const occupied: number[] = [];
  let totalOrders = 0;
  for (let i = 0; i < n; i++)
    if ((all[i] ?? 0) > 0) {
      occupied.push(i);
      totalOrders += all[i] ?? 0;
    }
  const levels = [...rules.confidenceLevels].sort((a, b) => b - a);
  // Stryker disable next-line ArithmeticOperator: a p above the largest α meets no level, moves no BH line
  const maxAlpha = 1 - Math.min(...levels);
  const excess = rules.attribute === 'excess';
  const skipBelowOneSigma = excess && maxAlpha < 0.3;
  const observed = new Float64Array(n);
  const expected = new Float64Array(n);
  const x = new Float64Array(n);
  const categories: CategoryHotspots[] = [];
  const hotspots: Hotspot[] = [];
  for (const [category, rows] of [...byCategory].sort(([a], [b]) => a.localeCompare(b))) {
    observed.fill(0);
    rows.index.forEach((i, k) => {
      observed[i] = (observed[i] ?? 0) + (rows.orders[k] ?? 0);
    });
    const orders = rows.orders.reduce((s, v) => s + v, 0);
    if (excess) {
      const share = totalOrders > 0 ? orders / totalOrders : 0;
      expected.fill(0);
      x.fill(0);
      for (const i of occupied) {
        const e = (all[i] ?? 0) * share;
        expected[i] = e;
        x[i] = e > 0 ? ((observed[i] ?? 0) - e) / Math.sqrt(e) : 0;
      }
    } else {
      expected.fill(orders / n);
      x.set(observed);
    }
    const gi = getisOrdGiStar(x, area);
    // The tests: every cell with more orders around it than expected, and a p that can pass a level.
    // Stryker disable next-line ArrayDeclaration: a non-test entry has no p (sorted last, meets no level)
    const tested: { i: number; p: number; sumO: number; sumE: number }[] = [];
    if (gi)
      for (let i = 0; i < n; i++) {
        const zi = gi.z[i] ?? 0;
        if (zi <= 0) continue;
        let sumO = 0;
        let sumE = 0;
        for (let m = area.offsets[i] ?? 0; m < (area.offsets[i + 1] ?? 0); m++) {
          const j = area.neighbours[m] ?? 0;
          sumO += observed[j] ?? 0;
          sumE += expected[j] ?? 0;
        }
        // Below one standard deviation 2·P(Poisson(ΣE) ≥ ΣO) stays above 0.317 (its normal limit,
        // approached from above), so no level whose α is under 0.3 can be met: skip the exact tail.
        if (skipBelowOneSigma && sumO - sumE < Math.sqrt(sumE)) continue;
        const p = excess ? Math.min(1, 2 * poissonUpperTail(sumO, sumE)) : twoSidedP(zi);
        if (p <= maxAlpha) tested.push({ i, p, sumO, sumE });
      }
    const pValues = tested.map((t) => t.p);
    const criticalP = Object.fromEntries(
      levels.map((level) => [
        String(level),
        rules.falseDiscoveryRate ? falseDiscoveryCriticalP(pValues, n, 1 - level) : 1 - level,
      ]),
    );
    const found: Hotspot[] = [];
    for (const { i, p, sumO, sumE } of tested) {
      const confidence = levels.find((level) => p <= (criticalP[String(level)] ?? 0));
      if (confidence === undefined || sumO < rules.minNeighbourhoodOrders) continue;
      const cell = area.cellAt(i);
      const [lat, lng] = cellToLatLng(cell);
      found.push({
        category,
        cell,
        lat,
        lng,
        orders: observed[i] ?? 0,
        neighbourhoodOrders: sumO,
        neighbourhoodExpected: sumE,
        neighbourhoodCells: (area.offsets[i + 1] ?? 0) - (area.offsets[i] ?? 0),
        // Stryker disable next-line OptionalChaining: a cell is tested only when gi is not null
        z: gi?.z[i] ?? 0,
        p,
        confidence,
      });
    }
    found.sort((a, b) => a.p - b.p || b.z - a.z || a.cell.localeCompare(b.cell));
    const kept = found.slice(0, rules.maxCellsPerCategory);
    hotspots.push(...kept);
    categories.push({ category, orders, occupiedCells: rows.index.length, criticalP, hotspots: kept.length });
  }
  return { attribute: rules.attribute, studyCells: n, rings: rules.neighbourhoodRings, categories, hotspots };
};

/** One row of analytics/sql/address_repeats.sql. */
export interface AddressRepeatRow {
  readonly address: string;
  readonly category: string;
  readonly orders: number;
  readonly requesters: number;
  readonly firstDay: string;
  readonly lastDay: string;
  readonly street: string | null;
  readonly cell: string | null;
  /** Orders whose latest call-back answer was "not solved". */
  readonly unsolved: number;
  readonly open: number;
}

const textOrNull = (v: unknown): string | null => (v === null || v === undefined ? null : String(v));

export const addressRepeatRowsFrom = (
  rows: readonly Readonly<Record<string, unknown>>[],
): AddressRepeatRow[] =>
  rows.map((r) => ({
    address: String(r.address),
    category: String(r.category),
    orders: Number(r.orders),
    requesters: Number(r.requesters),
    firstDay: String(r.first_day),
    lastDay: String(r.last_day),
    street: textOrNull(r.street),
    cell: textOrNull(r.cell),
    unsolved: Number(r.unsolved),
    open: Number(r.open),
  }));

export interface AddressRepeat extends AddressRepeatRow {
  readonly spanDays: number;
  /** The cell's centre, when the address has a cell. */
  readonly lat: number | null;
  readonly lng: number | null;
}

const DAY_MS = 86_400_000;

/**
 * Addresses (keyed hashes of the normalised address) with at least `repeats.minOrders` orders of one
 * category in the window: the places to fix once rather than answer again. Most orders first.
 */
export const addressRepeats = (rows: readonly AddressRepeatRow[], rules: HotspotRules): AddressRepeat[] =>
  rows
    .filter((r) => r.orders >= rules.repeats.minOrders)
    .sort(
      (a, b) =>
        b.orders - a.orders ||
        b.unsolved - a.unsolved ||
        a.address.localeCompare(b.address) ||
        a.category.localeCompare(b.category),
    )
    .slice(0, rules.repeats.maxItems)
    .map((r) => {
      const centre = r.cell ? cellToLatLng(r.cell) : null;
      return {
        ...r,
        spanDays: Math.round((Date.parse(r.lastDay) - Date.parse(r.firstDay)) / DAY_MS) + 1,
        lat: centre ? centre[0] : null,
        lng: centre ? centre[1] : null,
      };
    });
