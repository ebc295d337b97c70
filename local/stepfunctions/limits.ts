/**
 * The hard quotas of Standard workflows that the local Step Functions enforces as AWS does
 * ("Step Functions service quotas", "Restarting state machine executions with redrive"), and the
 * errors AWS reports when they are reached. Pure functions: the worker and the service both use them.
 */

/** 25,000 events: the event that would be the 25,000th is the execution's `ExecutionFailed` instead. */
export const MAX_HISTORY_EVENTS = 25_000;
export const HISTORY_LIMIT_ERROR = 'States.Runtime';
export const HISTORY_LIMIT_CAUSE = `The execution reached the maximum number of history events (${MAX_HISTORY_EVENTS}).`;

/** 256 KiB of UTF-8: task parameters and results, state input and output, execution input and output. */
export const MAX_PAYLOAD_BYTES = 256 * 1024;

/** An execution still open one year after its start times out (States.Timeout). */
export const MAX_EXECUTION_MS = 365 * 24 * 3_600_000;

/** A redrive is possible for 14 days after the execution stopped. */
export const REDRIVABLE_PERIOD_MS = 14 * 24 * 3_600_000;

/** Executions started before RedriveExecution existed cannot be redriven. */
export const REDRIVE_LAUNCH = Date.parse('2023-11-15T00:00:00Z');

/** The largest TimeoutSeconds / HeartbeatSeconds the States Language accepts. */
export const MAX_TASK_SECONDS = 99_999_999;

export const payloadBytes = (value: unknown): number =>
  Buffer.byteLength(JSON.stringify(value ?? null), 'utf8');

export const exceedsPayloadLimit = (value: unknown): boolean => payloadBytes(value) > MAX_PAYLOAD_BYTES;

export const resultTooLargeCause = (subject: string): string =>
  `The state/task '${subject}' returned a result with a size exceeding the maximum number of bytes service limit.`;

export const parametersTooLargeCause = (subject: string): string =>
  `The state/task '${subject}' provided parameters with a size exceeding the maximum number of bytes service limit.`;

/** AWS's answer to a request field over its length constraint (the JSON protocol's ValidationException). */
export const lengthConstraintMessage = (field: string, max: number): string =>
  `1 validation error detected: Value at '${field}' failed to satisfy constraint: Member must have length less than or equal to ${max}`;

/** Bytes of a request string field, as Step Functions measures its length constraints (UTF-8). */
export const utf8Length = (text: string): number => Buffer.byteLength(text, 'utf8');

// ---- reference paths (TimeoutSecondsPath, HeartbeatSecondsPath) -----------------------------------------

/**
 * Resolves a reference path (`$.a.b`, `$['a'][0]`, `$$.Execution.Input.x`) against the state input or
 * the context object; `found: false` when a step is missing. Reference paths name one node only: no
 * wildcards, filters or slices.
 */
export const resolveReferencePath = (
  path: string,
  input: unknown,
  context: unknown,
): { found: true; value: unknown } | { found: false } => {
  let rest: string;
  let node: unknown;
  if (path.startsWith('$$')) {
    node = context;
    rest = path.slice(2);
  } else if (path.startsWith('$')) {
    node = input;
    rest = path.slice(1);
  } else return { found: false };
  const step = /^(?:\.([^.[\]]+)|\['((?:[^'\\]|\\.)*)'\]|\[(\d+)\])/;
  while (rest.length > 0) {
    const match = step.exec(rest);
    if (!match) return { found: false };
    rest = rest.slice(match[0].length);
    const key = match[1] ?? match[2] ?? Number(match[3]);
    if (typeof key === 'number') {
      if (!Array.isArray(node) || key >= node.length) return { found: false };
      node = node[key];
    } else {
      if (node === null || typeof node !== 'object' || Array.isArray(node) || !Object.hasOwn(node, key))
        return { found: false };
      node = (node as Record<string, unknown>)[key];
    }
  }
  return { found: true, value: node };
};

/**
 * The seconds a `TimeoutSecondsPath` / `HeartbeatSecondsPath` gives, or why it gives none: the path
 * must name a positive integer no larger than the States Language allows. Step Functions fails the
 * state with States.Runtime otherwise (it neither waits forever nor falls back to a default).
 */
