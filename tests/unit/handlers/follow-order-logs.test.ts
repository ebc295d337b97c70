import { TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import {
  DescribeExecutionCommand,
  ExecutionAlreadyExists,
  ExecutionDoesNotExist,
  StartExecutionCommand,
} from '@aws-sdk/client-sfn';
import { DeleteCommand, TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import type { DynamoDBRecord } from 'aws-lambda';
import { afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import type { OrderEvent } from '#domain/order-events.ts';
import type { WorkOrder } from '#domain/work-order.ts';
import { lifecycleHealing } from '#wiring/wiring.ts';
import { orderIn } from '../domain/support.ts';
import {
  lambdaContext,
  mockedAws,
  putWithSk,
  STATE_MACHINE_ARN,
  serveReads,
  storedOrderItems,
  transactItems,
} from './support.ts';

/** The order clock: two minutes after the fixture order was received (09:00 CST on 2026-12-01). */
const NOW = Date.parse('2026-12-01T01:02:00.000Z');
const GRACE_MS = lifecycleHealing.inlineStartGraceSeconds * 1000;
const context = lambdaContext('follow-order-logs');
const { ddb, sfn } = mockedAws(NOW);

let handler: typeof import('../../../functions/events/follow-order-logs.ts')['handler'];

beforeAll(async () => {
  ({ handler } = await import('../../../functions/events/follow-order-logs.ts'));
});

const received = (id = 'WO01KBHEALAAAAAAAAAAAAAAAAAA'): WorkOrder => ({ ...orderIn('received'), id });
const executionArn = (id: string) => `${STATE_MACHINE_ARN.replace(':stateMachine:', ':execution:')}:${id}`;
const notStarted = (id: string) =>
  new ExecutionDoesNotExist({ message: `Execution Does Not Exist: '${executionArn(id)}'`, $metadata: {} });

let sequence = 1000;
/** The INSERT of an order's received event, written `ageMs` ago (real time), as Lambda hands it over. */
const receivedRecord = (order: WorkOrder, ageMs: number): DynamoDBRecord => ({
  eventID: `e-${sequence}`,
  eventName: 'INSERT',
  eventSource: 'aws:dynamodb',
  dynamodb: {
    ApproximateCreationDateTime: Math.floor((Date.now() - ageMs) / 1000),
    Keys: { pk: { S: `ORDER#${order.id}` }, sk: { S: 'EVENT#0000000001' } },
    NewImage: { type: { S: 'event' }, event: { M: { type: { S: 'received' } } } },
    SequenceNumber: String(sequence++),
    StreamViewType: 'NEW_AND_OLD_IMAGES',
  },
});

const LAST_EVENT = { seq: 1, hash: 'c'.repeat(64) };
const serve = (...orders: WorkOrder[]) =>
  serveReads(
    ddb,
    orders.flatMap((o) => storedOrderItems(o, { lastEvent: LAST_EVENT })),
  );
const savedEvent = (call = 0): OrderEvent | undefined =>
  putWithSk(transactItems(ddb, call), 'EVENT#0000000002')?.Item.event as OrderEvent | undefined;

beforeEach(() => {
  ddb.on(TransactWriteCommand).resolves({});
  sfn.on(StartExecutionCommand).resolves({ executionArn: 'arn:exec', startDate: new Date(NOW) });
});

afterEach(() => {
  vi.useRealTimers();
});

describe('FollowOrderLogs (follow-order-logs), received orders', () => {
  it('returns no failures and changes nothing when the intake started the lifecycle', async () => {
    // Prepare
    const order = received();
    serve(order);
    sfn.on(DescribeExecutionCommand).resolves({ status: 'RUNNING' });

    // Act
    const result = await handler({ Records: [receivedRecord(order, 2000)] }, context);

    // Assess: a normal order's log is unchanged
    expect(result).toEqual({ batchItemFailures: [] });
    expect(sfn.commandCalls(DescribeExecutionCommand)[0]?.args[0].input).toEqual({
      executionArn: executionArn(order.id),
    });
    expect(sfn.commandCalls(StartExecutionCommand)).toHaveLength(0);
    expect(ddb.commandCalls(TransactWriteCommand)).toHaveLength(0);
  });

  it('starts a lifecycle the intake did not start, and records lifecycle_healed by the stream', async () => {
    // Prepare: the record is older than the grace (the stack was restarted after a crash)
    const order = received();
    serve(order);
    sfn.on(DescribeExecutionCommand).rejects(notStarted(order.id));

    // Act
    const result = await handler({ Records: [receivedRecord(order, GRACE_MS + 60_000)] }, context);

    // Assess
    expect(result).toEqual({ batchItemFailures: [] });
    expect(sfn.commandCalls(StartExecutionCommand).map((c) => c.args[0].input)).toEqual([
      { stateMachineArn: STATE_MACHINE_ARN, name: order.id, input: JSON.stringify({ orderId: order.id }) },
    ]);
    expect(savedEvent()).toMatchObject({
      type: 'lifecycle_healed',
      seq: 2,
      prevHash: LAST_EVENT.hash,
      actor: { kind: 'system', name: 'intake' },
      data: { healer: 'stream', reason: 'not_started', execution: order.id, round: 1, afterSeconds: 120 },
    });
    const put = putWithSk(transactItems(ddb), '#ORDER');
    expect(put?.ConditionExpression).toBe('version = :expected');
    expect((put?.Item.order as WorkOrder | undefined)?.version).toBe(order.version + 1);
  });

  it('waits out the grace and starts nothing when the intake starts the lifecycle meanwhile', async () => {
    // Prepare: a fresh record; the intake's start lands after the first look
    vi.useFakeTimers({ toFake: ['setTimeout', 'Date'] });
    const order = received();
    serve(order);
    sfn
      .on(DescribeExecutionCommand)
      .rejectsOnce(notStarted(order.id))
      .rejectsOnce(notStarted(order.id))
      .resolves({ status: 'RUNNING' });

    // Act
    const pending = handler({ Records: [receivedRecord(order, 0)] }, context);
    await vi.advanceTimersByTimeAsync(GRACE_MS);
    const result = await pending;

    // Assess
    expect(result).toEqual({ batchItemFailures: [] });
    expect(sfn.commandCalls(DescribeExecutionCommand)).toHaveLength(3);
    expect(sfn.commandCalls(StartExecutionCommand)).toHaveLength(0);
    expect(ddb.commandCalls(TransactWriteCommand)).toHaveLength(0);
  });

  it('starts it once the grace is over when the intake never does', async () => {
    // Prepare
    vi.useFakeTimers({ toFake: ['setTimeout', 'Date'] });
    const order = received();
    serve(order);
    sfn.on(DescribeExecutionCommand).rejects(notStarted(order.id));

    // Act
    const pending = handler({ Records: [receivedRecord(order, 0)] }, context);
    await vi.advanceTimersByTimeAsync(GRACE_MS - 1000);
    const startsBeforeGrace = sfn.commandCalls(StartExecutionCommand).length;
    await vi.advanceTimersByTimeAsync(2000);
    const result = await pending;

    // Assess
    expect(startsBeforeGrace).toBe(0);
    expect(result).toEqual({ batchItemFailures: [] });
    expect(sfn.commandCalls(StartExecutionCommand)).toHaveLength(1);
    expect(savedEvent()?.type).toBe('lifecycle_healed');
  });

  it('reports as failed only the record whose lifecycle could not be looked at', async () => {
    // Prepare
    const [ok, down] = [received('WO01KBHEALOKAAAAAAAAAAAAAAAA'), received('WO01KBHEALDOWNAAAAAAAAAAAAA')];
    serve(ok, down);
    sfn
      .on(DescribeExecutionCommand)
      .resolves({ status: 'RUNNING' })
      .on(DescribeExecutionCommand, { executionArn: executionArn(down.id) })
      .rejects(Object.assign(new Error('Service unavailable'), { name: 'ServiceUnavailable' }));
    const records = [receivedRecord(ok, 1000), receivedRecord(down, 1000)];

    // Act
    const result = await handler({ Records: records }, context);

    // Assess
    expect(result).toEqual({ batchItemFailures: [{ itemIdentifier: records[1]?.dynamodb?.SequenceNumber }] });
    expect(sfn.commandCalls(StartExecutionCommand)).toHaveLength(0);
  });

  it('records nothing when Step Functions refuses the name (an execution of it already ended)', async () => {
    // Prepare
    const order = received();
    serve(order);
    sfn.on(DescribeExecutionCommand).rejects(notStarted(order.id));
    sfn.on(StartExecutionCommand).rejects(new ExecutionAlreadyExists({ message: 'exists', $metadata: {} }));

    // Act
    const result = await handler({ Records: [receivedRecord(order, GRACE_MS + 1000)] }, context);

    // Assess
    expect(result).toEqual({ batchItemFailures: [] });
    expect(ddb.commandCalls(TransactWriteCommand)).toHaveLength(0);
  });

  it('does not restart a lifecycle that failed: it is left for a redrive', async () => {
    // Prepare
    const order = received();
    serve(order);
    sfn.on(DescribeExecutionCommand).resolves({ status: 'FAILED' });

    // Act
    const result = await handler({ Records: [receivedRecord(order, GRACE_MS + 1000)] }, context);

    // Assess
    expect(result).toEqual({ batchItemFailures: [] });
    expect(sfn.commandCalls(StartExecutionCommand)).toHaveLength(0);
    expect(ddb.commandCalls(TransactWriteCommand)).toHaveLength(0);
  });

  it("records the healing again on fresh data after losing a race with the lifecycle's first task", async () => {
    // Prepare
    const order = received();
    serve(order);
    sfn.on(DescribeExecutionCommand).rejects(notStarted(order.id));
    ddb
      .on(TransactWriteCommand)
      .rejectsOnce(
        new TransactionCanceledException({
          message: 'cancelled',
          $metadata: {},
          CancellationReasons: [{ Code: 'ConditionalCheckFailed' }, { Code: 'None' }],
        }),
      )
      .resolves({});

    // Act
    const result = await handler({ Records: [receivedRecord(order, GRACE_MS + 1000)] }, context);

    // Assess: one start, the event written by the second attempt
    expect(result).toEqual({ batchItemFailures: [] });
    expect(sfn.commandCalls(StartExecutionCommand)).toHaveLength(1);
    expect(ddb.commandCalls(TransactWriteCommand)).toHaveLength(2);
    expect(savedEvent(1)?.type).toBe('lifecycle_healed');
  });
});

describe('FollowOrderLogs (follow-order-logs), the end of a call-back round', () => {
  const OPENED = '2026-12-02T04:00:00.000Z';
  const ended = (n: number, over: Partial<WorkOrder>, state: 'answered' | 'unreachable'): WorkOrder => ({
    ...orderIn('closed'),
    id: `WO01KBROUNDEND${String(n).padStart(14, '0')}`,
    callback: {
      round: 1,
      reason: 'handled',
      state,
      dueAt: '2026-12-02T02:00:00.000Z',
      attempts: 3,
      openedAt: OPENED,
      lastAttemptAt: OPENED,
      nextCheckAt: OPENED,
      endedAt: OPENED,
    },
    ...over,
  });
  const endRecord = (order: WorkOrder, type: string): DynamoDBRecord => ({
    eventID: `e-${sequence}`,
    eventName: 'INSERT',
    eventSource: 'aws:dynamodb',
    dynamodb: {
      Keys: { pk: { S: `ORDER#${order.id}` }, sk: { S: 'EVENT#0000000009' } },
      NewImage: {
        type: { S: 'event' },
        event: { M: { type: { S: type }, data: { M: { round: { N: '1' } } } } },
      },
      SequenceNumber: String(sequence++),
      StreamViewType: 'NEW_AND_OLD_IMAGES',
    },
  });

  it("removes the ended round's task and starts a reopened order's new round, which its handler may have missed", async () => {
    // Prepare: one round ended unreachable; one answered unhappily, which reopened the order (round 2)
    const unreachable = ended(1, {}, 'unreachable');
    const reopened = ended(2, { status: 'accepted', round: 2, reopenings: 1 }, 'answered');
    serve(unreachable, reopened);

    // Act
    const result = await handler(
      {
        Records: [endRecord(unreachable, 'callback_unreachable'), endRecord(reopened, 'callback_answered')],
      },
      context,
    );

    // Assess
    expect(result).toEqual({ batchItemFailures: [] });
    expect(ddb.commandCalls(DeleteCommand).map((c) => c.args[0].input.Key)).toEqual(
      expect.arrayContaining([
        { pk: 'CALLBACK#OPEN', sk: `${OPENED}#${unreachable.id}` },
        { pk: 'CALLBACK#OPEN', sk: `${OPENED}#${reopened.id}` },
      ]),
    );
    expect(ddb.commandCalls(DeleteCommand)).toHaveLength(2);
    expect(sfn.commandCalls(StartExecutionCommand).map((c) => c.args[0].input.input)).toEqual([
      JSON.stringify({ orderId: reopened.id, round: 2 }),
    ]);
  });

  it('reports the record as failed when the task cannot be removed, for the mapping to retry', async () => {
    // Prepare
    const unreachable = ended(3, {}, 'unreachable');
    serve(unreachable);
    ddb.on(DeleteCommand).rejects(new Error('Throughput exceeded'));
    const record = endRecord(unreachable, 'callback_unreachable');

    // Act
    const result = await handler({ Records: [record] }, context);

    // Assess
    expect(result).toEqual({ batchItemFailures: [{ itemIdentifier: record.dynamodb?.SequenceNumber }] });
  });
});
