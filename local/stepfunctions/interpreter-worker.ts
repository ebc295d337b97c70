/**
 * The Step Functions interpreter worker: runs ASL definitions with aws-local-stepfunctions on virtual
 * time. It lives in its own thread because the interpreter reads the global clock (`Date`,
 * `setTimeout`), and faking those in the thread that serves HTTP and talks to DynamoDB would break
 * that thread's own timeouts. The main thread moves time with `advance` messages; the worker fires
 * its timers one instant at a time and lets every task in flight finish before the next instant.
 *
 * Everything that leaves the interpreter (calling a function, putting events, DynamoDB) is a `call`
 * message answered by the main thread; waiting for a person is a task token completed by a
 * `taskResult` message.
 */
import { randomBytes } from 'node:crypto';
import { setImmediate as realSetImmediate } from 'node:timers';
import { parentPort, workerData } from 'node:worker_threads';
import FakeTimers from '@sinonjs/fake-timers';
import { StateMachine } from 'aws-local-stepfunctions';
import {
  executionEndEvent,
  fromInterpreterEvent,
  isExecutionEnd,
  taskEvent,
  taskResourceOf,
} from './history.ts';
import {
  exceedsPayloadLimit,
  HISTORY_LIMIT_CAUSE,
  HISTORY_LIMIT_ERROR,
  MAX_HISTORY_EVENTS,
  parametersTooLargeCause,
  resultTooLargeCause,
  secondsFromPath,
} from './limits.ts';
import type { ExternalTimersRun, FromWorker, ServiceCall, TerminalStatus, ToWorker } from './protocol.ts';
import { failureOfAnswer, serviceCallOf, TaskError } from './service-bindings.ts';

// aws-local-stepfunctions 3.0.0 calls Promise.withResolvers, which Node 20 lacks.
const promiseWithResolvers = Promise as unknown as { withResolvers?: unknown };
if (typeof promiseWithResolvers.withResolvers !== 'function') {
  promiseWithResolvers.withResolvers = <T>() => {
    let resolve!: (value: T) => void;
    let reject!: (reason?: unknown) => void;
    const promise = new Promise<T>((res, rej) => {
      resolve = res;
      reject = rej;
    });
    return { promise, resolve, reject };
  };
}

const port = parentPort;
if (!port) throw new Error('interpreter-worker must run in a worker thread');
const post = (message: FromWorker): void => port.postMessage(message);

// ---- virtual time --------------------------------------------------------------------------------
const clock = FakeTimers.install({
  now: (workerData as { now: number }).now,
  toFake: ['setTimeout', 'clearTimeout', 'setInterval', 'clearInterval', 'Date'],
});

/**
 * Our own registry over the fake timers: it knows when the next one is due, and it splits delays
 * above 2^31-1 ms (24.8 days), which Node and fake timers alike would fire at once.
 */
const MAX_DELAY_MS = 2 ** 31 - 1;
interface VirtualTimer {
  readonly callAt: number;
  stepDue: number;
  inner: ReturnType<typeof setTimeout> | undefined;
}
const timers = new Set<VirtualTimer>();
const fakeSetTimeout = globalThis.setTimeout;
const fakeClearTimeout = globalThis.clearTimeout;

globalThis.setTimeout = ((fn: (...args: unknown[]) => void, ms?: number, ...args: unknown[]) => {
  const delay = typeof ms === 'number' && Number.isFinite(ms) && ms > 0 ? ms : 0;
  const timer: VirtualTimer = { callAt: clock.now + delay, stepDue: 0, inner: undefined };
  const arm = (): void => {
    const remaining = Math.max(0, timer.callAt - clock.now);
    const step = Math.min(remaining, MAX_DELAY_MS);
    timer.stepDue = clock.now + step;
    timer.inner = fakeSetTimeout(() => {
      if (step < remaining) return arm();
      timers.delete(timer);
      fn(...args);
    }, step);
  };
  timers.add(timer);
  arm();
  return timer;
}) as unknown as typeof setTimeout;

