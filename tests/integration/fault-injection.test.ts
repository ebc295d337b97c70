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
 * A busy day with faults: 10 % of handler invocations (API, workflow tasks, bus targets, schedules,
 * stream consumers) and of the handlers' DynamoDB calls fail at random — throttled, thrown before or
 * after the work was done, timed out after the write went through (local/fault-injection.ts). The
 * clients retry what was left unanswered with the same Idempotency-Key (tests/integration/busy-day.ts).
 * At the end of the day no acknowledged order is lost or stuck, every one is in a valid state with an
 * intact log, and every unit's assessment counters are what the logs say: a counter update the bus
 * lost is made up by the table stream's FollowOrderLogs, which applies the facts the log implies.
 */
const ORDERS = 24;

let stack: StackProcess;
let day: BusyDay;

beforeAll(async () => {
  stack = await startStackProcess({
    startAt: '2026-12-07T08:00:00+08:00',
    faults: { rate: 0.1, seed: 20261207 },
    lifecycleReconciler: true,
    callbackReconciler: true,
  });
  day = await busyDay(stack);
}, 120_000);

afterAll(async () => {
  await stack?.stop();
});

describe('a busy day with 10 % of the calls failing', () => {
  it('loses no order, leaves none stuck, doubles nothing and counts what the logs say', async () => {
    // Act: the day's contacts, their handling, the call-backs, all under faults
    const ids = await receiveContacts(day, ORDERS);
    await handleOrders(day, ids);
    await answerCallbacks(day, ids);

    // Settle: faults off, then an hour for retries, redeliveries and the reconciler
    const report = (await stack.api('GET', '/_local/faults')).body;
    await stack.api('POST', '/_local/faults', { body: { rate: 0 } });
    await stack.api('POST', '/_local/clock', { body: { advance: 'PT1H' } });

    // Assess
    expect(ids).toHaveLength(ORDERS);
    await expectDayReconciles(day, ids);
    expect(report.injected).toBeGreaterThan(20);
    expect(Object.keys(report.byTarget)).toEqual(expect.arrayContaining(['dynamodb', 'lambda:createOrder']));
    console.info(
      `fault injection: ${report.calls} calls, ${report.injected} faults injected ` +
        `(${JSON.stringify(report.byTarget)}), ${day.clientRetries} client retries, ${ids.length} orders, 0 lost, 0 stuck`,
    );
  }, 900_000);
});
