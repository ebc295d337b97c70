import './quiet-sdk-warning.ts';
import { parseArgs } from 'node:util';
import { type ClockMode, clockModes } from './clock.ts';
import { seedDemoOrders } from './demo-orders.ts';
import { startLocalStack } from './stack.ts';

/**
 * `npm start`: the whole Hotline on this machine, with the demo city and a few demo orders.
 *   --fresh             start with empty data (orders, executions, clock, analytics); keys are kept
 *   --port N            HTTP port (default 3000)
 *   --clock MODE        real (default), scaled or manual
 *   --scale N           virtual seconds per real second for --clock scaled (default 1440: a day a minute)
 *   --start-at ISO      the clock's starting instant
 *   --no-demo           do not create demo orders on an empty database
 *   --no-nightly-mining do not create the nightly mining schedule (POST /_local/mining still mines)
 *   --quiet             no access log
 */
const { values } = parseArgs({
  options: {
    fresh: { type: 'boolean', default: false },
    port: { type: 'string', default: process.env.PORT ?? '3000' },
    clock: { type: 'string', default: 'real' },
    scale: { type: 'string' },
    'start-at': { type: 'string' },
    'no-demo': { type: 'boolean', default: false },
    'no-nightly-mining': { type: 'boolean', default: false },
    quiet: { type: 'boolean', default: false },
    'log-level': { type: 'string' },
    'local-dir': { type: 'string' },
  },
  strict: true,
});

const fail = (message: string): never => {
  console.error(message);
  process.exit(2);
};

const mode = values.clock as ClockMode;
if (!clockModes.includes(mode)) fail(`--clock is one of ${clockModes.join(', ')}`);
const port = Number(values.port);
if (!Number.isInteger(port) || port < 0 || port > 65535) fail('--port is a TCP port number');
const scale = values.scale === undefined ? undefined : Number(values.scale);
if (scale !== undefined && !(scale > 0)) fail('--scale is a positive number');
const startAt = values['start-at'] === undefined ? undefined : Date.parse(values['start-at']);
if (startAt !== undefined && Number.isNaN(startAt)) fail('--start-at is an ISO 8601 date-time');

const started = Date.now();
console.log('Starting the Hotline local stack…');
const stack = await startLocalStack({
  port,
  fresh: values.fresh,
  ...(values['log-level'] ? { logLevel: values['log-level'] } : {}),
  ...(values['local-dir'] ? { localDir: values['local-dir'] } : {}),
  nightlyMining: !values['no-nightly-mining'],
  clock: { mode, ...(scale !== undefined ? { scale } : {}), ...(startAt !== undefined ? { startAt } : {}) },
});
const readyMs = Date.now() - started;

const demo = values['no-demo']
  ? undefined
  : await seedDemoOrders(stack, (line) => console.log(`  demo ${line}`));

console.log(`
Hotline local stack ready in ${(readyMs / 1000).toFixed(1)} s
  API            ${stack.url}          (GET /health, /areas, /categories, /units, /orders …)
  clock          ${stack.url}/_local/clock   (${stack.clock.mode}${stack.clock.mode === 'scaled' ? `, ×${stack.clock.scale}` : ''}; now ${new Date(stack.clock.now()).toISOString()})
  bus events     ${stack.url}/_local/events
  executions     ${stack.url}/_local/executions/<order id>
  DynamoDB Local ${stack.dynamoEndpoint}     data in ${stack.dataDir}
  analytics      ${stack.analyticsDir}   (Parquet by month; ${stack.url}/_local/analytics)
  AWS emulation  ${stack.awsEndpoint}     (Step Functions, EventBridge, Scheduler, Firehose, Athena APIs)
  dashboard      ${stack.url}/dashboard/
${demo ? `  demo orders    ${demo.created} created${demo.skipped ? ' (database already had orders: none added)' : ''}\n` : ''}
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
