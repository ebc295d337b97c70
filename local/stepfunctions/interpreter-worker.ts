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
import { fromInterpreterEvent, taskEvent, taskResourceOf } from './history.ts';
import type { ExternalTimersRun, FromWorker, ServiceCall, ToWorker } from './protocol.ts';
import { serviceCallOf, TaskError } from './service-bindings.ts';

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

const callMain = (call: ServiceCall): Promise<unknown> => {
  const id = nextCallId++;
  const promise = new Promise<unknown>((resolve, reject) => pendingCalls.set(id, { resolve, reject }));
  const tracked = promise.finally(() => inFlight.delete(tracked));
  tracked.catch(() => undefined);
  inFlight.add(tracked);
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

// ---- executions ------------------------------------------------------------------------------------
interface Execution {
  readonly arn: string;
  readonly abort: () => void;
  /** State names whose StateEntered the history already has (not yet exited). */
  readonly openStates: Set<string>;
  /** Task events produced before the interpreter's StateEntered reached the history. */
  readonly queued: Map<string, Record<string, unknown>[]>;
  /** Task states whose end event (succeeded / failed) was already written. */
  readonly ended: Set<string>;
  readonly tokens: Map<string, string>;
}

const executions = new Map<string, Execution>();
/** Executions stopped on request (StopExecution), reported as ABORTED rather than SUCCEEDED. */
const aborted = new Set<string>();
/** Open callback tokens → how to complete them. */
const waitingTokens = new Map<
  string,
  { execution: Execution; stateName: string; resolve: (v: unknown) => void; reject: (e: unknown) => void }
>();

const emit = (execution: Execution, event: Record<string, unknown> | undefined): void => {
  if (event) post({ type: 'history', executionArn: execution.arn, event: event as never });
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

const makeTaskOverride = (execution: Execution, stateName: string, state: TaskStateDefinition) => {
  const resource = taskResourceOf(state.Resource);
  const isCallback = state.Resource.endsWith('.waitForTaskToken');
  return async (input: unknown): Promise<unknown> => {
    const startedAt = Date.now();
    emitTaskEvent(
      execution,
      stateName,
      taskEvent('TaskScheduled', startedAt, resource, {
        region: 'local',
        parameters: JSON.stringify(input),
        ...(state.TimeoutSeconds ? { timeoutInSeconds: state.TimeoutSeconds } : {}),
      }),
    );
    emitTaskEvent(execution, stateName, taskEvent('TaskStarted', startedAt, resource, {}));
    try {
      const call = serviceCallOf(state.Resource, input);
      if (!isCallback) {
        const value = await callMain(call);
        const output =
          call.service === 'lambda' ? { Payload: value, StatusCode: 200, ExecutedVersion: '$LATEST' } : value;
        emitTaskEvent(
          execution,
          stateName,
          taskEvent('TaskSucceeded', Date.now(), resource, { output: JSON.stringify(output) }),
        );
        execution.ended.add(stateName);
        return output;
      }
      const token = findToken(input);
      if (!token)
        throw new TaskError(
          'States.Runtime',
          `${stateName} waits for a task token but its Parameters carry none`,
        );
      const result = new Promise<unknown>((resolve, reject) =>
        waitingTokens.set(token, { execution, stateName, resolve, reject }),
      );
      execution.tokens.set(token, stateName);
      post({ type: 'tokenOpened', executionArn: execution.arn, token, stateName });
      await callMain(call);
      emitTaskEvent(execution, stateName, taskEvent('TaskSubmitted', Date.now(), resource, { output: '{}' }));
      const output = await result;
      emitTaskEvent(
        execution,
        stateName,
        taskEvent('TaskSucceeded', Date.now(), resource, { output: JSON.stringify(output) }),
      );
      execution.ended.add(stateName);
      return output;
    } catch (error) {
      const name = error instanceof Error ? error.name : 'States.TaskFailed';
      const cause = error instanceof Error ? error.message : String(error);
      emitTaskEvent(
        execution,
        stateName,
        taskEvent('TaskFailed', Date.now(), resource, { error: name, cause }),
      );
      execution.ended.add(stateName);
      throw new TaskError(name, cause);
    }
  };
};

/** Closes the callback tokens of a state that is no longer waiting (timed out, caught, ended). */
const closeTokens = (execution: Execution, stateName: string | undefined, reason: 'timedOut' | 'ended') => {
  for (const [token, state] of execution.tokens) {
    if (stateName !== undefined && state !== stateName) continue;
    execution.tokens.delete(token);
    waitingTokens.delete(token);
    post({ type: 'tokenClosed', token, reason });
  }
};

const recordHistory = async (
  execution: Execution,
  states: Map<string, TaskStateDefinition>,
  logs: AsyncIterable<unknown>,
) => {
  for await (const raw of logs) {
    const event = raw as Parameters<typeof fromInterpreterEvent>[0];
    const stateName = event.state?.name;
    if (
      event.type === 'StateFailed' &&
      stateName &&
      states.has(stateName) &&
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
    if (event.type === 'StateFailed' && stateName) execution.ended.delete(stateName);
    emit(execution, fromInterpreterEvent(event));
    if (event.type === 'StateEntered' && stateName) {
      execution.openStates.add(stateName);
      execution.ended.delete(stateName);
      for (const queued of execution.queued.get(stateName) ?? []) emit(execution, queued);
      execution.queued.delete(stateName);
    }
    if ((event.type === 'StateExited' || event.type === 'StateCaught') && stateName) {
      execution.openStates.delete(stateName);
    }
  }
};

const start = (message: Extract<ToWorker, { type: 'start' }>): void => {
  const definition = JSON.parse(message.definition) as { States: Record<string, unknown> };
  const taskStates = collectTaskStates(definition.States);
  const machine = new StateMachine(definition as never, {
    validationOptions: { checkArn: false, checkPaths: true },
  });
  let tokenCount = 0;
  const execution: Execution = {
    arn: message.executionArn,
    abort: () => undefined,
    openStates: new Set(),
    queued: new Map(),
    ended: new Set(),
    tokens: new Map(),
  };
  const overrides: Record<string, (input: unknown) => Promise<unknown>> = {};
  for (const [name, state] of taskStates) overrides[name] = makeTaskOverride(execution, name, state);

  const name = message.executionArn.split(':').at(-1) ?? '';
  const context = {
    Execution: {
      Id: message.executionArn,
      Name: name,
      RoleArn: 'arn:aws:iam::000000000000:role/local-state-machine',
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
  const running: Execution = { ...execution, abort: run.abort };
  executions.set(message.executionArn, running);
  const history = recordHistory(execution, taskStates, run.eventLogs as AsyncIterable<unknown>);

  const tracked = run.result.then(
    async (output) => {
      await history;
      closeTokens(execution, undefined, 'ended');
      executions.delete(message.executionArn);
      post(
        aborted.delete(message.executionArn)
          ? { type: 'ended', executionArn: message.executionArn, status: 'ABORTED', at: Date.now() }
          : {
              type: 'ended',
              executionArn: message.executionArn,
              status: 'SUCCEEDED',
              output,
              at: Date.now(),
            },
      );
    },
    async (error: unknown) => {
      await history;
      closeTokens(execution, undefined, 'ended');
      executions.delete(message.executionArn);
      const cause = (error as { cause?: Error })?.cause;
      post({
        type: 'ended',
        executionArn: message.executionArn,
        status: (error as Error)?.name === 'ExecutionTimeoutError' ? 'TIMED_OUT' : 'FAILED',
        error: cause?.name ?? (error as Error)?.name,
        cause: cause?.message ?? (error as Error)?.message,
        at: Date.now(),
      });
    },
  );
  void tracked;
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
    case 'start':
      start(message);
      scheduleDueCheck();
      return;
    case 'stop':
      if (executions.has(message.executionArn)) aborted.add(message.executionArn);
      executions.get(message.executionArn)?.abort();
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