globalThis.clearTimeout = ((handle: unknown) => {
  const timer = handle as VirtualTimer;
  if (timers.has(timer)) {
    timers.delete(timer);
    fakeClearTimeout(timer.inner);
  }
}) as typeof clearTimeout;

const nextDue = (): number | undefined => {
  let next: number | undefined;
  for (const t of timers) if (next === undefined || t.stepDue < next) next = t.stepDue;
  return next;
};

// ---- calls to the main thread ----------------------------------------------------------------------
let nextCallId = 1;
const pendingCalls = new Map<number, { resolve: (v: unknown) => void; reject: (e: unknown) => void }>();
const inFlight = new Set<Promise<unknown>>();

/** Keeps `settle` waiting until `promise` is done. */
const track = <T>(promise: Promise<T>): Promise<T> => {
  const tracked = promise.finally(() => inFlight.delete(tracked));
  tracked.catch(() => undefined);
  inFlight.add(tracked);
  return promise;
};

const callMain = (call: ServiceCall): Promise<unknown> => {
  const id = nextCallId++;
  const promise = new Promise<unknown>((resolve, reject) => pendingCalls.set(id, { resolve, reject }));
  track(promise);
  post({ type: 'call', id, call });
  return promise;
};

const macrotask = (): Promise<void> => new Promise((resolve) => realSetImmediate(resolve));

/** Waits until no call is in flight and nothing is due now: the interpreter is waiting on time or people. */
const settle = async (): Promise<void> => {
  for (let rounds = 0; rounds < 100_000; rounds++) {
    if (inFlight.size > 0) {
      await Promise.allSettled([...inFlight]);
      continue;
    }
    await macrotask();
    await macrotask();
    const due = nextDue();
    if (due !== undefined && due <= clock.now) {
      clock.tick(0);
      continue;
    }
    if (inFlight.size === 0) return;
  }
  throw new Error('The interpreter did not settle (a task loop without waits?)');
};

/** A promise that never settles: what a task returns once its execution is over (nobody waits for it). */
const never = (): Promise<never> => new Promise<never>(() => undefined);

// ---- executions ------------------------------------------------------------------------------------
interface Execution {
  readonly arn: string;
  readonly runId: number;
  readonly stateMachineArn: string;
  abort: () => void;
  /** State names whose StateEntered the history already has (not yet exited). */
  readonly openStates: Set<string>;
  /** Task events produced before the interpreter's StateEntered reached the history. */
  readonly queued: Map<string, Record<string, unknown>[]>;
  /** Task states whose task was scheduled (TaskScheduled written) in their current attempt. */
  readonly started: Set<string>;
  /** Task states whose end event (succeeded / failed) was already written. */
  readonly ended: Set<string>;
  readonly tokens: Map<string, string>;
  /** Events in the execution's history, earlier runs included. */
  eventCount: number;
  /** The run's end event went out: nothing more is written, no task starts. */
  closed: boolean;
  /** How the run ends when the local stack ended it itself (a limit reached, StopExecution). */
  outcome?: { status: TerminalStatus; error?: string; cause?: string };
  deadlineTimer?: ReturnType<typeof setTimeout>;
}

const executions = new Map<string, Execution>();
/** Open callback tokens → how to complete them. */
const waitingTokens = new Map<
  string,
  {
    execution: Execution;
    stateName: string;
    resolve: (v: unknown) => void;
    reject: (e: unknown) => void;
    heartbeat?: () => void;
  }
>();

/** Closes the callback tokens of a state that is no longer waiting (timed out, caught, ended). */
const closeTokens = (execution: Execution, stateName: string | undefined, reason: 'timedOut' | 'ended') => {
  for (const [token, state] of execution.tokens) {
    if (stateName !== undefined && state !== stateName) continue;
    execution.tokens.delete(token);
    waitingTokens.delete(token);
    post({ type: 'tokenClosed', token, reason });
  }
};

const postEvent = (execution: Execution, event: Record<string, unknown>): void => {
  execution.eventCount += 1;
  if (isExecutionEnd(String(event.type))) execution.closed = true;
  post({ type: 'history', executionArn: execution.arn, runId: execution.runId, event: event as never });
};

