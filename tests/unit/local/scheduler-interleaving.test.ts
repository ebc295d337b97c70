import '../../../local/quiet-sdk-warning.ts';
import { mkdtempSync, rmSync } from 'node:fs';
import type { Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { SendTaskSuccessCommand, SFNClient, StartExecutionCommand } from '@aws-sdk/client-sfn';
import { build } from 'esbuild';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startAwsEndpoint } from '../../../local/aws-endpoint.ts';
import { LocalClock } from '../../../local/clock.ts';
import { type BusEvent, LocalEventBus } from '../../../local/event-bus.ts';
import { parseEventPattern } from '../../../local/eventbridge/event-pattern.ts';
import { LocalScheduler, schedulerTimers } from '../../../local/scheduler.ts';
import { LocalStepFunctions } from '../../../local/stepfunctions/service.ts';

/**
 * Schedules fire at their own instant on the stack clock, in time order with the interpreter's waits,
 * when one advance crosses both: the real interpreter worker, the local bus, the scheduler and the
 * AWS endpoint, with fake functions in place of the handlers (no DynamoDB).
 */
const T0 = Date.parse('2026-12-01T01:00:00Z');
const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const GROUP = 'hotline-callbacks';
const BUS = 'hotline-local';
const fnArn = (name: string) => `arn:aws:lambda:local:000000000000:function:${name}`;
const machineArn = (name: string) => `arn:aws:states:local:000000000000:stateMachine:${name}`;

let workerFile: string;
const workDir = mkdtempSync(join(tmpdir(), 'hotline-scheduler-it-'));

beforeAll(async () => {
  // The stack bundles the worker the same way (local/stack.ts), so that it runs in a plain worker thread.
  workerFile = join(workDir, 'interpreter-worker.mjs');
  await build({
    entryPoints: [resolve(import.meta.dirname, '../../../local/stepfunctions/interpreter-worker.ts')],
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    outfile: workerFile,
    logLevel: 'silent',
    banner: {
      js: "import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);",
    },
  });
});

afterAll(() => rmSync(workDir, { recursive: true, force: true }));

const lambdaTask = (functionName: string, payload: Record<string, unknown>, next?: string) => ({
  Type: 'Task',
  Resource: 'arn:aws:states:::lambda:invoke',
  Parameters: { FunctionName: functionName, Payload: payload },
  ResultPath: null,
  ...(next ? { Next: next } : { End: true }),
});

const wait = (seconds: number, next: string) => ({ Type: 'Wait', Seconds: seconds, Next: next });

/** A work order's lifecycle, in short: closed after an hour, then a reminder five days later. */
const lifecycle = {
  StartAt: 'UntilClosed',
  States: {
    UntilClosed: wait(3600, 'Close'),
    Close: lambdaTask('close', { 'orderId.$': '$.orderId' }, 'UntilReminder'),
    UntilReminder: wait(5 * 86_400, 'Remind'),
    Remind: lambdaTask('record', { step: 'reminder' }),
  },
};

/** Waits for a call-back whose answer comes from a schedule's target (SendTaskSuccess), then a day. */
const awaitingCallback = {
  StartAt: 'AwaitCallback',
  States: {
    AwaitCallback: {
      Type: 'Task',
      Resource: 'arn:aws:states:::lambda:invoke.waitForTaskToken',
      Parameters: { FunctionName: 'arrangeCallback', Payload: { 'token.$': '$$.Task.Token' } },
      // The interpreter's default task timeout is the ASL spec's 60 s.
      TimeoutSeconds: 10 * 86_400,
      ResultPath: '$.callback',
      Next: 'UntilFollowUp',
    },
    UntilFollowUp: wait(86_400, 'FollowUp'),
    FollowUp: lambdaTask('record', { step: 'follow-up', 'answer.$': '$.callback.answer' }),
  },
};

/** Started by a schedule's target: an hour, then a record. */
const survey = {
  StartAt: 'UntilSent',
  States: { UntilSent: wait(3600, 'Sent'), Sent: lambdaTask('record', { step: 'survey sent' }) },
};

interface Harness {
  readonly clock: LocalClock;
  readonly scheduler: LocalScheduler;
  readonly stepFunctions: LocalStepFunctions;
  /** What ran, and when on the stack clock. */
  readonly log: string[];
  moveTime(target: number): Promise<void>;
}

