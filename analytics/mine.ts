import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import type { Insight, SpikeAlert } from '../functions/domain/insights.ts';
import { type MiningReport, mineInsights } from '../functions/shared/mining/mine-insights.ts';
import { referenceData } from '../functions/shared/platform/reference.ts';
import { openDuckDb } from './duckdb-engine.ts';

/**
 * npm run mine -- [--root DIR …] [--month YYYY-MM] [--day YYYY-MM-DD] [--out DIR] [--json]
 * npm run mine -- --api http://localhost:3000 [--month …] [--day …]
 *
 * The mining of proactive governance on this machine: the same steps the nightly schedule runs
 * (functions/shared/mining/mine-insights.ts), on DuckDB over the analytics store's Parquet files —
 * by default the generated history (.hotline-local/analytics/history) and the local stack's live
 * store (.hotline-local/data/analytics). Prints each step and what it found; `--out` keeps every
 * insight as JSON; `--json` prints timings and peak memory per step (the benchmark reads it). With
 * `--api`, a running local stack mines its own store (POST /_local/mining) and keeps the insights that
 * its API and dashboard serve.
 */
const { values } = parseArgs({
  options: {
    root: { type: 'string', multiple: true },
    month: { type: 'string' },
    day: { type: 'string' },
    out: { type: 'string' },
    api: { type: 'string' },
    json: { type: 'boolean', default: false },
    'memory-limit': { type: 'string', default: '3GB' },
    help: { type: 'boolean', default: false },
  },
  strict: true,
});

const usage = `Usage: npm run mine -- [--root DIR …] [--month YYYY-MM] [--day YYYY-MM-DD] [--out DIR] [--json]
       npm run mine -- --api http://localhost:3000 [--month YYYY-MM] [--day YYYY-MM-DD]`;

const fail = (message: string): never => {
  console.error(message);
  process.exit(2);
};

if (values.help) {
  console.log(usage);
  process.exit(0);
}
if (values.month !== undefined && !/^\d{4}-(0[1-9]|1[0-2])$/.test(values.month)) fail('--month is YYYY-MM');
if (values.day !== undefined && !/^\d{4}-\d{2}-\d{2}$/.test(values.day)) fail('--day is YYYY-MM-DD');
const period = {
  ...(values.month ? { month: values.month } : {}),
  ...(values.day ? { day: values.day } : {}),
};

const printReport = (report: MiningReport) => {
  console.log(`Mining run ${report.runId}: month ${report.month}, day ${report.day}`);
  for (const s of report.steps)
    console.log(`  ${s.kind.padEnd(10)} ${s.period.padEnd(10)} ${String(s.ms).padStart(7)} ms  ${s.summary}`);
};

const viaApi = async (api: string) => {
  const response = await fetch(`${api.replace(/\/$/, '')}/_local/mining`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(period),
  });
  const body = (await response.json()) as MiningReport & { error?: { message: string } };
  if (!response.ok) fail(`The local stack answered ${response.status}: ${body.error?.message ?? ''}`);
  printReport(body);
};

/** Resident memory, sampled while a step runs: DuckDB's native memory counts, not only the JS heap. */
const memorySampler = () => {
  let peak = 0;
  const sample = () => {
    peak = Math.max(peak, process.memoryUsage().rss);
  };
  const timer = setInterval(sample, 20);
  return {
    /** The peak since the last call, and starts over. */
    take: () => {
      sample();
      const p = peak;
      peak = 0;
      return p;
    },
    stop: () => clearInterval(timer),
  };
};

