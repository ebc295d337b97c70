import './quiet-sdk-warning.ts';
import { type CliOptions, failUsage, parseCommandLine, portInUse, portIsFree } from './cli.ts';
import { type ClockMode, clockModes } from './clock.ts';
import { seedDemoOrders } from './demo-orders.ts';
import { localOnlyRoutes, startLocalStack } from './stack.ts';

/** `npm start`: the whole Hotline on this machine, with the demo city and a few demo orders. */
const startOptions = {
  fresh: {
    type: 'boolean',
    default: false,
    help: 'start with empty data (orders, executions, clock, analytics); keys are kept',
  },
  port: {
    type: 'string',
    default: process.env.PORT ?? '3000',
    value: 'N',
    help: 'HTTP port on 127.0.0.1 (default 3000, or $PORT; 0: any free port)',
  },
  clock: { type: 'string', default: 'real', value: 'MODE', help: 'real (default), scaled or manual' },
  scale: {
    type: 'string',
    value: 'N',
    help: 'virtual seconds per real second for --clock scaled (default 1440: a day a minute)',
  },
  'start-at': {
    type: 'string',
    value: 'ISO',
    help: "the clock's starting instant, e.g. 2026-12-01T09:00:00+08:00",
  },
  'no-demo': { type: 'boolean', default: false, help: 'do not create demo orders on an empty database' },
  'no-nightly-mining': {
    type: 'boolean',
    default: false,
    help: 'do not create the nightly mining schedule (POST /_local/mining still mines)',
  },
  'no-lifecycle-reconciler': {
    type: 'boolean',
    default: false,
    help: 'do not create the lifecycle reconciler schedule (every 5 minutes: for clock jumps of days)',
  },
  'no-callback-reconciler': {
    type: 'boolean',
    default: false,
    help: 'do not create the call-back reconciler schedule (every 5 minutes: for clock jumps of days)',
  },
  'no-contact-retention': {
    type: 'boolean',
    default: false,
    help: "do not create the nightly schedule that erases requesters' contacts past their retention",
  },
  quiet: { type: 'boolean', default: false, help: 'no access log' },
  'log-level': {
    type: 'string',
    value: 'LEVEL',
    help: "the handlers' log level (POWERTOOLS_LOG_LEVEL; default WARN)",
  },
  'local-dir': {
    type: 'string',
    value: 'DIR',
    help: 'the folder of data/ and keys/ (default .hotline-local)',
  },
  faults: {
    type: 'string',
    value: 'RATE',
    help: 'fault injection for resilience tests: this share of handler and DynamoDB calls fail',
  },
  'fault-seed': {
    type: 'string',
    value: 'N',
    help: 'seed of the fault draws (default 1); POST /_local/faults changes both while running',
  },
} as const satisfies CliOptions;
const values = parseCommandLine(
  'npm start',
  'Runs the whole Hotline on this machine (docs/local-stack.md): the API, the lifecycle, the bus, the\nscheduler, DynamoDB Local and the dashboard, on one clock.',
  startOptions,
  process.argv.slice(2),
);

const fail = (message: string): never => failUsage('npm start', message);

const mode = values.clock as ClockMode;
if (!clockModes.includes(mode)) fail(`--clock is one of ${clockModes.join(', ')}`);
const port = Number(values.port);
if (!Number.isInteger(port) || port < 0 || port > 65535) fail('--port is a TCP port number');
const scale = values.scale === undefined ? undefined : Number(values.scale);
if (scale !== undefined && !(scale > 0)) fail('--scale is a positive number');
const startAt = values['start-at'] === undefined ? undefined : Date.parse(values['start-at']);
if (startAt !== undefined && Number.isNaN(startAt)) fail('--start-at is an ISO 8601 date-time');
const faultRate = values.faults === undefined ? undefined : Number(values.faults);
if (faultRate !== undefined && !(faultRate >= 0 && faultRate <= 0.5))
  fail('--faults is a rate from 0 to 0.5');
