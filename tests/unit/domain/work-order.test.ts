import { describe, expect, it } from 'vitest';
import type { Route } from '#domain/dispatch-catalogue.ts';
import { HotlineError } from '#domain/errors.ts';
import type { Actor } from '#domain/order-events.ts';
import { type NewOrderInput, newOrderSchema } from '#domain/order-input.ts';
import {
  allowedTransitions,
  awaitDispatcher,
  type Change,
  closedEventDetail,
  closeOrder,
  dispatchOrder,
  flagOverdue,
  type OrderAction,
  type OrderStatus,
  orderStatuses,
  receiveOrder,
  replyToOrder,
  type WorkOrder,
} from '#domain/work-order.ts';
import newOrderJson from '../fixtures/new-order.json' with { type: 'json' };
import workOrderJson from '../fixtures/work-order.json' with { type: 'json' };

const NOW = Date.parse('2026-12-01T03:00:00.000Z');
const LATER = Date.parse('2026-12-03T08:00:00.000Z');
const DISPATCH_BY = Date.parse('2026-12-01T15:59:59.999Z');

const operator: Extract<Actor, { kind: 'person' }> = { kind: 'person', sub: 'operator-1', role: 'operator' };
const leadStaff: Extract<Actor, { kind: 'person' }> = {
  kind: 'person',
  sub: 'staff-1',
  role: 'unit',
  unitId: 'st-110101001',
};

const input = (overrides: Partial<Record<keyof NewOrderInput, unknown>> = {}): NewOrderInput =>
  newOrderSchema.parse({ ...structuredClone(newOrderJson), ...overrides });

/** A stored dispatched order (fixture) moved to any status with the fields that status implies. */
const orderIn = (status: OrderStatus): WorkOrder => {
  const order = structuredClone(workOrderJson) as unknown as WorkOrder;
  switch (status) {
    case 'received':
    case 'awaiting_dispatch': {
      const {
        unitId: _u,
        routeBasis: _r,
        dispatchedAt: _d,
        deadlines: { dispatchBy },
        ...rest
      } = order;
      return { ...rest, status, coUnitIds: [], copiedUnitIds: [], deadlines: { dispatchBy } };
    }
    case 'dispatched':
      return order;
    case 'replied':
      return {
        ...order,
        status,
        reply: { result: 'resolved', text: '已清理', at: '2026-12-02T01:00:00.000Z', by: 'st-110101001' },
      };
    case 'closed':
      return {
        ...order,
        status,
        reply: { result: 'resolved', text: '已清理', at: '2026-12-02T01:00:00.000Z', by: 'st-110101001' },
        closedAt: '2026-12-08T01:05:00.000Z',
        closure: { outcome: 'handled' },
      };
  }
};

const route: Extract<Route, { kind: 'unit' }> = {
  kind: 'unit',
  leadUnitId: 'st-110101001',
  coUnitIds: ['dept-cgzfj'],
  copiedUnitIds: ['gov-110101'],
  basis: { rule: 'catalogue', categoryCode: '0102', areaCode: '110101001' },
};
const deadlines = { contactBy: '2026-12-02T03:00:00.000Z', resolveBy: '2026-12-08T03:00:00.000Z' };

/** Every action of the table, performed in a way that can only fail because of the status. */
const perform: Record<OrderAction, (order: WorkOrder) => Change> = {
  dispatch: (order) => dispatchOrder(order, { route, deadlines, nowMs: NOW, actor: operator }),
  await_dispatcher: (order) => awaitDispatcher(order, { reason: 'manual_category', nowMs: NOW }),
  reply: (order) => replyToOrder(order, { result: 'resolved', text: '已清理', nowMs: NOW, actor: leadStaff }),
  close: (order) => closeOrder(order, { outcome: 'expired', nowMs: NOW }),
  flag_overdue: (order) =>
    flagOverdue(order, {
      missed: order.status === 'dispatched' ? 'reply' : 'dispatch',
      graceUntilMs: LATER,
      nowMs: NOW,
    }),
};

/** The status an order has after each action succeeds (flags are not states). */
const statusAfter = (action: OrderAction, from: OrderStatus): OrderStatus =>
  ({
    dispatch: 'dispatched',
    await_dispatcher: 'awaiting_dispatch',
    reply: 'replied',
    close: 'closed',
    flag_overdue: from,
  })[action] as OrderStatus;