/**
 * Ends the run here and now, as Step Functions does when a quota is reached: its end event is the last
 * one in the history, the interpreter is aborted, and its tasks do nothing more.
 */
const endRun = (
  execution: Execution,
  status: 'FAILED' | 'TIMED_OUT',
  details: { error: string; cause?: string },
): void => {
  if (execution.closed) return;
  postEvent(
    execution,
    executionEndEvent(status === 'FAILED' ? 'ExecutionFailed' : 'ExecutionTimedOut', Date.now(), details),
  );
  execution.outcome = { status, ...details };
  clearTimeout(execution.deadlineTimer);
  closeTokens(execution, undefined, 'ended');
  execution.abort();
};

/**
 * Writes one event to the history, unless the run is over. The event that would be the 25,000th is the
 * execution's failure instead (Step Functions' history quota).
 */
const emit = (execution: Execution, event: Record<string, unknown> | undefined): void => {
  if (!event || execution.closed) return;
  if (!isExecutionEnd(String(event.type)) && execution.eventCount + 1 >= MAX_HISTORY_EVENTS) {
    endRun(execution, 'FAILED', { error: HISTORY_LIMIT_ERROR, cause: HISTORY_LIMIT_CAUSE });
    return;
  }
  postEvent(execution, event);
};

/** Task events go out right away if their state is open in the history, else after its StateEntered. */
const emitTaskEvent = (execution: Execution, stateName: string, event: Record<string, unknown>): void => {
  if (execution.openStates.has(stateName)) {
    emit(execution, event);
    return;
  }
  const queue = execution.queued.get(stateName) ?? [];
  queue.push(event);
  execution.queued.set(stateName, queue);
};

interface TaskStateDefinition {
  readonly Type: 'Task';
  readonly Resource: string;
  readonly TimeoutSeconds?: number;
  readonly TimeoutSecondsPath?: string;
  readonly HeartbeatSeconds?: number;
  readonly HeartbeatSecondsPath?: string;
}

/** Every Task state, nested ones included (Parallel branches, Map processors). */
const collectTaskStates = (
  states: Record<string, unknown>,
  into = new Map<string, TaskStateDefinition>(),
) => {
  for (const [name, raw] of Object.entries(states)) {
    const state = raw as {
      Type: string;
      Branches?: { States: Record<string, unknown> }[];
      ItemProcessor?: { States: Record<string, unknown> };
      Iterator?: { States: Record<string, unknown> };
    };
    if (state.Type === 'Task') into.set(name, raw as TaskStateDefinition);
    for (const branch of state.Branches ?? []) collectTaskStates(branch.States, into);
    if (state.ItemProcessor) collectTaskStates(state.ItemProcessor.States, into);
    if (state.Iterator) collectTaskStates(state.Iterator.States, into);
  }
  return into;
};

const TOKEN_PREFIX = 'LOCALTOKEN';

/** Finds the task token the state's Parameters put somewhere in its input. */
const findToken = (value: unknown): string | undefined => {
  if (typeof value === 'string') return value.startsWith(TOKEN_PREFIX) ? value : undefined;
  if (value && typeof value === 'object') {
    for (const v of Object.values(value)) {
      const found = findToken(v);
      if (found) return found;
    }
  }
  return undefined;
};

/** What the patched interpreter tells a task override besides its input (local/stepfunctions/worker-bundle.ts). */
interface TaskCallInfo {
  readonly stateInput: unknown;
  readonly context: unknown;
}

/**
 * The seconds of a Task's timeout and heartbeat for this attempt. A path that names no positive integer
 * (or one over the States Language's maximum) fails the state with States.Runtime before anything is
 * scheduled: the execution fails, neither Retry nor Catch applies.
 */
