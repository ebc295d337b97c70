import { DAY_MS } from '#domain/china-time.ts';
import { HotlineError } from '#domain/errors.ts';
import { listOrdersQuery } from '#shared/contract/requests.ts';
import { actorOf } from '#shared/platform/auth.ts';
import { clock } from '#shared/platform/clock.ts';
import { json, parseQuery, withoutBody } from '#shared/platform/http.ts';
import { listOrders } from '#shared/stores/order-store.ts';

/**
 * GET /orders?status=&unitId=&districtCode=&createdFrom=&createdTo=&limit=&cursor= (newest first): order
 * summaries (no requester details; GET /orders/{id} has the whole order).
 */
const DEFAULT_RANGE_DAYS = 30;
const MAX_RANGE_DAYS = 366;

export const handler = withoutBody(async (event) => {
  const actor = actorOf(event);
  const query = parseQuery(listOrdersQuery, event);
  if (actor.role === 'unit' && query.unitId !== undefined && query.unitId !== actor.unitId) {
    throw new HotlineError(
      'forbidden',
      'OTHER_UNIT',
      "A unit's staff can list only their own unit's orders.",
    );
  }
  const unitId = actor.role === 'unit' ? actor.unitId : query.unitId;

  const toMs = query.createdTo ? Date.parse(query.createdTo) : clock.now();
  const fromMs = query.createdFrom ? Date.parse(query.createdFrom) : toMs - DEFAULT_RANGE_DAYS * DAY_MS;
  if (fromMs > toMs) throw new HotlineError('badRequest', 'INVALID_RANGE', 'createdFrom is after createdTo.');
  if (toMs - fromMs > MAX_RANGE_DAYS * DAY_MS) {
    throw new HotlineError('badRequest', 'RANGE_TOO_LONG', `A listing spans at most ${MAX_RANGE_DAYS} days.`);
  }

  const page = await listOrders({
    ...(query.status ? { status: query.status } : {}),
    ...(unitId ? { unitId } : {}),
    ...(query.districtCode ? { districtCode: query.districtCode } : {}),
    from: new Date(fromMs).toISOString(),
    to: new Date(toMs).toISOString(),
    limit: query.limit,
    ...(query.cursor ? { cursor: query.cursor } : {}),
  });
  return json(200, {
    items: page.items,
    ...(page.cursor ? { cursor: page.cursor } : {}),
  });
});
