import { describe, expect, it } from 'vitest';
import callbackJson from '#data/callback.json' with { type: 'json' };
import { factsFromCallback } from '#domain/assessment.ts';
import {
  answerCallback,
  attemptScheduleName,
  attemptStep,
  awaitedCallbackStep,
  type CallbackAnswer,
  callbackFallsDue,
  callbackNotReached,
  callbackRescheduled,
  callbackRulesSchema,
  callbackScheduled,
  callbackUnreachable,
  isUnhappy,
  openCallbackAttempt,
  reopenOrder,
  rescheduledAttemptName,
  validLink,
  withinCallingHours,
} from '#domain/callback.ts';
import { HotlineError } from '#domain/errors.ts';
import { reviewReply } from '#domain/unit-actions.ts';
import { orderFlags, type WorkOrder } from '#domain/work-order.ts';
import { at, catchError, DAY, HOUR, iso, operator, orderIn } from './support.ts';

const rules = callbackRulesSchema.parse(callbackJson);
const CLOSED = at('2026-12-02T02:00:00.000Z'); // 10:00 CST
const callbacks = { kind: 'system', name: 'callbacks' } as const;
const happy: CallbackAnswer = { contactedInTime: true, solved: 'solved', satisfied: 'satisfied' };
const unhappy: CallbackAnswer = {
  contactedInTime: false,
  solved: 'not',
  satisfied: 'not',
  comment: '摊贩又回来了',
};

/** The fixture's reply accepted at CLOSED: closed as handled, its call-back due. */
const closedHandled = (): WorkOrder =>
  reviewReply(orderIn('replied'), operator, CLOSED, { accept: true }).order;

/** The call-back of a closed order scheduled, then attempt 1 opened with a link. */
const openRound = (order = closedHandled(), nowMs = CLOSED + 2 * HOUR): WorkOrder => {
  const round = order.callback?.round ?? 1;
  const scheduled =
    callbackScheduled(order, { round, firstAttemptAt: nowMs, schedule: 's1', nowMs: CLOSED })?.order ?? order;
  const opened = openCallbackAttempt(scheduled, {
    round,
    attempt: 1,
    nowMs,
    nextCheckAt: nowMs + DAY,
    link: { hash: 'hash-1', channels: ['sms'] },
  });
  if (!opened) throw new Error('attempt did not open');
  return opened.order;
};

describe('callback rules', () => {
  it('returns the deployment rules: first attempt 2 h after, daily retries, 3 attempts, 09-20 CST, 2 reopenings', () => {
    // Assess
    expect(rules).toMatchObject({
      firstAttemptAfter: { hours: 2 },
      retryAfter: { calendarDays: 1 },
      attempts: 3,
      callingHours: { from: 9, to: 20 },
      maxReopenings: 2,
    });
  });

  it('refuses calling hours that end before they start', () => {
    // Assess
    expect(() => callbackRulesSchema.parse({ ...callbackJson, callingHours: { from: 20, to: 9 } })).toThrow();
    expect(() => callbackRulesSchema.parse({ ...callbackJson, callingHours: { from: 9, to: 9 } })).toThrow(
      'from is before to',
    );
    expect(
      callbackRulesSchema.parse({ ...callbackJson, callingHours: { from: 9, to: 10 } }).callingHours,
    ).toEqual({
      from: 9,
      to: 10,
    });
  });
});

