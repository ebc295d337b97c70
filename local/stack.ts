import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import {
  DeleteItemCommand,
  GetItemCommand,
  PutItemCommand,
  UpdateItemCommand,
} from '@aws-sdk/client-dynamodb';
import { build, type Plugin } from 'esbuild';
import { useClockSource } from '../functions/shared/clock.ts';
import {
  aslSubstitutions,
  busRules,
  callbackSchedules,
  envNames,
  lambdaFunctions,
  stateMachines,
} from '../infra/wiring.ts';
import { serveApiRequest } from './api-gateway.ts';
import { readBody, startAwsEndpoint } from './aws-endpoint.ts';
import { type ClockMode, LocalClock, parseIsoDuration } from './clock.ts';
import { ensureOutboxTable, ensureTable, type RunningDynamo, startDynamoDbLocal } from './dynamodb-local.ts';
import { type BusEvent, LocalEventBus } from './event-bus.ts';
import { parseEventPattern } from './eventbridge/event-pattern.ts';
import { LOCAL_ACCOUNT, LOCAL_REGION, LocalLambdaRuntime, localFunctionArn } from './lambda-runtime.ts';
import { type LocalKeys, loadOrCreateKeys } from './local-auth.ts';
import { defaultLocalDir, repoRoot } from './paths.ts';
import { LocalScheduler, schedulerTimers } from './scheduler.ts';
import type { ServiceCall } from './stepfunctions/protocol.ts';
import { LocalStepFunctions } from './stepfunctions/service.ts';

/**
 * The whole system on one machine: DynamoDB Local, the ASL files on the interpreter worker, the local
 * bus, the handlers behind a local HTTP API, and one clock for all of them.
 */
export { defaultLocalDir, repoRoot };

export const LOCAL_TABLE = 'hotline-local';
export const LOCAL_BUS = 'hotline-local';
export const LOCAL_OUTBOX_TABLE = 'hotline-local-outbox';

export interface LocalStackOptions {
  readonly port?: number;
  /** Root of the local folder: data/ (orders, executions, clock) and keys/ (JWT signing key). */
  readonly localDir?: string;
  /** Start with empty data (the signing key is kept, so existing tokens stay valid). */
  readonly fresh?: boolean;
  readonly clock?: { readonly mode: ClockMode; readonly scale?: number; readonly startAt?: number };
  readonly logLevel?: string;
}

export interface LocalStack {
  readonly url: string;
  readonly awsEndpoint: string;
  readonly dynamoEndpoint: string;
  readonly clock: LocalClock;
  readonly keys: LocalKeys;
  readonly stepFunctions: LocalStepFunctions;
  readonly bus: LocalEventBus;
  /** EventBridge Scheduler: the one-time schedules, fired on the stack clock. */
  readonly scheduler: LocalScheduler;
  readonly dataDir: string;
  readonly stateMachineArns: Readonly<Record<string, string>>;
  /** Moves time to `target`, letting every wait and timeout due on the way run first. */
  moveTime(target: number): Promise<void>;
  /** Prints one line per API request (like API Gateway's access log), or stops printing. */
  setAccessLog(enabled: boolean): void;
  stop(): Promise<void>;
}

/** What each `${Placeholder}` of the ASL files is bound to locally (CDK binds the same names to real ARNs). */
export const localSubstitutions = (): Record<string, string> =>
  Object.fromEntries(
    Object.entries(aslSubstitutions).map(([placeholder, target]) => {
      switch (target.kind) {
        case 'lambdaArn':
          return [placeholder, localFunctionArn(target.function)];
        case 'eventBusName':
          return [placeholder, LOCAL_BUS];
        case 'tableName':
          return [placeholder, LOCAL_TABLE];
        case 'literal':
          return [placeholder, target.value];
      }
      throw new Error(`No local binding for ${placeholder}`);
    }),
  );

/** Substitutes every `${X}`; a placeholder without a binding is an error, never left in place. */
export const substitute = (definition: string, bindings: Record<string, string>): string =>
  definition.replace(/\$\{([A-Za-z0-9_]+)\}/g, (_m, name: string) => {
    const value = bindings[name];
    if (value === undefined) throw new Error(`ASL placeholder \${${name}} has no local binding`);
    return value;
  });

const localStateMachineArn = (name: string) =>
  `arn:aws:states:${LOCAL_REGION}:${LOCAL_ACCOUNT}:stateMachine:hotline-${name}`;