const standalone = async () => {
  const roots = (values.root ?? ['.hotline-local/analytics/history', '.hotline-local/data/analytics']).map(
    (r) => resolve(r),
  );
  const scratch = mkdtempSync(join(tmpdir(), 'hotline-mine-'));
  const memory = memorySampler();
  const started = Date.now();
  const engine = await openDuckDb({
    roots,
    databaseFile: join(scratch, 'mining.duckdb'),
    memoryLimit: values['memory-limit'],
    threads: 2,
    materializeLatest: false,
  });
  const prepared = { kind: 'latest_orders', ms: Date.now() - started, peakRssBytes: memory.take() };
  const [{ rows = 0 } = {}] = (await engine.query('SELECT count(*) AS rows FROM latest_orders')) as {
    rows?: number;
  }[];
  if (!values.json)
    console.log(
      `latest_orders: ${rows.toLocaleString('en-US')} orders in ${prepared.ms} ms (${roots.join(', ')})`,
    );
  const insights: Insight[] = [];
  const alerts = new Map<string, SpikeAlert & { published: boolean }>();
  const peaks: number[] = [];
  try {
    const report = await mineInsights(
      {
        engine,
        reference: referenceData,
        sink: {
          putInsight: async (i) => void insights.push(i),
          recordAlert: async (a) => {
            const known = alerts.get(a.id);
            if (!known) alerts.set(a.id, { ...a, published: false });
            return !known?.published;
          },
          markAlertPublished: async (id) => {
            const a = alerts.get(id);
            if (a) a.published = true;
          },
          topicChoicesBefore: async () => [],
        },
        // Standalone there is no bus: the alerts are printed and kept with the insights.
        publishSpikes: async () => undefined,
        now: () => Date.now(),
        runId: `mining-cli-${new Date().toISOString()}`,
        progress: (line) => {
          peaks.push(memory.take());
          if (!values.json) console.log(`  ${line}`);
        },
      },
      period,
    );
    const total = Date.now() - started;
    const peakRssBytes = Math.max(prepared.peakRssBytes, ...peaks, process.resourceUsage().maxRSS * 1024);
    if (values.json) {
      console.log(
        JSON.stringify({
          orders: rows,
          roots,
          totalMs: total,
          peakRssBytes,
          steps: [prepared, ...report.steps.map((s, i) => ({ ...s, peakRssBytes: peaks[i] ?? 0 }))],
        }),
      );
    } else {
      console.log(
        `Done in ${(total / 1000).toFixed(1)} s, peak memory ${(peakRssBytes / 2 ** 30).toFixed(2)} GiB`,
      );
      summarise(insights, [...alerts.values()]);
    }
    if (values.out) {
      const out = resolve(values.out);
      mkdirSync(out, { recursive: true });
      for (const i of insights)
        writeFileSync(join(out, `${i.kind}-${i.period.replace('#', '-')}.json`), JSON.stringify(i, null, 2));
      writeFileSync(join(out, 'alerts.json'), JSON.stringify([...alerts.values()], null, 2));
      if (!values.json) console.log(`Insights written to ${out}`);
    }
  } finally {
    memory.stop();
    engine.close();
    rmSync(scratch, { recursive: true, force: true });
  }
};

/** What a person reads first: the month's top topics, the proposals, the alerts, the season ahead. */
const summarise = (insights: readonly Insight[], alerts: readonly SpikeAlert[]) => {
  const of = <T>(kind: string) => insights.find((i) => i.kind === kind)?.result as T | undefined;
  const topics = of<{ candidates: { rank: number; categoryCode: string; name?: string; score: number }[] }>(
    'topics',
  );
  if (topics) {
    console.log('每月一题 candidates:');
    for (const c of topics.candidates.slice(0, 5))
      console.log(`  ${c.rank}. ${c.categoryCode} ${c.name ?? ''}  score ${c.score.toFixed(3)}`);
  }
  const townships = of<{ proposals: { streetCode: string; name?: string }[] }>('townships');
  if (townships)
    console.log(
      `治理类街乡镇 proposed: ${townships.proposals.map((p) => `${p.name ?? p.streetCode}`).join('、') || 'none'}`,
    );
  console.log(`Alerts (Art. 29): ${alerts.length}`);
  for (const a of alerts.slice(0, 5))
    console.log(
      `  ${a.day} ${a.categoryCode} ${a.areaLevel} ${a.areaCode}: ${a.observed} (expected ${a.expected.toFixed(1)}, ${a.method})`,
    );
  const outlook = of<{
    prepareNow: { category: string; name?: string; seasonStart: string; expectedOrders: number }[];
  }>('outlook');
  if (outlook)
    for (const p of outlook.prepareNow)
      console.log(
        `Prepare now: ${p.category} ${p.name ?? ''} from ${p.seasonStart}, ~${Math.round(p.expectedOrders)} orders`,
      );
};

if (values.api) await viaApi(values.api);
else await standalone();