const running: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const stop of running.splice(0)) await stop();
});

/** The local stack's wiring in small: bus → consumer → schedule → target, all on one manual clock. */
const startHarness = async (): Promise<Harness> => {
  const clock = new LocalClock({ mode: 'manual', now: T0 });
  const log: string[] = [];
  const at = () => `+${(clock.now() - T0) / HOUR}h`;
  let sfn: SFNClient | undefined;

  const scheduleCallback = (event: BusEvent) => {
    const { orderId } = event.detail as { orderId: string };
    const when = new Date(clock.now() + DAY).toISOString().slice(0, 19);
    scheduler.createSchedule({
      Name: `cb-${orderId}`,
      GroupName: GROUP,
      ScheduleExpression: `at(${when})`,
      FlexibleTimeWindow: { Mode: 'OFF' },
      ActionAfterCompletion: 'DELETE',
      Target: {
        Arn: fnArn('callbackAttempt'),
        RoleArn: 'arn:aws:iam::000000000000:role/scheduler',
        Input: JSON.stringify({ orderId }),
      },
    });
    log.push(`${at()} scheduled cb-${orderId}`);
  };
  const bus = new LocalEventBus(BUS, () => clock.now(), [
    {
      name: 'ScheduleCallbacks',
      pattern: parseEventPattern(JSON.stringify({ 'detail-type': ['WorkOrder Closed'] })),
      deliver: async (event) => scheduleCallback(event),
    },
  ]);

  const functions: Record<string, (payload: Record<string, unknown>) => Promise<unknown>> = {
    close: async ({ orderId }) => {
      log.push(`${at()} closed ${String(orderId)}`);
      return bus.putEvents([
        {
          EventBusName: BUS,
          Source: 'hotline.work-orders',
          DetailType: 'WorkOrder Closed',
          Detail: { orderId },
        },
      ]);
    },
    record: async ({ step, answer }) => {
      log.push(`${at()} ${String(step)}${answer === undefined ? '' : ` (${String(answer)})`}`);
    },
    callbackAttempt: async ({ orderId }) => {
      log.push(`${at()} call-back ${String(orderId)}`);
    },
    arrangeCallback: async ({ token }) => {
      const when = new Date(clock.now() + 2 * DAY).toISOString().slice(0, 19);
      scheduler.createSchedule({
        Name: 'answer',
        GroupName: GROUP,
        ScheduleExpression: `at(${when})`,
        FlexibleTimeWindow: { Mode: 'OFF' },
        Target: {
          Arn: fnArn('answerAndStartSurvey'),
          RoleArn: 'arn:aws:iam::000000000000:role/scheduler',
          Input: JSON.stringify({ token }),
        },
      });
      log.push(`${at()} arranged`);
    },
    // Calls Step Functions through the local AWS endpoint, as a handler does, from inside a firing.
    answerAndStartSurvey: async ({ token }) => {
      log.push(`${at()} answering`);
      await sfn?.send(new StartExecutionCommand({ stateMachineArn: machineArn('survey'), name: 'survey-1' }));
      await sfn?.send(
        new SendTaskSuccessCommand({
          taskToken: String(token),
          output: JSON.stringify({ answer: 'satisfied' }),
        }),
      );
    },
  };
  const invoke = (nameOrArn: string, payload: unknown) => {
    const name = nameOrArn.split(':function:').at(-1) ?? nameOrArn;
    const fn = functions[name];
    if (!fn) return Promise.reject(new Error(`Function not found: ${nameOrArn}`));
    return fn(payload as Record<string, unknown>);
  };

  const scheduler = new LocalScheduler({ now: () => clock.now(), invoke, groups: [GROUP] });
  const stepFunctions = await LocalStepFunctions.start({
    workerFile,
    stateMachines: Object.entries({ lifecycle, awaitingCallback, survey }).map(([name, definition]) => ({
      arn: machineArn(name),
      name,
      definition: JSON.stringify(definition),
    })),
    now: () => clock.now(),
    onTime: (ms) => clock.moveTo(ms),
    call: async (call) => {
      if (call.service !== 'lambda') throw new Error(`unexpected ${call.service} call`);
      return invoke(call.functionName, call.payload);
    },
    externalTimers: schedulerTimers({ bus, scheduler }),
  });
  const aws = await startAwsEndpoint({ stepFunctions, bus, scheduler });
  sfn = new SFNClient({
    endpoint: aws.url,
    region: 'local',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    maxAttempts: 1,
  });
  running.push(async () => {
    sfn?.destroy();
    await new Promise<void>((r) => (aws.server as Server).close(() => r()));
    await stepFunctions.close();
  });
  return {
    clock,
    scheduler,
    stepFunctions,
    log,
    // As the stack's moveTime: the interpreter (and through it the scheduler) first, then the clock.
    moveTime: async (target) => {
      await stepFunctions.advanceTo(target);
      clock.moveTo(target);
    },
  };
};

