import { createHash } from 'node:crypto';
import { CreateScheduleCommand } from '@aws-sdk/client-scheduler';
import {
  DeleteCommand,
  GetCommand,
  PutCommand,
  TransactWriteCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import { beforeAll, beforeEach, describe, expect, it } from 'vitest';
import * as z from 'zod';
import { answerCallback, callbackScheduled, openCallbackAttempt } from '#domain/callback.ts';
import type { OrderEvent } from '#domain/order-events.ts';
import { reviewReply } from '#domain/unit-actions.ts';
import type { WorkOrder } from '#domain/work-order.ts';
import { useClockSource } from '#shared/platform/clock.ts';
import { at, DAY, operator, orderIn } from '../domain/support.ts';
import {
  callbackEnvironment,
  lambdaContext,
  mockedCallbackAws,
  putsWithSkPrefix,
  putWithSk,
  serveReads,
  storedOrderItems,
  TABLE,
  transactItems,
} from './support.ts';

const context = lambdaContext('callbackAttempt');
// Sets the environment the handler's modules read on load, and mocks AWS: before the dynamic import below.
const { ddb, scheduler } = mockedCallbackAws();
const {
  OUTBOX_TABLE_NAME: OUTBOX,
  SURVEY_BASE_URL,
  SCHEDULE_GROUP,
  CALLBACK_TARGET_ARN,
  SCHEDULE_DLQ_ARN,
} = callbackEnvironment;

let handler: typeof import('../../../functions/events/callback-attempt.ts')['handler'];

beforeAll(async () => {
  ({ handler } = await import('../../../functions/events/callback-attempt.ts'));
});

beforeEach(() => {
  ddb.on(TransactWriteCommand).resolves({});
  ddb.on(PutCommand).resolves({});
  ddb.on(UpdateCommand).resolves({});
  ddb.on(DeleteCommand).resolves({});
});

/** Closed (reply accepted) at 10:00 CST on 12-02, version 7; its first attempt scheduled for 12:00 CST (v8). */
const CLOSED_AT = '2026-12-02T02:00:00.000Z';
const FIRST_ATTEMPT_AT = '2026-12-02T04:00:00.000Z';
const scheduledOrder = (): WorkOrder => {
  const due = reviewReply(orderIn('replied'), operator, at(CLOSED_AT), { accept: true }).order;
  const change = callbackScheduled(due, {
    round: 1,
    firstAttemptAt: at(FIRST_ATTEMPT_AT),
    schedule: `callback-${due.id}-r1-a1`,
    nowMs: at(CLOSED_AT),
  });
  if (!change) throw new Error('fixture: the call-back was not due');
  return change.order;
};

/** The scheduled order with attempts 1..n opened a calendar day apart from 12:00 CST on 12-02. */
const openedOrder = (attempts: number): WorkOrder => {
  let order = scheduledOrder();
  for (let attempt = 1; attempt <= attempts; attempt++) {
    const nowMs = at(FIRST_ATTEMPT_AT) + (attempt - 1) * DAY;
    const change = openCallbackAttempt(order, { round: 1, attempt, nowMs, nextCheckAt: nowMs + DAY });
    if (!change) throw new Error(`fixture: attempt ${attempt} did not open`);
    order = change.order;
  }
  return order;
};

/** The outbox as the handler wrote it in this test: a put message can be read back by id. */
const serveOutbox = () => {
  const messages = new Map<string, Record<string, unknown>>();
  ddb.on(PutCommand, { TableName: OUTBOX }).callsFake((input: { Item: Record<string, unknown> }) => {
    messages.set(String(input.Item.id), input.Item);
    return Promise.resolve({});
  });
  ddb
    .on(GetCommand, { TableName: OUTBOX })
    .callsFake((input: { Key: { id: string } }) =>
      Promise.resolve(messages.has(input.Key.id) ? { Item: messages.get(input.Key.id) } : {}),
    );
};

const run = (order: WorkOrder, nowIso: string, input: unknown) => {
  useClockSource({ now: () => at(nowIso) });
  serveReads(ddb, storedOrderItems(order));
  serveOutbox();
  return handler(input, context);
};

const createdSchedules = () => scheduler.commandCalls(CreateScheduleCommand).map((c) => c.args[0].input);
const putsTo = (table: string) =>
  ddb
    .commandCalls(PutCommand)
    .map((c) => c.args[0].input)
    .filter((i) => i.TableName === table);
const orderSaves = () =>
  ddb.commandCalls(TransactWriteCommand).filter((_c, i) => putWithSk(transactItems(ddb, i), '#ORDER'));

describe('Call-back attempt (callbackAttempt)', () => {
  it('returns opened after queueing the SMS, saving the attempt open with the link’s hash, writing the task, holding the message and scheduling attempt 2', async () => {
    // Prepare: attempt 1 fires at 12:00 CST on 12-02; the requester gave phone 13800138000 only
    const order = scheduledOrder();
    const nowIso = FIRST_ATTEMPT_AT;
    const nextCheckAt = '2026-12-03T04:00:00.000Z';

    // Act
    const result = await run(order, nowIso, { orderId: order.id, round: 1, attempt: 1 });

    // Assess: the message, queued only if new
    expect(result).toEqual({ outcome: 'opened' });
    const [queued, ...otherOutbox] = putsTo(OUTBOX);
    expect(otherOutbox).toEqual([]);
    expect(queued).toMatchObject({
      ConditionExpression: 'attribute_not_exists(id)',
      Item: {
        id: `${order.id}-r1-a1-sms`,
        orderId: order.id,
        round: 1,
        attempt: 1,
        channel: 'sms',
        // The order's sealed contact, opened only to send; the number itself only masked.
        toSealed: order.requester.contact?.sealed,
        toMasked: '138****8000',
        status: 'queued',
        createdAt: nowIso,
      },
    });
    const link = String(queued?.Item?.link);
    expect(link.startsWith(`${SURVEY_BASE_URL}/`)).toBe(true);
    expect(link).toContain(order.id);
    const token = link.slice(`${SURVEY_BASE_URL}/`.length);
    const secret = token.split('.').at(-1) ?? '';
    expect(secret.length).toBeGreaterThanOrEqual(32);
    expect(String(queued?.Item?.text)).toContain(link);

    // Assess: the order saved open with the hash of the link's token, never the token
    expect(orderSaves()).toHaveLength(1);
    const written = transactItems(ddb);
    const saved = putWithSk(written, '#ORDER');
    expect(saved).toMatchObject({
      ConditionExpression: 'version = :expected',
      ExpressionAttributeValues: { ':expected': 8 },
      Item: {
        version: 9,
        order: {
          callback: {
            round: 1,
            state: 'open',
            attempts: 1,
            openedAt: nowIso,
            lastAttemptAt: nowIso,
            nextCheckAt,
            links: [{ hash: createHash('sha256').update(token).digest('hex'), expiresAt: nextCheckAt }],
          },
        },
      },
    });
    expect(JSON.stringify(written)).not.toContain(secret);
    const events = putsWithSkPrefix(written, 'EVENT#').map((p) => p.Item.event as OrderEvent);
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({
      type: 'callback_attempt',
      data: { round: 1, attempt: 1, nextCheckAt, channels: ['operator', 'sms'] },
    });

    // Assess: the message held by the `hold` sender
    expect(ddb.commandCalls(UpdateCommand).map((c) => c.args[0].input)).toEqual([
      expect.objectContaining({
        TableName: OUTBOX,
        Key: { id: `${order.id}-r1-a1-sms` },
        ExpressionAttributeValues: { ':v0': 'held' },
      }),
    ]);

    // Assess: the operators' task
    expect(putsTo(TABLE)).toEqual([
      {
        TableName: TABLE,
        Item: {
          pk: 'CALLBACK#OPEN',
          sk: `${nowIso}#${order.id}`,
          type: 'callbackTask',
          task: {
            orderId: order.id,
            round: 1,
            attempt: 1,
            openedAt: nowIso,
            lastAttemptAt: nowIso,
            nextCheckAt,
            reason: 'handled',
            unitId: order.unitId,
            categoryCode: order.categoryCode,
            linkSent: true,
          },
        },
      },
    ]);

    // Assess: attempt 2, a calendar day later
    expect(createdSchedules()).toEqual([
      expect.objectContaining({
        Name: `callback-${order.id}-r1-a2`,
        GroupName: SCHEDULE_GROUP,
        ScheduleExpression: 'at(2026-12-03T04:00:00)',
        FlexibleTimeWindow: { Mode: 'OFF' },
        ActionAfterCompletion: 'DELETE',
        Target: expect.objectContaining({
          Arn: CALLBACK_TARGET_ARN,
          Input: JSON.stringify({ orderId: order.id, round: 1, attempt: 2 }),
          DeadLetterConfig: { Arn: SCHEDULE_DLQ_ARN },
        }),
      }),
    ]);
  });

  it('returns opened after a replay of attempt 1 without queueing, saving or sending anything new, still ensuring the attempt-2 schedule', async () => {
    // Prepare: attempt 1 already opened (at 12:00 CST on 12-02); Scheduler delivers it again a minute later
    const order = openedOrder(1);

    // Act
    const result = await run(order, '2026-12-02T04:01:00.000Z', { orderId: order.id, round: 1, attempt: 1 });

    // Assess
    expect(result).toEqual({ outcome: 'opened' });
    expect(putsTo(OUTBOX)).toEqual([]);
    expect(ddb.commandCalls(UpdateCommand)).toHaveLength(0);
    expect(ddb.commandCalls(TransactWriteCommand)).toHaveLength(0);
    expect(createdSchedules()).toEqual([
      expect.objectContaining({
        Name: `callback-${order.id}-r1-a2`,
        ScheduleExpression: 'at(2026-12-03T04:00:00)',
        Target: expect.objectContaining({
          Input: JSON.stringify({ orderId: order.id, round: 1, attempt: 2 }),
        }),
      }),
    ]);
  });

  it('returns opened after a replay that sends the message a crashed first try queued but never sent', async () => {
    // Prepare: attempt 1 opened and its SMS queued, then the function died before sending it
    const order = openedOrder(1);
    useClockSource({ now: () => at('2026-12-02T04:01:00.000Z') });
    serveReads(ddb, storedOrderItems(order));
    serveOutbox();
    const id = `${order.id}-r1-a1-sms`;
    ddb.on(GetCommand, { TableName: OUTBOX, Key: { id } }).resolves({
      Item: {
        id,
        orderId: order.id,
        round: 1,
        attempt: 1,
        channel: 'sms',
        toSealed: 'fixture-sealed-contact',
        toMasked: '138****8000',
        subject: '12345 回访',
        text: '您好，请评价您反映问题的办理情况：https://survey.example.test/s/first-try',
        link: 'https://survey.example.test/s/first-try',
        status: 'queued',
        createdAt: '2026-12-02T04:00:00.000Z',
        expiresAt: Math.floor(at('2026-12-16T04:00:00.000Z') / 1000),
      },
    });

    // Act
    const result = await handler({ orderId: order.id, round: 1, attempt: 1 }, context);

    // Assess
    expect(result).toEqual({ outcome: 'opened' });
    expect(ddb.commandCalls(TransactWriteCommand)).toHaveLength(0);
    expect(ddb.commandCalls(UpdateCommand).map((c) => c.args[0].input)).toEqual([
      expect.objectContaining({
        TableName: OUTBOX,
        Key: { id },
        ExpressionAttributeValues: { ':v0': 'held' },
      }),
    ]);
  });

  it('returns superseded for a late replay of attempt 1 once attempt 2 is open: no schedule re-created', async () => {
    // Prepare
    const order = openedOrder(2);

    // Act
    const result = await run(order, '2026-12-03T05:00:00.000Z', { orderId: order.id, round: 1, attempt: 1 });

    // Assess
    expect(result).toEqual({ outcome: 'superseded' });
    expect(createdSchedules()).toEqual([]);
    expect(ddb.commandCalls(TransactWriteCommand)).toHaveLength(0);
  });

  it('returns unreachable after attempt 4 of an open round: saves it unreachable, counts the fact and deletes the task', async () => {
    // Prepare: three attempts opened from 12:00 CST on 12-02; the last ran out at 12:00 CST on 12-05
    const order = openedOrder(3);
    const nowIso = '2026-12-05T04:00:00.000Z';

    // Act
    const result = await run(order, nowIso, { orderId: order.id, round: 1, attempt: 4 });

    // Assess
    expect(result).toEqual({ outcome: 'unreachable' });
    expect(orderSaves()).toHaveLength(1);
    const written = transactItems(ddb);
    expect(putWithSk(written, '#ORDER')?.Item).toMatchObject({
      order: { callback: { round: 1, state: 'unreachable', attempts: 3, endedAt: nowIso } },
    });
    const events = putsWithSkPrefix(written, 'EVENT#').map((p) => p.Item.event as OrderEvent);
    expect(events).toEqual([
      expect.objectContaining({ type: 'callback_unreachable', data: { round: 1, attempts: 3 } }),
    ]);
    const facts = ddb
      .commandCalls(TransactWriteCommand)
      .flatMap((_c, i) => transactItems(ddb, i))
      .find((item) => item.Put?.Item.pk === `ASSESSMENT#ORDER#${order.id}`);
    expect(facts?.Put?.Item).toMatchObject({
      sk: '#FACTS',
      applied: [`${order.id}#callback@r1#unreachable`],
    });
    expect(ddb.commandCalls(DeleteCommand).map((c) => c.args[0].input)).toEqual([
      { TableName: TABLE, Key: { pk: 'CALLBACK#OPEN', sk: `${FIRST_ATTEMPT_AT}#${order.id}` } },
    ]);
    expect(scheduler.commandCalls(CreateScheduleCommand)).toHaveLength(0);
    expect(putsTo(OUTBOX)).toEqual([]);
  });

  it('returns settled after only settling a round already answered: no schedule, no order saved', async () => {
    // Prepare: attempt 1 open; the requester answered (happy) at 15:00 CST on 12-02
    const answeredAt = at('2026-12-02T07:00:00.000Z');
    const order = answerCallback(openedOrder(1), {
      answer: { contactedInTime: true, solved: 'solved', satisfied: 'satisfied' },
      via: 'operator',
      actor: operator,
      nowMs: answeredAt,
      maxReopenings: 2,
      resolveBy: answeredAt + 5 * DAY,
    }).order;
    expect(order.callback?.state).toBe('answered');

    // Act: attempt 2 fires anyway
    const result = await run(order, '2026-12-03T04:00:00.000Z', { orderId: order.id, round: 1, attempt: 2 });

    // Assess
    expect(result).toEqual({ outcome: 'settled' });
    expect(scheduler.commandCalls(CreateScheduleCommand)).toHaveLength(0);
    expect(orderSaves()).toHaveLength(0);
    expect(putsTo(OUTBOX)).toEqual([]);
    expect(ddb.commandCalls(DeleteCommand).map((c) => c.args[0].input)).toEqual([
      { TableName: TABLE, Key: { pk: 'CALLBACK#OPEN', sk: `${FIRST_ATTEMPT_AT}#${order.id}` } },
    ]);
  });

  it('rejects an invalid input with a validation error and writes nothing', async () => {
    // Prepare
    useClockSource({ now: () => at(FIRST_ATTEMPT_AT) });

    // Act
    const outcome = handler({ orderId: 1 }, context);

    // Assess
    await expect(outcome).rejects.toBeInstanceOf(z.ZodError);
    expect(ddb.calls()).toHaveLength(0);
    expect(scheduler.calls()).toHaveLength(0);
  });
});
