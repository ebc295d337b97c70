import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { lastFullMonth } from './generator/calendar.ts';
import { runGenerator } from './generator/run.ts';
import { replay } from './replay.ts';

/**
 * npm run generate -- --orders N [--years Y] [--end YYYY-MM] [--seed S] [--out DIR] [--plant]
 *                     [--workers W] [--hash-key K]
 *
 * Synthetic Beijing-scale order history in the analytics store's schema: Parquet (ZSTD) per CST
 * month of receipt under <out>/orders/month=YYYY-MM/, and <out>/manifest.json. The same arguments
 * give byte-identical files. See docs/generator.md.
 */
const usage = `Usage: npm run generate -- --orders N [--years Y] [--end YYYY-MM] [--seed S] [--out DIR] [--plant] [--workers W] [--hash-key K]
  --orders N     orders in the whole range (e.g. 1000000, 1e6, 25M, 500k)
  --years Y      whole years ending with --end (default 1)
  --end YYYY-MM  the last month (default: the last full month in China Standard Time)
  --seed S       the seed (default "hotline")
  --out DIR      output root (default .hotline-local/analytics/history)
  --plant        add the planted facts (rising category, district spike, hotspot, seasonal pattern)
  --workers W    worker threads (default 2; 0 = this thread)
  --hash-key K   key of the keyed hashes (default: the documented key in data/generator.json)

       npm run generate -- --replay N [--api URL] [--seed S] [--local-dir DIR] [--step MINUTES]
  --replay N     play a month of N generated orders (default 1000) through a running local stack's API
                 on its manual clock (npm start -- --clock manual), starting at the stack's "now"
  --api URL      the stack (default http://localhost:3000)
  --local-dir D  the stack's local folder, for its JWT key (default .hotline-local)
  --step M       clock step in minutes (default 15)`;

const parseCount = (text: string): number => {
  const m = /^(\d+(?:\.\d+)?(?:e\d+)?)([kKmM]?)$/.exec(text.replaceAll('_', '').replaceAll(',', ''));
  if (!m) throw new Error(`Not a count: ${text}`);
  const factor = m[2]?.toLowerCase() === 'k' ? 1e3 : m[2]?.toLowerCase() === 'm' ? 1e6 : 1;
  const n = Math.round(Number(m[1]) * factor);
  if (!Number.isSafeInteger(n) || n < 1) throw new Error(`Not a positive count: ${text}`);
  return n;
};

const main = async () => {
  const { values } = parseArgs({
    options: {
      orders: { type: 'string' },
      years: { type: 'string', default: '1' },
      end: { type: 'string' },
      seed: { type: 'string', default: 'hotline' },
      out: { type: 'string', default: '.hotline-local/analytics/history' },
      plant: { type: 'boolean', default: false },
      workers: { type: 'string', default: '2' },
      'hash-key': { type: 'string' },
      replay: { type: 'string' },
      api: { type: 'string', default: 'http://localhost:3000' },
      'local-dir': { type: 'string', default: '.hotline-local' },
      step: { type: 'string', default: '15' },
      help: { type: 'boolean', default: false },
    },
    strict: true,
  });
  if (values.replay !== undefined) {
    const stepMinutes = Number(values.step);
    if (!(stepMinutes >= 1 && stepMinutes <= 24 * 60))
      throw new Error(`--step must be 1 to 1440 minutes: ${values.step}`);
    const result = await replay({
      api: values.api.replace(/\/$/, ''),
      orders: values.replay === '' ? 1000 : parseCount(values.replay),
      seed: values.seed,
      localDir: resolve(values['local-dir']),
      stepMinutes,
      log: (line) => console.log(line),
    });
    const seconds = result.elapsedMs / 1000;
    console.log(
      `Replayed ${result.orders} orders with ${result.actions} API actions and ${result.clockMoves} clock steps (${result.from} … ${result.to}) in ${seconds.toFixed(1)} s: ${(result.orders / seconds).toFixed(1)} orders/s, ${(result.actions / seconds).toFixed(1)} actions/s`,
    );
    const failures = Object.entries(result.failures);
    if (failures.length > 0) console.log(`Not done: ${failures.map(([k, v]) => `${k} ×${v}`).join(', ')}`);
    return;
  }
  if (values.help || !values.orders) {
    console.log(usage);
    process.exitCode = values.help ? 0 : 2;
    return;
  }
  const years = Number(values.years);
  if (!Number.isInteger(years) || years < 1 || years > 30)
    throw new Error(`--years must be a whole number of years, 1 to 30: ${values.years}`);
  const workers = Number(values.workers);
  if (!Number.isInteger(workers) || workers < 0 || workers > 64)
    throw new Error(`--workers must be 0 to 64: ${values.workers}`);
  const endMonth = values.end ?? lastFullMonth(Date.now());
  if (!/^\d{4}-(0[1-9]|1[0-2])$/.test(endMonth)) throw new Error(`--end must be YYYY-MM: ${endMonth}`);
  const options = {
    orders: parseCount(values.orders),
    years,
    endMonth,
    seed: values.seed,
    plant: values.plant,
    hashKey: values['hash-key'],
  };
  const outDir = resolve(values.out);
  console.log(
    `Generating ${options.orders.toLocaleString('en-US')} orders over ${years} year(s) ending ${endMonth}${values.end ? '' : ' (the last full CST month; pass --end to repeat this run)'}, seed "${options.seed}"${options.plant ? ', with planted facts' : ''}, ${workers} worker(s) → ${outDir}`,
  );
  const result = await runGenerator({ options, outDir, workers, progress: process.stdout });
  console.log(result.summary);
  console.log(`Manifest: ${resolve(outDir, 'manifest.json')}`);
};

main().catch((e: unknown) => {
  console.error(e instanceof Error ? e.message : e);
  process.exitCode = 1;
});
