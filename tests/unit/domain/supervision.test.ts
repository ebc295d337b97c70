import { describe, expect, it } from 'vitest';
import supervisionJson from '#data/supervision.json' with { type: 'json' };
import {
  applyDueCheckpoints,
  type Checkpoint,
  nextCheckpoint,
  nextStep,
  plannedCheckpoints,
  supervisionRulesSchema,
} from '#domain/supervision.ts';
import {
  decideExtension,
  decideObjection,
  recordContact,
  replyToOrder,
  requestExtension,
  reviewReply,
} from '#domain/unit-actions.ts';
import type { WorkOrder } from '#domain/work-order.ts';
import {
  at,
  CONTACTED_AT,
  calendar,
  DAY,
  dispatcher,
  iso,
  lead,
  operator,
  orderIn,
  routeTo,
  rules,
  workflow,
} from './support.ts';

/**
 * The fixture order was received 09:00 CST on Tue 2026-12-01 and dispatched at 09:05 CST: contact by
 * 09:05 CST Wed 2026-12-02, resolve by 09:05 CST Tue 2026-12-08 (normal urgency), dispatch by the end
 * of its day (23:59:59.999 CST). All times below are written as the UTC instants they are.
 */
const MINUTE = 60 * 1000;
const DISPATCHED_AT = at('2026-12-01T01:05:00.000Z');
const CONTACT_BY = '2026-12-02T01:05:00.000Z';
const RESOLVE_BY = '2026-12-08T01:05:00.000Z';
const DISPATCH_BY = '2026-12-01T15:59:59.999Z';

/** The checkpoints of the dispatched fixture, in time order (ids carry their deadline). */
const handlingCheckpoints = [
  ['reminder:contact', '2026-12-01T20:17:00.000Z'], // 80 % of 24 h after dispatch
  ['deadline:contact', CONTACT_BY],
  ['urge:contact', '2026-12-03T01:05:00.000Z'], // 1 calendar day later
  ['reminder:resolve', '2026-12-06T15:29:00.000Z'], // 80 % of 7 days after dispatch
  ['supervise:contact', '2026-12-07T15:59:59.999Z'], // 3rd working day: Thu, Fri, (weekend), Mon
  ['deadline:resolve', RESOLVE_BY],
  ['urge:resolve', '2026-12-09T01:05:00.000Z'],
  ['notify:contact', '2026-12-09T15:59:59.999Z'], // 5th working day: Tue, Wed
  ['supervise:resolve', '2026-12-11T15:59:59.999Z'], // Wed, Thu, Fri
  ['notify:resolve', '2026-12-15T15:59:59.999Z'], // (weekend) Mon, Tue
] as const;

const idOf = (name: string): string => `${name}@${name.endsWith(':contact') ? CONTACT_BY : RESOLVE_BY}`;
const timesOf = (points: readonly Checkpoint[]) => points.map((c) => [c.id, iso(c.at)]);

/** An order whose requester was reached (no contact obligation left) with only this resolution deadline. */
const resolvingBy = (dispatchedAt: string, resolveBy: string): WorkOrder =>
  orderIn('accepted', {
    dispatchedAt,
    contact: { at: dispatchedAt, way: 'phone' },
    deadlines: { dispatchBy: DISPATCH_BY, contactBy: dispatchedAt, resolveBy },
  });