/**
 * aws-local-stepfunctions 3.0.0 evaluates a Task's TimeoutSecondsPath against the input *after*
 * Parameters; Step Functions evaluates it against the state's input. Our callback tasks take their
 * timeout from the state input (the order's deadline), so the bundle fixes the call site. Each
 * replacement must apply exactly once, or the stack refuses to start (a library upgrade must be
 * re-checked, not silently mis-patched).
 */
const interpreterPatches: readonly [string, string][] = [
  [
    'taskStateAction.execute(input, context, { overrideFn, awsConfig })',
    'taskStateAction.execute(input, context, { overrideFn, awsConfig, stateInput: rawInput })',
  ],
  [
    'const timeoutMs = this.getTimeoutMs(input, context);',
    'const timeoutMs = this.getTimeoutMs(options.stateInput ?? input, context);',
  ],
];

const patchInterpreter: Plugin = {
  name: 'patch-aws-local-stepfunctions',
  setup(pluginBuild) {
    pluginBuild.onLoad({ filter: /aws-local-stepfunctions[\\/]build[\\/]main\.node\.esm\.js$/ }, (args) => {
      let contents = readFileSync(args.path, 'utf8');
      for (const [from, to] of interpreterPatches) {
        if (contents.split(from).length !== 2)
          throw new Error(`aws-local-stepfunctions changed: cannot patch "${from}"`);
        contents = contents.replace(from, to);
      }
      return { contents, loader: 'js' as const };
    });
  },
};

/** The interpreter worker is TypeScript; bundle it so it runs in a plain worker thread anywhere. */
const bundleWorker = async (): Promise<string> => {
  const outfile = join(tmpdir(), `hotline-interpreter-worker-${process.pid}-${Date.now()}.mjs`);
  await build({
    entryPoints: [join(repoRoot, 'local/stepfunctions/interpreter-worker.ts')],
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    outfile,
    logLevel: 'silent',
    plugins: [patchInterpreter],
    banner: {
      js: "import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);",
    },
  });
  return outfile;
};

