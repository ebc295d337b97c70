import { describe, expect, it } from 'vitest';
import { reopenOrder } from '#domain/callback.ts';
import type { Route } from '#domain/dispatch-catalogue.ts';
import { HotlineError } from '#domain/errors.ts';
import { type NewOrderInput, newOrderSchema } from '#domain/order-input.ts';
import { applyDueCheckpoints } from '#domain/supervision.ts';
import {
  acceptOrder,
  decideExtension,
  decideObjection,
  escalate,
  noteProgress,
  objectToDispatch,
  recordContact,
  replyToOrder,
  reportCoHandling,
  requestCoHandling,
  requestExtension,
  reviewReply,
  summonDepartments,
} from '#domain/unit-actions.ts';
import {
  awaitDispatcher,
  type Change,
  closedEventDetail,
  closeOrder,
  dispatchChange,
  dispatchOrder,
  limitExpiredEventDetail,
  type OrderAction,
  type OrderStatus,
  orderFlags,
  orderStatuses,
  receiveOrder,
  type WorkOrder,
} from '#domain/work-order.ts';
import newOrderJson from '../fixtures/new-order.json' with { type: 'json' };
import {
  CO,
  calendar,
  catchError,
  coHandler,
  dispatchedFixture,
  dispatcher,
  iso,
  LEAD,
  lead,
  operator,
  orderIn,
  routeTo,
  rules,
  sealedContactFor,
} from './support.ts';

const NOW = Date.parse('2026-12-01T03:00:00.000Z');
const LATER = Date.parse('2026-12-03T08:00:00.000Z');
const DISPATCH_BY = Date.parse('2026-12-01T15:59:59.999Z');

const input = (overrides: Partial<Record<keyof NewOrderInput, unknown>> = {}): NewOrderInput =>
  newOrderSchema.parse({ ...structuredClone(newOrderJson), ...overrides });

const route: Extract<Route, { kind: 'unit' }> = {
  kind: 'unit',
  leadUnitId: LEAD,
  coUnitIds: [CO],
  copiedUnitIds: ['gov-110101'],
  basis: { rule: 'catalogue', categoryCode: '0102', areaCode: '110101001' },
};
const deadlines = { contactBy: '2026-12-02T03:00:00.000Z', resolveBy: '2026-12-08T03:00:00.000Z' };

describe('receiveOrder', () => {
  it('returns a received order at version 1 with one received event', () => {
    // Prepare
    const contact = input();
    const sealed = sealedContactFor(contact.requester);

    // Act
    const { order, events } = receiveOrder({
      id: 'WO-1',
      input: contact,
      ...(sealed ? { contact: sealed } : {}),
      nowMs: NOW,
      actor: operator,
      dispatchBy: DISPATCH_BY,
    });

    // Assess
    expect(order).toEqual({
      id: 'WO-1',
      version: 1,
      status: 'received',
      flags: [],
      appealType: 'complaint',
      categoryCode: '010201',
      description: contact.description,
      channel: 'phone',
      urgency: 'normal',
      // No contact detail in clear: the sealed contact the application made, its hash and masks.
      requester: {
        kind: contact.requester.kind,
        anonymous: contact.requester.anonymous,
        declinesCallback: contact.requester.declinesCallback,
        contact: sealed,
      },
      location: contact.location,
      receivedAt: '2026-12-01T03:00:00.000Z',
      receivedBy: { sub: 'operator-1', role: 'operator' },
      coUnitIds: [],
      copiedUnitIds: [],
      deadlines: { dispatchBy: '2026-12-01T15:59:59.999Z' },
      updatedAt: '2026-12-01T03:00:00.000Z',
    });
    expect(order).not.toHaveProperty('disposition');
    expect(events).toEqual([
      {
        type: 'received',
        at: '2026-12-01T03:00:00.000Z',
        actor: operator,
        data: { appealType: 'complaint', categoryCode: '010201', channel: 'phone', urgency: 'normal' },
      },
    ]);
  });

  it('returns a closed order with outcome disposed and two events when a disposition is given', () => {
    // Prepare
    const contact = input({ disposition: { kind: 'outside_duty', note: '属于民事纠纷，建议诉讼' } });

    // Act
    const { order, events } = receiveOrder({
      id: 'WO-2',
      input: contact,
      nowMs: NOW,
      actor: operator,
      dispatchBy: DISPATCH_BY,
    });

    // Assess
    expect(order.status).toBe('closed');
    expect(order.version).toBe(1);
    expect(order.closedAt).toBe('2026-12-01T03:00:00.000Z');
    expect(order.closure).toEqual({ outcome: 'disposed' });
    expect(order.disposition).toEqual({ kind: 'outside_duty', note: '属于民事纠纷，建议诉讼' });
    expect(order.unitId).toBeUndefined();
    expect(events.map((e) => e.type)).toEqual(['received', 'disposed']);
    expect(events[1]).toEqual({
      type: 'disposed',
      at: '2026-12-01T03:00:00.000Z',
      actor: operator,
      data: { disposition: { kind: 'outside_duty', note: '属于民事纠纷，建议诉讼' } },
    });
  });

  it('returns an answered consultation closed at once', () => {
    // Prepare
    const contact = input({
      appealType: 'consultation',
      disposition: { kind: 'answered', answer: '工作日9点到17点' },
    });

    // Act
    const { order, events } = receiveOrder({
      id: 'WO-3',
      input: contact,
      nowMs: NOW,
      actor: operator,
      dispatchBy: DISPATCH_BY,
    });

    // Assess
    expect(order.status).toBe('closed');
    expect(events).toHaveLength(2);
  });
});