describe('withinCallingHours', () => {
  it('returns the instant itself inside the hours, the same day 09:00 before, the next day 09:00 after', () => {
    // Assess (CST = UTC+8)
    const hours = { from: 9, to: 20 };
    expect(iso(withinCallingHours(at('2026-12-02T03:00:00.000Z'), hours))).toBe('2026-12-02T03:00:00.000Z');
    expect(iso(withinCallingHours(at('2026-12-01T22:30:00.000Z'), hours))).toBe('2026-12-02T01:00:00.000Z');
    expect(iso(withinCallingHours(at('2026-12-02T12:00:00.000Z'), hours))).toBe('2026-12-03T01:00:00.000Z');
  });

  it('returns an attempt due in the first calling hour at that moment, not the next day', () => {
    // Assess: 09:00 and 09:30 CST are inside [09, 20)
    const hours = { from: 9, to: 20 };
    expect(iso(withinCallingHours(at('2026-12-02T01:00:00.000Z'), hours))).toBe('2026-12-02T01:00:00.000Z');
    expect(iso(withinCallingHours(at('2026-12-02T01:30:00.000Z'), hours))).toBe('2026-12-02T01:30:00.000Z');
  });

  it('returns an attempt due in the last calling hour at that moment, and one due at its end the next day', () => {
    // Assess: 19:59 CST is inside, 20:00 CST is not
    const hours = { from: 9, to: 20 };
    expect(iso(withinCallingHours(at('2026-12-02T11:59:00.000Z'), hours))).toBe('2026-12-02T11:59:00.000Z');
    expect(iso(withinCallingHours(at('2026-12-02T12:00:00.000Z'), hours))).toBe('2026-12-03T01:00:00.000Z');
  });

  it('returns the start of the CST day for an attempt just after midnight CST (still the day before in UTC)', () => {
    // Assess: 00:30 CST on 3 Dec is 16:30 UTC on 2 Dec; the hours open 09:00 CST on 3 Dec
    const hours = { from: 9, to: 20 };
    expect(iso(withinCallingHours(at('2026-12-02T16:30:00.000Z'), hours))).toBe('2026-12-03T01:00:00.000Z');
  });
});

describe('callbackFallsDue', () => {
  it('returns the round-1 call-back due with its reason and an event', () => {
    // Act
    const due = callbackFallsDue(orderIn('accepted'), 'limit_expired', CLOSED);

    // Assess
    expect(due?.patch.callback).toEqual({
      round: 1,
      reason: 'limit_expired',
      state: 'due',
      dueAt: iso(CLOSED),
      attempts: 0,
    });
    expect(due?.event).toEqual({
      type: 'callback_due',
      at: iso(CLOSED),
      actor: callbacks,
      data: { round: 1, reason: 'limit_expired' },
    });
  });

  it('returns nothing for an anonymous requester, one who declined, or a round that has its call-back', () => {
    // Prepare
    const order = orderIn('accepted');

    // Assess
    expect(
      callbackFallsDue(
        { ...order, requester: { kind: 'person', anonymous: true, declinesCallback: false } },
        'handled',
        CLOSED,
      ),
    ).toBeUndefined();
    expect(
      callbackFallsDue(
        { ...order, requester: { ...order.requester, declinesCallback: true } },
        'handled',
        CLOSED,
      ),
    ).toBeUndefined();
    expect(callbackFallsDue(closedHandled(), 'handled', CLOSED)).toBeUndefined();
  });
});

