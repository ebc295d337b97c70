import { existsSync, mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import {
  analyticsColumns,
  analyticsPartition,
  analyticsTable,
} from '../../functions/domain/analytics-row.ts';
import { referenceData } from '../../functions/shared/platform/reference.ts';
import { codeLists } from './batch.ts';
import { createContext, type GeneratorContext, type RunOptions } from './context.ts';
import { ratesForMonth } from './lifecycle.ts';
import type { MonthStats } from './model.ts';
import { formatCount, formatDuration, Progress, type ProgressSink } from './progress.ts';
import { type MonthDone, makeMonth, type WorkerMessage, type WorkerSetup } from './worker.ts';

/**
 * A whole run: the plan, the months made by worker threads (any order, any number of workers: the
 * files are the same), the manifest, and the summary. The manifest holds no wall-clock time and no
 * path, so the same options give a byte-identical output directory.
 */
export interface RunResult {
  readonly manifest: Manifest;
  readonly elapsedMs: number;
  readonly summary: string;
}

export interface Manifest {
  readonly generator: { readonly config: string; readonly schemaColumns: number };
  readonly arguments: {
    readonly orders: number;
    readonly years: number;
    readonly endMonth: string;
    readonly seed: string;
    readonly plant: boolean;
    readonly hashKey: 'default' | 'custom';
  };
  readonly range: { readonly from: string; readonly to: string; readonly snapshot: string };
  readonly totals: {
    readonly rows: number;
    readonly baseOrders: number;
    readonly plantedOrders: number;
    readonly bytes: number;
  };
  readonly months: readonly {
    readonly month: string;
    readonly rows: number;
    readonly plantedRows: number;
    readonly files: readonly {
      readonly path: string;
      readonly rows: number;
      readonly bytes: number;
      readonly sha256: string;
    }[];
  }[];
  readonly calendar: { readonly yearsWithoutOfficialHolidays: readonly number[] };
  readonly weather: GeneratorContext['plan']['weather'];
  readonly troubledTownships: readonly {
    readonly streetCode: string;
    readonly name: string;
    readonly districtCode: string;
    readonly volumeMultiplier: number;
  }[];
  readonly planted: GeneratorContext['planted']['facts'];
}

export interface RunArgs {
  readonly options: RunOptions;
  readonly outDir: string;
  /** Worker threads; 0 makes every month in this thread. */
  readonly workers: number;
  readonly progress?: ProgressSink;
}

const workerEntry = new URL('./worker.ts', import.meta.url).href;
const workerBoot = new URL('./worker-boot.mjs', import.meta.url);

/** Removes what an earlier run wrote (only the generator's own file names). */
const clearOutput = (outDir: string): void => {
  const root = join(outDir, analyticsTable);
  if (existsSync(root)) {
    for (const dir of readdirSync(root)) {
      if (!dir.startsWith(`${analyticsPartition.name}=`)) continue;
      for (const f of readdirSync(join(root, dir))) {
        if (/^part-\d{5}\.parquet(\.partial)?$/.test(f)) rmSync(join(root, dir, f));
      }
    }
  }
  rmSync(join(outDir, 'manifest.json'), { force: true });
};

const runInWorkers = (
  setup: WorkerSetup,
  monthCount: number,
  workers: number,
  onGenerated: () => void,
  onDone: (done: MonthDone) => void,
): Promise<void> =>
  new Promise((resolve, reject) => {
    let next = 0;
    let finished = 0;
    let failed = false;
    const pool: Worker[] = [];
    const stopAll = () => {
      for (const w of pool) void w.terminate();
    };
    const count = Math.min(workers, monthCount);
    for (let k = 0; k < count; k++) {
      const worker = new Worker(workerBoot, { workerData: { entry: workerEntry, generatorWorker: setup } });
      pool.push(worker);
      const feed = () => {
        if (next < monthCount) worker.postMessage({ type: 'month', index: next++ });
        else worker.postMessage({ type: 'stop' });
      };
      worker.on('message', (m: WorkerMessage) => {
        if (failed) return;
        if (m.type === 'ready') feed();
        else if (m.type === 'generated') onGenerated();
        else if (m.type === 'done') {
          onDone(m);
          finished++;
          if (finished === monthCount) {
            stopAll();
            resolve();
          } else feed();
        } else if (m.type === 'error') {
          failed = true;
          stopAll();
          reject(new Error(`A generator worker failed: ${m.message}\n${m.stack ?? ''}`));
        }
      });
      worker.on('error', (e) => {
        if (failed) return;
        failed = true;
        stopAll();
        reject(e);
      });
    }
  });

export const runGenerator = async (args: RunArgs): Promise<RunResult> => {
  const started = performance.now();
  const ctx = createContext(args.options);
  const { plan } = ctx;
  const expectedRows =
    plan.days.reduce((a, d) => a + d.count, 0) + ctx.planted.facts.reduce((a, f) => a + f.extraTotal, 0);
  mkdirSync(args.outDir, { recursive: true });
  clearOutput(args.outDir);
  const progress = new Progress(
    args.progress ?? { write: () => undefined },
    plan.months.length,
    expectedRows,
  );
  const results: MonthDone[] = new Array(plan.months.length);
  const onDone = (done: MonthDone) => {
    results[done.index] = done;
    progress.month(done.stats.month, done.stats.rows);
  };
  if (args.workers <= 0) {
    for (let index = 0; index < plan.months.length; index++) onDone(await makeMonth(ctx, args.outDir, index));
  } else {
    await runInWorkers(
      { options: args.options, outDir: args.outDir },
      plan.months.length,
      args.workers,
      () => progress.tick(),
      onDone,
    );
  }
  progress.finish();
  const manifest = buildManifest(ctx, results);
  writeFileSync(join(args.outDir, 'manifest.json'), `${JSON.stringify(manifest, null, 2)}\n`);
  const elapsedMs = performance.now() - started;
  return { manifest, elapsedMs, summary: summarise(ctx, manifest, results, elapsedMs) };
};

const buildManifest = (ctx: GeneratorContext, results: readonly MonthDone[]): Manifest => {
  const { options, plan, city, config } = ctx;
  const months = results.map((r) => ({
    month: r.stats.month,
    rows: r.stats.rows,
    plantedRows: r.stats.plantedRows.reduce((a, b) => a + b, 0),
    files: r.files.map((f) => ({ path: f.path, rows: f.rows, bytes: f.bytes, sha256: f.sha256 })),
  }));
  const rows = months.reduce((a, m) => a + m.rows, 0);
  const plantedOrders = months.reduce((a, m) => a + m.plantedRows, 0);
  return {
    generator: { config: config.version, schemaColumns: analyticsColumns.length },
    arguments: {
      orders: options.orders,
      years: options.years,
      endMonth: options.endMonth,
      seed: options.seed,
      plant: options.plant,
      hashKey: options.hashKey === undefined || options.hashKey === config.hashKey ? 'default' : 'custom',
    },
    range: {
      from: (plan.months[0] as { key: string }).key,
      to: options.endMonth,
      snapshot: new Date(ctx.lifecycle.snapshotMs).toISOString(),
    },
    totals: {
      rows,
      baseOrders: rows - plantedOrders,
      plantedOrders,
      bytes: months.reduce((a, m) => a + m.files.reduce((s, f) => s + f.bytes, 0), 0),
    },
    months,
    calendar: { yearsWithoutOfficialHolidays: plan.yearsWithoutHolidays },
    weather: plan.weather,
    troubledTownships: city.streets.flatMap((s, i) =>
      city.streetTroubled[i]
        ? [
            {
              streetCode: s.code,
              name: s.name,
              districtCode: s.parentCode,
              volumeMultiplier: Math.round((city.streetMultiplier[i] as number) * 1000) / 1000,
            },
          ]
        : [],
    ),
    planted: ctx.planted.facts,
  };
};

const pct = (x: number, total: number) => `${((100 * x) / Math.max(total, 1)).toFixed(1)} %`;

const summarise = (
  ctx: GeneratorContext,
  manifest: Manifest,
  results: readonly MonthDone[],
  elapsedMs: number,
): string => {
  const stats: MonthStats[] = results.map((r) => r.stats);
  const total = manifest.totals.rows;
  const lines: string[] = [];
  lines.push(
    `Generated ${formatCount(total)} orders (${formatCount(manifest.totals.baseOrders)} base + ${formatCount(manifest.totals.plantedOrders)} planted), ${manifest.range.from} … ${manifest.range.to}, seed "${manifest.arguments.seed}"`,
  );
  const byYear = new Map<string, { rows: number; answered: number; solved: number; satisfied: number }>();
  for (const s of stats) {
    const y = s.month.slice(0, 4);
    const e = byYear.get(y) ?? { rows: 0, answered: 0, solved: 0, satisfied: 0 };
    byYear.set(y, {
      rows: e.rows + s.rows,
      answered: e.answered + s.answered,
      solved: e.solved + s.solvedCredit,
      satisfied: e.satisfied + s.satisfiedCredit,
    });
  }
  lines.push(
    'Orders per year (resolution / satisfaction rate of assessed, answered orders; configured target):',
  );
  for (const [y, e] of byYear) {
    const target = ratesForMonth(ctx.config, `${y}-07`);
    lines.push(
      `  ${y}  ${formatCount(e.rows).padStart(12)}   ${pct(e.solved, e.answered)} / ${pct(e.satisfied, e.answered)}   (${pct(target.solved, 1)} / ${pct(target.satisfied, 1)})`,
    );
  }
  const sum = (pick: (s: MonthStats) => readonly number[]) => {
    const out: number[] = [];
    for (const s of stats)
      pick(s).forEach((v, i) => {
        out[i] = (out[i] ?? 0) + v;
      });
    return out;
  };
  const appeal = sum((s) => s.appeal);
  lines.push(
    `Appeal types: ${codeLists.appeal_type
      .slice(1)
      .map((name, i) => `${name} ${pct(appeal[i + 1] ?? 0, total)}`)
      .join(', ')}`,
  );
  const channel = sum((s) => s.channel);
  lines.push(
    `Channels: ${codeLists.channel
      .slice(1)
      .map((name, i) => `${name} ${pct(channel[i + 1] ?? 0, total)}`)
      .join(', ')}`,
  );
  const disposed = stats.reduce((a, s) => a + s.disposed, 0);
  const dispatched = stats.reduce((a, s) => a + s.dispatched, 0);
  lines.push(
    `Closed at intake (Art. 11 dispositions) ${pct(disposed, total)}, dispatched ${pct(dispatched, total)}`,
  );
  const leaves = sum((s) => s.leaf);
  const top = leaves
    .map((n, i) => [n, i] as const)
    .sort((a, b) => b[0] - a[0])
    .slice(0, 10);
  lines.push('Top categories:');
  for (const [n, i] of top) {
    const code = ctx.city.leafCodes[i] as string;
    lines.push(`  ${code} ${referenceData.category(code)?.name ?? ''}  ${formatCount(n)} (${pct(n, total)})`);
  }
  if (manifest.planted.length > 0) {
    lines.push('Planted facts:');
    for (const f of manifest.planted)
      lines.push(
        `  ${f.kind.padEnd(8)} ${f.description}: +${formatCount(f.extraTotal)} orders, ${f.from} … ${f.to}`,
      );
  }
  const years = manifest.calendar.yearsWithoutOfficialHolidays;
  if (years.length > 0)
    lines.push(
      `No official holiday calendar for ${years.join(', ')}: weekly rhythm only in those years (data/holidays.json).`,
    );
  const files = manifest.months.reduce((a, m) => a + m.files.length, 0);
  lines.push(
    `Files: ${files} Parquet files, ${(manifest.totals.bytes / 1e6).toFixed(1)} MB (${(((manifest.totals.bytes / Math.max(total, 1)) * 1e6) / 1e6).toFixed(1)} MB per million orders)`,
  );
  const generateMs = results.reduce((a, r) => a + r.generateMs, 0);
  const writeMs = results.reduce((a, r) => a + r.writeMs, 0);
  lines.push(
    `Time: ${formatDuration(elapsedMs)} (${formatCount(total / Math.max(elapsedMs / 1000, 1e-3))} orders/s; worker time ${formatDuration(generateMs)} generating, ${formatDuration(writeMs)} writing)`,
  );
  return lines.join('\n');
};