describe('supervisionRulesSchema', () => {
  it('returns the rules of data/supervision.json: remind at 80 %, urge, supervise, notify, idle 30 days, 3 times, 12 on the centre', () => {
    // Assess
    expect(rules).toEqual({
      reminderAt: 0.8,
      ladder: { urge: { calendarDays: 1 }, supervise: { workingDays: 3 }, notify: { workingDays: 5 } },
      idleWait: { calendarDays: 30 },
      maxIdleWaits: 3,
      maxIdleWaitsOnCentre: 12,
    });
  });

  it('rejects rules without maxIdleWaitsOnCentre, or with it outside 1 to 48 or fractional', () => {
    // Prepare
    const { version: _version, maxIdleWaitsOnCentre: _centre, ...withoutCentre } = supervisionJson;

    // Act
    const results = [
      withoutCentre,
      { ...withoutCentre, maxIdleWaitsOnCentre: 0 },
      { ...withoutCentre, maxIdleWaitsOnCentre: 49 },
      { ...withoutCentre, maxIdleWaitsOnCentre: 2.5 },
      { ...withoutCentre, maxIdleWaitsOnCentre: 48 },
    ].map((candidate) => supervisionRulesSchema.safeParse(candidate).success);

    // Assess
    expect(results).toEqual([false, false, false, false, true]);
  });

  it('rejects a reminder share outside (0, 1), no idle wait at all and unknown settings', () => {
    // Prepare
    const { version: _version, ...valid } = supervisionJson;

    // Act
    const results = [
      { ...valid, reminderAt: 1 },
      { ...valid, reminderAt: 0 },
      { ...valid, maxIdleWaits: 0 },
      { ...valid, maxIdleWaits: 25 },
      { ...valid, escalateAfter: { hours: 1 } },
      { ...valid, ladder: { ...valid.ladder, notify: { weeks: 1 } } },
    ].map((candidate) => supervisionRulesSchema.safeParse(candidate).success);

    // Assess
    expect(results).toEqual([false, false, false, false, false, false]);
  });
});