const faultSeed = values['fault-seed'] === undefined ? undefined : Number(values['fault-seed']);
if (faultSeed !== undefined && !Number.isInteger(faultSeed)) fail('--fault-seed is an integer');
const faults =
  faultRate === undefined
    ? undefined
    : { rate: faultRate, ...(faultSeed !== undefined ? { seed: faultSeed } : {}) };

const started = Date.now();
// A busy port is one line, before the slow start (and again if taken meanwhile: the catch below).
const portTaken = (): never => {
  console.error(portInUse(port));
  return process.exit(1);
};
if (!(await portIsFree(port))) portTaken();
console.log('Starting the Hotline local stack…');
const stack = await startLocalStack({
  port,
  fresh: values.fresh,
  ...(values['log-level'] ? { logLevel: values['log-level'] } : {}),
  ...(values['local-dir'] ? { localDir: values['local-dir'] } : {}),
  nightlyMining: !values['no-nightly-mining'],
  lifecycleReconciler: !values['no-lifecycle-reconciler'],
  callbackReconciler: !values['no-callback-reconciler'],
  contactRetention: !values['no-contact-retention'],
  ...(faults ? { faults } : {}),
  clock: { mode, ...(scale !== undefined ? { scale } : {}), ...(startAt !== undefined ? { startAt } : {}) },
}).catch((error: NodeJS.ErrnoException) =>
  error.code === 'EADDRINUSE' ? portTaken() : Promise.reject(error),
);
const readyMs = Date.now() - started;

const demo = values['no-demo']
  ? undefined
  : await seedDemoOrders(stack, (line) => console.log(`  demo ${line}`));

const routeWidth = Math.max(...localOnlyRoutes.map((r) => r.route.length)) + 2;
console.log(`
Hotline local stack ready in ${(readyMs / 1000).toFixed(1)} s
  API            ${stack.url}          (GET /health, /areas, /categories, /units, /orders …: docs/api.md)
  dashboard      ${stack.url}/dashboard/
  clock          ${stack.clock.mode}${stack.clock.mode === 'scaled' ? `, ×${stack.clock.scale}` : ''}; now ${new Date(stack.clock.now()).toISOString()}
  DynamoDB Local ${stack.dynamoEndpoint}     data in ${stack.dataDir}
  analytics      ${stack.analyticsDir}   (Parquet by month)
  AWS emulation  ${stack.awsEndpoint}     (Step Functions, EventBridge, Scheduler, Firehose, Athena APIs)
${demo ? `  demo orders    ${demo.created} created${demo.skipped ? ' (database already had orders: none added)' : ''}\n` : ''}
  Local routes on ${stack.url}, this machine only (docs/local-stack.md):
${localOnlyRoutes.map((r) => `    ${r.route.padEnd(routeWidth)}${r.what}`).join('\n')}

  A token:       npm run token -- --role operator
                 npm run token -- --role unit --unit st-110101001
  Try:           curl -H "Authorization: Bearer $(npm run -s token -- --role operator)" ${stack.url}/orders
Press Ctrl+C to stop.`);
stack.setAccessLog(!values.quiet);

let stopping = false;
const shutdown = async () => {
  if (stopping) return;
  stopping = true;
  console.log('\nStopping…');
  await stack.stop();
  process.exit(0);
};
process.on('SIGINT', shutdown);
process.on('SIGTERM', shutdown);
// The terminal closed: stop as on Ctrl+C, so DynamoDB Local does not outlive the stack.
process.on('SIGHUP', shutdown);
// A bug that escaped every handler: stop DynamoDB Local and the rest before dying, not after.
const crash = (error: unknown) => {
  console.error('The local stack failed:', error);
  if (stopping) process.exit(1);
  stopping = true;
  const bounded = new Promise((resolve) => setTimeout(resolve, 10_000).unref());
  void Promise.race([stack.stop(), bounded]).finally(() => process.exit(1));
};
process.on('uncaughtException', crash);
process.on('unhandledRejection', crash);