const taskSeconds = (state: TaskStateDefinition, stateInput: unknown, context: unknown) => {
  const fromPath = (field: 'TimeoutSecondsPath' | 'HeartbeatSecondsPath', path: string | undefined) => {
    if (path === undefined) return undefined;
    const seconds = secondsFromPath(field, path, stateInput, context);
    if (!seconds.ok) throw new TaskError('States.Runtime', seconds.cause);
    return seconds.seconds;
  };
  return {
    timeout: state.TimeoutSeconds ?? fromPath('TimeoutSecondsPath', state.TimeoutSecondsPath),
    heartbeat: state.HeartbeatSeconds ?? fromPath('HeartbeatSecondsPath', state.HeartbeatSecondsPath),
  };
};

/** How a DataLimitExceeded cause names a task: the integration's service, or the function ARN. */
const resourceLabel = (resource: string): string =>
  resource.startsWith('arn:aws:states:::') ? taskResourceOf(resource).resourceType : resource;

const makeTaskOverride = (execution: Execution, stateName: string, state: TaskStateDefinition) => {
  const resource = taskResourceOf(state.Resource);
  const isCallback = state.Resource.endsWith('.waitForTaskToken');
  return async (input: unknown, info?: TaskCallInfo): Promise<unknown> => {
    // The interpreter runs on synchronously into the next state; let the history catch up first, so that
    // a run ended on the way (a quota, a stop) starts nothing more.
    await track(macrotask());
    if (execution.closed) return never();
    const seconds = taskSeconds(state, info?.stateInput ?? input, info?.context ?? {});
    if (exceedsPayloadLimit(input))
      throw new TaskError('States.DataLimitExceeded', parametersTooLargeCause(stateName));
    const startedAt = Date.now();
    execution.started.add(stateName);
    emitTaskEvent(
      execution,
      stateName,
      taskEvent('TaskScheduled', startedAt, resource, {
        region: 'local',
        parameters: JSON.stringify(input),
        ...(seconds.timeout ? { timeoutInSeconds: seconds.timeout } : {}),
        ...(seconds.heartbeat && isCallback ? { heartbeatInSeconds: seconds.heartbeat } : {}),
      }),
    );
    emitTaskEvent(execution, stateName, taskEvent('TaskStarted', startedAt, resource, {}));
    let heartbeatTimer: ReturnType<typeof setTimeout> | undefined;
    try {
      const call = serviceCallOf(state.Resource, input, {
        executionArn: execution.arn,
        stateMachineArn: execution.stateMachineArn,
      });
      let output: unknown;
      if (!isCallback) {
        const value = await callMain(call);
        if (execution.closed) return never();
        const failure = failureOfAnswer(call, value);
        if (failure) throw failure;
        output =
          call.service === 'lambda' ? { Payload: value, StatusCode: 200, ExecutedVersion: '$LATEST' } : value;
      } else {
        const token = findToken(input);
        if (!token)
          throw new TaskError(
            'States.Runtime',
            `${stateName} waits for a task token but its Parameters carry none`,
          );
        const result = new Promise<unknown>((resolve, reject) => {
          // HeartbeatSeconds: the task times out unless SendTaskHeartbeat (or the answer) comes in time.
          const heartbeat = seconds.heartbeat
            ? () => {
                clearTimeout(heartbeatTimer);
                heartbeatTimer = setTimeout(
                  () => reject(new TaskError('States.HeartbeatTimeout', '')),
                  (seconds.heartbeat ?? 0) * 1000,
                );
              }
            : undefined;
          heartbeat?.();
          waitingTokens.set(token, {
            execution,
            stateName,
            resolve,
            reject,
            ...(heartbeat ? { heartbeat } : {}),
          });
        });
        // A heartbeat timeout can come while the call is still in flight: it is awaited below.
        result.catch(() => undefined);
        execution.tokens.set(token, stateName);
        post({ type: 'tokenOpened', executionArn: execution.arn, runId: execution.runId, token, stateName });
        await callMain(call);
        if (execution.closed) return never();
        emitTaskEvent(
          execution,
          stateName,
          taskEvent('TaskSubmitted', Date.now(), resource, { output: '{}' }),
        );
        output = await result;
        if (execution.closed) return never();
      }
      if (exceedsPayloadLimit(output))
        throw new TaskError('States.DataLimitExceeded', resultTooLargeCause(resourceLabel(state.Resource)));
      emitTaskEvent(
        execution,
        stateName,
        taskEvent('TaskSucceeded', Date.now(), resource, { output: JSON.stringify(output) }),
      );
      execution.ended.add(stateName);
      return output;
    } catch (error) {
      if (execution.closed) return never();
      const name = error instanceof Error ? error.name : 'States.TaskFailed';
      const cause = error instanceof Error ? error.message : String(error);
      const timedOut = name === 'States.HeartbeatTimeout';
      emitTaskEvent(
        execution,
        stateName,
        taskEvent(timedOut ? 'TaskTimedOut' : 'TaskFailed', Date.now(), resource, { error: name, cause }),
      );
      execution.ended.add(stateName);
      if (timedOut) closeTokens(execution, stateName, 'timedOut');
      throw new TaskError(name, cause);
    } finally {
      clearTimeout(heartbeatTimer);
    }
  };
};