describe('plannedCheckpoints', () => {
  it('returns the dispatch deadline and its ladder for a received order, counted from the end of its day', () => {
    // Act
    const points = plannedCheckpoints(orderIn('received'), rules, calendar);

    // Assess: no reminder before the same-day dispatch deadline
    expect(points).toEqual([
      {
        id: `deadline:dispatch@${DISPATCH_BY}`,
        step: 'deadline',
        obligation: 'dispatch',
        deadline: DISPATCH_BY,
        at: at(DISPATCH_BY),
      },
      {
        id: `urge:dispatch@${DISPATCH_BY}`,
        step: 'urge',
        obligation: 'dispatch',
        deadline: DISPATCH_BY,
        at: at('2026-12-02T15:59:59.999Z'),
      },
      {
        id: `supervise:dispatch@${DISPATCH_BY}`,
        step: 'supervise',
        obligation: 'dispatch',
        deadline: DISPATCH_BY,
        at: at('2026-12-04T15:59:59.999Z'),
      },
      {
        id: `notify:dispatch@${DISPATCH_BY}`,
        step: 'notify',
        obligation: 'dispatch',
        deadline: DISPATCH_BY,
        at: at('2026-12-08T15:59:59.999Z'),
      },
    ]);
  });

  it('returns the same dispatch checkpoints while the order waits for a dispatcher', () => {
    // Act
    const points = plannedCheckpoints(orderIn('awaiting_dispatch'), rules, calendar);

    // Assess
    expect(points.map((c) => c.id)).toEqual(
      plannedCheckpoints(orderIn('received'), rules, calendar).map((c) => c.id),
    );
  });

  it('returns contact and resolution checkpoints in time order for an order dispatched or accepted', () => {
    for (const status of ['dispatched', 'accepted'] as const) {
      // Act
      const points = plannedCheckpoints(orderIn(status), rules, calendar);

      // Assess
      expect(timesOf(points), status).toEqual(handlingCheckpoints.map(([name, time]) => [idOf(name), time]));
    }
  });

  it('returns the reminders at 80 % of the time from dispatch to each deadline', () => {
    // Act
    const reminders = plannedCheckpoints(orderIn('accepted'), rules, calendar).filter(
      (c) => c.step === 'reminder',
    );

    // Assess
    expect(reminders.map((c) => [c.obligation, (c.at - DISPATCHED_AT) / MINUTE])).toEqual([
      ['contact', (24 * 60 * 4) / 5], // 19 h 12 min of 24 h
      ['resolve', (7 * 24 * 60 * 4) / 5], // 5 days 14 h 24 min of 7 days
    ]);
  });

  it('returns no contact checkpoints once the requester was contacted', () => {
    // Act
    const points = plannedCheckpoints(
      orderIn('accepted', { contact: { at: CONTACTED_AT, way: 'phone' } }),
      rules,
      calendar,
    );

    // Assess
    expect(points.map((c) => c.id)).toEqual([
      idOf('reminder:resolve'),
      idOf('deadline:resolve'),
      idOf('urge:resolve'),
      idOf('supervise:resolve'),
      idOf('notify:resolve'),
    ]);
  });

  it('returns nothing for a replied or a closed order: the centre has it', () => {
    // Assess
    expect(plannedCheckpoints(orderIn('replied'), rules, calendar)).toEqual([]);
    expect(plannedCheckpoints(orderIn('closed'), rules, calendar)).toEqual([]);
  });

  it('returns nothing for an objected order: its obligations pause while the centre decides', () => {
    // Act
    const points = plannedCheckpoints(orderIn('objected'), rules, calendar);

    // Assess
    expect(points).toEqual([]);
  });

  it('returns the ladder across a weekend: urge on Saturday, supervise and notify on working days only', () => {
    // Prepare: due 10:00 CST on Friday 2026-12-04
    const order = resolvingBy('2026-11-27T02:00:00.000Z', '2026-12-04T02:00:00.000Z');

    // Act
    const points = plannedCheckpoints(order, rules, calendar);

    // Assess
    expect(points.map((c) => [c.step, iso(c.at)])).toEqual([
      ['reminder', '2026-12-02T16:24:00.000Z'],
      ['deadline', '2026-12-04T02:00:00.000Z'],
      ['urge', '2026-12-05T02:00:00.000Z'], // Saturday: one calendar day
      ['supervise', '2026-12-09T15:59:59.999Z'], // Mon, Tue, Wed
      ['notify', '2026-12-11T15:59:59.999Z'], // Thu, Fri
    ]);
  });

  it('returns the ladder across National Day 2026: Oct 1 to 7 off, Saturday Oct 10 a make-up workday', () => {
    // Prepare: due 10:00 CST on Wednesday 2026-09-30
    const order = resolvingBy('2026-09-23T02:00:00.000Z', '2026-09-30T02:00:00.000Z');

    // Act
    const points = plannedCheckpoints(order, rules, calendar);

    // Assess
    expect(points.map((c) => [c.step, iso(c.at)])).toEqual([
      ['reminder', '2026-09-28T16:24:00.000Z'],
      ['deadline', '2026-09-30T02:00:00.000Z'],
      ['urge', '2026-10-01T02:00:00.000Z'], // a holiday: calendar days count it
      ['supervise', '2026-10-10T15:59:59.999Z'], // Thu Oct 8, Fri Oct 9, Sat Oct 10 (调休上班)
      ['notify', '2026-10-13T15:59:59.999Z'], // (Sun) Mon Oct 12, Tue Oct 13
    ]);
  });
});

describe('nextCheckpoint', () => {
  it('returns the first checkpoint not yet handled, even when it is already due', () => {
    // Prepare
    const order = orderIn('accepted', { checkpointsDone: [idOf('reminder:contact')] });

    // Act
    const next = nextCheckpoint(order, rules, calendar);

    // Assess
    expect(next).toMatchObject({
      id: idOf('deadline:contact'),
      step: 'deadline',
      obligation: 'contact',
      at: at(CONTACT_BY),
    });
  });

  it('returns undefined when every checkpoint was handled or there is none', () => {
    // Prepare
    const all = handlingCheckpoints.map(([name]) => idOf(name));

    // Assess
    expect(nextCheckpoint(orderIn('accepted', { checkpointsDone: all }), rules, calendar)).toBeUndefined();
    expect(nextCheckpoint(orderIn('replied'), rules, calendar)).toBeUndefined();
  });
});

