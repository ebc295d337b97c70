import { areNeighborCells, cellsToMultiPolygon, cellToBoundary, cellToLatLng, gridDisk } from 'h3-js';
import { describe, expect, it } from 'vitest';
import duplicatesJson from '#data/duplicates.json' with { type: 'json' };
import {
  cellsToSearch,
  type DuplicateCandidate,
  type DuplicateRules,
  distanceMeters,
  duplicateCandidateOf,
  duplicateRulesSchema,
  duplicateSearchFor,
  EARTH_RADIUS_METERS,
  PLACE_REACH_METERS,
  type Place,
  placeCellOf,
  placeOf,
  rankPossibleDuplicates,
  seesPossibleDuplicates,
} from '#domain/possible-duplicates.ts';
import type { WorkOrder } from '#domain/work-order.ts';
import { at, DAY, dispatchedFixture, iso, orderIn } from './support.ts';

const rules: DuplicateRules = duplicateRulesSchema.parse(duplicatesJson);

/** Tiananmen Square; Beijing's box for random places. */
const HERE: Place = { lat: 39.9055, long: 116.3976 };
const BEIJING = { lat: [39.44, 41.06], long: [115.42, 117.5] } as const;

/** A seeded generator (mulberry32), so that a failure can be replayed. */
const random = (seed: number) => () => {
  seed = (seed + 0x6d2b79f5) | 0;
  let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
  t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
};

/** The point `meters` from `from` on the initial bearing (degrees): the spherical destination formula. */
const offset = (from: Place, meters: number, bearingDegrees: number): Place => {
  const rad = Math.PI / 180;
  const delta = meters / EARTH_RADIUS_METERS;
  const theta = bearingDegrees * rad;
  const phi1 = from.lat * rad;
  const lambda1 = from.long * rad;
  const phi2 = Math.asin(
    Math.sin(phi1) * Math.cos(delta) + Math.cos(phi1) * Math.sin(delta) * Math.cos(theta),
  );
  const lambda2 =
    lambda1 +
    Math.atan2(
      Math.sin(theta) * Math.sin(delta) * Math.cos(phi1),
      Math.cos(delta) - Math.sin(phi1) * Math.sin(phi2),
    );
  return { lat: phi2 / rad, long: lambda2 / rad };
};

const randomPlaceIn = (next: () => number, box: { lat: readonly number[]; long: readonly number[] }) => ({
  lat: (box.lat[0] ?? 0) + next() * ((box.lat[1] ?? 0) - (box.lat[0] ?? 0)),
  long: (box.long[0] ?? 0) + next() * ((box.long[1] ?? 0) - (box.long[0] ?? 0)),
});

/** Uniform on the sphere, away from the antimeridian (where the planar measure below would wrap). */
const randomPlaceOnEarth = (next: () => number): Place => ({
  lat: (Math.asin(2 * next() - 1) * 180) / Math.PI,
  long: -178 + next() * 356,
});

/**
 * How wide the ring of neighbours is: the shortest distance between the cell's boundary and the outer
 * boundary of the 7 cells, in a local plane (exact to millimetres at this scale). For two disjoint
 * polygon boundaries the shortest distance is from a vertex of one to a segment of the other.
 */
const ringWidthMeters = (cell: string): number => {
  const [lat0, long0] = cellToLatLng(cell);
  const k = (Math.PI / 180) * EARTH_RADIUS_METERS;
  const plane = ([lat, long]: number[]) => [
    ((long ?? 0) - long0) * k * Math.cos(lat0 * (Math.PI / 180)),
    ((lat ?? 0) - lat0) * k,
  ];
  const inner = cellToBoundary(cell).map(plane);
  const outer = (cellsToMultiPolygon(gridDisk(cell, 1))[0]?.[0] ?? []).map(plane);
  const toSegment = (p: number[], a: number[], b: number[]) => {
    const [px = 0, py = 0] = p;
    const [ax = 0, ay = 0] = a;
    const [bx = 0, by = 0] = b;
    const t = Math.max(
      0,
      Math.min(1, ((px - ax) * (bx - ax) + (py - ay) * (by - ay)) / ((bx - ax) ** 2 + (by - ay) ** 2)),
    );
    return Math.hypot(px - ax - t * (bx - ax), py - ay - t * (by - ay));
  };
  const fromRing = (points: number[][], ring: number[][]) =>
    Math.min(...points.flatMap((p) => ring.map((a, i) => toSegment(p, a, ring[(i + 1) % ring.length] ?? a))));
  return Math.min(fromRing(inner, outer), fromRing(outer, inner));
};

