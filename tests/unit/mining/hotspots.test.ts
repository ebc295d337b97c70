import { cellToLatLng, gridDisk, gridRing, latLngToCell } from 'h3-js';
import { describe, expect, it } from 'vitest';
import hotspotsJson from '#data/hotspots.json' with { type: 'json' };
import {
  addressRepeats,
  type CellCount,
  falseDiscoveryCriticalP,
  findHotspots,
  getisOrdGiStar,
  hotspotRulesSchema,
  studyArea,
} from '#domain/mining/hotspots.ts';
import { poissonDraw, seededRandom } from './synthetic.ts';

const rules = hotspotRulesSchema.parse(hotspotsJson);
/** 天安门 (Tiananmen): the centre of the synthetic fields. */
const centre = latLngToCell(39.9087, 116.3975, 9);

/**
 * A field of 469 cells (12 rings around the centre): about `perCell` orders a cell, of which the
 * category 'A' takes `share`; each cell of `cluster` gets `extra` more orders of 'A'.
 */
const field = (
  seed: number,
  options: { perCell?: number; share?: number; cluster?: string[]; extra?: number } = {},
) => {
  const { perCell = 20, share = 0.1, cluster = [], extra = 0 } = options;
  const random = seededRandom(seed);
  const boosted = new Set(cluster);
  return gridDisk(centre, 12).flatMap((cell): CellCount[] => {
    const a = poissonDraw(random, perCell * share) + (boosted.has(cell) ? extra : 0);
    const other = poissonDraw(random, perCell * (1 - share));
    return [
      { cell, category: 'A', orders: a },
      { cell, category: 'B', orders: other },
    ].filter((c) => c.orders > 0);
  });
};

describe('hotspotRulesSchema', () => {
  it('returns the deployed rules of data/hotspots.json: k = 2 (19 cells), 90/95/99 %, FDR on', () => {
    // Assess
    expect(rules.neighbourhoodRings).toBe(2);
    expect(gridDisk(centre, rules.neighbourhoodRings)).toHaveLength(19);
    expect(rules.confidenceLevels).toEqual([0.9, 0.95, 0.99]);
    expect(rules.falseDiscoveryRate).toBe(true);
  });
});

describe('studyArea', () => {
  it('returns for every cell the same neighbourhood as gridDisk', () => {
    // Prepare: 10 rings around Tiananmen, grown by 2 more
    const occupied = gridDisk(centre, 10);

    // Act
    const area = studyArea(occupied, 2);

    // Assess
    expect(area.size).toBe(gridDisk(centre, 12).length);
    for (let i = 0; i < area.size; i++) {
      const cell = area.cellAt(i);
      const inArea = gridDisk(cell, 2).filter((c) => area.indexOf(c) !== undefined);
      const mine = Array.from(area.neighbours.subarray(area.offsets[i], area.offsets[i + 1]), (k) =>
        area.cellAt(k),
      );
      expect(new Set(mine)).toEqual(new Set(inArea));
    }
  });
});

describe('getisOrdGiStar', () => {
  it('returns the hand-computed Gi* on a tiny example: 19 cells, 1-ring neighbourhoods', () => {
    // Prepare: centre 10, its 6 neighbours 4 each, the 12 cells of ring 2 zero
    const area = studyArea(gridDisk(centre, 2), 1, 0);
    const x = new Float64Array(area.size);
    x[area.indexOf(centre) ?? -1] = 10;
    for (const c of gridRing(centre, 1)) x[area.indexOf(c) ?? -1] = 4;
    // a corner of ring 2 touches one ring-1 cell and two ring-2 cells inside the area
    const inArea = (c: string) => area.indexOf(c) !== undefined;
    const corner = gridRing(centre, 2).find((c) => gridDisk(c, 1).filter(inArea).length === 4) ?? '';

    // Act
    const gi = getisOrdGiStar(x, area);

    // Assess: n = 19, Σx = 34, Σx² = 196; X̄ = 34/19, S = √(196/19 − X̄²)
    const mean = 34 / 19;
    const s = Math.sqrt(196 / 19 - mean ** 2);
    // centre: w = 7, Σwx = 10 + 6·4 = 34
    const centreGi = (34 - mean * 7) / (s * Math.sqrt((19 * 7 - 7 ** 2) / 18));
    // a neighbour: w = 7 (itself, the centre, 2 neighbours in ring 1, 3 in ring 2), Σwx = 4 + 10 + 2·4 = 22
    const neighbourGi = (22 - mean * 7) / (s * Math.sqrt((19 * 7 - 7 ** 2) / 18));
    // a corner of ring 2: w = 4 (itself, 1 ring-1 cell, 2 ring-2 cells), Σwx = 4
    const cornerGi = (4 - mean * 4) / (s * Math.sqrt((19 * 4 - 4 ** 2) / 18));
    expect(gi?.z[area.indexOf(centre) ?? -1]).toBeCloseTo(centreGi, 12);
    expect(gi?.z[area.indexOf(gridRing(centre, 1)[0] ?? '') ?? -1]).toBeCloseTo(neighbourGi, 12);
    expect(gi?.z[area.indexOf(corner) ?? -1]).toBeCloseTo(cornerGi, 12);
    expect(centreGi).toBeCloseTo(3.727, 3); // 21.474 / (2.6671 · 2.1602)
  });

  it('returns null when every cell has the same value', () => {
    // Prepare
    const area = studyArea(gridDisk(centre, 2), 1, 0);

    // Act / Assess
    expect(getisOrdGiStar(new Float64Array(area.size).fill(3), area)).toBeNull();
  });
});

