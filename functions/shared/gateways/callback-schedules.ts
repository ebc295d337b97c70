import { ConflictException, CreateScheduleCommand } from '@aws-sdk/client-scheduler';
import { attemptScheduleName, withinCallingHours } from '#domain/callback.ts';
import { scheduler } from '#shared/platform/aws-clients.ts';
import { requireEnv } from '#shared/platform/config.ts';
import { callbackRules } from '#shared/platform/reference.ts';
import { callbackSchedules, envNames } from '#wiring/wiring.ts';

/** What a call-back schedule hands its target: which attempt of which round of which order. */
export interface AttemptInput {
  readonly orderId: string;
  readonly round: number;
  readonly attempt: number;
}

/** Scheduler's `at()` takes a local date-time without zone or fraction: ours are in UTC. */
export const atExpression = (ms: number): string => `at(${new Date(ms).toISOString().slice(0, 19)})`;

/** Scheduler fires at minute granularity and a one-time schedule in the past may never run: stay ahead. */
const MIN_LEAD_MS = 60_000;

/**
 * When an attempt wanted at `desiredMs` really happens: never in the past (a late delivery, a redriven
 * dead letter), and within calling hours — nobody is called at night because a message came late.
 */
export const attemptMoment = (desiredMs: number, nowMs: number): number =>
  withinCallingHours(Math.max(desiredMs, nowMs + MIN_LEAD_MS), callbackRules.callingHours);

/**
 * One EventBridge Scheduler one-time schedule per attempt, named by order, round and attempt, deleted
 * by Scheduler after it ran. Creating it again is a no-op (ConflictException), so every caller may
 * simply ensure it; the target retries by Scheduler's policy, then goes to the dead-letter queue.
 */
export const scheduleAttempt = async (
  input: AttemptInput,
  atMs: number,
  // The reconciler names its own (domain/callback.ts rescheduledAttemptName).
  name: string = attemptScheduleName(input.orderId, input.round, input.attempt),
): Promise<string> => {
  try {
    await scheduler.send(
      new CreateScheduleCommand({
        Name: name,
        GroupName: requireEnv(envNames.scheduleGroup),
        ScheduleExpression: atExpression(atMs),
        ScheduleExpressionTimezone: 'UTC',
        FlexibleTimeWindow: { Mode: 'OFF' },
        ActionAfterCompletion: 'DELETE',
        Description: `回访 call-back of ${input.orderId}, round ${input.round}, attempt ${input.attempt}`,
        Target: {
          Arn: requireEnv(envNames.callbackTargetArn),
          RoleArn: requireEnv(envNames.schedulerRoleArn),
          Input: JSON.stringify(input),
          RetryPolicy: {
            MaximumRetryAttempts: callbackSchedules.retry.maximumRetryAttempts,
            MaximumEventAgeInSeconds: callbackSchedules.retry.maximumEventAgeSeconds,
          },
          DeadLetterConfig: { Arn: requireEnv(envNames.scheduleDeadLetterArn) },
        },
      }),
    );
  } catch (error) {
    if (!(error instanceof ConflictException)) throw error;
  }
  return name;
};