/**
 * The table test, by behaviour. Every action is performed on the fixture order with only its status
 * changed (a lead unit, a co-handler and handling deadlines in every status, no contact yet), by someone
 * allowed to do it and with valid arguments, so that nothing but the status can refuse it. Which actions
 * succeed from which status is then found by doing them, and compared with the rules of the loop
 * (docs/design.md, BRIEF.md) — never with `allowedTransitions` itself. Orders as they really are in each
 * status are in unit-actions.test.ts and supervision.test.ts.
 */
const TABLE_NOW = Date.parse('2027-01-04T02:00:00.000Z');

const inStatus = (status: OrderStatus): WorkOrder => ({ ...dispatchedFixture(), coUnitIds: [CO], status });

const pendingExtension = {
  days: 3,
  reason: '需协调产权单位',
  at: '2026-12-05T02:00:00.000Z',
  by: LEAD,
  proposedResolveBy: '2026-12-11T01:05:00.000Z',
};

interface TableEntry {
  /** What the order needs besides its status (a pending request to decide). */
  readonly prepare?: (order: WorkOrder) => WorkOrder;
  readonly perform: (order: WorkOrder) => Change | undefined;
  /** The status after success; `undefined`: the status it started from. */
  readonly after?: OrderStatus;
}

const table: Record<OrderAction, TableEntry> = {
  dispatch: {
    perform: (o) => dispatchOrder(o, { route, deadlines, nowMs: TABLE_NOW, actor: dispatcher }),
    after: 'dispatched',
  },
  await_dispatcher: {
    perform: (o) => awaitDispatcher(o, { reason: 'manual_category', nowMs: TABLE_NOW }),
    after: 'awaiting_dispatch',
  },
  accept: { perform: (o) => acceptOrder(o, lead, TABLE_NOW), after: 'accepted' },
  object: { perform: (o) => objectToDispatch(o, lead, TABLE_NOW, '非本街道辖区'), after: 'objected' },
  decide_objection: {
    perform: (o) =>
      decideObjection(o, dispatcher, TABLE_NOW, { kind: 'confirm', note: '属地管理，维持派单' }),
    after: 'dispatched',
  },
  contact: { perform: (o) => recordContact(o, lead, TABLE_NOW, { way: 'phone' }) },
  progress: { perform: (o) => noteProgress(o, lead, TABLE_NOW, '已约谈摊贩') },
  request_cohandling: {
    perform: (o) => requestCoHandling(o, lead, TABLE_NOW, { unitIds: ['dept-scjgj'], note: '涉及食品安全' }),
  },
  report_cohandling: { perform: (o) => reportCoHandling(o, coHandler, TABLE_NOW, '已联合执法') },
  summon: {
    perform: (o) =>
      summonDepartments(o, lead, TABLE_NOW, { unitIds: ['dept-scjgj'], note: '吹哨', leadIsStreet: true }),
  },
  request_extension: { perform: (o) => requestExtension(o, lead, TABLE_NOW, { days: 3, reason: '需协调' }) },
  decide_extension: {
    prepare: (o) => ({ ...o, pendingExtension }),
    perform: (o) => decideExtension(o, dispatcher, TABLE_NOW, { approve: true }),
  },
  escalate: { perform: (o) => escalate(o, lead, TABLE_NOW, { to: 'district', reason: '需区级协调' }) },
  reply: {
    perform: (o) => replyToOrder(o, { result: 'resolved', text: '已清理', nowMs: TABLE_NOW, actor: lead }),
    after: 'replied',
  },
  review_reply: { perform: (o) => reviewReply(o, operator, TABLE_NOW, { accept: true }), after: 'closed' },
  checkpoint: { perform: (o) => applyDueCheckpoints(o, TABLE_NOW, rules, calendar) },
  close: { perform: (o) => closeOrder(o, { outcome: 'expired', nowMs: TABLE_NOW }), after: 'closed' },
  reopen: {
    perform: (o) =>
      reopenOrder({ order: o, events: [] }, { nowMs: TABLE_NOW, resolveBy: TABLE_NOW + 3 * 86_400_000 }),
    after: 'accepted',
  },
};
const actions = Object.keys(table) as OrderAction[];

