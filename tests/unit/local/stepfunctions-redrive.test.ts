import '../../../local/quiet-sdk-warning.ts';
import type { Server } from 'node:http';
import {
  DescribeExecutionCommand,
  ExecutionDoesNotExist,
  ExecutionNotRedrivable,
  GetExecutionHistoryCommand,
  ListExecutionsCommand,
  RedriveExecutionCommand,
  SendTaskSuccessCommand,
  SFNClient,
  StopExecutionCommand,
} from '@aws-sdk/client-sfn';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startAwsEndpoint } from '../../../local/aws-endpoint.ts';
import { LocalEventBus } from '../../../local/event-bus.ts';
import type { ServiceCall } from '../../../local/stepfunctions/protocol.ts';
import {
  bundleWorker,
  callbackTask,
  DAY,
  lambdaTask,
  machineArn,
  type Sfn,
  startSfn,
  tokenOf,
  until,
} from './stepfunctions-harness.ts';

/**
 * RedriveExecution through the AWS SDK's SFNClient against the local endpoint, with AWS's rules: only a
 * FAILED, TIMED_OUT or ABORTED execution, within 14 days of its stop, continues from the state that did
 * not complete; its history goes on after ExecutionRedriven; redriveCount counts the redrives.
 */
const machines = {
  twoSteps: {
    StartAt: 'First',
    States: {
      First: lambdaTask('first', { ResultPath: '$.first', Next: 'Second' }),
      Second: lambdaTask('second', { ResultPath: '$.second', End: true }),
    },
  },
  waiting: {
    StartAt: 'Prepare',
    States: {
      Prepare: { Type: 'Pass', Result: 'ready', ResultPath: '$.prepared', Next: 'Ask' },
      Ask: callbackTask('ask', { TimeoutSeconds: 3600, End: true }),
    },
  },
  quick: { StartAt: 'Done', States: { Done: { Type: 'Pass', End: true } } },
};

let cleanup: () => void;
let sfn: Sfn;
let server: Server;
let client: SFNClient;
/** The second step fails while `secondFails` is set. */
let secondFails: boolean;

const arnOf = (machine: string, name: string) =>
  `${machineArn(machine).replace(':stateMachine:', ':execution:')}:${name}`;

beforeAll(async () => {
  const bundled = await bundleWorker();
  cleanup = bundled.cleanup;
  sfn = await startSfn({
    workerFile: bundled.workerFile,
    machines,
    call: (call: ServiceCall) => {
      if (call.service === 'lambda' && call.functionName === 'second' && secondFails) {
        const error = new Error('the second step broke');
        error.name = 'Boom';
        throw error;
      }
      return { ok: true };
    },
  });
  const endpoint = await startAwsEndpoint({
    stepFunctions: sfn.service,
    bus: new LocalEventBus('test-bus', () => sfn.clock.now()),
  });
  server = endpoint.server;
  client = new SFNClient({
    endpoint: endpoint.url,
    region: 'local',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  });
});
beforeEach(() => {
  secondFails = false;
  sfn.calls.length = 0;
});
afterAll(async () => {
  client.destroy();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  await sfn.close();
  cleanup();
});

const callsTo = (functionName: string) =>
  sfn.calls.filter((c) => c.service === 'lambda' && c.functionName === functionName);

