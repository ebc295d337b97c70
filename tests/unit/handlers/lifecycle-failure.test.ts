import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { DescribeExecutionCommand } from '@aws-sdk/client-sfn';
import { TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { LifecycleFailure } from '#domain/lifecycle-failure.ts';
import type { OrderEvent } from '#domain/order-events.ts';
import type { WorkOrder } from '#domain/work-order.ts';
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

const NOW = Date.parse('2026-12-01T03:00:00.000Z');
const context = lambdaContext('lifecycleFailure');
// Sets the environment the handler's modules read on load, and mocks AWS: before the dynamic import below.
const { ddb, sfn } = mockedAws(NOW);
process.env.EVENT_BUS_NAME = 'hotline-bus-test';
const events = mockClient(EventBridgeClient);

let handler: typeof import('../../../functions/workflow/lifecycle-failure.ts')['handler'];

beforeAll(async () => {
  ({ handler } = await import('../../../functions/workflow/lifecycle-failure.ts'));
});

const order = orderIn('accepted');
const EXECUTION_ARN = `${STATE_MACHINE_ARN.replace(':stateMachine:', ':execution:')}:${order.id}`;
const LAST_EVENT = { seq: 7, hash: 'e'.repeat(64) };
/** What the `CheckpointFailed` state hands the task: the order, its execution, the state and Catch's output. */
const input = {
  orderId: order.id,
  executionArn: EXECUTION_ARN,
  state: 'Checkpoint',
  failure: { Error: 'Lambda.Unknown', Cause: 'Task timed out after 30.00 seconds' },
};
const recordedFailure: LifecycleFailure = {
  state: 'Checkpoint',
  error: 'Lambda.Unknown',
  cause: 'Task timed out after 30.00 seconds',
  at: '2026-12-01T02:59:00.000Z',
  execution: order.id,
  redriveCount: 0,
};

const run = (stored: WorkOrder, redriveCount: number) => {
  serveReads(ddb, storedOrderItems(stored, { lastEvent: LAST_EVENT }));
  sfn.on(DescribeExecutionCommand).resolves({ name: order.id, redriveCount });
  return handler(structuredClone(input), context);
};
const savedEvent = (): OrderEvent | undefined =>
  putWithSk(transactItems(ddb), `EVENT#${String(LAST_EVENT.seq + 1).padStart(10, '0')}`)?.Item.event as
    | OrderEvent
    | undefined;
const published = () =>
  events.commandCalls(PutEventsCommand).flatMap((call) => call.args[0].input.Entries ?? []);

beforeEach(() => {
  events.reset();
  events.on(PutEventsCommand).resolves({ FailedEntryCount: 0, Entries: [{ EventId: 'e-1' }] });
  ddb.on(TransactWriteCommand).resolves({});
});

describe('LifecycleFailure (lifecycle-failure)', () => {
  it('rejects with LifecycleFailed after recording the failure on the order and publishing it', async () => {
    // Act
    const result = run(order, 0);

    // Assess
    await expect(result).rejects.toMatchObject({ name: 'LifecycleFailed' });
    expect(sfn.commandCalls(DescribeExecutionCommand)[0]?.args[0].input).toEqual({
      executionArn: EXECUTION_ARN,
    });
    expect(putWithSk(transactItems(ddb), '#ORDER')?.Item.order).toMatchObject({
      version: order.version + 1,
      status: 'accepted',
      lifecycleFailure: { ...recordedFailure, at: '2026-12-01T03:00:00.000Z' },
    });
    expect(savedEvent()).toMatchObject({ type: 'lifecycle_failed', data: { state: 'Checkpoint' } });
    expect(published()).toEqual([
      {
        EventBusName: 'hotline-bus-test',
        Source: 'hotline.work-orders',
        DetailType: 'WorkOrder Lifecycle Failed',
        Detail: expect.any(String),
      },
    ]);
    expect(JSON.parse(published()[0]?.Detail ?? '{}')).toMatchObject({
      orderId: order.id,
      state: 'Checkpoint',
      error: 'Lambda.Unknown',
      execution: order.id,
    });
  });

  it('rejects again and publishes again, saving nothing, when this run recorded the failure already', async () => {
    // Act
    const result = run({ ...order, lifecycleFailure: recordedFailure }, 0);

    // Assess
    await expect(result).rejects.toMatchObject({ name: 'LifecycleFailed' });
    expect(ddb.commandCalls(TransactWriteCommand)).toEqual([]);
    expect(published()).toHaveLength(1);
  });

  it('returns resumed after clearing the failure when the execution was redriven, publishing nothing', async () => {
    // Act
    const result = await run({ ...order, lifecycleFailure: recordedFailure }, 1);

    // Assess
    expect(result).toEqual({ resumed: true });
    expect(putWithSk(transactItems(ddb), '#ORDER')?.Item.order).not.toHaveProperty('lifecycleFailure');
    expect(savedEvent()).toMatchObject({
      type: 'lifecycle_resumed',
      data: { state: 'Checkpoint', redriveCount: 1 },
    });
    expect(published()).toEqual([]);
  });

  it('rejects with an error the ASL retries when the bus refuses the event', async () => {
    // Prepare
    events
      .on(PutEventsCommand)
      .resolves({ FailedEntryCount: 1, Entries: [{ ErrorCode: 'InternalFailure' }] });

    // Act
    const result = run(order, 0);

    // Assess
    await expect(result).rejects.toThrow(/InternalFailure/);
    await expect(run({ ...order, lifecycleFailure: recordedFailure }, 0)).rejects.not.toMatchObject({
      name: 'LifecycleFailed',
    });
  });
});
