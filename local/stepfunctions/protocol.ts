/**
 * Messages between the local Step Functions service (main thread) and the interpreter worker.
 * The worker runs aws-local-stepfunctions on virtual time; everything that touches the outside world
 * (calling a function, putting events, DynamoDB) is asked of the main thread.
 *
 * Each run of an execution (its start, a redrive, a resume after a restart) has its own `runId`: the
 * main thread keeps only what the current run of a running execution reports, so nothing a run says
 * after its execution ended (a late task event, a stopped run winding down) reaches the history.
 */
import type { UnnumberedEvent } from './history.ts';

export type ToWorker =
  | {
      readonly type: 'start';
      readonly executionArn: string;
      readonly runId: number;
      readonly stateMachineArn: string;
      readonly definition: string;
      /** The input of the first state this run enters. */
      readonly input: unknown;
      /** `$$.Execution.Input` and `$$.Execution.StartTime`: the execution's, also on a redrive. */
      readonly executionInput: unknown;
      readonly startTime: number;
      /** Where this run starts (a redrive starts at the state that did not complete); default StartAt. */
      readonly startAt?: string;
      /** Events the history holds before this run's first event (its ExecutionStarted/ExecutionRedriven). */
      readonly priorEvents: number;
      /** The instant the execution reaches Step Functions' maximum execution time (one year). */
      readonly deadline: number;
    }
  | { readonly type: 'taskResult'; readonly token: string; readonly ok: true; readonly output: unknown }
  | {
      readonly type: 'taskResult';
      readonly token: string;
      readonly ok: false;
      readonly error: string;
      readonly cause: string;
    }
  | { readonly type: 'heartbeat'; readonly token: string }
  | { readonly type: 'callResult'; readonly id: number; readonly ok: true; readonly value: unknown }
  | {
      readonly type: 'callResult';
      readonly id: number;
      readonly ok: false;
      readonly error: string;
      readonly cause: string;
    }
  | { readonly type: 'advance'; readonly id: number; readonly target: number }
  | ({ readonly type: 'timersRun'; readonly id: number } & ExternalTimersRun)
  /** Ends a run: its execution was stopped (StopExecution) or ended by the main thread. */
  | { readonly type: 'stop'; readonly executionArn: string; readonly runId: number };

/** A service call the worker asks the main thread to make on behalf of a Task state. */
export type ServiceCall =
  | { readonly service: 'lambda'; readonly functionName: string; readonly payload: unknown }
  | { readonly service: 'events'; readonly entries: readonly Record<string, unknown>[] }
  | { readonly service: 'dynamodb'; readonly action: string; readonly params: Record<string, unknown> };

export type TerminalStatus = 'SUCCEEDED' | 'FAILED' | 'ABORTED' | 'TIMED_OUT';

export type FromWorker =
  | { readonly type: 'ready'; readonly now: number }
  | { readonly type: 'call'; readonly id: number; readonly call: ServiceCall }
  | {
      readonly type: 'history';
      readonly executionArn: string;
      readonly runId: number;
      readonly event: UnnumberedEvent;
    }
  | {
      readonly type: 'tokenOpened';
      readonly executionArn: string;
      readonly runId: number;
      readonly token: string;
      readonly stateName: string;
    }
  | {
      readonly type: 'tokenClosed';
      readonly token: string;
      readonly reason: 'completed' | 'timedOut' | 'ended';
    }
  | {
      readonly type: 'ended';
      readonly executionArn: string;
      readonly runId: number;
      readonly status: TerminalStatus;
      readonly output?: unknown;
      readonly error?: string;
      readonly cause?: string;
      readonly at: number;
    }
  | { readonly type: 'now'; readonly now: number }
  | { readonly type: 'runTimers'; readonly id: number; readonly now: number }
  | { readonly type: 'advanced'; readonly id: number; readonly now: number };

/**
 * What the main thread answers when an advance asks it to run the timers it owns (EventBridge
 * Scheduler's schedules, and the bus deliveries they cause) at the worker's current instant.
 */
export interface ExternalTimersRun {
  /** The earliest instant at which the main thread has a timer due next, if any. */
  readonly next?: number;
  /**
   * Something happened (a schedule fired, events were put on the bus) that may have started
   * executions or completed tasks in the worker: settle, then ask again at the same instant.
   */
  readonly active: boolean;
}