const catchError = (fn: () => unknown): unknown => {
  try {
    fn();
  } catch (error) {
    return error;
  }
  return undefined;
};

describe('receiveOrder', () => {
  it('returns a received order at version 1 with one received event', () => {
    // Prepare
    const contact = input();

    // Act
    const { order, events } = receiveOrder({
      id: 'WO-1',
      input: contact,
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
      requester: contact.requester,
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

describe('allowedTransitions', () => {
  it('returns the table of the design: dispatch, await, reply, close and flag from the listed statuses only', () => {
    // Assess
    expect(allowedTransitions).toEqual({
      dispatch: ['received', 'awaiting_dispatch'],
      await_dispatcher: ['received'],
      reply: ['dispatched'],
      close: ['replied', 'received', 'awaiting_dispatch', 'dispatched'],
      flag_overdue: ['awaiting_dispatch', 'dispatched'],
    });
  });

  it('returns nothing from closed: a closed order accepts no action', () => {
    // Assess
    for (const from of Object.values(allowedTransitions)) expect(from).not.toContain('closed');
  });

  const actions = Object.keys(perform) as OrderAction[];
  for (const action of actions) {
    for (const status of orderStatuses) {
      const allowed = allowedTransitions[action].includes(status);
      if (allowed) {
        it(`returns the next order when ${action} is applied to a ${status} order`, () => {
          // Prepare
          const order = orderIn(status);
          const before = structuredClone(order);

          // Act
          const change = perform[action](order);

          // Assess
          expect(change.order.status).toBe(statusAfter(action, status));
          expect(change.order.version).toBe(order.version + 1);
          expect(change.order.updatedAt).toBe(new Date(NOW).toISOString());
          expect(change.events).toHaveLength(1);
          expect(order).toEqual(before);
        });
      } else {
        it(`rejects ${action} on a ${status} order with 409 ACTION_NOT_ALLOWED and changes nothing`, () => {
          // Prepare
          const order = orderIn(status);
          const before = structuredClone(order);

          // Act
          const error = catchError(() => perform[action](order));

          // Assess
          expect(error).toBeInstanceOf(HotlineError);
          expect(error).toMatchObject({
            kind: 'conflict',
            code: 'ACTION_NOT_ALLOWED',
            details: { action, status, allowedFrom: allowedTransitions[action] },
          });
          expect(order).toEqual(before);
        });
      }
    }
  }
});

describe('version', () => {
  it('returns one more version per change along a whole lifecycle', () => {
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
    const flagged = flagOverdue(awaiting, { missed: 'dispatch', graceUntilMs: LATER, nowMs: NOW }).order;
    const dispatched = dispatchOrder(flagged, { route, deadlines, nowMs: NOW, actor: operator }).order;
    const replied = replyToOrder(dispatched, {
      result: 'resolved',
      text: '已处理',
      nowMs: NOW,
      actor: leadStaff,
    }).order;
    const closed = closeOrder(replied, { outcome: 'handled', nowMs: NOW }).order;

    // Assess
    expect([received, awaiting, flagged, dispatched, replied, closed].map((o) => o.version)).toEqual([
      1, 2, 3, 4, 5, 6,
    ]);
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
      unitId: 'st-110101001',
      coUnitIds: ['dept-cgzfj'],
      copiedUnitIds: ['gov-110101'],
      routeBasis: route.basis,
      dispatchedAt: '2026-12-01T03:00:00.000Z',
      deadlines: { dispatchBy: '2026-12-01T15:59:59.999Z', ...deadlines },
    });
    expect(events[0]).toEqual({
      type: 'dispatched',
      at: '2026-12-01T03:00:00.000Z',
      actor: operator,
      data: {
        unitId: 'st-110101001',
        coUnitIds: ['dept-cgzfj'],
        copiedUnitIds: ['gov-110101'],
        basis: route.basis,
        contactBy: deadlines.contactBy,
        resolveBy: deadlines.resolveBy,
      },
    });
  });

  it('returns the order without the grace period of a missed dispatch deadline, keeping the flag', () => {
    // Prepare
    const flagged = flagOverdue(orderIn('awaiting_dispatch'), {
      missed: 'dispatch',
      graceUntilMs: LATER,
      nowMs: NOW,
    }).order;

    // Act
    const { order } = dispatchOrder(flagged, { route, deadlines, nowMs: NOW, actor: operator });

    // Assess
    expect(order.deadlines.graceUntil).toBeUndefined();
    expect(order.flags).toEqual(['dispatch_overdue']);
  });
});

describe('awaitDispatcher', () => {
  it('returns an awaiting_dispatch order and an event with the reason and the dispatch deadline', () => {
    // Act
    const { order, events } = awaitDispatcher(orderIn('received'), { reason: 'no_rule', nowMs: NOW });

    // Assess
    expect(order.status).toBe('awaiting_dispatch');
    expect(events[0]).toEqual({
      type: 'awaiting_dispatch',
      at: '2026-12-01T03:00:00.000Z',
      actor: { kind: 'system', name: 'workflow' },
      data: { reason: 'no_rule', dispatchBy: '2026-12-01T15:59:59.999Z' },
    });
  });
});

describe('replyToOrder', () => {
  it('returns a replied order with the reply of the lead unit', () => {
    // Act
    const { order, events } = replyToOrder(orderIn('dispatched'), {
      result: 'partly_resolved',
      text: '已劝离摊贩，将持续巡查',
      nowMs: NOW,
      actor: leadStaff,
    });

    // Assess
    expect(order.reply).toEqual({
      result: 'partly_resolved',
      text: '已劝离摊贩，将持续巡查',
      at: '2026-12-01T03:00:00.000Z',
      by: 'st-110101001',
    });
    expect(events[0]).toMatchObject({
      type: 'replied',
      actor: leadStaff,
      data: { result: 'partly_resolved', text: '已劝离摊贩，将持续巡查', late: false },
    });
  });

  it('returns late true in the event when the order was flagged overdue', () => {
    // Prepare
    const overdue = flagOverdue(orderIn('dispatched'), {
      missed: 'reply',
      graceUntilMs: LATER,
      nowMs: NOW,
    }).order;

    // Act
    const { events } = replyToOrder(overdue, {
      result: 'resolved',
      text: '已处理',
      nowMs: NOW,
      actor: leadStaff,
    });

    // Assess
    expect(events[0]?.data.late).toBe(true);
  });

  it('rejects a reply by a co-handling or copied unit with 403 NOT_LEAD_UNIT and changes nothing', () => {
    // Prepare
    const order = orderIn('dispatched');
    const before = structuredClone(order);
    const copied = { ...leadStaff, unitId: 'gov-110101' };

    // Act
    const error = catchError(() =>
      replyToOrder(order, { result: 'resolved', text: 'x', nowMs: NOW, actor: copied }),
    );

    // Assess
    expect(error).toBeInstanceOf(HotlineError);
    expect(error).toMatchObject({ kind: 'forbidden', code: 'NOT_LEAD_UNIT' });
    expect(order).toEqual(before);
  });

  it('rejects a reply by a person of the centre, who has no unit', () => {
    // Prepare
    const supervisor: Extract<Actor, { kind: 'person' }> = {
      kind: 'person',
      sub: 'sup-1',
      role: 'supervisor',
    };

    // Act
    const error = catchError(() =>
      replyToOrder(orderIn('dispatched'), { result: 'resolved', text: 'x', nowMs: NOW, actor: supervisor }),
    );

    // Assess
    expect(error).toMatchObject({ kind: 'forbidden', code: 'NOT_LEAD_UNIT' });
  });
});

describe('flagOverdue', () => {
  it('returns the overdue flag once, however often the reply deadline is reported missed', () => {
    // Prepare
    const order = orderIn('dispatched');

    // Act
    const once = flagOverdue(order, { missed: 'reply', graceUntilMs: LATER, nowMs: NOW }).order;
    const twice = flagOverdue(once, { missed: 'reply', graceUntilMs: LATER, nowMs: NOW }).order;

    // Assess
    expect(once.flags).toEqual(['overdue']);
    expect(twice.flags).toEqual(['overdue']);
    expect(twice.version).toBe(order.version + 2);
    expect(twice.status).toBe('dispatched');
  });

  it('returns graceUntil in the deadlines and an event naming the missed deadline', () => {
    // Prepare
    const order = orderIn('dispatched');

    // Act
    const { order: flagged, events } = flagOverdue(order, {
      missed: 'reply',
      graceUntilMs: LATER,
      nowMs: NOW,
    });

    // Assess
    expect(flagged.deadlines).toEqual({ ...order.deadlines, graceUntil: '2026-12-03T08:00:00.000Z' });
    expect(events[0]).toEqual({
      type: 'deadline_missed',
      at: '2026-12-01T03:00:00.000Z',
      actor: { kind: 'system', name: 'workflow' },
      data: {
        missed: 'reply',
        deadline: order.deadlines.resolveBy,
        flag: 'overdue',
        graceUntil: '2026-12-03T08:00:00.000Z',
      },
    });
  });

  it('returns the dispatch_overdue flag and the dispatch deadline for a missed dispatch', () => {
    // Act
    const { order, events } = flagOverdue(orderIn('awaiting_dispatch'), {
      missed: 'dispatch',
      graceUntilMs: LATER,
      nowMs: NOW,
    });

    // Assess
    expect(order.flags).toEqual(['dispatch_overdue']);
    expect(events[0]?.data).toMatchObject({ deadline: '2026-12-01T15:59:59.999Z', flag: 'dispatch_overdue' });
  });

  it('returns both flags for an order late to dispatch and then late to reply', () => {
    // Prepare
    const late = flagOverdue(orderIn('awaiting_dispatch'), {
      missed: 'dispatch',
      graceUntilMs: LATER,
      nowMs: NOW,
    }).order;
    const dispatched = dispatchOrder(late, { route, deadlines, nowMs: NOW, actor: operator }).order;

    // Act
    const { order } = flagOverdue(dispatched, { missed: 'reply', graceUntilMs: LATER, nowMs: NOW });

    // Assess
    expect(order.flags).toEqual(['dispatch_overdue', 'overdue']);
  });
});

describe('closeOrder', () => {
  it('returns a closed order with outcome handled from replied', () => {
    // Act
    const { order, events } = closeOrder(orderIn('replied'), { outcome: 'handled', nowMs: NOW });

    // Assess
    expect(order).toMatchObject({
      status: 'closed',
      closedAt: '2026-12-01T03:00:00.000Z',
      closure: { outcome: 'handled' },
    });
    expect(events[0]).toEqual({
      type: 'closed',
      at: '2026-12-01T03:00:00.000Z',
      actor: { kind: 'system', name: 'workflow' },
      data: { outcome: 'handled' },
    });
  });

  it('rejects closing as handled an order that was never replied to', () => {
    // Prepare
    for (const status of ['received', 'awaiting_dispatch', 'dispatched'] as const) {
      const order = orderIn(status);
      const before = structuredClone(order);

      // Act
      const error = catchError(() => closeOrder(order, { outcome: 'handled', nowMs: NOW }));

      // Assess
      expect(error, status).toBeInstanceOf(HotlineError);
      expect(error, status).toMatchObject({ kind: 'conflict', code: 'ACTION_NOT_ALLOWED' });
      expect(order).toEqual(before);
    }
  });

  it('returns a closed order with outcome expired from dispatched', () => {
    // Act
    const { order } = closeOrder(orderIn('dispatched'), { outcome: 'expired', nowMs: NOW });

    // Assess
    expect(order.closure).toEqual({ outcome: 'expired' });
  });
});

describe('closedEventDetail', () => {
  it('returns the contract fields of a handled order', () => {
    // Prepare
    const overdue = flagOverdue(orderIn('dispatched'), {
      missed: 'reply',
      graceUntilMs: LATER,
      nowMs: NOW,
    }).order;
    const replied = replyToOrder(overdue, {
      result: 'resolved',
      text: '已处理',
      nowMs: NOW,
      actor: leadStaff,
    }).order;
    const closed = closeOrder(replied, { outcome: 'handled', nowMs: LATER }).order;

    // Act
    const detail = closedEventDetail(closed);

    // Assess
    expect(detail).toEqual({
      orderId: 'WO01KBAAAAAAAAAAAAAAAAAAAAAA',
      outcome: 'handled',
      status: 'closed',
      appealType: 'complaint',
      categoryCode: '010201',
      districtCode: '110101',
      unitId: 'st-110101001',
      receivedAt: '2026-12-01T01:00:00.000Z',
      closedAt: '2026-12-03T08:00:00.000Z',
      flags: ['overdue'],
      replyResult: 'resolved',
      disposition: null,
      anonymous: false,
      declinesCallback: false,
    });
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
