import { latLngToCell } from 'h3-js';
import { describe, expect, it } from 'vitest';
import {
  analyticsRowOf,
  normaliseAddress,
  normalisePhone,
  requesterIdentity,
} from '#domain/analytics-projection.ts';
import { type AnalyticsRow, analyticsColumns } from '#domain/analytics-row.ts';
import {
  type AssessmentEvent,
  exclusionFact,
  factsFromCallback,
  factsFromClosedOrder,
  type RateCounts,
  recompute,
  unitMonthKey,
  zeroCounts,
} from '#domain/assessment.ts';
import {
  answerCallback,
  type CallbackAnswer,
  callbackScheduled,
  callbackUnreachable,
  openCallbackAttempt,
} from '#domain/callback.ts';
import type { OrderEvent, UnsealedEvent } from '#domain/order-events.ts';
import { sealEvents } from '#domain/order-events.ts';
import type { NewOrderInput } from '#domain/order-input.ts';
import { applyDueCheckpoints } from '#domain/supervision.ts';
import { acceptOrder, recordContact, replyToOrder, reviewReply } from '#domain/unit-actions.ts';
import {
  type Change,
  changed,
  closedEventDetail,
  dispatchOrder,
  receiveOrder,
  type WorkOrder,
} from '#domain/work-order.ts';
import { keyedHashWith } from '#shared/platform/keyed-hash.ts';
import { referenceData } from '#shared/platform/reference.ts';
import { checkRow } from '../../../analytics/parquet-files.ts';
import { calendar, DAY, HOUR, LEAD, lead, operator, routeTo, rules, supervisor } from './support.ts';

/**
 * The analytics row of an order, built from the order and its log as the domain really writes them
 * (receive, dispatch, accept, contact, reply, review, call-back …), next to the assessment facts the
 * live path applies at each step (WorkOrder Closed, a call-back's end, an exclusion): the row's
 * assessment columns must count exactly what those facts count.
 */
const keyedHash = keyedHashWith('analytics-test-key-0123456789abcdef');
const context = { reference: referenceData, keyedHash };

const NAME = '欧阳娜娜';
const PHONE = '13912345678';
const EMAIL = 'ouyang.nana@example.com';
const ADDRESS = '东华门大街88号院3号楼';
const DESCRIPTION = '楼下烧烤店油烟直排，夜里十二点还很吵。';
const REPLY_TEXT = '已责令商户加装油烟净化设备并限时营业。';
const COMMENT = '处理得很快，谢谢欧阳女士的邻居帮忙';

/** Mon 30 Nov 2026, 09:00 CST. */
const T0 = Date.parse('2026-11-30T01:00:00.000Z');

const input = (overrides: Partial<NewOrderInput> = {}): NewOrderInput => ({
  appealType: 'complaint',
  categoryCode: '010201',
  description: DESCRIPTION,
  channel: 'phone',
  urgency: 'normal',
  requester: {
    kind: 'person',
    name: NAME,
    phone: PHONE,
    email: EMAIL,
    anonymous: false,
    declinesCallback: false,
  },
  location: {
    districtCode: '110101',
    streetCode: '110101001',
    address: ADDRESS,
    lat: 39.9146,
    long: 116.4034,
  },
  ...overrides,
});

/** An order's history: each change saved with its events, and the live path's assessment facts. */
class History {
  order: WorkOrder;
  events: OrderEvent[] = [];
  readonly liveFacts: AssessmentEvent[] = [];

  constructor(change: Change) {
    this.order = change.order;
    this.save(change);
  }

  private save(change: Change): void {
    const last = this.events.at(-1);
    this.events.push(...sealEvents(change.order.id, last, change.events));
    this.order = change.order;
  }

