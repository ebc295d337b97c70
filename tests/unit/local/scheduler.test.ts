import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { callbackSchedules } from '#wiring/wiring.ts';
import { AwsServiceError } from '../../../local/aws-errors.ts';
import {
  atInstant,
  LOCAL_MAX_RETRIES,
  LocalScheduler,
  type LocalSchedulerOptions,
  type ScheduleRequest,
} from '../../../local/scheduler.ts';

const NOW = Date.parse('2026-12-01T00:00:00Z');
const GROUP = callbackSchedules.groupName;
const FUNCTION_ARN = 'arn:aws:lambda:local:000000000000:function:hotline-callbackAttempt';
const ROLE_ARN = 'arn:aws:iam::000000000000:role/hotline-scheduler';

/** A CreateSchedule request as the call-back handlers send it. */
const oneTime = (name: string, at: string, changes: Partial<ScheduleRequest> = {}): ScheduleRequest => ({
  Name: name,
  GroupName: GROUP,
  ScheduleExpression: `at(${at})`,
  ScheduleExpressionTimezone: 'UTC',
  FlexibleTimeWindow: { Mode: 'OFF' },
  ActionAfterCompletion: 'DELETE',
  Target: {
    Arn: FUNCTION_ARN,
    RoleArn: ROLE_ARN,
    Input: JSON.stringify({ schedule: name }),
    RetryPolicy: { MaximumRetryAttempts: 4, MaximumEventAgeInSeconds: 21_600 },
    DeadLetterConfig: { Arn: 'arn:aws:sqs:local:000000000000:hotline-callbacks-dlq' },
  },
  ...changes,
});

interface Invocation {
  readonly arn: string;
  readonly payload: unknown;
  readonly now: number;
}

/** A scheduler on a movable clock whose targets are recorded (and fail while `failures` lasts). */
const setup = (options: Partial<LocalSchedulerOptions> & { failures?: number } = {}) => {
  let now = NOW;
  let failures = options.failures ?? 0;
  const invocations: Invocation[] = [];
  const scheduler = new LocalScheduler({
    now: () => now,
    invoke: async (arn, payload) => {
      invocations.push({ arn, payload, now });
      if (failures > 0) {
        failures -= 1;
        throw Object.assign(new Error('the call-back service is down'), { name: 'ServiceUnavailable' });
      }
      return { ok: true };
    },
    groups: [GROUP],
    ...options,
  });
  return {
    scheduler,
    invocations,
    setNow: (ms: number) => {
      now = ms;
    },
  };
};

/** The AWS error a call throws (code, status, message), or a failure when it throws none. */
const awsErrorOf = (call: () => unknown): AwsServiceError => {
  try {
    call();
  } catch (error) {
    if (error instanceof AwsServiceError) return error;
    throw error;
  }
  throw new Error('expected an AWS error');
};

