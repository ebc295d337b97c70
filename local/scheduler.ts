import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { AwsServiceError } from './aws-errors.ts';
import type { LocalEventBus } from './event-bus.ts';
import {
  type AsyncInvokeConfig,
  type AsyncInvokeQueueState,
  type FailedAsyncInvocation,
  LambdaAsyncQueue,
} from './lambda-async-invoke.ts';
import {
  atInstant,
  nextCronInstant,
  type ParsedExpression,
  parseScheduleExpression,
  ScheduleExpressionError,
  zoneFormat,
} from './schedule-expressions.ts';
import type { ExternalTimersRun } from './stepfunctions/protocol.ts';

export { atInstant };

/**
 * The local EventBridge Scheduler: one-time schedules (`at(...)`, the call-backs) and recurring ones
 * (`rate(...)`, `cron(...)`, the nightly mining) kept on disk and fired on the local stack's clock. The handlers call it through the real
 * `@aws-sdk/client-scheduler` (local/aws-endpoint.ts serves the REST-JSON API); the stack calls
 * `fireDue` at each instant the clock passes through (local/stepfunctions/interpreter-worker.ts),
 * so a schedule fires at its own instant, in time order with the state machines' waits and timeouts.
 *
 * Like AWS:
 * - names and group names match `^[0-9a-zA-Z-_.]{1,64}$`; a group must exist (`default`, and the
 *   groups CDK creates, given as `groups`), else ResourceNotFoundException;
 * - a second schedule of the same name in a group is a ConflictException;
 * - `at()` and `cron()` are wall time in `ScheduleExpressionTimezone` (any IANA zone, UTC by
 *   default), read as local/schedule-expressions.ts says (AWS's six cron fields; daylight saving as
 *   AWS documents it); `rate()` counts from StartDate, or from creation when there is none;
 * - a recurring schedule fires at each occurrence at or after `StartDate` and before `EndDate`
 *   (both ignored for `at()`), stays after firing, and completes when no occurrence is left (an
 *   EndDate passed); a StartDate more than 5 minutes in the past, or not before the EndDate, is a
 *   ValidationException;
 * - a DISABLED schedule never fires;
 * - a failed invocation is retried up to `RetryPolicy.MaximumRetryAttempts` (185 by default), then
 *   dead-lettered; `ActionAfterCompletion: DELETE` removes the schedule after it ran (succeeded or
 *   dead-lettered) for the last time, `NONE` keeps it, never to fire again;
 * - a Lambda target is invoked asynchronously (given `lambda`, as the local stack does): the
 *   invocation that RetryPolicy and DeadLetterConfig cover is only Lambda accepting the event (a
 *   function that does not exist fails it); the function's own error is Lambda's, retried and sent to
 *   its on-failure destination as the function's EventInvokeConfig says (local/lambda-async-invoke.ts).
 *
 * Unlike AWS (on purpose):
 * - `L`, `W` and `#` in cron expressions are refused (ValidationException saying so); an EndDate
 *   in the past is refused too (AWS may accept it: its documentation does not say);
 * - occurrences missed while the stack was stopped (a real or scaled clock ran on meanwhile) are
 *   skipped, not fired in a burst at start; within a run every occurrence fires, at its instant;
 * - Scheduler's retries follow each other at once, and at most LOCAL_MAX_RETRIES of them (no backoff,
 *   so `MaximumEventAgeInSeconds` never runs out); the dead letter is kept here (GET /_local/dead-letters)
 *   whether or not `DeadLetterConfig` names a queue (Lambda's retries of a function error keep AWS's
 *   timing, on the stack clock);
 * - a schedule fires at its exact instant (AWS: within the minute, or within a flexible window);
 * - `at()` in the past: AWS's documentation does not say (the API reference lists no such
 *   validation, and reports disagree on whether CreateSchedule refuses it). We accept it and fire it
 *   at the next instant the stack's clock is run, i.e. at once: a call-back is never lost silently.
 * - ClientToken idempotency and tags are not kept.
 */