  /** Applies a change, then what the live path does after it: WorkOrder Closed, a call-back's settlement. */
  apply(make: (order: WorkOrder) => Change | undefined): this {
    const before = this.order;
    const change = make(before);
    if (!change) throw new Error('The step changed nothing');
    this.save(change);
    const order = change.order;
    const closedNow = change.events.some((e) => e.type === 'closed');
    if (closedNow) {
      const unitClass = order.unitId ? referenceData.unit(order.unitId)?.class : undefined;
      this.liveFacts.push(...factsFromClosedOrder(closedEventDetail(order), unitClass));
    }
    const ended = change.events.some(
      (e) => e.type === 'callback_answered' || e.type === 'callback_unreachable',
    );
    if (ended && order.callback) this.liveFacts.push(...factsFromCallback(order.id, order.callback));
    return this;
  }

  /** The centre excludes the order (POST /orders/{id}/assessment-exclusion). */
  exclude(reason: 'malicious' | 'duplicate', nowMs: number): this {
    const event: UnsealedEvent = {
      type: 'assessment_excluded',
      at: new Date(nowMs).toISOString(),
      actor: supervisor,
      data: { reason, note: `恶意投诉：${NAME}`, unitId: this.order.unitId },
    };
    this.save({ order: changed(this.order, nowMs, {}), events: [event] });
    this.liveFacts.push(exclusionFact(this.order.id, reason, nowMs));
    return this;
  }

  row(): AnalyticsRow {
    return analyticsRowOf(this.order, this.events, context);
  }
}

const received = (overrides: Partial<NewOrderInput> = {}, id = 'WO01KBANALYTICS0000000000001') =>
  new History(
    receiveOrder({
      id,
      input: input(overrides),
      nowMs: T0,
      actor: operator,
      dispatchBy: T0 + 15 * HOUR,
    }),
  );

/** Dispatched, accepted, contacted at `contactAt`, replied and accepted at `closeAt`: closed as handled. */
const handled = (history: History, closeAt: number, contactAt = T0 + 2 * HOUR) =>
  history
    .apply((o) =>
      dispatchOrder(o, {
        route: routeTo(LEAD),
        deadlines: {
          contactBy: new Date(T0 + DAY).toISOString(),
          resolveBy: new Date(T0 + 7 * DAY).toISOString(),
        },
        nowMs: T0 + 5 * 60_000,
        actor: operator,
      }),
    )
    .apply((o) => acceptOrder(o, lead, T0 + HOUR))
    .apply((o) => recordContact(o, lead, contactAt, { way: 'phone' }))
    .apply((o) =>
      replyToOrder(o, { result: 'resolved', text: REPLY_TEXT, nowMs: closeAt - HOUR, actor: lead }),
    )
    .apply((o) => reviewReply(o, operator, closeAt, { accept: true }));

/** The call-back of the order's current round: scheduled, attempt 1 opened, answered at `at`. */
const answered = (history: History, at: number, answer: CallbackAnswer) => {
  const round = history.order.round ?? 1;
  return history
    .apply((o) =>
      callbackScheduled(o, { round, firstAttemptAt: at - HOUR, schedule: 's', nowMs: at - 2 * HOUR }),
    )
    .apply((o) => openCallbackAttempt(o, { round, attempt: 1, nowMs: at - HOUR, nextCheckAt: at + DAY }))
    .apply((o) =>
      answerCallback(o, {
        answer,
        via: 'operator',
        actor: operator,
        nowMs: at,
        maxReopenings: 2,
        resolveBy: at + 3 * DAY,
      }),
    );
};

/** The counters the row contributes to its unit-month, read as the SQL cross-check reads them. */
const countsOfRow = (row: AnalyticsRow): Map<string, RateCounts> => {
  if (row.assessed_month === null || row.unit_id === null) return new Map();
  const assessed = row.assessed === true;
  const counted = (b: boolean) => (assessed && b ? 1 : 0);
  return new Map([
    [
      unitMonthKey(String(row.unit_id), String(row.assessed_month)),
      {
        ...zeroCounts,
        assessed: assessed ? 1 : 0,
        respondedInTime: counted(row.contacted_in_time === true),
        answered: counted(row.answer_solved !== null),
        solved: counted(row.answer_solved === 'solved'),
        partlySolved: counted(row.answer_solved === 'partly'),
        satisfied: counted(row.answer_satisfied === 'satisfied'),
        basicallySatisfied: counted(row.answer_satisfied === 'basically'),
        unreachable: counted(row.unreachable === true),
        excluded: row.excluded === true ? 1 : 0,
      },
    ],
  ]);
};