describe('the scheduler on the stack clock', () => {
  it('fires a schedule created during an advance at its own instant, between the waits', async () => {
    // Prepare
    const stack = await startHarness();
    const { executionArn } = stack.stepFunctions.startExecution({
      stateMachineArn: machineArn('lifecycle'),
      name: 'WO01',
      input: JSON.stringify({ orderId: 'WO01' }),
    });

    // Act: ten days in one move
    await stack.moveTime(T0 + 10 * DAY);
    await stack.stepFunctions.whenEnded(executionArn);

    // Assess
    expect(stack.log).toEqual([
      '+1h closed WO01',
      '+1h scheduled cb-WO01',
      '+25h call-back WO01',
      '+121h reminder',
    ]);
    expect(stack.stepFunctions.describeExecution(executionArn).status).toBe('SUCCEEDED');
    expect(stack.scheduler.listSchedules().Schedules).toEqual([]);
    expect(stack.clock.now()).toBe(T0 + 10 * DAY);
  });

  it('fires schedules when no execution runs at all, each at its instant', async () => {
    // Prepare
    const stack = await startHarness();
    for (const [orderId, hours] of [
      ['WO02', 30],
      ['WO01', 6],
    ] as const) {
      stack.scheduler.createSchedule({
        Name: `cb-${orderId}`,
        GroupName: GROUP,
        ScheduleExpression: `at(${new Date(T0 + hours * HOUR).toISOString().slice(0, 19)})`,
        FlexibleTimeWindow: { Mode: 'OFF' },
        Target: {
          Arn: fnArn('callbackAttempt'),
          RoleArn: 'arn:aws:iam::000000000000:role/scheduler',
          Input: JSON.stringify({ orderId }),
        },
      });
    }

    // Act
    await stack.moveTime(T0 + 2 * DAY);

    // Assess
    expect(stack.log).toEqual(['+6h call-back WO01', '+30h call-back WO02']);
  });

  it('does not fire a schedule before its instant when time stops short of it', async () => {
    // Prepare
    const stack = await startHarness();
    stack.scheduler.createSchedule({
      Name: 'cb-WO01',
      GroupName: GROUP,
      ScheduleExpression: `at(${new Date(T0 + DAY).toISOString().slice(0, 19)})`,
      FlexibleTimeWindow: { Mode: 'OFF' },
      Target: { Arn: fnArn('callbackAttempt'), RoleArn: 'arn:aws:iam::000000000000:role/scheduler' },
    });

    // Act
    await stack.moveTime(T0 + DAY - 1000);
    const before = [...stack.log];
    await stack.moveTime(T0 + DAY);

    // Assess
    expect(before).toEqual([]);
    expect(stack.log).toEqual(['+24h call-back undefined']);
  });

  it('lets a target start executions and complete a task token through the AWS endpoint, without deadlock', async () => {
    // Prepare
    const stack = await startHarness();
    const { executionArn } = stack.stepFunctions.startExecution({
      stateMachineArn: machineArn('awaitingCallback'),
      name: 'WO03',
    });

    // Act
    await stack.moveTime(T0 + 10 * DAY);
    await stack.stepFunctions.whenEnded(executionArn);

    // Assess
    expect(stack.log).toEqual([
      '+0h arranged',
      '+48h answering',
      '+49h survey sent',
      '+72h follow-up (satisfied)',
    ]);
    expect(stack.stepFunctions.describeExecution(executionArn).status).toBe('SUCCEEDED');
    expect(stack.scheduler.deadLettered()).toEqual([]);
    expect(
      stack.stepFunctions.describeExecution(
        `${machineArn('survey').replace(':stateMachine:', ':execution:')}:survey-1`,
      ).status,
    ).toBe('SUCCEEDED');
  });
});