export const LOCAL_SCHEDULER_REGION = 'local';
export const LOCAL_SCHEDULER_ACCOUNT = '000000000000';
/** Retries a failed invocation gets locally at most (AWS allows up to 185, spaced out over hours). */
export const LOCAL_MAX_RETRIES = 10;
const AWS_DEFAULT_RETRY = { MaximumRetryAttempts: 185, MaximumEventAgeInSeconds: 86_400 } as const;
const DEFAULT_GROUP = 'default';
const namePattern = /^[0-9a-zA-Z-_.]{1,64}$/;
/** How far in the past a recurring schedule's StartDate may be (AWS: "cannot be earlier than 5 minutes ago"). */
const START_DATE_SLACK_MS = 5 * 60_000;
/** Firings one `fireDue` call makes at most: a target that keeps creating due schedules is a loop. */
const MAX_FIRINGS_PER_CALL = 10_000;

export interface ScheduleTarget {
  readonly Arn: string;
  readonly RoleArn: string;
  readonly Input?: string;
  readonly RetryPolicy?: {
    readonly MaximumRetryAttempts?: number;
    readonly MaximumEventAgeInSeconds?: number;
  };
  readonly DeadLetterConfig?: { readonly Arn?: string };
}

/** CreateSchedule / UpdateSchedule as the SDK sends them (the name is in the path, the rest the body). */
export interface ScheduleRequest {
  readonly Name?: string;
  readonly GroupName?: string;
  readonly ScheduleExpression?: string;
  readonly ScheduleExpressionTimezone?: string;
  readonly FlexibleTimeWindow?: { readonly Mode?: string; readonly MaximumWindowInMinutes?: number };
  readonly Target?: Partial<ScheduleTarget>;
  readonly State?: string;
  readonly ActionAfterCompletion?: string;
  readonly Description?: string;
  readonly StartDate?: number;
  readonly EndDate?: number;
  readonly KmsKeyArn?: string;
  readonly ClientToken?: string;
}

export interface ListSchedulesRequest {
  readonly ScheduleGroup?: string;
  readonly NamePrefix?: string;
  readonly State?: string;
  readonly MaxResults?: number;
  readonly NextToken?: string;
}

interface StoredSchedule {
  readonly Arn: string;
  readonly Name: string;
  readonly GroupName: string;
  readonly ScheduleExpression: string;
  readonly ScheduleExpressionTimezone: string;
  readonly FlexibleTimeWindow: {
    readonly Mode: 'OFF' | 'FLEXIBLE';
    readonly MaximumWindowInMinutes?: number;
  };
  readonly Target: ScheduleTarget;
  readonly State: 'ENABLED' | 'DISABLED';
  readonly ActionAfterCompletion: 'NONE' | 'DELETE';
  readonly Description?: string;
  readonly StartDate?: number;
  readonly EndDate?: number;
  readonly KmsKeyArn?: string;
  /** Epoch ms on the stack clock. */
  readonly CreationDate: number;
  readonly LastModificationDate: number;
  /** The instant it fires next (epoch ms): the one `at()` names, or a recurring schedule's next occurrence. */
  at: number;
  /** Creation order, to fire schedules of the same instant oldest first. */
  readonly seq: number;
  /** When it ran (ActionAfterCompletion NONE keeps it; it never fires again). */
  completedAt?: number;
}

/** A schedule whose target still failed after its retries. */
export interface SchedulerDeadLetter {
  readonly schedule: string;
  readonly group: string;
  readonly scheduleArn: string;
  readonly target: string;
  /** The DeadLetterConfig queue AWS would send the event to, if the schedule names one. */
  readonly deadLetterArn?: string;
  readonly input: string | undefined;
  readonly error: string;
  readonly attempts: number;
  /** The instant it fired (ISO 8601). */
  readonly at: string;
}

/** What GET /_local/schedules shows of one schedule. */
export interface ScheduleView {
  readonly name: string;
  readonly group: string;
  readonly state: 'ENABLED' | 'DISABLED';
  readonly at: string;
  readonly expression: string;
  readonly timezone: string;
  readonly target: string;
  /** The target's function name, when the target is a Lambda function. */
  readonly function?: string;
  readonly input: unknown;
  readonly actionAfterCompletion: 'NONE' | 'DELETE';
  readonly completedAt?: string;
}

