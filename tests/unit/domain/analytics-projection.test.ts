import { latLngToCell } from 'h3-js';
import { describe, expect, it } from 'vitest';
import {
  analyticsRowOf,
  assessmentEventsOf,
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
import { ReferenceData } from '#domain/reference-data.ts';
import { applyDueCheckpoints } from '#domain/supervision.ts';
import { acceptOrder, recordContact, replyToOrder, reviewReply } from '#domain/unit-actions.ts';
import {
  type Change,
  changed,
  closedEventDetail,
  dispatchOrder,
  type OrderFlag,
  receiveOrder,
  type WorkOrder,
} from '#domain/work-order.ts';
import { keyedHashWith } from '#shared/platform/keyed-hash.ts';
import { referenceData } from '#shared/platform/reference.ts';
import { checkRow } from '../../../analytics/parquet-files.ts';
import {
  CLOSED_AT,
  calendar,
  contactTestHash,
  DAY,
  HOUR,
  LEAD,
  lead,
  OTHER_STREET,
  operator,
  orderIn,
  REPLIED_AT,
  routeTo,
  rules,
  sealedContactFor,
  supervisor,
  workflow,
} from './support.ts';

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
      ...(sealedContactFor(input(overrides).requester)
        ? { contact: sealedContactFor(input(overrides).requester) }
        : {}),
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
    // The intake's contact hash of the phone, hashed again with the analytics key.
    expect(row.requester_hash).toBe(keyedHash(`requester:${contactTestHash(`phone:${PHONE}`)}`));
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

  it("returns the intake's contact hash as the identity; nothing for the anonymous or without a hash", () => {
    const base = { kind: 'enterprise' as const, anonymous: false, declinesCallback: false };
    const contact = { sealed: 'x', requesterHash: 'a'.repeat(64), masked: {} };
    expect(requesterIdentity({ ...base, contact })).toBe(`requester:${'a'.repeat(64)}`);
    expect(requesterIdentity({ ...base, anonymous: true, contact })).toBeUndefined();
    expect(requesterIdentity({ ...base, contact: { sealed: 'x', masked: {} } })).toBeUndefined();
    expect(requesterIdentity(base)).toBeUndefined();
  });
});

/** A log as the order store holds it: sealed events in sequence, each `[type, at, data]`. */
const REPLAY = 'WO01KBREPLAY0000000000000001';
const logOf = (entries: readonly (readonly [string, string, Record<string, unknown>])[], orderId = REPLAY) =>
  sealEvents(
    orderId,
    undefined,
    entries.map(([type, at, data]) => ({ type, at, actor: workflow, data })),
  );

const DISPATCHED_AT = '2026-12-01T01:05:00.000Z';
const ANSWERED_AT = '2026-12-03T02:00:00.000Z';
const SECOND_CLOSE = '2027-01-04T02:00:00.000Z';
const ENDED_AT = '2027-01-08T02:00:00.000Z';
const unhappy = { contactedInTime: false, solved: 'not', satisfied: 'not' } as const;

/** One line per fact, in the hotline's words. */
const factLine = (e: AssessmentEvent): string => {
  switch (e.kind) {
    case 'assessed':
      return `${e.unitId} (${e.unitClass}) assessed in ${e.month}`;
    case 'contact':
      return `contacted ${e.withinLimit ? 'in time' : 'late'}, in the ${e.source}'s word`;
    case 'callback':
      return `answered ${e.solved} / ${e.satisfied}`;
    case 'unreachable':
      return 'unreachable';
    case 'excluded':
      return `excluded: ${e.reason}`;
    case 'exclusion_revoked':
      return 'exclusion revoked';
  }
};
const factLines = (order: { id: string; unitId?: string }, events: readonly OrderEvent[]) =>
  assessmentEventsOf(order, events, referenceData).map(factLine);