/** An open order at a place, received at `receivedAt`. */
const orderAt = (place: Place | undefined, changes: Partial<WorkOrder> = {}): WorkOrder => {
  const order = orderIn('dispatched', changes);
  const { lat: _lat, long: _long, ...location } = order.location;
  return { ...order, location: place ? { ...location, ...place } : location };
};

const NOW = at('2026-12-10T02:00:00.000Z');

const candidate = (
  id: string,
  place: Place,
  changes: Partial<DuplicateCandidate> = {},
): DuplicateCandidate => ({
  id,
  categoryCode: dispatchedFixture().categoryCode,
  receivedAt: iso(NOW - DAY),
  status: 'dispatched',
  title: `标题 ${id}`,
  ...place,
  ...changes,
});

describe('distanceMeters', () => {
  it('returns R × the angle along a meridian, and 0 for the same place', () => {
    // Act
    const oneDegree = distanceMeters({ lat: 39, long: 116 }, { lat: 40, long: 116 });

    // Assess
    expect(oneDegree).toBeCloseTo((Math.PI / 180) * EARTH_RADIUS_METERS, 6);
    expect(distanceMeters(HERE, HERE)).toBe(0);
  });

  it('returns the distance the destination formula walked, in every direction, symmetric', () => {
    // Prepare
    const next = random(7);

    for (let i = 0; i < 500; i++) {
      const from = randomPlaceIn(next, BEIJING);
      const meters = next() * 2000;
      const to = offset(from, meters, next() * 360);

      // Act
      const there = distanceMeters(from, to);
      const back = distanceMeters(to, from);

      // Assess
      expect(there).toBeCloseTo(meters, 3);
      expect(back).toBeCloseTo(there, 6);
    }
  });
});

describe('cellsToSearch', () => {
  it('returns the place’s cell and its 6 neighbours', () => {
    // Act
    const cells = cellsToSearch(HERE);

    // Assess
    const own = placeCellOf(HERE);
    expect(new Set(cells).size).toBe(7);
    expect(cells).toContain(own);
    for (const cell of cells.filter((c) => c !== own)) expect(areNeighborCells(own, cell)).toBe(true);
  });

  it('returns cells whose ring of neighbours is wider than PLACE_REACH_METERS, over Beijing and anywhere', () => {
    // Prepare
    const next = random(11);
    const beijing = Array.from({ length: 400 }, () => placeCellOf(randomPlaceIn(next, BEIJING)));
    const earth = Array.from({ length: 400 }, () => placeCellOf(randomPlaceOnEarth(next)));

    // Act
    const narrowest = (cells: string[]) => Math.min(...cells.map(ringWidthMeters));

    // Assess: the comment on PLACE_RESOLUTION states 421 m and 395 m, from larger samples
    expect(narrowest(beijing)).toBeGreaterThan(415);
    expect(narrowest(earth)).toBeGreaterThan(PLACE_REACH_METERS);
  });

  it('returns cells that hold every point within PLACE_REACH_METERS (20 000 random pairs)', () => {
    // Prepare
    const next = random(42);
    const escaped: string[] = [];

    for (let i = 0; i < 20_000; i++) {
      const from = i % 4 === 0 ? randomPlaceOnEarth(next) : randomPlaceIn(next, BEIJING);
      // Half of the points at the reach itself, where an escape would show first.
      const meters = i % 2 === 0 ? PLACE_REACH_METERS : next() * PLACE_REACH_METERS;
      const to = offset(from, meters, next() * 360);

      // Act
      const cells = cellsToSearch(from);

      // Assess
      if (!cells.includes(placeCellOf(to))) escaped.push(`${from.lat},${from.long} → ${to.lat},${to.long}`);
    }
    expect(escaped).toEqual([]);
  });

  it('returns cells that miss some points 1 200 m away (the check above can fail)', () => {
    // Prepare
    const next = random(5);

    // Act
    let missed = 0;
    for (let i = 0; i < 2000; i++) {
      const from = randomPlaceIn(next, BEIJING);
      const to = offset(from, 1200, next() * 360);
      if (!cellsToSearch(from).includes(placeCellOf(to))) missed++;
    }

    // Assess
    expect(missed).toBeGreaterThan(0);
  });
});

