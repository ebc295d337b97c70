import { cellToLatLng, gridDisk, gridRing, isPentagon, latLngToCell } from 'h3-js';
import { describe, expect, it } from 'vitest';
import hotspotsJson from '#data/hotspots.json' with { type: 'json' };
import { poissonUpperTail, twoSidedP } from '#domain/mining/distributions.ts';
import {
  type AddressRepeatRow,
  addressRepeatRowsFrom,
  addressRepeats,
  type CellCount,
  cellCountsFrom,
  falseDiscoveryCriticalP,
  findHotspots,
  getisOrdGiStar,
  type HotspotResult,
  type HotspotRules,
  hotspotRulesSchema,
  hotspotStudyArea,
  type StudyArea,
  studyArea,
} from '#domain/mining/hotspots.ts';
import { poissonDraw, seededRandom } from './synthetic.ts';

/**
 * The rules of hot spot detection (functions/domain/mining/hotspots.ts), each pinned on its own: the
 * study area and its H3 neighbourhoods, Gi*, the Benjamini-Hochberg line, the levels, the thresholds,
 * the ranking, and the repeats at one address. The detection as a whole is compared with a plain
 * re-statement of its documented rules (gridDisk per cell, the exact Poisson tail summed term by term).
 */

const rules = hotspotRulesSchema.parse(hotspotsJson);
/** 天安门 (Tiananmen). */
const centre = latLngToCell(39.9087, 116.3975, 9);
/** 悉尼 (Sydney): no local IJ coordinates from Beijing. */
const sydney = latLngToCell(-33.8568, 151.2153, 9);
/** A cell 20 rings east of the centre: the same city, far enough for disjoint neighbourhoods. */
const farCell = gridRing(centre, 20)[0] ?? '';

const neighbourCells = (area: StudyArea, i: number): string[] =>
  Array.from(area.neighbours.subarray(area.offsets[i], area.offsets[i + 1]), (k) => area.cellAt(k));

/** The area holds exactly `cells`, and each one's neighbourhood is its gridDisk within them. */
const expectGridDiskArea = (area: StudyArea, cells: ReadonlySet<string>, rings: number) => {
  expect(area.size).toBe(cells.size);
  expect(area.offsets).toHaveLength(cells.size + 1);
  expect(area.offsets[0]).toBe(0);
  expect(area.offsets[cells.size]).toBe(area.neighbours.length);
  for (const cell of cells) {
    const i = area.indexOf(cell);
    expect(i).toBeDefined();
    expect(area.cellAt(i ?? -1)).toBe(cell);
    const mine = neighbourCells(area, i ?? -1);
    const expected = gridDisk(cell, rings).filter((c) => cells.has(c));
    expect(mine).toHaveLength(expected.length);
    expect(new Set(mine)).toEqual(new Set(expected));
  }
  // every cell around the area but outside it is unknown
  const around = new Set([...cells].flatMap((c) => gridDisk(c, rings + 3)));
  for (const c of around) if (!cells.has(c)) expect(area.indexOf(c)).toBeUndefined();
};

const diskUnion = (centres: readonly string[], rings: number) =>
  new Set(centres.flatMap((c) => gridDisk(c, rings)));

describe('hotspotRulesSchema', () => {
  it('rejects each rule outside its bounds, and accepts its bounds', () => {
    // Prepare
    const variants: [Partial<Record<keyof HotspotRules, unknown>>, boolean][] = [
      [{ neighbourhoodRings: 1 }, true],
      [{ neighbourhoodRings: 5 }, true],
      [{ neighbourhoodRings: 0 }, false],
      [{ neighbourhoodRings: 6 }, false],
      [{ neighbourhoodRings: 1.5 }, false],
      [{ categoryLevel: 1 }, true],
      [{ categoryLevel: 3 }, true],
      [{ categoryLevel: 4 }, false],
      [{ attribute: 'count' }, true],
      [{ attribute: 'rate' }, false],
      [{ windowDays: 1 }, true],
      [{ windowDays: 0 }, false],
      [{ confidenceLevels: [0.5] }, true],
      [{ confidenceLevels: [] }, false],
      [{ confidenceLevels: [0] }, false],
      [{ confidenceLevels: [1] }, false],
      [{ minNeighbourhoodOrders: 1 }, true],
      [{ minNeighbourhoodOrders: 0 }, false],
      [{ maxCellsPerCategory: 1 }, true],
      [{ maxCellsPerCategory: 0 }, false],
      [{ repeats: { minOrders: 2, maxItems: 1 } }, true],
      [{ repeats: { minOrders: 1, maxItems: 1 } }, false],
      [{ repeats: { minOrders: 2, maxItems: 0 } }, false],
      [{ repeats: { minOrders: 2, maxItems: 1, extra: 1 } }, false],
      [{ note: undefined }, true],
      [{ falseDiscoveryRate: 'yes' }, false],
      [{ version: 1 }, false],
    ];

    // Act / Assess
    for (const [change, valid] of variants)
      expect([change, hotspotRulesSchema.safeParse({ ...hotspotsJson, ...change }).success]).toEqual([
        change,
        valid,
      ]);
    expect(hotspotRulesSchema.safeParse({ ...hotspotsJson, radiusMetres: 500 }).success).toBe(false);
  });
});