describe('applyDueCheckpoints', () => {
  it('returns undefined before the first checkpoint: nothing is due', () => {
    // Act
    const change = applyDueCheckpoints(orderIn('accepted'), at('2026-12-01T20:16:59.999Z'), rules, calendar);

    // Assess
    expect(change).toBeUndefined();
  });

  it('returns the contact reminder and the missed contact deadline, in time order, with the contact_overdue flag', () => {
    // Prepare
    const order = orderIn('accepted');
    const now = at(CONTACT_BY);

    // Act
    const change = applyDueCheckpoints(order, now, rules, calendar);

    // Assess
    expect(change?.events).toEqual([
      {
        type: 'reminder',
        at: CONTACT_BY,
        actor: workflow,
        data: { obligation: 'contact', deadline: CONTACT_BY, scheduledAt: '2026-12-01T20:17:00.000Z' },
      },
      {
        type: 'deadline_missed',
        at: CONTACT_BY,
        actor: workflow,
        data: { obligation: 'contact', deadline: CONTACT_BY, flag: 'contact_overdue' },
      },
    ]);
    expect(change?.order).toEqual({
      ...order,
      version: order.version + 1,
      flags: ['contact_overdue'],
      checkpointsDone: [idOf('reminder:contact'), idOf('deadline:contact')],
      updatedAt: CONTACT_BY,
    });
  });

  it('returns every due checkpoint once, in time order, with each flag once, when applied long after', () => {
    // Prepare
    const order = orderIn('dispatched');
    const now = at('2026-12-16T00:00:00.000Z');

    // Act
    const change = applyDueCheckpoints(order, now, rules, calendar);

    // Assess
    expect(change?.events.map((e) => [e.type, e.data.obligation ?? null, e.data.step ?? null])).toEqual([
      ['reminder', 'contact', null],
      ['deadline_missed', 'contact', null],
      ['supervision', 'contact', 'urge'],
      ['reminder', 'resolve', null],
      ['supervision', 'contact', 'supervise'],
      ['deadline_missed', 'resolve', null],
      ['supervision', 'resolve', 'urge'],
      ['supervision', 'contact', 'notify'],
      ['supervision', 'resolve', 'supervise'],
      ['supervision', 'resolve', 'notify'],
      // Art. 23: the limit ran out without a reply, so the call-back is due.
      ['callback_due', null, null],
    ]);
    expect(change?.order.flags).toEqual(['contact_overdue', 'urged', 'supervised', 'overdue', 'notified']);
    expect(change?.order.checkpointsDone).toEqual(handlingCheckpoints.map(([name]) => idOf(name)));
    expect(change?.order.callback).toMatchObject({ round: 1, reason: 'limit_expired', state: 'due' });
    expect(change?.order.status).toBe('dispatched');
    expect(change?.order.version).toBe(order.version + 1);
  });

  it('returns a supervision event with the step, the deadline, when it was due and its flag (督办)', () => {
    // Prepare
    const done = handlingCheckpoints.slice(0, 4).map(([name]) => idOf(name));
    const order = orderIn('accepted', { flags: ['contact_overdue', 'urged'], checkpointsDone: done });

    // Act
    const change = applyDueCheckpoints(order, at('2026-12-07T16:00:00.000Z'), rules, calendar);

    // Assess
    expect(change?.events).toEqual([
      {
        type: 'supervision',
        at: '2026-12-07T16:00:00.000Z',
        actor: workflow,
        data: {
          step: 'supervise',
          obligation: 'contact',
          deadline: CONTACT_BY,
          scheduledAt: '2026-12-07T15:59:59.999Z',
          flag: 'supervised',
        },
      },
    ]);
    expect(change?.order.flags).toEqual(['contact_overdue', 'urged', 'supervised']);
  });

  it('returns undefined when applied again at the same time: each checkpoint applies once', () => {
    // Prepare
    const now = at('2026-12-16T00:00:00.000Z');
    const once = applyDueCheckpoints(orderIn('dispatched'), now, rules, calendar);

    // Act
    const twice = once && applyDueCheckpoints(once.order, now, rules, calendar);

    // Assess
    expect(once).toBeDefined();
    expect(twice).toBeUndefined();
  });

  it('returns only what fell due since the last time', () => {
    // Prepare
    const first = applyDueCheckpoints(orderIn('accepted'), at(CONTACT_BY), rules, calendar);

    // Act
    const second = first && applyDueCheckpoints(first.order, at('2026-12-03T01:05:00.000Z'), rules, calendar);

    // Assess
    expect(second?.events.map((e) => [e.type, e.data.step])).toEqual([['supervision', 'urge']]);
    expect(second?.order.flags).toEqual(['contact_overdue', 'urged']);
  });

  it('returns the missed dispatch deadline with the dispatch_overdue flag for an order nobody dispatched', () => {
    // Act
    const change = applyDueCheckpoints(
      orderIn('awaiting_dispatch'),
      at('2026-12-01T16:00:00.000Z'),
      rules,
      calendar,
    );

    // Assess
    expect(change?.events).toEqual([
      {
        type: 'deadline_missed',
        at: '2026-12-01T16:00:00.000Z',
        actor: workflow,
        data: { obligation: 'dispatch', deadline: DISPATCH_BY, flag: 'dispatch_overdue' },
      },
    ]);
    expect(change?.order.flags).toEqual(['dispatch_overdue']);
    expect(change?.order.status).toBe('awaiting_dispatch');
  });

  it('returns no contact checkpoint once the requester was contacted before the deadline', () => {
    // Prepare: the reminder went out at 04:17 CST; the unit called at 08:00 CST
    const reminded = applyDueCheckpoints(
      orderIn('accepted'),
      at('2026-12-01T20:17:00.000Z'),
      rules,
      calendar,
    );
    const contacted =
      reminded && recordContact(reminded.order, lead, at('2026-12-02T00:00:00.000Z'), { way: 'phone' });

    // Act
    const change =
      contacted && applyDueCheckpoints(contacted.order, at('2026-12-04T00:00:00.000Z'), rules, calendar);

    // Assess
    expect(change).toBeUndefined();
    expect(contacted?.order.flags).toEqual([]);
  });

  it('returns fresh checkpoints for a deadline moved by an extension, the old ones left behind', () => {
    // Prepare: contacted; the resolution deadline was missed, then the centre granted 5 more days
    const contacted = orderIn('accepted', { contact: { at: CONTACTED_AT, way: 'phone' } });
    const missed = applyDueCheckpoints(contacted, at('2026-12-08T02:00:00.000Z'), rules, calendar);
    const asked =
      missed &&
      requestExtension(missed.order, lead, at('2026-12-08T03:00:00.000Z'), { days: 5, reason: '需协调' });
    const granted =
      asked && decideExtension(asked.order, dispatcher, at('2026-12-08T04:00:00.000Z'), { approve: true });
    const order = granted?.order as WorkOrder;
    const newDeadline = '2026-12-13T01:05:00.000Z';

    // Act
    const next = nextCheckpoint(order, rules, calendar);
    const beforeNewReminder = applyDueCheckpoints(order, at('2026-12-09T02:00:00.000Z'), rules, calendar);
    const atNewDeadline = applyDueCheckpoints(order, at(newDeadline), rules, calendar);

    // Assess
    expect(missed?.order.flags).toEqual(['overdue']);
    expect(order.deadlines.resolveBy).toBe(newDeadline);
    expect(next).toMatchObject({ id: `reminder:resolve@${newDeadline}`, at: at('2026-12-10T15:29:00.000Z') });
    expect(beforeNewReminder).toBeUndefined(); // the old deadline's urge is gone
    expect(atNewDeadline?.events).toEqual([
      expect.objectContaining({ type: 'reminder', data: expect.objectContaining({ deadline: newDeadline }) }),
      expect.objectContaining({
        type: 'deadline_missed',
        data: expect.objectContaining({ deadline: newDeadline }),
      }),
    ]);
  });

  it("returns the new unit's checkpoints after a re-dispatch, counted from the re-dispatch", () => {
    // Prepare: the first unit objected; the centre re-dispatched at 14:00 CST with new deadlines
    const redispatchedAt = at('2026-12-01T06:00:00.000Z');
    const { order } = decideObjection(orderIn('objected'), dispatcher, redispatchedAt, {
      kind: 'redispatch',
      route: routeTo('st-110101002'),
      deadlines: { contactBy: '2026-12-02T06:00:00.000Z', resolveBy: '2026-12-08T06:00:00.000Z' },
    });

    // Act
    const change = applyDueCheckpoints(order, at('2026-12-02T02:00:00.000Z'), rules, calendar);

    // Assess: the first unit's contact deadline (09:05 CST) no longer applies; the new reminder (09:12) does
    expect(change?.events).toEqual([
      expect.objectContaining({
        type: 'reminder',
        data: {
          obligation: 'contact',
          deadline: '2026-12-02T06:00:00.000Z',
          scheduledAt: iso(redispatchedAt + 0.8 * DAY),
        },
      }),
    ]);
  });
});

