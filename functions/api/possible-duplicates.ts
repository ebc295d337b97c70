import { HotlineError } from '#domain/errors.ts';
import { duplicateSearchAt } from '#domain/possible-duplicates.ts';
import { possibleDuplicatesQuery } from '#shared/contract/requests.ts';
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
export const handler = withoutBody(async (event) => {
  actorOf(event);
  const query = parseQuery(possibleDuplicatesQuery, event);
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
