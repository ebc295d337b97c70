import { CST_OFFSET_MS } from '#domain/china-time.ts';
import { redactPersonalData } from '#domain/personal-data.ts';
import type { WorkOrder } from '#domain/work-order.ts';

/**
 * A work order as Open311 GeoReport v2 publishes it (GET requests, GET requests/{id}): the fields of
 * the spec's service request, mapped honestly from ours, and nothing of the requester. Free text (the
 * description, the address, the unit's reply) has phone numbers, ID numbers and e-mail addresses
 * redacted (personal-data.ts): Open311 answers anyone with an API key, and its answers are public.
 *
 * - `status`: `closed` once the order is closed (handled, disposed or expired), `open` before.
 * - `status_notes`: where the order stands in words, and for a closed one how it ended (the reply, the
 *   disposition, or that it expired).
 * - `expected_datetime`: the next deadline of an open order (resolve, else contact, else dispatch).
 * - Times in W3C form with the CST offset (`2026-12-03T09:30:00+08:00`), as the spec's examples are.
 */

/** An instant (ISO 8601, any offset) in W3C form at CST, to the second. */
export const w3cChinaTime = (iso: string): string => {
  const ms = Date.parse(iso);
  if (Number.isNaN(ms)) throw new RangeError(`Not a time: ${iso}`);
  return `${new Date(ms + CST_OFFSET_MS).toISOString().slice(0, 19)}+08:00`;
};

export interface Open311Names {
  /** The name of a unit by its id (agency_responsible). */
  readonly unit: (id: string) => string | undefined;
  /** The name of a category by its code (service_name). */
  readonly category: (code: string) => string | undefined;
}

export interface Open311Request {
  readonly service_request_id: string;
  readonly status: 'open' | 'closed';
  readonly status_notes: string;
  readonly service_name: string;
  readonly service_code: string;
  readonly description: string;
  readonly agency_responsible: string;
  readonly service_notice: string;
  readonly requested_datetime: string;
  readonly updated_datetime: string;
  readonly expected_datetime: string | null;
  readonly address: string | null;
  readonly address_id: null;
  readonly zipcode: null;
  readonly lat: number | null;
  readonly long: number | null;
  readonly media_url: string | null;
}

const openNotes: Record<Exclude<WorkOrder['status'], 'closed'>, string> = {
  received: '已受理，待派单',
  awaiting_dispatch: '已受理，待派单',
  dispatched: '已派单，待承办单位签收',
  accepted: '承办单位办理中',
  objected: '派单有异议，市级平台重新研判中',
  replied: '承办单位已反馈，市级平台审核中',
};

const closedNotes = (order: WorkOrder): string => {
  // Every closing records its outcome; a closed order without one (the type allows it) reads as handled.
  const outcome = order.closure?.outcome;
  if (outcome === 'expired') return '已结束：超过办理时限';
  if (outcome === 'disposed') return '已结束：不属于受理范围，已告知诉求人办理途径';
  return order.reply ? `已办结：${redactPersonalData(order.reply.text)}` : '已办结';
};

/** The next deadline of an open order, or null once it is closed or has none left. */
const expectedOf = (order: WorkOrder): string | null => {
  if (order.status === 'closed') return null;
  const next = order.deadlines.resolveBy ?? order.deadlines.contactBy ?? order.deadlines.dispatchBy;
  return w3cChinaTime(next);
};

/** The order as a GeoReport v2 service request; nothing of the requester. */
export const open311Request = (order: WorkOrder, names: Open311Names): Open311Request => {
  const { location } = order;
  return {
    service_request_id: order.id,
    status: order.status === 'closed' ? 'closed' : 'open',
    status_notes: order.status === 'closed' ? closedNotes(order) : openNotes[order.status],
    service_name: names.category(order.categoryCode) ?? order.categoryCode,
    service_code: order.categoryCode,
    description: redactPersonalData(order.description),
    agency_responsible: order.unitId ? (names.unit(order.unitId) ?? order.unitId) : '',
    service_notice: '',
    requested_datetime: w3cChinaTime(order.receivedAt),
    updated_datetime: w3cChinaTime(order.updatedAt),
    expected_datetime: expectedOf(order),
    address: location.address === undefined ? null : redactPersonalData(location.address),
    // No master address repository: our places are areas and free-text addresses.
    address_id: null,
    zipcode: null,
    lat: location.lat ?? null,
    long: location.long ?? null,
    media_url: order.mediaUrl ?? null,
  };
};