describe('nextStep', () => {
  it('returns close for a closed order', () => {
    // Act
    const step = nextStep(orderIn('closed'), at('2026-12-03T00:00:00.000Z'), rules, calendar);

    // Assess
    expect(step).toEqual({ step: 'close', timeoutSeconds: 1, version: 7 });
  });

  it('returns a wait until the next checkpoint, with the version it was computed from', () => {
    // Prepare: 14:00 CST; the contact reminder is due at 04:17 CST tomorrow
    const now = at('2026-12-01T06:00:00.000Z');

    // Act
    const step = nextStep(orderIn('dispatched'), now, rules, calendar);

    // Assess
    expect(step).toEqual({
      step: 'wait',
      timeoutSeconds: 14 * 3600 + 17 * 60,
      version: 3,
      until: '2026-12-01T20:17:00.000Z',
      checkpoint: idOf('reminder:contact'),
    });
  });

  it('returns the seconds rounded up, so that the wait never ends before the checkpoint', () => {
    // Prepare
    const reminderAt = at('2026-12-01T20:17:00.000Z');

    // Act
    const seconds = [1500, 1000, 1].map(
      (ms) => nextStep(orderIn('dispatched'), reminderAt - ms, rules, calendar).timeoutSeconds,
    );

    // Assess
    expect(seconds).toEqual([2, 1, 1]);
  });

  it('returns at least one second for a checkpoint already due', () => {
    // Act
    const step = nextStep(orderIn('dispatched'), at('2026-12-05T00:00:00.000Z'), rules, calendar);

    // Assess
    expect(step).toMatchObject({ step: 'wait', timeoutSeconds: 1, checkpoint: idOf('reminder:contact') });
  });

  it('returns a wait of the idle time from the last change when there is nothing left to supervise', () => {
    // Prepare: replied at 09:00 CST on 2026-12-02; the centre has not reviewed it yet
    const order = orderIn('replied');

    // Act
    const step = nextStep(order, at('2026-12-02T01:00:00.000Z'), rules, calendar);

    // Assess
    expect(step).toEqual({
      step: 'wait',
      timeoutSeconds: 30 * 24 * 3600,
      version: 6,
      until: '2027-01-01T01:00:00.000Z',
    });
  });

  it('returns the idle wait too once every checkpoint of an open order was handled', () => {
    // Prepare
    const all = handlingCheckpoints.map(([name]) => idOf(name));
    const order = orderIn('accepted', { checkpointsDone: all, updatedAt: '2026-12-15T16:00:00.000Z' });

    // Act
    const step = nextStep(order, at('2026-12-15T16:00:00.000Z'), rules, calendar);

    // Assess
    expect(step).toEqual({
      step: 'wait',
      timeoutSeconds: 30 * 24 * 3600,
      version: 4,
      until: '2027-01-14T16:00:00.000Z',
    });
  });
});

