import '../../../local/quiet-sdk-warning.ts';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { build } from 'esbuild';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { AwsServiceError } from '../../../local/aws-errors.ts';
import { LocalClock } from '../../../local/clock.ts';
import { LocalEventBus } from '../../../local/event-bus.ts';
import { LocalScheduler, type ScheduleRequest, schedulerTimers } from '../../../local/scheduler.ts';
import { LocalStepFunctions } from '../../../local/stepfunctions/service.ts';

/**
 * Recurring schedules (rate and cron) in the local EventBridge Scheduler: each occurrence fires at
 * its instant on the stack clock, the schedule stays, StartDate and EndDate bound the occurrences.
 */
const NOW = Date.parse('2026-12-01T00:00:00Z'); // 08:00 in Shanghai
const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;
const FUNCTION_ARN = 'arn:aws:lambda:local:000000000000:function:hotline-mineInsights';
const ROLE_ARN = 'arn:aws:iam::000000000000:role/hotline-scheduler';

const recurring = (
  name: string,
  expression: string,
  changes: Partial<ScheduleRequest> = {},
): ScheduleRequest => ({
  Name: name,
  ScheduleExpression: expression,
  ScheduleExpressionTimezone: 'Asia/Shanghai',
  FlexibleTimeWindow: { Mode: 'OFF' },
  Target: { Arn: FUNCTION_ARN, RoleArn: ROLE_ARN, Input: JSON.stringify({ job: name }) },
  ...changes,
});

const iso = (ms: number) => new Date(ms).toISOString();

/** A scheduler on a movable clock whose invocations are recorded with the clock's instant. */
const setup = (file?: string, start = NOW) => {
  let now = start;
  const fired: { job: unknown; at: string }[] = [];
  const scheduler = new LocalScheduler({
    now: () => now,
    invoke: async (_arn, payload) => {
      fired.push({ job: (payload as { job: unknown }).job, at: iso(now) });
    },
    ...(file ? { file } : {}),
  });
  /** As the stack's worker does: step to each due instant up to `target`, firing what is due there. */
  const moveTo = async (target: number) => {
    for (let next = scheduler.nextDue(); next !== undefined && next <= target; next = scheduler.nextDue()) {
      now = Math.max(now, next);
      await scheduler.fireDue(now);
    }
    now = target;
  };
  return { scheduler, fired, moveTo, setNow: (ms: number) => (now = ms) };
};

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

describe('LocalScheduler with rate() schedules', () => {
  it('fires at creation and every period after, and keeps the schedule', async () => {
    // Prepare
    const { scheduler, fired, moveTo } = setup();
    scheduler.createSchedule(recurring('every-6h', 'rate(6 hours)'));

    // Act
    await moveTo(NOW + DAY);

    // Assess: no StartDate, so it starts at once (AWS: "starts invoking the target immediately")
    expect(fired.map((f) => f.at)).toEqual([0, 6, 12, 18, 24].map((h) => iso(NOW + h * HOUR)));
    expect(scheduler.getSchedule({ Name: 'every-6h' }).State).toBe('ENABLED');
    expect(scheduler.nextDue()).toBe(NOW + 30 * HOUR);
  });

  it('fires from its StartDate and not at or after its EndDate, then completes', async () => {
    // Prepare
    const { scheduler, fired, moveTo } = setup();
    scheduler.createSchedule(
      recurring('window', 'rate(1 hour)', {
        StartDate: (NOW + 2 * HOUR) / 1000,
        EndDate: (NOW + 5 * HOUR) / 1000,
        ActionAfterCompletion: 'DELETE',
      }),
    );

    // Act
    await moveTo(NOW + DAY);

    // Assess
    expect(fired.map((f) => f.at)).toEqual([2, 3, 4].map((h) => iso(NOW + h * HOUR)));
    expect(scheduler.listSchedules().Schedules).toEqual([]);
  });
});