/** The action done to an order in the status: its change, or the 409 that refused it (any other error throws). */
const attempt = (action: OrderAction, status: OrderStatus) => {
  const { prepare = (o: WorkOrder) => o, perform } = table[action];
  const order = prepare(inStatus(status));
  const before = structuredClone(order);
  try {
    return { order, before, change: perform(order), refusal: undefined };
  } catch (error) {
    if (error instanceof HotlineError && error.code === 'ACTION_NOT_ALLOWED') {
      return { order, before, change: undefined, refusal: error };
    }
    throw error;
  }
};

/** The statuses (in the order of `orderStatuses`) from which the action, done, changed the order. */
const succeedsFrom = (action: OrderAction): OrderStatus[] =>
  orderStatuses.filter((status) => attempt(action, status).change !== undefined);

const OPEN: readonly OrderStatus[] = orderStatuses.filter((s) => s !== 'closed');

/** The rules of the loop: each names actions and the only statuses they may start from. */
const loopRules: readonly { rule: string; actions: readonly OrderAction[]; from: readonly OrderStatus[] }[] =
  [
    {
      rule: 'a closed order can only be reopened (by an unhappy call-back), and nothing else happens to it',
      actions: ['reopen'],
      from: ['closed'],
    },
    {
      rule: 'the workflow supervises and expires every open order, and never a closed one',
      actions: ['checkpoint', 'close'],
      from: OPEN,
    },
    {
      rule: 'an order is dispatched before any unit has it: on receipt, or by a dispatcher after it waited',
      actions: ['dispatch'],
      from: ['received', 'awaiting_dispatch'],
    },
    {
      rule: 'only an order just received waits for a dispatcher',
      actions: ['await_dispatcher'],
      from: ['received'],
    },
    {
      rule: 'the unit signs for a dispatched order or objects to it, and does neither once it did one',
      actions: ['accept', 'object'],
      from: ['dispatched'],
    },
    {
      rule: "an objection waits for the centre's decision",
      actions: ['decide_objection'],
      from: ['objected'],
    },
    {
      rule: 'the lead handles only an order it signed for, until it replies (首接负责)',
      actions: [
        'contact',
        'progress',
        'request_cohandling',
        'summon',
        'request_extension',
        'decide_extension',
        'escalate',
        'reply',
      ],
      from: ['accepted'],
    },
    {
      rule: 'co-handlers report while the lead handles, and still after it replied (协办)',
      actions: ['report_cohandling'],
      from: ['accepted', 'replied'],
    },
    { rule: 'the centre reviews a reply once one was given', actions: ['review_reply'], from: ['replied'] },
  ];

describe('orderStatuses', () => {
  it('returns exactly the statuses an order reaches when every action is done from a received order', () => {
    // Prepare: breadth first, each status once, from an order as intake makes it
    const first = receiveOrder({
      id: 'WO01KBTABLE00000000000000000',
      input: input(),
      nowMs: NOW,
      actor: operator,
      dispatchBy: DISPATCH_BY,
    }).order;
    const reached = new Map<OrderStatus, WorkOrder>([[first.status, first]]);
    const queue = [first];

    // Act
    for (let order = queue.shift(); order; order = queue.shift()) {
      for (const action of actions) {
        const { prepare = (o: WorkOrder) => o, perform } = table[action];
        let next: WorkOrder | undefined;
        try {
          next = perform(prepare(order))?.order;
        } catch {
          next = undefined;
        }
        if (next && !reached.has(next.status)) {
          reached.set(next.status, next);
          queue.push(next);
        }
      }
    }

    // Assess: every status is reachable (the list filters GET /orders), and the loop reaches no other
    expect(new Set(reached.keys())).toEqual(new Set(orderStatuses));
  });
});

