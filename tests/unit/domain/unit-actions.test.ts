import { describe, expect, it } from 'vitest';
import { HotlineError } from '#domain/errors.ts';
import {
  acceptOrder,
  decideExtension,
  decideObjection,
  EXTENSION_DAYS,
  escalate,
  MAX_ACTIONS_PER_ORDER,
  MAX_EXTENSION_REQUESTS,
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
import type { Change, WorkOrder } from '#domain/work-order.ts';
import {
  auditor,
  CO,
  COPIED,
  catchError,
  coHandler,
  copiedUnit,
  DAY,
  dispatcher,
  iso,
  LEAD,
  lead,
  operator,
  orderIn,
  otherUnit,
  routeTo,
  supervisor,
  unitStaff,
} from './support.ts';

/** 14:00 CST on Tue 2026-12-01: the order was dispatched at 09:05, contact is due by 09:05 tomorrow. */
const NOW = Date.parse('2026-12-01T06:00:00.000Z');
/** 10:00 CST on Wed 2026-12-09, after the resolution deadline (2026-12-08 09:05 CST). */
const LATE = Date.parse('2026-12-09T02:00:00.000Z');

const newDeadlines = { contactBy: '2026-12-02T06:00:00.000Z', resolveBy: '2026-12-08T06:00:00.000Z' };
const pendingExtension = (order: WorkOrder) =>
  requestExtension(order, lead, NOW, { days: 5, reason: '需协调产权单位' }).order;

/** Runs an action that must be refused and returns the error and whether the input stayed as it was. */
const refused = (order: WorkOrder, act: (order: WorkOrder) => Change) => {
  const before = structuredClone(order);
  const error = catchError(() => act(order));
  return { error, unchanged: JSON.stringify(order) === JSON.stringify(before) };
};

const expectRefusal = (
  result: ReturnType<typeof refused>,
  kind: HotlineError['kind'],
  code: string,
  label?: string,
) => {
  expect(result.error, label).toBeInstanceOf(HotlineError);
  expect(result.error, label).toMatchObject({ kind, code });
  expect(result.unchanged, label).toBe(true);
};

describe('acceptOrder', () => {
  it('returns an accepted order signed for by the lead unit, one action counted, and an accepted event', () => {
    // Prepare
    const order = orderIn('dispatched');

    // Act
    const { order: accepted, events } = acceptOrder(order, lead, NOW);

    // Assess
    expect(accepted).toEqual({
      ...order,
      status: 'accepted',
      version: order.version + 1,
      acceptedAt: iso(NOW),
      actionCount: 1,
      updatedAt: iso(NOW),
    });
    expect(events).toEqual([{ type: 'accepted', at: iso(NOW), actor: lead, data: {} }]);
  });

  it('rejects a co-handler, a copied unit, another unit and the centre with 403 NOT_LEAD_UNIT', () => {
    for (const actor of [coHandler, copiedUnit, otherUnit, operator, dispatcher, supervisor]) {
      // Act
      const result = refused(orderIn('dispatched'), (o) => acceptOrder(o, actor, NOW));

      // Assess
      expectRefusal(result, 'forbidden', 'NOT_LEAD_UNIT', actor.sub);
    }
  });

  it('rejects accepting an order that was already accepted with 409 ACTION_NOT_ALLOWED', () => {
    // Act
    const result = refused(orderIn('accepted'), (o) => acceptOrder(o, lead, NOW));

    // Assess
    expectRefusal(result, 'conflict', 'ACTION_NOT_ALLOWED');
    expect(result.error).toMatchObject({
      details: { action: 'accept', status: 'accepted', allowedFrom: ['dispatched'] },
    });
  });

  it('rejects a unit acting on an order not yet dispatched with 403 NOT_LEAD_UNIT: it has no lead unit yet', () => {
    for (const status of ['received', 'awaiting_dispatch'] as const) {
      // Act
      const result = refused(orderIn(status), (o) => acceptOrder(o, lead, NOW));

      // Assess
      expectRefusal(result, 'forbidden', 'NOT_LEAD_UNIT', status);
    }
  });
});

describe('objectToDispatch', () => {
  it('returns an objected order with the pending objection, counted once, and an objected event', () => {
    // Prepare
    const order = orderIn('dispatched');

    // Act
    const { order: objected, events } = objectToDispatch(order, lead, NOW, '非本街道辖区');

    // Assess
    expect(objected).toMatchObject({
      status: 'objected',
      version: order.version + 1,
      objectionCount: 1,
      pendingObjection: { reason: '非本街道辖区', at: iso(NOW), by: LEAD },
      actionCount: 1,
      unitId: LEAD,
    });
    expect(events).toEqual([
      { type: 'objected', at: iso(NOW), actor: lead, data: { reason: '非本街道辖区', unitId: LEAD } },
    ]);
  });

  it('rejects a second objection after the centre confirmed the dispatch with 409 OBJECTION_NOT_ALLOWED', () => {
    // Prepare
    const objected = objectToDispatch(orderIn('dispatched'), lead, NOW, '非本街道辖区').order;
    const confirmed = decideObjection(objected, dispatcher, NOW, { kind: 'confirm', note: '属地管理' }).order;

    // Act
    const result = refused(confirmed, (o) => objectToDispatch(o, lead, NOW, '仍非本街道辖区'));

    // Assess
    expect(confirmed.status).toBe('dispatched');
    expectRefusal(result, 'conflict', 'OBJECTION_NOT_ALLOWED');
  });

  it('rejects an objection by the unit the order was re-dispatched to with 409 OBJECTION_NOT_ALLOWED', () => {
    // Prepare
    const objected = objectToDispatch(orderIn('dispatched'), lead, NOW, '非本街道辖区').order;
    const moved = decideObjection(objected, dispatcher, NOW, {
      kind: 'redispatch',
      route: routeTo('st-110101002'),
      deadlines: newDeadlines,
    }).order;

    // Act
    const result = refused(moved, (o) => objectToDispatch(o, unitStaff('st-110101002'), NOW, '也非本街道'));

    // Assess
    expectRefusal(result, 'conflict', 'OBJECTION_NOT_ALLOWED');
  });

  it('rejects an objection to an order already signed for with 409 ACTION_NOT_ALLOWED', () => {
    // Act
    const result = refused(orderIn('accepted'), (o) => objectToDispatch(o, lead, NOW, '非本街道辖区'));

    // Assess
    expectRefusal(result, 'conflict', 'ACTION_NOT_ALLOWED');
  });

  it('rejects an objection by a co-handler with 403 NOT_LEAD_UNIT', () => {
    // Act
    const result = refused(orderIn('dispatched'), (o) => objectToDispatch(o, coHandler, NOW, '不归我们管'));

    // Assess
    expectRefusal(result, 'forbidden', 'NOT_LEAD_UNIT');
  });
});

describe('decideObjection', () => {
  it('returns the order dispatched again to the same unit when the centre confirms, the objection settled', () => {
    // Prepare: objected at ACCEPTED_AT, decided at NOW
    const order = orderIn('objected');
    const pause = NOW - Date.parse(order.pendingObjection?.at ?? '');
    const moved = (deadline: string | undefined) => iso(Date.parse(deadline ?? '') + pause);

    // Act
    const { order: confirmed, events } = decideObjection(order, dispatcher, NOW, {
      kind: 'confirm',
      note: '属地管理，维持派单',
    });

    // Assess: the unit's deadlines move by the time the centre took; nothing is charged to the unit
    expect(pause).toBeGreaterThan(0);
    expect(confirmed).toMatchObject({
      status: 'dispatched',
      unitId: LEAD,
      version: order.version + 1,
      objectionCount: 1,
      actionCount: 2,
      deadlines: {
        ...order.deadlines,
        contactBy: moved(order.deadlines.contactBy),
        resolveBy: moved(order.deadlines.resolveBy),
      },
    });
    expect(confirmed).not.toHaveProperty('pendingObjection');
    expect(events).toEqual([
      {
        type: 'objection_refused',
        at: iso(NOW),
        actor: dispatcher,
        data: { note: '属地管理，维持派单', unitId: LEAD },
      },
      {
        type: 'deadline_changed',
        at: iso(NOW),
        actor: dispatcher,
        data: { reason: 'objection_refused', from: order.deadlines, to: confirmed.deadlines },
      },
    ]);
  });

  it('returns the order re-dispatched to another unit with new deadlines, a deadline_changed event and redispatchCount 1', () => {
    // Prepare
    const order = orderIn('objected');

    // Act
    const { order: moved, events } = decideObjection(order, supervisor, NOW, {
      kind: 'redispatch',
      route: routeTo('st-110101002', [CO]),
      deadlines: newDeadlines,
      note: '改派东华门以北',
    });

    // Assess
    expect(moved).toMatchObject({
      status: 'dispatched',
      version: order.version + 1,
      unitId: 'st-110101002',
      coUnitIds: [CO],
      routeBasis: { rule: 'dispatcher' },
      dispatchedAt: iso(NOW),
      deadlines: { dispatchBy: order.deadlines.dispatchBy, ...newDeadlines },
      redispatchCount: 1,
      objectionCount: 1,
      actionCount: 2,
      updatedAt: iso(NOW),
    });
    expect(moved).not.toHaveProperty('pendingObjection');
    expect(events.map((e) => e.type)).toEqual(['deadline_changed', 'redispatched']);
    expect(events[0]).toEqual({
      type: 'deadline_changed',
      at: iso(NOW),
      actor: supervisor,
      data: {
        reason: 'redispatched',
        from: order.deadlines,
        to: { dispatchBy: order.deadlines.dispatchBy, ...newDeadlines },
      },
    });
    expect(events[1]).toMatchObject({
      actor: supervisor,
      data: { unitId: 'st-110101002', previousUnitId: LEAD, note: '改派东华门以北', ...newDeadlines },
    });
  });

  it("returns the re-dispatched order with only the dispatch_overdue flag: the first unit's lateness stays in the events", () => {
    // Prepare
    const order = orderIn('objected', { flags: ['dispatch_overdue', 'contact_overdue', 'urged'] });

    // Act
    const { order: moved } = decideObjection(order, dispatcher, NOW, {
      kind: 'redispatch',
      route: routeTo('st-110101002'),
      deadlines: newDeadlines,
    });

    // Assess
    expect(moved.flags).toEqual(['dispatch_overdue']);
  });

  it('returns the re-dispatched order clean after idle waits too: idleWaits 0, only dispatch_overdue kept', () => {
    // Prepare: the objection waited for the centre through two idle waits
    const order = orderIn('objected', {
      idleWaits: 2,
      flags: ['dispatch_overdue', 'contact_overdue', 'urged', 'stalled'],
    });

    // Act
    const { order: moved } = decideObjection(order, dispatcher, NOW, {
      kind: 'redispatch',
      route: routeTo('st-110101002'),
      deadlines: newDeadlines,
    });

    // Assess
    expect(moved.idleWaits).toBe(0);
    expect(moved.flags).toEqual(['dispatch_overdue']);
  });

  it('rejects a re-dispatch to the unit that objected with 422 SAME_UNIT', () => {
    // Act
    const result = refused(orderIn('objected'), (o) =>
      decideObjection(o, dispatcher, NOW, {
        kind: 'redispatch',
        route: routeTo(LEAD),
        deadlines: newDeadlines,
      }),
    );

    // Assess
    expectRefusal(result, 'unprocessable', 'SAME_UNIT');
  });

  it('rejects a decision by a unit, an operator or an auditor with 403 CENTRE_ONLY', () => {
    for (const actor of [lead, operator, auditor]) {
      // Act
      const result = refused(orderIn('objected'), (o) =>
        decideObjection(o, actor, NOW, { kind: 'confirm', note: '维持' }),
      );

      // Assess
      expectRefusal(result, 'forbidden', 'CENTRE_ONLY', actor.sub);
    }
  });

  it('rejects a decision on an order nobody objected to with 409 ACTION_NOT_ALLOWED', () => {
    // Act
    const result = refused(orderIn('dispatched'), (o) =>
      decideObjection(o, dispatcher, NOW, { kind: 'confirm', note: '维持' }),
    );

    // Assess
    expectRefusal(result, 'conflict', 'ACTION_NOT_ALLOWED');
  });
});

describe('recordContact', () => {
  it('returns the first contact at now with its way and note, and a contacted event on time', () => {
    // Prepare
    const order = orderIn('accepted');

    // Act
    const { order: contacted, events } = recordContact(order, lead, NOW, {
      way: 'phone',
      note: '已电话联系王女士',
    });

    // Assess
    expect(contacted).toEqual({
      ...order,
      version: order.version + 1,
      contact: { at: iso(NOW), way: 'phone', note: '已电话联系王女士' },
      actionCount: 2,
      updatedAt: iso(NOW),
    });
    expect(events).toEqual([
      {
        type: 'contacted',
        at: iso(NOW),
        actor: lead,
        data: { at: iso(NOW), way: 'phone', late: false, note: '已电话联系王女士' },
      },
    ]);
  });

  it('returns a contact made earlier than it is recorded, even before the unit signed for the order', () => {
    // Prepare: dispatched 09:05 CST, accepted 10:00 CST; the unit called at 09:30 CST
    const earlier = '2026-12-01T01:30:00.000Z';

    // Act
    const { order, events } = recordContact(orderIn('accepted'), lead, NOW, { at: earlier, way: 'visit' });

    // Assess
    expect(order.contact).toEqual({ at: earlier, way: 'visit' });
    expect(events[0]?.data).toEqual({ at: earlier, way: 'visit', late: false });
  });

  it('returns late true in the event for a contact after contactBy, and adds no flag', () => {
    // Prepare: contact was due by 2026-12-02 09:05 CST
    const order = orderIn('accepted');

    // Act
    const { order: contacted, events } = recordContact(order, lead, LATE, {
      at: '2026-12-02T01:06:00.000Z',
      way: 'sms',
    });

    // Assess
    expect(events[0]?.data).toMatchObject({ late: true });
    expect(contacted.flags).toEqual(order.flags);
  });

  it('returns late false for a contact exactly at contactBy', () => {
    // Act
    const { events } = recordContact(orderIn('accepted'), lead, LATE, {
      at: '2026-12-02T01:05:00.000Z',
      way: 'phone',
    });

    // Assess
    expect(events[0]?.data).toMatchObject({ late: false });
  });

  it('rejects a contact in the future with 422 CONTACT_IN_FUTURE', () => {
    // Act
    const result = refused(orderIn('accepted'), (o) =>
      recordContact(o, lead, NOW, { at: iso(NOW + 1000), way: 'phone' }),
    );

    // Assess
    expectRefusal(result, 'unprocessable', 'CONTACT_IN_FUTURE');
  });

  it('rejects a contact before the dispatch with 422 CONTACT_BEFORE_DISPATCH', () => {
    // Act: dispatched at 09:05 CST
    const result = refused(orderIn('accepted'), (o) =>
      recordContact(o, lead, NOW, { at: '2026-12-01T01:04:59.999Z', way: 'phone' }),
    );

    // Assess
    expectRefusal(result, 'unprocessable', 'CONTACT_BEFORE_DISPATCH');
  });

  it('rejects a second contact with 409 ALREADY_CONTACTED: only the first contact counts', () => {
    // Prepare
    const contacted = recordContact(orderIn('accepted'), lead, NOW, { way: 'phone' }).order;

    // Act
    const result = refused(contacted, (o) => recordContact(o, lead, NOW + 1000, { way: 'visit' }));

    // Assess
    expectRefusal(result, 'conflict', 'ALREADY_CONTACTED');
  });

  it('rejects a contact recorded by a co-handler with 403 NOT_LEAD_UNIT', () => {
    // Act
    const result = refused(orderIn('accepted'), (o) => recordContact(o, coHandler, NOW, { way: 'phone' }));

    // Assess
    expectRefusal(result, 'forbidden', 'NOT_LEAD_UNIT');
  });

  it('rejects a contact on an order not yet signed for with 409 ACTION_NOT_ALLOWED', () => {
    // Act
    const result = refused(orderIn('dispatched'), (o) => recordContact(o, lead, NOW, { way: 'phone' }));

    // Assess
    expectRefusal(result, 'conflict', 'ACTION_NOT_ALLOWED');
  });
});

describe('noteProgress', () => {
  it('returns a progress_noted event by the lead unit and nothing else changed but version and count', () => {
    // Prepare
    const order = orderIn('accepted');

    // Act
    const { order: noted, events } = noteProgress(order, lead, NOW, '已约谈摊贩');

    // Assess
    expect(noted).toEqual({ ...order, version: order.version + 1, actionCount: 2, updatedAt: iso(NOW) });
    expect(events).toEqual([
      { type: 'progress_noted', at: iso(NOW), actor: lead, data: { text: '已约谈摊贩', unitId: LEAD } },
    ]);
  });

  it('returns a progress note by a co-handling unit', () => {
    // Act
    const { events } = noteProgress(orderIn('accepted'), coHandler, NOW, '已联合执法');

    // Assess
    expect(events[0]).toMatchObject({ actor: coHandler, data: { unitId: CO } });
  });

  it('rejects a copied unit and the centre with 403 NOT_HANDLING_UNIT', () => {
    for (const actor of [copiedUnit, operator]) {
      // Act
      const result = refused(orderIn('accepted'), (o) => noteProgress(o, actor, NOW, '关注中'));

      // Assess
      expectRefusal(result, 'forbidden', 'NOT_HANDLING_UNIT', actor.sub);
    }
  });
});

describe('requestCoHandling', () => {
  it('returns the new co-handlers added, the lead and those already co-handling left out, with an event', () => {
    // Prepare: 城管执法局 co-handles already
    const order = orderIn('accepted');

    // Act
    const { order: asked, events } = requestCoHandling(order, lead, NOW, {
      unitIds: [LEAD, CO, 'dept-scjgj', 'dept-zjw'],
      note: '涉及食品安全与房屋',
    });

    // Assess
    expect(asked.coUnitIds).toEqual([CO, 'dept-scjgj', 'dept-zjw']);
    expect(asked.actionCount).toBe(2);
    expect(events).toEqual([
      {
        type: 'co_handling_requested',
        at: iso(NOW),
        actor: lead,
        data: { unitIds: ['dept-scjgj', 'dept-zjw'], note: '涉及食品安全与房屋' },
      },
    ]);
  });

  it('returns each new co-handler once when the request names it twice', () => {
    // Act
    const { order, events } = requestCoHandling(orderIn('accepted'), lead, NOW, {
      unitIds: ['dept-scjgj', 'dept-scjgj'],
      note: '涉及食品安全',
    });

    // Assess
    expect(order.coUnitIds).toEqual([CO, 'dept-scjgj']);
    expect(events[0]?.data).toMatchObject({ unitIds: ['dept-scjgj'] });
  });

  it('rejects a request that adds nobody with 422 NO_NEW_CO_HANDLER', () => {
    // Act
    const result = refused(orderIn('accepted'), (o) =>
      requestCoHandling(o, lead, NOW, { unitIds: [CO, LEAD], note: '再请' }),
    );

    // Assess
    expectRefusal(result, 'unprocessable', 'NO_NEW_CO_HANDLER');
  });

  it('rejects a request by a co-handler with 403 NOT_LEAD_UNIT', () => {
    // Act
    const result = refused(orderIn('accepted'), (o) =>
      requestCoHandling(o, coHandler, NOW, { unitIds: ['dept-scjgj'], note: '请协办' }),
    );

    // Assess
    expectRefusal(result, 'forbidden', 'NOT_LEAD_UNIT');
  });
});

describe('reportCoHandling', () => {
  it("returns the co-handler's report in coReports and an event addressed to the lead", () => {
    // Prepare
    const order = orderIn('accepted');

    // Act
    const { order: reported, events } = reportCoHandling(order, coHandler, NOW, '已联合执法，暂扣经营工具');

    // Assess
    expect(reported).toEqual({
      ...order,
      version: order.version + 1,
      coReports: [{ unitId: CO, at: iso(NOW) }],
      actionCount: 2,
      updatedAt: iso(NOW),
    });
    expect(events).toEqual([
      {
        type: 'co_handling_reported',
        at: iso(NOW),
        actor: coHandler,
        data: { unitId: CO, at: iso(NOW), text: '已联合执法，暂扣经营工具', leadUnitId: LEAD },
      },
    ]);
  });

  it('returns a later report appended, also while the centre reviews the reply', () => {
    // Prepare
    const first = reportCoHandling(orderIn('accepted'), coHandler, NOW, '第一次');
    const replied = { ...orderIn('replied'), coReports: first.order.coReports ?? [] };

    // Act
    const { order, events } = reportCoHandling(replied, coHandler, LATE, '第二次');

    // Assess
    expect(order.status).toBe('replied');
    expect(order.coReports).toEqual([
      { unitId: CO, at: iso(NOW) },
      { unitId: CO, at: iso(LATE) },
    ]);
    expect([...first.events, ...events].map((e) => e.data.text)).toEqual(['第一次', '第二次']);
  });

  it('returns the text of a report only in its event: the order keeps who reported and when', () => {
    // Prepare
    const text = '已联合执法，暂扣经营工具'.repeat(100);

    // Act
    const { order, events } = reportCoHandling(orderIn('accepted'), coHandler, NOW, text);

    // Assess
    expect(JSON.stringify(order)).not.toContain(text);
    expect(events[0]?.data).toEqual({ unitId: CO, at: iso(NOW), text, leadUnitId: LEAD });
  });

  it('rejects a report by the lead, a copied unit or the centre with 403 NOT_CO_HANDLER', () => {
    for (const actor of [lead, copiedUnit, supervisor]) {
      // Act
      const result = refused(orderIn('accepted'), (o) => reportCoHandling(o, actor, NOW, '报告'));

      // Assess
      expectRefusal(result, 'forbidden', 'NOT_CO_HANDLER', actor.sub);
    }
  });
});

describe('summonDepartments', () => {
  it('returns the summoned departments as co-handlers and a departments_summoned event (吹哨报到)', () => {
    // Act
    const { order, events } = summonDepartments(orderIn('accepted'), lead, NOW, {
      unitIds: ['dept-scjgj', CO],
      note: '占道经营涉及多部门',
      leadIsStreet: true,
    });

    // Assess
    expect(order.coUnitIds).toEqual([CO, 'dept-scjgj']);
    expect(events).toEqual([
      {
        type: 'departments_summoned',
        at: iso(NOW),
        actor: lead,
        data: { unitIds: ['dept-scjgj'], note: '占道经营涉及多部门' },
      },
    ]);
  });

  it('returns each summoned department once when the summons names it twice', () => {
    // Act
    const { order } = summonDepartments(orderIn('accepted'), lead, NOW, {
      unitIds: ['dept-scjgj', 'dept-scjgj'],
      note: '吹哨',
      leadIsStreet: true,
    });

    // Assess
    expect(order.coUnitIds).toEqual([CO, 'dept-scjgj']);
  });

  it('rejects a lead that is not a street or township with 403 NOT_A_STREET', () => {
    // Prepare: a department leads
    const order = orderIn('accepted', { unitId: 'dept-cgw' });

    // Act
    const result = refused(order, (o) =>
      summonDepartments(o, unitStaff('dept-cgw'), NOW, {
        unitIds: ['dept-scjgj'],
        note: '吹哨',
        leadIsStreet: false,
      }),
    );

    // Assess
    expectRefusal(result, 'forbidden', 'NOT_A_STREET');
  });

  it('rejects a summons of departments that already co-handle with 422 NO_NEW_CO_HANDLER', () => {
    // Act
    const result = refused(orderIn('accepted'), (o) =>
      summonDepartments(o, lead, NOW, { unitIds: [CO], note: '吹哨', leadIsStreet: true }),
    );

    // Assess
    expectRefusal(result, 'unprocessable', 'NO_NEW_CO_HANDLER');
  });

  it('rejects a summons by a unit that does not lead with 403 NOT_LEAD_UNIT', () => {
    // Act
    const result = refused(orderIn('accepted'), (o) =>
      summonDepartments(o, coHandler, NOW, { unitIds: ['dept-scjgj'], note: '吹哨', leadIsStreet: true }),
    );

    // Assess
    expectRefusal(result, 'forbidden', 'NOT_LEAD_UNIT');
  });
});

describe('requestExtension', () => {
  it('returns a pending extension with the proposed deadline, the deadline itself unchanged', () => {
    // Prepare: resolve by 2026-12-08 09:05 CST
    const order = orderIn('accepted');

    // Act
    const { order: asked, events } = requestExtension(order, lead, NOW, {
      days: 5,
      reason: '需协调产权单位',
    });

    // Assess
    expect(asked.pendingExtension).toEqual({
      days: 5,
      reason: '需协调产权单位',
      at: iso(NOW),
      by: LEAD,
      proposedResolveBy: '2026-12-13T01:05:00.000Z',
    });
    expect(asked.deadlines).toEqual(order.deadlines);
    expect(events).toEqual([
      {
        type: 'extension_requested',
        at: iso(NOW),
        actor: lead,
        data: {
          days: 5,
          reason: '需协调产权单位',
          resolveBy: '2026-12-08T01:05:00.000Z',
          proposedResolveBy: '2026-12-13T01:05:00.000Z',
        },
      },
    ]);
  });

  it('rejects a second request while one waits for the centre with 409 EXTENSION_PENDING', () => {
    // Act
    const result = refused(pendingExtension(orderIn('accepted')), (o) =>
      requestExtension(o, lead, NOW + 1000, { days: 2, reason: '再延' }),
    );

    // Assess
    expectRefusal(result, 'conflict', 'EXTENSION_PENDING');
  });

  it('returns a new request once the centre decided the last one: one at a time, not once only', () => {
    // Prepare
    const denied = decideExtension(pendingExtension(orderIn('accepted')), dispatcher, NOW, {
      approve: false,
    }).order;

    // Act
    const { order } = requestExtension(denied, lead, NOW + DAY, { days: 2, reason: '补充材料' });

    // Assess
    expect(order.pendingExtension).toMatchObject({ days: 2, proposedResolveBy: '2026-12-10T01:05:00.000Z' });
  });

  it('returns each request counted in extensionRequests, whatever the centre decided', () => {
    // Prepare
    const first = pendingExtension(orderIn('accepted'));
    const denied = decideExtension(first, dispatcher, NOW, { approve: false }).order;

    // Act
    const { order: second } = requestExtension(denied, lead, NOW + DAY, { days: 2, reason: '补充材料' });

    // Assess
    expect(first.extensionRequests).toBe(1);
    expect(denied.extensionRequests).toBe(1);
    expect(second.extensionRequests).toBe(2);
  });

  it('rejects a request after MAX_EXTENSION_REQUESTS (3) with 409 EXTENSION_LIMIT, even when all were decided', () => {
    // Prepare
    let order = orderIn('accepted');
    for (let i = 0; i < MAX_EXTENSION_REQUESTS; i++) {
      const asked = requestExtension(order, lead, NOW + i * DAY, { days: 1, reason: `第${i + 1}次` }).order;
      order = decideExtension(asked, dispatcher, NOW + i * DAY, { approve: i % 2 === 0 }).order;
    }

    // Act
    const result = refused(order, (o) => requestExtension(o, lead, LATE, { days: 1, reason: '再延' }));

    // Assess
    expect(MAX_EXTENSION_REQUESTS).toBe(3);
    expect(order.extensionRequests).toBe(3);
    expectRefusal(result, 'conflict', 'EXTENSION_LIMIT');
  });

  it.each([1, 30])(
    'accepts %i days, a bound of EXTENSION_DAYS, and proposes the deadline that many days on',
    (days) => {
      // Prepare: resolve by 2026-12-08 09:05 CST
      const order = orderIn('accepted');

      // Act
      const { order: asked } = requestExtension(order, lead, NOW, { days, reason: '需协调' });

      // Assess
      expect(EXTENSION_DAYS).toEqual({ min: 1, max: 30 });
      expect(
        Date.parse(asked.pendingExtension?.proposedResolveBy ?? '') -
          Date.parse(order.deadlines.resolveBy ?? ''),
      ).toBe(days * DAY);
    },
  );

  it.each([0, 31, -1, 1.5, Number.NaN])(
    'rejects %s days with 400 EXTENSION_DAYS and changes nothing',
    (days) => {
      // Act
      const result = refused(orderIn('accepted'), (o) =>
        requestExtension(o, lead, NOW, { days, reason: '延期' }),
      );

      // Assess
      expectRefusal(result, 'badRequest', 'EXTENSION_DAYS');
    },
  );

  it('rejects a request by a co-handler with 403 NOT_LEAD_UNIT', () => {
    // Act
    const result = refused(orderIn('accepted'), (o) =>
      requestExtension(o, coHandler, NOW, { days: 2, reason: '协办' }),
    );

    // Assess
    expectRefusal(result, 'forbidden', 'NOT_LEAD_UNIT');
  });
});

describe('decideExtension', () => {
  it('returns resolveBy moved by the days when approved, with extension_approved and deadline_changed events', () => {
    // Prepare
    const order = pendingExtension(orderIn('accepted'));

    // Act
    const { order: extended, events } = decideExtension(order, supervisor, LATE, {
      approve: true,
      note: '同意',
    });

    // Assess
    expect(extended.deadlines).toEqual({ ...order.deadlines, resolveBy: '2026-12-13T01:05:00.000Z' });
    expect(extended).not.toHaveProperty('pendingExtension');
    expect(extended.version).toBe(order.version + 1);
    expect(extended.actionCount).toBe(3);
    expect(events).toEqual([
      { type: 'extension_approved', at: iso(LATE), actor: supervisor, data: { days: 5, note: '同意' } },
      {
        type: 'deadline_changed',
        at: iso(LATE),
        actor: supervisor,
        data: {
          reason: 'extension',
          field: 'resolveBy',
          from: '2026-12-08T01:05:00.000Z',
          to: '2026-12-13T01:05:00.000Z',
        },
      },
    ]);
  });

  it('returns resolveBy kept when denied, with one extension_denied event', () => {
    // Prepare
    const order = pendingExtension(orderIn('accepted'));

    // Act
    const { order: denied, events } = decideExtension(order, dispatcher, NOW, { approve: false });

    // Assess
    expect(denied.deadlines).toEqual(order.deadlines);
    expect(denied).not.toHaveProperty('pendingExtension');
    expect(events).toEqual([
      { type: 'extension_denied', at: iso(NOW), actor: dispatcher, data: { days: 5 } },
    ]);
  });

  it('rejects a decision when no request waits with 409 NO_EXTENSION_PENDING', () => {
    // Act
    const result = refused(orderIn('accepted'), (o) =>
      decideExtension(o, dispatcher, NOW, { approve: true }),
    );

    // Assess
    expectRefusal(result, 'conflict', 'NO_EXTENSION_PENDING');
  });

  it('rejects a decision by the lead unit or an operator with 403 CENTRE_ONLY', () => {
    for (const actor of [lead, operator]) {
      // Act
      const result = refused(pendingExtension(orderIn('accepted')), (o) =>
        decideExtension(o, actor, NOW, { approve: true }),
      );

      // Assess
      expectRefusal(result, 'forbidden', 'CENTRE_ONLY', actor.sub);
    }
  });
});

describe('escalate', () => {
  it('returns the escalation recorded with its time and an escalated event with the reason', () => {
    // Prepare
    const order = orderIn('accepted', {
      escalations: [{ to: 'district', at: '2026-12-01T05:00:00.000Z' }],
    });

    // Act
    const { order: escalated, events } = escalate(order, lead, NOW, {
      to: 'regulator',
      reason: '涉及食品安全监管',
    });

    // Assess
    expect(escalated.escalations).toEqual([
      { to: 'district', at: '2026-12-01T05:00:00.000Z' },
      { to: 'regulator', at: iso(NOW) },
    ]);
    expect(escalated.copiedUnitIds).toEqual(order.copiedUnitIds);
    expect(events).toEqual([
      { type: 'escalated', at: iso(NOW), actor: lead, data: { to: 'regulator', reason: '涉及食品安全监管' } },
    ]);
  });

  it('returns the district government copied when the lead escalates to the district, named in the event', () => {
    // Prepare: an order that does not copy 东城区政府 yet
    const order = orderIn('accepted', { copiedUnitIds: [] });

    // Act
    const { order: escalated, events } = escalate(order, lead, NOW, {
      to: 'district',
      reason: '需区级协调',
      districtGovernmentId: COPIED,
    });

    // Assess
    expect(escalated.copiedUnitIds).toEqual([COPIED]);
    expect(escalated.escalations).toEqual([{ to: 'district', at: iso(NOW) }]);
    expect(events).toEqual([
      {
        type: 'escalated',
        at: iso(NOW),
        actor: lead,
        data: { to: 'district', reason: '需区级协调', copied: COPIED },
      },
    ]);
  });

  it('returns no second copy when the district government is copied already, and none for the city', () => {
    // Prepare: the fixture copies 东城区政府
    const order = orderIn('accepted');

    // Act
    const toDistrict = escalate(order, lead, NOW, {
      to: 'district',
      reason: '区级',
      districtGovernmentId: COPIED,
    });
    const toCity = escalate({ ...order, copiedUnitIds: [] }, lead, NOW, {
      to: 'city',
      reason: '市级',
      districtGovernmentId: COPIED,
    });

    // Assess
    expect(toDistrict.order.copiedUnitIds).toEqual([COPIED]);
    expect(toDistrict.events[0]?.data).toEqual({ to: 'district', reason: '区级' });
    expect(toCity.order.copiedUnitIds).toEqual([]);
    expect(toCity.events[0]?.data).toEqual({ to: 'city', reason: '市级' });
  });

  it('rejects an escalation by a co-handler with 403 NOT_LEAD_UNIT', () => {
    // Act
    const result = refused(orderIn('accepted'), (o) =>
      escalate(o, coHandler, NOW, { to: 'city', reason: '升级' }),
    );

    // Assess
    expectRefusal(result, 'forbidden', 'NOT_LEAD_UNIT');
  });
});

describe('replyToOrder', () => {
  it('returns a replied order with the reply of the lead unit and a replied event on time', () => {
    // Prepare
    const order = orderIn('accepted');

    // Act
    const { order: replied, events } = replyToOrder(order, {
      result: 'partly_resolved',
      text: '已劝离摊贩，将持续巡查',
      nowMs: NOW,
      actor: lead,
    });

    // Assess
    expect(replied).toEqual({
      ...order,
      status: 'replied',
      version: order.version + 1,
      reply: { result: 'partly_resolved', text: '已劝离摊贩，将持续巡查', at: iso(NOW), by: LEAD },
      actionCount: 2,
      updatedAt: iso(NOW),
    });
    expect(events).toEqual([
      {
        type: 'replied',
        at: iso(NOW),
        actor: lead,
        data: { result: 'partly_resolved', text: '已劝离摊贩，将持续巡查', late: false },
      },
    ]);
  });

  it('returns late true in the event for a reply after resolveBy', () => {
    // Act
    const { events } = replyToOrder(orderIn('accepted'), {
      result: 'resolved',
      text: '已处理',
      nowMs: LATE,
      actor: lead,
    });

    // Assess
    expect(events[0]?.data.late).toBe(true);
  });

  it('returns late false for a reply within an approved extension', () => {
    // Prepare
    const extended = decideExtension(pendingExtension(orderIn('accepted')), dispatcher, NOW, {
      approve: true,
    }).order;

    // Act
    const { events } = replyToOrder(extended, {
      result: 'resolved',
      text: '已处理',
      nowMs: LATE,
      actor: lead,
    });

    // Assess
    expect(events[0]?.data.late).toBe(false);
  });

  it('returns a reply that withdraws the extension request waiting for the centre, saying so in the event', () => {
    // Prepare
    const order = pendingExtension(orderIn('accepted'));

    // Act
    const { order: replied, events } = replyToOrder(order, {
      result: 'resolved',
      text: '已处理',
      nowMs: NOW + DAY,
      actor: lead,
    });

    // Assess
    expect(replied).not.toHaveProperty('pendingExtension');
    expect(replied).toMatchObject({
      status: 'replied',
      version: order.version + 1,
      deadlines: order.deadlines,
      extensionRequests: 1,
    });
    expect(events).toEqual([
      {
        type: 'replied',
        at: iso(NOW + DAY),
        actor: lead,
        data: { result: 'resolved', text: '已处理', late: false, extensionWithdrawn: true },
      },
    ]);
  });

  it('rejects a reply to an order not yet signed for with 409 ACTION_NOT_ALLOWED: a reply starts from accepted', () => {
    // Act
    const result = refused(orderIn('dispatched'), (o) =>
      replyToOrder(o, { result: 'resolved', text: '已处理', nowMs: NOW, actor: lead }),
    );

    // Assess
    expectRefusal(result, 'conflict', 'ACTION_NOT_ALLOWED');
    expect(result.error).toMatchObject({
      details: { action: 'reply', status: 'dispatched', allowedFrom: ['accepted'] },
    });
  });

  it('rejects a reply by a co-handling or copied unit, or by the centre, with 403 NOT_LEAD_UNIT', () => {
    for (const actor of [coHandler, copiedUnit, supervisor]) {
      // Act
      const result = refused(orderIn('accepted'), (o) =>
        replyToOrder(o, { result: 'resolved', text: 'x', nowMs: NOW, actor }),
      );

      // Assess
      expectRefusal(result, 'forbidden', 'NOT_LEAD_UNIT', actor.sub);
    }
  });
});

describe('reviewReply', () => {
  it('returns the order closed as handled, its call-back due, when the centre accepts the reply: three events, one version', () => {
    // Prepare
    const order = orderIn('replied');

    // Act
    const { order: closed, events } = reviewReply(order, operator, LATE, { accept: true });

    // Assess
    expect(closed).toEqual({
      ...order,
      status: 'closed',
      version: order.version + 1,
      closedAt: iso(LATE),
      closure: { outcome: 'handled' },
      callback: { round: 1, reason: 'handled', state: 'due', dueAt: iso(LATE), attempts: 0 },
      actionCount: 4,
      updatedAt: iso(LATE),
    });
    expect(events).toEqual([
      { type: 'reply_accepted', at: iso(LATE), actor: operator, data: { result: 'resolved' } },
      { type: 'closed', at: iso(LATE), actor: operator, data: { outcome: 'handled' } },
      {
        type: 'callback_due',
        at: iso(LATE),
        actor: { kind: 'system', name: 'callbacks' },
        data: { round: 1, reason: 'handled' },
      },
    ]);
  });

  it('returns the order closed without a call-back when the requester declined it or is anonymous', () => {
    // Prepare
    const declined = {
      ...orderIn('replied'),
      requester: { ...orderIn('replied').requester, declinesCallback: true },
    };
    const anonymous = {
      ...orderIn('replied'),
      requester: { kind: 'person' as const, anonymous: true, declinesCallback: false },
    };

    // Act
    const results = [declined, anonymous].map((o) => reviewReply(o, operator, LATE, { accept: true }));

    // Assess
    for (const { order, events } of results) {
      expect(order.status).toBe('closed');
      expect(order.callback).toBeUndefined();
      expect(events.map((e) => e.type)).toEqual(['reply_accepted', 'closed']);
    }
  });

  it('returns the order back to accepted without the reply when the centre rejects it, the rejection counted', () => {
    // Prepare: resolve by 09:05 CST on 12-08; rejected on 12-09, the unit gets until the end of 12-14
    const order = orderIn('replied');
    const resolveBy = '2026-12-14T15:59:59.999Z';

    // Act
    const { order: rejected, events } = reviewReply(order, dispatcher, LATE, {
      accept: false,
      reason: '未附现场照片',
      resolveBy,
    });

    // Assess
    expect(rejected).toMatchObject({
      status: 'accepted',
      version: order.version + 1,
      replyRejections: 1,
      deadlines: { ...order.deadlines, resolveBy },
    });
    expect(rejected).not.toHaveProperty('reply');
    expect(events).toEqual([
      {
        type: 'reply_rejected',
        at: iso(LATE),
        actor: dispatcher,
        data: { reason: '未附现场照片', result: 'resolved' },
      },
      {
        type: 'deadline_changed',
        at: iso(LATE),
        actor: dispatcher,
        data: {
          reason: 'reply_rejected',
          field: 'resolveBy',
          from: order.deadlines.resolveBy,
          to: resolveBy,
        },
      },
    ]);
  });

  it('returns the later resolveBy kept, without a deadline_changed event, when the given one is earlier', () => {
    // Prepare: rejected a day after the reply, long before the deadline of 12-08
    const order = orderIn('replied');

    // Act
    const { order: rejected, events } = reviewReply(order, supervisor, NOW + DAY, {
      accept: false,
      reason: '未附照片',
      resolveBy: '2026-12-04T15:59:59.999Z',
    });

    // Assess
    expect(rejected.deadlines).toEqual(order.deadlines);
    expect(events.map((e) => e.type)).toEqual(['reply_rejected']);
  });

  it('returns the given resolveBy, from null, for an order that had no resolution deadline', () => {
    // Prepare
    const { resolveBy: _none, ...deadlines } = orderIn('replied').deadlines;
    const order = orderIn('replied', { deadlines });

    // Act
    const { order: rejected, events } = reviewReply(order, operator, LATE, {
      accept: false,
      reason: '未处理完毕',
      resolveBy: '2026-12-14T15:59:59.999Z',
    });

    // Assess
    expect(rejected.deadlines.resolveBy).toBe('2026-12-14T15:59:59.999Z');
    expect(events[1]).toMatchObject({
      type: 'deadline_changed',
      data: { reason: 'reply_rejected', from: null, to: '2026-12-14T15:59:59.999Z' },
    });
  });

  it('returns two rejections counted after the unit replied again', () => {
    // Prepare
    const once = reviewReply(orderIn('replied'), supervisor, NOW, {
      accept: false,
      reason: '未附照片',
      resolveBy: '2026-12-04T15:59:59.999Z',
    }).order;
    const again = replyToOrder(once, {
      result: 'resolved',
      text: '已附照片',
      nowMs: NOW + DAY,
      actor: lead,
    }).order;

    // Act
    const { order } = reviewReply(again, supervisor, NOW + 2 * DAY, {
      accept: false,
      reason: '照片不清',
      resolveBy: '2026-12-08T15:59:59.999Z',
    });

    // Assess
    expect(order.replyRejections).toBe(2);
    expect(order.status).toBe('accepted');
  });

  it('rejects a review by a unit or an auditor with 403 CENTRE_ONLY', () => {
    for (const actor of [lead, auditor]) {
      // Act
      const result = refused(orderIn('replied'), (o) => reviewReply(o, actor, NOW, { accept: true }));

      // Assess
      expectRefusal(result, 'forbidden', 'CENTRE_ONLY', actor.sub);
    }
  });

  it('rejects a review of an order without a reply with 409 ACTION_NOT_ALLOWED', () => {
    // Act
    const result = refused(orderIn('accepted'), (o) => reviewReply(o, operator, NOW, { accept: true }));

    // Assess
    expectRefusal(result, 'conflict', 'ACTION_NOT_ALLOWED');
  });
});

describe('MAX_ACTIONS_PER_ORDER', () => {
  /** Each unit action the bound blocks, on an order in a status it may start from. */
  const personActions: Record<
    string,
    { status: Parameters<typeof orderIn>[0]; act: (o: WorkOrder) => Change }
  > = {
    object: { status: 'dispatched', act: (o) => objectToDispatch(o, lead, NOW, '非本辖区') },
    progress: { status: 'accepted', act: (o) => noteProgress(o, lead, NOW, '进展') },
    coHandling: {
      status: 'accepted',
      act: (o) => requestCoHandling(o, lead, NOW, { unitIds: ['dept-scjgj'], note: '协办' }),
    },
    report: { status: 'accepted', act: (o) => reportCoHandling(o, coHandler, NOW, '报告') },
    summon: {
      status: 'accepted',
      act: (o) =>
        summonDepartments(o, lead, NOW, { unitIds: ['dept-scjgj'], note: '吹哨', leadIsStreet: true }),
    },
    extension: {
      status: 'accepted',
      act: (o) => requestExtension(o, lead, NOW, { days: 1, reason: '延期' }),
    },
    escalate: { status: 'accepted', act: (o) => escalate(o, lead, NOW, { to: 'city', reason: '上报' }) },
  };

  /** The lead's essential actions: never blocked, so that an order at the bound can still be finished. */
  const essentialActions: Record<
    string,
    { status: Parameters<typeof orderIn>[0]; act: (o: WorkOrder) => Change }
  > = {
    accept: { status: 'dispatched', act: (o) => acceptOrder(o, lead, NOW) },
    contact: { status: 'accepted', act: (o) => recordContact(o, lead, NOW, { way: 'phone' }) },
    reply: {
      status: 'accepted',
      act: (o) => replyToOrder(o, { result: 'resolved', text: '已处理', nowMs: NOW, actor: lead }),
    },
  };

  /** The centre's decisions: never blocked by the bound, so an order at it can still be reviewed and closed. */
  const centreDecisions: Record<string, { order: WorkOrder; act: (o: WorkOrder) => Change }> = {
    confirm: {
      order: orderIn('objected', { actionCount: MAX_ACTIONS_PER_ORDER }),
      act: (o) => decideObjection(o, dispatcher, NOW, { kind: 'confirm', note: '维持' }),
    },
    're-dispatch': {
      order: orderIn('objected', { actionCount: MAX_ACTIONS_PER_ORDER }),
      act: (o) =>
        decideObjection(o, dispatcher, NOW, {
          kind: 'redispatch',
          route: routeTo('st-110101002'),
          deadlines: newDeadlines,
        }),
    },
    review: {
      order: orderIn('replied', { actionCount: MAX_ACTIONS_PER_ORDER }),
      act: (o) => reviewReply(o, operator, NOW, { accept: true }),
    },
    'extension decision': {
      order: { ...pendingExtension(orderIn('accepted')), actionCount: MAX_ACTIONS_PER_ORDER },
      act: (o) => decideExtension(o, dispatcher, NOW, { approve: true }),
    },
  };

  it('returns 500: no order history can grow without bound', () => {
    // Assess
    expect(MAX_ACTIONS_PER_ORDER).toBe(500);
  });

  it('returns the last allowed action, which brings the count to the bound', () => {
    // Prepare
    const order = orderIn('accepted', { actionCount: MAX_ACTIONS_PER_ORDER - 1 });

    // Act
    const { order: noted } = noteProgress(order, lead, NOW, '第500次');

    // Assess
    expect(noted.actionCount).toBe(MAX_ACTIONS_PER_ORDER);
  });

  for (const [name, { status, act }] of Object.entries(personActions)) {
    it(`rejects ${name} on an order at the bound with 409 ACTION_LIMIT and changes nothing`, () => {
      // Prepare
      const order = orderIn(status, { actionCount: MAX_ACTIONS_PER_ORDER });

      // Act
      const result = refused(order, act);

      // Assess
      expectRefusal(result, 'conflict', 'ACTION_LIMIT');
    });
  }

  for (const [name, { status, act }] of Object.entries(essentialActions)) {
    it(`returns the lead's ${name} on an order at the bound, counted: the bound never blocks its essential actions`, () => {
      // Prepare: co-handlers used up the bound
      const order = orderIn(status, { actionCount: MAX_ACTIONS_PER_ORDER });

      // Act
      const { order: acted } = act(order);

      // Assess
      expect(acted.version).toBe(order.version + 1);
      expect(acted.actionCount).toBe(MAX_ACTIONS_PER_ORDER + 1);
    });
  }

  it('rejects the essential actions of anyone but the lead at the bound with 403 NOT_LEAD_UNIT, not ACTION_LIMIT', () => {
    // Act
    const result = refused(orderIn('accepted', { actionCount: MAX_ACTIONS_PER_ORDER }), (o) =>
      replyToOrder(o, { result: 'resolved', text: '已处理', nowMs: NOW, actor: coHandler }),
    );

    // Assess
    expectRefusal(result, 'forbidden', 'NOT_LEAD_UNIT');
  });

  for (const [name, { order, act }] of Object.entries(centreDecisions)) {
    it(`returns the centre's ${name} on an order at the bound: the bound is on units, not on the centre`, () => {
      // Act
      const { order: decided } = act(order);

      // Assess
      expect(decided.version).toBe(order.version + 1);
    });
  }
});

describe('a person acting after idle waits', () => {
  /** An order the workflow marked stalled after two idle waits, with a missed deadline on the record. */
  const stalled = (status: Parameters<typeof orderIn>[0]) =>
    orderIn(status, { idleWaits: 2, flags: ['contact_overdue', 'stalled'] });

  const actions: Record<string, { status: Parameters<typeof orderIn>[0]; act: (o: WorkOrder) => Change }> = {
    'a progress note': { status: 'accepted', act: (o) => noteProgress(o, lead, NOW, '进展') },
    "a co-handler's report": { status: 'accepted', act: (o) => reportCoHandling(o, coHandler, NOW, '报告') },
    'a reply': {
      status: 'accepted',
      act: (o) => replyToOrder(o, { result: 'resolved', text: '已处理', nowMs: NOW, actor: lead }),
    },
    'a confirmed dispatch': {
      status: 'objected',
      act: (o) => decideObjection(o, dispatcher, NOW, { kind: 'confirm', note: '维持' }),
    },
    'a rejected reply': {
      status: 'replied',
      act: (o) =>
        reviewReply(o, operator, NOW, { accept: false, reason: '未附照片', resolveBy: iso(NOW + 3 * DAY) }),
    },
  };

  for (const [name, { status, act }] of Object.entries(actions)) {
    it(`returns idleWaits 0 and the stalled flag removed after ${name}, the other flags kept`, () => {
      // Act
      const { order } = act(stalled(status));

      // Assess
      expect(order.idleWaits).toBe(0);
      expect(order.flags).toEqual(['contact_overdue']);
    });
  }

  it('returns the flags of an order that was never idle as they were', () => {
    // Prepare
    const order = orderIn('accepted', { flags: ['contact_overdue', 'urged'] });

    // Act
    const { order: noted } = noteProgress(order, lead, NOW, '进展');

    // Assess
    expect(noted.flags).toEqual(['contact_overdue', 'urged']);
    expect(noted).not.toHaveProperty('idleWaits');
  });
});

describe('what a refused caller is told (unit-actions)', () => {
  /** The refusal as the API returns it: status kind, code, message, and the input left unchanged. */
  const told = (order: WorkOrder, act: (order: WorkOrder) => Change) => {
    const { error, unchanged } = refused(order, act);
    expect(error).toBeInstanceOf(HotlineError);
    expect(unchanged).toBe(true);
    const { kind, code, message } = error as HotlineError;
    return { kind, code, message };
  };
  const notLead = {
    kind: 'forbidden',
    code: 'NOT_LEAD_UNIT',
    message: 'Only the lead unit of this order can do this (首接负责).',
  };
  /** Centre staff whose account carries a unit id: the role decides, not the unit id alone. */
  const dispatcherOf = (unitId: string) => ({ ...dispatcher, unitId });

  it('rejects anyone but the lead unit with NOT_LEAD_UNIT and 首接负责, a dispatcher carrying its unit id too', () => {
    // Act / Assess
    expect(told(orderIn('dispatched'), (o) => acceptOrder(o, coHandler, NOW))).toEqual(notLead);
    expect(told(orderIn('dispatched'), (o) => acceptOrder(o, dispatcherOf(LEAD), NOW))).toEqual(notLead);
  });

  it('rejects a report by anyone but a co-handler with NOT_CO_HANDLER, a dispatcher carrying its unit id too', () => {
    // Prepare
    const notCoHandler = {
      kind: 'forbidden',
      code: 'NOT_CO_HANDLER',
      message: 'Only a co-handling unit of this order can report on it.',
    };

    // Act / Assess
    for (const actor of [
      lead,
      dispatcherOf(CO),
      unitStaff('dept-scjgj'),
      { ...coHandler, unitId: undefined },
    ])
      expect(
        told(orderIn('accepted'), (o) => reportCoHandling(o, actor, NOW, '报告')),
        JSON.stringify(actor),
      ).toEqual(notCoHandler);
  });

  it('returns the report of the co-handler that reported, among several', () => {
    // Prepare
    const order = orderIn('accepted', { coUnitIds: ['dept-scjgj', CO, 'dept-zjw'] });

    // Act
    const { order: reported, events } = reportCoHandling(order, coHandler, NOW, '已联合执法');

    // Assess
    expect(reported.coReports).toEqual([{ unitId: CO, at: iso(NOW) }]);
    expect(events[0]?.data).toMatchObject({ unitId: CO, leadUnitId: LEAD });
  });

  it('rejects a progress note by anyone not handling with NOT_HANDLING_UNIT, before the status is looked at', () => {
    // Prepare: a unit account without a unit, on an order that has no unit yet either
    const notHandling = {
      kind: 'forbidden',
      code: 'NOT_HANDLING_UNIT',
      message: 'Only a unit handling this order can note progress on it.',
    };
    const noUnit = { ...lead, unitId: undefined };

    // Act / Assess
    expect(told(orderIn('accepted'), (o) => noteProgress(o, dispatcherOf(LEAD), NOW, '进展'))).toEqual(
      notHandling,
    );
    expect(told(orderIn('accepted'), (o) => noteProgress(o, dispatcherOf(CO), NOW, '进展'))).toEqual(
      notHandling,
    );
    expect(told(orderIn('received'), (o) => noteProgress(o, noUnit, NOW, '进展'))).toEqual(notHandling);
  });

  it('rejects a decision by a unit with CENTRE_ONLY, naming the roles that may decide', () => {
    // Act / Assess
    expect(
      told(orderIn('objected'), (o) => decideObjection(o, lead, NOW, { kind: 'confirm', note: '维持' })),
    ).toEqual({
      kind: 'forbidden',
      code: 'CENTRE_ONLY',
      message: 'Only the centre (dispatcher, supervisor) can do this.',
    });
    expect(told(orderIn('replied'), (o) => reviewReply(o, lead, NOW, { accept: true }))).toEqual({
      kind: 'forbidden',
      code: 'CENTRE_ONLY',
      message: 'Only the centre (operator, dispatcher, supervisor) can do this.',
    });
  });

  it('rejects a unit action at the bound with 409 ACTION_LIMIT, naming the bound and what to do', () => {
    // Act / Assess
    expect(
      told(orderIn('accepted', { actionCount: MAX_ACTIONS_PER_ORDER }), (o) =>
        noteProgress(o, lead, NOW, '进展'),
      ),
    ).toEqual({
      kind: 'conflict',
      code: 'ACTION_LIMIT',
      message: 'An order takes at most 500 unit actions; ask the centre to review it.',
    });
  });

  it('rejects an objection to an order re-dispatched once with OBJECTION_NOT_ALLOWED, whatever its objection count', () => {
    // Prepare: the rule is on either count (a re-dispatched order stays with its new unit)
    const redispatched = orderIn('dispatched', { redispatchCount: 1, objectionCount: 0 });
    const objectedOnce = orderIn('dispatched', { objectionCount: 1 });
    const refusal = {
      kind: 'conflict',
      code: 'OBJECTION_NOT_ALLOWED',
      message: 'This order was objected to once already; it cannot be returned again.',
    };

    // Act / Assess
    expect(told(redispatched, (o) => objectToDispatch(o, lead, NOW, '非本辖区'))).toEqual(refusal);
    expect(told(objectedOnce, (o) => objectToDispatch(o, lead, NOW, '非本辖区'))).toEqual(refusal);
    expect(
      objectToDispatch(
        orderIn('dispatched', { redispatchCount: 0, objectionCount: 0 }),
        lead,
        NOW,
        '非本辖区',
      ).order.status,
    ).toBe('objected');
  });

  it('rejects a re-dispatch to the same unit with 422 SAME_UNIT, saying what to do instead', () => {
    // Act / Assess
    expect(
      told(orderIn('objected'), (o) =>
        decideObjection(o, dispatcher, NOW, {
          kind: 'redispatch',
          route: routeTo(LEAD),
          deadlines: newDeadlines,
        }),
      ),
    ).toEqual({
      kind: 'unprocessable',
      code: 'SAME_UNIT',
      message: 'Re-dispatch to another unit, or confirm the dispatch.',
    });
  });

  it('rejects a contact twice, in the future or before the dispatch, each saying why', () => {
    // Prepare: an order whose requester was reached at 11:00 CST on 2026-12-01
    const contacted = orderIn('accepted', { contact: { at: '2026-12-01T03:00:00.000Z', way: 'phone' } });

    // Act / Assess
    expect(told(contacted, (o) => recordContact(o, lead, NOW, { way: 'sms' }))).toEqual({
      kind: 'conflict',
      code: 'ALREADY_CONTACTED',
      message: 'The requester was first contacted at 2026-12-01T03:00:00.000Z.',
    });
    expect(
      told(orderIn('accepted'), (o) => recordContact(o, lead, NOW, { at: iso(NOW + 1), way: 'sms' })),
    ).toEqual({
      kind: 'unprocessable',
      code: 'CONTACT_IN_FUTURE',
      message: 'A contact cannot be recorded before it happens.',
    });
    // Dispatched at 09:05 CST = 01:05Z; one millisecond earlier is before it
    expect(
      told(orderIn('accepted'), (o) =>
        recordContact(o, lead, NOW, { at: '2026-12-01T01:04:59.999Z', way: 'sms' }),
      ),
    ).toEqual({
      kind: 'unprocessable',
      code: 'CONTACT_BEFORE_DISPATCH',
      message: 'The contact is earlier than the dispatch.',
    });
  });

  it('rejects co-handlers that already handle with 422 NO_NEW_CO_HANDLER, and a summons by a department with NOT_A_STREET', () => {
    // Act / Assess
    expect(
      told(orderIn('accepted'), (o) =>
        requestCoHandling(o, lead, NOW, { unitIds: [CO, LEAD], note: '协办' }),
      ),
    ).toEqual({
      kind: 'unprocessable',
      code: 'NO_NEW_CO_HANDLER',
      message: 'Those units already handle this order.',
    });
    expect(
      told(orderIn('accepted'), (o) =>
        summonDepartments(o, lead, NOW, { unitIds: ['dept-scjgj'], note: '吹哨', leadIsStreet: false }),
      ),
    ).toEqual({
      kind: 'forbidden',
      code: 'NOT_A_STREET',
      message: 'Only a street or township summons departments (吹哨报到).',
    });
  });

  it('rejects an extension of a bad number of days with 400 EXTENSION_DAYS, the range in the message and the days in the details', () => {
    for (const days of [0, 31, 1.5]) {
      // Act
      const { error } = refused(orderIn('accepted'), (o) =>
        requestExtension(o, lead, NOW, { days, reason: '延期' }),
      );

      // Assess
      expect(error, String(days)).toMatchObject({
        kind: 'badRequest',
        code: 'EXTENSION_DAYS',
        message: 'An extension asks for a whole number of days from 1 to 30.',
        details: { days },
      });
    }
  });

  it('rejects an extension while one waits, past the limit, or without a deadline, each saying why', () => {
    // Prepare
    const { resolveBy: _none, ...withoutResolveBy } = orderIn('accepted').deadlines;

    // Act / Assess
    expect(
      told(pendingExtension(orderIn('accepted')), (o) =>
        requestExtension(o, lead, NOW, { days: 2, reason: '再延' }),
      ),
    ).toEqual({
      kind: 'conflict',
      code: 'EXTENSION_PENDING',
      message: 'An extension request is already waiting for the centre.',
    });
    expect(
      told(orderIn('accepted', { extensionRequests: MAX_EXTENSION_REQUESTS }), (o) =>
        requestExtension(o, lead, NOW, { days: 2, reason: '再延' }),
      ),
    ).toEqual({
      kind: 'conflict',
      code: 'EXTENSION_LIMIT',
      message: 'An order takes at most 3 extension requests.',
    });
    expect(
      told(orderIn('accepted', { deadlines: withoutResolveBy as WorkOrder['deadlines'] }), (o) =>
        requestExtension(o, lead, NOW, { days: 2, reason: '延期' }),
      ),
    ).toEqual({
      kind: 'conflict',
      code: 'NO_DEADLINE',
      message: 'This order has no resolution deadline to extend.',
    });
  });

  it('rejects an extension decision with none waiting with 409 NO_EXTENSION_PENDING and why', () => {
    // Act / Assess
    expect(told(orderIn('accepted'), (o) => decideExtension(o, dispatcher, NOW, { approve: true }))).toEqual({
      kind: 'conflict',
      code: 'NO_EXTENSION_PENDING',
      message: 'There is no extension request to decide.',
    });
  });

  it('rejects sending back a reply that was never given with 409 ACTION_NOT_ALLOWED', () => {
    // Act / Assess
    expect(
      told(orderIn('accepted'), (o) =>
        reviewReply(o, operator, NOW, {
          accept: false,
          reason: '未解决',
          resolveBy: '2026-12-10T01:00:00.000Z',
        }),
      ),
    ).toMatchObject({ kind: 'conflict', code: 'ACTION_NOT_ALLOWED' });
  });
});

describe('deadline edges (unit-actions)', () => {
  it('returns a confirmed objection with one event and the deadlines as they were when the centre took no time', () => {
    // Prepare: decided the instant it was objected to
    const order = orderIn('objected', {
      pendingObjection: { reason: '非本街道辖区', at: iso(NOW), by: LEAD },
    });

    // Act
    const { order: confirmed, events } = decideObjection(order, dispatcher, NOW, {
      kind: 'confirm',
      note: '维持',
    });

    // Assess
    expect(confirmed.deadlines).toEqual(order.deadlines);
    expect(events.map((e) => e.type)).toEqual(['objection_refused']);
  });

  it('returns late false for a reply exactly at resolveBy, and true a millisecond after', () => {
    // Prepare: resolve by 2026-12-08 09:05 CST
    const resolveBy = Date.parse('2026-12-08T01:05:00.000Z');
    const replyAt = (nowMs: number) =>
      replyToOrder(orderIn('accepted'), { result: 'resolved', text: '已处理', nowMs, actor: lead }).events[0]
        ?.data.late;

    // Act / Assess
    expect(replyAt(resolveBy)).toBe(false);
    expect(replyAt(resolveBy + 1)).toBe(true);
  });

  it('returns late false for a reply and a contact on an order without those deadlines', () => {
    // Prepare
    const { resolveBy: _r, contactBy: _c, ...none } = orderIn('accepted').deadlines;
    const order = orderIn('accepted', { deadlines: none as WorkOrder['deadlines'] });

    // Act
    const replied = replyToOrder(order, { result: 'resolved', text: '已处理', nowMs: LATE, actor: lead });
    const contacted = recordContact(order, lead, LATE, { way: 'phone' });

    // Assess
    expect(replied.events[0]?.data.late).toBe(false);
    expect(contacted.events[0]?.data.late).toBe(false);
  });
});
