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
import {
  analyticsDelivery,
  aslSubstitutions,
  busRules,
  callbackHealing,
  callbackSchedules,
  contactRetention,
  envNames,
  lambdaFunctions,
  lifecycleHealing,
  miningSchedule,
  stateMachines,
  streamTriggers,
} from '#wiring/wiring.ts';
import { useClockSource } from '../functions/shared/platform/clock.ts';
import { serveApiRequest } from './api-gateway.ts';
import { LocalAthena } from './athena.ts';
import { readBody, startAwsEndpoint } from './aws-endpoint.ts';
import { type ClockMode, clockRequestOf, LocalClock } from './clock.ts';
import { createDashboardSite, DASHBOARD_PREFIX } from './dashboard-site.ts';
import { ensureOutboxTable, ensureTable, type RunningDynamo, startDynamoDbLocal } from './dynamodb-local.ts';
import { LocalStreamPoller } from './dynamodb-streams.ts';
import { type BusEvent, LocalEventBus } from './event-bus.ts';
import { parseEventPattern } from './eventbridge/event-pattern.ts';
import { LocalEventBridge } from './eventbridge/registry.ts';
import {
  deliverAtLeastOnce,
  FaultInjector,
  type FaultSettings,
  faultSettingsSchema,
  startDynamoFaultProxy,
} from './fault-injection.ts';
import { LocalFirehose } from './firehose.ts';
import { localAsyncInvokeConfigs } from './lambda-async-invoke.ts';
import { LOCAL_ACCOUNT, LOCAL_REGION, LocalLambdaRuntime, localFunctionArn } from './lambda-runtime.ts';
import { type LocalKeys, loadOrCreateKeys, signLocalToken, type TokenRequest } from './local-auth.ts';
import { defaultLocalDir, repoRoot } from './paths.ts';
import { LocalScheduler, type ScheduleRequest, schedulerTimers } from './scheduler.ts';
import {
  LOCAL_ANALYTICS_KEY_SECRET,
  LOCAL_CONTACT_HASH_SECRET,
  LOCAL_PUSH_KEY_SECRET,
  LocalSecretsManager,
  loadOrCreateAnalyticsKey,
  loadOrCreateContactSealKey,
  loadOrCreateHexKey,
} from './secrets-manager.ts';
import { outageServices, ServiceOutages } from './service-outage.ts';
import type { ServiceCall } from './stepfunctions/protocol.ts';
import { LocalStepFunctions } from './stepfunctions/service.ts';
import { bundleInterpreterWorker } from './stepfunctions/worker-bundle.ts';

/**
 * The whole system on one machine: DynamoDB Local, the ASL files on the interpreter worker, the local
 * bus, the handlers behind a local HTTP API, and one clock for all of them.
 */
export { defaultLocalDir, repoRoot };

export const LOCAL_TABLE = 'hotline-local';
export const LOCAL_BUS = 'hotline-local';
export const LOCAL_OUTBOX_TABLE = 'hotline-local-outbox';
/** The analytics delivery stream (CDK: `<prefix>-analytics-orders`). */
export const LOCAL_ANALYTICS_STREAM = `hotline-local-${analyticsDelivery.streamSuffix}`;
/** The Athena workgroup of the analytics queries (CDK: `<prefix>-analytics`). */
export const LOCAL_ATHENA_WORK_GROUP = 'hotline-local-analytics';
/** Its per-query cap: CDK's default (infra/constructs/analytics-store.ts), 10 GiB. */
export const LOCAL_ATHENA_BYTES_SCANNED_CUTOFF = 10 * 1024 ** 3;