/** Every personal or free text of the scenarios: none may appear in any field of any row. */
const secrets = [NAME, PHONE, EMAIL, ADDRESS, DESCRIPTION, REPLY_TEXT, COMMENT, '恶意投诉'];
const expectNoPersonalData = (row: AnalyticsRow) => {
  for (const [column, value] of Object.entries(row)) {
    if (typeof value !== 'string') continue;
    for (const secret of secrets) expect(value, `${column} holds "${secret}"`).not.toContain(secret);
    expect(value, column).not.toContain(PHONE.slice(3));
  }
};

describe('analyticsRowOf (analytics-projection)', () => {
  it('returns every column of the schema, valid, for an order just received', () => {
    // Prepare
    const history = received();

    // Act
    const row = history.row();

    // Assess
    expect(Object.keys(row).sort()).toEqual(analyticsColumns.map((c) => c.name).sort());
    expect(() => checkRow(row)).not.toThrow();
    expect(row).toMatchObject({
      order_id: history.order.id,
      version: 1,
      source: 'live',
      received_at: '2026-11-30T01:00:00.000Z',
      received_date: '2026-11-30',
      received_month: '2026-11',
      received_hour: 9,
      received_weekday: 1,
      status: 'received',
      category_code: '010201',
      category_l1: '01',
      category_l2: '0102',
      category_l3: '010201',
      district_code: '110101',
      street_code: '110101001',
      unit_id: null,
      unit_class: null,
      closed_at: null,
      outcome: null,
      round: 1,
      reopenings: 0,
      callback_state: null,
      assessed: false,
      assessed_month: null,
      contacted_in_time: null,
      excluded: false,
    });
    expect(row.requester_hash).toBe(keyedHash(`phone:${PHONE}`));
    expect(row.address_hash).toBe(keyedHash(`address:${ADDRESS}`));
    expect(row.h3_r9).toBe(latLngToCell(39.9146, 116.4034, 9));
    expect(row.h3_r7).toBe(latLngToCell(39.9146, 116.4034, 7));
    expectNoPersonalData(row);
  });

  it('returns a closed, unassessed row for a disposition (Art. 11), with the original order of a repeat', () => {
    // Prepare
    const history = received({
      disposition: { kind: 'repeat', originalOrderId: 'WO01KBORIGINAL00000000000000', note: `${NAME}又来电` },
    });

    // Act
    const row = history.row();

    // Assess
    expect(row).toMatchObject({
      status: 'closed',
      disposition: 'repeat',
      repeat_of: 'WO01KBORIGINAL00000000000000',
      outcome: 'disposed',
      closed_at: '2026-11-30T01:00:00.000Z',
      closed_month: '2026-11',
      hours_to_close: 0,
      unit_id: null,
      assessed: false,
      assessed_month: null,
    });
    expectNoPersonalData(row);
  });

  it('returns the answered call-back and counts the order in the month it closed, as the live aggregate does', () => {
    // Prepare: received in November, closed 1 December (CST); the requester says contact came late
    const closeAt = Date.parse('2026-12-01T02:00:00.000Z');
    const history = answered(handled(received(), closeAt), closeAt + DAY, {
      contactedInTime: false,
      solved: 'solved',
      satisfied: 'basically',
      comment: COMMENT,
    });

    // Act
    const row = history.row();

    // Assess
    expect(row).toMatchObject({
      received_month: '2026-11',
      status: 'closed',
      outcome: 'handled',
      unit_id: LEAD,
      unit_class: 'street',
      contacted_at: new Date(T0 + 2 * HOUR).toISOString(),
      reply_result: 'resolved',
      closed_month: '2026-12',
      hours_to_close: (closeAt - T0) / HOUR,
      callback_state: 'answered',
      answer_solved: 'solved',
      answer_satisfied: 'basically',
      answered_at: new Date(closeAt + DAY).toISOString(),
      unreachable: false,
      assessed: true,
      assessed_month: '2026-12',
      // The unit contacted within its limit, but the requester's word outranks the unit's record.
      contact_overdue: false,
      contacted_in_time: false,
    });
    expect(countsOfRow(row)).toEqual(recompute(history.liveFacts));
    expectNoPersonalData(row);
  });

  it('returns the latest answer and the month of the last closing for an order reopened and answered again', () => {
    // Prepare: round 1 closes in December and is not solved; round 2 closes in January and is
    const firstClose = Date.parse('2026-12-01T02:00:00.000Z');
    const history = answered(handled(received(), firstClose), firstClose + DAY, {
      contactedInTime: true,
      solved: 'not',
      satisfied: 'not',
    });
    const reopened = history.order;
    const secondClose = Date.parse('2027-01-04T02:00:00.000Z');
    history
      .apply((o) =>
        replyToOrder(o, { result: 'resolved', text: REPLY_TEXT, nowMs: secondClose - HOUR, actor: lead }),
      )
      .apply((o) => reviewReply(o, operator, secondClose, { accept: true }));
    answered(history, secondClose + DAY, {
      contactedInTime: false,
      solved: 'solved',
      satisfied: 'satisfied',
    });

    // Act
    const row = history.row();

    // Assess
    expect(reopened).toMatchObject({ status: 'accepted', round: 2, reopenings: 1 });
    expect(row).toMatchObject({
      status: 'closed',
      round: 2,
      reopenings: 1,
      closed_month: '2027-01',
      assessed: true,
      assessed_month: '2027-01',
      answer_solved: 'solved',
      answer_satisfied: 'satisfied',
      answered_at: new Date(secondClose + DAY).toISOString(),
      // Only the first round's call-back speaks about the first contact.
      contacted_in_time: true,
    });
    expect(countsOfRow(row)).toEqual(recompute(history.liveFacts));
  });

  it('returns an open reopened order without closing month but still counted where it closed', () => {
    // Prepare
    const closeAt = Date.parse('2026-12-01T02:00:00.000Z');
    const history = answered(handled(received(), closeAt), closeAt + DAY, {
      contactedInTime: true,
      solved: 'partly',
      satisfied: 'not',
    });

    // Act
    const row = history.row();

    // Assess
    expect(row).toMatchObject({
      status: 'accepted',
      closed_at: null,
      outcome: null,
      round: 2,
      assessed: true,
      assessed_month: '2026-12',
      answer_solved: 'partly',
    });
    expect(countsOfRow(row)).toEqual(recompute(history.liveFacts));
  });

  it('returns unreachable when the last attempt ran out, counted for response only', () => {
    // Prepare
    const closeAt = Date.parse('2026-12-01T02:00:00.000Z');
    const history = handled(received(), closeAt)
      .apply((o) =>
        callbackScheduled(o, { round: 1, firstAttemptAt: closeAt + HOUR, schedule: 's', nowMs: closeAt }),
      )
      .apply((o) =>
        openCallbackAttempt(o, { round: 1, attempt: 1, nowMs: closeAt + HOUR, nextCheckAt: closeAt + DAY }),
      )
      .apply((o) => callbackUnreachable(o, { round: 1, nowMs: closeAt + DAY }));

    // Act
    const row = history.row();

    // Assess
    expect(row).toMatchObject({
      callback_state: 'unreachable',
      unreachable: true,
      answer_solved: null,
      answered_at: null,
      assessed: true,
      contacted_in_time: true,
    });
    expect(countsOfRow(row)).toEqual(recompute(history.liveFacts));
  });

  it('returns an excluded order out of the rates, with the reason and without the note', () => {
    // Prepare
    const closeAt = Date.parse('2026-12-01T02:00:00.000Z');
    const history = handled(received(), closeAt).exclude('malicious', closeAt + 2 * DAY);

    // Act
    const row = history.row();

    // Assess
    expect(row).toMatchObject({
      assessed: false,
      assessed_month: '2026-12',
      excluded: true,
      exclusion_reason: 'malicious',
    });
    expect(countsOfRow(row)).toEqual(recompute(history.liveFacts));
    expectNoPersonalData(row);
  });

  it('returns no requester hash for an anonymous requester, and the unit’s late contact as its record', () => {
    // Prepare: nobody to call back; the contact deadline passes before the unit calls
    const closeAt = Date.parse('2026-12-03T02:00:00.000Z');
    const late = received({ requester: { kind: 'person', anonymous: true, declinesCallback: false } });
    late
      .apply((o) =>
        dispatchOrder(o, {
          route: routeTo(LEAD),
          deadlines: {
            contactBy: new Date(T0 + DAY).toISOString(),
            resolveBy: new Date(T0 + 7 * DAY).toISOString(),
          },
          nowMs: T0 + 5 * 60_000,
          actor: operator,
        }),
      )
      .apply((o) => acceptOrder(o, lead, T0 + HOUR))
      .apply((o) => applyDueCheckpoints(o, T0 + DAY + HOUR, rules, calendar))
      .apply((o) => recordContact(o, lead, T0 + 2 * DAY, { way: 'phone' }))
      .apply((o) =>
        replyToOrder(o, { result: 'resolved', text: REPLY_TEXT, nowMs: closeAt - HOUR, actor: lead }),
      )
      .apply((o) => reviewReply(o, operator, closeAt, { accept: true }));

    // Act
    const row = late.row();

    // Assess
    expect(row).toMatchObject({
      anonymous: true,
      requester_hash: null,
      contact_overdue: true,
      callback_state: null,
      assessed: true,
      contacted_in_time: false,
    });
    expect(countsOfRow(row)).toEqual(recompute(late.liveFacts));
  });

  it('returns null place columns for an order without address or coordinates', () => {
    // Prepare
    const history = received({ location: { districtCode: '110101' } });

    // Act
    const row = history.row();

    // Assess
    expect(row).toMatchObject({
      street_code: null,
      address_hash: null,
      lat: null,
      lng: null,
      h3_r9: null,
      h3_r7: null,
    });
    expect(() => checkRow(row)).not.toThrow();
  });

  it('returns the same hashes for the same requester and place written differently', () => {
    // Prepare
    const a = received();
    const b = received(
      {
        requester: { kind: 'person', phone: '+86 139-1234-5678', anonymous: false, declinesCallback: false },
        location: { districtCode: '110101', address: '  东华门大街８８号院３号楼　' },
      },
      'WO01KBANALYTICS0000000000002',
    );

    // Act
    const [rowA, rowB] = [a.row(), b.row()];

    // Assess
    expect(rowB.requester_hash).toBe(rowA.requester_hash);
    expect(rowB.address_hash).toBe(rowA.address_hash);
    expect(rowA.requester_hash).not.toBe(rowA.address_hash);
  });
});

describe('normaliseAddress, normalisePhone, requesterIdentity', () => {
  it('returns the address trimmed, half-width, with single spaces, lower-cased', () => {
    expect(normaliseAddress('  建国门外大街１号　ＳＯＨＯ  Ａ座 ')).toBe('建国门外大街1号 soho a座');
  });

  it('returns the phone as digits, without the country code of a mobile number', () => {
    expect(normalisePhone('+86 139-1234-5678')).toBe('13912345678');
    expect(normalisePhone('010-6512 3456')).toBe('01065123456');
  });

  it('returns the phone, else the credit code, else the name; nothing for the anonymous', () => {
    const base = { kind: 'enterprise' as const, anonymous: false, declinesCallback: false };
    expect(requesterIdentity({ ...base, name: '某公司', phone: '13912345678' })).toBe('phone:13912345678');
    expect(requesterIdentity({ ...base, name: '某公司', creditCode: '91110105MA00ABCD1X' })).toBe(
      'credit:91110105MA00ABCD1X',
    );
    expect(requesterIdentity({ ...base, name: ' 某公司 ' })).toBe('name:某公司');
    expect(requesterIdentity({ ...base, anonymous: true })).toBeUndefined();
    expect(requesterIdentity(base)).toBeUndefined();
  });
});