export interface LocalSchedulerOptions {
  /** The JSON file schedules and dead letters are kept in; undefined keeps them in memory only. */
  readonly file?: string;
  /** The stack clock (creation and modification dates). */
  readonly now: () => number;
  /**
   * Invokes a target (the local Lambda runtime accepts a local function ARN); a rejection is a failure
   * of the invocation, unless `lambda` makes it the function's own (asynchronous invocation).
   */
  readonly invoke: (targetArn: string, payload: unknown) => Promise<unknown>;
  /**
   * Lambda targets are invoked asynchronously, as Scheduler does on AWS: `accept` is Lambda's answer to
   * the Invoke call (it throws what Lambda refuses it with, e.g. ResourceNotFoundException), and
   * `asyncConfigOf` the function's EventInvokeConfig (undefined: Lambda's defaults, no destination).
   * Without it, a target's rejection counts as a failed invocation (Scheduler's retries, then its DLQ).
   */
  readonly lambda?: {
    readonly accept: (functionArn: string) => void;
    readonly asyncConfigOf: (functionArn: string) => AsyncInvokeConfig | undefined;
  };
  /** The schedule groups that exist besides `default` (CDK creates them in the cloud). */
  readonly groups?: readonly string[];
  /** Called after a create or update with the schedule's instant (the stack wakes for one already due). */
  readonly onScheduled?: (at: number) => void;
}

interface PersistedState {
  readonly version: 1;
  readonly schedules: StoredSchedule[];
  readonly deadLetters: SchedulerDeadLetter[];
  /** Lambda's asynchronous queue: retries waiting, and events that failed for good. */
  readonly asyncInvocations?: AsyncInvokeQueueState;
}

const validation = (message: string) => new AwsServiceError('ValidationException', message, 400);

const constraint = (value: unknown, field: string, rule: string) =>
  validation(
    `1 validation error detected: Value '${String(value)}' at '${field}' failed to satisfy constraint: ${rule}`,
  );

// ---- the service ------------------------------------------------------------------------------------

export class LocalScheduler {
  private readonly schedules = new Map<string, StoredSchedule>();
  private readonly deadLetters: SchedulerDeadLetter[] = [];
  private readonly groups: ReadonlySet<string>;
  /** Schedules whose target is being invoked right now (group/name). */
  private readonly firing = new Set<string>();
  private nextSeq = 1;
  private asyncQueue: LambdaAsyncQueue;

  constructor(private readonly options: LocalSchedulerOptions) {
    this.groups = new Set([DEFAULT_GROUP, ...(options.groups ?? [])]);
    this.asyncQueue = this.newAsyncQueue(undefined);
    this.load();
  }

  // ---- the Scheduler API (request and response shapes of the AWS API) -------------------------------

  createSchedule(request: ScheduleRequest): { ScheduleArn: string } {
    const { name, group } = this.identify(request.Name, request.GroupName);
    const schedule = this.validated(request, name, group, undefined);
    if (this.schedules.has(key(group, name)))
      throw new AwsServiceError('ConflictException', `Schedule ${name} already exists.`, 409);
    this.schedules.set(key(group, name), schedule);
    this.save();
    this.options.onScheduled?.(schedule.at);
    return { ScheduleArn: schedule.Arn };
  }

  /** UpdateSchedule replaces the whole schedule, as AWS does (fields left out take their defaults). */
  updateSchedule(request: ScheduleRequest): { ScheduleArn: string } {
    const { name, group } = this.identify(request.Name, request.GroupName);
    const existing = this.require(name, group);
    const schedule = this.validated(request, name, group, existing);
    this.schedules.set(key(group, name), schedule);
    this.save();
    this.options.onScheduled?.(schedule.at);
    return { ScheduleArn: schedule.Arn };
  }

  getSchedule(request: { Name?: string; GroupName?: string }) {
    const { name, group } = this.identify(request.Name, request.GroupName);
    const s = this.require(name, group);
    return {
      Arn: s.Arn,
      GroupName: s.GroupName,
      Name: s.Name,
      ScheduleExpression: s.ScheduleExpression,
      ScheduleExpressionTimezone: s.ScheduleExpressionTimezone,
      ...(s.Description !== undefined ? { Description: s.Description } : {}),
      ...(s.StartDate !== undefined ? { StartDate: s.StartDate } : {}),
      ...(s.EndDate !== undefined ? { EndDate: s.EndDate } : {}),
      ...(s.KmsKeyArn !== undefined ? { KmsKeyArn: s.KmsKeyArn } : {}),
      State: s.State,
      CreationDate: s.CreationDate / 1000,
      LastModificationDate: s.LastModificationDate / 1000,
      Target: s.Target,
      FlexibleTimeWindow: s.FlexibleTimeWindow,
      ActionAfterCompletion: s.ActionAfterCompletion,
    };
  }

