import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { stateMachines } from '#wiring/wiring.ts';
import { repoRoot } from '../../../infra/repo-root.ts';

/**
 * The lifecycle's catch-all, run on the interpreter the local stack uses (aws-local-stepfunctions) with
 * the tasks replaced: which states an execution enters when a task fails past its retries, when it is
 * redriven, and that the happy path enters none of them.
 */
interface AslState {
  readonly Type: string;
  readonly Next?: string;
  readonly Parameters?: { readonly FunctionName?: string; readonly Payload?: Record<string, unknown> };
  readonly Retry?: readonly { readonly ErrorEquals: readonly string[]; readonly MaxAttempts?: number }[];
  readonly Catch?: readonly { readonly ErrorEquals: readonly string[]; readonly Next: string }[];
}
const definition = JSON.parse(readFileSync(join(repoRoot, stateMachines.workOrder.file), 'utf8')) as {
  StartAt: string;
  States: Record<string, AslState>;
};
// biome-ignore lint/suspicious/noTemplateCurlyInString: an ASL placeholder (CDK substitutes it), not a template.
const FAILURE_FUNCTION = '${LifecycleFailureFunctionArn}';
const failureTasks = Object.entries(definition.States).filter(
  ([, state]) => state.Parameters?.FunctionName === FAILURE_FUNCTION,
);
const workTasks = Object.entries(definition.States).filter(
  ([name, state]) => state.Type === 'Task' && !failureTasks.some(([failed]) => failed === name),
);

type Handler = (input: unknown) => Promise<unknown>;
let StateMachine: typeof import('aws-local-stepfunctions')['StateMachine'];

beforeAll(async () => {
  // aws-local-stepfunctions 3.0.0 calls Promise.withResolvers, which Node 20 lacks (as in the worker).
  const promise = Promise as unknown as { withResolvers?: unknown };
  promise.withResolvers ??= () => {
    let resolve: unknown;
    let reject: unknown;
    const p = new Promise((a, b) => {
      resolve = a;
      reject = b;
    });
    return { promise: p, resolve, reject };
  };
  ({ StateMachine } = await import('aws-local-stepfunctions'));
});

/** A Lambda task's error, as the local stack's worker raises it (a name the ASL's Retry and Catch read). */
class TaskError extends Error {
  readonly isRetryable = true;
  readonly isCatchable = true;
  constructor(name: string, cause: string) {
    super(cause);
    this.name = name;
  }
}

const lambdaResult = (payload: unknown) => ({ Payload: payload, StatusCode: 200 });

/** Runs the lifecycle with `handlers` in place of its tasks; resolves with the states entered and how it ended. */
const runLifecycle = async (handlers: Record<string, Handler>) => {
  const machine = new StateMachine(structuredClone(definition) as never, {
    validationOptions: { checkArn: false, checkPaths: false },
  });
  const run = machine.run({ orderId: 'WO1' } as never, {
    overrides: {
      taskResourceLocalHandlers: handlers as never,
      retryIntervalOverrides: Object.fromEntries(Object.keys(definition.States).map((name) => [name, 0])),
    },
    context: { Execution: { Id: 'arn:aws:states:local:000000000000:execution:hotline-workOrder:WO1' } },
  });
  const entered: string[] = [];
  const logs = (async () => {
    for await (const event of run.eventLogs as AsyncIterable<{ type: string; state?: { name: string } }>)
      if (event.type === 'StateEntered' && event.state) entered.push(event.state.name);
  })();
  const outcome = await run.result.then(
    (output: unknown) => ({ status: 'SUCCEEDED', output }),
    (error: { cause?: Error }) => ({ status: 'FAILED', error: error.cause?.name }),
  );
  await logs;
  return { entered, ...outcome };
};

const closing: Record<string, Handler> = {
  DispatchByCatalogue: async () => lambdaResult({ step: 'close', timeoutSeconds: 0, version: 2 }),
  CloseOrder: async () => lambdaResult({ detail: { orderId: 'WO1' } }),
  PublishClosed: async () => ({ Entries: [{ EventId: 'e-1' }], FailedEntryCount: 0 }),
};