describe('cellCountsFrom', () => {
  it('returns each row with a text cell, a text or null category and a number of orders', () => {
    // Act
    const counts = cellCountsFrom([
      { cell: centre, category: '0203', orders: 3n },
      { cell: centre, category: null, orders: '2' },
      { cell: farCell, category: undefined, orders: 1 },
      { cell: farCell, category: 203, orders: 4 },
    ]);

    // Assess
    expect(counts).toEqual([
      { cell: centre, category: '0203', orders: 3 },
      { cell: centre, category: null, orders: 2 },
      { cell: farCell, category: null, orders: 1 },
      { cell: farCell, category: '203', orders: 4 },
    ]);
  });
});

describe('addressRepeatRowsFrom', () => {
  it('returns the SQL columns under their domain names, missing places as null', () => {
    // Act
    const rows = addressRepeatRowsFrom([
      {
        address: 'addr-1',
        category: '0105',
        orders: 4n,
        requesters: '2',
        first_day: '2026-03-01',
        last_day: '2026-03-09',
        street: '110105001',
        cell: centre,
        unsolved: 1,
        open: 2,
      },
      {
        address: 'addr-2',
        category: '0203',
        orders: 3,
        requesters: 1,
        first_day: '2026-03-02',
        last_day: '2026-03-02',
        street: null,
        unsolved: 0,
        open: 0,
      },
    ]);

    // Assess
    expect(rows).toEqual([
      {
        address: 'addr-1',
        category: '0105',
        orders: 4,
        requesters: 2,
        firstDay: '2026-03-01',
        lastDay: '2026-03-09',
        street: '110105001',
        cell: centre,
        unsolved: 1,
        open: 2,
      },
      {
        address: 'addr-2',
        category: '0203',
        orders: 3,
        requesters: 1,
        firstDay: '2026-03-02',
        lastDay: '2026-03-02',
        street: null,
        cell: null,
        unsolved: 0,
        open: 0,
      },
    ]);
  });
});

describe('studyArea', () => {
  it('returns an empty area for no cells', () => {
    // Act
    const area = studyArea([], 2);

    // Assess
    expect(area.size).toBe(0);
    expect(Array.from(area.offsets)).toEqual([0]);
    expect(area.neighbours).toHaveLength(0);
    expect(area.indexOf(centre)).toBeUndefined();
  });

  it('returns each occupied cell once, however often and in whatever order it is given', () => {
    // Prepare
    const [a, b] = gridRing(centre, 1);

    // Act
    const area = studyArea([b ?? '', centre, b ?? '', a ?? '', centre, centre], 1, 0);

    // Assess
    expectGridDiskArea(area, new Set([centre, a ?? '', b ?? '']), 1);
  });

  it('returns the occupied cells alone when not grown, each with the neighbours it has among them', () => {
    // Prepare: two patches of a city 20 rings apart, and single cells 3 rings from the first
    const occupied = [...gridDisk(centre, 1), ...gridDisk(farCell, 2), ...gridRing(centre, 3).slice(0, 5)];

    // Act
    const area = studyArea(occupied, 2, 0);

    // Assess
    expectGridDiskArea(area, new Set(occupied), 2);
  });

  it('returns the occupied cells grown by `grow` rings (by default the neighbourhood rings)', () => {
    // Prepare
    const occupied = [centre, farCell, gridRing(centre, 4)[3] ?? ''];

    // Act
    const byDefault = studyArea(occupied, 2);
    const grownByOne = studyArea(occupied, 2, 1);

    // Assess
    expectGridDiskArea(byDefault, diskUnion(occupied, 2), 2);
    expectGridDiskArea(grownByOne, diskUnion(occupied, 1), 2);
  });

  it('returns more than 32 occupied cells with their neighbourhoods, grown by 1 ring with 1-ring disks', () => {
    // Prepare
    const occupied = gridDisk(centre, 5).filter((_, k) => k % 3 !== 0);

    // Act
    const area = studyArea(occupied, 1, 1);

    // Assess
    expectGridDiskArea(area, diskUnion(occupied, 1), 1);
  });

  it('returns gridDisk neighbourhoods for cells on two continents, where local IJ coordinates fail', () => {
    // Prepare
    const occupied = [...gridDisk(centre, 1), ...gridDisk(sydney, 1)];

    // Act
    const notGrown = studyArea(occupied, 1, 0);
    const grown = studyArea(occupied, 1, 1);

    // Assess
    expectGridDiskArea(notGrown, new Set(occupied), 1);
    expectGridDiskArea(grown, diskUnion(occupied, 1), 1);
    expect(grown.indexOf(latLngToCell(51.5, -0.12, 9))).toBeUndefined();
  });

  it('returns gridDisk neighbourhoods beside a pentagon, where local IJ coordinates are distorted', () => {
    // Prepare: the pentagon of resolution 9 nearest Beijing, in the Yellow Sea
    const pentagon = latLngToCell(39.1, 122.3, 9);
    expect(isPentagon(pentagon)).toBe(true);

    for (const beside of gridRing(pentagon, 1)) {
      const occupied = gridDisk(beside, 1).filter((c) => c !== pentagon);
      for (const rings of [1, 2]) {
        // Act
        const area = studyArea(occupied, rings, 0);

        // Assess
        expectGridDiskArea(area, new Set(occupied), rings);
      }
    }
  });

  it('returns gridDisk neighbourhoods when only the area grown from the cells reaches a pentagon', () => {
    // Prepare: one occupied cell 2 rings from the pentagon, its own 1-ring disk clear of it; grown by
    // 2 rings the area holds the pentagon, where IJ arithmetic goes wrong (or H3 refuses the cell)
    const pentagon = latLngToCell(39.1, 122.3, 9);
    for (const at of gridRing(pentagon, 2)) {
      expect(gridDisk(at, 1)).not.toContain(pentagon);

      // Act
      const area = studyArea([at], 1, 2);

      // Assess
      expectGridDiskArea(area, diskUnion([at], 2), 1);
    }
  });

  it('returns undefined for the index of something that is not a cell', () => {
    // Act
    const area = studyArea(gridDisk(centre, 1), 1);

    // Assess
    expect(area.indexOf('not-a-cell')).toBeUndefined();
    expect(area.indexOf(sydney)).toBeUndefined();
  });
});

