/**
 * Execution history in the shape of Step Functions' GetExecutionHistory, built from the interpreter's
 * own events (states entered/exited/failed/retried/caught) and the task events the local stack adds
 * (scheduled, started, submitted, succeeded, failed, timed out), which the interpreter does not emit.
 */
export interface HistoryEvent {
  readonly id: number;
  readonly previousEventId: number;
  readonly timestamp: string;
  readonly type: string;
  readonly [details: string]: unknown;
}

/** An event before numbering (`Omit` would lose `type` and `timestamp` to the index signature). */
export interface UnnumberedEvent {
  readonly timestamp: string;
  readonly type: string;
  readonly [details: string]: unknown;
}

type Detail = Record<string, unknown>;

/** State types as AWS spells them in event types: `TaskStateEntered`, `ChoiceStateExited`... */
const stateEventPrefix: Record<string, string> = {
  Task: 'TaskState',
  Choice: 'ChoiceState',
  Pass: 'PassState',
  Wait: 'WaitState',
  Succeed: 'SucceedState',
  Fail: 'FailState',
  Parallel: 'ParallelState',
  Map: 'MapState',
};

const json = (value: unknown): string => JSON.stringify(value ?? null);

/** AWS keeps Fail states out of the *Exited family: a Fail state only enters. */
export const fromInterpreterEvent = (event: {
  type: string;
  timestamp: number;
  input?: unknown;
  output?: unknown;
  Error?: string;
  Cause?: unknown;
  state?: { name: string; type: string; input?: unknown; output?: unknown };
}): { type: string; timestamp: string; [k: string]: unknown } | undefined => {
  const timestamp = new Date(event.timestamp).toISOString();
  const cause = typeof event.Cause === 'string' ? event.Cause : json(event.Cause);
  switch (event.type) {
    case 'ExecutionStarted':
      return {
        type: 'ExecutionStarted',
        timestamp,
        executionStartedEventDetails: { input: json(event.input), inputDetails: { truncated: false } },
      };
    case 'ExecutionSucceeded':
      return {
        type: 'ExecutionSucceeded',
        timestamp,
        executionSucceededEventDetails: { output: json(event.output), outputDetails: { truncated: false } },
      };
    case 'ExecutionFailed':
      return {
        type: 'ExecutionFailed',
        timestamp,
        executionFailedEventDetails: { error: event.Error, cause },
      };
    case 'ExecutionAborted':
      return { type: 'ExecutionAborted', timestamp, executionAbortedEventDetails: {} };
    case 'ExecutionTimeout':
      // AWS records the error, and no cause, when a state machine's TimeoutSeconds runs out.
      return {
        type: 'ExecutionTimedOut',
        timestamp,
        executionTimedOutEventDetails: { error: 'States.Timeout' },
      };
    case 'StateEntered': {
      const prefix = stateEventPrefix[event.state?.type ?? ''] ?? 'State';
      return {
        type: `${prefix}Entered`,
        timestamp,
        stateEnteredEventDetails: {
          name: event.state?.name,
          input: json(event.state?.input),
          inputDetails: { truncated: false },
        },
      };
    }
    case 'StateExited': {
      if (event.state?.type === 'Fail') return undefined;
      const prefix = stateEventPrefix[event.state?.type ?? ''] ?? 'State';
      return {
        type: `${prefix}Exited`,
        timestamp,
        stateExitedEventDetails: {
          name: event.state?.name,
          output: json(event.state?.output),
          outputDetails: { truncated: false },
        },
      };
    }
    default:
      // StateFailed / StateRetried / StateCaught have no event of their own in AWS's history: a
      // TaskFailed or TaskTimedOut (added by the local stack) is what AWS shows.
      return undefined;
  }
};

/** The event that ends an execution, for the ends the local stack decides itself (limits, StopExecution). */
export const executionEndEvent = (
  type: 'ExecutionFailed' | 'ExecutionAborted' | 'ExecutionTimedOut',
  timestampMs: number,
  details: { error?: string; cause?: string },
) => {
  const key = `${type.charAt(0).toLowerCase()}${type.slice(1)}EventDetails`;
  const present = Object.fromEntries(Object.entries(details).filter(([, v]) => v !== undefined));
  return { type, timestamp: new Date(timestampMs).toISOString(), [key]: present };
};

/** The event types that end a run of an execution: nothing follows them but a redrive. */
export const isExecutionEnd = (type: string): boolean =>
  type === 'ExecutionSucceeded' ||
  type === 'ExecutionFailed' ||
  type === 'ExecutionAborted' ||
  type === 'ExecutionTimedOut';

export interface TaskResource {
  readonly resourceType: string;
  readonly resource: string;
}

/** `arn:aws:states:::lambda:invoke.waitForTaskToken` → { resourceType: 'lambda', resource: 'invoke.waitForTaskToken' }. */
export const taskResourceOf = (arn: string): TaskResource => {
  const match = /^arn:aws:states:::([a-z0-9-]+):(.+)$/.exec(arn);
  if (match?.[1] && match[2]) return { resourceType: match[1], resource: match[2] };
  return { resourceType: 'lambda', resource: arn };
};

export const taskEvent = (type: string, timestampMs: number, resource: TaskResource, details: Detail) => {
  const key = `${type.charAt(0).toLowerCase()}${type.slice(1)}EventDetails`;
  return { type, timestamp: new Date(timestampMs).toISOString(), [key]: { ...resource, ...details } };
};

/** Numbers events as AWS does: ids from 1, each pointing at the one before it. */
export const numberEvents = (events: readonly UnnumberedEvent[]): HistoryEvent[] =>
  events.map((e, i) => ({ ...e, id: i + 1, previousEventId: i }) as HistoryEvent);