const tempDirs: string[] = [];
afterEach(() => {
  for (const dir of tempDirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

describe('LocalScheduler.createSchedule', () => {
  it('returns the schedule ARN of the group and name, and GetSchedule returns what AWS returns', () => {
    // Prepare
    const { scheduler } = setup();

    // Act
    const created = scheduler.createSchedule(oneTime('cb-WO1-1', '2026-12-02T01:00:00'));
    const schedule = scheduler.getSchedule({ Name: 'cb-WO1-1', GroupName: GROUP });

    // Assess
    expect(created).toEqual({
      ScheduleArn: `arn:aws:scheduler:local:000000000000:schedule/${GROUP}/cb-WO1-1`,
    });
    expect(schedule).toEqual({
      Arn: created.ScheduleArn,
      GroupName: GROUP,
      Name: 'cb-WO1-1',
      ScheduleExpression: 'at(2026-12-02T01:00:00)',
      ScheduleExpressionTimezone: 'UTC',
      State: 'ENABLED',
      CreationDate: NOW / 1000,
      LastModificationDate: NOW / 1000,
      Target: {
        Arn: FUNCTION_ARN,
        RoleArn: ROLE_ARN,
        Input: JSON.stringify({ schedule: 'cb-WO1-1' }),
        RetryPolicy: { MaximumRetryAttempts: 4, MaximumEventAgeInSeconds: 21_600 },
        DeadLetterConfig: { Arn: 'arn:aws:sqs:local:000000000000:hotline-callbacks-dlq' },
      },
      FlexibleTimeWindow: { Mode: 'OFF' },
      ActionAfterCompletion: 'DELETE',
    });
  });

  it('returns AWS defaults for what the request leaves out (default group, UTC, NONE, retry policy)', () => {
    // Prepare
    const { scheduler } = setup();

    // Act
    scheduler.createSchedule({
      Name: 'plain',
      ScheduleExpression: 'at(2026-12-02T01:00:00)',
      FlexibleTimeWindow: { Mode: 'OFF' },
      Target: { Arn: FUNCTION_ARN, RoleArn: ROLE_ARN },
    });

    // Assess
    expect(scheduler.getSchedule({ Name: 'plain' })).toMatchObject({
      GroupName: 'default',
      ScheduleExpressionTimezone: 'UTC',
      ActionAfterCompletion: 'NONE',
      State: 'ENABLED',
      Target: { RetryPolicy: { MaximumRetryAttempts: 185, MaximumEventAgeInSeconds: 86_400 } },
    });
  });

  it('rejects a second schedule of the same name in the group with ConflictException 409', () => {
    // Prepare
    const { scheduler } = setup();
    scheduler.createSchedule(oneTime('cb-WO1-1', '2026-12-02T01:00:00'));

    // Act
    const error = awsErrorOf(() => scheduler.createSchedule(oneTime('cb-WO1-1', '2026-12-05T01:00:00')));

    // Assess
    expect([error.code, error.statusCode]).toEqual(['ConflictException', 409]);
    expect(scheduler.getSchedule({ Name: 'cb-WO1-1', GroupName: GROUP }).ScheduleExpression).toBe(
      'at(2026-12-02T01:00:00)',
    );
  });

  it('returns a schedule of the same name in another group as a different schedule', () => {
    // Prepare
    const { scheduler } = setup();
    scheduler.createSchedule(oneTime('same', '2026-12-02T01:00:00'));

    // Act
    const other = scheduler.createSchedule(oneTime('same', '2026-12-03T01:00:00', { GroupName: 'default' }));

    // Assess
    expect(other.ScheduleArn).toBe('arn:aws:scheduler:local:000000000000:schedule/default/same');
    expect(scheduler.listSchedules().Schedules).toHaveLength(2);
  });

  it.each([
    ['a name with a space', { Name: 'cb WO1' }, /at 'name'/],
    ['a name of 65 characters', { Name: 'x'.repeat(65) }, /at 'name'/],
    ['a group name with a slash', { GroupName: 'a/b' }, /at 'groupName'/],
    ['no FlexibleTimeWindow', { FlexibleTimeWindow: undefined }, /flexibleTimeWindow/],
    ['a FLEXIBLE window without its size', { FlexibleTimeWindow: { Mode: 'FLEXIBLE' } }, /MaximumWindow/],
    ['no target role', { Target: { Arn: FUNCTION_ARN } }, /roleArn/],
    [
      'more than 185 retries',
      { Target: { Arn: FUNCTION_ARN, RoleArn: ROLE_ARN, RetryPolicy: { MaximumRetryAttempts: 186 } } },
      /maximumRetryAttempts/,
    ],
    ['an unknown state', { State: 'PAUSED' }, /at 'state'/],
    ['an unknown action after completion', { ActionAfterCompletion: 'ARCHIVE' }, /actionAfterCompletion/],
    ['a date that does not exist', { ScheduleExpression: 'at(2026-02-30T09:00:00)' }, /Invalid Schedule/],
    ['an at() with a zone suffix', { ScheduleExpression: 'at(2026-12-02T09:00:00Z)' }, /Invalid Schedule/],
    ['an unknown time zone', { ScheduleExpressionTimezone: 'Mars/Olympus_Mons' }, /Timezone/],
    ['a rate() of no minutes', { ScheduleExpression: 'rate(0 minutes)' }, /Invalid Schedule/],
    ['a rate() in weeks', { ScheduleExpression: 'rate(1 week)' }, /Invalid Schedule/],
    ['a rate() of 5 in the singular', { ScheduleExpression: 'rate(5 minute)' }, /Invalid Schedule/],
    ['a cron() of five fields', { ScheduleExpression: 'cron(0 9 * * ?)' }, /Invalid Schedule/],
    ['a cron() with both days given', { ScheduleExpression: 'cron(0 9 1 * MON *)' }, /Invalid Schedule/],
    ['a cron() with neither day given', { ScheduleExpression: 'cron(0 9 ? * ? *)' }, /Invalid Schedule/],
    ['a cron() with ? in the hours', { ScheduleExpression: 'cron(0 ? * * ? *)' }, /Invalid Schedule/],
    ['a cron() hour 24', { ScheduleExpression: 'cron(0 24 * * ? *)' }, /Invalid Schedule/],
    ['a cron() backwards range', { ScheduleExpression: 'cron(0 9 ? * FRI-MON *)' }, /Invalid Schedule/],
    ['a cron() year before 1970', { ScheduleExpression: 'cron(0 9 * * ? 1969)' }, /Invalid Schedule/],
    [
      'a cron() last day of the month (L)',
      { ScheduleExpression: 'cron(0 9 L * ? *)' },
      /local EventBridge Scheduler does not support L, W or #/,
    ],
    [
      'a cron() nearest weekday (W)',
      { ScheduleExpression: 'cron(0 9 15W * ? *)' },
      /local EventBridge Scheduler does not support L, W or #/,
    ],
    [
      'a cron() nth weekday (#)',
      { ScheduleExpression: 'cron(0 9 ? * 2#1 *)' },
      /local EventBridge Scheduler does not support L, W or #/,
    ],
  ] as const)('rejects %s with ValidationException 400', (_case, changes, message) => {
    // Prepare
    const { scheduler } = setup();

    // Act
    const error = awsErrorOf(() =>
      scheduler.createSchedule(
        oneTime('cb-WO1-1', '2026-12-02T01:00:00', changes as Partial<ScheduleRequest>),
      ),
    );

    // Assess
    expect([error.code, error.statusCode]).toEqual(['ValidationException', 400]);
    expect(error.message).toMatch(message);
    expect(scheduler.listSchedules().Schedules).toEqual([]);
  });

  it('rejects a group that does not exist with ResourceNotFoundException 404, as AWS does', () => {
    // Prepare
    const { scheduler } = setup();

    // Act
    const error = awsErrorOf(() =>
      scheduler.createSchedule(oneTime('cb-WO1-1', '2026-12-02T01:00:00', { GroupName: 'no-such-group' })),
    );

    // Assess
    expect([error.code, error.statusCode, error.message]).toEqual([
      'ResourceNotFoundException',
      404,
      'Schedule group no-such-group does not exist.',
    ]);
  });

  it('calls onScheduled with the instant the schedule names', () => {
    // Prepare
    const scheduled: number[] = [];
    const { scheduler } = setup({ onScheduled: (at) => scheduled.push(at) });

    // Act
    scheduler.createSchedule(oneTime('cb-WO1-1', '2026-12-02T01:00:00'));

    // Assess
    expect(scheduled).toEqual([Date.parse('2026-12-02T01:00:00Z')]);
  });
});

describe('at() and ScheduleExpressionTimezone', () => {
  it.each([
    ['UTC', 'at(2026-12-01T09:00:00)', '2026-12-01T09:00:00.000Z'],
    ['Asia/Shanghai', 'at(2026-12-01T09:00:00)', '2026-12-01T01:00:00.000Z'],
    ['Asia/Shanghai', 'at(2027-01-01T03:00:00)', '2026-12-31T19:00:00.000Z'],
    ['America/New_York', 'at(2026-07-01T12:00:00)', '2026-07-01T16:00:00.000Z'],
    ['America/New_York', 'at(2026-12-01T12:00:00)', '2026-12-01T17:00:00.000Z'],
    ['Europe/Berlin', 'at(2026-03-29T03:30:00)', '2026-03-29T01:30:00.000Z'],
    ['America/New_York (skipped by the spring jump)', 'at(2026-03-08T02:30:00)', '2026-03-08T07:30:00.000Z'],
    ['America/New_York (lived twice in the fall)', 'at(2026-11-01T01:30:00)', '2026-11-01T05:30:00.000Z'],
  ])('returns the instant that %s wall time %s names', (zone, expression, expected) => {
    // Act
    const at = atInstant(expression, zone.split(' ')[0]);

    // Assess
    expect(new Date(at ?? 0).toISOString()).toBe(expected);
  });

  it('returns no instant for a day the calendar does not have', () => {
    expect(atInstant('at(2026-02-29T00:00:00)')).toBeUndefined();
    expect(atInstant('at(2028-02-29T00:00:00)')).toBe(Date.parse('2028-02-29T00:00:00Z'));
  });

  it('fires an Asia/Shanghai schedule at its UTC instant', async () => {
    // Prepare
    const { scheduler, invocations } = setup();
    scheduler.createSchedule(
      oneTime('cst', '2026-12-01T09:00:00', { ScheduleExpressionTimezone: 'Asia/Shanghai' }),
    );

    // Act
    const early = await scheduler.fireDue(Date.parse('2026-12-01T00:59:59Z'));
    const onTime = await scheduler.fireDue(Date.parse('2026-12-01T01:00:00Z'));

    // Assess
    expect([early, onTime]).toEqual([0, 1]);
    expect(invocations.map((i) => i.payload)).toEqual([{ schedule: 'cst' }]);
  });
});

describe('LocalScheduler.getSchedule, deleteSchedule and listSchedules', () => {
  it('rejects a schedule that does not exist with ResourceNotFoundException 404', () => {
    // Prepare
    const { scheduler } = setup();

    // Act
    const onGet = awsErrorOf(() => scheduler.getSchedule({ Name: 'missing', GroupName: GROUP }));
    const onDelete = awsErrorOf(() => scheduler.deleteSchedule({ Name: 'missing', GroupName: GROUP }));

    // Assess
    expect([onGet.code, onGet.statusCode, onGet.message]).toEqual([
      'ResourceNotFoundException',
      404,
      'Schedule missing does not exist.',
    ]);
    expect([onDelete.code, onDelete.statusCode]).toEqual(['ResourceNotFoundException', 404]);
  });

  it('returns {} on delete, after which the schedule is gone and never fires', async () => {
    // Prepare
    const { scheduler, invocations } = setup();
    scheduler.createSchedule(oneTime('cb-WO1-1', '2026-12-02T01:00:00'));

    // Act
    const deleted = scheduler.deleteSchedule({ Name: 'cb-WO1-1', GroupName: GROUP });
    const fired = await scheduler.fireDue(Date.parse('2026-12-10T00:00:00Z'));

    // Assess
    expect(deleted).toEqual({});
    expect(fired).toBe(0);
    expect(invocations).toEqual([]);
    expect(awsErrorOf(() => scheduler.getSchedule({ Name: 'cb-WO1-1', GroupName: GROUP })).code).toBe(
      'ResourceNotFoundException',
    );
  });

  it('returns summaries filtered by group, name prefix and state, paged by NextToken', () => {
    // Prepare
    const { scheduler } = setup();
    for (const name of ['cb-WO2-1', 'cb-WO1-2', 'cb-WO1-1', 'other'])
      scheduler.createSchedule(oneTime(name, '2026-12-02T01:00:00'));
    scheduler.createSchedule(oneTime('cb-WO1-3', '2026-12-02T01:00:00', { State: 'DISABLED' }));
    scheduler.createSchedule(oneTime('cb-WO1-9', '2026-12-02T01:00:00', { GroupName: 'default' }));

    // Act
    const first = scheduler.listSchedules({ ScheduleGroup: GROUP, NamePrefix: 'cb-WO1', MaxResults: 2 });
    const second = scheduler.listSchedules({
      ScheduleGroup: GROUP,
      NamePrefix: 'cb-WO1',
      MaxResults: 2,
      ...(first.NextToken ? { NextToken: first.NextToken } : {}),
    });
    const disabled = scheduler.listSchedules({ State: 'DISABLED' });

    // Assess
    expect(first.Schedules.map((s) => s.Name)).toEqual(['cb-WO1-1', 'cb-WO1-2']);
    expect(first.NextToken).toEqual(expect.any(String));
    expect(second.Schedules.map((s) => s.Name)).toEqual(['cb-WO1-3']);
    expect(second.NextToken).toBeUndefined();
    expect(disabled.Schedules.map((s) => s.Name)).toEqual(['cb-WO1-3']);
    expect(first.Schedules[0]).toEqual({
      Arn: `arn:aws:scheduler:local:000000000000:schedule/${GROUP}/cb-WO1-1`,
      Name: 'cb-WO1-1',
      GroupName: GROUP,
      State: 'ENABLED',
      CreationDate: NOW / 1000,
      LastModificationDate: NOW / 1000,
      Target: { Arn: FUNCTION_ARN },
    });
  });

  it('returns the replaced schedule after UpdateSchedule, keeping its creation date', async () => {
    // Prepare
    const { scheduler, invocations, setNow } = setup();
    scheduler.createSchedule(oneTime('cb-WO1-1', '2026-12-02T01:00:00'));
    setNow(NOW + 60_000);

    // Act
    scheduler.updateSchedule(oneTime('cb-WO1-1', '2026-12-04T01:00:00'));
    const firedOnOldDate = await scheduler.fireDue(Date.parse('2026-12-03T00:00:00Z'));

    // Assess
    expect(firedOnOldDate).toBe(0);
    expect(scheduler.getSchedule({ Name: 'cb-WO1-1', GroupName: GROUP })).toMatchObject({
      ScheduleExpression: 'at(2026-12-04T01:00:00)',
      CreationDate: NOW / 1000,
      LastModificationDate: (NOW + 60_000) / 1000,
    });
    expect(scheduler.nextDue()).toBe(Date.parse('2026-12-04T01:00:00Z'));
    expect(invocations).toEqual([]);
  });
});

describe('LocalScheduler.fireDue', () => {
  it('fires every due schedule oldest first, with its Input parsed, and leaves the later ones', async () => {
    // Prepare
    const { scheduler, invocations } = setup();
    scheduler.createSchedule(oneTime('third', '2026-12-03T00:00:00'));
    scheduler.createSchedule(oneTime('first', '2026-12-02T00:00:00'));
    scheduler.createSchedule(oneTime('second-a', '2026-12-02T12:00:00'));
    scheduler.createSchedule(oneTime('second-b', '2026-12-02T12:00:00'));
    scheduler.createSchedule(oneTime('later', '2026-12-04T00:00:00'));

    // Act
    const fired = await scheduler.fireDue(Date.parse('2026-12-03T00:00:00Z'));

    // Assess
    expect(fired).toBe(4);
    expect(invocations.map((i) => [i.arn, i.payload])).toEqual([
      [FUNCTION_ARN, { schedule: 'first' }],
      [FUNCTION_ARN, { schedule: 'second-a' }],
      [FUNCTION_ARN, { schedule: 'second-b' }],
      [FUNCTION_ARN, { schedule: 'third' }],
    ]);
    expect(scheduler.nextDue()).toBe(Date.parse('2026-12-04T00:00:00Z'));
  });

  it('awaits each invocation before the next one starts', async () => {
    // Prepare
    const events: string[] = [];
    const scheduler = new LocalScheduler({
      now: () => NOW,
      groups: [GROUP],
      invoke: async (_arn, payload) => {
        const { schedule } = payload as { schedule: string };
        events.push(`start ${schedule}`);
        await new Promise((resolve) => setTimeout(resolve, 5));
        events.push(`end ${schedule}`);
      },
    });
    scheduler.createSchedule(oneTime('a', '2026-12-02T00:00:00'));
    scheduler.createSchedule(oneTime('b', '2026-12-02T00:00:01'));

    // Act
    await scheduler.fireDue(Date.parse('2026-12-03T00:00:00Z'));

    // Assess
    expect(events).toEqual(['start a', 'end a', 'start b', 'end b']);
  });

  it('fires a due schedule that a target creates while firing, in the same call', async () => {
    // Prepare
    const fired: string[] = [];
    const scheduler: LocalScheduler = new LocalScheduler({
      now: () => NOW,
      groups: [GROUP],
      invoke: async (_arn, payload) => {
        const { schedule } = payload as { schedule: string };
        fired.push(schedule);
        if (schedule === 'first') scheduler.createSchedule(oneTime('follow-up', '2026-12-02T06:00:00'));
      },
    });
    scheduler.createSchedule(oneTime('first', '2026-12-02T00:00:00'));

    // Act
    const count = await scheduler.fireDue(Date.parse('2026-12-03T00:00:00Z'));

    // Assess
    expect(count).toBe(2);
    expect(fired).toEqual(['first', 'follow-up']);
  });

  it('never fires a DISABLED schedule', async () => {
    // Prepare
    const { scheduler, invocations } = setup();
    scheduler.createSchedule(oneTime('off', '2026-12-02T00:00:00', { State: 'DISABLED' }));

    // Act
    const fired = await scheduler.fireDue(Date.parse('2027-01-01T00:00:00Z'));

    // Assess
    expect(fired).toBe(0);
    expect(invocations).toEqual([]);
    expect(scheduler.nextDue()).toBeUndefined();
  });

  it('returns a schedule whose at() is already past as due now (it fires at the next run)', async () => {
    // Prepare
    const { scheduler, invocations } = setup();
    scheduler.createSchedule(oneTime('late', '2026-11-30T00:00:00'));

    // Act
    const due = scheduler.nextDue();
    const fired = await scheduler.fireDue(NOW);

    // Assess
    expect(due).toBeLessThan(NOW);
    expect(fired).toBe(1);
    expect(invocations).toHaveLength(1);
  });

  it('removes a DELETE schedule after it ran', async () => {
    // Prepare
    const { scheduler } = setup();
    scheduler.createSchedule(oneTime('cb-WO1-1', '2026-12-02T00:00:00'));

    // Act
    await scheduler.fireDue(Date.parse('2026-12-02T00:00:00Z'));

    // Assess
    expect(scheduler.listSchedules().Schedules).toEqual([]);
    expect(scheduler.nextDue()).toBeUndefined();
  });

  it('keeps a NONE schedule after it ran, never to fire again', async () => {
    // Prepare
    const { scheduler, invocations } = setup();
    scheduler.createSchedule(oneTime('kept', '2026-12-02T00:00:00', { ActionAfterCompletion: 'NONE' }));

    // Act
    const firstRun = await scheduler.fireDue(Date.parse('2026-12-02T00:00:00Z'));
    const secondRun = await scheduler.fireDue(Date.parse('2026-12-09T00:00:00Z'));

    // Assess
    expect([firstRun, secondRun]).toEqual([1, 0]);
    expect(invocations).toHaveLength(1);
    expect(scheduler.getSchedule({ Name: 'kept', GroupName: GROUP }).State).toBe('ENABLED');
    expect(scheduler.nextDue()).toBeUndefined();
    expect(scheduler.list()).toEqual([
      expect.objectContaining({ name: 'kept', completedAt: '2026-12-02T00:00:00.000Z' }),
    ]);
  });

  it('retries a failing target MaximumRetryAttempts times, then dead-letters and deletes it', async () => {
    // Prepare
    const { scheduler, invocations } = setup({ failures: 100 });
    scheduler.createSchedule(oneTime('cb-WO1-1', '2026-12-02T00:00:00'));

    // Act
    const fired = await scheduler.fireDue(Date.parse('2026-12-02T00:00:00Z'));

    // Assess
    expect(fired).toBe(1);
    expect(invocations).toHaveLength(1 + 4);
    expect(scheduler.deadLettered()).toEqual([
      {
        schedule: 'cb-WO1-1',
        group: GROUP,
        scheduleArn: `arn:aws:scheduler:local:000000000000:schedule/${GROUP}/cb-WO1-1`,
        target: FUNCTION_ARN,
        deadLetterArn: 'arn:aws:sqs:local:000000000000:hotline-callbacks-dlq',
        input: JSON.stringify({ schedule: 'cb-WO1-1' }),
        error: 'ServiceUnavailable: the call-back service is down',
        attempts: 5,
        at: '2026-12-02T00:00:00.000Z',
      },
    ]);
    expect(scheduler.listSchedules().Schedules).toEqual([]);
  });

  it('returns no dead letter when a retry succeeds', async () => {
    // Prepare
    const { scheduler, invocations } = setup({ failures: 2 });
    scheduler.createSchedule(oneTime('cb-WO1-1', '2026-12-02T00:00:00'));

    // Act
    await scheduler.fireDue(Date.parse('2026-12-02T00:00:00Z'));

    // Assess
    expect(invocations).toHaveLength(3);
    expect(scheduler.deadLettered()).toEqual([]);
  });

  it('caps the retries of the AWS default (185) locally', async () => {
    // Prepare
    const { scheduler, invocations } = setup({ failures: 1000 });
    scheduler.createSchedule({
      ...oneTime('cb-WO1-1', '2026-12-02T00:00:00'),
      Target: { Arn: FUNCTION_ARN, RoleArn: ROLE_ARN, Input: '{}' },
    });

    // Act
    await scheduler.fireDue(Date.parse('2026-12-02T00:00:00Z'));

    // Assess
    expect(invocations).toHaveLength(1 + LOCAL_MAX_RETRIES);
    expect(scheduler.deadLettered()[0]?.attempts).toBe(1 + LOCAL_MAX_RETRIES);
  });

  it('dead-letters an Input that is not JSON without invoking the target', async () => {
    // Prepare
    const { scheduler, invocations } = setup();
    scheduler.createSchedule({
      ...oneTime('bad-input', '2026-12-02T00:00:00'),
      Target: { Arn: FUNCTION_ARN, RoleArn: ROLE_ARN, Input: 'not json' },
    });

    // Act
    await scheduler.fireDue(Date.parse('2026-12-02T00:00:00Z'));

    // Assess
    expect(invocations).toEqual([]);
    expect(scheduler.deadLettered()).toEqual([
      expect.objectContaining({ schedule: 'bad-input', attempts: 0, error: expect.stringMatching(/JSON/) }),
    ]);
  });
});

describe('LocalScheduler persistence', () => {
  it('returns the schedules, their completion and the dead letters after a restart', async () => {
    // Prepare
    const dir = mkdtempSync(join(tmpdir(), 'hotline-scheduler-'));
    tempDirs.push(dir);
    const file = join(dir, 'data', 'schedules.json');
    const before = setup({ file, failures: 100 });
    before.scheduler.createSchedule(oneTime('pending', '2026-12-05T00:00:00'));
    before.scheduler.createSchedule(
      oneTime('off', '2026-12-06T00:00:00', {
        State: 'DISABLED',
        ScheduleExpressionTimezone: 'Asia/Shanghai',
      }),
    );
    before.scheduler.createSchedule(oneTime('ran', '2026-12-02T00:00:00', { ActionAfterCompletion: 'NONE' }));
    await before.scheduler.fireDue(Date.parse('2026-12-02T00:00:00Z'));

    // Act
    const after = setup({ file });

    // Assess
    expect(existsSync(file)).toBe(true);
    expect(JSON.parse(readFileSync(file, 'utf8'))).toMatchObject({ version: 1 });
    expect(after.scheduler.list()).toEqual(before.scheduler.list());
    expect(after.scheduler.getSchedule({ Name: 'off', GroupName: GROUP })).toEqual(
      before.scheduler.getSchedule({ Name: 'off', GroupName: GROUP }),
    );
    expect(after.scheduler.deadLettered()).toEqual(before.scheduler.deadLettered());
    expect(after.scheduler.deadLettered()).toHaveLength(1);
    expect(after.scheduler.nextDue()).toBe(Date.parse('2026-12-05T00:00:00Z'));
    expect(await after.scheduler.fireDue(Date.parse('2026-12-31T00:00:00Z'))).toBe(1);
    expect(after.invocations.map((i) => i.payload)).toEqual([{ schedule: 'pending' }]);
  });

  it('returns the deletion after a restart', () => {
    // Prepare
    const dir = mkdtempSync(join(tmpdir(), 'hotline-scheduler-'));
    tempDirs.push(dir);
    const file = join(dir, 'schedules.json');
    const before = setup({ file });
    before.scheduler.createSchedule(oneTime('gone', '2026-12-05T00:00:00'));
    before.scheduler.deleteSchedule({ Name: 'gone', GroupName: GROUP });

    // Act
    const after = setup({ file });

    // Assess
    expect(after.scheduler.listSchedules().Schedules).toEqual([]);
  });

  it('rejects a file it cannot read, naming it', () => {
    // Prepare
    const dir = mkdtempSync(join(tmpdir(), 'hotline-scheduler-'));
    tempDirs.push(dir);
    const file = join(dir, 'schedules.json');
    writeFileSync(file, '{ not json');

    // Act + Assess
    expect(() => setup({ file })).toThrow(/schedules\.json/);
  });
});
