import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { callbackSchedules, lifecycleHealing, miningSchedule } from '#wiring/wiring.ts';
import { LocalEventBus } from '../../../local/event-bus.ts';
import {
  ASYNC_RETRY_DELAYS_MS,
  type AsyncInvokeConfig,
  localAsyncInvokeConfigs,
} from '../../../local/lambda-async-invoke.ts';
import { LocalScheduler, type ScheduleRequest, schedulerTimers } from '../../../local/scheduler.ts';

/**
 * EventBridge Scheduler invokes a Lambda target asynchronously: its RetryPolicy and DeadLetterConfig
 * cover only Lambda taking the event; the function's own errors are retried by Lambda (a minute, then
 * two minutes later, as the function's EventInvokeConfig allows) and then go to its on-failure
 * destination.
 */
const T0 = Date.parse('2026-12-02T01:00:00Z');
const MINUTE = 60_000;
const GROUP = callbackSchedules.groupName;
const FUNCTION_ARN = 'arn:aws:lambda:local:000000000000:function:hotline-callbackAttempt';
const ROLE_ARN = 'arn:aws:iam::000000000000:role/hotline-scheduler';
const SCHEDULE_DLQ = 'arn:aws:sqs:local:000000000000:hotline-callbacks-dlq';
const FAILED_ATTEMPTS = 'arn:aws:sqs:local:000000000000:hotline-local-callback-failed-attempts';

const oneTime = (name: string, atMs: number, changes: Partial<ScheduleRequest> = {}): ScheduleRequest => ({
  Name: name,
  GroupName: GROUP,
  ScheduleExpression: `at(${new Date(atMs).toISOString().slice(0, 19)})`,
  ScheduleExpressionTimezone: 'UTC',
  FlexibleTimeWindow: { Mode: 'OFF' },
  ActionAfterCompletion: 'DELETE',
  Target: {
    Arn: FUNCTION_ARN,
    RoleArn: ROLE_ARN,
    Input: JSON.stringify({ orderId: 'WO1', round: 1, attempt: 1 }),
    RetryPolicy: { MaximumRetryAttempts: 4, MaximumEventAgeInSeconds: 21_600 },
    DeadLetterConfig: { Arn: SCHEDULE_DLQ },
  },
  ...changes,
});

interface Setup {
  /** Function runs that fail before one succeeds. */
  readonly failures?: number;
  readonly config?: AsyncInvokeConfig | undefined;
  /** Lambda refuses the Invoke call itself (the function does not exist). */
  readonly refuse?: boolean;
  readonly file?: string;
}

const setup = ({ failures = 0, refuse = false, file, ...rest }: Setup = {}) => {
  let left = failures;
  const runs: { readonly payload: unknown; readonly at: number }[] = [];
  let now = T0;
  const config: AsyncInvokeConfig | undefined =
    'config' in rest ? rest.config : { ...callbackSchedules.invocation, onFailure: FAILED_ATTEMPTS };
  const scheduler = new LocalScheduler({
    ...(file ? { file } : {}),
    now: () => now,
    invoke: async (_arn, payload) => {
      runs.push({ payload, at: now });
      if (left > 0) {
        left -= 1;
        throw Object.assign(new Error('DynamoDB is unreachable'), { name: 'ProvisionedThroughputExceeded' });
      }
      return { outcome: 'opened' };
    },
    lambda: {
      accept: () => {
        if (refuse)
          throw Object.assign(new Error('Function not found'), { name: 'ResourceNotFoundException' });
      },
      asyncConfigOf: () => config,
    },
    groups: [GROUP],
  });
  /** Moves the clock to `ms` and fires what is due then, as the stack's advance does. */
  const runAt = async (ms: number) => {
    now = ms;
    return scheduler.fireDue(ms);
  };
  return { scheduler, runs, runAt };
};