const recordHistory = async (
  execution: Execution,
  states: Map<string, TaskStateDefinition>,
  logs: AsyncIterable<unknown>,
) => {
  for await (const raw of logs) {
    if (execution.closed) continue;
    const event = raw as Parameters<typeof fromInterpreterEvent>[0];
    const stateName = event.state?.name;
    if (event.type === 'StateExited' && stateName && exceedsPayloadLimit(event.state?.output)) {
      // A state's output over 256 KiB fails the execution at the transition: no StateExited, no Catch.
      endRun(execution, 'FAILED', {
        error: 'States.DataLimitExceeded',
        cause: resultTooLargeCause(stateName),
      });
      continue;
    }
    if (
      event.type === 'StateFailed' &&
      stateName &&
      states.has(stateName) &&
      execution.started.has(stateName) &&
      !execution.ended.has(stateName)
    ) {
      // The interpreter failed the task itself: its timeout fired while the task was still waiting.
      const resource = taskResourceOf(states.get(stateName)?.Resource ?? '');
      const type = event.Error === 'States.Timeout' ? 'TaskTimedOut' : 'TaskFailed';
      emit(
        execution,
        taskEvent(type, event.timestamp, resource, { error: event.Error, cause: String(event.Cause ?? '') }),
      );
      closeTokens(execution, stateName, 'timedOut');
    }
    if (event.type === 'StateFailed' && stateName) {
      execution.ended.delete(stateName);
      execution.started.delete(stateName);
    }
    emit(execution, fromInterpreterEvent(event));
    if (event.type === 'StateEntered' && stateName) {
      execution.openStates.add(stateName);
      execution.ended.delete(stateName);
      execution.started.delete(stateName);
      for (const queued of execution.queued.get(stateName) ?? []) emit(execution, queued);
      execution.queued.delete(stateName);
    }
    if ((event.type === 'StateExited' || event.type === 'StateCaught') && stateName) {
      execution.openStates.delete(stateName);
    }
  }
};