describe('the steps of a round', () => {
  it('returns due → scheduled → open, each once, with the attempt, link hash and next check', () => {
    // Prepare
    const order = closedHandled();

    // Act
    const scheduled = callbackScheduled(order, {
      round: 1,
      firstAttemptAt: CLOSED + 2 * HOUR,
      schedule: 's1',
      nowMs: CLOSED,
    });
    const again =
      scheduled &&
      callbackScheduled(scheduled.order, { round: 1, firstAttemptAt: CLOSED, schedule: 's1', nowMs: CLOSED });
    const opened = openRound(order);
    const reopened = openCallbackAttempt(opened, {
      round: 1,
      attempt: 1,
      nowMs: CLOSED + 3 * HOUR,
      nextCheckAt: CLOSED + DAY,
    });

    // Assess
    expect(scheduled?.order.callback).toMatchObject({
      state: 'scheduled',
      firstAttemptAt: iso(CLOSED + 2 * HOUR),
    });
    expect(scheduled?.order.version).toBe(order.version + 1);
    expect(scheduled?.events).toEqual([
      {
        type: 'callback_scheduled',
        at: iso(CLOSED),
        actor: callbacks,
        data: { round: 1, firstAttemptAt: iso(CLOSED + 2 * HOUR), schedule: 's1' },
      },
    ]);
    expect(again).toBeUndefined();
    expect(opened.callback).toMatchObject({
      state: 'open',
      attempts: 1,
      openedAt: iso(CLOSED + 2 * HOUR),
      nextCheckAt: iso(CLOSED + 2 * HOUR + DAY),
      links: [{ hash: 'hash-1', expiresAt: iso(CLOSED + 2 * HOUR + DAY) }],
    });
    expect(reopened).toBeUndefined();
  });

  it('returns the attempt event with its channels: the operator always, and the link where one was sent', () => {
    // Prepare
    const scheduled = callbackScheduled(closedHandled(), {
      round: 1,
      firstAttemptAt: CLOSED + 2 * HOUR,
      schedule: 's1',
      nowMs: CLOSED,
    });
    const order = scheduled?.order ?? closedHandled();

    // Act
    const withLink = openCallbackAttempt(order, {
      round: 1,
      attempt: 1,
      nowMs: CLOSED + 2 * HOUR,
      nextCheckAt: CLOSED + DAY,
      link: { hash: 'hash-1', channels: ['sms', 'email'] },
    });
    const operatorOnly = openCallbackAttempt(order, {
      round: 1,
      attempt: 1,
      nowMs: CLOSED + 2 * HOUR,
      nextCheckAt: CLOSED + DAY,
    });

    // Assess
    expect(withLink?.events).toEqual([
      {
        type: 'callback_attempt',
        at: iso(CLOSED + 2 * HOUR),
        actor: callbacks,
        data: {
          round: 1,
          attempt: 1,
          nextCheckAt: iso(CLOSED + DAY),
          channels: ['operator', 'sms', 'email'],
        },
      },
    ]);
    expect(operatorOnly?.events[0]?.data).toMatchObject({ channels: ['operator'] });
    expect(operatorOnly?.order.callback?.links).toBeUndefined();
  });

  it('returns attempt 1 opened on a round still due: the attempt firing proves its schedule exists', () => {
    // Act
    const opened = openCallbackAttempt(closedHandled(), {
      round: 1,
      attempt: 1,
      nowMs: CLOSED + 2 * HOUR,
      nextCheckAt: CLOSED + DAY,
    });

    // Assess
    expect(opened?.order.callback).toMatchObject({ state: 'open', attempts: 1 });
  });

  it('returns attempt 2 opened on the open round, its link added to the first, both valid until they expire', () => {
    // Prepare
    const first = openRound();

    // Act
    const second = openCallbackAttempt(first, {
      round: 1,
      attempt: 2,
      nowMs: CLOSED + 2 * HOUR + DAY,
      nextCheckAt: CLOSED + 2 * HOUR + 2 * DAY,
      link: { hash: 'hash-2', channels: ['sms'] },
    });

    // Assess
    expect(second?.order.callback).toMatchObject({
      state: 'open',
      attempts: 2,
      openedAt: iso(CLOSED + 2 * HOUR),
      lastAttemptAt: iso(CLOSED + 2 * HOUR + DAY),
      links: [
        { hash: 'hash-1', expiresAt: iso(CLOSED + 2 * HOUR + DAY) },
        { hash: 'hash-2', expiresAt: iso(CLOSED + 2 * HOUR + 2 * DAY) },
      ],
    });
    const order = second?.order ?? first;
    expect(validLink(order, 'hash-2', CLOSED + 3 * HOUR + DAY)).toBe(true);
    expect(validLink(order, 'hash-1', CLOSED + 3 * HOUR + DAY)).toBe(false);
  });

  it('returns nothing for an attempt of another round', () => {
    // Assess
    expect(
      callbackScheduled(closedHandled(), { round: 2, firstAttemptAt: CLOSED, schedule: 's', nowMs: CLOSED }),
    ).toBeUndefined();
    expect(
      openCallbackAttempt(openRound(), { round: 2, attempt: 2, nowMs: CLOSED, nextCheckAt: CLOSED + DAY }),
    ).toBeUndefined();
  });

  it('returns a not-reached note as an event without ending the round', () => {
    // Act
    const { order, events } = callbackNotReached(openRound(), {
      note: '无人接听',
      actor: operator,
      nowMs: CLOSED + 3 * HOUR,
    });

    // Assess
    expect(order.callback?.state).toBe('open');
    expect(events).toEqual([
      {
        type: 'callback_not_reached',
        at: iso(CLOSED + 3 * HOUR),
        actor: operator,
        data: { round: 1, attempt: 1, note: '无人接听' },
      },
    ]);
  });

  it('returns unreachable after the attempts ran out, once', () => {
    // Act
    const change = callbackUnreachable(openRound(), { round: 1, nowMs: CLOSED + 4 * DAY });

    // Assess
    expect(change?.order.callback).toMatchObject({ state: 'unreachable', endedAt: iso(CLOSED + 4 * DAY) });
    expect(change?.events).toEqual([
      {
        type: 'callback_unreachable',
        at: iso(CLOSED + 4 * DAY),
        actor: callbacks,
        data: { round: 1, attempts: 1 },
      },
    ]);
    expect(callbackUnreachable(orderIn('accepted'), { round: 1, nowMs: CLOSED + 4 * DAY })).toBeUndefined();
    expect(
      change && callbackUnreachable(change.order, { round: 1, nowMs: CLOSED + 5 * DAY }),
    ).toBeUndefined();
  });
});