describe('LocalScheduler with a Lambda target (asynchronous invocation)', () => {
  it('runs the function once at its instant and completes the schedule, though the function failed', async () => {
    // Prepare
    const { scheduler, runs, runAt } = setup({ failures: 10 });
    scheduler.createSchedule(oneTime('cb-WO1-1-1', T0));

    // Act
    await runAt(T0);

    // Assess: no Scheduler retry, no Scheduler dead letter; the schedule is gone (DELETE).
    expect(runs).toEqual([{ payload: { orderId: 'WO1', round: 1, attempt: 1 }, at: T0 }]);
    expect(scheduler.deadLettered()).toEqual([]);
    expect(scheduler.listSchedules().Schedules).toEqual([]);
    expect(scheduler.nextDue()).toBe(T0 + MINUTE);
  });

  it('retries a function error one minute, then two minutes later, then sends it to the on-failure destination', async () => {
    // Prepare
    const { scheduler, runs, runAt } = setup({ failures: 10 });
    scheduler.createSchedule(oneTime('cb-WO1-1-1', T0));

    // Act
    await runAt(T0);
    const early = await runAt(T0 + MINUTE - 1);
    await runAt(T0 + MINUTE);
    const nextAfterSecond = scheduler.nextDue();
    await runAt(T0 + 3 * MINUTE);

    // Assess
    expect(early).toBe(0);
    expect(runs.map((r) => r.at)).toEqual([T0, T0 + MINUTE, T0 + 3 * MINUTE]);
    expect(nextAfterSecond).toBe(T0 + 3 * MINUTE);
    expect(scheduler.nextDue()).toBeUndefined();
    expect(scheduler.deadLettered()).toEqual([]);
    expect(scheduler.failedInvocations()).toEqual([
      {
        functionArn: FUNCTION_ARN,
        destinationArn: FAILED_ATTEMPTS,
        source: { schedule: 'cb-WO1-1-1', group: GROUP },
        record: {
          version: '1.0',
          timestamp: new Date(T0 + 3 * MINUTE).toISOString(),
          requestContext: {
            requestId: expect.stringMatching(/^[0-9a-f-]{36}$/),
            functionArn: `${FUNCTION_ARN}:$LATEST`,
            condition: 'RetriesExhausted',
            approximateInvokeCount: 3,
          },
          requestPayload: { orderId: 'WO1', round: 1, attempt: 1 },
          responseContext: { statusCode: 200, executedVersion: '$LATEST', functionError: 'Unhandled' },
          responsePayload: {
            errorType: 'ProvisionedThroughputExceeded',
            errorMessage: 'DynamoDB is unreachable',
            trace: [],
          },
        },
      },
    ]);
  });

  it('returns no failure when a retry succeeds', async () => {
    // Prepare
    const { scheduler, runs, runAt } = setup({ failures: 1 });
    scheduler.createSchedule(oneTime('cb-WO1-1-1', T0));

    // Act
    await runAt(T0);
    await runAt(T0 + MINUTE);

    // Assess
    expect(runs).toHaveLength(2);
    expect(scheduler.failedInvocations()).toEqual([]);
    expect(scheduler.nextDue()).toBeUndefined();
  });

  it('does not retry a function whose MaximumRetryAttempts is 0', async () => {
    // Prepare
    const { scheduler, runs, runAt } = setup({
      failures: 10,
      config: { maximumRetryAttempts: 0, maximumEventAgeSeconds: 3600, onFailure: FAILED_ATTEMPTS },
    });
    scheduler.createSchedule(oneTime('cb-WO1-1-1', T0));

    // Act
    await runAt(T0);

    // Assess
    expect(runs).toHaveLength(1);
    expect(scheduler.failedInvocations()[0]?.record.requestContext).toMatchObject({
      condition: 'RetriesExhausted',
      approximateInvokeCount: 1,
    });
  });

  it('gives up with EventAgeExceeded when the next retry would come after MaximumEventAgeInSeconds', async () => {
    // Prepare: the second retry would be 3 minutes after Lambda took the event; it may be 2 minutes old.
    const { scheduler, runs, runAt } = setup({
      failures: 10,
      config: { maximumRetryAttempts: 2, maximumEventAgeSeconds: 120, onFailure: FAILED_ATTEMPTS },
    });
    scheduler.createSchedule(oneTime('cb-WO1-1-1', T0));

    // Act
    await runAt(T0);
    await runAt(T0 + MINUTE);

    // Assess
    expect(runs).toHaveLength(2);
    expect(scheduler.nextDue()).toBeUndefined();
    expect(scheduler.failedInvocations()[0]?.record.requestContext).toMatchObject({
      condition: 'EventAgeExceeded',
      approximateInvokeCount: 2,
    });
  });

  it("follows Lambda's defaults without an EventInvokeConfig: two retries, then the event is discarded", async () => {
    // Prepare
    const { scheduler, runs, runAt } = setup({ failures: 10, config: undefined });
    scheduler.createSchedule(oneTime('cb-WO1-1-1', T0));

    // Act
    await runAt(T0);
    await runAt(T0 + MINUTE);
    await runAt(T0 + 3 * MINUTE);

    // Assess: kept locally so a run shows it, with no destination (AWS drops it).
    expect(runs).toHaveLength(3);
    expect(scheduler.failedInvocations()).toHaveLength(1);
    expect(scheduler.failedInvocations()[0]).not.toHaveProperty('destinationArn');
  });

  it("retries an invocation Lambda refuses by the schedule's RetryPolicy, then dead-letters it to its queue", async () => {
    // Prepare
    const { scheduler, runs, runAt } = setup({ refuse: true });
    scheduler.createSchedule(oneTime('cb-WO1-1-1', T0));

    // Act
    await runAt(T0);

    // Assess: the function never ran, so nothing is Lambda's to retry.
    expect(runs).toEqual([]);
    expect(scheduler.failedInvocations()).toEqual([]);
    expect(scheduler.nextDue()).toBeUndefined();
    expect(scheduler.deadLettered()).toEqual([
      expect.objectContaining({
        schedule: 'cb-WO1-1-1',
        deadLetterArn: SCHEDULE_DLQ,
        error: 'ResourceNotFoundException: Function not found',
        attempts: 1 + 4,
      }),
    ]);
  });

  it('fires retries and schedules in the order of their instants', async () => {
    // Prepare: attempt 1 fails at T0 (retries at +1 and +3 minutes); another schedule at +2 minutes.
    const { scheduler, runs, runAt } = setup({ failures: 10 });
    scheduler.createSchedule(oneTime('first', T0));
    scheduler.createSchedule(
      oneTime('second', T0 + 2 * MINUTE, {
        Target: { Arn: FUNCTION_ARN, RoleArn: ROLE_ARN, Input: JSON.stringify({ schedule: 'second' }) },
      }),
    );
    await runAt(T0);

    // Act: one run over all of it, at the latest instant
    await runAt(T0 + 10 * MINUTE);

    // Assess: each ran when its instant came, though the clock was passed once (the stack steps to each).
    expect(runs.map((r) => (r.payload as { schedule?: string }).schedule ?? 'first')).toEqual([
      'first',
      'first',
      'second',
      'first',
    ]);
  });

  it('tells the stack to step to the next retry, so that it runs at its own instant', async () => {
    // Prepare
    const { scheduler, runAt } = setup({ failures: 1 });
    const timers = schedulerTimers({ bus: new LocalEventBus('hotline-local', () => T0, []), scheduler });
    scheduler.createSchedule(oneTime('cb-WO1-1-1', T0));
    await runAt(T0);

    // Act
    const run = await timers(T0);

    // Assess
    expect(run.next).toBe(T0 + ASYNC_RETRY_DELAYS_MS[0]);
  });
});

