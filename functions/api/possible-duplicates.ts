import * as z from 'zod';
import { HotlineError } from '#domain/errors.ts';
import { duplicateSearchAt } from '#domain/possible-duplicates.ts';
import { actorOf } from '#shared/platform/auth.ts';
import { clock } from '#shared/platform/clock.ts';
import { json, parseQuery, withoutBody } from '#shared/platform/http.ts';
import { referenceData } from '#shared/platform/reference.ts';
import { duplicateRules, searchPossibleDuplicates } from '#shared/stores/nearby-orders.ts';

/**
 * GET /possible-duplicates?categoryCode=&lat=&long=: the open orders of a category near a place, looked
 * up while the caller is still on the line — so the operator can record the `repeat` disposition
 * (Art. 11) with the original's id instead of a second order. Same rules as the list that
 * `POST /orders` and `GET /orders/{id}` show (data/duplicates.json).
 */
const coordinate = (min: number, max: number) => z.coerce.number().min(min).max(max);
const querySchema = z.strictObject({
  categoryCode: z.string().regex(/^\d{2}(\d{2}){0,2}$/, 'a category code of 2, 4 or 6 digits'),
  lat: coordinate(-90, 90),
  long: coordinate(-180, 180),
});

export const handler = withoutBody(async (event) => {
  actorOf(event);
  const query = parseQuery(querySchema, event);
  if (!referenceData.category(query.categoryCode)) {
    throw new HotlineError('unprocessable', 'UNKNOWN_CATEGORY', `No category ${query.categoryCode}.`);
  }
  const search = duplicateSearchAt(
    { orderId: '', categoryCode: query.categoryCode, place: { lat: query.lat, long: query.long } },
    duplicateRules,
    clock.now(),
  );
  return json(200, { ...query, items: await searchPossibleDuplicates(search) });
});