describe('applyDueCheckpoints (idle waits)', () => {
  /** Lets the workflow wait as nextStep says and apply what is due, `times` times. */
  const waitIdle = (order: WorkOrder, times: number) => {
    let current = order;
    const changes = [];
    for (let i = 0; i < times; i++) {
      const until = at(nextStep(current, at(current.updatedAt), rules, calendar).until ?? '');
      const change = applyDueCheckpoints(current, until, rules, calendar);
      if (!change) break;
      changes.push(change);
      current = change.order;
    }
    return { order: current, changes };
  };

  it('returns undefined before the idle wait has passed', () => {
    // Act
    const change = applyDueCheckpoints(orderIn('replied'), at('2027-01-01T00:59:59.999Z'), rules, calendar);

    // Assess
    expect(change).toBeUndefined();
  });

  it('returns a stalled event and flag when the idle wait passed with nothing done, the status kept', () => {
    // Prepare
    const order = orderIn('replied');

    // Act
    const change = applyDueCheckpoints(order, at('2027-01-01T01:00:00.000Z'), rules, calendar);

    // Assess
    expect(change?.events).toEqual([
      {
        type: 'stalled',
        at: '2027-01-01T01:00:00.000Z',
        actor: workflow,
        data: { idleWaits: 1, since: order.updatedAt },
      },
    ]);
    expect(change?.order).toMatchObject({
      status: 'replied',
      version: order.version + 1,
      flags: ['stalled'],
      checkpointsDone: ['idle:1@2027-01-01T01:00:00.000Z'],
      updatedAt: '2027-01-01T01:00:00.000Z',
    });
  });

  /** Signed for and contacted, every resolution checkpoint handled: the unit leaves it alone. */
  const leftByItsUnit = (): WorkOrder => {
    const contacted = orderIn('accepted', { contact: { at: CONTACTED_AT, way: 'phone' } });
    const resolveIds = plannedCheckpoints(contacted, rules, calendar).map((c) => c.id);
    return { ...contacted, checkpointsDone: resolveIds };
  };

  it('returns each idle wait counted, and an order its unit leaves alone closed as expired at maxIdleWaits', () => {
    // Act: accepted at 10:00 CST on 12-01; idle waits end 30 days apart
    const { order, changes } = waitIdle(leftByItsUnit(), rules.maxIdleWaits);

    // Assess
    expect(changes.map((c) => c.events.map((e) => e.type))).toEqual([
      ['stalled'],
      ['stalled'],
      ['stalled', 'closed'],
    ]);
    expect(changes.map((c) => c.events[0]?.data.idleWaits)).toEqual([1, 2, 3]);
    expect(changes.at(-1)?.events[1]).toEqual({
      type: 'closed',
      at: '2027-03-01T02:00:00.000Z',
      actor: workflow,
      data: { outcome: 'expired' },
    });
    expect(order).toMatchObject({
      status: 'closed',
      version: 4 + 3,
      closure: { outcome: 'expired' },
      closedAt: '2027-03-01T02:00:00.000Z',
      flags: ['stalled'],
    });
  });

  it('returns nothing more for the expired order: closed, and the next step is close', () => {
    // Prepare
    const { order } = waitIdle(leftByItsUnit(), rules.maxIdleWaits);

    // Act
    const change = applyDueCheckpoints(order, at(order.updatedAt) + 60 * DAY, rules, calendar);
    const step = nextStep(order, at(order.updatedAt), rules, calendar);

    // Assess
    expect(change).toBeUndefined();
    expect(step).toEqual({ step: 'close', timeoutSeconds: 1, version: order.version });
  });

  it('returns an order that waited on its dispatcher closed as expired after the ladder and the idle waits on the centre', () => {
    // Prepare: the dispatch ladder ends on 2026-12-08; twelve idle waits of 30 days follow
    const laddered = applyDueCheckpoints(
      orderIn('awaiting_dispatch'),
      at('2026-12-09T00:00:00.000Z'),
      rules,
      calendar,
    );

    // Act
    const afterUnitWaits = waitIdle(laddered?.order as WorkOrder, rules.maxIdleWaits).order;
    const { order, changes } = waitIdle(laddered?.order as WorkOrder, rules.maxIdleWaitsOnCentre);

    // Assess
    expect(laddered?.order.flags).toEqual(['dispatch_overdue', 'urged', 'supervised', 'notified']);
    expect(afterUnitWaits).toMatchObject({ status: 'awaiting_dispatch', idleWaits: rules.maxIdleWaits });
    expect(changes).toHaveLength(rules.maxIdleWaitsOnCentre);
    expect(order).toMatchObject({ status: 'closed', closure: { outcome: 'expired' } });
  });

  it('returns an order waiting for the centre still open after maxIdleWaits, closed as expired only at maxIdleWaitsOnCentre', () => {
    for (const status of ['replied', 'objected'] as const) {
      // Prepare
      const waiting = orderIn(status);

      // Act
      const almost = waitIdle(waiting, rules.maxIdleWaitsOnCentre - 1);
      const last = applyDueCheckpoints(
        almost.order,
        at(nextStep(almost.order, at(almost.order.updatedAt), rules, calendar).until ?? ''),
        rules,
        calendar,
      );

      // Assess
      expect(
        almost.changes.map((c) => c.events.map((e) => e.type)),
        status,
      ).toEqual(Array.from({ length: rules.maxIdleWaitsOnCentre - 1 }, () => ['stalled']));
      expect(almost.order, status).toMatchObject({
        status,
        idleWaits: rules.maxIdleWaitsOnCentre - 1,
        flags: ['stalled'],
      });
      expect(
        last?.events.map((e) => e.type),
        status,
      ).toEqual(['stalled', 'closed']);
      expect(last?.events[0]?.data.idleWaits, status).toBe(rules.maxIdleWaitsOnCentre);
      expect(last?.order, status).toMatchObject({ status: 'closed', closure: { outcome: 'expired' } });
    }
  });

  it('returns a first idle wait, not an expiry, when people acted since the last idle waits', () => {
    // Prepare: two idle waits on the reply; then the centre rejects it and the unit replies again
    const contacted = orderIn('accepted', { contact: { at: CONTACTED_AT, way: 'phone' } });
    const resolveIds = plannedCheckpoints(contacted, rules, calendar).map((c) => c.id);
    const idle = waitIdle(orderIn('replied', { checkpointsDone: resolveIds }), 2).order;
    const rejected = reviewReply(idle, operator, at('2027-02-01T02:00:00.000Z'), {
      accept: false,
      reason: '未附照片',
      resolveBy: '2027-02-04T15:59:59.999Z',
    });
    const repliedAgain = replyToOrder(rejected.order, {
      result: 'resolved',
      text: '已附照片',
      nowMs: at('2027-02-02T02:00:00.000Z'),
      actor: lead,
    }).order;

    // Act
    const change = applyDueCheckpoints(repliedAgain, at('2027-03-04T02:00:00.000Z'), rules, calendar);

    // Assess
    expect(change?.events.map((e) => e.type)).toEqual(['stalled']);
    expect(change?.events[0]?.data.idleWaits).toBe(1);
    expect(change?.order.status).toBe('replied');
  });
});