describe('duplicateRulesSchema', () => {
  it('returns the rules of data/duplicates.json: FixMyStreet’s 250 m and 5, 30 days, the open statuses', () => {
    // Assess
    expect(rules).toMatchObject({ radiusMeters: 250, windowDays: 30, maxShown: 5 });
    expect(rules.openStatuses).not.toContain('closed');
    expect(rules.radiusMeters).toBeLessThanOrEqual(PLACE_REACH_METERS);
  });

  it('rejects a radius the searched cells do not always cover, and closed as an open status', () => {
    // Act
    const tooFar = duplicateRulesSchema.safeParse({ ...duplicatesJson, radiusMeters: 1000 });
    const closed = duplicateRulesSchema.safeParse({
      ...duplicatesJson,
      openStatuses: ['received', 'closed'],
    });

    // Assess
    expect(tooFar.success).toBe(false);
    expect(closed.success).toBe(false);
  });
});

describe('duplicateCandidateOf', () => {
  it('returns what the index holds of an open order with coordinates, without the requester', () => {
    // Prepare
    const order = orderAt(HERE);

    // Act
    const entry = duplicateCandidateOf(order, rules);

    // Assess
    expect(entry).toEqual({
      id: order.id,
      categoryCode: order.categoryCode,
      receivedAt: order.receivedAt,
      status: 'dispatched',
      title: order.description,
      lat: HERE.lat,
      long: HERE.long,
    });
    const text = JSON.stringify(entry);
    const { contact } = order.requester;
    for (const personal of [
      contact?.sealed,
      contact?.masked.phone,
      contact?.requesterHash,
      order.location.address,
    ])
      expect(text).not.toContain(String(personal));
  });

  it('returns nothing for a closed order, one without coordinates, and a disposition', () => {
    // Prepare
    const closed = { ...orderAt(HERE), status: 'closed' as const };
    const nowhere = orderAt(undefined);
    const disposed = { ...orderAt(HERE), disposition: { kind: 'outside_duty' as const } };

    // Act
    const entries = [closed, nowhere, disposed].map((o) => duplicateCandidateOf(o, rules));

    // Assess
    expect(entries).toEqual([undefined, undefined, undefined]);
  });

  it('returns an entry for every status the rules count as open, and only those', () => {
    // Act
    const open = (['received', 'awaiting_dispatch', 'dispatched', 'accepted', 'objected', 'replied'] as const)
      .map((status) =>
        duplicateCandidateOf({ ...orderAt(HERE), status }, { ...rules, openStatuses: ['accepted'] }),
      )
      .map((entry) => entry?.status);

    // Assess
    expect(open).toEqual([undefined, undefined, undefined, 'accepted', undefined, undefined]);
  });
});

