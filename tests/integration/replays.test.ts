import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  answerCallbacks,
  type BusyDay,
  busyDay,
  expectDayReconciles,
  handleOrders,
  receiveContacts,
} from './busy-day.ts';
import { type StackProcess, startStackProcess } from './local-stack-process.ts';

/**
 * Everything twice or three times: every request is sent 2-3 times at once with its Idempotency-Key,
 * and every asynchronous delivery (bus targets, schedules, stream batches) is delivered 2-3 times, the
 * copies later and so out of order (local/fault-injection.ts `redeliveries`). No order, event,
 * schedule, survey message or count may be doubled.
 */
const ORDERS = 10;

let stack: StackProcess;
let day: BusyDay;

beforeAll(async () => {
  stack = await startStackProcess({
    startAt: '2026-12-07T08:00:00+08:00',
    faults: { rate: 0 },
    lifecycleReconciler: true,
    callbackReconciler: true,
  });
  expect(
    (await stack.api('POST', '/_local/faults', { body: { rate: 0, redeliveries: 1, seed: 11 } })).status,
  ).toBe(200);
  day = await busyDay(stack, { copies: 3 });
}, 120_000);

afterAll(async () => {
  await stack?.stop();
});

describe('every request and every event delivered more than once', () => {
  it('makes one order per contact and one of every fact, schedule, message and count', async () => {
    // Act
    const ids = await receiveContacts(day, ORDERS);
    await handleOrders(day, ids);
    await answerCallbacks(day, ids);
    await stack.api('POST', '/_local/clock', { body: { advance: 'PT1H' } });
    const report = (await stack.api('GET', '/_local/faults')).body;

    // Assess
    expect(new Set(ids).size).toBe(ORDERS);
    await expectDayReconciles(day, ids);
    expect(report.redelivered).toBeGreaterThan(ORDERS * 4);
    console.info(`replays: ${ids.length} orders, ${report.redelivered} extra deliveries, nothing doubled`);
  }, 900_000);
});
