/**
 * Test support for the domain tests (not a test file itself): the people of the loop, the real rules
 * of the deployment, and the order of the fixture moved to each status with the fields that status
 * implies. Every helper returns a fresh copy, so a test may compare its input before and after.
 */
import holidays from '#data/holidays.json' with { type: 'json' };
import supervisionJson from '#data/supervision.json' with { type: 'json' };
import type { Route } from '#domain/dispatch-catalogue.ts';
import type { Actor } from '#domain/order-events.ts';
import type { Requester } from '#domain/order-input.ts';
import {
  contactDetailsOf,
  maskContact,
  requesterIdentityText,
  type SealedContact,
} from '#domain/requester-privacy.ts';
import { type SupervisionRules, supervisionRulesSchema } from '#domain/supervision.ts';
import type { OrderStatus, WorkOrder } from '#domain/work-order.ts';
import { type HolidayCalendarData, WorkingCalendar } from '#domain/working-calendar.ts';
import { keyedHashWith } from '#shared/platform/keyed-hash.ts';
import workOrderJson from '../fixtures/work-order.json' with { type: 'json' };

export type Person = Extract<Actor, { kind: 'person' }>;

/** 东华门街道 leads the fixture order; 城管执法局 co-handles it; 东城区政府 is copied. */
export const LEAD = 'st-110101001';
export const CO = 'dept-cgzfj';
export const COPIED = 'gov-110101';
export const OTHER_STREET = 'st-110102001';

export const unitStaff = (unitId: string): Person => ({
  kind: 'person',
  sub: `staff-${unitId}`,
  role: 'unit',
  unitId,
});
export const lead = unitStaff(LEAD);
export const coHandler = unitStaff(CO);
export const copiedUnit = unitStaff(COPIED);
export const otherUnit = unitStaff(OTHER_STREET);
export const operator: Person = { kind: 'person', sub: 'operator-1', role: 'operator' };
export const dispatcher: Person = { kind: 'person', sub: 'dispatcher-1', role: 'dispatcher' };
export const supervisor: Person = { kind: 'person', sub: 'supervisor-1', role: 'supervisor' };
export const auditor: Person = { kind: 'person', sub: 'auditor-1', role: 'auditor' };
export const workflow = { kind: 'system', name: 'workflow' } as const;

/** The rules of the deployment: data/supervision.json (without its version) and data/holidays.json. */
const { version: _version, ...supervisionData } = supervisionJson;
export const rules: SupervisionRules = supervisionRulesSchema.parse(supervisionData);
export const calendar = new WorkingCalendar(holidays as HolidayCalendarData);

export const at = (text: string): number => Date.parse(text);
export const iso = (ms: number): string => new Date(ms).toISOString();
export const HOUR = 60 * 60 * 1000;
export const DAY = 24 * HOUR;

/** The fixture: received 09:00 CST on Tue 2026-12-01, dispatched 09:05 to 东华门街道, version 3. */
export const dispatchedFixture = (): WorkOrder => structuredClone(workOrderJson) as unknown as WorkOrder;

export const ACCEPTED_AT = '2026-12-01T02:00:00.000Z';
export const CONTACTED_AT = '2026-12-01T03:00:00.000Z';
export const REPLIED_AT = '2026-12-02T01:00:00.000Z';
export const CLOSED_AT = '2026-12-02T02:00:00.000Z';
export const reply = {
  result: 'resolved',
  text: '已清理占道摊贩，并安排每日巡查。',
  at: REPLIED_AT,
  by: LEAD,
} as const;

/**
 * The fixture order as it is in each status: undispatched orders have no unit and only the dispatch
 * deadline; from dispatch on, 东华门街道 leads with 城管执法局 co-handling; an accepted order was
 * signed for (one action), a replied one was also contacted and replied to (three actions).
 */
export const orderIn = (status: OrderStatus, changes: Partial<WorkOrder> = {}): WorkOrder => {
  const fixture = dispatchedFixture();
  const order = { ...fixture, coUnitIds: [CO] };
  const byStatus = (): WorkOrder => {
    switch (status) {
      case 'received':
      case 'awaiting_dispatch': {
        const { unitId: _u, routeBasis: _r, dispatchedAt: _d, ...rest } = fixture;
        return {
          ...rest,
          version: status === 'received' ? 1 : 2,
          status,
          coUnitIds: [],
          copiedUnitIds: [],
          deadlines: { dispatchBy: fixture.deadlines.dispatchBy },
          updatedAt: fixture.receivedAt,
        };
      }
      case 'dispatched':
        return order;
      case 'objected':
        return {
          ...order,
          version: 4,
          status,
          objectionCount: 1,
          pendingObjection: { reason: '非本街道辖区', at: ACCEPTED_AT, by: LEAD },
          actionCount: 1,
          updatedAt: ACCEPTED_AT,
        };
      case 'accepted':
        return {
          ...order,
          version: 4,
          status,
          acceptedAt: ACCEPTED_AT,
          actionCount: 1,
          updatedAt: ACCEPTED_AT,
        };
      case 'replied':
        return {
          ...order,
          version: 6,
          status,
          acceptedAt: ACCEPTED_AT,
          contact: { at: CONTACTED_AT, way: 'phone' },
          reply: { ...reply },
          actionCount: 3,
          updatedAt: REPLIED_AT,
        };
      case 'closed':
        return {
          ...order,
          version: 7,
          status,
          acceptedAt: ACCEPTED_AT,
          contact: { at: CONTACTED_AT, way: 'phone' },
          reply: { ...reply },
          actionCount: 4,
          closedAt: CLOSED_AT,
          closure: { outcome: 'handled' },
          updatedAt: CLOSED_AT,
        };
    }
  };
  return { ...byStatus(), ...changes };
};

/** A dispatcher's route to a unit, with the deadlines the order would get. */
export const routeTo = (
  leadUnitId: string,
  coUnitIds: readonly string[] = [],
): Extract<Route, { kind: 'unit' }> => ({
  kind: 'unit',
  leadUnitId,
  coUnitIds,
  copiedUnitIds: [],
  basis: { rule: 'dispatcher' },
});

/** What a function threw (or undefined), for tests that check the error and the input afterwards. */
export const catchError = (fn: () => unknown): unknown => {
  try {
    fn();
  } catch (error) {
    return error;
  }
  return undefined;
};

/** The key the domain tests hash contacts with (the fixture's requesterHash is made with it). */
export const contactTestHash = keyedHashWith('contact-test-key-0123456789abcdef');

/**
 * The contact the intake would store for a requester, without the Encryption SDK: the sealed message
 * is a stand-in (the domain never opens it), the hash and the masks are the real ones.
 */
export const sealedContactFor = (requester: Requester): SealedContact | undefined => {
  const details = contactDetailsOf(requester);
  if (!details || requester.anonymous) return undefined;
  const identity = requesterIdentityText(details);
  return {
    sealed: `test-sealed:${JSON.stringify(details).length}`,
    ...(identity ? { requesterHash: contactTestHash(identity) } : {}),
    masked: maskContact(details),
  };
};