describe('orderFlags', () => {
  it('returns exactly the flags supervision raises: each missed deadline, each ladder step, and stalled', () => {
    // Prepare: an order never dispatched, one dispatched and never handled, one that waits for the centre
    const month = 30 * 86_400_000;
    const undispatched = orderIn('received');
    const unhandled = orderIn('dispatched');
    const waiting = orderIn('objected');

    // Act
    const raised = [undispatched, unhandled, waiting].flatMap(
      (order) =>
        applyDueCheckpoints(order, Date.parse(order.updatedAt) + month, rules, calendar)?.order.flags ?? [],
    );

    // Assess: flags sit beside the status; the loop raises these and no other
    expect(new Set(raised)).toEqual(new Set(orderFlags));
  });
});

describe('allowedTransitions', () => {
  it('returns rules of the loop that name every action once', () => {
    // Assess (the rules below are complete: no action is left untested)
    expect(loopRules.flatMap((r) => r.actions).sort()).toEqual([...actions].sort());
  });

  for (const { rule, actions: ruled, from } of loopRules) {
    it(`returns, found by doing each action from each status: ${rule}`, () => {
      // Act
      const found = ruled.map((action) => ({ action, from: succeedsFrom(action) }));

      // Assess
      expect(found).toEqual(ruled.map((action) => ({ action, from })));
    });
  }

  it('returns the 409 of a refused action naming the action, the status and every status it may start from', () => {
    // Act
    const { refusal } = attempt('decide_objection', 'accepted');

    // Assess
    expect(refusal).toMatchObject({
      kind: 'conflict',
      code: 'ACTION_NOT_ALLOWED',
      message: 'Cannot decide objection an order that is accepted.',
      details: { action: 'decide_objection', status: 'accepted', allowedFrom: ['objected'] },
    });
  });

  for (const { actions: ruled, from } of loopRules) {
    for (const action of ruled) {
      const { after } = table[action];
      for (const status of orderStatuses) {
        if (from.includes(status)) {
          it(`returns the next order when ${action} is applied to a ${status} order`, () => {
            // Act
            const { order, before, change } = attempt(action, status);

            // Assess
            expect(change).toBeDefined();
            expect(change?.order.status).toBe(after ?? status);
            expect(change?.order.version).toBe(order.version + 1);
            expect(change?.order.updatedAt).toBe(iso(TABLE_NOW));
            expect(change?.events.length).toBeGreaterThan(0);
            for (const event of change?.events ?? []) expect(event.at).toBe(iso(TABLE_NOW));
            expect(order).toEqual(before);
          });
        } else if (action === 'checkpoint' && status === 'closed') {
          it('returns no change when checkpoint is applied to a closed order (nothing left to supervise)', () => {
            // Act
            const { order, before, change, refusal } = attempt(action, status);

            // Assess
            expect(change).toBeUndefined();
            expect(refusal).toBeUndefined();
            expect(order).toEqual(before);
          });
        } else {
          it(`rejects ${action} on a ${status} order with 409 ACTION_NOT_ALLOWED and changes nothing`, () => {
            // Act
            const { order, before, refusal } = attempt(action, status);

            // Assess
            expect(refusal).toMatchObject({
              kind: 'conflict',
              code: 'ACTION_NOT_ALLOWED',
              details: { action, status },
            });
            const details = refusal?.details as { allowedFrom?: readonly OrderStatus[] } | undefined;
            expect([...(details?.allowedFrom ?? [])].sort()).toEqual([...from].sort());
            expect(order).toEqual(before);
          });
        }
      }
    }
  }
});