describe('the work-order lifecycle when a task fails past its retries', () => {
  it('gives every task a catch-all, last, into its own failure task, which runs that task again when redriven', () => {
    // Assess
    expect(workTasks.length).toBeGreaterThan(0);
    for (const [name, state] of workTasks) {
      const last = state.Catch?.at(-1);
      expect(last, name).toEqual({
        ErrorEquals: ['States.ALL'],
        ResultPath: '$.failure',
        Next: `${name}Failed`,
      });
      const failed = definition.States[`${name}Failed`];
      expect(failed?.Parameters?.Payload, name).toMatchObject({ state: name });
      expect(failed?.Next, name).toBe(name);
      // LifecycleFailed ends the execution there; anything else (the recording failed) is retried.
      expect(failed?.Retry?.[0], name).toEqual({ ErrorEquals: ['LifecycleFailed'], MaxAttempts: 0 });
      expect(failed?.Catch, name).toBeUndefined();
    }
  });

  it('enters no failure state on the happy path', async () => {
    // Act
    const run = await runLifecycle(closing);

    // Assess
    expect(run.status).toBe('SUCCEEDED');
    expect(run.entered).toEqual(['DispatchByCatalogue', 'NextStep', 'CloseOrder', 'PublishClosed']);
  });

  it('fails the execution in the failure task, with LifecycleFailed, after handing it the state and the error', async () => {
    // Prepare
    const reports: unknown[] = [];

    // Act
    const run = await runLifecycle({
      ...closing,
      CloseOrder: async () => {
        throw new TaskError('ConditionalCheckFailedException', 'The conditional request failed');
      },
      CloseOrderFailed: async (input) => {
        reports.push(input);
        throw new TaskError('LifecycleFailed', 'CloseOrder failed; recorded on the order.');
      },
    });

    // Assess
    expect(run).toMatchObject({ status: 'FAILED', error: 'LifecycleFailed' });
    expect(run.entered).toEqual(['DispatchByCatalogue', 'NextStep', 'CloseOrder', 'CloseOrderFailed']);
    expect(reports).toEqual([
      {
        FunctionName: FAILURE_FUNCTION,
        Payload: {
          orderId: 'WO1',
          executionArn: 'arn:aws:states:local:000000000000:execution:hotline-workOrder:WO1',
          state: 'CloseOrder',
          failure: { Error: 'ConditionalCheckFailedException', Cause: 'The conditional request failed' },
        },
      },
    ]);
  });

  it('retries the failure task when the recording itself fails, and fails with its error when that lasts', async () => {
    // Prepare
    let attempts = 0;

    // Act
    const run = await runLifecycle({
      ...closing,
      PublishClosed: async () => {
        throw new TaskError('EventBridge.FailedEntry', 'PutEvents refused the entry');
      },
      PublishClosedFailed: async () => {
        attempts += 1;
        throw new TaskError('ProvisionedThroughputExceededException', 'Rate exceeded');
      },
    });

    // Assess
    expect(run).toMatchObject({ status: 'FAILED', error: 'ProvisionedThroughputExceededException' });
    expect(attempts).toBe(1 + 3);
  });

  it('runs the failed task again and carries on when the failure task returns (a redriven execution)', async () => {
    // Prepare
    let dispatches = 0;

    // Act
    const run = await runLifecycle({
      ...closing,
      DispatchByCatalogue: async () => {
        dispatches += 1;
        // A function error: retried 3 times (States.TaskFailed), then the catch-all.
        if (dispatches <= 4) throw new TaskError('HotlineError', 'No catalogue version to route by');
        return lambdaResult({ step: 'close', timeoutSeconds: 0, version: 3 });
      },
      DispatchByCatalogueFailed: async () => lambdaResult({ resumed: true }),
    });

    // Assess
    expect(run.status).toBe('SUCCEEDED');
    expect(dispatches).toBe(1 + 3 + 1);
    expect(run.entered).toEqual([
      'DispatchByCatalogue',
      'DispatchByCatalogueFailed',
      'DispatchByCatalogue',
      'NextStep',
      'CloseOrder',
      'PublishClosed',
    ]);
  });
});