  deleteSchedule(request: { Name?: string; GroupName?: string }): Record<string, never> {
    const { name, group } = this.identify(request.Name, request.GroupName);
    this.require(name, group);
    this.schedules.delete(key(group, name));
    this.save();
    return {};
  }

  /** ListSchedules: summaries by group and name, paged by an opaque token (the last key returned). */
  listSchedules(request: ListSchedulesRequest = {}) {
    if (request.ScheduleGroup !== undefined && !namePattern.test(request.ScheduleGroup))
      throw constraint(request.ScheduleGroup, 'groupName', 'Member must satisfy regular expression pattern');
    if (request.State !== undefined && request.State !== 'ENABLED' && request.State !== 'DISABLED')
      throw constraint(request.State, 'state', 'Member must satisfy enum value set: [ENABLED, DISABLED]');
    const max = request.MaxResults ?? 100;
    if (!Number.isInteger(max) || max < 1 || max > 100)
      throw constraint(max, 'maxResults', 'Member must have value between 1 and 100');
    let after = '';
    if (request.NextToken !== undefined) {
      try {
        after = String(
          (JSON.parse(Buffer.from(request.NextToken, 'base64url').toString()) as { a: string }).a,
        );
      } catch {
        throw validation('Invalid NextToken.');
      }
    }
    const matching = [...this.schedules.entries()]
      .filter(
        ([k, s]) =>
          k > after &&
          (request.ScheduleGroup === undefined || s.GroupName === request.ScheduleGroup) &&
          (request.NamePrefix === undefined || s.Name.startsWith(request.NamePrefix)) &&
          (request.State === undefined || s.State === request.State),
      )
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    const page = matching.slice(0, max);
    const last = page.at(-1);
    return {
      Schedules: page.map(([, s]) => ({
        Arn: s.Arn,
        Name: s.Name,
        GroupName: s.GroupName,
        State: s.State,
        CreationDate: s.CreationDate / 1000,
        LastModificationDate: s.LastModificationDate / 1000,
        Target: { Arn: s.Target.Arn },
      })),
      ...(matching.length > max && last
        ? { NextToken: Buffer.from(JSON.stringify({ a: last[0] })).toString('base64url') }
        : {}),
    };
  }

  // ---- time -------------------------------------------------------------------------------------------

  /** The instant of the earliest enabled schedule that has not run yet, or of a function's retry. */
  nextDue(): number | undefined {
    let next = this.asyncQueue.nextDue();
    for (const [k, s] of this.schedules) {
      if (!this.isPending(k, s)) continue;
      if (next === undefined || s.at < next) next = s.at;
    }
    return next;
  }

  /**
   * Fires every schedule due at or before `nowMs`, oldest first (by instant, then creation), awaiting
   * each invocation and its retries; schedules created meanwhile that are due are fired too, and so
   * are the asynchronous retries of Lambda targets due by then. Resolves with how many fired.
   */
  async fireDue(nowMs: number): Promise<number> {
    let fired = 0;
    for (; fired < MAX_FIRINGS_PER_CALL; fired++) {
      const due = this.earliestDue(nowMs);
      const retryAt = this.asyncQueue.nextDue();
      if (retryAt !== undefined && retryAt <= nowMs && (!due || retryAt <= due.at)) {
        await this.asyncQueue.runEarliestDue(nowMs);
        continue;
      }
      if (!due) break;
      await this.fire(due, nowMs);
    }
    return fired;
  }

  deadLettered(): readonly SchedulerDeadLetter[] {
    return this.deadLetters;
  }

  /** Asynchronous invocations of Lambda targets that failed past the function's retries (its on-failure destination). */
  failedInvocations(): readonly FailedAsyncInvocation[] {
    return this.asyncQueue.failed();
  }

  /** Every schedule, by instant (GET /_local/schedules). */
  list(): ScheduleView[] {
    return [...this.schedules.values()]
      .sort((a, b) => a.at - b.at || a.seq - b.seq)
      .map((s) => ({
        name: s.Name,
        group: s.GroupName,
        state: s.State,
        at: new Date(s.at).toISOString(),
        expression: s.ScheduleExpression,
        timezone: s.ScheduleExpressionTimezone,
        target: s.Target.Arn,
        ...(s.Target.Arn.includes(':function:')
          ? { function: s.Target.Arn.split(':function:')[1]?.split(':')[0] }
          : {}),
        input: parseInput(s.Target.Input).value,
        actionAfterCompletion: s.ActionAfterCompletion,
        ...(s.completedAt !== undefined ? { completedAt: new Date(s.completedAt).toISOString() } : {}),
      }));
  }

