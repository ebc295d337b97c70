import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually, type StackProcess, startStackProcess } from './local-stack-process.ts';
import { complaint, scenario } from './scenario.ts';

/**
 * 回访评价 on the real local stack with the manual clock: a closed order (or a limit run out) goes to
 * the bus, the ScheduleCallbacks rule schedules the call-back on the local EventBridge Scheduler, the
 * schedule opens the operators' task and sends a survey link through the outbox, and the answer — by
 * the operator or by the link — ends the round, counts in assessment and may reopen the order.
 * The clock starts on Tuesday 1 December 2026, 10:00 in Beijing.
 */
let stack: StackProcess;
let s: ReturnType<typeof scenario>;
let operator: string;
let supervisor: string;
let unit: string;
const UNIT = 'st-110105001';

beforeAll(async () => {
  stack = await startStackProcess({ startAt: '2026-12-01T10:00:00+08:00' });
  operator = await stack.token('operator');
  supervisor = await stack.token('supervisor');
  unit = await stack.token('unit', UNIT);
  s = scenario(stack, { operator, auditor: await stack.token('auditor') });
}, 120_000);

afterAll(async () => {
  await stack?.stop();
});

interface Callback {
  round: number;
  state: string;
  reason: string;
  attempts: number;
  firstAttemptAt?: string;
  nextCheckAt?: string;
  answer?: Record<string, unknown>;
}

/** Waits until the order's call-back of `round` is in `state`. */
const untilCallback = (id: string, state: string, round = 1) =>
  eventually(async () => {
    const order = await s.read(id);
    const callback = order.callback as Callback | undefined;
    return callback?.round === round && callback.state === state ? { order, callback } : undefined;
  }, `order ${id}'s call-back of round ${round} to be ${state}`);

/** An order handled to the end of round 1: accepted, contacted, replied, the reply accepted. */
const handledOrder = async (overrides: Record<string, unknown> = {}) => {
  const { id } = await s.create(complaint(overrides));
  await s.untilWaiting(id, 'dispatched');
  await s.step(id, 'accept', unit);
  await s.step(id, 'contact', unit, { way: 'phone' });
  await s.step(id, 'reply', unit, { result: 'resolved', text: '已拆除违建，恢复消防通道。' });
  await s.step(id, 'reply-review', operator, { decision: 'accept' });
  return id;
};

const outboxOf = async (id: string) =>
  (
    (await stack.api('GET', '/_local/outbox')).body.items as { orderId: string; [k: string]: unknown }[]
  ).filter((m) => m.orderId === id);

const schedulesOf = async (id: string) =>
  ((await stack.api('GET', '/_local/schedules')).body.items as { name: string }[]).filter((x) =>
    x.name.includes(id),
  );

const tokenOf = (link: string) => link.split('/').at(-1) ?? '';

/** Moves the clock to the instant the round's next attempt (or final check) is due. */
const toNextCheck = async (callback: Callback) => {
  const due = callback.state === 'scheduled' ? callback.firstAttemptAt : callback.nextCheckAt;
  await s.clock({ set: new Date(Date.parse(due ?? '') + 60_000).toISOString() });
};

const types = async (id: string) => (await s.timeline(id)).map((e) => e.type);