describe('attemptStep', () => {
  const opened = () => openRound().callback;

  it('opens attempts 1 to rules.attempts, and makes the one after the last the final check (unreachable)', () => {
    // Prepare: the configured rules, with three attempts
    const callback = opened();
    expect(rules.attempts).toBe(3);

    // Act
    const steps = [1, 2, 3, 4, 5].map((attempt) => attemptStep(callback, { round: 1, attempt }, rules));

    // Assess: attempt 3 still opens; 4 (and a stray 5) is the check after the last ran out
    expect(steps).toEqual(['open', 'open', 'open', 'unreachable', 'unreachable']);
  });

  it('follows the configured number of attempts, not a fixed one', () => {
    // Act
    const steps = [1, 2].map((attempt) => attemptStep(opened(), { round: 1, attempt }, { attempts: 1 }));

    // Assess
    expect(steps).toEqual(['open', 'unreachable']);
  });

  it('opens the first attempt of a round only scheduled or just due', () => {
    // Prepare
    const due = closedHandled();
    const scheduled = callbackScheduled(due, {
      round: 1,
      firstAttemptAt: CLOSED,
      schedule: 's1',
      nowMs: CLOSED,
    })?.order;

    // Act, Assess
    expect(attemptStep(due.callback, { round: 1, attempt: 1 }, rules)).toBe('open');
    expect(attemptStep(scheduled?.callback, { round: 1, attempt: 1 }, rules)).toBe('open');
  });

  it('only settles a round that was answered or found unreachable, whichever attempt fires', () => {
    // Prepare
    const answered = answerCallback(openRound(), {
      answer: happy,
      via: 'operator',
      actor: operator,
      nowMs: CLOSED + DAY,
      maxReopenings: 2,
      resolveBy: CLOSED + 5 * DAY,
    });
    const unreachable = callbackUnreachable(openRound(), { round: 1, nowMs: CLOSED + 4 * DAY });

    // Act, Assess
    for (const callback of [answered.order.callback, unreachable?.order.callback]) {
      expect(callback?.state).toMatch(/^(answered|unreachable)$/);
      expect(attemptStep(callback, { round: 1, attempt: 2 }, rules)).toBe('settle');
      expect(attemptStep(callback, { round: 1, attempt: 4 }, rules)).toBe('settle');
    }
  });

  it('does nothing for a round the order is no longer in, or an order without a call-back', () => {
    // Act, Assess: round 2 fires while the order is in round 1, and the reverse
    expect(attemptStep(opened(), { round: 2, attempt: 1 }, rules)).toBe('superseded');
    expect(
      attemptStep(
        { ...(opened() as NonNullable<ReturnType<typeof opened>>), round: 2 },
        { round: 1, attempt: 4 },
        rules,
      ),
    ).toBe('superseded');
    expect(attemptStep(undefined, { round: 1, attempt: 1 }, rules)).toBe('superseded');
  });
});