  // ---- internals -----------------------------------------------------------------------------------------

  private isPending(k: string, s: StoredSchedule): boolean {
    return s.State === 'ENABLED' && s.completedAt === undefined && !this.firing.has(k);
  }

  private earliestDue(nowMs: number): StoredSchedule | undefined {
    let earliest: StoredSchedule | undefined;
    for (const [k, s] of this.schedules) {
      if (!this.isPending(k, s) || s.at > nowMs) continue;
      if (!earliest || s.at < earliest.at || (s.at === earliest.at && s.seq < earliest.seq)) earliest = s;
    }
    return earliest;
  }

  private async fire(schedule: StoredSchedule, nowMs: number): Promise<void> {
    const k = key(schedule.GroupName, schedule.Name);
    this.firing.add(k);
    let attempts = 0;
    let error: string | undefined;
    try {
      const input = parseInput(schedule.Target.Input);
      if (!input.ok) {
        error = 'Target Input is not valid JSON, so the function cannot be invoked with it';
      } else {
        const retries = Math.min(
          schedule.Target.RetryPolicy?.MaximumRetryAttempts ?? AWS_DEFAULT_RETRY.MaximumRetryAttempts,
          LOCAL_MAX_RETRIES,
        );
        const lambda =
          this.options.lambda && isFunctionArn(schedule.Target.Arn) ? this.options.lambda : undefined;
        for (attempts = 1; attempts <= retries + 1; attempts++) {
          try {
            if (lambda) lambda.accept(schedule.Target.Arn);
            else await this.options.invoke(schedule.Target.Arn, structuredClone(input.value));
            error = undefined;
            break;
          } catch (failure) {
            error = failure instanceof Error ? `${failure.name}: ${failure.message}` : String(failure);
          }
        }
        // Lambda accepted the event: Scheduler is done; the function's run and retries are Lambda's.
        if (lambda && error === undefined) {
          await this.asyncQueue.invoke(schedule.Target.Arn, input.value, nowMs, {
            schedule: schedule.Name,
            group: schedule.GroupName,
          });
        }
        attempts = Math.min(attempts, retries + 1);
      }
    } finally {
      this.firing.delete(k);
    }
    if (error !== undefined) {
      this.deadLetters.push({
        schedule: schedule.Name,
        group: schedule.GroupName,
        scheduleArn: schedule.Arn,
        target: schedule.Target.Arn,
        ...(schedule.Target.DeadLetterConfig?.Arn
          ? { deadLetterArn: schedule.Target.DeadLetterConfig.Arn }
          : {}),
        input: schedule.Target.Input,
        error,
        attempts,
        at: new Date(nowMs).toISOString(),
      });
    }
    // The target may have deleted or replaced its own schedule meanwhile: only this one moves on.
    if (this.schedules.get(k) === schedule) {
      const next = this.nextOccurrence(schedule, schedule.at);
      if (next !== undefined) schedule.at = next;
      else if (schedule.ActionAfterCompletion === 'DELETE') this.schedules.delete(k);
      else schedule.completedAt = nowMs;
    }
    this.save();
  }

  private identify(name: string | undefined, groupName: string | undefined) {
    if (name === undefined || !namePattern.test(name))
      throw constraint(name, 'name', 'Member must satisfy regular expression pattern: [0-9a-zA-Z-_.]+');
    const group = groupName ?? DEFAULT_GROUP;
    if (!namePattern.test(group))
      throw constraint(group, 'groupName', 'Member must satisfy regular expression pattern: [0-9a-zA-Z-_.]+');
    return { name, group };
  }

  private require(name: string, group: string): StoredSchedule {
    if (!this.groups.has(group))
      throw new AwsServiceError('ResourceNotFoundException', `Schedule group ${group} does not exist.`, 404);
    const schedule = this.schedules.get(key(group, name));
    if (!schedule)
      throw new AwsServiceError('ResourceNotFoundException', `Schedule ${name} does not exist.`, 404);
    return schedule;
  }