export const startLocalStack = async (options: LocalStackOptions = {}): Promise<LocalStack> => {
  const localDir = resolve(options.localDir ?? defaultLocalDir);
  const dataDir = join(localDir, 'data');
  if (options.fresh) rmSync(dataDir, { recursive: true, force: true });
  mkdirSync(dataDir, { recursive: true });

  // One clock for handlers and the interpreter; a manual clock resumes where it stopped.
  const clockFile = join(dataDir, 'clock.json');
  const saved = existsSync(clockFile)
    ? (JSON.parse(readFileSync(clockFile, 'utf8')) as { mode: ClockMode; now: number })
    : undefined;
  const mode = options.clock?.mode ?? 'real';
  const clock = new LocalClock({
    mode,
    ...(options.clock?.scale !== undefined ? { scale: options.clock.scale } : {}),
    ...(options.clock?.startAt !== undefined
      ? { now: options.clock.startAt }
      : saved && saved.mode === 'manual' && mode === 'manual'
        ? { now: saved.now }
        : {}),
  });
  const saveClock = () => writeFileSync(clockFile, JSON.stringify({ mode: clock.mode, now: clock.now() }));
  useClockSource(clock);

  const cleanups: (() => Promise<void> | void)[] = [];
  const stopAll = async () => {
    for (const cleanup of cleanups.reverse()) await cleanup();
  };
  try {
    const dynamo: RunningDynamo = await startDynamoDbLocal({ dataDir: join(dataDir, 'dynamodb') });
    cleanups.push(() => dynamo.stop());
    await ensureTable(dynamo.client, LOCAL_TABLE);
    await ensureOutboxTable(dynamo.client, LOCAL_OUTBOX_TABLE);

    const runtime = new LocalLambdaRuntime(repoRoot);
    // The rules of infra/wiring.ts, with the same patterns CDK gives EventBridge, to the same handlers.
    const rules = Object.entries(busRules).map(([name, rule]) => ({
      name,
      pattern: parseEventPattern(JSON.stringify(rule.pattern)),
      deliver: (event: BusEvent) => runtime.invoke(rule.target, event),
    }));
    const bus = new LocalEventBus(LOCAL_BUS, () => clock.now(), rules);
    const bindings = localSubstitutions();
    const machines = Object.entries(stateMachines).map(([name, spec]) => ({
      arn: localStateMachineArn(name),
      name: `hotline-${name}`,
      definition: substitute(readFileSync(join(repoRoot, spec.file), 'utf8'), bindings),
    }));

    const serviceCall = async (call: ServiceCall): Promise<unknown> => {
      switch (call.service) {
        case 'lambda':
          return runtime.invoke(call.functionName, call.payload);
        case 'events':
          return bus.putEvents(call.entries as never);
        case 'dynamodb': {
          const commands = {
            getItem: GetItemCommand,
            putItem: PutItemCommand,
            updateItem: UpdateItemCommand,
            deleteItem: DeleteItemCommand,
          } as const;
          const Command = commands[call.action as keyof typeof commands] as unknown as new (
            params: unknown,
          ) => GetItemCommand;
          const { $metadata: _m, ...result } = await dynamo.client.send(new Command(call.params));
          return result;
        }
      }
    };

    // ---- EventBridge Scheduler on the stack clock ----------------------------------------------------
    // Schedules live in the data dir (so they survive a restart) and fire when the interpreter worker's
    // advance reaches their instant: it asks for `externalTimers` at every instant it steps through,
    // and steps next to the earlier of its own timers and `scheduler.nextDue()`.
    let wakeClock = (): void => undefined;
    const scheduler = new LocalScheduler({
      file: join(dataDir, 'schedules.json'),
      now: () => clock.now(),
      invoke: (targetArn, payload) => runtime.invoke(targetArn, payload),
      groups: [callbackSchedules.groupName],
      // A schedule already due (an `at()` in the past) fires at once, whatever the clock mode.
      onScheduled: (at) => {
        if (at <= clock.now()) wakeClock();
      },
    });
    const externalTimers = schedulerTimers({ bus, scheduler });
    // ---- end of EventBridge Scheduler ---------------------------------------------------------------

    const workerFile = await bundleWorker();
    cleanups.push(() => rmSync(workerFile, { force: true }));
    let timeLock: Promise<void> = Promise.resolve();
    const stepFunctions = await LocalStepFunctions.start({
      workerFile,
      stateMachines: machines,
      dataDir,
      now: () => clock.now(),
      onTime: (ms) => clock.moveTo(ms),
      call: serviceCall,
      externalTimers,
    });
    cleanups.push(() => stepFunctions.close());

    const aws = await startAwsEndpoint({ stepFunctions, bus, scheduler });
    cleanups.push(() => new Promise<void>((r) => aws.server.close(() => r())));

    // The environment the handlers read at load time: the same variable names CDK sets.
    Object.assign(process.env, {
      [envNames.table]: LOCAL_TABLE,
      [envNames.stateMachineArn]: localStateMachineArn('workOrder'),
      [envNames.eventBus]: LOCAL_BUS,
      AWS_REGION: LOCAL_REGION,
      AWS_ACCESS_KEY_ID: 'local',
      AWS_SECRET_ACCESS_KEY: 'local',
      AWS_ENDPOINT_URL_DYNAMODB: dynamo.endpoint,
      AWS_ENDPOINT_URL_SFN: aws.url,
      AWS_ENDPOINT_URL_EVENTBRIDGE: aws.url,
      AWS_ENDPOINT_URL_SCHEDULER: aws.url,
      // Call-backs: the same variables CDK sets; the role and queue ARNs are names only here (the local
      // scheduler invokes the target itself and keeps its dead letters at /_local/dead-letters).
      [envNames.scheduleGroup]: callbackSchedules.groupName,
      [envNames.schedulerRoleArn]: `arn:aws:iam::${LOCAL_ACCOUNT}:role/hotline-local-scheduler`,
      [envNames.callbackTargetArn]: localFunctionArn(callbackSchedules.target),
      [envNames.scheduleDeadLetterArn]: `arn:aws:sqs:${LOCAL_REGION}:${LOCAL_ACCOUNT}:hotline-local-callback-dead-letters`,
      [envNames.outboxTable]: LOCAL_OUTBOX_TABLE,
      // Messages stay in the outbox (GET /_local/outbox); the survey links point at this server.
      [envNames.messageSender]: 'hold',
      POWERTOOLS_SERVICE_NAME: 'hotline',
      POWERTOOLS_LOG_LEVEL: options.logLevel ?? 'WARN',
      AWS_LAMBDA_FUNCTION_NAME: 'hotline-local',
    });

    stepFunctions.resumeRunning();

    const moveTime = (target: number): Promise<void> => {
      timeLock = timeLock.then(async () => {
        await stepFunctions.advanceTo(target);
        clock.moveTo(target);
        if (clock.mode === 'manual') saveClock();
      });
      return timeLock;
    };
    // Real and scaled clocks run on their own: the interpreter follows them ten times a second.
    let ticking = false;
    const ticker = setInterval(() => {
      if (clock.mode === 'manual' || ticking) return;
      ticking = true;
      moveTime(clock.now()).finally(() => {
        ticking = false;
      });
    }, 100);
    ticker.unref();
    cleanups.push(() => clearInterval(ticker));
    cleanups.push(() => saveClock());

    // EventBridge Scheduler: a due schedule (created in the past, or left due when the stack stopped)
    // makes time "move" to now, which runs it; a manual clock does not move otherwise.
    wakeClock = () => {
      void moveTime(clock.now()).catch((error: unknown) => console.error(error));
    };
    if ((scheduler.nextDue() ?? Number.POSITIVE_INFINITY) <= clock.now()) wakeClock();

    const keys = await loadOrCreateKeys(join(localDir, 'keys'));
    const stateMachineArns = Object.fromEntries(machines.map((m) => [m.name, m.arn]));
    let accessLogEnabled = false;
    const accessLog = (line: string) => {
      if (accessLogEnabled) console.log(line);
    };

    const server: Server = createServer((req, res) => {
      const path = new URL(req.url ?? '/', 'http://localhost').pathname;
      const handled = path.startsWith('/_local/')
        ? serveLocalRoute(req, res, { clock, moveTime, bus, scheduler, stepFunctions, stateMachineArns })
        : serveApiRequest(req, res, {
            runtime,
            keys,
            now: () => clock.now(),
            accessLog,
          });
      handled.catch((error: unknown) => {
        console.error(error);
        if (!res.headersSent) res.writeHead(500, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ message: 'Internal Server Error' }));
      });
    });
    await new Promise<void>((r, reject) => {
      server.once('error', reject);
      server.listen(options.port ?? 3000, '127.0.0.1', () => r());
    });
    cleanups.push(() => new Promise<void>((r) => server.close(() => r())));
    const { port } = server.address() as AddressInfo;
    process.env[envNames.surveyBaseUrl] = `http://localhost:${port}/surveys/`;

    return {
      url: `http://localhost:${port}`,
      awsEndpoint: aws.url,
      dynamoEndpoint: dynamo.endpoint,
      clock,
      keys,
      stepFunctions,
      bus,
      scheduler,
      dataDir,
      stateMachineArns,
      moveTime,
      setAccessLog: (enabled) => {
        accessLogEnabled = enabled;
      },
      stop: async () => {
        server.closeAllConnections();
        await timeLock.catch(() => undefined);
        // Deliveries still running need DynamoDB Local: let them end first.
        await bus.drain();
        await stopAll();
        useClockSource(undefined);
      },
    };
  } catch (error) {
    await stopAll();
    throw error;
  }
};

