import '../../../local/quiet-sdk-warning.ts';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { AwsServiceError } from '../../../local/aws-errors.ts';
import type { ServiceCall } from '../../../local/stepfunctions/protocol.ts';
import {
  bundleWorker,
  callbackTask,
  DAY,
  lambdaTask,
  machineArn,
  SECOND,
  type Sfn,
  startSfn,
  tokenOf,
  until,
} from './stepfunctions-harness.ts';

/**
 * The local Step Functions holds executions to the quotas of Standard workflows as AWS does: 25,000
 * history events, 256 KiB payloads, one year of execution, and the errors AWS raises when they are
 * reached (small state machines of the tests' own on the real interpreter worker).
 */
const KIB = 1024;

const publish = (rest: Record<string, unknown>) => ({
  Type: 'Task',
  Resource: 'arn:aws:states:::events:putEvents',
  Parameters: { Entries: [{ Source: 'test', DetailType: 'Tested', Detail: { n: 1 }, EventBusName: 'b' }] },
  ...rest,
});

const asking = (fields: Record<string, unknown>) => ({
  StartAt: 'Ask',
  States: {
    Ask: callbackTask('ask', {
      ...fields,
      // States.Runtime is not caught, not even by States.ALL.
      Catch: [{ ErrorEquals: ['States.ALL'], Next: 'Handled' }],
      End: true,
    }),
    Handled: { Type: 'Pass', End: true },
  },
});

/** One service for the file (a worker takes a while to start): each test has machines and names of its own. */
const machines = {
  spin: {
    StartAt: 'Loop',
    States: {
      Loop: {
        Type: 'Choice',
        Choices: [{ Variable: '$.stop', BooleanEquals: true, Next: 'Done' }],
        Default: 'Loop',
      },
      Done: { Type: 'Succeed' },
    },
  },
  invoke: {
    StartAt: 'Fetch',
    States: {
      Fetch: lambdaTask('fetch', { Catch: [{ ErrorEquals: ['States.ALL'], Next: 'Handled' }], Next: 'Done' }),
      Done: { Type: 'Succeed' },
      Handled: { Type: 'Pass', End: true },
    },
  },
  double: {
    StartAt: 'Double',
    States: {
      Double: { Type: 'Pass', Parameters: { 'a.$': '$.s', 'b.$': '$.s' }, Next: 'Use' },
      Use: lambdaTask('use', { End: true }),
    },
  },
  wait: { StartAt: 'Ask', States: { Ask: callbackTask('ask', { TimeoutSeconds: 3600, End: true }) } },
  forever: { StartAt: 'Ask', States: { Ask: callbackTask('ask', { End: true }) } },
  publishRetried: {
    StartAt: 'Publish',
    States: {
      Publish: publish({
        Retry: [{ ErrorEquals: ['EventBridge.FailedEntry'], IntervalSeconds: 1, MaxAttempts: 2 }],
        End: true,
      }),
    },
  },
  publishCaught: {
    StartAt: 'Publish',
    States: {
      Publish: publish({
        Catch: [{ ErrorEquals: ['EventBridge.FailedEntry'], ResultPath: '$.error', Next: 'Record' }],
        End: true,
      }),
      Record: { Type: 'Pass', End: true },
    },
  },
  timeoutPath: asking({ TimeoutSecondsPath: '$.t' }),
  heartbeatPath: asking({ TimeoutSeconds: 3600, HeartbeatSecondsPath: '$.h' }),
  waitPath: asking({ TimeoutSecondsPath: '$.wait' }),
  heartbeats: {
    StartAt: 'Ask',
    States: {
      Ask: callbackTask('ask', {
        TimeoutSeconds: 3600,
        HeartbeatSecondsPath: '$.h',
        Catch: [{ ErrorEquals: ['States.HeartbeatTimeout'], Next: 'Handled' }],
        End: true,
      }),
      Handled: { Type: 'Pass', End: true },
    },
  },
};

let cleanup: () => void;
let sfn: Sfn;
/** How the fake services answer the calls of the test under way. */
let answer: (call: ServiceCall) => unknown;

beforeAll(async () => {
  const bundled = await bundleWorker();
  cleanup = bundled.cleanup;
  sfn = await startSfn({ workerFile: bundled.workerFile, machines, call: (call) => answer(call) });
});
beforeEach(() => {
  answer = () => ({});
  sfn.calls.length = 0;
});
afterAll(async () => {
  await sfn.close();
  cleanup();
});

const rejection = (fn: () => unknown): AwsServiceError => {
  try {
    fn();
  } catch (error) {
    if (error instanceof AwsServiceError) return error;
    throw error;
  }
  throw new Error('expected an AwsServiceError');
};