  private validated(
    request: ScheduleRequest,
    name: string,
    group: string,
    existing: StoredSchedule | undefined,
  ): StoredSchedule {
    const expression = request.ScheduleExpression;
    if (typeof expression !== 'string' || expression.length === 0 || expression.length > 256)
      throw constraint(expression, 'scheduleExpression', 'Member must have length between 1 and 256');
    const timezone = request.ScheduleExpressionTimezone ?? 'UTC';
    if (!zoneFormat(timezone)) throw validation(`Invalid ScheduleExpressionTimezone ${timezone}.`);
    let parsed: ParsedExpression;
    try {
      parsed = parseScheduleExpression(expression);
    } catch (error) {
      if (error instanceof ScheduleExpressionError) throw validation(error.message);
      throw error;
    }
    const now = this.options.now();
    const occurrences = this.recurringWindow(request, parsed, now);
    const at =
      parsed.kind === 'at'
        ? atInstant(expression, timezone)
        : firstOccurrence(parsed, timezone, occurrences, now);
    if (parsed.kind === 'at' && at === undefined)
      throw validation(`Invalid Schedule Expression ${expression}.`);

    const window = request.FlexibleTimeWindow;
    if (!window || (window.Mode !== 'OFF' && window.Mode !== 'FLEXIBLE'))
      throw constraint(
        window?.Mode,
        'flexibleTimeWindow.mode',
        'Member must satisfy enum value set: [OFF, FLEXIBLE]',
      );
    const minutes = window.MaximumWindowInMinutes;
    if (window.Mode === 'FLEXIBLE' && (minutes === undefined || minutes < 1 || minutes > 1440))
      throw validation('MaximumWindowInMinutes must be between 1 and 1440 when Mode is FLEXIBLE.');
    if (window.Mode === 'OFF' && minutes !== undefined)
      throw validation('MaximumWindowInMinutes must not be set when Mode is OFF.');

    const target = request.Target;
    if (!target?.Arn || target.Arn.length > 1600)
      throw constraint(target?.Arn, 'target.arn', 'Member must have length between 1 and 1600');
    if (!target.RoleArn || !/^arn:aws(-[a-z]+)?:iam::\d{12}:role\/[\w+=,.@/-]+$/.test(target.RoleArn))
      throw constraint(
        target.RoleArn,
        'target.roleArn',
        'Member must satisfy regular expression pattern: ^arn:aws(-[a-z]+)?:iam::\\d{12}:role\\/[\\w+=,.@\\/-]+$',
      );
    if (target.Input !== undefined && (target.Input.length < 1 || target.Input.length > 8192))
      throw constraint('…', 'target.input', 'Member must have length between 1 and 8192');
    const retries = target.RetryPolicy?.MaximumRetryAttempts ?? AWS_DEFAULT_RETRY.MaximumRetryAttempts;
    if (!Number.isInteger(retries) || retries < 0 || retries > 185)
      throw constraint(
        retries,
        'target.retryPolicy.maximumRetryAttempts',
        'Member must have value between 0 and 185',
      );
    const age = target.RetryPolicy?.MaximumEventAgeInSeconds ?? AWS_DEFAULT_RETRY.MaximumEventAgeInSeconds;
    if (!Number.isInteger(age) || age < 60 || age > 86_400)
      throw constraint(
        age,
        'target.retryPolicy.maximumEventAgeInSeconds',
        'Member must have value between 60 and 86400',
      );

    const state = request.State ?? 'ENABLED';
    if (state !== 'ENABLED' && state !== 'DISABLED')
      throw constraint(state, 'state', 'Member must satisfy enum value set: [ENABLED, DISABLED]');
    const after = request.ActionAfterCompletion ?? 'NONE';
    if (after !== 'NONE' && after !== 'DELETE')
      throw constraint(after, 'actionAfterCompletion', 'Member must satisfy enum value set: [NONE, DELETE]');
    if (!this.groups.has(group))
      throw new AwsServiceError('ResourceNotFoundException', `Schedule group ${group} does not exist.`, 404);

    return {
      Arn: `arn:aws:scheduler:${LOCAL_SCHEDULER_REGION}:${LOCAL_SCHEDULER_ACCOUNT}:schedule/${group}/${name}`,
      Name: name,
      GroupName: group,
      ScheduleExpression: expression,
      ScheduleExpressionTimezone: timezone,
      FlexibleTimeWindow: {
        Mode: window.Mode,
        ...(minutes !== undefined ? { MaximumWindowInMinutes: minutes } : {}),
      },
      Target: {
        Arn: target.Arn,
        RoleArn: target.RoleArn,
        ...(target.Input !== undefined ? { Input: target.Input } : {}),
        RetryPolicy: { MaximumRetryAttempts: retries, MaximumEventAgeInSeconds: age },
        ...(target.DeadLetterConfig?.Arn ? { DeadLetterConfig: { Arn: target.DeadLetterConfig.Arn } } : {}),
      },
      State: state,
      ActionAfterCompletion: after,
      ...(request.Description !== undefined ? { Description: request.Description } : {}),
      ...(request.StartDate !== undefined ? { StartDate: request.StartDate } : {}),
      ...(request.EndDate !== undefined ? { EndDate: request.EndDate } : {}),
      ...(request.KmsKeyArn !== undefined ? { KmsKeyArn: request.KmsKeyArn } : {}),
      CreationDate: existing?.CreationDate ?? now,
      LastModificationDate: now,
      // A recurring schedule with no occurrence left (its EndDate comes first) never fires.
      at: at ?? now,
      seq: this.nextSeq++,
      ...(at === undefined ? { completedAt: now } : {}),
    };
  }