describe('LocalScheduler asynchronous invocations across a restart', () => {
  let dir: string | undefined;
  afterEach(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
    dir = undefined;
  });

  it('returns the waiting retry and the failures after a restart', async () => {
    // Prepare
    dir = mkdtempSync(join(tmpdir(), 'hotline-async-invoke-'));
    const file = join(dir, 'schedules.json');
    const before = setup({ failures: 10, file });
    before.scheduler.createSchedule(oneTime('cb-WO1-1-1', T0));
    await before.runAt(T0);

    // Act
    const after = setup({ failures: 10, file });
    await after.runAt(T0 + MINUTE);
    await after.runAt(T0 + 3 * MINUTE);

    // Assess
    expect(after.runs.map((r) => r.at)).toEqual([T0 + MINUTE, T0 + 3 * MINUTE]);
    expect(setup({ file }).scheduler.failedInvocations()).toEqual([
      expect.objectContaining({ record: expect.objectContaining({ version: '1.0' }) }),
    ]);
  });
});

describe('localAsyncInvokeConfigs', () => {
  it("returns wiring's invocation numbers for each scheduler target, each with a failure queue", () => {
    // Act
    const configs = localAsyncInvokeConfigs((name) => `queue:${name}`);

    // Assess
    expect(configs.get(callbackSchedules.target)).toEqual({
      ...callbackSchedules.invocation,
      onFailure: 'queue:callback-failed-attempts',
    });
    expect(configs.get(miningSchedule.target)).toEqual({
      ...miningSchedule.invocation,
      onFailure: 'queue:mining-failed-runs',
    });
    expect(configs.get(lifecycleHealing.reconciler.target)).toMatchObject(
      lifecycleHealing.reconciler.invocation,
    );
  });
});