export interface LocalStackOptions {
  readonly port?: number;
  /** Root of the local folder: data/ (orders, executions, clock) and keys/ (JWT signing key). */
  readonly localDir?: string;
  /**
   * Start with empty data (the signing key is kept, so existing tokens stay valid, and so is the analytics
   * key, so requester and address hashes stay comparable).
   */
  readonly fresh?: boolean;
  readonly clock?: { readonly mode: ClockMode; readonly scale?: number; readonly startAt?: number };
  readonly logLevel?: string;
  /** Generated order history queried with the live store (default `<localDir>/analytics/history`). */
  readonly analyticsHistoryDir?: string;
  /**
   * Create the nightly mining schedule (wiring/wiring.ts `miningSchedule`) as the CDK app does (default
   * true). Tests that jump the clock over many nights and do not look at insights leave it out.
   */
  readonly nightlyMining?: boolean;
  /**
   * Create the lifecycle reconciler's schedule (wiring/wiring.ts `lifecycleHealing.reconciler`, every
   * five minutes) as the CDK app does (default true). Tests that jump the clock over days leave it out.
   */
  readonly lifecycleReconciler?: boolean;
  /**
   * Create the call-back reconciler's schedule (wiring/wiring.ts `callbackHealing.reconciler`, every five
   * minutes) as the CDK app does (default true). Tests that jump the clock over days leave it out.
   */
  readonly callbackReconciler?: boolean;
  /** Create the nightly contact-retention schedule (wiring/wiring.ts `contactRetention`; default true). */
  readonly contactRetention?: boolean;
  /**
   * Fault injection for resilience tests (local/fault-injection.ts): handler invocations and the
   * handlers' DynamoDB calls fail at this rate. Given at start (even with rate 0), it can be changed
   * while running with POST /_local/faults.
   */
  readonly faults?: FaultSettings;
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
  /** The analytics store: `orders/month=YYYY-MM/*.parquet` (and Firehose's `errors/`) under it. */
  readonly analyticsDir: string;
  /** Every order change saved so far is in the analytics store (the table stream read, Firehose flushed). */
  drainAnalytics(): Promise<void>;
  /** Athena's twin (AWS_ENDPOINT_URL_ATHENA): DuckDB over the generated history and the live store. */
  readonly athena: LocalAthena;
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
 * The interpreter worker is TypeScript; bundle it so it runs in a plain worker thread anywhere, with
 * aws-local-stepfunctions patched where it departs from Step Functions (local/stepfunctions/worker-bundle.ts).
 */
const bundleWorker = async (): Promise<string> => {
  const outfile = join(tmpdir(), `hotline-interpreter-worker-${process.pid}-${Date.now()}.mjs`);
  await bundleInterpreterWorker(outfile);
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

    const faults = options.faults ? new FaultInjector(options.faults) : undefined;
    const runtime = new LocalLambdaRuntime(repoRoot, faults);
    // Under fault injection the handlers reach DynamoDB Local through a proxy that fails some calls.
    const faultProxy = faults ? await startDynamoFaultProxy(dynamo.endpoint, faults) : undefined;
    if (faultProxy) cleanups.push(() => new Promise<void>((r) => faultProxy.server.close(() => r())));
    // The rules of wiring/wiring.ts, with the same patterns CDK gives EventBridge, to the same handlers.
    const rules = Object.entries(busRules).map(([name, rule]) => ({
      name,
      pattern: parseEventPattern(JSON.stringify(rule.pattern)),
      deliver: (event: BusEvent) => deliverAtLeastOnce(faults, () => runtime.invoke(rule.target, event)),
    }));
    const bus = new LocalEventBus(LOCAL_BUS, () => clock.now(), rules, {
      // The connections, API destinations and rules handlers create at run time, kept in the data dir.
      eventBridge: new LocalEventBridge({
        busName: LOCAL_BUS,
        now: () => clock.now(),
        file: join(dataDir, 'eventbridge.json'),
      }),
    });
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
    const asyncInvokeConfigs = localAsyncInvokeConfigs(
      (name) => `arn:aws:sqs:${LOCAL_REGION}:${LOCAL_ACCOUNT}:hotline-local-${name}`,
    );
    const scheduler = new LocalScheduler({
      file: join(dataDir, 'schedules.json'),
      now: () => clock.now(),
      invoke: (targetArn, payload) => deliverAtLeastOnce(faults, () => runtime.invoke(targetArn, payload)),
      // Scheduler invokes Lambda asynchronously: it only needs Lambda to take the event; the function's
      // errors are retried and dead-lettered by its EventInvokeConfig, as CDK deploys it.
      lambda: {
        accept: (functionArn) => {
          runtime.resolveName(functionArn);
        },
        asyncConfigOf: (functionArn) => asyncInvokeConfigs.get(runtime.resolveName(functionArn)),
      },
      groups: [
        callbackSchedules.groupName,
        miningSchedule.groupName,
        lifecycleHealing.reconciler.groupName,
        callbackHealing.reconciler.groupName,
        contactRetention.groupName,
      ],
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

    // The analytics store's delivery stream and the key of its keyed hashes (kept by --fresh, like the JWT key).
    const analyticsDir = join(dataDir, 'analytics');
    const firehose = new LocalFirehose({ root: analyticsDir, streams: [LOCAL_ANALYTICS_STREAM] });
    const secrets = new LocalSecretsManager({
      [LOCAL_ANALYTICS_KEY_SECRET]: loadOrCreateAnalyticsKey(join(localDir, 'keys')),
      [LOCAL_CONTACT_HASH_SECRET]: loadOrCreateHexKey(join(localDir, 'keys'), 'contact-hash.key'),
      [LOCAL_PUSH_KEY_SECRET]: loadOrCreateHexKey(join(localDir, 'keys'), 'push.key'),
    });
    const contactSealKeyFile = loadOrCreateContactSealKey(join(localDir, 'keys'));

    // Athena's twin over the generated history and the live store, in a workgroup with CDK's cap.
    const athena = new LocalAthena({
      roots: [options.analyticsHistoryDir ?? join(localDir, 'analytics', 'history'), analyticsDir],
      database: analyticsDelivery.database,
      workGroups: {
        [LOCAL_ATHENA_WORK_GROUP]: { bytesScannedCutoffPerQuery: LOCAL_ATHENA_BYTES_SCANNED_CUTOFF },
      },
      now: () => clock.now(),
    });
    cleanups.push(() => athena.close());

    // The handlers' Step Functions API can be made unavailable (POST /_local/outages); executions go on.
    const outages = new ServiceOutages();
    const aws = await startAwsEndpoint({
      stepFunctions: outages.guard('stepFunctions', stepFunctions),
      bus,
      scheduler,
      firehose,
      secrets,
      athena,
    });
    cleanups.push(() => new Promise<void>((r) => aws.server.close(() => r())));
    // Flushed after the stream triggers stopped (cleanups run in reverse), before the endpoint closes.
    cleanups.push(() => firehose.stop());

    // The environment the handlers read at load time: the same variable names CDK sets.
    Object.assign(process.env, {
      [envNames.table]: LOCAL_TABLE,
      [envNames.stateMachineArn]: localStateMachineArn('workOrder'),
      [envNames.eventBus]: LOCAL_BUS,
      AWS_REGION: LOCAL_REGION,
      AWS_ACCESS_KEY_ID: 'local',
      AWS_SECRET_ACCESS_KEY: 'local',
      AWS_ENDPOINT_URL_DYNAMODB: faultProxy?.url ?? dynamo.endpoint,
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
      // The analytics path: rows to the local Firehose, the hash key from the local Secrets Manager.
      [envNames.analyticsStream]: LOCAL_ANALYTICS_STREAM,
      [envNames.analyticsKeySecret]: LOCAL_ANALYTICS_KEY_SECRET,
      // Requesters' contacts: sealed with a raw AES key from the keys folder (KMS in AWS), hashed with a secret.
      [envNames.contactKeyFile]: contactSealKeyFile,
      [envNames.contactHashSecret]: LOCAL_CONTACT_HASH_SECRET,
      // Push subscriptions: the push key from the local Secrets Manager; the role and queue ARNs are
      // names only here (the local bus sends to the API destinations itself, its dead letters at
      // /_local/dead-letters); a receiver on this machine may be plain http.
      [envNames.pushKeySecret]: LOCAL_PUSH_KEY_SECRET,
      [envNames.pushInvokeRoleArn]: `arn:aws:iam::${LOCAL_ACCOUNT}:role/hotline-local-push-invoke`,
      [envNames.pushDeadLetterArn]: `arn:aws:sqs:${LOCAL_REGION}:${LOCAL_ACCOUNT}:hotline-local-push-dead-letters`,
      [envNames.pushAllowLoopbackHttp]: 'true',
      AWS_ENDPOINT_URL_FIREHOSE: aws.url,
      AWS_ENDPOINT_URL_SECRETS_MANAGER: aws.url,
      // The mining: the same Athena API as in AWS, answered by the twin.
      [envNames.athenaWorkGroup]: LOCAL_ATHENA_WORK_GROUP,
      [envNames.athenaDatabase]: analyticsDelivery.database,
      AWS_ENDPOINT_URL_ATHENA: aws.url,
      POWERTOOLS_SERVICE_NAME: 'hotline',
      POWERTOOLS_LOG_LEVEL: options.logLevel ?? 'WARN',
      AWS_LAMBDA_FUNCTION_NAME: 'hotline-local',
    });

    stepFunctions.resumeRunning();
    ensureRecurringSchedules(scheduler, {
      nightlyMining: options.nightlyMining !== false,
      lifecycleReconciler: options.lifecycleReconciler !== false,
      callbackReconciler: options.callbackReconciler !== false,
      contactRetention: options.contactRetention !== false,
    });

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

    // Lambda's event source mappings of the table stream (streamTriggers), on DynamoDB Local's stream;
    // stopped first (after the HTTP server), delivering what the stream still holds.
    const streams = new LocalStreamPoller({
      endpoint: dynamo.endpoint,
      tableName: LOCAL_TABLE,
      triggers: streamTriggers,
      invoke: (target, event) => deliverAtLeastOnce(faults, () => runtime.invoke(target, event)),
      checkpointFile: join(dataDir, 'stream-checkpoints.json'),
      functionArn: localFunctionArn,
    });
    streams.start();
    cleanups.push(() => streams.stop());

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

    // The dashboard (static, built on first request); its own URL for its config.json.
    let ownUrl = '';
    const dashboard = createDashboardSite({ url: () => ownUrl });
    const server: Server = createServer((req, res) => {
      const path = new URL(req.url ?? '/', 'http://localhost').pathname;
      const isDashboard = path === DASHBOARD_PREFIX || path.startsWith(`${DASHBOARD_PREFIX}/`);
      const handled = isDashboard
        ? dashboard.serve(req, res)
        : path.startsWith('/_local/')
          ? serveLocalRoute(req, res, {
              keys,
              clock,
              moveTime,
              bus,
              scheduler,
              stepFunctions,
              stateMachineArns,
              streams,
              firehose,
              runtime,
              faults,
              outages,
            })
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
    ownUrl = `http://localhost:${port}`;
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
      analyticsDir,
      athena,
      drainAnalytics: async () => {
        await streams.drain();
        await firehose.drain();
      },
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

/**
 * Every route serveLocalRoute answers, for the startup banner (local/main.ts) and docs/local-stack.md;
 * tests/unit/local/main-cli.test.ts fails when a route is served but missing here, or listed but not served.
 */
export const localOnlyRoutes: readonly { readonly route: string; readonly what: string }[] = [
  { route: 'GET /_local/clock', what: 'the clock: { now, mode, scale }' },
  {
    route: 'POST /_local/clock',
    what: 'move it: { "advance": "PT25H" } | { "set": "<ISO time>" } | { "mode", "scale"? }',
  },
  { route: 'GET /_local/events', what: 'what was put on the event bus (?source=, ?detailType=)' },
  { route: 'GET /_local/executions/{order id}', what: 'an execution and its history (<id>-r2 for round 2)' },
  {
    route: 'GET /_local/schedules',
    what: "EventBridge Scheduler's schedules (call-back attempts, the mining)",
  },
  { route: 'GET /_local/outbox', what: 'survey messages (SMS, e-mail) and their links, held, never sent' },
  {
    route: 'GET /_local/dead-letters',
    what: 'deliveries, firings and stream batches that failed after their retries',
  },
  {
    route: 'GET /_local/analytics',
    what: "the analytics store's Parquet files by month, and Firehose's errors",
  },
  { route: 'POST /_local/mining', what: 'mine now: { "month"?, "day"?, "kinds"? }' },
  {
    route: 'GET /_local/token',
    what: "a token for ?role=…&unit=… (the dashboard's sign-in; localhost only)",
  },
  {
    route: 'GET /_local/faults',
    what: 'fault injection settings and counts (a stack started with --faults)',
  },
  { route: 'POST /_local/faults', what: 'change them (a stack started with --faults)' },
  { route: 'GET /_local/outages', what: 'which services are made unavailable: { "stepFunctions" }' },
  {
    route: 'POST /_local/outages',
    what: 'make one unavailable or back: { "stepFunctions": true | false } (its API answers 503)',
  },
];

const serveLocalRoute = async (
  req: IncomingMessage,
  res: ServerResponse,
  deps: {
    keys: LocalKeys;
    clock: LocalClock;
    moveTime: (target: number) => Promise<void>;
    bus: LocalEventBus;
    scheduler: LocalScheduler;
    stepFunctions: LocalStepFunctions;
    stateMachineArns: Readonly<Record<string, string>>;
    streams: LocalStreamPoller;
    firehose: LocalFirehose;
    runtime: LocalLambdaRuntime;
    faults: FaultInjector | undefined;
    outages: ServiceOutages;
  },
): Promise<void> => {
  const url = new URL(req.url ?? '/', 'http://localhost');
  const route = `${req.method} ${url.pathname}`;

  if (route === 'GET /_local/clock') return sendJson(res, 200, clockView(deps.clock));
  if (route === 'GET /_local/token') {
    // The dashboard's local sign-in (Cognito's hosted UI in AWS): a token for a role, signed like `npm run token`.
    // Only for pages of this machine: a Host of another name is a DNS-rebinding page, not the dashboard.
    if (!/^(localhost|127\.0\.0\.1|\[::1\])(:\d+)?$/.test(req.headers.host ?? ''))
      return localError(res, 403, 'LOCAL_ONLY', 'Tokens are handed out to localhost only.');
    const role = url.searchParams.get('role') ?? '';
    const unitId = url.searchParams.get('unit') ?? undefined;
    const ttlSeconds = 12 * 60 * 60;
    try {
      const token = await signLocalToken(deps.keys, {
        // An unknown role is refused by signLocalToken (a 400 below).
        role: role as TokenRequest['role'],
        ...(unitId ? { unitId } : {}),
        ttlSeconds,
      });
      return sendJson(res, 200, { token, tokenType: 'Bearer', role, expiresIn: ttlSeconds });
    } catch (error) {
      return localError(res, 400, 'VALIDATION_FAILED', (error as Error).message);
    }
  }
  if (route === 'POST /_local/clock') {
    let body: unknown;
    try {
      body = JSON.parse((await readBody(req)) || '{}');
    } catch {
      return localError(res, 400, 'MALFORMED_JSON', 'The body is not valid JSON.');
    }
    // Checked whole before anything moves (local/clock.ts): a refusal changes nothing.
    const request = clockRequestOf(body, deps.clock.now());
    if (!request.ok) return localError(res, request.status, request.code, request.message);
    if (request.kind === 'mode') deps.clock.setMode(request.mode, request.scale);
    else await deps.moveTime(request.target);
    return sendJson(res, 200, clockView(deps.clock));
  }
  if (route === 'GET /_local/dead-letters') {
    // The bus's dead letters as they are, then EventBridge Scheduler's (`scheduler`: the schedule name).
    const scheduled = deps.scheduler
      .deadLettered()
      .map(({ schedule, ...rest }) => ({ scheduler: schedule, ...rest }));
    // …and the table stream triggers' (`streamTrigger`: the trigger's name in wiring/wiring.ts).
    const streamed = deps.streams
      .deadLettered()
      .map(({ trigger, ...rest }) => ({ streamTrigger: trigger, ...rest }));
    // …and the scheduler targets' failed asynchronous invocations (`asyncInvocation`: the function), as
    // Lambda's invocation records for their on-failure destinations.
    const invocations = deps.scheduler
      .failedInvocations()
      .map(({ functionArn, destinationArn, source, record }) => ({
        asyncInvocation: functionArn.split(':function:')[1] ?? functionArn,
        destinationArn: destinationArn ?? null,
        schedule: source.schedule,
        group: source.group,
        ...record,
      }));
    return sendJson(res, 200, {
      items: [...deps.bus.deadLettered(), ...scheduled, ...streamed, ...invocations],
    });
  }
  if (route === 'GET /_local/analytics') {
    // The analytics store's Parquet files (with their row counts) and Firehose's error output.
    return sendJson(res, 200, { root: deps.firehose.root, ...(await deps.firehose.listFiles()) });
  }
  if (route === 'GET /_local/faults' || route === 'POST /_local/faults') {
    if (!deps.faults)
      return localError(
        res,
        409,
        'FAULTS_NOT_ENABLED',
        'Start the stack with --faults RATE to inject faults.',
      );
    if (route === 'POST /_local/faults') {
      let settings: FaultSettings;
      try {
        settings = faultSettingsSchema.parse(JSON.parse((await readBody(req)) || 'null'));
      } catch (error) {
        return localError(res, 400, 'VALIDATION_FAILED', `Fault settings: ${(error as Error).message}`);
      }
      const before = deps.faults.report();
      deps.faults.configure(settings);
      return sendJson(res, 200, { previous: before, now: deps.faults.report() });
    }
    return sendJson(res, 200, deps.faults.report());
  }
  if (route === 'GET /_local/schedules') return sendJson(res, 200, { items: deps.scheduler.list() });
  if (route === 'GET /_local/outages') return sendJson(res, 200, deps.outages.view());
  if (route === 'POST /_local/outages') {
    // { "stepFunctions": true }: the handlers' Step Functions API answers 503 until set back to false.
    let body: unknown;
    try {
      body = JSON.parse((await readBody(req)) || '{}');
    } catch {
      return localError(res, 400, 'MALFORMED_JSON', 'The body is not valid JSON.');
    }
    const entries = body && typeof body === 'object' && !Array.isArray(body) ? Object.entries(body) : [];
    const valid = entries.every(
      ([k, v]) => outageServices.includes(k as (typeof outageServices)[number]) && typeof v === 'boolean',
    );
    if (entries.length === 0 || !valid)
      return localError(res, 400, 'VALIDATION_FAILED', 'Send { "stepFunctions": true | false }.');
    for (const [service, down] of entries)
      deps.outages.set(service as (typeof outageServices)[number], down as boolean);
    return sendJson(res, 200, deps.outages.view());
  }
  if (route === 'POST /_local/mining') {
    // The mining on demand: the same handler the nightly schedule invokes, with { month?, day?, kinds? }.
    let body: unknown;
    try {
      body = JSON.parse((await readBody(req)) || '{}');
    } catch {
      return localError(res, 400, 'MALFORMED_JSON', 'The body is not valid JSON.');
    }
    if (typeof body !== 'object' || body === null || Array.isArray(body))
      return localError(res, 400, 'VALIDATION_FAILED', 'Send an object: { "month"?, "day"?, "kinds"? }.');
    try {
      return sendJson(res, 200, await deps.runtime.invoke(miningSchedule.target, body));
    } catch (error) {
      if ((error as Error).name === 'ZodError')
        return localError(
          res,
          400,
          'VALIDATION_FAILED',
          'month is YYYY-MM, day YYYY-MM-DD, kinds a list of insights (topics, townships, rates, heatmap, outlook, hotspots, alerts).',
        );
      throw error;
    }
  }
  if (route === 'GET /_local/outbox') {
    // Loaded on first use, after the stack set the environment the module reads.
    const { listOutboxMessages } = await import('./outbox-listing.ts');
    return sendJson(res, 200, { items: await listOutboxMessages() });
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

/**
 * The recurring schedules the CDK app creates (infra/constructs/mining-schedule.ts and
 * lifecycle-reconciliation.ts, callback-reconciliation.ts), as the local stack creates them at start:
 * the nightly mining, a cron() schedule, and the two reconcilers, rate() schedules, each in its own
 * group. A parity test
 * compares them with the synthesized template.
 */
export const localRecurringSchedules = (): ScheduleRequest[] =>
  (
    [
      [miningSchedule, 'mining-scheduler'],
      [lifecycleHealing.reconciler, 'lifecycle-reconciler'],
      [callbackHealing.reconciler, 'callback-reconciler'],
      [contactRetention, 'contact-retention'],
    ] as const
  ).map(([spec, role]) => ({
    Name: spec.scheduleName,
    GroupName: spec.groupName,
    ScheduleExpression: spec.expression,
    ScheduleExpressionTimezone: spec.timeZone,
    FlexibleTimeWindow: { Mode: 'OFF' },
    Target: {
      Arn: localFunctionArn(spec.target),
      RoleArn: `arn:aws:iam::${LOCAL_ACCOUNT}:role/hotline-local-${role}`,
      Input: JSON.stringify(spec.input),
      RetryPolicy: {
        MaximumRetryAttempts: spec.retry.maximumRetryAttempts,
        MaximumEventAgeInSeconds: spec.retry.maximumEventAgeSeconds,
      },
    },
  }));

/** Creates each recurring schedule that the data folder does not hold yet (they survive restarts). */
const ensureRecurringSchedules = (
  scheduler: LocalScheduler,
  wanted: {
    nightlyMining: boolean;
    lifecycleReconciler: boolean;
    callbackReconciler: boolean;
    contactRetention: boolean;
  },
): void => {
  const present = new Set(scheduler.list().map((s) => `${s.group}/${s.name}`));
  const left = new Set<string>([
    ...(wanted.nightlyMining ? [] : [miningSchedule.groupName]),
    ...(wanted.lifecycleReconciler ? [] : [lifecycleHealing.reconciler.groupName]),
    ...(wanted.callbackReconciler ? [] : [callbackHealing.reconciler.groupName]),
    ...(wanted.contactRetention ? [] : [contactRetention.groupName]),
  ]);
  for (const schedule of localRecurringSchedules()) {
    if (left.has(schedule.GroupName ?? '')) continue;
    if (!present.has(`${schedule.GroupName}/${schedule.Name}`)) scheduler.createSchedule(schedule);
  }
};