describe('the history quota (25,000 events)', () => {
  it('fails a runaway loop with States.Runtime, its ExecutionFailed being event 25,000', async () => {
    // Act: a Choice that loops on itself forever, nothing else
    const arn = sfn.start('spin', 'run-1', { stop: false });
    await sfn.service.whenEnded(arn);

    // Assess
    const described = sfn.service.describeExecution(arn);
    expect(described).toMatchObject({
      status: 'FAILED',
      error: 'States.Runtime',
      cause: 'The execution reached the maximum number of history events (25000).',
    });
    const [last, beforeLast] = sfn.service.getExecutionHistory({
      executionArn: arn,
      reverseOrder: true,
      maxResults: 2,
    }).events;
    expect(last).toMatchObject({ id: 25_000, previousEventId: 24_999, type: 'ExecutionFailed' });
    expect(beforeLast?.type).toMatch(/^ChoiceState(Entered|Exited)$/);
    expect(described.redriveStatusReason).toBe('Execution history event limit exceeded.');
  });
});

describe('the payload quota (256 KiB)', () => {
  it('rejects an execution input over 256 KiB with ValidationException, and takes one of exactly 256 KiB', () => {
    // Prepare
    const wrapper = JSON.stringify({ s: '' }).length;
    const exactly = JSON.stringify({ s: 'x'.repeat(256 * KIB - wrapper) });
    const over = JSON.stringify({ s: 'x'.repeat(256 * KIB - wrapper + 1) });

    // Act
    const error = rejection(() =>
      sfn.service.startExecution({ stateMachineArn: machineArn('wait'), name: 'big', input: over }),
    );
    const started = sfn.service.startExecution({
      stateMachineArn: machineArn('wait'),
      name: 'fits',
      input: exactly,
    });

    // Assess
    expect(error.code).toBe('ValidationException');
    expect(error.message).toContain("Value at 'input' failed to satisfy constraint");
    expect(() => sfn.service.describeExecution(started.executionArn.replace(':fits', ':big'))).toThrow();
    expect(sfn.service.describeExecution(started.executionArn).status).toBe('RUNNING');
    sfn.service.stopExecution({ executionArn: started.executionArn });
  });

  it('fails a task whose result is over 256 KiB with States.DataLimitExceeded, which its Catch handles', async () => {
    // Prepare: the function answers 300 KiB
    answer = () => ({ blob: 'x'.repeat(300 * KIB) });

    // Act
    const arn = sfn.start('invoke', 'big-result');
    await sfn.service.whenEnded(arn);

    // Assess: TaskFailed with AWS's cause, then the catcher's path
    const failed = sfn.events(arn).find((e) => e.type === 'TaskFailed');
    expect(failed?.taskFailedEventDetails).toMatchObject({
      error: 'States.DataLimitExceeded',
      cause:
        "The state/task 'lambda' returned a result with a size exceeding the maximum number of bytes service limit.",
    });
    expect(sfn.types(arn)).toContain('PassStateEntered');
    expect(sfn.service.describeExecution(arn).status).toBe('SUCCEEDED');
  });

  it('fails the execution when a state output is over 256 KiB: no StateExited, no next state', async () => {
    // Act: 150 KiB in, twice that out
    const arn = sfn.start('double', 'big-output', { s: 'x'.repeat(150 * KIB) });
    await sfn.service.whenEnded(arn);

    // Assess
    expect(sfn.service.describeExecution(arn)).toMatchObject({
      status: 'FAILED',
      error: 'States.DataLimitExceeded',
      cause:
        "The state/task 'Double' returned a result with a size exceeding the maximum number of bytes service limit.",
    });
    expect(sfn.types(arn)).toEqual(['ExecutionStarted', 'PassStateEntered', 'ExecutionFailed']);
    expect(sfn.calls).toHaveLength(0);
  });

  it('rejects a SendTaskSuccess output over 256 KiB with ValidationException and leaves the task open', async () => {
    // Prepare
    const arn = sfn.start('wait', 'answer');
    await until('the task to wait', () => sfn.types(arn).includes('TaskSubmitted'));
    const taskToken = tokenOf(sfn.calls, 'ask');

    // Act
    const error = rejection(() =>
      sfn.service.sendTaskSuccess({ taskToken, output: JSON.stringify({ s: 'x'.repeat(256 * KIB) }) }),
    );
    sfn.service.sendTaskSuccess({ taskToken, output: '{"ok":true}' });
    await sfn.service.whenEnded(arn);

    // Assess
    expect(error.code).toBe('ValidationException');
    expect(sfn.service.describeExecution(arn)).toMatchObject({ status: 'SUCCEEDED', output: '{"ok":true}' });
  });
});

