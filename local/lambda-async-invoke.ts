import { randomUUID } from 'node:crypto';
import {
  callbackHealing,
  callbackSchedules,
  contactRetention,
  type FunctionName,
  lifecycleHealing,
  miningSchedule,
} from '#wiring/wiring.ts';

/**
 * Lambda's asynchronous invocation (Invoke with InvocationType Event), which is how EventBridge Scheduler
 * calls a function on AWS: Lambda queues the event and answers the Invoke call at once, so the caller's
 * part ends there; what the function does next is Lambda's. As AWS documents it
 * (docs.aws.amazon.com/lambda/latest/dg/invocation-async-error-handling.html):
 * - a function error (the handler threw, or the runtime failed: a timeout) is retried
 *   `MaximumRetryAttempts` times (0-2, default 2), one minute after the first attempt and two minutes
 *   after the second — here on the local stack's clock;
 * - an event older than `MaximumEventAgeInSeconds` (60-21600, default 6 hours) is not tried again;
 * - an event that failed for good goes to the on-failure destination as an invocation record
 *   (`requestContext.condition` RetriesExhausted or EventAgeExceeded), or is discarded when there is none.
 *
 * Unlike AWS: throttling (429) and Lambda's own 5xx, which AWS retries for up to 6 hours with backoff,
 * do not happen locally; every event is tried exactly at its instant (AWS: within seconds); the
 * queue never duplicates an event (AWS's may, rarely). A discarded event is kept here all the same
 * (`destinationArn` undefined), so that a local run shows what AWS would have dropped silently.
 */

/** A function's EventInvokeConfig, as wiring/wiring.ts writes it for CDK (`invocation`). */
export interface AsyncInvokeConfig {
  readonly maximumRetryAttempts: number;
  readonly maximumEventAgeSeconds: number;
  /** The on-failure destination (an SQS queue in our stack); none: the failed event is discarded. */
  readonly onFailure?: string;
}

/** Lambda's defaults for a function without an EventInvokeConfig. */
export const AWS_ASYNC_INVOKE_DEFAULTS: AsyncInvokeConfig = {
  maximumRetryAttempts: 2,
  maximumEventAgeSeconds: 21_600,
};

/** The wait before attempt n + 1 after attempt n failed: one minute, then two. */
export const ASYNC_RETRY_DELAYS_MS = [60_000, 120_000] as const;

/** Who handed the event to Lambda (a schedule, for the local scheduler). */
export interface AsyncInvokeSource {
  readonly schedule: string;
  readonly group: string;
}

/** An event waiting in the function's queue for its next attempt. */
export interface PendingAsyncInvocation {
  readonly requestId: string;
  readonly functionArn: string;
  readonly payload: unknown;
  readonly source: AsyncInvokeSource;
  /** When Lambda accepted the event (epoch ms): its age counts from here. */
  readonly acceptedAt: number;
  /** Attempts made so far. */
  attempts: number;
  /** The instant of the next attempt (epoch ms). */
  dueAt: number;
  lastError?: { readonly errorType: string; readonly errorMessage: string };
}

/** What Lambda sends an on-failure destination (the invocation record, version 1.0). */
export interface AsyncInvocationRecord {
  readonly version: '1.0';
  readonly timestamp: string;
  readonly requestContext: {
    readonly requestId: string;
    readonly functionArn: string;
    readonly condition: 'RetriesExhausted' | 'EventAgeExceeded';
    readonly approximateInvokeCount: number;
  };
  readonly requestPayload: unknown;
  readonly responseContext: {
    readonly statusCode: 200;
    readonly executedVersion: '$LATEST';
    readonly functionError: 'Unhandled';
  };
  readonly responsePayload: { readonly errorType: string; readonly errorMessage: string; readonly trace: [] };
}

/** An event that failed for good, with where AWS would have sent it. */
export interface FailedAsyncInvocation {
  readonly functionArn: string;
  /** The on-failure destination; undefined: AWS discards the event. */
  readonly destinationArn?: string;
  readonly source: AsyncInvokeSource;
  readonly record: AsyncInvocationRecord;
}

export interface AsyncInvokeQueueState {
  readonly pending: PendingAsyncInvocation[];
  readonly failed: FailedAsyncInvocation[];
}

export interface LambdaAsyncQueueOptions {
  /** Runs the function once with the event; a rejection is a function error. */
  readonly run: (functionArn: string, payload: unknown) => Promise<unknown>;
  /** The function's EventInvokeConfig; undefined: Lambda's defaults and no destination. */
  readonly configOf: (functionArn: string) => AsyncInvokeConfig | undefined;
  /** Called whenever the queue changed (for persistence). */
  readonly onChange?: () => void;
}

/** The asynchronous event queues of the local functions (one queue for all: order is by instant). */
export class LambdaAsyncQueue {
  private readonly pending: PendingAsyncInvocation[];
  private readonly failures: FailedAsyncInvocation[];

  constructor(
    private readonly options: LambdaAsyncQueueOptions,
    state: Partial<AsyncInvokeQueueState> = {},
  ) {
    this.pending = [...(state.pending ?? [])];
    this.failures = [...(state.failed ?? [])];
  }