describe('assessmentEventsOf (analytics-projection)', () => {
  it('returns the lead the log names: an order item read before its dispatch still counts for its unit', () => {
    // Prepare
    const events = logOf([
      ['dispatched', DISPATCHED_AT, { unitId: LEAD }],
      ['closed', CLOSED_AT, { outcome: 'handled' }],
    ]);

    // Act
    const lines = factLines({ id: REPLAY }, events);

    // Assess
    expect(lines).toEqual([`${LEAD} (street) assessed in 2026-12`, "contacted in time, in the unit's word"]);
  });

  it('returns the facts of the log in sequence, in whatever order its events are given', () => {
    // Prepare: the contact deadline passed before the closing
    const events = logOf([
      ['dispatched', DISPATCHED_AT, { unitId: LEAD }],
      ['deadline_missed', '2026-12-02T01:05:00.000Z', { obligation: 'contact', flag: 'contact_overdue' }],
      ['closed', CLOSED_AT, { outcome: 'handled' }],
    ]);

    // Act
    const lines = factLines({ id: REPLAY }, [...events].reverse());

    // Assess
    expect(lines).toEqual([`${LEAD} (street) assessed in 2026-12`, "contacted late, in the unit's word"]);
  });

  it("returns the new unit after a re-dispatch, without the previous unit's late contact", () => {
    // Prepare: 东华门街道 let the contact deadline pass, objected, and 西长安街街道 got the order
    const events = logOf([
      ['deadline_missed', '2026-12-01T15:59:59.999Z', { obligation: 'dispatch', flag: 'dispatch_overdue' }],
      ['dispatched', '2026-12-01T16:30:00.000Z', { unitId: LEAD }],
      ['deadline_missed', '2026-12-02T16:30:00.000Z', { obligation: 'contact', flag: 'contact_overdue' }],
      ['objected', '2026-12-02T17:00:00.000Z', { reason: '非本街道辖区' }],
      ['redispatched', '2026-12-03T01:00:00.000Z', { unitId: OTHER_STREET, previousUnitId: LEAD }],
      ['closed', '2026-12-05T02:00:00.000Z', { outcome: 'handled' }],
    ]);

    // Act: the order item was read while 东华门街道 still led
    const lines = factLines({ id: REPLAY, unitId: LEAD }, events);

    // Assess
    expect(lines).toEqual([
      `${OTHER_STREET} (street) assessed in 2026-12`,
      "contacted in time, in the unit's word",
    ]);
  });

  it('returns the same facts as the live path for each round, counting the rounds when events record none', () => {
    // Prepare: round 1 closes in December, is answered unhappy and reopens; round 2 closes in January
    // and its call-back finds nobody. No event says which round it belongs to.
    const events = logOf([
      ['dispatched', DISPATCHED_AT, { unitId: LEAD }],
      ['closed', CLOSED_AT, { outcome: 'handled' }],
      ['callback_answered', ANSWERED_AT, { ...unhappy }],
      ['reopened', ANSWERED_AT, {}],
      ['closed', SECOND_CLOSE, { outcome: 'handled' }],
      ['callback_unreachable', ENDED_AT, {}],
    ]);
    const closing = { orderId: REPLAY, unitId: LEAD, outcome: 'handled', flags: [] };

    // Act
    const facts = assessmentEventsOf({ id: REPLAY, unitId: LEAD }, events, referenceData);

    // Assess
    expect(facts).toEqual([
      ...factsFromClosedOrder({ ...closing, round: 1, closedAt: CLOSED_AT }, 'street'),
      ...factsFromCallback(REPLAY, { round: 1, state: 'answered', answer: { ...unhappy, at: ANSWERED_AT } }),
      ...factsFromClosedOrder({ ...closing, round: 2, closedAt: SECOND_CLOSE }, 'street'),
      ...factsFromCallback(REPLAY, { round: 2, state: 'unreachable', endedAt: ENDED_AT }),
    ]);
    // Only the first round speaks about the first contact: twice for round 1, never for round 2.
    expect(facts.map(factLine)).toEqual([
      `${LEAD} (street) assessed in 2026-12`,
      "contacted in time, in the unit's word",
      'answered not / not',
      "contacted late, in the requester's word",
      `${LEAD} (street) assessed in 2027-01`,
      'unreachable',
    ]);
  });

  it('returns the round an event records rather than its own count', () => {
    // Prepare: a call-back that names round 2 in a log without the reopening, and a reopening that
    // names round 3 followed by a call-back that names none
    const named = logOf([
      ['dispatched', DISPATCHED_AT, { unitId: LEAD }],
      ['closed', CLOSED_AT, { outcome: 'handled' }],
      ['callback_answered', ANSWERED_AT, { round: 2, ...unhappy }],
      ['callback_unreachable', ENDED_AT, { round: 2 }],
    ]);
    const third = logOf([
      ['dispatched', DISPATCHED_AT, { unitId: LEAD }],
      ['closed', CLOSED_AT, { outcome: 'handled' }],
      ['reopened', ANSWERED_AT, { round: 3 }],
      ['callback_unreachable', ENDED_AT, {}],
    ]);

    // Act
    const idsOf = (events: readonly OrderEvent[]) =>
      assessmentEventsOf({ id: REPLAY, unitId: LEAD }, events, referenceData)
        .filter((e) => e.eventId.includes('#callback@'))
        .map((e) => e.eventId);

    // Assess: a round-2 answer says nothing about the first contact
    expect(idsOf(named)).toEqual([`${REPLAY}#callback@r2#answer`, `${REPLAY}#callback@r2#unreachable`]);
    expect(idsOf(third)).toEqual([`${REPLAY}#callback@r3#unreachable`]);
  });

  it('returns nothing for a closing recorded as a disposition, even under a unit; an expiry counts', () => {
    // Prepare
    const closedAs = (outcome: string) =>
      logOf([
        ['dispatched', DISPATCHED_AT, { unitId: LEAD }],
        ['closed', CLOSED_AT, { outcome }],
      ]);

    // Act
    const [disposed, expired] = [closedAs('disposed'), closedAs('expired')].map((events) =>
      factLines({ id: REPLAY, unitId: LEAD }, events),
    );

    // Assess
    expect(disposed).toEqual([]);
    expect(expired).toEqual([
      `${LEAD} (street) assessed in 2026-12`,
      "contacted in time, in the unit's word",
    ]);
  });

  it('returns nothing for a closing by a unit the reference data no longer knows', () => {
    // Prepare
    const events = logOf([
      ['dispatched', DISPATCHED_AT, { unitId: 'st-999999999' }],
      ['closed', CLOSED_AT, { outcome: 'handled' }],
    ]);

    // Act
    const lines = factLines({ id: REPLAY, unitId: 'st-999999999' }, events);

    // Assess
    expect(lines).toEqual([]);
  });

  it('returns the exclusion of an upheld appeal, and none for an exclusion recorded without a reason', () => {
    // Prepare
    const events = logOf([
      ['dispatched', DISPATCHED_AT, { unitId: LEAD }],
      ['closed', CLOSED_AT, { outcome: 'handled' }],
      ['assessment_excluded', '2026-12-04T02:00:00.000Z', { note: '未写原因' }],
      ['assessment_appealed', '2026-12-05T02:00:00.000Z', { reason: '重复工单', unitId: LEAD }],
      ['assessment_appeal_upheld', '2026-12-06T02:00:00.000Z', { reason: 'duplicate', note: '与前单重复' }],
    ]);

    // Act
    const lines = factLines({ id: REPLAY, unitId: LEAD }, events);

    // Assess
    expect(lines).toEqual([
      `${LEAD} (street) assessed in 2026-12`,
      "contacted in time, in the unit's word",
      'excluded: duplicate',
    ]);
  });

  it('returns facts that ignore a value of the wrong type in the log, as if it were absent', () => {
    // Prepare: a unit id that is not a text
    const events = logOf([
      ['dispatched', DISPATCHED_AT, { unitId: 42 }],
      ['closed', CLOSED_AT, { outcome: 'handled' }],
    ]);

    // Act
    const lines = factLines({ id: REPLAY, unitId: LEAD }, events);

    // Assess
    expect(lines).toEqual([`${LEAD} (street) assessed in 2026-12`, "contacted in time, in the unit's word"]);
  });
});

