import { randomUUID } from 'node:crypto';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Context } from 'aws-lambda';
import { type FunctionName, lambdaFunctions } from '#wiring/wiring.ts';
import type { FaultInjector } from './fault-injection.ts';

/**
 * Runs the very handler modules CDK bundles, in this process, with a Lambda-like context. Modules are
 * imported on first use, after the local stack has set the environment they read at load time.
 */
type Handler = (event: unknown, context: Context) => Promise<unknown>;

export const LOCAL_ACCOUNT = '000000000000';
export const LOCAL_REGION = 'local';
export const localFunctionName = (name: FunctionName): string => `hotline-${name}`;
export const localFunctionArn = (name: FunctionName): string =>
  `arn:aws:lambda:${LOCAL_REGION}:${LOCAL_ACCOUNT}:function:${localFunctionName(name)}`;

export class LocalLambdaRuntime {
  private readonly loaded = new Map<FunctionName, Promise<Handler>>();

  constructor(
    private readonly repoRoot: string,
    /** Chaos for tests: some invocations fail as Lambda's do (local/fault-injection.ts). */
    private readonly faults?: FaultInjector,
  ) {}

  /** Accepts a function name from wiring, its local name (`hotline-x`) or its local ARN. */
  resolveName(nameOrArn: string): FunctionName {
    const last = nameOrArn.split(':function:').at(-1) ?? nameOrArn;
    const bare = last.split(':')[0]?.replace(/^hotline-/, '') ?? '';
    if (!(bare in lambdaFunctions))
      throw Object.assign(new Error(`Function not found: ${nameOrArn}`), {
        name: 'ResourceNotFoundException',
      });
    return bare as FunctionName;
  }

  async invoke(nameOrArn: string, event: unknown): Promise<unknown> {
    const name = this.resolveName(nameOrArn);
    const handler = await this.load(name);
    const deadline =
      Date.now() +
      ('timeoutSeconds' in lambdaFunctions[name] ? Number(lambdaFunctions[name].timeoutSeconds) : 10) * 1000;
    const context = {
      callbackWaitsForEmptyEventLoop: false,
      functionName: localFunctionName(name),
      functionVersion: '$LATEST',
      invokedFunctionArn: localFunctionArn(name),
      memoryLimitInMB: '512',
      awsRequestId: randomUUID(),
      logGroupName: `/aws/lambda/${localFunctionName(name)}`,
      logStreamName: 'local',
      getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
      done: () => undefined,
      fail: () => undefined,
      succeed: () => undefined,
    } satisfies Context;
    const run = () => handler(structuredClone(event), context);
    return this.faults ? this.faults.invoke(name, run) : run();
  }

  private load(name: FunctionName): Promise<Handler> {
    let loading = this.loaded.get(name);
    if (!loading) {
      const url = pathToFileURL(resolve(this.repoRoot, lambdaFunctions[name].entry)).href;
      loading = import(url).then((module: { handler?: Handler }) => {
        if (typeof module.handler !== 'function')
          throw new Error(`${lambdaFunctions[name].entry} exports no handler`);
        return module.handler;
      });
      this.loaded.set(name, loading);
    }
    return loading;
  }
}
