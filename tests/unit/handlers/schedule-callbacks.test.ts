import { ConflictException, CreateScheduleCommand } from '@aws-sdk/client-scheduler';
import { TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import type { DynamoDBRecord, DynamoDBStreamEvent, EventBridgeEvent } from 'aws-lambda';
import { beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { callbackScheduled } from '#domain/callback.ts';
import type { OrderEvent } from '#domain/order-events.ts';
import { reviewReply } from '#domain/unit-actions.ts';
import type { WorkOrder } from '#domain/work-order.ts';
import { useClockSource } from '#shared/platform/clock.ts';
import { at, operator, orderIn } from '../domain/support.ts';
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

const context = lambdaContext('scheduleCallbacks');
// Sets the environment the handler's modules read on load, and mocks AWS: before the dynamic import below.
const { ddb, scheduler } = mockedCallbackAws();
const { SCHEDULE_GROUP, SCHEDULER_ROLE_ARN, CALLBACK_TARGET_ARN, SCHEDULE_DLQ_ARN } = callbackEnvironment;

let handler: typeof import('../../../functions/events/schedule-callbacks.ts')['handler'];
let followLogs: typeof import('../../../functions/events/follow-order-logs.ts')['handler'];

beforeAll(async () => {
  ({ handler } = await import('../../../functions/events/schedule-callbacks.ts'));
  ({ handler: followLogs } = await import('../../../functions/events/follow-order-logs.ts'));
});

beforeEach(() => {
  ddb.on(TransactWriteCommand).resolves({});
});

/** The fixture order closed (its reply accepted) at `closedAt`: round 1's call-back falls due then. */
const closedAt = (closedAtIso: string): WorkOrder =>
  reviewReply(orderIn('replied'), operator, at(closedAtIso), { accept: true }).order;

const closedEvent = (detail: unknown): EventBridgeEvent<string, unknown> =>
  ({
    version: '0',
    id: 'event-1',
    'detail-type': 'WorkOrder Closed',
    source: 'hotline.work-orders',
    account: '123456789012',
    time: '2026-12-02T02:00:00Z',
    region: 'cn-north-1',
    resources: [],
    detail,
  }) as EventBridgeEvent<string, unknown>;

const run = (
  order: WorkOrder | undefined,
  nowIso: string,
  detail: unknown = { orderId: order?.id, round: 1 },
) => {
  useClockSource({ now: () => at(nowIso) });
  serveReads(ddb, order ? storedOrderItems(order) : []);
  return handler(closedEvent(detail), context);
};

/** The fixture order closed at 10:00 CST on 12-02, its round-1 call-back scheduled five seconds later. */
const scheduledAlready = (): WorkOrder | undefined => {
  const due = closedAt('2026-12-02T02:00:00.000Z');
  return callbackScheduled(due, {
    round: 1,
    firstAttemptAt: at('2026-12-02T04:00:00.000Z'),
    schedule: `callback-${due.id}-r1-a1`,
    nowMs: at('2026-12-02T02:00:05.000Z'),
  })?.order;
};

const createdSchedules = () => scheduler.commandCalls(CreateScheduleCommand).map((c) => c.args[0].input);

describe('Schedule call-backs (scheduleCallbacks)', () => {
  it('returns the schedule name after scheduling a due call-back 2 h after it fell due and saving it scheduled', async () => {
    // Prepare: closed at 10:00 CST on 12-02, version 7; the first attempt is due at 12:00 CST
    const order = closedAt('2026-12-02T02:00:00.000Z');
    expect(order.callback).toMatchObject({ round: 1, state: 'due', dueAt: '2026-12-02T02:00:00.000Z' });

    // Act
    const result = await run(order, '2026-12-02T02:00:05.000Z');

    // Assess
    const name = `callback-${order.id}-r1-a1`;
    expect(result).toEqual({ scheduled: name });
    expect(createdSchedules()).toEqual([
      {
        Name: name,
        GroupName: SCHEDULE_GROUP,
        ScheduleExpression: 'at(2026-12-02T04:00:00)',
        ScheduleExpressionTimezone: 'UTC',
        FlexibleTimeWindow: { Mode: 'OFF' },
        ActionAfterCompletion: 'DELETE',
        Description: expect.stringContaining(order.id),
        Target: {
          Arn: CALLBACK_TARGET_ARN,
          RoleArn: SCHEDULER_ROLE_ARN,
          Input: JSON.stringify({ orderId: order.id, round: 1, attempt: 1 }),
          RetryPolicy: { MaximumRetryAttempts: 4, MaximumEventAgeInSeconds: 6 * 3600 },
          DeadLetterConfig: { Arn: SCHEDULE_DLQ_ARN },
        },
      },
    ]);
    expect(ddb.commandCalls(TransactWriteCommand)).toHaveLength(1);
    const written = transactItems(ddb);
    expect(putWithSk(written, '#ORDER')).toMatchObject({
      TableName: TABLE,
      ConditionExpression: 'version = :expected',
      ExpressionAttributeValues: { ':expected': 7 },
      Item: {
        version: 8,
        order: {
          callback: {
            round: 1,
            state: 'scheduled',
            firstAttemptAt: '2026-12-02T04:00:00.000Z',
            nextCheckAt: '2026-12-02T04:00:00.000Z',
          },
        },
      },
    });
    const events = putsWithSkPrefix(written, 'EVENT#').map((p) => p.Item.event as OrderEvent);
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({
      type: 'callback_scheduled',
      data: { round: 1, firstAttemptAt: '2026-12-02T04:00:00.000Z', schedule: name },
    });
  });

  it('returns the schedule name after moving a first attempt that would fall at night to 09:00 CST the next day', async () => {
    // Prepare: closed at 20:30 CST on 12-02; 2 h later is 22:30 CST, outside the calling hours
    const order = closedAt('2026-12-02T12:30:00.000Z');

    // Act
    await run(order, '2026-12-02T12:30:05.000Z');

    // Assess: 09:00 CST on 12-03 is 01:00 UTC
    expect(createdSchedules().map((s) => s.ScheduleExpression)).toEqual(['at(2026-12-03T01:00:00)']);
    expect(putWithSk(transactItems(ddb), '#ORDER')?.Item).toMatchObject({
      order: { callback: { state: 'scheduled', firstAttemptAt: '2026-12-03T01:00:00.000Z' } },
    });
  });

  it('returns null and neither schedules nor writes for a round already scheduled', async () => {
    // Prepare
    const order = scheduledAlready();

    // Act
    const result = await run(order, '2026-12-02T02:01:00.000Z');

    // Assess
    expect(order?.callback?.state).toBe('scheduled');
    expect(result).toEqual({ scheduled: null });
    expect(scheduler.commandCalls(CreateScheduleCommand)).toHaveLength(0);
    expect(ddb.commandCalls(TransactWriteCommand)).toHaveLength(0);
  });

  it('returns null and neither schedules nor writes for another round than the order’s', async () => {
    // Prepare
    const order = closedAt('2026-12-02T02:00:00.000Z');

    // Act
    const result = await run(order, '2026-12-02T02:00:05.000Z', { orderId: order.id, round: 2 });

    // Assess
    expect(result).toEqual({ scheduled: null });
    expect(scheduler.commandCalls(CreateScheduleCommand)).toHaveLength(0);
    expect(ddb.commandCalls(TransactWriteCommand)).toHaveLength(0);
  });

  it('returns null and neither schedules nor writes for an order that does not exist', async () => {
    // Act
    const result = await run(undefined, '2026-12-02T02:00:05.000Z', {
      orderId: 'WO01KBZZZZZZZZZZZZZZZZZZZZZZ',
      round: 1,
    });

    // Assess
    expect(result).toEqual({ scheduled: null });
    expect(scheduler.commandCalls(CreateScheduleCommand)).toHaveLength(0);
    expect(ddb.commandCalls(TransactWriteCommand)).toHaveLength(0);
  });

  it('returns the schedule name and still saves the order scheduled when the schedule exists already', async () => {
    // Prepare: a first delivery created the schedule, then failed before saving
    const order = closedAt('2026-12-02T02:00:00.000Z');
    scheduler.on(CreateScheduleCommand).rejects(
      new ConflictException({
        message: 'Schedule already exists.',
        Message: 'Schedule already exists.',
        $metadata: {},
      }),
    );

    // Act
    const result = await run(order, '2026-12-02T02:00:05.000Z');

    // Assess
    expect(result).toEqual({ scheduled: `callback-${order.id}-r1-a1` });
    expect(scheduler.commandCalls(CreateScheduleCommand)).toHaveLength(1);
    expect(ddb.commandCalls(TransactWriteCommand)).toHaveLength(1);
    expect(putWithSk(transactItems(ddb), '#ORDER')?.Item).toMatchObject({
      order: { callback: { state: 'scheduled', firstAttemptAt: '2026-12-02T04:00:00.000Z' } },
    });
  });
});

/** The INSERT of an order's callback_due event, as the table stream hands it to FollowOrderLogs. */
const callbackDueRecord = (orderId: string, round: unknown, sequence = '100'): DynamoDBRecord => ({
  eventID: `e-${sequence}`,
  eventName: 'INSERT',
  eventSource: 'aws:dynamodb',
  dynamodb: {
    Keys: { pk: { S: `ORDER#${orderId}` }, sk: { S: 'EVENT#0000000009' } },
    NewImage: {
      type: { S: 'event' },
      event: {
        M: {
          type: { S: 'callback_due' },
          data: { M: round === undefined ? {} : { round: { N: String(round) }, reason: { S: 'handled' } } },
        },
      },
    },
    SequenceNumber: sequence,
    StreamViewType: 'NEW_AND_OLD_IMAGES',
  },
});

const followed = (order: WorkOrder | undefined, nowIso: string, records: DynamoDBRecord[]) => {
  useClockSource({ now: () => at(nowIso) });
  serveReads(ddb, order ? storedOrderItems(order) : []);
  return followLogs({ Records: records } as DynamoDBStreamEvent, context);
};

describe('FollowOrderLogs (follow-order-logs), a call-back that fell due', () => {
  it('schedules the first attempt from the log when the bus delivery never came', async () => {
    // Prepare
    const order = closedAt('2026-12-02T02:00:00.000Z');

    // Act
    const result = await followed(order, '2026-12-02T02:00:05.000Z', [callbackDueRecord(order.id, 1)]);

    // Assess: the same schedule and the same saved state as the bus path's
    expect(result).toEqual({ batchItemFailures: [] });
    expect(createdSchedules().map((s) => [s.Name, s.ScheduleExpression])).toEqual([
      [`callback-${order.id}-r1-a1`, 'at(2026-12-02T04:00:00)'],
    ]);
    expect(putWithSk(transactItems(ddb), '#ORDER')?.Item).toMatchObject({
      order: { callback: { state: 'scheduled', firstAttemptAt: '2026-12-02T04:00:00.000Z' } },
    });
  });

  it('changes nothing when the bus path scheduled the round first', async () => {
    // Prepare
    const order = scheduledAlready();

    // Act
    const result = await followed(order, '2026-12-02T02:00:06.000Z', [callbackDueRecord(order?.id ?? '', 1)]);

    // Assess
    expect(result).toEqual({ batchItemFailures: [] });
    expect(scheduler.commandCalls(CreateScheduleCommand)).toHaveLength(0);
    expect(ddb.commandCalls(TransactWriteCommand)).toHaveLength(0);
  });

  it('returns the record as failed, for the mapping to retry, when Scheduler fails', async () => {
    // Prepare
    const order = closedAt('2026-12-02T02:00:00.000Z');
    scheduler.on(CreateScheduleCommand).rejects(new Error('ThrottlingException'));

    // Act
    const result = await followed(order, '2026-12-02T02:00:05.000Z', [callbackDueRecord(order.id, 1, '777')]);

    // Assess
    expect(result).toEqual({ batchItemFailures: [{ itemIdentifier: '777' }] });
    expect(ddb.commandCalls(TransactWriteCommand)).toHaveLength(0);
  });

  it('returns as failed a callback_due record without a round, and schedules nothing', async () => {
    // Prepare
    const order = closedAt('2026-12-02T02:00:00.000Z');

    // Act
    const result = await followed(order, '2026-12-02T02:00:05.000Z', [
      callbackDueRecord(order.id, undefined, '778'),
    ]);

    // Assess
    expect(result).toEqual({ batchItemFailures: [{ itemIdentifier: '778' }] });
    expect(scheduler.commandCalls(CreateScheduleCommand)).toHaveLength(0);
  });
});