describe('validLink', () => {
  it('returns true for a sent link of the open round before it expires, false after, unknown or answered', () => {
    // Prepare
    const open = openRound();
    const answered = answerCallback(open, {
      answer: happy,
      via: 'link',
      actor: { kind: 'requester', via: 'survey_link' },
      nowMs: CLOSED + 3 * HOUR,
      maxReopenings: 2,
      resolveBy: CLOSED + 5 * DAY,
    }).order;

    // Assess
    expect(validLink(open, 'hash-1', CLOSED + 3 * HOUR)).toBe(true);
    expect(validLink(open, 'hash-1', CLOSED + 2 * HOUR + DAY)).toBe(false);
    expect(validLink(open, 'hash-2', CLOSED + 3 * HOUR)).toBe(false);
    expect(validLink(answered, 'hash-1', CLOSED + 3 * HOUR)).toBe(false);
    expect(validLink(orderIn('accepted'), 'hash-1', CLOSED + 3 * HOUR)).toBe(false);
    const { links: _none, ...withoutLinks } = open.callback ?? { round: 1 };
    expect(validLink({ ...open, callback: withoutLinks } as WorkOrder, 'hash-1', CLOSED + 3 * HOUR)).toBe(
      false,
    );
  });
});

describe('answerCallback', () => {
  const answer = (order: WorkOrder, given: CallbackAnswer, maxReopenings = 2) =>
    answerCallback(order, {
      answer: given,
      via: 'operator',
      actor: operator,
      nowMs: CLOSED + 3 * HOUR,
      maxReopenings,
      resolveBy: CLOSED + 5 * DAY,
    });

  it('returns the round answered and the order still closed for a happy answer', () => {
    // Act
    const { order, events } = answer(openRound(), happy);

    // Assess
    expect(order.status).toBe('closed');
    expect(order.callback).toMatchObject({
      state: 'answered',
      answer: { ...happy, via: 'operator', at: iso(CLOSED + 3 * HOUR) },
    });
    expect(events.map((e) => e.type)).toEqual(['callback_answered']);
  });

  it('returns the order reopened to its unit in round 2 with the short limit for an unhappy answer', () => {
    // Prepare
    const open = openRound();

    // Act
    const { order, events } = answer(open, unhappy);

    // Assess
    expect(order).toMatchObject({
      status: 'accepted',
      round: 2,
      reopenings: 1,
      unitId: open.unitId,
      version: open.version + 1,
      deadlines: { ...open.deadlines, resolveBy: iso(CLOSED + 5 * DAY) },
      callback: { round: 1, state: 'answered' },
    });
    expect(order.reply).toBeUndefined();
    expect(order.closedAt).toBeUndefined();
    expect(order.closure).toBeUndefined();
    expect(events.map((e) => e.type)).toEqual(['callback_answered', 'reopened']);
    expect(events[1]?.data).toMatchObject({ round: 2, resolveBy: iso(CLOSED + 5 * DAY) });
  });

  it('returns "partly solved but satisfied" as not unhappy: only "not" reopens', () => {
    // Assess
    expect(isUnhappy({ solved: 'partly', satisfied: 'basically' })).toBe(false);
    expect(isUnhappy({ solved: 'solved', satisfied: 'not' })).toBe(true);
    expect(isUnhappy({ solved: 'not', satisfied: 'satisfied' })).toBe(true);
  });

  it('returns the answer only, with reopen_limit_reached, once the order was reopened maxReopenings times', () => {
    // Prepare: the third round closed (two reopenings) and its call-back due
    const { callback: _round1, ...closed } = closedHandled();
    const third = { ...closed, round: 3, reopenings: 2 } as WorkOrder;
    const due = callbackFallsDue(third, 'handled', CLOSED);
    const open = openRound({ ...third, ...due?.patch } as WorkOrder);

    // Act
    const { order, events } = answer(open, unhappy);

    // Assess
    expect(order.status).toBe('closed');
    expect(order.round).toBe(3);
    expect(events.map((e) => e.type)).toEqual(['callback_answered', 'reopen_limit_reached']);
    expect(events[1]?.data).toEqual({ round: 3, reopenings: 2, maxReopenings: 2 });
  });

  it('returns an unhappy answer about an order still open (limit expired) recorded, the order left with its unit', () => {
    // Prepare
    const accepted = orderIn('accepted');
    const due = callbackFallsDue(accepted, 'limit_expired', CLOSED);
    const open = openRound({ ...accepted, ...due?.patch } as WorkOrder);

    // Act
    const { order, events } = answer(open, unhappy);

    // Assess
    expect(order.status).toBe('accepted');
    expect(order.round).toBeUndefined();
    expect(events.map((e) => e.type)).toEqual(['callback_answered']);
  });

  it('refuses an answer when no round is open, with 409 CALLBACK_NOT_OPEN', () => {
    // Assess
    expect(() => answer(closedHandled(), happy)).toThrow(HotlineError);
    expect(() => answer(closedHandled(), happy)).toThrow(/due, not open/);
    expect(() => answer(orderIn('accepted'), happy)).toThrow(/no call-back/);
    expect(catchError(() => answer(closedHandled(), happy))).toMatchObject({
      kind: 'conflict',
      code: 'CALLBACK_NOT_OPEN',
      details: { state: 'due' },
    });
    expect(catchError(() => answer(orderIn('accepted'), happy))).toMatchObject({ details: { state: null } });
  });
});