  /**
   * Accepts an event (the Invoke call succeeded) and makes its first attempt now, awaited, so that
   * the function runs at the instant it was invoked; a failed attempt waits in the queue for its retry.
   */
  async invoke(
    functionArn: string,
    payload: unknown,
    nowMs: number,
    source: AsyncInvokeSource,
  ): Promise<void> {
    const pending: PendingAsyncInvocation = {
      requestId: randomUUID(),
      functionArn,
      payload: structuredClone(payload),
      source,
      acceptedAt: nowMs,
      attempts: 0,
      dueAt: nowMs,
    };
    await this.attempt(pending, nowMs);
  }

  /** The instant of the earliest retry waiting in the queue. */
  nextDue(): number | undefined {
    let next: number | undefined;
    for (const p of this.pending) if (next === undefined || p.dueAt < next) next = p.dueAt;
    return next;
  }

  /**
   * Makes the earliest retry due at or before `nowMs`; false when none is due. The attempt counts as
   * made at its own instant (a clock moved past several only makes them late, not closer together).
   */
  async runEarliestDue(nowMs: number): Promise<boolean> {
    const due = this.pending
      .filter((p) => p.dueAt <= nowMs)
      .sort((a, b) => a.dueAt - b.dueAt || a.acceptedAt - b.acceptedAt)[0];
    if (!due) return false;
    this.pending.splice(this.pending.indexOf(due), 1);
    await this.attempt(due, due.dueAt);
    return true;
  }

  /** Events that failed for good, oldest first. */
  failed(): readonly FailedAsyncInvocation[] {
    return this.failures;
  }

  /** Retries still waiting. */
  waiting(): readonly PendingAsyncInvocation[] {
    return this.pending;
  }

  state(): AsyncInvokeQueueState {
    return { pending: this.pending, failed: this.failures };
  }

  private async attempt(pending: PendingAsyncInvocation, atMs: number): Promise<void> {
    pending.attempts += 1;
    try {
      await this.options.run(pending.functionArn, structuredClone(pending.payload));
      this.options.onChange?.();
      return;
    } catch (error) {
      pending.lastError = {
        errorType: error instanceof Error ? error.name : 'Error',
        errorMessage: error instanceof Error ? error.message : String(error),
      };
    }
    const config = this.options.configOf(pending.functionArn) ?? AWS_ASYNC_INVOKE_DEFAULTS;
    const delay = ASYNC_RETRY_DELAYS_MS[pending.attempts - 1] ?? ASYNC_RETRY_DELAYS_MS[1];
    const nextAt = atMs + delay;
    if (pending.attempts > config.maximumRetryAttempts) this.fail(pending, config, 'RetriesExhausted', atMs);
    else if (nextAt - pending.acceptedAt > config.maximumEventAgeSeconds * 1000)
      this.fail(pending, config, 'EventAgeExceeded', atMs);
    else {
      pending.dueAt = nextAt;
      this.pending.push(pending);
    }
    this.options.onChange?.();
  }

  private fail(
    pending: PendingAsyncInvocation,
    config: AsyncInvokeConfig,
    condition: AsyncInvocationRecord['requestContext']['condition'],
    nowMs: number,
  ): void {
    this.failures.push({
      functionArn: pending.functionArn,
      ...(config.onFailure ? { destinationArn: config.onFailure } : {}),
      source: pending.source,
      record: {
        version: '1.0',
        timestamp: new Date(nowMs).toISOString(),
        requestContext: {
          requestId: pending.requestId,
          functionArn: `${pending.functionArn}:$LATEST`,
          condition,
          approximateInvokeCount: pending.attempts,
        },
        requestPayload: pending.payload,
        responseContext: { statusCode: 200, executedVersion: '$LATEST', functionError: 'Unhandled' },
        responsePayload: {
          errorType: pending.lastError?.errorType ?? 'Error',
          errorMessage: pending.lastError?.errorMessage ?? '',
          trace: [],
        },
      },
    });
  }
}

/**
 * The EventInvokeConfig CDK gives each scheduler target (infra/constructs/callback-scheduling.ts,
 * mining-schedule.ts, lifecycle-reconciliation.ts, callback-reconciliation.ts), from the same wiring numbers, with a local name
 * for its failure queue.
 */
export const localAsyncInvokeConfigs = (
  queueArnOf: (name: string) => string,
): ReadonlyMap<FunctionName, AsyncInvokeConfig> =>
  new Map<FunctionName, AsyncInvokeConfig>([
    [
      callbackSchedules.target,
      { ...callbackSchedules.invocation, onFailure: queueArnOf('callback-failed-attempts') },
    ],
    [miningSchedule.target, { ...miningSchedule.invocation, onFailure: queueArnOf('mining-failed-runs') }],
    [
      lifecycleHealing.reconciler.target,
      {
        ...lifecycleHealing.reconciler.invocation,
        onFailure: queueArnOf('lifecycle-reconciler-failed-runs'),
      },
    ],
    [
      callbackHealing.reconciler.target,
      {
        ...callbackHealing.reconciler.invocation,
        onFailure: queueArnOf('callback-reconciler-failed-runs'),
      },
    ],
    [
      contactRetention.target,
      { ...contactRetention.invocation, onFailure: queueArnOf('contact-retention-failed-runs') },
    ],
  ]);