describe('RedriveExecution', () => {
  it('continues a failed execution from the failed state with its input, after an ExecutionRedriven event', async () => {
    // Prepare: the second step fails, the execution with it
    secondFails = true;
    const arn = sfn.start('twoSteps', 'failed-once', { orderId: 'WO-1' });
    await sfn.service.whenEnded(arn);
    const failedEvents = sfn.events(arn).length;
    secondFails = false;

    // Act
    const redriven = await client.send(new RedriveExecutionCommand({ executionArn: arn }));
    await sfn.service.whenEnded(arn);

    // Assess: the first step ran once, the second again with the input it had
    expect(redriven.redriveDate?.getTime()).toBe(sfn.clock.now());
    expect(callsTo('first')).toHaveLength(1);
    expect(callsTo('second')).toHaveLength(2);
    expect(callsTo('second')[1]).toEqual(callsTo('second')[0]);
    const described = await client.send(new DescribeExecutionCommand({ executionArn: arn }));
    expect(described).toMatchObject({
      status: 'SUCCEEDED',
      redriveCount: 1,
      redriveStatus: 'NOT_REDRIVABLE',
    });
    expect(described.redriveStatusReason).toBe('Execution is SUCCEEDED and cannot be redriven.');
    const { events = [] } = await client.send(
      new GetExecutionHistoryCommand({ executionArn: arn, maxResults: 100 }),
    );
    expect(events[failedEvents - 1]?.type).toBe('ExecutionFailed');
    expect(events[failedEvents]).toMatchObject({
      id: failedEvents + 1,
      previousEventId: failedEvents,
      type: 'ExecutionRedriven',
      executionRedrivenEventDetails: { redriveCount: 1 },
    });
    expect(events[failedEvents + 1]).toMatchObject({
      type: 'TaskStateEntered',
      stateEnteredEventDetails: { name: 'Second' },
    });
    expect(events.at(-1)?.type).toBe('ExecutionSucceeded');
    const listed = await client.send(
      new ListExecutionsCommand({ stateMachineArn: machineArn('twoSteps'), redriveFilter: 'REDRIVEN' }),
    );
    expect(listed.executions?.map((e) => [e.name, e.redriveCount])).toEqual([['failed-once', 1]]);
  });

  it('redrives a stopped execution into the task it was waiting in, and is idempotent per client token', async () => {
    // Prepare: stopped while waiting for a person
    const arn = sfn.start('waiting', 'stopped-waiting');
    await until('the task to wait', () => sfn.types(arn).includes('TaskSubmitted'));
    await client.send(new StopExecutionCommand({ executionArn: arn }));
    const redrivable = await client.send(new DescribeExecutionCommand({ executionArn: arn }));

    // Act: the same redrive twice
    const first = await client.send(
      new RedriveExecutionCommand({ executionArn: arn, clientToken: 'retry-1' }),
    );
    const again = await client.send(
      new RedriveExecutionCommand({ executionArn: arn, clientToken: 'retry-1' }),
    );
    await until(
      'the task to wait again',
      () => sfn.types(arn).filter((t) => t === 'TaskSubmitted').length === 2,
    );
    await client.send(
      new SendTaskSuccessCommand({ taskToken: tokenOf(sfn.calls, 'ask'), output: '{"done":1}' }),
    );
    await sfn.service.whenEnded(arn);

    // Assess
    expect(redrivable).toMatchObject({ status: 'ABORTED', redriveStatus: 'REDRIVABLE' });
    expect(again.redriveDate).toEqual(first.redriveDate);
    const described = await client.send(new DescribeExecutionCommand({ executionArn: arn }));
    expect(described).toMatchObject({ status: 'SUCCEEDED', redriveCount: 1, output: '{"done":1}' });
    // The Pass state before the task did not run again.
    expect(sfn.types(arn).filter((t) => t === 'PassStateEntered')).toHaveLength(1);
  });

  it('rejects a running and a succeeded execution with ExecutionNotRedrivable', async () => {
    // Prepare
    const running = sfn.start('waiting', 'still-running');
    await until('the task to wait', () => sfn.types(running).includes('TaskSubmitted'));
    const succeeded = sfn.start('quick', 'succeeded');
    await sfn.service.whenEnded(succeeded);

    // Act
    const errors = await Promise.all(
      [running, succeeded].map((executionArn) =>
        client.send(new RedriveExecutionCommand({ executionArn })).catch((error: unknown) => error),
      ),
    );

    // Assess
    expect(errors.map((e) => [e instanceof ExecutionNotRedrivable, (e as Error).message])).toEqual([
      [true, "Execution Not Redrivable: 'Execution is RUNNING and cannot be redriven.'"],
      [true, "Execution Not Redrivable: 'Execution is SUCCEEDED and cannot be redriven.'"],
    ]);
    sfn.service.stopExecution({ executionArn: running });
  });

  it('rejects an execution that does not exist with ExecutionDoesNotExist', async () => {
    // Act
    const error = await client
      .send(new RedriveExecutionCommand({ executionArn: arnOf('twoSteps', 'never-started') }))
      .catch((e: unknown) => e);

    // Assess
    expect(error).toBeInstanceOf(ExecutionDoesNotExist);
  });

  // Last: it moves the file's clock by more than 14 days.
  it('rejects a failed execution 14 days after its stop (on the local clock), not before', async () => {
    // Prepare
    secondFails = true;
    const arn = sfn.start('twoSteps', 'failed-long-ago');
    await sfn.service.whenEnded(arn);

    // Act
    await sfn.advance(14 * DAY);
    const onTheLastDay = sfn.service.describeExecution(arn).redriveStatus;
    await sfn.advance(1000);
    const error = await client
      .send(new RedriveExecutionCommand({ executionArn: arn }))
      .catch((e: unknown) => e);

    // Assess
    expect(onTheLastDay).toBe('REDRIVABLE');
    expect(error).toBeInstanceOf(ExecutionNotRedrivable);
    expect((error as Error).message).toContain('Execution redrivable period exceeded.');
    expect(sfn.service.describeExecution(arn).status).toBe('FAILED');
  });
});