describe('version', () => {
  it('returns one more version per change along a whole handling loop', () => {
    // Prepare
    const { order: received } = receiveOrder({
      id: 'WO-4',
      input: input(),
      nowMs: NOW,
      actor: operator,
      dispatchBy: DISPATCH_BY,
    });

    // Act
    const awaiting = awaitDispatcher(received, { reason: 'no_rule', nowMs: NOW }).order;
    const dispatched = dispatchOrder(awaiting, { route, deadlines, nowMs: NOW, actor: dispatcher }).order;
    const accepted = acceptOrder(dispatched, lead, NOW).order;
    const contacted = recordContact(accepted, lead, NOW, { way: 'phone' }).order;
    const replied = replyToOrder(contacted, {
      result: 'resolved',
      text: '已处理',
      nowMs: NOW,
      actor: lead,
    }).order;
    const closed = reviewReply(replied, operator, LATER, { accept: true }).order;

    // Assess
    expect(
      [received, awaiting, dispatched, accepted, contacted, replied, closed].map((o) => o.version),
    ).toEqual([1, 2, 3, 4, 5, 6, 7]);
    expect(closed.status).toBe('closed');
  });
});

describe('dispatchOrder', () => {
  it('returns the order with the route, the handling deadlines and a dispatched event', () => {
    // Act
    const { order, events } = dispatchOrder(orderIn('received'), {
      route,
      deadlines,
      nowMs: NOW,
      actor: operator,
    });

    // Assess
    expect(order).toMatchObject({
      status: 'dispatched',
      version: 2,
      unitId: LEAD,
      coUnitIds: [CO],
      copiedUnitIds: ['gov-110101'],
      routeBasis: route.basis,
      dispatchedAt: '2026-12-01T03:00:00.000Z',
      deadlines: { dispatchBy: '2026-12-01T15:59:59.999Z', ...deadlines },
    });
    expect(order).not.toHaveProperty('redispatchCount');
    expect(events).toEqual([
      {
        type: 'dispatched',
        at: '2026-12-01T03:00:00.000Z',
        actor: operator,
        data: {
          unitId: LEAD,
          coUnitIds: [CO],
          copiedUnitIds: ['gov-110101'],
          basis: route.basis,
          contactBy: deadlines.contactBy,
          resolveBy: deadlines.resolveBy,
        },
      },
    ]);
  });

  it('returns the note of a dispatcher in the dispatched event', () => {
    // Act
    const { events } = dispatchOrder(orderIn('awaiting_dispatch'), {
      route,
      deadlines,
      nowMs: NOW,
      actor: dispatcher,
      note: '属地街道处理',
    });

    // Assess
    expect(events[0]?.data).toMatchObject({ note: '属地街道处理' });
    expect(events[0]?.data).not.toHaveProperty('previousUnitId');
  });

  it('returns the flags of a late dispatch kept: a missed deadline stays on the record', () => {
    // Prepare
    const late = orderIn('awaiting_dispatch', { flags: ['dispatch_overdue', 'urged'] });

    // Act
    const { order } = dispatchOrder(late, { route, deadlines, nowMs: LATER, actor: dispatcher });

    // Assess
    expect(order.flags).toEqual(['dispatch_overdue', 'urged']);
    expect(order.deadlines.dispatchBy).toBe('2026-12-01T15:59:59.999Z');
  });
});