describe('falseDiscoveryCriticalP', () => {
  it('returns the largest p-value under its Benjamini-Hochberg line k·α/m', () => {
    // Prepare: Benjamini & Hochberg's shape of example, α = 0.05, m = 10
    const p = [0.001, 0.008, 0.039, 0.041, 0.042, 0.06, 0.074, 0.205, 0.212, 0.216];

    // Act / Assess: 0.008 ≤ 2·0.005; 0.039 > 3·0.005 and no later p under its line
    expect(falseDiscoveryCriticalP(p, 10, 0.05)).toBe(0.008);
    expect(falseDiscoveryCriticalP([0.2, 0.3], 10, 0.05)).toBe(0);
  });
});

describe('findHotspots', () => {
  const cluster = gridDisk(centre, 1);

  it('returns a planted cluster at 99 % with its figures: cell centre, orders, z, p', () => {
    // Prepare: 7 cells with 8 more orders of A each than their share (2 a cell)
    const counts = field(1, { cluster, extra: 8 });

    // Act
    const result = findHotspots(counts, rules);

    // Assess
    const top = result.hotspots.find((h) => h.cell === centre);
    expect(top).toMatchObject({ category: 'A', confidence: 0.99, neighbourhoodCells: 19 });
    const [lat, lng] = cellToLatLng(centre);
    expect(top?.lat).toBe(lat);
    expect(top?.lng).toBe(lng);
    expect(top?.orders).toBe(counts.find((c) => c.cell === centre && c.category === 'A')?.orders);
    expect(top?.neighbourhoodOrders).toBeGreaterThan(2 * (top?.neighbourhoodExpected ?? 0));
    expect(top?.z).toBeGreaterThan(3);
    expect(top?.p).toBeLessThan(1e-6);
    // every 99 % hot spot lies on or next to the cluster
    const near = new Set(gridDisk(centre, 3));
    expect(result.hotspots.filter((h) => h.confidence === 0.99).every((h) => near.has(h.cell))).toBe(true);
    expect(result.hotspots.some((h) => h.category === 'B' && h.confidence === 0.99)).toBe(false);
  });

  it('returns the planted cluster at 99 % on raw counts too (attribute count)', () => {
    // Prepare
    const counts = field(2, { cluster, extra: 8 });

    // Act
    const result = findHotspots(counts, { ...rules, attribute: 'count' });

    // Assess
    expect(result.studyCells).toBe(gridDisk(centre, 14).length);
    expect(result.hotspots.find((h) => h.cell === centre && h.category === 'A')?.confidence).toBe(0.99);
  });

  it('returns no 99 % hot spot in a uniform field (five seeds)', () => {
    // Act
    const found = [11, 12, 13, 14, 15].flatMap((seed) => findHotspots(field(seed), rules).hotspots);

    // Assess
    expect(found.filter((h) => h.confidence === 0.99)).toEqual([]);
  });

  it('returns chance "hot spots" in a uniform field without the FDR correction: why it is on', () => {
    // Act
    const found = [11, 12, 13, 14, 15].flatMap(
      (seed) => findHotspots(field(seed), { ...rules, falseDiscoveryRate: false }).hotspots,
    );

    // Assess
    expect(found.length).toBeGreaterThan(0);
  });

  it('rejects a cluster of fewer orders than minNeighbourhoodOrders, however unlikely', () => {
    // Prepare: a category that never occurs, 3 orders in one cell
    const counts = [...field(3), { cell: centre, category: 'rare', orders: 3 }];

    // Act
    const result = findHotspots(counts, rules);

    // Assess
    expect(rules.minNeighbourhoodOrders).toBeGreaterThan(3);
    expect(result.hotspots.filter((h) => h.category === 'rare')).toEqual([]);
    expect(result.categories.find((c) => c.category === 'rare')).toMatchObject({ orders: 3, hotspots: 0 });
  });

  it('returns orders without a category at the level in the totals only', () => {
    // Prepare: the same field, and the same field with unclassified orders all over
    const counts = field(4, { cluster, extra: 8 });
    const unclassified = gridDisk(centre, 12).map((cell) => ({ cell, category: null, orders: 1 }));

    // Act
    const result = findHotspots([...counts, ...unclassified], rules);

    // Assess
    expect(result.categories.map((c) => c.category)).toEqual(['A', 'B']);
    expect(result.hotspots.find((h) => h.cell === centre)?.confidence).toBe(0.99);
  });
});

describe('addressRepeats', () => {
  it('returns addresses with most orders first, with their span and place', () => {
    // Prepare
    const row = {
      category: '0103',
      requesters: 2,
      street: '110105001',
      cell: centre,
      unsolved: 0,
      open: 1,
    };
    const rows = [
      { ...row, address: 'a1', orders: 3, firstDay: '2026-01-03', lastDay: '2026-01-20' },
      { ...row, address: 'a2', orders: 7, firstDay: '2026-01-01', lastDay: '2026-01-01', cell: null },
      { ...row, address: 'a3', orders: 2, firstDay: '2026-01-05', lastDay: '2026-01-06' },
    ];

    // Act
    const repeats = addressRepeats(rows, rules);

    // Assess: below minOrders (3) is not a repeat
    expect(repeats.map((r) => [r.address, r.orders, r.spanDays])).toEqual([
      ['a2', 7, 1],
      ['a1', 3, 18],
    ]);
    expect(repeats[0]?.lat).toBeNull();
    expect(repeats[1]?.lat).toBe(cellToLatLng(centre)[0]);
  });
});
