import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir, totalmem } from 'node:os';
import { join, relative, resolve } from 'node:path';
import { openDuckDb } from '../analytics/duckdb-engine.ts';
import { failUsage, parseCommandLine } from '../local/cli.ts';
import { resultsFolder } from './results-folder.ts';

/**
 * `npm run bench:analytics`: proactive governance at Beijing's scale, on this machine.
 *   - generation: time and peak memory of `npm run generate` for each size, Parquet bytes;
 *   - mining: `npm run mine -- --json` over the generated year, each step's time and peak memory;
 *   - a floor measured in the same run: DuckDB counting the rows of the same files (read cost only).
 * Sizes default to one million and one Beijing year (25 million orders, ~10+ minutes to generate).
 * Results: analytics.json and analytics.md in .hotline-local/bench/ (git-ignored), or with `--save` in
 * bench/results/ (the committed figures). The data is deleted after.
 */
const values = parseCommandLine(
  'npm run bench:analytics',
  'Generates and mines order history of each size on this machine, with time and peak memory.',
  {
    sizes: { type: 'string', default: '1M,25M', value: 'LIST', help: 'sizes to run (default 1M,25M)' },
    end: { type: 'string', default: '2026-11', value: 'YYYY-MM', help: 'last month of each history' },
    keep: { type: 'boolean', default: false, help: 'keep the generated data' },
    out: {
      type: 'string',
      value: 'DIR',
      help: 'where analytics.json and analytics.md go (default .hotline-local/bench, git-ignored)',
    },
    save: { type: 'boolean', default: false, help: 'write them to bench/results/, the committed figures' },
  },
  process.argv.slice(2),
);
if (values.save && values.out) failUsage('npm run bench:analytics', '--save and --out are exclusive');
const resultsDir = resultsFolder({ save: values.save, out: values.out });
const root = resolve(import.meta.dirname, '..');
const sizes = values.sizes.split(',').map((s) => {
  const m = /^(\d+(?:\.\d+)?)([kKmM]?)$/.exec(s.trim());
  if (!m) throw new Error(`Not a size: ${s}`);
  return Math.round(
    Number(m[1]) * (m[2]?.toLowerCase() === 'm' ? 1e6 : m[2]?.toLowerCase() === 'k' ? 1e3 : 1),
  );
});

/** Runs a command under GNU time: its wall time, peak resident memory and standard output. */
const timed = (command: string, args: readonly string[], onLine?: (line: string) => void) =>
  new Promise<{ wallMs: number; peakRssBytes: number; stdout: string }>((resolvePromise, reject) => {
    const timeFile = join(tmpdir(), `hotline-bench-time-${process.pid}-${Date.now()}`);
    const started = Date.now();
    const child = spawn('/usr/bin/time', ['-f', '%M', '-o', timeFile, command, ...args], {
      cwd: root,
      stdio: ['ignore', 'pipe', 'inherit'],
      env: { ...process.env, NODE_NO_WARNINGS: '1' },
    });
    let stdout = '';
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
      for (const line of chunk.toString().split(/[\r\n]+/)) if (line.trim()) onLine?.(line);
    });
    child.once('error', reject);
    child.once('exit', (code) => {
      const wallMs = Date.now() - started;
      if (code !== 0) return reject(new Error(`${command} ${args.join(' ')} exited with ${code}`));
      const kib = Number(readFileSync(timeFile, 'utf8').trim().split('\n').at(-1));
      rmSync(timeFile, { force: true });
      resolvePromise({ wallMs, peakRssBytes: kib * 1024, stdout });
    });
  });

const parquetBytes = (dir: string): { files: number; bytes: number } => {
  let files = 0;
  let bytes = 0;
  const walk = (d: string) => {
    for (const entry of readdirSync(d, { withFileTypes: true })) {
      const path = join(d, entry.name);
      if (entry.isDirectory()) walk(path);
      else if (entry.name.endsWith('.parquet')) {
        files++;
        bytes += statSync(path).size;
      }
    }
  };
  walk(dir);
  return { files, bytes };
};

interface MiningStep {
  kind: string;
  period?: string;
  ms: number;
  peakRssBytes: number;
  summary?: string;
}
interface SizeResult {
  orders: number;
  generation: { wallMs: number; peakRssBytes: number; files: number; parquetBytes: number };
  floor: { countMs: number };
  mining: { totalMs: number; peakRssBytes: number; steps: MiningStep[] };
}