describe('duplicateSearchFor', () => {
  it('returns the 7 cells, the category and a window ending now', () => {
    // Prepare
    const order = orderAt(HERE);

    // Act
    const search = duplicateSearchFor(order, rules, NOW);

    // Assess
    expect(search).toEqual({
      orderId: order.id,
      categoryCode: order.categoryCode,
      place: HERE,
      cells: cellsToSearch(HERE),
      receivedFrom: iso(NOW - 30 * DAY),
    });
  });

  it('returns nothing for an order without coordinates or a disposition', () => {
    // Act
    const nowhere = duplicateSearchFor(orderAt(undefined), rules, NOW);
    const disposed = duplicateSearchFor(
      { ...orderAt(HERE), status: 'closed', disposition: { kind: 'repeat', originalOrderId: 'WO1' } },
      rules,
      NOW,
    );

    // Assess
    expect(nowhere).toBeUndefined();
    expect(disposed).toBeUndefined();
  });
});

describe('rankPossibleDuplicates', () => {
  const search = () => {
    const found = duplicateSearchFor(orderAt(HERE), rules, NOW);
    if (!found) throw new Error('the fixture has coordinates');
    return found;
  };

  it('returns open orders of the category within the radius and window, nearest first, with whole metres', () => {
    // Prepare
    const candidates = [
      candidate('WO-FAR', offset(HERE, 200, 10)),
      candidate('WO-NEAR', offset(HERE, 120.4, 250)),
    ];

    // Act
    const found = rankPossibleDuplicates(search(), candidates, rules);

    // Assess
    expect(found).toEqual([
      {
        id: 'WO-NEAR',
        distanceMeters: 120,
        receivedAt: iso(NOW - DAY),
        status: 'dispatched',
        categoryCode: dispatchedFixture().categoryCode,
        title: '标题 WO-NEAR',
      },
      expect.objectContaining({ id: 'WO-FAR', distanceMeters: 200 }),
    ]);
  });

  it('returns neither the order itself, nor another category, a closed order, one too old or too far', () => {
    // Prepare
    const s = search();
    const near = offset(HERE, 50, 90);
    const candidates = [
      candidate(s.orderId, HERE),
      candidate('WO-OTHER-CATEGORY', near, { categoryCode: '0104' }),
      candidate('WO-PARENT-CATEGORY', near, { categoryCode: '0102' }),
      candidate('WO-CLOSED', near, { status: 'closed' }),
      candidate('WO-OLD', near, { receivedAt: iso(NOW - 30 * DAY - 1) }),
      candidate('WO-FAR', offset(HERE, 251, 90)),
      candidate('WO-EDGE', offset(HERE, 249.5, 90), { receivedAt: iso(NOW - 30 * DAY) }),
    ];

    // Act
    const found = rankPossibleDuplicates(s, candidates, rules);

    // Assess
    expect(found.map((d) => d.id)).toEqual(['WO-EDGE']);
  });

  it('returns the newest first at the same distance, at most maxShown, each once', () => {
    // Prepare
    const place = offset(HERE, 80, 0);
    const candidates = Array.from({ length: 8 }, (_, i) =>
      candidate(`WO-${i}`, place, { receivedAt: iso(NOW - (i + 1) * DAY) }),
    );

    // Act
    const found = rankPossibleDuplicates(search(), [...candidates, ...candidates], rules);

    // Assess
    expect(found.map((d) => d.id)).toEqual(['WO-0', 'WO-1', 'WO-2', 'WO-3', 'WO-4']);
  });
});

describe('placeOf', () => {
  it('returns the coordinates only when both lat and long are given', () => {
    // Prepare
    const location = orderAt(undefined).location;

    // Act / Assess
    expect(placeOf({ location: { ...location, lat: 39.9, long: 116.4 } })).toEqual({
      lat: 39.9,
      long: 116.4,
    });
    expect(placeOf({ location: { ...location, lat: 0, long: 0 } })).toEqual({ lat: 0, long: 0 });
    expect(placeOf({ location: { ...location, lat: 39.9 } })).toBeUndefined();
    expect(placeOf({ location: { ...location, long: 116.4 } })).toBeUndefined();
    expect(placeOf({ location })).toBeUndefined();
  });
});

