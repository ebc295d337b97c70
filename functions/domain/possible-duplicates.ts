import { gridDisk, latLngToCell } from 'h3-js';
import * as z from 'zod';
import { summarizeOrder } from './order-view.ts';
import { type OrderStatus, orderStatuses, type WorkOrder } from './work-order.ts';

/**
 * Possible duplicates (疑似重复件) shown at intake, so that the operator can record the `repeat`
 * disposition of Art. 11 instead of dispatching the same matter twice: open orders of the same category
 * near the same place, received recently (FixMyStreet's rule: same category, open states, 250 m, at
 * most 5). The rules are data (data/duplicates.json); this module is the pure part: where an order is,
 * which H3 cells to search, how far two orders are apart, and which candidates to show in which order.
 */

/**
 * The byPlace index keys an open order by its H3 cell at resolution 8 (~0.74 km², edges ~530 m on
 * average by h3-js 4's measure), and a search reads the order's cell and its ring-1 neighbours
 * (`gridDisk(cell, 1)`, 7 cells; 6 around a pentagon).
 *
 * Why those 7 cells hold every order within the radius: take p in cell c and q at distance d from p.
 * If q lies outside the 7 cells, the geodesic from p to q leaves c and then crosses the whole ring of
 * neighbours, so d is at least the ring's narrowest width. That narrowest place is at a vertex of c:
 * there the two neighbours meeting at the vertex share one edge leading away from c, and its far end
 * already touches the second ring. So the ring is one edge length wide at least (on a regular hexagonal
 * grid exactly the edge length, which is more than the inradius √3/2 · edge). H3 cells are not regular,
 * so this was measured on real cells (the boundary of c against the outer boundary of the 7): at least
 * 421 m over Beijing and 395 m anywhere on Earth, pentagons included. Any radius up to
 * PLACE_REACH_METERS is therefore covered; the unit tests measure the width again and throw random
 * points at it. A larger radius (FixMyStreet's inspectors use 1 000 m) needs a coarser resolution or a
 * wider disk, and a new index key: the schema below refuses it.
 */
export const PLACE_RESOLUTION = 8;
export const PLACE_REACH_METERS = 350;

export const duplicateRulesSchema = z.strictObject({
  version: z.string(),
  note: z.string().optional(),
  /** Orders at most this far away (metres, great-circle). */
  radiusMeters: z
    .number()
    .positive()
    .max(PLACE_REACH_METERS, `at most ${PLACE_REACH_METERS} m: what the 7 cells searched always cover`),
  /** Orders received at most this many days before now. */
  windowDays: z.number().int().min(1).max(365),
  /** How many are shown, nearest first. */
  maxShown: z.number().int().min(1).max(20),
  /** The statuses that count as open: only orders in them are kept in the index and shown. */
  openStatuses: z
    .array(z.enum(orderStatuses))
    .min(1)
    .refine((statuses) => !statuses.includes('closed'), 'a closed order is not open'),
  /** Index items read per cell at most (newest first), so a crowded cell cannot make a lookup unbounded. */
  readsPerCell: z.number().int().min(1).max(1000),
});
export type DuplicateRules = z.infer<typeof duplicateRulesSchema>;

export interface Place {
  readonly lat: number;
  readonly long: number;
}

/** Where the order is, when the contact gave coordinates (WGS 84). */
export const placeOf = (order: Pick<WorkOrder, 'location'>): Place | undefined => {
  const { lat, long } = order.location;
  return lat === undefined || long === undefined ? undefined : { lat, long };
};

/** The mean Earth radius (IUGG), the usual choice for haversine distances. */
export const EARTH_RADIUS_METERS = 6_371_008.8;

const radians = (degrees: number): number => (degrees * Math.PI) / 180;

/** Great-circle distance by the haversine formula, in metres. */
export const distanceMeters = (a: Place, b: Place): number => {
  const dLat = radians(b.lat - a.lat);
  const dLong = radians(b.long - a.long);
  const h =
    Math.sin(dLat / 2) ** 2 + Math.cos(radians(a.lat)) * Math.cos(radians(b.lat)) * Math.sin(dLong / 2) ** 2;
  return 2 * EARTH_RADIUS_METERS * Math.asin(Math.min(1, Math.sqrt(h)));
};

/** The H3 cell (hex string) that keys an order in the byPlace index. */
export const placeCellOf = (place: Place): string => latLngToCell(place.lat, place.long, PLACE_RESOLUTION);

/** The cells a search reads: the place's own cell and its neighbours (see PLACE_RESOLUTION for why). */
export const cellsToSearch = (place: Place): string[] => gridDisk(placeCellOf(place), 1);