const tsx = join(root, 'node_modules', '.bin', 'tsx');
const results: SizeResult[] = [];
for (const orders of sizes) {
  const out = mkdtempSync(join(tmpdir(), `hotline-bench-${orders}-`));
  try {
    console.log(
      `\n== ${orders.toLocaleString('en-US')} orders: generating (one year ending ${values.end}) …`,
    );
    let lastProgress = 0;
    const generation = await timed(
      tsx,
      [
        'analytics/generate.ts',
        '--orders',
        String(orders),
        '--years',
        '1',
        '--end',
        values.end,
        '--plant',
        '--out',
        out,
      ],
      (line) => {
        // The generator's progress bar, one line every few seconds here.
        if (Date.now() - lastProgress > 5000 && /months/.test(line)) {
          lastProgress = Date.now();
          console.log(`   ${line.trim()}`);
        }
      },
    );
    const { files, bytes } = parquetBytes(out);
    console.log(
      `   generated in ${(generation.wallMs / 1000).toFixed(1)} s, ${files} files, ${(bytes / 2 ** 20).toFixed(0)} MiB`,
    );

    const floorStarted = Date.now();
    const engine = await openDuckDb({ roots: [out], threads: 2 });
    await engine.query('SELECT count(*) AS n FROM orders');
    engine.close();
    const floor = { countMs: Date.now() - floorStarted };

    console.log('   mining …');
    const mining = await timed(tsx, [
      'analytics/mine.ts',
      '--root',
      out,
      '--month',
      values.end,
      '--day',
      `${values.end}-11`,
      '--json',
    ]);
    const report = JSON.parse(mining.stdout.trim().split('\n').at(-1) ?? '{}') as {
      totalMs: number;
      peakRssBytes: number;
      steps: MiningStep[];
    };
    console.log(
      `   mined in ${(report.totalMs / 1000).toFixed(1)} s, peak ${(mining.peakRssBytes / 2 ** 30).toFixed(2)} GiB`,
    );
    for (const s of report.steps)
      console.log(
        `     ${s.kind.padEnd(13)} ${String(s.ms).padStart(7)} ms  ${(s.peakRssBytes / 2 ** 20).toFixed(0)} MiB`,
      );
    results.push({
      orders,
      generation: {
        wallMs: generation.wallMs,
        peakRssBytes: generation.peakRssBytes,
        files,
        parquetBytes: bytes,
      },
      floor,
      mining: {
        totalMs: report.totalMs,
        peakRssBytes: Math.max(report.peakRssBytes, mining.peakRssBytes),
        steps: report.steps,
      },
    });
  } finally {
    if (!values.keep) rmSync(out, { recursive: true, force: true });
  }
}

const machine = {
  cpus: cpus().length,
  cpu: cpus()[0]?.model ?? 'unknown',
  memoryGiB: Math.round(totalmem() / 2 ** 30),
  node: process.version,
  at: new Date().toISOString(),
};
mkdirSync(resultsDir, { recursive: true });
writeFileSync(join(resultsDir, 'analytics.json'), `${JSON.stringify({ machine, results }, null, 2)}\n`);

const mib = (b: number) => `${(b / 2 ** 20).toFixed(0)} MiB`;
const gib = (b: number) => `${(b / 2 ** 30).toFixed(2)} GiB`;
const s = (ms: number) => `${(ms / 1000).toFixed(1)} s`;
const targets =
  'Targets (issue 8): a Beijing year (25 M orders) generated in under 10 minutes, mined in under 60 s and 4 GB.';
const md = [
  `# Analytics benchmark (${machine.at})`,
  '',
  `${machine.cpus} cores (${machine.cpu}), ${machine.memoryGiB} GiB, Node ${machine.node}. ${targets}`,
  'Each size is one year of orders ending with the given month, with the planted facts; the mining is',
  '`npm run mine` over DuckDB (2 threads, 3 GB memory limit). The floor is DuckDB counting the rows of',
  'the same files in the same run.',
  '',
  '| orders | generation | orders/s | peak memory | Parquet | per million | mining | peak memory | floor (count) |',
  '| --- | --- | --- | --- | --- | --- | --- | --- | --- |',
  ...results.map(
    (r) =>
      `| ${r.orders.toLocaleString('en-US')} | ${s(r.generation.wallMs)} | ${Math.round(r.orders / (r.generation.wallMs / 1000)).toLocaleString('en-US')} | ${gib(r.generation.peakRssBytes)} | ${mib(r.generation.parquetBytes)} (${r.generation.files} files) | ${mib(r.generation.parquetBytes / (r.orders / 1e6))} | ${s(r.mining.totalMs)} | ${gib(r.mining.peakRssBytes)} | ${s(r.floor.countMs)} |`,
  ),
  '',
  'Mining steps (time; peak resident memory while the step ran):',
  '',
  `| step | ${results.map((r) => `${(r.orders / 1e6).toLocaleString('en-US')} M`).join(' | ')} |`,
  `| --- | ${results.map(() => '---').join(' | ')} |`,
  ...(results[0]?.mining.steps ?? []).map(
    (step, i) =>
      `| ${step.kind} | ${results
        .map((r) => {
          const x = r.mining.steps[i];
          return x ? `${s(x.ms)}, ${mib(x.peakRssBytes)}` : '—';
        })
        .join(' | ')} |`,
  ),
  '',
];
writeFileSync(join(resultsDir, 'analytics.md'), md.join('\n'));
console.log(
  `\n${md.join('\n')}\nWritten to ${relative(process.cwd(), resultsDir) || '.'}/analytics.{json,md}.`,
);