  /** A recurring schedule's StartDate and EndDate (epoch ms), checked as AWS checks them. */
  private recurringWindow(request: ScheduleRequest, parsed: ParsedExpression, now: number): OccurrenceWindow {
    const ms = (seconds: number | undefined, field: string) => {
      if (seconds === undefined) return undefined;
      if (typeof seconds !== 'number' || !Number.isFinite(seconds))
        throw constraint(seconds, field, 'Member must be a timestamp');
      return seconds * 1000;
    };
    const start = ms(request.StartDate, 'startDate');
    const end = ms(request.EndDate, 'endDate');
    if (parsed.kind === 'at') return {};
    if (start !== undefined && start < now - START_DATE_SLACK_MS)
      throw validation('The StartDate you specify cannot be earlier than 5 minutes ago.');
    if (end !== undefined && end <= now) throw validation('The EndDate you specify must be in the future.');
    if (start !== undefined && end !== undefined && start >= end)
      throw validation('The StartDate you specify must come before the EndDate.');
    return { ...(start !== undefined ? { start } : {}), ...(end !== undefined ? { end } : {}) };
  }

  /** The occurrence after `firedAt` of a recurring schedule; undefined for `at()` or when none is left. */
  private nextOccurrence(schedule: StoredSchedule, firedAt: number): number | undefined {
    const parsed = parseScheduleExpression(schedule.ScheduleExpression);
    const occurrences = windowOf(schedule);
    const next =
      parsed.kind === 'rate'
        ? firedAt + parsed.everyMs
        : parsed.kind === 'cron'
          ? nextCronInstant(parsed.cron, schedule.ScheduleExpressionTimezone, firedAt)
          : undefined;
    return next !== undefined && (occurrences.end === undefined || next < occurrences.end) ? next : undefined;
  }

  private load(): void {
    const file = this.options.file;
    if (!file || !existsSync(file)) return;
    let state: PersistedState;
    try {
      state = JSON.parse(readFileSync(file, 'utf8')) as PersistedState;
    } catch (error) {
      throw new Error(`Cannot read the local schedules in ${file} (start with --fresh to drop them)`, {
        cause: error,
      });
    }
    const now = this.options.now();
    for (const schedule of state.schedules ?? []) {
      skipMissedOccurrences(schedule, now);
      this.schedules.set(key(schedule.GroupName, schedule.Name), schedule);
      this.nextSeq = Math.max(this.nextSeq, schedule.seq + 1);
    }
    this.deadLetters.push(...(state.deadLetters ?? []));
    this.asyncQueue = this.newAsyncQueue(state.asyncInvocations);
  }

  private newAsyncQueue(state: AsyncInvokeQueueState | undefined): LambdaAsyncQueue {
    return new LambdaAsyncQueue(
      {
        run: (functionArn, payload) => this.options.invoke(functionArn, payload),
        configOf: (functionArn) => this.options.lambda?.asyncConfigOf(functionArn),
        onChange: () => this.save(),
      },
      state,
    );
  }