// ---- local-only routes (never in the CDK app) ------------------------------------------------------

const localError = (res: ServerResponse, status: number, code: string, message: string) => {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify({ error: { code, message } }));
};

const sendJson = (res: ServerResponse, status: number, body: unknown) => {
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8' });
  res.end(JSON.stringify(body));
};

const clockView = (clock: LocalClock) => ({
  now: new Date(clock.now()).toISOString(),
  mode: clock.mode,
  scale: clock.scale,
});

const serveLocalRoute = async (
  req: IncomingMessage,
  res: ServerResponse,
  deps: {
    clock: LocalClock;
    moveTime: (target: number) => Promise<void>;
    bus: LocalEventBus;
    scheduler: LocalScheduler;
    stepFunctions: LocalStepFunctions;
    stateMachineArns: Readonly<Record<string, string>>;
  },
): Promise<void> => {
  const url = new URL(req.url ?? '/', 'http://localhost');
  const route = `${req.method} ${url.pathname}`;

  if (route === 'GET /_local/clock') return sendJson(res, 200, clockView(deps.clock));
  if (route === 'POST /_local/clock') {
    let body: { advance?: unknown; set?: unknown; mode?: unknown; scale?: unknown };
    try {
      body = JSON.parse((await readBody(req)) || '{}') as typeof body;
    } catch {
      return localError(res, 400, 'MALFORMED_JSON', 'The body is not valid JSON.');
    }
    const given = ['advance', 'set', 'mode'].filter((k) => k in body);
    if (given.length !== 1) {
      return localError(
        res,
        400,
        'VALIDATION_FAILED',
        'Send exactly one of: { "advance": "PT25H" }, { "set": "<ISO time>" }, { "mode": "manual" | "real" | "scaled", "scale"?: n }.',
      );
    }
    if ('mode' in body) {
      if (body.mode !== 'manual' && body.mode !== 'real' && body.mode !== 'scaled') {
        return localError(res, 400, 'VALIDATION_FAILED', 'mode is one of manual, real, scaled.');
      }
      if (
        body.scale !== undefined &&
        (typeof body.scale !== 'number' || !(body.scale > 0) || body.scale > 1_000_000)
      ) {
        return localError(
          res,
          400,
          'VALIDATION_FAILED',
          'scale is a positive number of virtual seconds per real second, at most 1000000.',
        );
      }
      deps.clock.setMode(body.mode, body.scale as number | undefined);
      return sendJson(res, 200, clockView(deps.clock));
    }
    let target: number;
    if ('advance' in body) {
      const ms = typeof body.advance === 'string' ? parseIsoDuration(body.advance) : undefined;
      if (ms === undefined)
        return localError(
          res,
          400,
          'INVALID_DURATION',
          'advance is an ISO 8601 duration in weeks, days, hours, minutes, seconds: "PT25H", "P3D", "P1DT2H".',
        );
      target = deps.clock.now() + ms;
    } else {
      const parsed =
        typeof body.set === 'string' && /^\d{4}-\d{2}-\d{2}T/.test(body.set)
          ? Date.parse(body.set)
          : Number.NaN;
      if (Number.isNaN(parsed))
        return localError(
          res,
          400,
          'INVALID_TIME',
          'set is an ISO 8601 date-time, e.g. "2026-12-01T09:00:00+08:00".',
        );
      if (parsed < deps.clock.now()) {
        return localError(
          res,
          409,
          'CLOCK_BACKWARDS',
          'Time only moves forward: waits and timeouts that already fired cannot be undone.',
        );
      }
      target = parsed;
    }
    await deps.moveTime(target);
    return sendJson(res, 200, clockView(deps.clock));
  }
  if (route === 'GET /_local/dead-letters') {
    // The bus's dead letters as they are, then EventBridge Scheduler's (`scheduler`: the schedule name).
    const scheduled = deps.scheduler
      .deadLettered()
      .map(({ schedule, ...rest }) => ({ scheduler: schedule, ...rest }));
    return sendJson(res, 200, { items: [...deps.bus.deadLettered(), ...scheduled] });
  }
  if (route === 'GET /_local/schedules') return sendJson(res, 200, { items: deps.scheduler.list() });
  if (route === 'GET /_local/outbox') {
    // Loaded on first use, after the stack set the environment the module reads.
    const { listMessages } = await import('../functions/shared/outbox.ts');
    return sendJson(res, 200, { items: await listMessages() });
  }
  if (route === 'GET /_local/events') {
    const source = url.searchParams.get('source') ?? undefined;
    const detailType = url.searchParams.get('detailType') ?? undefined;
    return sendJson(res, 200, {
      items: deps.bus.list({ ...(source ? { source } : {}), ...(detailType ? { detailType } : {}) }),
    });
  }
  const execution = /^GET \/_local\/executions\/([A-Za-z0-9_-]{1,80})$/.exec(route);
  if (execution?.[1]) {
    const arn = `${Object.values(deps.stateMachineArns)[0]?.replace(':stateMachine:', ':execution:')}:${execution[1]}`;
    try {
      const described = deps.stepFunctions.describeExecution(arn);
      const history = deps.stepFunctions.getExecutionHistory({ executionArn: arn, maxResults: 1000 });
      return sendJson(res, 200, { ...described, events: history.events });
    } catch {
      return localError(res, 404, 'EXECUTION_NOT_FOUND', `No execution named ${execution[1]}.`);
    }
  }
  return localError(res, 404, 'ROUTE_NOT_FOUND', `The local stack has no ${route}.`);
};

export const functionNames = Object.keys(lambdaFunctions);