describe('reopenOrder', () => {
  const reopen = (order: WorkOrder) =>
    reopenOrder({ order, events: [] }, { nowMs: CLOSED + 3 * HOUR, resolveBy: CLOSED + 5 * DAY });

  it('returns only the lateness in responding kept: dispatch_overdue and contact_overdue stay, the rest goes', () => {
    // Prepare: a round that missed every deadline, climbed the whole ladder and stalled
    const order = { ...closedHandled(), flags: [...orderFlags] };

    // Act
    const { order: reopened } = reopen(order);

    // Assess: the response counts for the unit's assessment; the new round starts with no handling flag
    expect(reopened.flags).toEqual(['dispatch_overdue', 'contact_overdue']);
  });

  it('returns each lateness flag kept on its own, and no flag on an order closed without one', () => {
    // Prepare
    const closed = closedHandled();

    // Act
    const lateContact = reopen({ ...closed, flags: ['contact_overdue', 'overdue', 'urged'] }).order;
    const lateDispatch = reopen({ ...closed, flags: ['supervised', 'dispatch_overdue', 'notified'] }).order;
    const onTime = reopen({ ...closed, flags: ['stalled'] }).order;

    // Assess
    expect(lateContact.flags).toEqual(['contact_overdue']);
    expect(lateDispatch.flags).toEqual(['dispatch_overdue']);
    expect(onTime.flags).toEqual([]);
  });

  it('returns a new round with the short limit, the idle count reset and the closing and pending request gone', () => {
    // Prepare
    const closed: WorkOrder = {
      ...closedHandled(),
      round: 2,
      reopenings: 1,
      idleWaits: 2,
      pendingExtension: {
        days: 3,
        reason: '需协调',
        at: iso(CLOSED),
        by: 'st-1',
        proposedResolveBy: iso(CLOSED),
      },
    };

    // Act
    const { order, events } = reopen(closed);

    // Assess
    expect(order).toMatchObject({
      status: 'accepted',
      round: 3,
      reopenings: 2,
      idleWaits: 0,
      version: closed.version + 1,
      updatedAt: iso(CLOSED + 3 * HOUR),
      deadlines: { ...closed.deadlines, resolveBy: iso(CLOSED + 5 * DAY) },
    });
    for (const gone of ['reply', 'closedAt', 'closure', 'pendingExtension'] as const) {
      expect(order[gone]).toBeUndefined();
    }
    expect(events).toEqual([
      {
        type: 'reopened',
        at: iso(CLOSED + 3 * HOUR),
        actor: callbacks,
        data: {
          round: 3,
          unitId: closed.unitId,
          resolveBy: iso(CLOSED + 5 * DAY),
          previousClosedAt: closed.closedAt,
        },
      },
    ]);
  });

  it('rejects reopening an order that is not closed with 409 ACTION_NOT_ALLOWED', () => {
    // Assess
    expect(() => reopen(orderIn('replied'))).toThrow(/Cannot reopen an order that is replied/);
  });
});