const start = (message: Extract<ToWorker, { type: 'start' }>): void => {
  const parsed = JSON.parse(message.definition) as { StartAt: string; States: Record<string, unknown> };
  // A redrive enters the state that did not complete, with the input it had then.
  const definition = message.startAt ? { ...parsed, StartAt: message.startAt } : parsed;
  const taskStates = collectTaskStates(definition.States);
  // The definition was validated when the execution started; a redrive's StartAt leaves the states
  // before it unreachable, which the validator would refuse.
  const machine = new StateMachine(definition as never, {
    validationOptions: message.startAt ? { noValidate: true } : { checkArn: false, checkPaths: true },
  });
  let tokenCount = 0;
  let abortRun: (() => void) | undefined;
  const execution: Execution = {
    arn: message.executionArn,
    runId: message.runId,
    stateMachineArn: message.stateMachineArn,
    abort: () => abortRun?.(),
    openStates: new Set(),
    queued: new Map(),
    started: new Set(),
    ended: new Set(),
    tokens: new Map(),
    eventCount: message.priorEvents,
    closed: false,
  };
  const overrides: Record<string, (input: unknown, info?: TaskCallInfo) => Promise<unknown>> = {};
  for (const [name, state] of taskStates) overrides[name] = makeTaskOverride(execution, name, state);

  const name = message.executionArn.split(':').at(-1) ?? '';
  const context = {
    Execution: {
      Id: message.executionArn,
      Name: name,
      RoleArn: 'arn:aws:iam::000000000000:role/local-state-machine',
      Input: message.executionInput as never,
      StartTime: new Date(message.startTime).toISOString(),
    },
    StateMachine: { Id: message.stateMachineArn, Name: message.stateMachineArn.split(':').at(-1) },
    // `$$.Task.Token` is read once per Task when its Parameters are resolved: a fresh token each time.
    Task: {
      get Token(): string {
        tokenCount += 1;
        return `${TOKEN_PREFIX}.${Buffer.from(message.executionArn).toString('base64url')}.${tokenCount}.${randomBytes(12).toString('hex')}`;
      },
    },
  };

  const run = machine.run(message.input as never, {
    overrides: { taskResourceLocalHandlers: overrides as never },
    context,
    noThrowOnAbort: true,
  });
  abortRun = run.abort;
  const previous = executions.get(message.executionArn);
  if (previous) {
    previous.closed = true;
    previous.abort();
  }
  executions.set(message.executionArn, execution);
  // Standard workflows: one year after its start, an execution still open times out (States.Timeout).
  execution.deadlineTimer = setTimeout(
    () => endRun(execution, 'TIMED_OUT', { error: 'States.Timeout' }),
    Math.max(0, message.deadline - Date.now()),
  );
  const history = recordHistory(execution, taskStates, run.eventLogs as AsyncIterable<unknown>);

  const finish = (natural: { status: TerminalStatus; output?: unknown; error?: string; cause?: string }) => {
    clearTimeout(execution.deadlineTimer);
    closeTokens(execution, undefined, 'ended');
    if (executions.get(message.executionArn) === execution) executions.delete(message.executionArn);
    post({
      type: 'ended',
      executionArn: message.executionArn,
      runId: message.runId,
      ...(execution.outcome ?? natural),
      at: Date.now(),
    });
  };
  void run.result.then(
    async (output) => {
      await history;
      finish({ status: 'SUCCEEDED', output });
    },
    async (error: unknown) => {
      await history;
      const cause = (error as { cause?: Error })?.cause;
      finish(
        (error as Error)?.name === 'ExecutionTimeoutError'
          ? { status: 'TIMED_OUT' }
          : {
              status: 'FAILED',
              error: cause?.name ?? (error as Error)?.name,
              cause: cause?.message ?? (error as Error)?.message,
            },
      );
    },
  );
};

/** StopExecution: the main thread already recorded the abort; the run stops, and writes nothing more. */
const stop = (message: Extract<ToWorker, { type: 'stop' }>): void => {
  const execution = executions.get(message.executionArn);
  if (!execution || execution.runId !== message.runId) return;
  execution.closed = true;
  execution.outcome = { status: 'ABORTED' };
  clearTimeout(execution.deadlineTimer);
  closeTokens(execution, undefined, 'ended');
  execution.abort();
};

// ---- the main thread's timers ---------------------------------------------------------------------
let nextTimersRunId = 1;
const pendingTimersRuns = new Map<number, (result: ExternalTimersRun) => void>();

/**
 * Asks the main thread to run its timers due at the current instant (EventBridge Scheduler's
 * schedules, the bus deliveries before and after them) and waits for it. Meanwhile this thread keeps
 * serving messages: a schedule's target may start executions or complete task tokens, and their
 * service calls go to the main thread, which is free (it awaits the target, not this thread).
 */
const runMainTimers = (): Promise<ExternalTimersRun> => {
  const id = nextTimersRunId++;
  const result = new Promise<ExternalTimersRun>((resolve) => pendingTimersRuns.set(id, resolve));
  post({ type: 'runTimers', id, now: clock.now });
  return result;
};