describe('the skip of cells less than one standard deviation above expectation', () => {
  it('never drops a p-value under 0.3: 2·P(Poisson(μ) ≥ k) stays above it for every k < μ + √μ', () => {
    for (let mu = 0.01; mu < 2000; mu *= 1.01) {
      // the largest count the skip drops
      const k = Math.ceil(mu + Math.sqrt(mu)) - 1;
      if (k < 0) continue;
      expect(2 * poissonUpperTail(k, mu)).toBeGreaterThan(0.3);
    }
  });
});

describe('hotspotStudyArea', () => {
  it('returns the occupied cells for excess, grown by the neighbourhood rings for count', () => {
    // Prepare
    const counts: CellCount[] = [
      { cell: centre, category: 'A', orders: 2 },
      { cell: centre, category: 'B', orders: 1 },
      { cell: farCell, category: null, orders: 1 },
    ];

    // Act
    const excess = hotspotStudyArea(counts, { ...rules, neighbourhoodRings: 1 });
    const count = hotspotStudyArea(counts, { ...rules, neighbourhoodRings: 1, attribute: 'count' });

    // Assess
    expectGridDiskArea(excess, new Set([centre, farCell]), 1);
    expectGridDiskArea(count, diskUnion([centre, farCell], 1), 1);
  });
});

describe('getisOrdGiStar', () => {
  it('returns null for a single cell: no spread to measure', () => {
    // Act / Assess
    expect(getisOrdGiStar(new Float64Array([5]), studyArea([centre], 1, 0))).toBeNull();
  });

  it('returns z = ±1 for two cells apart, each its own neighbourhood', () => {
    // Prepare
    const area = studyArea([centre, farCell], 2, 0);
    const x = new Float64Array(2);
    x[area.indexOf(centre) ?? -1] = 3;

    // Act
    const gi = getisOrdGiStar(x, area);

    // Assess: X̄ = 1.5, S = 1.5, w = 1: Gi* = (x − X̄) / (S·√((2 − 1)/1))
    expect(gi?.z[area.indexOf(centre) ?? -1]).toBe(1);
    expect(gi?.z[area.indexOf(farCell) ?? -1]).toBe(-1);
    expect(Array.from(gi?.neighbourhoodSum ?? [])).toEqual(Array.from(x));
  });

  it('returns the neighbourhood sums, and z = 0 where the neighbourhood is the whole area', () => {
    // Prepare: 7 cells with 1-ring disks: the centre sees all 7, a ring cell itself, the centre and 2
    const area = studyArea(gridDisk(centre, 1), 1, 0);
    const x = new Float64Array(7);
    const ring = gridRing(centre, 1);
    x[area.indexOf(ring[0] ?? '') ?? -1] = 6;

    // Act
    const gi = getisOrdGiStar(x, area);

    // Assess: X̄ = 6/7, S² = 36/7 − X̄² = 216/49, S = √216/7
    const mean = 6 / 7;
    const s = Math.sqrt(216) / 7;
    const zOf = (sum: number, w: number) => (sum - mean * w) / (s * Math.sqrt((7 * w - w * w) / 6));
    expect(gi?.z[area.indexOf(centre) ?? -1]).toBe(0);
    expect(gi?.neighbourhoodSum[area.indexOf(centre) ?? -1]).toBe(6);
    for (const cell of ring) {
      const i = area.indexOf(cell) ?? -1;
      const sees = gridDisk(cell, 1).includes(ring[0] ?? '');
      expect(gi?.neighbourhoodSum[i]).toBe(sees ? 6 : 0);
      expect(gi?.z[i]).toBeCloseTo(zOf(sees ? 6 : 0, 4), 12);
    }
    expect(zOf(6, 4)).toBeGreaterThan(0);
    expect(zOf(0, 4)).toBeLessThan(0);
  });

  it('returns null when the values differ by less than a millionth of their size', () => {
    // Prepare
    const area = studyArea(gridDisk(centre, 1), 1, 0);
    const nearlyEqual = new Float64Array(7).fill(1000);
    nearlyEqual[0] = 1000 + 1e-3;
    const small = new Float64Array(7);
    small[0] = 1e-7;
    const spread = new Float64Array(7).fill(1000);
    spread[0] = 1000 + 0.1;
    const tiny = new Float64Array(7);
    tiny[0] = 1e-5;

    // Act / Assess
    expect(getisOrdGiStar(nearlyEqual, area)).toBeNull();
    expect(getisOrdGiStar(small, area)).toBeNull();
    expect(getisOrdGiStar(spread, area)).not.toBeNull();
    expect(getisOrdGiStar(tiny, area)).not.toBeNull();
  });
});

