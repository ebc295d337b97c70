import { TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import { CreateScheduleCommand } from '@aws-sdk/client-scheduler';
import {
  PutCommand,
  QueryCommand,
  type QueryCommandInput,
  TransactWriteCommand,
} from '@aws-sdk/lib-dynamodb';
import { beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { CallbackRound } from '#domain/callback.ts';
import type { OrderEvent } from '#domain/order-events.ts';
import type { WorkOrder } from '#domain/work-order.ts';
import { callbackHealing } from '#wiring/wiring.ts';
import { orderIn } from '../domain/support.ts';
import {
  callbackEnvironment,
  type Item,
  lambdaContext,
  mockedCallbackAws,
  storedOrderItems,
  transactItems,
} from './support.ts';

/** 10:00 CST on 2026-12-02: within calling hours, so a reschedule comes a minute later. */
const NOW = Date.parse('2026-12-02T02:00:00.000Z');
const MINUTE = 60_000;
const DAY_MS = 24 * 60 * MINUTE;
const iso = (ms: number) => new Date(ms).toISOString();
const context = lambdaContext('reconcile-callbacks');
const { ddb, scheduler } = mockedCallbackAws(NOW);

type Handler = typeof import('../../../functions/events/reconcile-callbacks.ts')['handler'];
let handler: Handler;
beforeAll(async () => {
  ({ handler } = await import('../../../functions/events/reconcile-callbacks.ts'));
});

const idOf = (n: number) => `WO01KBCBRECON${String(n).padStart(15, '0')}`;
const round = { round: 1, reason: 'handled', dueAt: iso(NOW - 5 * 60 * MINUTE) } as const;

/** A closed order whose round-1 call-back is as given. */
const orderWith = (n: number, callback: CallbackRound): WorkOrder => ({
  ...orderIn('closed'),
  id: idOf(n),
  callback,
});
const scheduledSince = (n: number, ms: number, extra: Partial<CallbackRound> = {}) =>
  orderWith(n, {
    ...round,
    state: 'scheduled',
    attempts: 0,
    firstAttemptAt: iso(ms),
    nextCheckAt: iso(ms),
    ...extra,
  });
const openSince = (n: number, ms: number) =>
  orderWith(n, {
    ...round,
    state: 'open',
    attempts: 1,
    firstAttemptAt: iso(NOW - DAY_MS),
    openedAt: iso(NOW - DAY_MS),
    lastAttemptAt: iso(NOW - DAY_MS),
    nextCheckAt: iso(ms),
  });

/**
 * The table: the orders (read by their partition) and what byCallbackStep lists (`listed`: the index
 * lags, so an entry may name an order whose round moved on). `orders` may be replaced meanwhile.
 */
const serveTable = (state: { orders: WorkOrder[] }, listed: readonly string[]) => {
  ddb.on(QueryCommand).callsFake((input: QueryCommandInput) => {
    const values = input.ExpressionAttributeValues ?? {};
    if (input.IndexName === 'byCallbackStep') {
      return Promise.resolve({ Items: listed.map((id) => ({ gsi5sk: `x#${id}`, status: 'closed' })) });
    }
    const items: Item[] = state.orders.flatMap((o) => storedOrderItems(o));
    return Promise.resolve({ Items: structuredClone(items.filter((i) => i.pk === values[':pk'])) });
  });
};

const createdSchedules = () => scheduler.commandCalls(CreateScheduleCommand).map((c) => c.args[0].input);
const savedEvents = (): OrderEvent[] =>
  ddb
    .commandCalls(TransactWriteCommand)
    .flatMap((_c, i) => transactItems(ddb, i))
    .flatMap((item) => (item.Put?.Item.type === 'event' ? [item.Put.Item.event as OrderEvent] : []));

beforeEach(() => {
  ddb.on(TransactWriteCommand).resolves({});
  ddb.on(PutCommand).resolves({});
});

describe('the call-back reconciler (reconcile-callbacks)', () => {
  it('schedules again the attempts overdue, schedules a round never scheduled, and leaves one current', async () => {
    // Prepare: attempt 1 missed 30 minutes ago; attempt 2 missed 20 minutes ago; a round due an hour
    // without its schedule; and a round the index still lists whose next attempt is in time now
    const state = {
      orders: [
        scheduledSince(1, NOW - 30 * MINUTE),
        openSince(2, NOW - 20 * MINUTE),
        orderWith(3, { ...round, state: 'due', attempts: 0, dueAt: iso(NOW - 60 * MINUTE) }),
        openSince(4, NOW + DAY_MS),
      ],
    };
    serveTable(state, [idOf(1), idOf(2), idOf(3), idOf(4)]);

    // Act
    const report = await handler({ job: 'reconcile-callbacks' }, context);

    // Assess: the index read over [cut-off - lookback, cut-off)
    const cutoff = NOW - callbackHealing.reconciler.overdueAfterSeconds * 1000;
    const query = ddb.commandCalls(QueryCommand).find((c) => c.args[0].input.IndexName === 'byCallbackStep');
    expect(query?.args[0].input.ExpressionAttributeValues).toEqual({
      ':pk': 'CALLBACK#AWAITED',
      ':from': iso(cutoff - callbackHealing.reconciler.lookbackHours * 3_600_000),
      ':before': iso(cutoff),
    });
    // (orders are reconciled five at a time: the lists are in the order they finished)
    expect({ ...report, rescheduled: [...report.rescheduled].sort() }).toEqual({
      examined: 4,
      scheduled: [idOf(3)],
      rescheduled: [idOf(1), idOf(2)],
      stuck: [],
      failed: [],
      truncated: false,
    });
    const schedules = createdSchedules();
    const named = (name: string) => schedules.find((s) => s.Name === name);
    expect(named(`callback-${idOf(1)}-r1-a1-h1`)).toMatchObject({
      GroupName: callbackEnvironment.SCHEDULE_GROUP,
      ScheduleExpression: `at(${iso(NOW + MINUTE).slice(0, 19)})`,
      Target: {
        Arn: callbackEnvironment.CALLBACK_TARGET_ARN,
        Input: JSON.stringify({ orderId: idOf(1), round: 1, attempt: 1 }),
      },
    });
    expect(named(`callback-${idOf(2)}-r1-a2-h1`)?.Target?.Input).toBe(
      JSON.stringify({ orderId: idOf(2), round: 1, attempt: 2 }),
    );
    expect(named(`callback-${idOf(3)}-r1-a1`)).toBeDefined();
    expect(schedules).toHaveLength(3);
    const events = savedEvents();
    expect(events.filter((e) => e.type === 'callback_rescheduled').map((e) => [e.orderId, e.data])).toEqual(
      expect.arrayContaining([
        [
          idOf(1),
          {
            round: 1,
            attempt: 1,
            missedAt: iso(NOW - 30 * MINUTE),
            nextCheckAt: iso(NOW + MINUTE),
            schedule: `callback-${idOf(1)}-r1-a1-h1`,
            healer: 'reconciler',
          },
        ],
        [idOf(2), expect.objectContaining({ attempt: 2, missedAt: iso(NOW - 20 * MINUTE) })],
      ]),
    );
    expect(events.filter((e) => e.type === 'callback_scheduled').map((e) => e.orderId)).toEqual([idOf(3)]);
    expect(events).toHaveLength(3);
    // The operators' task of the open round shows when its next attempt comes
    const tasks = ddb.commandCalls(PutCommand).map((c) => c.args[0].input.Item?.task);
    expect(tasks).toEqual([expect.objectContaining({ orderId: idOf(2), nextCheckAt: iso(NOW + MINUTE) })]);
  });

  it('leaves a round rescheduled the most times alone and reports it stuck', async () => {
    // Prepare
    const stuck = scheduledSince(5, NOW - 30 * MINUTE, {
      reschedules: callbackHealing.reconciler.maxReschedules,
    });
    serveTable({ orders: [stuck] }, [stuck.id]);

    // Act
    const report = await handler({}, context);

    // Assess
    expect(report).toMatchObject({ examined: 1, rescheduled: [], stuck: [stuck.id], failed: [] });
    expect(createdSchedules()).toEqual([]);
    expect(ddb.commandCalls(TransactWriteCommand)).toHaveLength(0);
  });

  it('counts a reschedule lost to a firing that came meanwhile as current, with no second schedule', async () => {
    // Prepare: the save loses its version check; read again, the attempt has opened
    const missed = scheduledSince(6, NOW - 30 * MINUTE);
    const state = { orders: [missed] };
    serveTable(state, [missed.id]);
    ddb.on(TransactWriteCommand).callsFake(() => {
      state.orders = [{ ...openSince(6, NOW + DAY_MS), version: missed.version + 1 }];
      return Promise.reject(
        new TransactionCanceledException({
          message: 'Transaction cancelled',
          $metadata: {},
          CancellationReasons: [{ Code: 'ConditionalCheckFailed' }],
        }),
      );
    });

    // Act
    const report = await handler({}, context);

    // Assess
    expect(report).toMatchObject({ examined: 1, rescheduled: [], stuck: [], failed: [] });
    expect(createdSchedules().map((s) => s.Name)).toEqual([`callback-${missed.id}-r1-a1-h1`]);
  });

  it('does the rest when one order cannot be reconciled, then fails the run so that Lambda retries it', async () => {
    // Prepare: Scheduler refuses the first order's schedule
    const orders = [scheduledSince(7, NOW - 30 * MINUTE), scheduledSince(8, NOW - 30 * MINUTE)];
    serveTable(
      { orders },
      orders.map((o) => o.id),
    );
    scheduler
      .on(CreateScheduleCommand, { Name: `callback-${idOf(7)}-r1-a1-h1` })
      .rejects(new Error('Rate exceeded'));

    // Act
    const failure = await handler({}, context).catch((error: Error) => error);

    // Assess
    expect(String(failure)).toMatch(/Call-backs of 1 orders could not be reconciled/);
    expect(savedEvents().map((e) => [e.orderId, e.type])).toEqual([[idOf(8), 'callback_rescheduled']]);
  });
});
