import type { AnalyticsRow } from '../../../functions/domain/analytics-row.ts';
import { analyticsColumns } from '../../../functions/domain/analytics-row.ts';

/**
 * A valid analytics row (a handled, answered order in 建外街道), with `overrides` on top: the fixture
 * of SQL and mining tests. Calendar fields follow `received_at` unless overridden.
 */
export const sampleRow = (
  overrides: Partial<Record<string, string | number | boolean | null>> = {},
): AnalyticsRow => {
  const receivedAt = String(overrides.received_at ?? '2026-01-05T02:00:00.000Z');
  const cst = new Date(Date.parse(receivedAt) + 8 * 3_600_000);
  const closedAt = overrides.closed_at === undefined ? '2026-01-07T02:00:00.000Z' : overrides.closed_at;
  const closedCst = closedAt === null ? null : new Date(Date.parse(String(closedAt)) + 8 * 3_600_000);
  const row: Record<string, string | number | boolean | null> = {
    order_id: 'WO01JGXSAMPLE0000000000000000',
    version: 9,
    updated_at: closedAt ?? receivedAt,
    source: 'live',
    received_at: receivedAt,
    received_date: cst.toISOString().slice(0, 10),
    received_month: cst.toISOString().slice(0, 7),
    received_hour: cst.getUTCHours(),
    received_weekday: cst.getUTCDay(),
    appeal_type: 'complaint',
    channel: 'phone',
    urgency: 'normal',
    requester_kind: 'person',
    anonymous: false,
    requester_hash: 'r-0001',
    category_code: '010101',
    category_l1: '01',
    category_l2: '0101',
    category_l3: '010101',
    district_code: '110105',
    street_code: '110105001',
    address_hash: 'a-0001',
    lat: 39.9087,
    lng: 116.4468,
    h3_r9: '8931aa4282fffff',
    h3_r7: '8731aa428ffffff',
    disposition: null,
    repeat_of: null,
    status: closedAt === null ? 'accepted' : 'closed',
    unit_id: 'st-110105001',
    unit_class: 'street',
    dispatched_at: receivedAt,
    contact_by: null,
    resolve_by: null,
    contacted_at: receivedAt,
    replied_at: closedAt,
    reply_result: closedAt === null ? null : 'resolved',
    closed_at: closedAt,
    closed_date: closedCst === null ? null : closedCst.toISOString().slice(0, 10),
    closed_month: closedCst === null ? null : closedCst.toISOString().slice(0, 7),
    outcome: closedAt === null ? null : 'handled',
    hours_to_close:
      closedAt === null ? null : (Date.parse(String(closedAt)) - Date.parse(receivedAt)) / 3_600_000,
    dispatch_overdue: false,
    contact_overdue: false,
    overdue: false,
    urged: false,
    supervised: false,
    notified: false,
    round: 1,
    reopenings: 0,
    callback_state: closedAt === null ? null : 'answered',
    answer_solved: closedAt === null ? null : 'solved',
    answer_satisfied: closedAt === null ? null : 'satisfied',
    answered_at: closedAt,
    unreachable: false,
    assessed: closedAt !== null,
    assessed_month: closedCst === null ? null : closedCst.toISOString().slice(0, 7),
    contacted_in_time: closedAt === null ? null : true,
    excluded: false,
    exclusion_reason: null,
    ...overrides,
  };
  for (const c of analyticsColumns) if (!(c.name in row)) throw new Error(`sampleRow lacks ${c.name}`);
  return row;
};