describe('falseDiscoveryCriticalP', () => {
  it('returns the largest p under its line even when a smaller p lies above its own (step-up)', () => {
    // Prepare: m = 2, α = 0.05: the lines are 0.025 and 0.05
    const p = [0.04, 0.03];

    // Act
    const critical = falseDiscoveryCriticalP(p, 2, 0.05);

    // Assess: 0.03 > 0.025, but 0.04 ≤ 0.05
    expect(critical).toBe(0.04);
    expect(p).toEqual([0.04, 0.03]);
  });

  it('returns a p lying exactly on its line, and 0 for no p at all', () => {
    // Act / Assess: lines 0.01 and 0.02 for m = 10, α = 0.1
    expect(falseDiscoveryCriticalP([0.02, 0.01], 10, 0.1)).toBe(0.02);
    expect(falseDiscoveryCriticalP([0.011, 0.0201], 10, 0.1)).toBe(0);
    expect(falseDiscoveryCriticalP([], 10, 0.1)).toBe(0);
  });
});

// ---------------------------------------------------------------------------------------------------
// findHotspots against its documented rules, re-stated plainly.

const logFactorial = (k: number) => {
  let s = 0;
  for (let i = 2; i <= k; i++) s += Math.log(i);
  return s;
};

/** P(X ≥ k), X ~ Poisson(mean), summed term by term upwards: exact in a tiny tail. */
const poissonTail = (k: number, mean: number): number => {
  if (k <= 0) return 1;
  if (mean <= 0) return 0;
  let log = -mean + k * Math.log(mean) - logFactorial(k);
  let sum = 0;
  for (let i = k; i < k + 2000; i++) {
    const term = Math.exp(log);
    sum += term;
    if (term < sum * 1e-17) break;
    log += Math.log(mean) - Math.log(i + 1);
  }
  return Math.min(1, sum);
};

interface Expected {
  category: string;
  cell: string;
  orders: number;
  neighbourhoodOrders: number;
  neighbourhoodExpected: number;
  neighbourhoodCells: number;
  z: number;
  p: number;
  confidence: number;
}

/**
 * Hot spots by the rules of the module's documentation: study area = occupied cells (grown by k rings
 * for `count`); x = Pearson residual (O − E)/√E with E = the cell's orders × the category's share
 * (excess) or the raw count (count); Gi* over gridDisk(cell, k) within the area; a test where Gi* > 0,
 * p = 2·P(Poisson(ΣE) ≥ ΣO) (excess) or two-sided normal (count); Benjamini-Hochberg over the n cells.
 */
const reference = (counts: readonly CellCount[], r: HotspotRules) => {
  const k = r.neighbourhoodRings;
  const excess = r.attribute === 'excess';
  const cells = new Set(counts.map((c) => c.cell));
  if (!excess) for (const c of [...cells]) for (const d of gridDisk(c, k)) cells.add(d);
  const n = cells.size;
  const all = new Map<string, number>();
  for (const c of counts) all.set(c.cell, (all.get(c.cell) ?? 0) + c.orders);
  const total = [...all.values()].reduce((s, v) => s + v, 0);
  const names = [...new Set(counts.flatMap((c) => (c.category === null ? [] : [c.category])))].sort();
  const levels = [...r.confidenceLevels].sort((a, b) => b - a);
  const categories = names.map((category) => {
    const observed = new Map<string, number>();
    for (const c of counts)
      if (c.category === category) observed.set(c.cell, (observed.get(c.cell) ?? 0) + c.orders);
    const orders = [...observed.values()].reduce((s, v) => s + v, 0);
    const o = (c: string) => observed.get(c) ?? 0;
    const e = (c: string) => (excess ? ((all.get(c) ?? 0) * orders) / total : orders / n);
    const x = (c: string) => (excess ? (o(c) - e(c)) / Math.sqrt(e(c)) : o(c));
    const xs = [...cells].map(x);
    const mean = xs.reduce((s, v) => s + v, 0) / n;
    const sd = Math.sqrt(xs.reduce((s, v) => s + v * v, 0) / n - mean * mean);
    const tests = [...cells].flatMap((cell) => {
      const around = gridDisk(cell, k).filter((c) => cells.has(c));
      const w = around.length;
      const z =
        (around.reduce((s, c) => s + x(c), 0) - mean * w) / (sd * Math.sqrt((n * w - w * w) / (n - 1)));
      if (!(z > 0)) return [];
      const sumO = around.reduce((s, c) => s + o(c), 0);
      const sumE = around.reduce((s, c) => s + e(c), 0);
      const p = excess ? Math.min(1, 2 * poissonTail(sumO, sumE)) : twoSidedP(z);
      return [{ cell, w, z, p, sumO, sumE }];
    });
    const criticalP = Object.fromEntries(
      levels.map((level) => {
        const alpha = 1 - level;
        if (!r.falseDiscoveryRate) return [String(level), alpha];
        const sorted = tests.map((t) => t.p).sort((a, b) => a - b);
        const under = sorted.filter((p, j) => p <= ((j + 1) * alpha) / n);
        return [String(level), under.at(-1) ?? 0];
      }),
    );
    const found = tests.flatMap((t): Expected[] => {
      const confidence = levels.find((level) => t.p <= (criticalP[String(level)] ?? 0));
      if (confidence === undefined || t.sumO < r.minNeighbourhoodOrders) return [];
      const { cell, w, z, p, sumO, sumE } = t;
      const row = { cell, orders: o(cell), neighbourhoodOrders: sumO, neighbourhoodExpected: sumE };
      return [{ category, ...row, neighbourhoodCells: w, z, p, confidence }];
    });
    return { category, orders, occupiedCells: observed.size, criticalP, found };
  });
  return { n, categories };
};