describe('LocalScheduler with cron() schedules', () => {
  it('fires a nightly 02:00 CST cron at each night over a 3-day jump, and keeps it', async () => {
    // Prepare
    const { scheduler, fired, moveTo } = setup();
    scheduler.createSchedule(recurring('nightly', 'cron(0 2 * * ? *)', { ActionAfterCompletion: 'DELETE' }));

    // Act
    await moveTo(NOW + 3 * DAY);

    // Assess
    expect(fired).toEqual(
      ['2026-12-01T18:00:00.000Z', '2026-12-02T18:00:00.000Z', '2026-12-03T18:00:00.000Z'].map((at) => ({
        job: 'nightly',
        at,
      })),
    );
    expect(scheduler.list().map((s) => [s.name, s.at])).toEqual([['nightly', '2026-12-04T18:00:00.000Z']]);
  });

  it('fires every occurrence due in one fireDue call, oldest first with the other schedules', async () => {
    // Prepare
    const { scheduler, fired, setNow } = setup();
    scheduler.createSchedule(recurring('nightly', 'cron(0 2 * * ? *)'));
    scheduler.createSchedule({
      ...recurring('once', 'at(2026-12-03T12:00:00)'),
      ActionAfterCompletion: 'DELETE',
    });
    setNow(NOW + 3 * DAY);

    // Act
    const count = await scheduler.fireDue(NOW + 3 * DAY);

    // Assess
    expect(count).toBe(4);
    expect(fired.map((f) => f.job)).toEqual(['nightly', 'nightly', 'once', 'nightly']);
  });

  it('does not fire a DISABLED cron schedule', async () => {
    // Prepare
    const { scheduler, fired, moveTo } = setup();
    scheduler.createSchedule(recurring('nightly', 'cron(0 2 * * ? *)', { State: 'DISABLED' }));

    // Act
    await moveTo(NOW + 3 * DAY);

    // Assess
    expect(fired).toEqual([]);
  });

  it('returns its next occurrence after UpdateSchedule changes the expression', () => {
    // Prepare
    const { scheduler } = setup();
    scheduler.createSchedule(recurring('nightly', 'cron(0 2 * * ? *)'));

    // Act
    scheduler.updateSchedule(recurring('nightly', 'cron(30 9 ? * MON *)'));

    // Assess: 2026-12-07 is the next Monday; 09:30 CST is 01:30 UTC
    expect(iso(scheduler.nextDue() ?? 0)).toBe('2026-12-07T01:30:00.000Z');
  });

  it('skips the occurrences missed while the stack was stopped, firing the next one on time', async () => {
    // Prepare
    const dir = mkdtempSync(join(tmpdir(), 'hotline-recurring-'));
    tempDirs.push(dir);
    const file = join(dir, 'schedules.json');
    setup(file).scheduler.createSchedule(recurring('nightly', 'cron(0 2 * * ? *)'));

    // Act: the stack starts again a week later (a real clock ran on while it was stopped)
    const later = setup(file, NOW + 7 * DAY);
    const firedAtStart = await later.scheduler.fireDue(NOW + 7 * DAY);
    await later.moveTo(NOW + 8 * DAY);

    // Assess
    expect(firedAtStart).toBe(0);
    expect(later.fired.map((f) => f.at)).toEqual(['2026-12-08T18:00:00.000Z']);
  });
});

describe('LocalScheduler recurring schedule validation', () => {
  it.each([
    [
      'a StartDate more than 5 minutes ago',
      { StartDate: (NOW - 6 * MINUTE) / 1000 },
      'The StartDate you specify cannot be earlier than 5 minutes ago.',
    ],
    [
      'a StartDate after the EndDate',
      { StartDate: (NOW + 2 * DAY) / 1000, EndDate: (NOW + DAY) / 1000 },
      'The StartDate you specify must come before the EndDate.',
    ],
    [
      'an EndDate in the past',
      { EndDate: (NOW - MINUTE) / 1000 },
      'The EndDate you specify must be in the future.',
    ],
  ])('rejects %s with ValidationException 400', (_case, changes, message) => {
    // Prepare
    const { scheduler } = setup();

    // Act
    const error = awsErrorOf(() =>
      scheduler.createSchedule(recurring('nightly', 'cron(0 2 * * ? *)', changes)),
    );

    // Assess
    expect([error.code, error.statusCode, error.message]).toEqual(['ValidationException', 400, message]);
  });

  it('returns a StartDate of 4 minutes ago as valid, its first occurrence from now', () => {
    // Prepare
    const { scheduler } = setup();

    // Act
    scheduler.createSchedule(
      recurring('every-10', 'rate(10 minutes)', { StartDate: (NOW - 4 * MINUTE) / 1000 }),
    );

    // Assess: StartDate + 10 minutes is the first occurrence not in the past
    expect(scheduler.nextDue()).toBe(NOW + 6 * MINUTE);
  });
});

// ---- on the stack clock: the interpreter worker steps time, the scheduler fires on the way ------------

const workDir = mkdtempSync(join(tmpdir(), 'hotline-recurring-it-'));
let workerFile: string;

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

describe('a nightly cron schedule on the stack clock', () => {
  it('fires exactly 3 times at 02:00 CST when the manual clock jumps 3 days', async () => {
    // Prepare: the stack's wiring in small (no state machines), on one manual clock
    const clock = new LocalClock({ mode: 'manual', now: NOW });
    const firedAt: string[] = [];
    const bus = new LocalEventBus('hotline-local', () => clock.now());
    const scheduler = new LocalScheduler({
      now: () => clock.now(),
      invoke: async () => {
        firedAt.push(new Date(clock.now()).toLocaleString('sv-SE', { timeZone: 'Asia/Shanghai' }));
      },
    });
    const stepFunctions = await LocalStepFunctions.start({
      workerFile,
      stateMachines: [],
      now: () => clock.now(),
      onTime: (ms) => clock.moveTo(ms),
      call: async () => undefined,
      externalTimers: schedulerTimers({ bus, scheduler }),
    });
    scheduler.createSchedule(recurring('nightly', 'cron(0 2 * * ? *)'));

    // Act: as the stack's moveTime, the interpreter (and through it the scheduler) first, then the clock
    try {
      await stepFunctions.advanceTo(NOW + 3 * DAY);
      clock.moveTo(NOW + 3 * DAY);
    } finally {
      await stepFunctions.close();
    }

    // Assess
    expect(firedAt).toEqual(['2026-12-02 02:00:00', '2026-12-03 02:00:00', '2026-12-04 02:00:00']);
    expect(scheduler.getSchedule({ Name: 'nightly' }).State).toBe('ENABLED');
  });
});
