/**
 * Messages between the local Step Functions service (main thread) and the interpreter worker.
 * The worker runs aws-local-stepfunctions on virtual time; everything that touches the outside world
 * (calling a function, putting events, DynamoDB) is asked of the main thread.
 */
import type { HistoryEvent } from './history.ts';

export type ToWorker =
  | {
      readonly type: 'start';
      readonly executionArn: string;
      readonly stateMachineArn: string;
      readonly definition: string;
      readonly input: unknown;
    }
  | { readonly type: 'taskResult'; readonly token: string; readonly ok: true; readonly output: unknown }
  | {
      readonly type: 'taskResult';
      readonly token: string;
      readonly ok: false;
      readonly error: string;
      readonly cause: string;
    }
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
  | {
      readonly type: 'stop';
      readonly executionArn: string;
      readonly error?: string;
      readonly cause?: string;
    };

/** A service call the worker asks the main thread to make on behalf of a Task state. */
export type ServiceCall =
  | { readonly service: 'lambda'; readonly functionName: string; readonly payload: unknown }
  | { readonly service: 'events'; readonly entries: readonly Record<string, unknown>[] }
  | { readonly service: 'dynamodb'; readonly action: string; readonly params: Record<string, unknown> };

export type FromWorker =
  | { readonly type: 'ready'; readonly now: number }
  | { readonly type: 'call'; readonly id: number; readonly call: ServiceCall }
  | {
      readonly type: 'history';
      readonly executionArn: string;
      readonly event: Omit<HistoryEvent, 'id' | 'previousEventId'>;
    }
  | {
      readonly type: 'tokenOpened';
      readonly executionArn: string;
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
      readonly status: 'SUCCEEDED' | 'FAILED' | 'ABORTED' | 'TIMED_OUT';
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