/** findHotspots agrees with the reference: every hot spot, its figures, its rank, and the summaries. */
const expectAsReference = (result: HotspotResult, counts: readonly CellCount[], r: HotspotRules) => {
  const { n, categories } = reference(counts, r);
  expect(result).toMatchObject({ attribute: r.attribute, studyCells: n, rings: r.neighbourhoodRings });
  expect(result.categories.map((c) => c.category)).toEqual(categories.map((c) => c.category));
  let found = 0;
  for (const ref of categories) {
    const summary = result.categories.find((c) => c.category === ref.category);
    const kept = Math.min(ref.found.length, r.maxCellsPerCategory);
    expect(summary).toMatchObject({ orders: ref.orders, occupiedCells: ref.occupiedCells, hotspots: kept });
    expect(Object.keys(summary?.criticalP ?? {}).sort()).toEqual(Object.keys(ref.criticalP).sort());
    for (const [level, p] of Object.entries(ref.criticalP))
      expect(summary?.criticalP[level]).toBeCloseTo(p, 12);
    const mine = result.hotspots.slice(found, found + kept);
    found += kept;
    // most significant first: p, then z, then the cell
    for (let j = 1; j < mine.length; j++) {
      const [a, b] = [mine[j - 1], mine[j]];
      if (!a || !b) continue;
      expect(a.p < b.p || (a.p === b.p && (a.z > b.z || (a.z === b.z && a.cell < b.cell)))).toBe(true);
    }
    const byCell = new Map(ref.found.map((h) => [h.cell, h]));
    const worstKept = mine.at(-1)?.p ?? 0;
    for (const h of mine) {
      const want = byCell.get(h.cell);
      expect(h.category).toBe(ref.category);
      expect(want).toBeDefined();
      expect([h.lat, h.lng]).toEqual(cellToLatLng(h.cell));
      expect(h.orders).toBe(want?.orders);
      expect(h.neighbourhoodOrders).toBe(want?.neighbourhoodOrders);
      expect(h.neighbourhoodCells).toBe(want?.neighbourhoodCells);
      expect(h.confidence).toBe(want?.confidence);
      expect(h.neighbourhoodExpected).toBeCloseTo(want?.neighbourhoodExpected ?? Number.NaN, 9);
      expect(h.z).toBeCloseTo(want?.z ?? Number.NaN, 9);
      expect(Math.abs(h.p / (want?.p ?? Number.NaN) - 1)).toBeLessThan(1e-6);
    }
    // what was cut off is no more significant than what was kept
    const keptCells = new Set(mine.map((h) => h.cell));
    for (const h of ref.found)
      if (!keptCells.has(h.cell)) expect(h.p).toBeGreaterThanOrEqual(worstKept * 0.999);
  }
  expect(result.hotspots).toHaveLength(found);
};

interface Plant {
  readonly category: string;
  readonly cells: readonly string[];
  readonly extra: number;
}

/** A Poisson field over `radius` rings around `at`: about `perCell` orders a cell, shared by category. */
const field = (
  seed: number,
  options: {
    at?: string;
    radius?: number;
    perCell?: number;
    shares?: Record<string, number>;
    plants?: Plant[];
  },
): CellCount[] => {
  const { at = centre, radius = 6, perCell = 20, shares = { A: 0.1, B: 0.9 }, plants = [] } = options;
  const random = seededRandom(seed);
  return gridDisk(at, radius).flatMap((cell) =>
    Object.entries(shares)
      .map(([category, share]): CellCount => {
        const extra = plants
          .filter((p) => p.category === category && p.cells.includes(cell))
          .reduce((s, p) => s + p.extra, 0);
        return { cell, category, orders: poissonDraw(random, perCell * share) + extra };
      })
      .filter((c) => c.orders > 0),
  );
};