describe('EventBridge.FailedEntry', () => {
  const failedEntry = { FailedEntryCount: 1, Entries: [{ ErrorCode: 'InternalFailure', ErrorMessage: 'x' }] };

  it('fails the task when PutEvents reports failed entries, and Retry on EventBridge.FailedEntry puts again', async () => {
    // Prepare: the first put reports a failed entry, the second succeeds
    let puts = 0;
    answer = () => (++puts === 1 ? failedEntry : { FailedEntryCount: 0, Entries: [{ EventId: 'e-1' }] });

    // Act
    const arn = sfn.start('publishRetried', 'retried');
    await until('the first put', () => puts === 1);
    await sfn.advance(2 * SECOND);
    await sfn.service.whenEnded(arn);

    // Assess
    expect(sfn.service.describeExecution(arn).status).toBe('SUCCEEDED');
    expect(puts).toBe(2);
    const failed = sfn.events(arn).find((e) => e.type === 'TaskFailed');
    expect(failed?.taskFailedEventDetails).toMatchObject({
      error: 'EventBridge.FailedEntry',
      cause: JSON.stringify(failedEntry),
    });
    // Step Functions names the state machine and the execution in every entry's Resources.
    expect(sfn.calls[0]).toMatchObject({
      service: 'events',
      entries: [{ Resources: [machineArn('publishRetried'), arn] }],
    });
  });

  it('lets a Catch on EventBridge.FailedEntry take over when the entries keep failing', async () => {
    // Prepare
    answer = () => failedEntry;

    // Act
    const arn = sfn.start('publishCaught', 'caught');
    await sfn.service.whenEnded(arn);

    // Assess
    const described = sfn.service.describeExecution(arn);
    expect(described.status).toBe('SUCCEEDED');
    expect(JSON.parse(described.output ?? '{}').error).toMatchObject({ Error: 'EventBridge.FailedEntry' });
  });
});

describe('TimeoutSecondsPath and HeartbeatSecondsPath', () => {
  it.each([
    ['missing', 'missing', {}],
    ['not an integer', 'fraction', { t: 1.5 }],
    ['zero', 'zero', { t: 0 }],
    ['a string', 'string', { t: '60' }],
    ['over 99999999', 'huge', { t: 100_000_000 }],
  ])(
    'fails the execution with States.Runtime for a TimeoutSecondsPath value %s, before scheduling anything',
    async (_, name, input) => {
      // Act
      const arn = sfn.start('timeoutPath', `timeout-${name}`, input);
      await sfn.service.whenEnded(arn);

      // Assess
      expect(sfn.service.describeExecution(arn)).toMatchObject({ status: 'FAILED', error: 'States.Runtime' });
      expect(sfn.types(arn)).toEqual(['ExecutionStarted', 'TaskStateEntered', 'ExecutionFailed']);
      expect(sfn.calls).toHaveLength(0);
    },
  );

  it.each([
    ['missing', 'missing', {}],
    ['negative', 'negative', { h: -5 }],
    ['over 99999999', 'huge', { h: 100_000_000 }],
  ])(
    'fails the execution with States.Runtime for a HeartbeatSecondsPath value %s',
    async (_, name, input) => {
      // Act
      const arn = sfn.start('heartbeatPath', `heartbeat-${name}`, input);
      await sfn.service.whenEnded(arn);

      // Assess
      expect(sfn.service.describeExecution(arn)).toMatchObject({ status: 'FAILED', error: 'States.Runtime' });
      expect(sfn.types(arn)).not.toContain('TaskScheduled');
      expect(sfn.calls).toHaveLength(0);
    },
  );

  it('reads TimeoutSecondsPath from the state input (not the Parameters) and times the task out then', async () => {
    // Prepare: the Parameters do not carry the timeout, the state input does
    const arn = sfn.start('waitPath', 'timed', { wait: 120 });
    await until('the task to wait', () => sfn.types(arn).includes('TaskSubmitted'));

    // Act
    await sfn.advance(119 * SECOND);
    const before = sfn.service.describeExecution(arn).status;
    await sfn.advance(2 * SECOND);
    await sfn.service.whenEnded(arn);

    // Assess
    expect(before).toBe('RUNNING');
    expect(sfn.events(arn).find((e) => e.type === 'TaskScheduled')?.taskScheduledEventDetails).toMatchObject({
      timeoutInSeconds: 120,
    });
    expect(sfn.events(arn).find((e) => e.type === 'TaskTimedOut')?.taskTimedOutEventDetails).toMatchObject({
      error: 'States.Timeout',
    });
  });

  it('times a task out with States.HeartbeatTimeout when no heartbeat comes in time, and not while they do', async () => {
    // Prepare
    const arn = sfn.start('heartbeats', 'heartbeats', { h: 60 });
    await until('the task to wait', () => sfn.types(arn).includes('TaskSubmitted'));
    const taskToken = tokenOf(sfn.calls, 'ask');

    // Act: a heartbeat at 50 s keeps it alive past 60 s; none by 110 s times it out
    await sfn.advance(50 * SECOND);
    sfn.service.sendTaskHeartbeat({ taskToken });
    await sfn.advance(30 * SECOND);
    const alive = sfn.service.describeExecution(arn).status;
    await sfn.advance(40 * SECOND);
    await sfn.service.whenEnded(arn);

    // Assess
    expect(alive).toBe('RUNNING');
    expect(sfn.events(arn).find((e) => e.type === 'TaskTimedOut')?.taskTimedOutEventDetails).toMatchObject({
      error: 'States.HeartbeatTimeout',
    });
    expect(sfn.service.describeExecution(arn).status).toBe('SUCCEEDED');
    expect(rejection(() => sfn.service.sendTaskSuccess({ taskToken, output: '{}' })).code).toBe(
      'TaskTimedOut',
    );
  });
});

