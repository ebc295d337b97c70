import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LocalClock } from '../../../local/clock.ts';
import type { ServiceCall } from '../../../local/stepfunctions/protocol.ts';
import { LocalStepFunctions } from '../../../local/stepfunctions/service.ts';
import { bundleInterpreterWorker } from '../../../local/stepfunctions/worker-bundle.ts';

/**
 * The local Step Functions service on the real interpreter worker, bundled as the stack bundles it
 * (patched), with small state machines of the test's own and a fake for every service call.
 */
export const T0 = Date.parse('2026-12-01T01:00:00Z');
export const SECOND = 1000;
export const DAY = 86_400_000;
export const machineArn = (name: string) => `arn:aws:states:local:000000000000:stateMachine:${name}`;
export const executionArn = (machine: string, name: string) =>
  `arn:aws:states:local:000000000000:execution:${machine}:${name}`;

export const bundleWorker = async (): Promise<{ workerFile: string; cleanup: () => void }> => {
  const dir = mkdtempSync(join(tmpdir(), 'hotline-sfn-worker-'));
  const workerFile = join(dir, 'interpreter-worker.mjs');
  await bundleInterpreterWorker(workerFile);
  return { workerFile, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
};

export interface Sfn {
  readonly service: LocalStepFunctions;
  readonly clock: LocalClock;
  readonly calls: ServiceCall[];
  /** Starts an execution of `machine` named `name` and returns its ARN. */
  start(machine: string, name: string, input?: unknown): string;
  /** Moves the stack's clock (and the interpreter) by `ms`. */
  advance(ms: number): Promise<void>;
  /** The history's event types, oldest first. */
  types(arn: string): string[];
  events(arn: string): Record<string, unknown>[];
  close(): Promise<void>;
}

export const startSfn = async (options: {
  workerFile: string;
  machines: Record<string, unknown>;
  /** Answers a Task's service call (default: `{}`). */
  call?: (call: ServiceCall) => Promise<unknown> | unknown;
}): Promise<Sfn> => {
  const clock = new LocalClock({ mode: 'manual', now: T0 });
  const calls: ServiceCall[] = [];
  const service = await LocalStepFunctions.start({
    workerFile: options.workerFile,
    stateMachines: Object.entries(options.machines).map(([name, definition]) => ({
      arn: machineArn(name),
      name,
      definition: JSON.stringify(definition),
    })),
    now: () => clock.now(),
    onTime: (ms) => clock.moveTo(ms),
    call: async (call) => {
      calls.push(call);
      return options.call ? options.call(call) : {};
    },
  });
  const events = (arn: string): Record<string, unknown>[] => {
    const all: Record<string, unknown>[] = [];
    let nextToken: string | undefined;
    do {
      const page = service.getExecutionHistory({ executionArn: arn, maxResults: 1000, nextToken });
      all.push(...(page.events as Record<string, unknown>[]));
      nextToken = page.nextToken;
    } while (nextToken);
    return all;
  };
  return {
    service,
    clock,
    calls,
    start: (machine, name, input = {}) =>
      service.startExecution({ stateMachineArn: machineArn(machine), name, input: JSON.stringify(input) })
        .executionArn,
    advance: async (ms) => {
      const target = clock.now() + ms;
      await service.advanceTo(target);
      clock.moveTo(target);
    },
    types: (arn) => events(arn).map((e) => String(e.type)),
    events,
    close: () => service.close(),
  };
};

/** A Lambda Task (`lambda:invoke`) calling `functionName` with the state's input. */
export const lambdaTask = (functionName: string, rest: Record<string, unknown>) => ({
  Type: 'Task',
  Resource: 'arn:aws:states:::lambda:invoke',
  Parameters: { FunctionName: functionName, 'Payload.$': '$' },
  ...rest,
});

/** A Task that waits for a person: the call carries the task token in its payload. */
export const callbackTask = (functionName: string, rest: Record<string, unknown>) => ({
  Type: 'Task',
  Resource: 'arn:aws:states:::lambda:invoke.waitForTaskToken',
  Parameters: { FunctionName: functionName, Payload: { 'token.$': '$$.Task.Token' } },
  ...rest,
});

/** The task token of the last callback call made to `functionName`. */
export const tokenOf = (calls: readonly ServiceCall[], functionName: string): string => {
  const call = calls.filter((c) => c.service === 'lambda' && c.functionName === functionName).at(-1);
  const token = (call as { payload?: { token?: string } } | undefined)?.payload?.token;
  if (!token) throw new Error(`No callback call to ${functionName}`);
  return token;
};

/** Waits until the predicate holds on the service (the worker answers asynchronously). */
export const until = async (what: string, predicate: () => boolean): Promise<void> => {
  const deadline = Date.now() + 20_000;
  while (Date.now() < deadline) {
    if (predicate()) return;
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
  throw new Error(`Timed out waiting for ${what}`);
};