describe('factsFromCallback', () => {
  it('returns the answer and, in round 1, the requester’s word on contact, with ids per round', () => {
    // Prepare
    const { order } = answerCallback(openRound(), {
      answer: unhappy,
      via: 'link',
      actor: { kind: 'requester', via: 'survey_link' },
      nowMs: CLOSED + 3 * HOUR,
      maxReopenings: 2,
      resolveBy: CLOSED + 5 * DAY,
    });

    // Act
    const facts = order.callback ? factsFromCallback(order.id, order.callback) : [];

    // Assess
    expect(facts).toEqual([
      {
        orderId: order.id,
        eventId: `${order.id}#callback@r1#answer`,
        seq: CLOSED + 3 * HOUR,
        kind: 'callback',
        solved: 'not',
        satisfied: 'not',
      },
      {
        orderId: order.id,
        eventId: `${order.id}#callback@r1#contact`,
        seq: CLOSED + 3 * HOUR,
        kind: 'contact',
        withinLimit: false,
        source: 'requester',
      },
    ]);
  });

  it('returns "unreachable" for a round that ran out, and nothing for a round still open', () => {
    // Prepare
    const open = openRound();
    const unreachable = callbackUnreachable(open, { round: 1, nowMs: CLOSED + 4 * DAY })?.order;

    // Assess
    expect(unreachable?.callback && factsFromCallback(open.id, unreachable.callback)).toEqual([
      {
        orderId: open.id,
        eventId: `${open.id}#callback@r1#unreachable`,
        seq: CLOSED + 4 * DAY,
        kind: 'unreachable',
      },
    ]);
    expect(open.callback && factsFromCallback(open.id, open.callback)).toEqual([]);
  });
});

describe('attemptScheduleName', () => {
  it('returns a Scheduler-valid name of at most 64 characters', () => {
    // Act
    const name = attemptScheduleName('WO01KBAAAAAAAAAAAAAAAAAAAAAA', 3, 4);

    // Assess
    expect(name).toBe('callback-WO01KBAAAAAAAAAAAAAAAAAAAAAA-r3-a4');
    expect(name).toMatch(/^[0-9a-zA-Z-_.]{1,64}$/);
  });
});