describe('the end of an execution', () => {
  it('writes no task event after StopExecution, and answers the task token with TaskTimedOut', async () => {
    // Prepare: the callback's function call is still in flight when the execution is stopped
    let respond: (value: unknown) => void = () => undefined;
    answer = () => new Promise((resolve) => (respond = resolve));
    const arn = sfn.start('wait', 'stopped');
    await until('the call', () => sfn.calls.length === 1);
    const taskToken = tokenOf(sfn.calls, 'ask');

    // Act
    sfn.service.stopExecution({ executionArn: arn, error: 'Manual', cause: 'probe' });
    const described = sfn.service.describeExecution(arn);
    respond({});
    await sfn.advance(2 * 3600 * SECOND);

    // Assess: aborted at once with its error and cause; nothing after the end, the token gone
    expect(described).toMatchObject({ status: 'ABORTED', error: 'Manual', cause: 'probe' });
    expect(sfn.types(arn)).toEqual([
      'ExecutionStarted',
      'TaskStateEntered',
      'TaskScheduled',
      'TaskStarted',
      'ExecutionAborted',
    ]);
    expect(sfn.events(arn).at(-1)).toMatchObject({
      executionAbortedEventDetails: { error: 'Manual', cause: 'probe' },
    });
    const error = rejection(() => sfn.service.sendTaskSuccess({ taskToken, output: '{}' }));
    expect([error.code, error.message]).toEqual([
      'TaskTimedOut',
      "Task Timed Out: 'Provided task does not exist anymore'",
    ]);
  });

  it('answers a token that never existed with InvalidToken', () => {
    // Act / Assess
    expect(rejection(() => sfn.service.sendTaskSuccess({ taskToken: 'nonsense', output: '{}' })).code).toBe(
      'InvalidToken',
    );
  });
});

// Last: it moves the file's clock by more than a year.
describe('the maximum execution time (one year)', () => {
  it('times out an execution still waiting a year after its start, on the moving clock, with States.Timeout', async () => {
    // Prepare: a person who never answers, and a task with no TimeoutSeconds (AWS's default: 99999999 s)
    const startedAt = sfn.clock.now();
    const arn = sfn.start('forever', 'year');
    await until('the task to wait', () => sfn.types(arn).includes('TaskSubmitted'));
    const taskToken = tokenOf(sfn.calls, 'ask');

    // Act: a month, then past the year
    await sfn.advance(30 * DAY);
    const afterAMonth = sfn.service.describeExecution(arn).status;
    await sfn.advance(340 * DAY);
    await sfn.service.whenEnded(arn);

    // Assess: TIMED_OUT at exactly a year; AWS reports no error or cause for it outside the history
    expect(afterAMonth).toBe('RUNNING');
    const described = sfn.service.describeExecution(arn);
    expect(described).toMatchObject({ status: 'TIMED_OUT', stopDate: (startedAt + 365 * DAY) / 1000 });
    expect(described).not.toHaveProperty('error');
    expect(described.redriveStatusReason).toBe('Execution has exceeded the max execution time.');
    expect(sfn.events(arn).at(-1)).toMatchObject({
      type: 'ExecutionTimedOut',
      executionTimedOutEventDetails: { error: 'States.Timeout' },
    });
    expect(rejection(() => sfn.service.sendTaskSuccess({ taskToken, output: '{}' })).code).toBe(
      'TaskTimedOut',
    );
  });
});