describe('call-backs (回访)', () => {
  it('schedules the call-back when the reply is accepted; a satisfied answer by link ends it, once', async () => {
    // Prepare
    const id = await handledOrder();
    const { callback: scheduled } = await untilCallback(id, 'scheduled');
    expect(await schedulesOf(id)).toEqual([expect.objectContaining({ name: `callback-${id}-r1-a1` })]);

    // Act: the schedule fires — the operators' task and an SMS with the survey link
    await toNextCheck(scheduled);
    const { callback: open } = await untilCallback(id, 'open');
    const [sms] = await outboxOf(id);
    const tasks = await stack.api('GET', '/callbacks', { token: operator });
    const page = await stack.api('GET', `/surveys/${tokenOf(String(sms?.link))}`);
    const answered = await stack.api('POST', `/surveys/${tokenOf(String(sms?.link))}`, {
      body: { contactedInTime: true, solved: 'solved', satisfied: 'satisfied', comment: '很快就处理了' },
    });
    const again = await stack.api('POST', `/surveys/${tokenOf(String(sms?.link))}`, {
      body: { contactedInTime: true, solved: 'solved', satisfied: 'satisfied' },
    });

    // Assess
    expect(open).toMatchObject({ attempts: 1, reason: 'handled' });
    // The number only masked in the outbox: the held message's sealed address is opened by whoever sends it.
    expect(sms).toMatchObject({ channel: 'sms', toMasked: '138****8000', status: 'held', attempt: 1 });
    expect(JSON.stringify(sms)).not.toContain('13800138000');
    expect(String(sms?.text)).toContain(String(sms?.link));
    expect(tasks.body.items).toContainEqual(expect.objectContaining({ orderId: id, round: 1, attempt: 1 }));
    expect(page.status).toBe(200);
    expect(page.body).toMatchObject({ category: expect.any(String), reply: { result: 'resolved' } });
    expect(JSON.stringify(page.body)).not.toContain('13800138000');
    expect(answered.status, JSON.stringify(answered.body)).toBe(200);
    expect(again.status).toBe(410);
    expect(again.body.error.code).toBe('SURVEY_LINK_USED_OR_EXPIRED');
    const { order } = await untilCallback(id, 'answered');
    expect(order.status).toBe('closed');
    expect(order.callback.answer).toMatchObject({ via: 'link', solved: 'solved', satisfied: 'satisfied' });
    const after = await stack.api('GET', '/callbacks', { token: operator });
    expect(after.body.items.map((t: { orderId: string }) => t.orderId)).not.toContain(id);
    expect(await types(id)).toEqual(
      expect.arrayContaining(['callback_due', 'callback_scheduled', 'callback_attempt', 'callback_answered']),
    );

    // Act: days pass — the round's next schedule fires, finds it answered, and does nothing more
    await s.clock({ advance: 'P3D' });
    expect((await types(id)).filter((t) => t.startsWith('callback_'))).toEqual([
      'callback_due',
      'callback_scheduled',
      'callback_attempt',
      'callback_answered',
    ]);
    expect(await outboxOf(id)).toHaveLength(1);
  });

  it('reopens the order to its unit on an unhappy answer; round 2 is its own execution, and closes', async () => {
    // Prepare
    const id = await handledOrder();
    await toNextCheck((await untilCallback(id, 'scheduled')).callback);
    await untilCallback(id, 'open');

    // Act: the operator reaches the requester, who says it is not solved
    const answered = await s.act(id, 'callback', operator, {
      reached: true,
      contactedInTime: true,
      solved: 'not',
      satisfied: 'not',
      comment: '彩钢板房还在',
    });

    // Assess: reopened to the same unit with 3 working days, in a second execution
    expect(answered.status, JSON.stringify(answered.body)).toBe(200);
    expect(answered.body).toMatchObject({ status: 'accepted', round: 2, reopenings: 1, unitId: UNIT });
    const round2 = `${id}-r2`;
    await eventually(async () => {
      const h = await s.history(round2);
      return h.events?.at(-1)?.type === 'TaskSubmitted' ? h : undefined;
    }, 'round 2 to wait for the unit');
    expect((await s.history(id)).status).toBe('SUCCEEDED');

    // Act: the unit redoes it, the centre accepts, the round-2 call-back is satisfied
    await s.act(id, 'reply', unit, { result: 'resolved', text: '已督促拆除，现场复查完毕。' });
    await eventually(async () => ((await s.read(id)).status === 'replied' ? true : undefined), 'replied');
    const closed = await s.act(id, 'reply-review', operator, { decision: 'accept' });
    expect(closed.body.status).toBe('closed');
    await eventually(async () => {
      const h = await s.history(round2);
      return h.status === 'SUCCEEDED' ? h : undefined;
    }, 'round 2 to end');
    await toNextCheck((await untilCallback(id, 'scheduled', 2)).callback);
    await untilCallback(id, 'open', 2);
    const happy = await s.act(id, 'callback', operator, {
      reached: true,
      contactedInTime: true,
      solved: 'solved',
      satisfied: 'basically',
    });

    // Assess
    expect(happy.body).toMatchObject({
      status: 'closed',
      round: 2,
      callback: { round: 2, state: 'answered' },
    });
    const history = await stack.api('GET', `/orders/${id}/execution-history?round=1`, { token: supervisor });
    expect(history.body.executions.map((e: { round: number }) => e.round)).toEqual([1, 2]);
    expect(await types(id)).toEqual(expect.arrayContaining(['reopened', 'callback_answered']));
  });

  it('retries a call-back nobody answers, then marks the requester unreachable', async () => {
    // Prepare
    const id = await handledOrder({
      requester: { kind: 'person', name: '李先生', phone: '13900139000', email: 'li@example.cn' },
    });
    let { callback } = await untilCallback(id, 'scheduled');

    // Act: every attempt runs out without an answer (the operator notes one failed call)
    for (let attempt = 1; attempt <= 3; attempt++) {
      await toNextCheck(callback);
      ({ callback } = await eventually(async () => {
        const found = await untilCallback(id, 'open');
        return found.callback.attempts === attempt ? found : undefined;
      }, `attempt ${attempt}`));
      if (attempt === 1) {
        const noAnswer = await s.act(id, 'callback', operator, { reached: false, note: '无人接听' });
        expect(noAnswer.status, JSON.stringify(noAnswer.body)).toBe(200);
      }
    }
    await toNextCheck(callback);
    const { order } = await untilCallback(id, 'unreachable');

    // Assess: three attempts, each with an SMS and an e-mail, then unreachable; out of the answered rates
    expect(order.status).toBe('closed');
    const messages = await outboxOf(id);
    expect(messages.map((m) => `${m.attempt}:${m.channel}`).sort()).toEqual([
      '1:email',
      '1:sms',
      '2:email',
      '2:sms',
      '3:email',
      '3:sms',
    ]);
    expect((await types(id)).filter((t) => t.startsWith('callback_'))).toEqual([
      'callback_due',
      'callback_scheduled',
      'callback_attempt',
      'callback_not_reached',
      'callback_attempt',
      'callback_attempt',
      'callback_unreachable',
    ]);
    const stale = await stack.api('GET', `/surveys/${tokenOf(String(messages[0]?.link))}`);
    expect(stale.status).toBe(410);
  });

  it('calls back when the limit runs out without a reply (Art. 23), the order staying with its unit', async () => {
    // Prepare: accepted and contacted, never replied; 7 calendar days to resolve
    const { id } = await s.create(complaint());
    const dispatched = await s.untilWaiting(id, 'dispatched');
    await s.step(id, 'accept', unit);
    await s.step(id, 'contact', unit, { way: 'visit' });

    // Act
    await s.clock({ set: new Date(Date.parse(dispatched.deadlines.resolveBy) + 60_000).toISOString() });
    const { callback } = await untilCallback(id, 'scheduled');
    await toNextCheck(callback);
    await untilCallback(id, 'open');
    const answer = await s.act(id, 'callback', operator, {
      reached: true,
      contactedInTime: true,
      solved: 'partly',
      satisfied: 'basically',
    });

    // Assess
    expect(callback.reason).toBe('limit_expired');
    const published = await stack.api('GET', '/_local/events?detailType=WorkOrder%20Limit%20Expired');
    expect(published.body.items).toContainEqual(
      expect.objectContaining({ detail: expect.objectContaining({ orderId: id, outcome: 'limit_expired' }) }),
    );
    expect(answer.status, JSON.stringify(answer.body)).toBe(200);
    expect(answer.body).toMatchObject({ status: 'accepted', callback: { state: 'answered' } });
    expect(answer.body.flags).toContain('overdue');
  });

  it('never calls anonymous requesters or those who declined', async () => {
    // Prepare
    const anonymous = await handledOrder({ requester: { kind: 'person', anonymous: true } });
    const declined = await handledOrder({
      requester: { kind: 'person', name: '赵女士', phone: '13700137000', declinesCallback: true },
    });

    // Act: days pass
    await s.clock({ advance: 'P5D' });

    // Assess: both closed and on the bus, neither scheduled, called or messaged
    const closedEvents = (await stack.api('GET', '/_local/events?detailType=WorkOrder%20Closed')).body.items;
    for (const id of [anonymous, declined]) {
      expect(closedEvents).toContainEqual(
        expect.objectContaining({ detail: expect.objectContaining({ orderId: id }) }),
      );
      const order = await s.read(id);
      expect(order.status).toBe('closed');
      expect(order.callback).toBeUndefined();
      expect((await types(id)).filter((t) => t.startsWith('callback_'))).toEqual([]);
      expect(await schedulesOf(id)).toEqual([]);
      expect(await outboxOf(id)).toEqual([]);
    }
  });

  it('refuses bad answers with a clear error and changes nothing; a browser gets the form and may post it', async () => {
    // Prepare
    const id = await handledOrder();
    const early = await s.act(id, 'callback', operator, {
      reached: true,
      contactedInTime: true,
      solved: 'solved',
      satisfied: 'satisfied',
    });
    await toNextCheck((await untilCallback(id, 'scheduled')).callback);
    const { order: before } = await untilCallback(id, 'open');
    const [sms] = await outboxOf(id);
    const link = `/surveys/${tokenOf(String(sms?.link))}`;

    // Act
    const invalid = await stack.api('POST', link, { body: { contactedInTime: 'yes', solved: 'mostly' } });
    const malformed = await stack.api('POST', link, {
      raw: '{ not json',
      headers: { 'content-type': 'application/json' },
    });
    const plain = await stack.api('POST', link, { raw: 'solved', headers: { 'content-type': 'text/plain' } });
    const badOperator = await s.act(id, 'callback', operator, { reached: true, solved: 'solved' });
    const forged = await stack.api('GET', `/surveys/${id}.${'A'.repeat(32)}`);
    const unchanged = await s.read(id);
    const form = await stack.api('GET', link, { headers: { accept: 'text/html' } });
    const posted = await stack.api('POST', link, {
      raw: 'contactedInTime=false&solved=partly&satisfied=basically&comment=',
      headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'text/html' },
    });

    // Assess
    expect(early.status).toBe(409);
    expect(early.body.error.code).toBe('CALLBACK_NOT_OPEN');
    expect(invalid.status).toBe(400);
    expect(invalid.body.error.code).toBe('VALIDATION_FAILED');
    expect(malformed.body.error.code).toBe('MALFORMED_JSON');
    expect(plain.body.error.code).toBe('UNSUPPORTED_MEDIA_TYPE');
    expect(badOperator.status).toBe(400);
    expect(forged.status).toBe(404);
    expect(unchanged.version).toBe(before.version);
    expect(form.headers.get('content-type')).toContain('text/html');
    expect(String(form.body)).toContain('<form method="post"');
    expect(String(form.body)).not.toContain('13800138000');
    expect(posted.status).toBe(200);
    expect(String(posted.body)).toContain('感谢');
    const { order } = await untilCallback(id, 'answered');
    expect(order.callback.answer).toMatchObject({
      contactedInTime: false,
      solved: 'partly',
      satisfied: 'basically',
      via: 'link',
    });
  });

  it('counts the answers in the unit’s three rates for the CST month', async () => {
    // Act
    const report = await stack.api('GET', `/assessment/units/${UNIT}?month=2026-12`, { token: supervisor });

    // Assess: the six orders above that closed in December — the satisfied one, the reopened one (its
    // round-2 answer counts), the unreachable one, the anonymous and the declined one (response only),
    // the one answered by the HTML form.
    // The order whose limit ran out is still open: it counts once it closes.
    expect(report.status, JSON.stringify(report.body)).toBe(200);
    expect(report.body.counts).toEqual({
      assessed: 6,
      respondedInTime: 5,
      answered: 3,
      solved: 2,
      partlySolved: 1,
      satisfied: 1,
      basicallySatisfied: 2,
      unreachable: 1,
      excluded: 0,
    });
    // The form's requester said they were not contacted in time: their word replaces the unit's record.
    expect(report.body.rates.resolution).toBeCloseTo((2 + 0.6 * 1) / 3, 10);
    expect(report.body.rates.satisfaction).toBeCloseTo((1 + 0.8 * 2) / 3, 10);
  });
});