const clusterA: Plant = { category: 'A', cells: gridDisk(centre, 1), extra: 10 };
const clusterB: Plant = { category: 'B', cells: gridDisk(gridRing(centre, 4)[2] ?? '', 1), extra: 10 };

describe('findHotspots', () => {
  const scenarios: [string, CellCount[], HotspotRules][] = [
    ['excess, the deployed rules, a planted cluster', field(21, { plants: [clusterA] }), rules],
    [
      'excess without the FDR, levels listed in any order, no minimum of orders',
      field(22, { plants: [clusterA] }),
      { ...rules, falseDiscoveryRate: false, confidenceLevels: [0.95, 0.9, 0.99], minNeighbourhoodOrders: 1 },
    ],
    [
      'excess, three categories, unclassified orders, 1-ring neighbourhoods',
      [
        ...field(23, {
          shares: { '0105': 0.2, '0203': 0.1, '0301': 0.6 },
          plants: [
            { category: '0203', cells: gridDisk(centre, 1), extra: 5 },
            { category: '0105', cells: gridDisk(gridRing(centre, 4)[0] ?? '', 1), extra: 6 },
          ],
        }),
        ...gridDisk(centre, 3).map((cell): CellCount => ({ cell, category: null, orders: 2 })),
      ],
      { ...rules, neighbourhoodRings: 1, minNeighbourhoodOrders: 5 },
    ],
    [
      'count, the deployed rules otherwise',
      field(24, { plants: [clusterA] }),
      { ...rules, attribute: 'count' },
    ],
    [
      'count without the FDR, 90 % only, two identical clusters (ties of p and z)',
      [
        ...[centre, farCell].flatMap((at) =>
          gridDisk(at, 3).flatMap((cell): CellCount[] => [
            { cell, category: 'B', orders: 5 },
            ...(gridDisk(at, 1).includes(cell) ? [{ cell, category: 'A', orders: 6 }] : []),
          ]),
        ),
      ],
      { ...rules, attribute: 'count', falseDiscoveryRate: false, confidenceLevels: [0.9] },
    ],
    [
      'count, a category absent from a patch: a cold spot is not a hot spot',
      field(28, {
        radius: 7,
        shares: { A: 0.5, B: 0.5 },
        plants: [{ category: 'A', cells: gridDisk(gridRing(centre, 4)[1] ?? '', 1), extra: 12 }],
      }).filter((c) => c.category !== 'B' || !gridDisk(centre, 2).includes(c.cell)),
      { ...rules, attribute: 'count', falseDiscoveryRate: false },
    ],
    [
      // 2·P(Poisson(ΣE) ≥ ΣO) under one standard deviation is above 0.317, not above 0.4: such cells count
      'excess without the FDR at 60 % only: cells less than one standard deviation above expectation count too',
      field(26, { plants: [{ ...clusterA, extra: 2 }] }),
      { ...rules, falseDiscoveryRate: false, confidenceLevels: [0.6], minNeighbourhoodOrders: 1 },
    ],
    [
      'excess, at most 3 hot spots a category',
      field(25, { shares: { A: 0.1, B: 0.1, C: 0.8 }, plants: [clusterA, clusterB] }),
      { ...rules, maxCellsPerCategory: 3 },
    ],
  ];

  it.each(scenarios)('returns the hot spots of the documented rules: %s', (_, counts, r) => {
    // Act
    const result = findHotspots(counts, r);

    // Assess
    expect(result.hotspots.length).toBeGreaterThan(0);
    expectAsReference(result, counts, r);
  });

  it('returns several levels of confidence, each the highest level the p-value meets', () => {
    // Prepare
    const counts = field(22, { plants: [{ ...clusterA, extra: 6 }] });
    const r = { ...rules, falseDiscoveryRate: false, minNeighbourhoodOrders: 1 };

    // Act
    const { hotspots } = findHotspots(counts, r);

    // Assess
    const levelOf = (p: number) => (p <= 1 - 0.99 ? 0.99 : p <= 1 - 0.95 ? 0.95 : 0.9);
    expect(new Set(hotspots.map((h) => h.confidence))).toEqual(new Set([0.9, 0.95, 0.99]));
    for (const h of hotspots) expect(h.confidence).toBe(levelOf(h.p));
  });

  it('returns criticalP = 1 − level without the FDR, and 0 at every level when nothing stands out', () => {
    // Prepare: every cell has 2 orders of A among 10: A is nowhere over-represented
    const even = gridDisk(centre, 3).flatMap((cell): CellCount[] => [
      { cell, category: 'A', orders: 2 },
      { cell, category: 'B', orders: 8 },
    ]);

    // Act
    const withFdr = findHotspots(even, rules);
    const withoutFdr = findHotspots(even, { ...rules, falseDiscoveryRate: false });

    // Assess
    expect(withFdr.hotspots).toEqual([]);
    expect(withFdr.categories[0]?.criticalP).toEqual({ '0.9': 0, '0.95': 0, '0.99': 0 });
    expect(withoutFdr.hotspots).toEqual([]);
    expect(withoutFdr.categories[0]?.criticalP).toEqual({
      '0.9': 1 - 0.9,
      '0.95': 1 - 0.95,
      '0.99': 1 - 0.99,
    });
  });

  it('returns a hot spot with exactly minNeighbourhoodOrders around it, and rejects one with one fewer', () => {
    // Prepare
    const counts = field(21, { plants: [clusterA] });
    const top = findHotspots(counts, rules).hotspots[0];
    const around = top?.neighbourhoodOrders ?? 0;

    // Act
    const atMinimum = findHotspots(counts, { ...rules, minNeighbourhoodOrders: around });
    const aboveIt = findHotspots(counts, { ...rules, minNeighbourhoodOrders: around + 1 });

    // Assess
    expect(around).toBeGreaterThan(rules.minNeighbourhoodOrders);
    expect(atMinimum.hotspots.map((h) => h.cell)).toContain(top?.cell);
    expect(aboveIt.hotspots.map((h) => h.cell)).not.toContain(top?.cell);
    expect(aboveIt.hotspots.every((h) => h.neighbourhoodOrders > around)).toBe(true);
  });

  it('returns the maxCellsPerCategory most significant hot spots of each category', () => {
    // Prepare
    const counts = field(25, { shares: { A: 0.1, B: 0.1, C: 0.8 }, plants: [clusterA, clusterB] });
    const every = findHotspots(counts, rules);

    // Act
    const two = findHotspots(counts, { ...rules, maxCellsPerCategory: 2 });

    // Assess
    const firstTwo = (category: string) => every.hotspots.filter((h) => h.category === category).slice(0, 2);
    expect(every.categories.map((c) => c.hotspots > 2)).toEqual([true, true, false]);
    expect(two.hotspots).toEqual([...firstTwo('A'), ...firstTwo('B')]);
    expect(two.categories.map((c) => c.hotspots)).toEqual([2, 2, 0]);
  });

  it('returns the categories in code order, each with its orders and cells, whatever the rows order', () => {
    // Prepare: rows sorted by cell, the category codes in reverse
    const counts: CellCount[] = [
      { cell: centre, category: '0301', orders: 4 },
      { cell: centre, category: '0105', orders: 1 },
      { cell: farCell, category: '0301', orders: 2 },
      { cell: farCell, category: null, orders: 7 },
    ];

    // Act
    const result = findHotspots(counts, rules);

    // Assess
    expect(
      result.categories.map(({ category, orders, occupiedCells }) => [category, orders, occupiedCells]),
    ).toEqual([
      ['0105', 1, 1],
      ['0301', 6, 2],
    ]);
    expect(result.studyCells).toBe(2);
  });

  it('returns equally likely hot spots with the higher Gi* first', () => {
    // Prepare: three patches of 7 cells (a centre and its ring), 16 orders of A among 64 in each,
    // spread differently; 24 cells elsewhere with 8 orders and no A. A's share is 48 / 384 = 1/8.
    const patches = [centre, farCell, gridRing(centre, 10)[30] ?? ''];
    const spreads = [
      { a: [10, 1, 1, 1, 1, 1, 1], all: [16, 8, 8, 8, 8, 8, 8] },
      { a: [5, 5, 2, 1, 1, 1, 1], all: [12, 12, 8, 8, 8, 8, 8] },
      { a: [4, 4, 4, 1, 1, 1, 1], all: [8, 8, 16, 8, 8, 8, 8] },
    ];
    const counts = patches.flatMap((at, k) =>
      gridDisk(at, 1).flatMap((cell, m): CellCount[] => {
        const a = spreads[k]?.a[m] ?? 0;
        const all = spreads[k]?.all[m] ?? 0;
        return [
          { cell, category: 'A', orders: a },
          { cell, category: 'B', orders: all - a },
        ];
      }),
    );
    const background = gridDisk(gridRing(centre, 10)[0] ?? '', 3).slice(0, 24);
    counts.push(...background.map((cell) => ({ cell, category: 'B', orders: 8 })));
    const r = { ...rules, neighbourhoodRings: 1, falseDiscoveryRate: false };

    // Act
    const { hotspots } = findHotspots(counts, r);

    // Assess: each centre sees 16 orders of A against E = 64/8 = 8, so one p for all three; Σ (O − E)/√E
    // is 8/√2 (first), 2·3.5/√1.5 + 1 (second), 2·3 + 2/√2 (third): the third first, then the second.
    const centres = hotspots.filter((h) => patches.includes(h.cell));
    expect(centres.map((h) => h.cell)).toEqual([patches[2], patches[1], patches[0]]);
    expect(centres.map((h) => [h.neighbourhoodOrders, h.neighbourhoodExpected])).toEqual([
      [16, 8],
      [16, 8],
      [16, 8],
    ]);
    expect(new Set(centres.map((h) => h.p)).size).toBe(1);
    expect(centres[0]?.p).toBeCloseTo(2 * poissonTail(16, 8), 12);
    expect(centres[0]?.confidence).toBe(0.95);
  });

  it('returns the same hot spots when the orders of a cell and category come in several rows', () => {
    // Prepare: each row split in two
    const counts = field(21, { plants: [clusterA] });
    const split = counts.flatMap((c) => {
      const half = Math.floor(c.orders / 2);
      return [
        { ...c, orders: c.orders - half },
        { ...c, orders: half },
      ];
    });

    // Act
    const whole = findHotspots(counts, rules);
    const inParts = findHotspots(split, rules);

    // Assess
    expect(inParts.hotspots).toEqual(whole.hotspots);
    expect(inParts.categories.map((c) => [c.orders, c.hotspots])).toEqual(
      whole.categories.map((c) => [c.orders, c.hotspots]),
    );
  });

  it('returns only the cells of a given study area: rows outside it count nowhere', () => {
    // Prepare: the planted field, and rows of a far place that the area leaves out
    const counts = field(21, { plants: [clusterA] });
    const far = field(26, {
      at: farCell,
      radius: 2,
      plants: [{ category: 'A', cells: [farCell], extra: 40 }],
    });
    const area = hotspotStudyArea(counts, rules);

    // Act
    const alone = findHotspots(counts, rules);
    const withFar = findHotspots([...counts, ...far], rules, area);

    // Assess
    expect(withFar).toEqual(alone);
  });

  it('returns a lone order of a category far from the rest only when minNeighbourhoodOrders allows 1', () => {
    // Prepare: a cell away from the field with 1 order, of a category found nowhere else
    const counts = [...field(27, {}), { cell: farCell, category: 'rare', orders: 1 }];
    const total = counts.reduce((s, c) => s + c.orders, 0);
    const r = { ...rules, falseDiscoveryRate: false };

    // Act
    const deployed = findHotspots(counts, r);
    const anyCount = findHotspots(counts, { ...r, minNeighbourhoodOrders: 1 });

    // Assess: E = 1 order × the share 1/total; p = 2·P(Poisson(1/total) ≥ 1) = 2·(1 − e^(−1/total))
    expect(deployed.hotspots.filter((h) => h.category === 'rare')).toEqual([]);
    const lone = anyCount.hotspots.find((h) => h.category === 'rare');
    expect(lone).toMatchObject({ cell: farCell, orders: 1, neighbourhoodOrders: 1, neighbourhoodCells: 1 });
    expect(lone?.neighbourhoodExpected).toBeCloseTo(1 / total, 15);
    expect(lone?.p).toBeCloseTo(2 * (1 - Math.exp(-1 / total)), 12);
    expect(lone?.confidence).toBe(0.99);
    expect(lone?.z).toBeGreaterThan(0);
    expectAsReference(anyCount, counts, { ...r, minNeighbourhoodOrders: 1 });
  });
});

