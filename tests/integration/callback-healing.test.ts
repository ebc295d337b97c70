import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually, type StackProcess, startStackProcess } from './local-stack-process.ts';
import { complaint, scenario } from './scenario.ts';

/**
 * The call-back reconciler on the real local stack: a call-back attempt whose asynchronous invocation
 * fails past Lambda's retries lands in its failure queue, as on AWS, and nothing else would ever run it;
 * the reconciler (every five minutes) finds the round overdue a quarter of an hour later, schedules the
 * attempt again, and the attempt runs — the operators' task, the SMS — with `callback_rescheduled` in
 * the order's log. The clock starts on Tuesday 1 December 2026, 10:00 in Beijing.
 */
let stack: StackProcess;
let s: ReturnType<typeof scenario>;
let operator: string;
let unit: string;
const UNIT = 'st-110105001';

beforeAll(async () => {
  stack = await startStackProcess({
    startAt: '2026-12-01T10:00:00+08:00',
    callbackReconciler: true,
    // Off at first; the test makes the call-back function fail for a while.
    faults: { rate: 0 },
  });
  operator = await stack.token('operator');
  unit = await stack.token('unit', UNIT);
  s = scenario(stack, { operator, auditor: await stack.token('auditor') });
}, 120_000);

afterAll(async () => {
  await stack?.stop();
});

interface Callback {
  round: number;
  state: string;
  attempts: number;
  firstAttemptAt?: string;
  nextCheckAt?: string;
  reschedules?: number;
}

const callbackOf = async (id: string) => (await s.read(id)).callback as Callback | undefined;

const untilCallback = (id: string, state: string) =>
  eventually(async () => {
    const callback = await callbackOf(id);
    return callback?.state === state ? callback : undefined;
  }, `order ${id}'s call-back to be ${state}`);

const outboxOf = async (id: string) =>
  ((await stack.api('GET', '/_local/outbox')).body.items as { orderId: string; attempt: number }[]).filter(
    (m) => m.orderId === id,
  );

const failedAttemptsOf = async (id: string) =>
  (
    (await stack.api('GET', '/_local/dead-letters')).body.items as {
      asyncInvocation?: string;
      schedule?: string;
    }[]
  ).filter((d) => d.asyncInvocation !== undefined && String(d.schedule).includes(id));

const minutes = (n: number) => n * 60_000;

describe('the call-back reconciler', () => {
  it('schedules again an attempt whose invocation failed past its retries, and the attempt runs', async () => {
    // Prepare: an order handled to its end; its call-back's first attempt scheduled
    const { id } = await s.create(complaint());
    await s.untilWaiting(id, 'dispatched');
    await s.step(id, 'accept', unit);
    await s.step(id, 'contact', unit, { way: 'phone' });
    await s.step(id, 'reply', unit, { result: 'resolved', text: '已拆除违建，恢复消防通道。' });
    await s.step(id, 'reply-review', operator, { decision: 'accept' });
    const scheduled = await untilCallback(id, 'scheduled');
    const firstAttemptAt = Date.parse(scheduled.firstAttemptAt ?? '');

    // Act: the call-back function fails every invocation while the attempt fires and is retried
    // (Lambda's two retries, a minute and two minutes later), then works again
    await stack.api('POST', '/_local/faults', {
      body: { rate: 1, targets: ['lambda:callbackAttempt'], kinds: ['error'], seed: 7 },
    });
    await s.clock({ set: new Date(firstAttemptAt + minutes(5)).toISOString() });
    const failed = await eventually(async () => {
      const found = await failedAttemptsOf(id);
      return found.length > 0 ? found : undefined;
    }, 'the failed attempt in its failure queue');
    const stillScheduled = await callbackOf(id);
    const sentMeanwhile = await outboxOf(id);
    await stack.api('POST', '/_local/faults', { body: { rate: 0 } });
    // …and the reconciler's runs come: overdue after 15 minutes, one run every 5
    await s.clock({ set: new Date(firstAttemptAt + minutes(25)).toISOString() });

    // Assess
    expect(failed).toEqual([
      expect.objectContaining({ asyncInvocation: expect.stringContaining('allback') }),
    ]);
    expect(stillScheduled).toMatchObject({ state: 'scheduled', attempts: 0 });
    expect(sentMeanwhile).toEqual([]);
    const open = await untilCallback(id, 'open');
    expect(open).toMatchObject({ attempts: 1, reschedules: 1 });
    const events = await s.timeline(id);
    const rescheduled = events.filter((e) => e.type === 'callback_rescheduled');
    expect(rescheduled).toEqual([
      expect.objectContaining({
        data: expect.objectContaining({
          round: 1,
          attempt: 1,
          missedAt: scheduled.firstAttemptAt,
          schedule: `callback-${id}-r1-a1-h1`,
          healer: 'reconciler',
        }),
      }),
    ]);
    const types = events.map((e) => e.type);
    expect(types.indexOf('callback_rescheduled')).toBeLessThan(types.indexOf('callback_attempt'));
    expect(await outboxOf(id)).toEqual([expect.objectContaining({ attempt: 1 })]);
    const tasks = await stack.api('GET', '/callbacks', { token: operator });
    expect(tasks.body.items).toContainEqual(expect.objectContaining({ orderId: id, attempt: 1 }));

    // Act: an hour more of reconciler runs, the round waiting for its next attempt in time
    await s.clock({ advance: 'PT1H' });

    // Assess: nothing rescheduled twice, nothing sent twice
    expect((await s.timeline(id)).filter((e) => e.type === 'callback_rescheduled')).toHaveLength(1);
    expect(await outboxOf(id)).toHaveLength(1);
  });
});