  /** Written on every change, whole, through a temporary file (a crash never leaves half a file). */
  private save(): void {
    const file = this.options.file;
    if (!file) return;
    const state: PersistedState = {
      version: 1,
      schedules: [...this.schedules.values()],
      deadLetters: this.deadLetters,
      asyncInvocations: this.asyncQueue.state(),
    };
    mkdirSync(dirname(file), { recursive: true });
    const temporary = `${file}.${process.pid}.tmp`;
    writeFileSync(temporary, JSON.stringify(state));
    renameSync(temporary, file);
  }
}

const key = (group: string, name: string) => `${group}/${name}`;

/** `arn:<partition>:lambda:<region>:<account>:function:<name>[:<qualifier>]` */
const isFunctionArn = (arn: string): boolean => /^arn:[^:]+:lambda:[^:]*:[^:]*:function:/.test(arn);

/** Where a recurring schedule's occurrences may fall (epoch ms): at or after `start`, before `end`. */
interface OccurrenceWindow {
  readonly start?: number;
  readonly end?: number;
}

const windowOf = (s: StoredSchedule): OccurrenceWindow => ({
  ...(s.StartDate !== undefined ? { start: s.StartDate * 1000 } : {}),
  ...(s.EndDate !== undefined ? { end: s.EndDate * 1000 } : {}),
});

/**
 * Moves a recurring schedule whose next occurrence passed while the stack was stopped (a real or
 * scaled clock ran on) to its first occurrence from `now`: AWS would have fired those at their time,
 * and the nightly mining should not run a week of nights in a burst at start.
 */
const skipMissedOccurrences = (schedule: StoredSchedule, now: number): void => {
  if (schedule.completedAt !== undefined || schedule.at >= now) return;
  const parsed = parseScheduleExpression(schedule.ScheduleExpression);
  if (parsed.kind === 'at') return;
  const { end } = windowOf(schedule);
  const next =
    parsed.kind === 'rate'
      ? schedule.at + Math.ceil((now - schedule.at) / parsed.everyMs) * parsed.everyMs
      : nextCronInstant(parsed.cron, schedule.ScheduleExpressionTimezone, now - 1);
  if (next === undefined || (end !== undefined && next >= end)) schedule.completedAt = now;
  else schedule.at = next;
};

/**
 * A recurring schedule's first occurrence from `now`: a rate's at StartDate and every period after it
 * (the first not in the past), or at once without a StartDate; a cron's first at or after both.
 */
const firstOccurrence = (
  parsed: ParsedExpression,
  timeZone: string,
  occurrences: OccurrenceWindow,
  now: number,
): number | undefined => {
  const from = Math.max(now, occurrences.start ?? now);
  let first: number | undefined;
  if (parsed.kind === 'rate') {
    const start = occurrences.start ?? now;
    first = start >= now ? start : start + Math.ceil((now - start) / parsed.everyMs) * parsed.everyMs;
  } else if (parsed.kind === 'cron') first = nextCronInstant(parsed.cron, timeZone, from - 1);
  return first !== undefined && (occurrences.end === undefined || first < occurrences.end)
    ? first
    : undefined;
};

const parseInput = (
  input: string | undefined,
): { ok: true; value: unknown } | { ok: false; value: string } => {
  if (input === undefined) return { ok: true, value: {} };
  try {
    return { ok: true, value: JSON.parse(input) as unknown };
  } catch {
    return { ok: false, value: input };
  }
};

/**
 * What the interpreter worker's advance runs on the main thread at each instant it reaches (the
 * `externalTimers` of LocalStepFunctions): the bus deliveries of the events put so far (a consumer may
 * create a schedule due now), the schedules due, then the deliveries of the events their targets put.
 * `active` asks the worker to settle and ask again at the same instant; `next` is where it may step.
 */
export const schedulerTimers = (deps: {
  readonly bus: LocalEventBus;
  readonly scheduler: LocalScheduler;
}): ((now: number) => Promise<ExternalTimersRun>) => {
  let newestSeen: string | undefined;
  return async (now) => {
    await deps.bus.drain();
    const fired = await deps.scheduler.fireDue(now);
    await deps.bus.drain();
    // New events (put by executions since the last run, or by the targets just now) may have started
    // or completed work in the worker.
    const newest = deps.bus.list().at(-1)?.id;
    const busMoved = newest !== newestSeen;
    newestSeen = newest;
    const next = deps.scheduler.nextDue();
    return { active: fired > 0 || busMoved, ...(next !== undefined ? { next } : {}) };
  };
};