describe('dispatchChange', () => {
  it('returns a redispatched event naming the previous unit, and counts the re-dispatch', () => {
    // Prepare
    const objected = orderIn('objected');

    // Act
    const { order, events } = dispatchChange(
      objected,
      { route: routeTo('st-110101002'), deadlines, nowMs: LATER, actor: dispatcher },
      'redispatched',
    );

    // Assess
    expect(order).toMatchObject({ status: 'dispatched', unitId: 'st-110101002', redispatchCount: 1 });
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({
      type: 'redispatched',
      data: { previousUnitId: LEAD, unitId: 'st-110101002' },
    });
  });

  it('returns no previous unit in the event of a first dispatch, nor in a re-dispatch of an order without one', () => {
    // Prepare: an order that names a unit already (a dispatcher's choice) and one that names none
    const named = inStatus('awaiting_dispatch');
    const { unitId: _none, ...unnamed } = inStatus('objected');
    const args = { route: routeTo('st-110101002'), deadlines, nowMs: LATER, actor: dispatcher };

    // Act
    const first = dispatchChange(named, args, 'dispatched').events[0];
    const again = dispatchChange(unnamed as WorkOrder, args, 'redispatched').events[0];

    // Assess
    expect(first?.data).not.toHaveProperty('previousUnitId');
    expect(again?.data).not.toHaveProperty('previousUnitId');
  });

  it('returns only the dispatch_overdue flag after a re-dispatch: the new unit starts clean', () => {
    // Prepare: dispatched late, then the first unit missed its contact deadline and was urged
    const previous = orderIn('objected', {
      flags: ['dispatch_overdue', 'contact_overdue', 'urged', 'supervised'],
    });

    // Act
    const { order, events } = dispatchChange(
      previous,
      { route: routeTo('st-110101002'), deadlines, nowMs: LATER, actor: dispatcher },
      'redispatched',
    );

    // Assess
    expect(order.flags).toEqual(['dispatch_overdue']);
    expect(events).toHaveLength(1);
  });

  it('returns no flags after a re-dispatch of an order dispatched on time', () => {
    // Prepare
    const previous = orderIn('objected', { flags: ['contact_overdue', 'overdue', 'urged', 'notified'] });

    // Act
    const { order } = dispatchChange(
      previous,
      { route: routeTo('st-110101002'), deadlines, nowMs: LATER, actor: dispatcher },
      'redispatched',
    );

    // Assess
    expect(order.flags).toEqual([]);
  });

  it('returns the order without the settled objection, the acceptance and the contact of the unit before', () => {
    // Prepare
    const previous = orderIn('objected', {
      acceptedAt: '2026-12-01T02:00:00.000Z',
      contact: { at: iso(NOW), way: 'sms' },
    });

    // Act
    const { order } = dispatchChange(
      previous,
      { route: routeTo('st-110101002'), deadlines, nowMs: LATER, actor: dispatcher },
      'redispatched',
    );

    // Assess
    expect(order).not.toHaveProperty('pendingObjection');
    expect(order).not.toHaveProperty('acceptedAt');
    expect(order).not.toHaveProperty('contact');
    expect(order.objectionCount).toBe(1);
    expect(order.dispatchedAt).toBe(iso(LATER));
  });
});

describe('awaitDispatcher', () => {
  it('returns an awaiting_dispatch order and an event with the reason and the dispatch deadline', () => {
    // Act
    const { order, events } = awaitDispatcher(orderIn('received'), { reason: 'no_rule', nowMs: NOW });

    // Assess
    expect(order.status).toBe('awaiting_dispatch');
    expect(order.version).toBe(2);
    expect(events).toEqual([
      {
        type: 'awaiting_dispatch',
        at: '2026-12-01T03:00:00.000Z',
        actor: { kind: 'system', name: 'workflow' },
        data: { reason: 'no_rule', dispatchBy: '2026-12-01T15:59:59.999Z' },
      },
    ]);
  });
});

describe('closeOrder', () => {
  it('returns a closed order with outcome handled from replied, closed by the workflow unless told', () => {
    // Act
    const { order, events } = closeOrder(orderIn('replied'), { outcome: 'handled', nowMs: NOW });

    // Assess
    expect(order).toMatchObject({
      status: 'closed',
      version: 7,
      closedAt: '2026-12-01T03:00:00.000Z',
      closure: { outcome: 'handled' },
    });
    expect(events).toEqual([
      {
        type: 'closed',
        at: '2026-12-01T03:00:00.000Z',
        actor: { kind: 'system', name: 'workflow' },
        data: { outcome: 'handled' },
      },
    ]);
  });

  it('returns the closed event by the person who closed the order', () => {
    // Act
    const { events } = closeOrder(orderIn('replied'), { outcome: 'handled', nowMs: NOW, actor: operator });

    // Assess
    expect(events[0]?.actor).toEqual(operator);
  });

  it('rejects closing as handled an order without an accepted reply with 409 ACTION_NOT_ALLOWED', () => {
    for (const status of ['received', 'awaiting_dispatch', 'dispatched', 'accepted', 'objected'] as const) {
      // Prepare
      const order = orderIn(status);
      const before = structuredClone(order);

      // Act
      const error = catchError(() => closeOrder(order, { outcome: 'handled', nowMs: NOW }));

      // Assess
      expect(error, status).toBeInstanceOf(HotlineError);
      expect(error, status).toMatchObject({
        kind: 'conflict',
        code: 'ACTION_NOT_ALLOWED',
        message: `An order that is ${status} has no accepted reply to close as handled.`,
      });
      expect(order).toEqual(before);
    }
  });

  it('returns a closed order with outcome expired from every open status', () => {
    for (const status of [
      'received',
      'awaiting_dispatch',
      'dispatched',
      'accepted',
      'objected',
      'replied',
    ] as const) {
      // Act
      const { order } = closeOrder(orderIn(status), { outcome: 'expired', nowMs: NOW });

      // Assess
      expect(order.status, status).toBe('closed');
      expect(order.closure, status).toEqual({ outcome: 'expired' });
    }
  });
});