describe('awaitedCallbackStep', () => {
  it('returns the first schedule for a round due, since it fell due', () => {
    const due = closedHandled().callback;
    expect(awaitedCallbackStep(due)).toEqual({ kind: 'schedule', round: 1, since: iso(CLOSED) });
  });

  it('returns attempt 1 for a scheduled round, since its first attempt is due', () => {
    const order = callbackScheduled(closedHandled(), {
      round: 1,
      firstAttemptAt: CLOSED + 2 * HOUR,
      schedule: 's1',
      nowMs: CLOSED,
    })?.order;
    expect(awaitedCallbackStep(order?.callback)).toEqual({
      kind: 'attempt',
      round: 1,
      attempt: 1,
      since: iso(CLOSED + 2 * HOUR),
    });
  });

  it('returns the next attempt (or the final check) of an open round, since its next check', () => {
    const open = openRound().callback;
    expect(awaitedCallbackStep(open)).toEqual({
      kind: 'attempt',
      round: 1,
      attempt: 2,
      since: iso(CLOSED + 2 * HOUR + DAY),
    });
    expect(awaitedCallbackStep(open && { ...open, attempts: 3 })).toMatchObject({ attempt: 4 });
  });

  it('returns nothing for an ended round, a round without its time, and no call-back', () => {
    const open = openRound().callback;
    if (!open) throw new Error('no round');
    const ended = (['answered', 'unreachable'] as const).map((state) =>
      awaitedCallbackStep({ ...open, state }),
    );
    const { nextCheckAt: _n, firstAttemptAt: _f, ...timeless } = open;
    expect([...ended, awaitedCallbackStep(timeless), awaitedCallbackStep(undefined)]).toEqual([
      undefined,
      undefined,
      undefined,
      undefined,
    ]);
  });
});

describe('callbackRescheduled', () => {
  const NOW = CLOSED + 2 * HOUR + DAY + HOUR;

  it('makes the round wait for the new schedule, counts it, and logs what was missed', () => {
    // Prepare
    const order = openRound();

    // Act
    const change = callbackRescheduled(order, {
      round: 1,
      attempt: 2,
      atMs: NOW + 60_000,
      schedule: 'callback-x-r1-a2-h1',
      nowMs: NOW,
    });
    const again =
      change &&
      callbackRescheduled(change.order, {
        round: 1,
        attempt: 2,
        atMs: NOW + 120_000,
        schedule: 'h2',
        nowMs: NOW,
      });

    // Assess
    expect(change?.order.callback).toEqual({
      ...order.callback,
      nextCheckAt: iso(NOW + 60_000),
      reschedules: 1,
    });
    expect(change?.order.version).toBe(order.version + 1);
    expect(change?.events).toEqual([
      {
        type: 'callback_rescheduled',
        at: iso(NOW),
        actor: callbacks,
        data: {
          round: 1,
          attempt: 2,
          missedAt: iso(CLOSED + 2 * HOUR + DAY),
          nextCheckAt: iso(NOW + 60_000),
          schedule: 'callback-x-r1-a2-h1',
          healer: 'reconciler',
        },
      },
    ]);
    expect(again?.order.callback?.reschedules).toBe(2);
  });

  it('returns nothing for another attempt, another round, an ended round or no call-back', () => {
    const order = openRound();
    const args = { round: 1, attempt: 2, atMs: NOW, schedule: 's', nowMs: NOW };
    const callback = order.callback;
    if (!callback) throw new Error('no round');
    expect([
      callbackRescheduled(order, { ...args, attempt: 1 }),
      callbackRescheduled(order, { ...args, attempt: 3 }),
      callbackRescheduled(order, { ...args, round: 2 }),
      callbackRescheduled({ ...order, callback: { ...callback, state: 'answered' } }, args),
      callbackRescheduled(closedHandled(), args),
      callbackRescheduled(orderIn('closed'), args),
    ]).toEqual([undefined, undefined, undefined, undefined, undefined, undefined]);
  });

  it('names each reschedule of an attempt apart from the attempt schedule, within 64 characters', () => {
    const id = `WO${'0'.repeat(26)}`;
    const names = [1, 2].map((n) => rescheduledAttemptName(id, 3, 4, n));
    expect(names).toEqual([`callback-${id}-r3-a4-h1`, `callback-${id}-r3-a4-h2`]);
    expect(names).not.toContain(attemptScheduleName(id, 3, 4));
    expect(Math.max(...names.map((n) => n.length))).toBeLessThanOrEqual(64);
  });
});