describe('addressRepeats', () => {
  const row = (address: string, over: Partial<AddressRepeatRow> = {}): AddressRepeatRow => ({
    address,
    category: '0105',
    orders: 3,
    requesters: 1,
    firstDay: '2026-03-01',
    lastDay: '2026-03-01',
    street: null,
    cell: null,
    unsolved: 0,
    open: 0,
    ...over,
  });

  it('returns ties of orders with the most unsolved first, then by address, then by category', () => {
    // Prepare
    const rows = [
      row('b', { category: '0203' }),
      row('b', { category: '0105' }),
      row('a', { orders: 5 }),
      row('c', { unsolved: 2 }),
      row('a'),
      row('d', { unsolved: 1 }),
    ];

    // Act
    const repeats = addressRepeats(rows, rules);

    // Assess
    expect(repeats.map((r) => [r.address, r.category, r.orders, r.unsolved])).toEqual([
      ['a', '0105', 5, 0],
      ['c', '0105', 3, 2],
      ['d', '0105', 3, 1],
      ['a', '0105', 3, 0],
      ['b', '0105', 3, 0],
      ['b', '0203', 3, 0],
    ]);
  });

  it('returns at most repeats.maxItems addresses, the ones with most orders', () => {
    // Prepare
    const rows = [row('a', { orders: 3 }), row('b', { orders: 9 }), row('c', { orders: 4 })];

    // Act
    const repeats = addressRepeats(rows, { ...rules, repeats: { minOrders: 3, maxItems: 2 } });

    // Assess
    expect(repeats.map((r) => r.address)).toEqual(['b', 'c']);
  });

  it('returns each row whole, with its span of days counted inclusively and its cell centre', () => {
    // Prepare
    const located = row('a', {
      orders: 4,
      firstDay: '2026-02-27',
      lastDay: '2026-03-02',
      street: '110105001',
      cell: farCell,
      unsolved: 1,
      open: 2,
      requesters: 3,
    });

    // Act
    const [repeat] = addressRepeats([located], rules);

    // Assess: 27, 28 February and 1, 2 March 2026
    const [lat, lng] = cellToLatLng(farCell);
    expect(repeat).toEqual({ ...located, spanDays: 4, lat, lng });
  });
});