export const secondsFromPath = (
  field: 'TimeoutSecondsPath' | 'HeartbeatSecondsPath',
  path: string,
  input: unknown,
  context: unknown,
): { ok: true; seconds: number } | { ok: false; cause: string } => {
  const resolved = resolveReferencePath(path, input, context);
  if (!resolved.found)
    return {
      ok: false,
      cause: `Invalid path '${path}' : No results for path: ${path.startsWith('$$') ? '$$' : '$'}${path
        .replace(/^\$\$?/, '')
        .replace(/\.([^.[\]]+)/g, "['$1']")}`,
    };
  const value = resolved.value;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 1 || value > MAX_TASK_SECONDS)
    return {
      ok: false,
      cause: `The value of the field '${field}' (${path}) must be a positive integer no larger than ${MAX_TASK_SECONDS}, but it is ${JSON.stringify(value) ?? 'undefined'}.`,
    };
  return { ok: true, seconds: value };
};

// ---- redrive -------------------------------------------------------------------------------------------

export interface RedriveCandidate {
  readonly status: 'RUNNING' | 'SUCCEEDED' | 'FAILED' | 'TIMED_OUT' | 'ABORTED';
  readonly startDate: number;
  readonly stopDate?: number;
  readonly eventCount: number;
}

/**
 * Why RedriveExecution would refuse the execution now (DescribeExecution's `redriveStatusReason`
 * wording), or undefined when it can be redriven.
 */
export const notRedrivableReason = (execution: RedriveCandidate, now: number): string | undefined => {
  if (execution.status === 'RUNNING') return 'Execution is RUNNING and cannot be redriven.';
  if (execution.status === 'SUCCEEDED') return 'Execution is SUCCEEDED and cannot be redriven.';
  if (execution.startDate < REDRIVE_LAUNCH)
    return 'Execution was started before the launch of RedriveExecution.';
  // The ExecutionRedriven event and at least one more must fit under the 25,000.
  if (execution.eventCount >= MAX_HISTORY_EVENTS - 1) return 'Execution history event limit exceeded.';
  if (now >= execution.startDate + MAX_EXECUTION_MS) return 'Execution has exceeded the max execution time.';
  if (execution.stopDate !== undefined && now - execution.stopDate > REDRIVABLE_PERIOD_MS)
    return 'Execution redrivable period exceeded.';
  return undefined;
};

export interface RedrivePoint {
  /** The top-level state the redrive enters first. */
  readonly startAt: string;
  /** That state's input, as it entered it the last time. */
  readonly input: unknown;
}

interface PastEvent {
  readonly type: string;
  readonly [details: string]: unknown;
}

/**
 * Where a redrive continues: the last top-level state the previous run entered and did not leave
 * (the one that failed, was stopped or timed out), with the input it had; when the run stopped between
 * two states, the next one with the output of the last. A state inside a Parallel or Map is redriven by
 * running its top-level Parallel or Map again (AWS reruns only the branches or iterations that failed).
 */
export const redrivePoint = (
  events: readonly PastEvent[],
  definition: { StartAt: string; States: Record<string, { Next?: string }> },
  executionInput: unknown,
): RedrivePoint => {
  let runStart = 0;
  events.forEach((e, i) => {
    if (e.type === 'ExecutionStarted' || e.type === 'ExecutionRedriven') runStart = i;
  });
  let last: { name: string; input: unknown; exited?: unknown } | undefined;
  for (const event of events.slice(runStart)) {
    const entered = event.stateEnteredEventDetails as { name?: string; input?: string } | undefined;
    const exited = event.stateExitedEventDetails as { name?: string; output?: string } | undefined;
    if (
      event.type.endsWith('StateEntered') &&
      entered?.name &&
      Object.hasOwn(definition.States, entered.name)
    )
      last = { name: entered.name, input: JSON.parse(entered.input ?? 'null') };
    else if (event.type.endsWith('StateExited') && exited?.name && exited.name === last?.name)
      last = { ...last, exited: JSON.parse(exited.output ?? 'null') };
  }
  if (!last) return { startAt: definition.StartAt, input: executionInput };
  if (!('exited' in last)) return { startAt: last.name, input: last.input };
  const next = definition.States[last.name]?.Next;
  return next ? { startAt: next, input: last.exited } : { startAt: last.name, input: last.input };
};