/**
 * What the byPlace index holds of an open order: enough to show it as a possible duplicate and to
 * measure the distance, and nothing of the requester (Art. 8). It carries no version or time of change,
 * so the index entry is rewritten only when the status changes, not on every change of the order.
 */
export interface DuplicateCandidate {
  readonly id: string;
  readonly categoryCode: string;
  readonly receivedAt: string;
  readonly status: OrderStatus;
  /** The listing's title: the description's first 60 characters. */
  readonly title: string;
  readonly lat: number;
  readonly long: number;
}

/** The order's index entry, or nothing when it cannot be a duplicate: no coordinates, or not open. */
export const duplicateCandidateOf = (
  order: WorkOrder,
  rules: DuplicateRules,
): DuplicateCandidate | undefined => {
  const place = placeOf(order);
  if (!place || order.disposition || !rules.openStatuses.includes(order.status)) return undefined;
  return {
    id: order.id,
    categoryCode: order.categoryCode,
    receivedAt: order.receivedAt,
    status: order.status,
    title: summarizeOrder(order).title,
    lat: place.lat,
    long: place.long,
  };
};

/** What a lookup searches for one order. */
export interface DuplicateSearch {
  readonly orderId: string;
  readonly categoryCode: string;
  readonly place: Place;
  readonly cells: readonly string[];
  /** The window's start, an ISO instant: candidates received at or after it. */
  readonly receivedFrom: string;
}

const DAY_MS = 24 * 60 * 60 * 1000;

/**
 * The search for an order's possible duplicates, or nothing when none are to be shown: an order
 * without coordinates, and a disposition (closed at intake, it is already what the operator decided).
 * The window ends now, so an older order also shows the later contacts that may repeat it.
 */
export const duplicateSearchFor = (
  order: WorkOrder,
  rules: DuplicateRules,
  nowMs: number,
): DuplicateSearch | undefined => {
  const place = placeOf(order);
  if (!place || order.disposition) return undefined;
  return duplicateSearchAt({ orderId: order.id, categoryCode: order.categoryCode, place }, rules, nowMs);
};

/**
 * The search around a place for a category, before any order exists: what an operator looks up while
 * the caller is still on the line, to record a repeat (Art. 11) instead of a new order. `orderId` is
 * the order to leave out, empty when there is none.
 */
export const duplicateSearchAt = (
  at: { readonly orderId: string; readonly categoryCode: string; readonly place: Place },
  rules: DuplicateRules,
  nowMs: number,
): DuplicateSearch => ({
  ...at,
  cells: cellsToSearch(at.place),
  receivedFrom: new Date(nowMs - rules.windowDays * DAY_MS).toISOString(),
});

/** What a caller sees of a possible duplicate. */
export interface PossibleDuplicate {
  readonly id: string;
  /** Whole metres from the order. */
  readonly distanceMeters: number;
  readonly receivedAt: string;
  readonly status: OrderStatus;
  readonly categoryCode: string;
  readonly title: string;
}

/**
 * The candidates that are possible duplicates of the searched order — same category, open, inside the
 * window and the radius, not the order itself — nearest first (in whole metres), then newest, at most
 * `maxShown`. Candidates read twice count once.
 */
export const rankPossibleDuplicates = (
  search: DuplicateSearch,
  candidates: readonly DuplicateCandidate[],
  rules: DuplicateRules,
): PossibleDuplicate[] => {
  const seen = new Set<string>([search.orderId]);
  const found: PossibleDuplicate[] = [];
  for (const candidate of candidates) {
    if (seen.has(candidate.id)) continue;
    seen.add(candidate.id);
    if (candidate.categoryCode !== search.categoryCode) continue;
    if (!rules.openStatuses.includes(candidate.status)) continue;
    if (candidate.receivedAt < search.receivedFrom) continue;
    const distance = distanceMeters(search.place, candidate);
    if (distance > rules.radiusMeters) continue;
    found.push({
      id: candidate.id,
      distanceMeters: Math.round(distance),
      receivedAt: candidate.receivedAt,
      status: candidate.status,
      categoryCode: candidate.categoryCode,
      title: candidate.title,
    });
  }
  return found
    .sort(
      (a, b) =>
        a.distanceMeters - b.distanceMeters ||
        (a.receivedAt < b.receivedAt ? 1 : a.receivedAt > b.receivedAt ? -1 : 0) ||
        (a.id < b.id ? -1 : 1),
    )
    .slice(0, rules.maxShown);
};

/**
 * Who is shown possible duplicates: the centre and auditors, who may read every order. A unit sees only
 * the orders it handles, so it is shown none (the candidates may belong to other units).
 */
export const seesPossibleDuplicates = (viewer: { readonly role: string }): boolean => viewer.role !== 'unit';