describe('closedEventDetail', () => {
  it('returns the contract fields of a handled order', () => {
    // Prepare
    const replied = orderIn('replied', { flags: ['overdue'] });
    const closed = reviewReply(replied, operator, LATER, { accept: true }).order;

    // Act
    const detail = closedEventDetail(closed);

    // Assess
    expect(detail).toEqual({
      orderId: 'WO01KBAAAAAAAAAAAAAAAAAAAAAA',
      round: 1,
      outcome: 'handled',
      status: 'closed',
      appealType: 'complaint',
      categoryCode: '010201',
      districtCode: '110101',
      unitId: LEAD,
      receivedAt: '2026-12-01T01:00:00.000Z',
      closedAt: '2026-12-03T08:00:00.000Z',
      flags: ['overdue'],
      replyResult: 'resolved',
      disposition: null,
      anonymous: false,
      declinesCallback: false,
    });
  });

  it('returns outcome expired and no reply result for an order the workflow gave up on', () => {
    // Prepare
    const closed = closeOrder(orderIn('accepted', { flags: ['overdue', 'notified'] }), {
      outcome: 'expired',
      nowMs: LATER,
    }).order;

    // Act
    const detail = closedEventDetail(closed);

    // Assess
    expect(detail).toMatchObject({ outcome: 'expired', replyResult: null, flags: ['overdue', 'notified'] });
  });

  it('returns outcome handled and no closing time for an order with no closure on record', () => {
    // Prepare: a closed order as stored before closures were recorded
    const { closure: _none, closedAt: _never, ...closed } = orderIn('closed');

    // Act
    const detail = closedEventDetail(closed as WorkOrder);

    // Assess
    expect(detail).toMatchObject({ outcome: 'handled', closedAt: null, replyResult: 'resolved' });
  });

  it('returns nulls for unit and reply and the disposition kind for an order disposed at intake', () => {
    // Prepare
    const contact = input({
      requester: { kind: 'person', anonymous: true, declinesCallback: true },
      disposition: { kind: 'emergency_transfer', transferredTo: '119' },
    });
    const { order } = receiveOrder({
      id: 'WO-5',
      input: contact,
      nowMs: NOW,
      actor: operator,
      dispatchBy: DISPATCH_BY,
    });

    // Act
    const detail = closedEventDetail(order);

    // Assess
    expect(detail).toEqual({
      orderId: 'WO-5',
      round: 1,
      outcome: 'disposed',
      status: 'closed',
      appealType: 'complaint',
      categoryCode: '010201',
      districtCode: '110101',
      unitId: null,
      receivedAt: '2026-12-01T03:00:00.000Z',
      closedAt: '2026-12-01T03:00:00.000Z',
      flags: [],
      replyResult: null,
      disposition: 'emergency_transfer',
      anonymous: true,
      declinesCallback: true,
    });
  });
});

describe('limitExpiredEventDetail', () => {
  it('returns the call-back fields of an order whose limit ran out, with its round and resolution deadline', () => {
    // Prepare: round 2 of an order its unit still handles, late
    const order = orderIn('accepted', { flags: ['overdue'], round: 2 });

    // Act
    const detail = limitExpiredEventDetail(order);

    // Assess
    expect(detail).toEqual({
      orderId: 'WO01KBAAAAAAAAAAAAAAAAAAAAAA',
      round: 2,
      outcome: 'limit_expired',
      status: 'accepted',
      appealType: 'complaint',
      categoryCode: '010201',
      districtCode: '110101',
      unitId: LEAD,
      receivedAt: '2026-12-01T01:00:00.000Z',
      resolveBy: '2026-12-08T01:05:00.000Z',
      flags: ['overdue'],
      anonymous: false,
      declinesCallback: false,
    });
  });

  it('returns a null deadline and unit for an order that has neither', () => {
    // Act
    const detail = limitExpiredEventDetail(orderIn('received'));

    // Assess
    expect(detail).toMatchObject({ round: 1, resolveBy: null, unitId: null, outcome: 'limit_expired' });
  });
});