describe('analyticsRowOf columns (analytics-projection)', () => {
  const rowOf = (order: WorkOrder, events: readonly OrderEvent[] = [], reference = referenceData) =>
    analyticsRowOf(order, events, { reference, keyedHash });
  const levelsOf = (row: AnalyticsRow) => [row.category_l1, row.category_l2, row.category_l3];

  it("returns the category's levels from the taxonomy, even when they are not the code's digits", () => {
    // Prepare: this city keeps 0599 (shared bicycles) under 12 (transport)
    const moved = new ReferenceData({
      areas: { city: referenceData.city, items: referenceData.areas },
      units: { items: referenceData.units },
      categories: {
        items: [
          { code: '12', name: '交通', level: 1, parentCode: null },
          { code: '0599', name: '共享单车', level: 2, parentCode: '12' },
        ],
      },
      catalogue: { entries: [] },
    });

    // Act
    const row = rowOf(orderIn('received', { categoryCode: '0599' }), [], moved);

    // Assess
    expect(levelsOf(row)).toEqual(['12', '0599', null]);
  });

  it("returns the code's own prefixes as the levels of a code the taxonomy does not know", () => {
    // Act
    const [six, four, two] = ['770101', '7701', '77'].map((categoryCode) =>
      levelsOf(rowOf(orderIn('received', { categoryCode }))),
    );

    // Assess
    expect(six).toEqual(['77', '7701', '770101']);
    expect(four).toEqual(['77', '7701', null]);
    expect(two).toEqual(['77', null, null]);
  });

  it('returns at most three levels, the deepest of six digits, for a code longer than the taxonomy has', () => {
    // Act
    const row = rowOf(orderIn('received', { categoryCode: '77010199' }));

    // Assess
    expect(levelsOf(row)).toEqual(['77', '7701', '770101']);
  });

  it('returns the reply of a rejected order from the log, the latest of several', () => {
    // Prepare: two replies, both rejected; the order no longer carries one
    const order = orderIn('accepted');
    const once = logOf(
      [
        ['replied', '2026-12-02T01:00:00.000Z', { result: 'partly_resolved', late: false }],
        ['reply_rejected', '2026-12-02T03:00:00.000Z', { reason: '未解决', result: 'partly_resolved' }],
      ],
      order.id,
    );
    const twice = logOf(
      [
        ['replied', '2026-12-02T01:00:00.000Z', { result: 'unresolved', late: false }],
        ['reply_rejected', '2026-12-02T03:00:00.000Z', { reason: '未解决', result: 'unresolved' }],
        ['replied', '2026-12-04T01:00:00.000Z', { result: 'partly_resolved', late: false }],
        ['reply_rejected', '2026-12-04T03:00:00.000Z', { reason: '仍未解决', result: 'partly_resolved' }],
      ],
      order.id,
    );

    // Act
    const [first, latest] = [rowOf(order, once), rowOf(order, twice)];

    // Assess
    expect(first).toMatchObject({ replied_at: '2026-12-02T01:00:00.000Z', reply_result: 'partly_resolved' });
    expect(latest).toMatchObject({ replied_at: '2026-12-04T01:00:00.000Z', reply_result: 'partly_resolved' });
  });

  it("returns the order's reply when the log has none, and the later of the two when both have one", () => {
    // Prepare: the order's reply came 2026-12-02T01:00Z (resolved)
    const order = orderIn('replied');
    const replied = (at: string, data: Record<string, unknown>) => logOf([['replied', at, data]], order.id);

    // Act
    const alone = rowOf(order);
    const olderInLog = rowOf(order, replied('2026-12-01T20:00:00.000Z', { result: 'unresolved' }));
    const newerInLog = rowOf(order, replied('2026-12-02T05:00:00.000Z', { result: 'explained' }));
    const sameWithoutResult = rowOf(order, replied(order.reply?.at ?? '', {}));

    // Assess
    expect(alone).toMatchObject({ replied_at: REPLIED_AT, reply_result: 'resolved' });
    expect(olderInLog).toMatchObject({ replied_at: REPLIED_AT, reply_result: 'resolved' });
    expect(newerInLog).toMatchObject({ replied_at: '2026-12-02T05:00:00.000Z', reply_result: 'explained' });
    expect(sameWithoutResult).toMatchObject({ replied_at: REPLIED_AT, reply_result: 'resolved' });
  });

  it('returns each supervision mark of the order in its own column', () => {
    // Prepare
    const marks: OrderFlag[] = [
      'dispatch_overdue',
      'contact_overdue',
      'overdue',
      'urged',
      'supervised',
      'notified',
    ];
    const columnsOf = (row: AnalyticsRow) => Object.fromEntries(marks.map((m) => [m, row[m]]));

    // Act
    const all = rowOf(orderIn('accepted', { flags: marks }));
    const urgedOnly = rowOf(orderIn('accepted', { flags: ['urged'] }));
    const none = rowOf(orderIn('accepted', { flags: [] }));

    // Assess
    expect(columnsOf(all)).toEqual(Object.fromEntries(marks.map((m) => [m, true])));
    expect(columnsOf(urgedOnly)).toEqual({
      ...Object.fromEntries(marks.map((m) => [m, false])),
      urged: true,
    });
    expect(columnsOf(none)).toEqual(Object.fromEntries(marks.map((m) => [m, false])));
  });

  it('returns no H3 cell for a place with only one of its coordinates', () => {
    // Act
    const latOnly = rowOf(orderIn('received', { location: { districtCode: '110101', lat: 39.9146 } }));
    const longOnly = rowOf(orderIn('received', { location: { districtCode: '110101', long: 116.4034 } }));

    // Assess
    expect(latOnly).toMatchObject({ lat: 39.9146, lng: null, h3_r9: null, h3_r7: null });
    expect(longOnly).toMatchObject({ lat: null, lng: 116.4034, h3_r9: null, h3_r7: null });
  });

  it('returns no closing for an open order, even one that still carries a closing time', () => {
    // Act
    const row = rowOf(orderIn('accepted', { closedAt: CLOSED_AT, closure: { outcome: 'handled' } }));

    // Assess
    expect(row).toMatchObject({
      closed_at: null,
      closed_date: null,
      closed_month: null,
      outcome: null,
      hours_to_close: null,
    });
  });

  it('returns null for what the reference data or the order item does not say', () => {
    // Prepare: a unit removed from the reference data; a closed item without its closure record
    const { closure: _none, ...withoutClosure } = orderIn('closed');

    // Act
    const unknownUnit = rowOf(orderIn('dispatched', { unitId: 'st-999999999' }));
    const closed = rowOf(withoutClosure);

    // Assess
    expect(unknownUnit).toMatchObject({ unit_id: 'st-999999999', unit_class: null });
    expect(closed).toMatchObject({ closed_at: CLOSED_AT, outcome: null, hours_to_close: 25 });
  });
});

describe('normalisePhone and requesterIdentity at their edges (analytics-projection)', () => {
  it('returns every digit when 86 is not a country code in front of an 11-digit mobile', () => {
    // An extension that happens to hold 86 and a mobile-like run
    expect(normalisePhone('(010) 8613-9123 ext 45678')).toBe('0108613912345678');
    // A Beijing landline, and a number too long to be a mobile, after the country code
    expect(normalisePhone('+86 10 6512 3456')).toBe('861065123456');
    expect(normalisePhone('+86 139 1234 5678 9')).toBe('86139123456789');
    expect(normalisePhone('0086 139 1234 5678')).toBe('13912345678');
  });

  it('returns no identity for an anonymous requester, whatever the record still holds (Art. 8)', () => {
    const contact = { sealed: 'x', requesterHash: contactTestHash(`phone:${PHONE}`), masked: {} };
    expect(
      requesterIdentity({ kind: 'person', anonymous: true, declinesCallback: false, contact }),
    ).toBeUndefined();
  });
});