describe('duplicateRulesSchema messages', () => {
  const messagesOf = (input: unknown) => {
    const result = duplicateRulesSchema.safeParse(input);
    return result.success ? [] : result.error.issues.map((i) => i.message);
  };

  it('rejects a radius above PLACE_REACH_METERS saying what the cells cover, and accepts one at it', () => {
    // Act / Assess
    expect(messagesOf({ ...duplicatesJson, radiusMeters: PLACE_REACH_METERS + 1 })).toEqual([
      'at most 350 m: what the 7 cells searched always cover',
    ]);
    expect(messagesOf({ ...duplicatesJson, radiusMeters: PLACE_REACH_METERS })).toEqual([]);
  });

  it('rejects closed among the open statuses saying why', () => {
    // Act / Assess
    expect(messagesOf({ ...duplicatesJson, openStatuses: ['dispatched', 'closed'] })).toEqual([
      'a closed order is not open',
    ]);
  });
});

/** Every order of the items, so that a ranking is shown not to depend on the order of the reads. */
const permutations = <T>(items: readonly T[]): T[][] =>
  items.length <= 1
    ? [[...items]]
    : items.flatMap((item, i) =>
        permutations([...items.slice(0, i), ...items.slice(i + 1)]).map((rest) => [item, ...rest]),
      );

describe('rankPossibleDuplicates ordering', () => {
  const search = () => {
    const found = duplicateSearchFor(orderAt(HERE), rules, NOW);
    if (!found) throw new Error('the fixture has coordinates');
    return found;
  };

  it('returns the newest first among those at the same whole metre, however they were read', () => {
    // Prepare: 79.7, 80.0 and 80.3 m all round to 80 m, so the time of receipt decides
    const candidates = [
      candidate('WO-A', offset(HERE, 79.7, 30), { receivedAt: iso(NOW - 3 * DAY) }),
      candidate('WO-B', offset(HERE, 80.3, 120), { receivedAt: iso(NOW - DAY) }),
      candidate('WO-C', offset(HERE, 80, 200), { receivedAt: iso(NOW - 2 * DAY) }),
    ];

    for (const read of permutations(candidates)) {
      // Act
      const found = rankPossibleDuplicates(search(), read, rules);

      // Assess
      expect(
        found.map((d) => [d.id, d.distanceMeters]),
        read.map((c) => c.id).join(),
      ).toEqual([
        ['WO-B', 80],
        ['WO-C', 80],
        ['WO-A', 80],
      ]);
    }
  });

  it('returns the nearer first whatever their age, and the id in text order at the same metre and time', () => {
    // Prepare: 'WO-1' < 'WO-10' < 'WO-2' as texts
    const place = offset(HERE, 60, 0);
    const candidates = [
      candidate('WO-2', place),
      candidate('WO-10', place),
      candidate('WO-1', place),
      candidate('WO-OLD-NEAR', offset(HERE, 10, 0), { receivedAt: iso(NOW - 29 * DAY) }),
    ];

    for (const read of permutations(candidates)) {
      // Act
      const found = rankPossibleDuplicates(search(), read, rules);

      // Assess
      expect(
        found.map((d) => d.id),
        read.map((c) => c.id).join(),
      ).toEqual(['WO-OLD-NEAR', 'WO-1', 'WO-10', 'WO-2']);
    }
  });

  it('returns a candidate exactly at the radius (at most, not less than)', () => {
    // Prepare: a radius that is exactly the distance to the candidate
    const s = search();
    const edge = offset(HERE, 200, 45);
    const exact = { ...rules, radiusMeters: distanceMeters(s.place, edge) };

    // Act
    const found = rankPossibleDuplicates(s, [candidate('WO-EDGE', edge)], exact);

    // Assess
    expect(found.map((d) => [d.id, d.distanceMeters])).toEqual([['WO-EDGE', 200]]);
  });
});

describe('seesPossibleDuplicates', () => {
  it('returns true for the centre and auditors, false for a unit', () => {
    // Act
    const seen = ['operator', 'dispatcher', 'supervisor', 'auditor', 'unit'].map((role) =>
      seesPossibleDuplicates({ role }),
    );

    // Assess
    expect(seen).toEqual([true, true, true, true, false]);
  });
});
