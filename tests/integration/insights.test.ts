import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Manifest, runGenerator } from '../../analytics/generator/run.ts';
import { addDaysToDate } from '../../functions/domain/china-time.ts';
import { eventually, type StackProcess, startStackProcess } from './local-stack-process.ts';

/**
 * Proactive governance on the real local stack, end to end: a generated history (with planted facts)
 * in the stack's analytics folder, the mining handler run on demand (POST /_local/mining) and by its
 * nightly schedule on the stack clock — through Athena's local twin — and what the insights API, the
 * bus and the centre's topic choices give back. The manual clock starts on 2 December 2026 in Beijing.
 */
let stack: StackProcess;
let localDir: string;
let manifest: Manifest;
let supervisor: string;
let auditor: string;

const get = (path: string, token = auditor) => stack.api('GET', path, { token });

beforeAll(async () => {
  localDir = mkdtempSync(join(tmpdir(), 'hotline-insights-'));
  ({ manifest } = await runGenerator({
    options: { orders: 300_000, years: 3, endMonth: '2026-11', seed: 'insights-test', plant: true },
    outDir: join(localDir, 'analytics', 'history'),
    workers: 2,
  }));
  stack = await startStackProcess({ startAt: '2026-12-02T09:00:00+08:00', localDir, nightlyMining: true });
  supervisor = await stack.token('supervisor');
  auditor = await stack.token('auditor');
}, 240_000);

afterAll(async () => {
  await stack?.stop();
  if (localDir) rmSync(localDir, { recursive: true, force: true });
});

const spike = () => {
  const planted = manifest.planted.find((p) => p.kind === 'spike');
  if (!planted) throw new Error('the manifest has no planted spike');
  return planted;
};

describe('the insights of the mining', () => {
  it('answers 404 INSIGHT_NOT_COMPUTED before any mining run', async () => {
    const response = await get('/insights/topics');
    expect(response.status).toBe(404);
    expect(response.body.error.code).toBe('INSIGHT_NOT_COMPUTED');
  });

  it('mines a month and a day on demand, and serves every insight for them', async () => {
    // Act: the planted spike's second day
    const day = addDaysToDate(spike().from, 1);
    const run = await stack.api('POST', '/_local/mining', { body: { month: '2026-11', day } });

    // Assess: every step ran, and the API serves each insight of that run
    expect(run.status, JSON.stringify(run.body)).toBe(200);
    expect(run.body.steps.map((s: { kind: string }) => s.kind)).toEqual([
      'topics',
      'townships',
      'rates',
      'heatmap',
      'outlook',
      'hotspots',
      'alerts',
    ]);
    for (const path of [
      '/insights/topics?month=2026-11',
      '/insights/townships?month=2026-11',
      '/insights/rates?month=2026-11&class=street',
      '/insights/heatmap?month=2026-11',
      '/insights/outlook?month=2026-11',
      `/insights/hotspots?day=${day}`,
    ]) {
      const response = await get(path);
      expect(response.status, path).toBe(200);
      expect(response.body.runId, path).toBe(run.body.runId);
    }
    const topics = (await get('/insights/topics')).body;
    expect(topics.period).toBe('2026-11');
    expect(topics.result.candidates.length).toBeGreaterThan(0);
    const rates = (await get('/insights/rates?class=street')).body;
    expect(rates.result.items.length).toBeGreaterThan(100);
  });

  it('raises the planted spike as an alert, published once on the bus as Insight Spike Detected', async () => {
    // Prepare
    const planted = spike();
    const alerts = (await get(`/insights/alerts?from=${planted.from}&to=${planted.to}`)).body.items;

    // Act: the same day mined again
    const day = alerts[0]?.day;
    await stack.api('POST', '/_local/mining', { body: { month: '2026-11', day, kinds: ['alerts'] } });
    const events = (await stack.api('GET', '/_local/events?detailType=Insight%20Spike%20Detected')).body
      .items;

    // Assess
    const ours = alerts.filter(
      (a: { categoryCode: string; areaCode: string }) =>
        a.categoryCode === planted.categoryCode && a.areaCode === planted.districtCode,
    );
    expect(ours.length).toBeGreaterThan(0);
    const published = events.filter((e: { detail: { id: string } }) => e.detail.id === ours[0].id);
    expect(published).toHaveLength(1);
    expect(published[0].source).toBe('hotline.insights');
  });

  it('marks a topic the centre chose in an earlier month, and only a supervisor may choose', async () => {
    // Prepare
    const first = (await get('/insights/topics?month=2026-11')).body.result.candidates[0].categoryCode;

    // Act
    const chosen = await stack.api('PUT', '/insights/topics/2026-10/choice', {
      token: supervisor,
      body: { categoryCode: first, note: '专项治理' },
    });
    const byAuditor = await stack.api('PUT', '/insights/topics/2026-10/choice', {
      token: auditor,
      body: { categoryCode: first },
    });
    const badBody = await stack.api('PUT', '/insights/topics/2026-10/choice', {
      token: supervisor,
      body: { categoryCode: 'heating' },
    });
    const marked = (await get('/insights/topics?month=2026-11')).body.result.candidates[0];

    // Assess
    expect(chosen.status).toBe(200);
    expect(byAuditor.status).toBe(403);
    expect(badBody.status).toBe(400);
    expect(marked.chosenBefore).toEqual(['2026-10']);
  });

  it('rejects bad periods with 400 and changes nothing', async () => {
    for (const path of [
      '/insights/topics?month=2026-13',
      '/insights/rates?class=village',
      '/insights/alerts?from=2026-11-30&to=2026-11-01',
      '/insights/alerts?from=2025-01-01&to=2026-11-01',
      '/insights/hotspots?day=yesterday',
    ]) {
      const response = await get(path);
      expect(response.status, path).toBe(400);
      expect(response.body.error.code, path).toBe('VALIDATION_FAILED');
    }
    const mining = await stack.api('POST', '/_local/mining', { body: { month: 'November' } });
    expect(mining.status).toBe(400);
  });

  it('mines every night at 02:30 Beijing time on the stack clock', async () => {
    // Prepare: the schedule the CDK app also creates
    const schedules = (await stack.api('GET', '/_local/schedules')).body.items;
    expect(schedules).toContainEqual(
      expect.objectContaining({
        name: 'nightly-mining',
        group: 'hotline-mining',
        expression: 'cron(30 2 * * ? *)',
        timezone: 'Asia/Shanghai',
      }),
    );

    // Act: the clock moves past the next 02:30 (3 December)
    await stack.api('POST', '/_local/clock', { body: { set: '2026-12-03T03:00:00+08:00' } });

    // Assess: a run of its own, for the last complete month, and for the store's newest day (the
    // generated history ends on 30 November; no live order came after it)
    const hotspots = await eventually(async () => {
      const response = await get('/insights/hotspots?day=2026-11-30');
      return response.status === 200 ? response.body : undefined;
    }, 'the nightly run');
    const topics = (await get('/insights/topics')).body;
    expect(topics.period).toBe('2026-11');
    expect(topics.runId).toBe(hotspots.runId);
    expect(Date.parse(hotspots.computedAt)).toBeGreaterThanOrEqual(Date.parse('2026-12-03T02:30:00+08:00'));
  });
});