/**
 * Runs the main thread's timers at the current instant until nothing more happens there, settling
 * what each run set going here (an execution started by a schedule's target may put events whose
 * consumers create schedules due now). Resolves with the main thread's next due instant.
 */
const runMainTimersUntilQuiet = async (): Promise<number | undefined> => {
  let result: ExternalTimersRun = { active: false };
  for (let rounds = 0; rounds < 10_000; rounds++) {
    result = await runMainTimers();
    await settle();
    if (!result.active) return result.next;
  }
  console.error('The local timers kept firing at one instant; moving on');
  return result.next;
};

/**
 * Moves virtual time to `target` one due instant at a time, the interpreter's timers and the main
 * thread's in one order: at each instant the main thread first runs its due timers, then time steps
 * to the earlier of both next instants (a schedule created on the way is seen at the next step).
 */
const advance = async (id: number, target: number): Promise<void> => {
  await settle();
  for (let steps = 0; steps < 1_000_000; steps++) {
    const external = await runMainTimersUntilQuiet();
    const internal = nextDue();
    const due =
      internal === undefined ? external : external === undefined ? internal : Math.min(internal, external);
    if (due === undefined || due > target) break;
    if (due > clock.now) post({ type: 'now', now: due });
    clock.tick(Math.max(0, due - clock.now));
    await settle();
  }
  if (target > clock.now) {
    post({ type: 'now', now: target });
    clock.tick(target - clock.now);
  }
  await settle();
  post({ type: 'advanced', id, now: clock.now });
};

// Advances are handled one at a time, so that two never interleave.
let advancing: Promise<void> = Promise.resolve();
let dueCheckScheduled = false;

/** A start or a task result may leave a timer due right now (a Wait in the past): fire it soon. */
const scheduleDueCheck = (): void => {
  if (dueCheckScheduled) return;
  dueCheckScheduled = true;
  realSetImmediate(() => {
    dueCheckScheduled = false;
    advancing = advancing.then(async () => {
      const due = nextDue();
      if (due !== undefined && due <= clock.now) {
        clock.tick(0);
        await settle();
      }
    });
  });
};

port.on('message', (message: ToWorker) => {
  switch (message.type) {
    case 'callResult': {
      const pending = pendingCalls.get(message.id);
      pendingCalls.delete(message.id);
      if (message.ok) pending?.resolve(message.value);
      else pending?.reject(new TaskError(message.error, message.cause));
      return;
    }
    case 'taskResult': {
      const waiting = waitingTokens.get(message.token);
      if (!waiting) return;
      waitingTokens.delete(message.token);
      waiting.execution.tokens.delete(message.token);
      post({ type: 'tokenClosed', token: message.token, reason: 'completed' });
      if (message.ok) waiting.resolve(message.output);
      else waiting.reject(new TaskError(message.error, message.cause));
      scheduleDueCheck();
      return;
    }
    case 'heartbeat':
      waitingTokens.get(message.token)?.heartbeat?.();
      return;
    case 'start':
      try {
        start(message);
      } catch (error) {
        // A definition the interpreter refuses fails its execution, not the worker.
        const cause = error instanceof Error ? error.message : String(error);
        post({
          type: 'ended',
          executionArn: message.executionArn,
          runId: message.runId,
          status: 'FAILED',
          error: 'States.Runtime',
          cause,
          at: Date.now(),
        });
      }
      scheduleDueCheck();
      return;
    case 'stop':
      stop(message);
      scheduleDueCheck();
      return;
    case 'advance':
      advancing = advancing.then(() => advance(message.id, message.target));
      return;
    case 'timersRun': {
      const resolve = pendingTimersRuns.get(message.id);
      pendingTimersRuns.delete(message.id);
      resolve?.({ active: message.active, ...(message.next !== undefined ? { next: message.next } : {}) });
      return;
    }
  }
});

post({ type: 'ready', now: clock.now });
