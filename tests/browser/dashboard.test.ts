import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runGenerator } from '../../analytics/generator/run.ts';
import { replay } from '../../analytics/replay.ts';
import { addDaysToDate } from '../../functions/domain/china-time.ts';
import { eventually, type StackProcess, startStackProcess } from '../integration/local-stack-process.ts';
import { scenario } from '../integration/scenario.ts';
import { type Dashboard, openBrowser } from './browser.ts';

/**
 * The dashboard in real headless Chromium against a running local stack: each view loads without a
 * console error and shows the figures the API returns (this test reads the API itself and writes the
 * figures its own way), the language toggle switches every label and is remembered, and an insight
 * not computed yet is said plainly. Screenshots go to .test-results/screenshots/.
 */
let stack: StackProcess;
let dashboard: Dashboard;
let seeded: Governance;
let localDir = '';
let auditor: string;
let orderId: string;
const LIVE_MONTH = '2026-12';

// The page's figures, written independently of dashboard/src/format.ts.
const pct = (x: number | null | undefined) => (typeof x === 'number' ? `${(x * 100).toFixed(1)}%` : '—');
const cnt = (x: number | null | undefined) =>
  typeof x === 'number' ? Math.round(x).toLocaleString('en-US') : '—';
const fixed = (x: number | null | undefined, digits: number) =>
  typeof x === 'number' ? x.toFixed(digits) : '—';
const signed = (x: number | null | undefined) =>
  typeof x === 'number' ? `${x >= 0 ? '+' : '−'}${Math.abs(x * 100).toFixed(1)}%` : '—';

const get = async (path: string) => {
  const response = await stack.api('GET', path, { token: auditor });
  expect(response.status, `${path}: ${JSON.stringify(response.body)}`).toBe(200);
  return response.body;
};

/** A request exactly as written (fetch would normalise `..` and refuse to set Host). */
const raw = (path: string, headers: Record<string, string> = {}) =>
  new Promise<{ status: number; body: string }>((resolve, reject) => {
    const req = request(`${stack.url}${path}`, { headers }, (res) => {
      let body = '';
      res.on('data', (chunk) => {
        body += chunk;
      });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('error', reject);
    req.end();
  });

/** What the views are asked for: the mined month and day, the alerts' days, the centre's earlier pick. */
interface Governance {
  readonly month: string;
  readonly day: string;
  readonly alertsFrom: string;
  readonly alertsTo: string;
  readonly chosen: { readonly categoryCode: string; readonly month: string };
}

beforeAll(async () => {
  // Generated history (three years ending November 2026, with the planted facts) in the stack's folder.
  localDir = mkdtempSync(join(tmpdir(), 'hotline-dashboard-'));
  const { manifest } = await runGenerator({
    options: { orders: 300_000, years: 3, endMonth: '2026-11', seed: 'dashboard-test', plant: true },
    outDir: join(localDir, 'analytics', 'history'),
    workers: 2,
  });
  stack = await startStackProcess({ startAt: '2026-12-05T10:00:00+08:00', localDir });
  auditor = await stack.token('auditor');
  // One order handled end to end: its timeline and lifecycle for the auditor view, and a unit with an
  // assessed order in the live month.
  const operator = await stack.token('operator');
  const unit = await stack.token('unit', 'st-110101001');
  const s = scenario(stack, { operator, auditor });
  const created = await s.create({
    appealType: 'complaint',
    categoryCode: '0104',
    description: '小区垃圾站气味很大，夏天尤其严重。',
    channel: 'phone',
    urgency: 'normal',
    requester: { kind: 'person', name: '刘先生', phone: '13800138000' },
    location: { districtCode: '110101', streetCode: '110101001' },
  });
  orderId = created.id;
  await s.untilWaiting(orderId);
  await s.step(orderId, 'accept', unit);
  await s.step(orderId, 'contact', unit, { way: 'phone', note: '已电话联系诉求人' });
  await s.step(orderId, 'reply', unit, { result: 'resolved', text: '已清理垃圾站并增加清运频次。' });
  await s.step(orderId, 'reply-review', operator, { decision: 'accept' });
  await eventually(async () => {
    const body = await get(`/assessment/rankings?month=${LIVE_MONTH}&class=street`);
    return body.items.some((u: { counts: { assessed: number } }) => u.counts.assessed > 0) ? true : undefined;
  }, 'the closed order to count in the live month');
  // Live orders too: the rest of December replayed through the API on the stack's clock.
  const replayed = await replay({
    api: stack.url,
    orders: 20,
    seed: 'dashboard-test',
    localDir,
    stepMinutes: 120,
    log: () => undefined,
  });
  expect(replayed.orders).toBe(20);
  // The mining of November, its alerts on the planted spike's second day.
  const spike = manifest.planted.find((p) => p.kind === 'spike');
  if (!spike) throw new Error('the manifest has no planted spike');
  const day = addDaysToDate(spike.from, 1);
  const mined = await stack.api('POST', '/_local/mining', { body: { month: '2026-11', day } });
  expect(mined.status, JSON.stringify(mined.body)).toBe(200);
  const first = (await get('/insights/topics?month=2026-11')).result.candidates[0].categoryCode as string;
  const chosen = await stack.api('PUT', '/insights/topics/2026-10/choice', {
    token: await stack.token('supervisor'),
    body: { categoryCode: first, note: '专项治理' },
  });
  expect(chosen.status).toBe(200);
  seeded = {
    month: '2026-11',
    day,
    alertsFrom: spike.from,
    alertsTo: spike.to,
    chosen: { categoryCode: first, month: '2026-10' },
  };
  dashboard = await openBrowser(stack.url);
}, 480_000);

afterAll(async () => {
  await dashboard?.close();
  await stack?.stop();
  if (localDir) rmSync(localDir, { recursive: true, force: true });
});

describe('the dashboard site on the local stack', () => {
  it('serves the page, its hashed assets and its local config with their content types', async () => {
    const page = await fetch(`${stack.url}/dashboard/`);
    const html = await page.text();
    const script = /src="\.\/(app-[0-9a-f]{16}\.js)"/.exec(html)?.[1];
    const style = /href="\.\/(app-[0-9a-f]{16}\.css)"/.exec(html)?.[1];

    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(page.headers.get('content-security-policy')).toContain("script-src 'self'");
    expect(page.headers.get('x-content-type-options')).toBe('nosniff');
    const js = await fetch(`${stack.url}/dashboard/${script}`);
    expect(js.headers.get('content-type')).toBe('text/javascript; charset=utf-8');
    expect(js.headers.get('cache-control')).toContain('immutable');
    const css = await fetch(`${stack.url}/dashboard/${style}`);
    expect(css.headers.get('content-type')).toBe('text/css; charset=utf-8');
    const config = await fetch(`${stack.url}/dashboard/config.json`);
    expect(await config.json()).toEqual({ apiUrl: stack.url, auth: 'local' });
    const bare = await fetch(`${stack.url}/dashboard`, { redirect: 'manual' });
    expect([bare.status, bare.headers.get('location')]).toEqual([301, '/dashboard/']);
  });

  it('answers nothing outside the built site, however the path is written', async () => {
    const attempts = [
      '/dashboard/../package.json',
      '/dashboard/%2e%2e/package.json',
      '/dashboard/..%2fpackage.json',
      '/dashboard/src/main.ts',
      '/dashboard/build.ts',
      '/dashboard/%2e%2e%2f%2e%2e%2fetc%2fpasswd',
    ];

    for (const path of attempts) {
      const answer = await raw(path);
      expect(answer.body, path).not.toContain('"dependencies"');
      expect(answer.body, path).not.toContain('import ');
      expect(answer.status, path).not.toBe(200);
    }
  });

  it('hands out a local token for a role, and refuses an unknown role', async () => {
    const good = await stack.api('GET', '/_local/token?role=auditor');
    const bad = await stack.api('GET', '/_local/token?role=mayor');

    expect(good.status).toBe(200);
    const insights = await stack.api('GET', '/insights/topics', { token: good.body.token });
    expect(insights.status).toBe(200);
    expect(bad.status).toBe(400);
    // A page of another name that resolves to this machine (DNS rebinding) gets no token.
    const rebound = await raw('/_local/token?role=auditor', { host: 'rebound.example:3000' });
    expect(rebound.status).toBe(403);
    expect(rebound.body).not.toContain('token"');
  });
});

describe('the dashboard views in headless Chromium', () => {
  it('shows the mined 三率 of a class and the live month as the API returns them', async () => {
    const mined = (await get('/insights/rates?class=street')).result.items;
    const live = (await get(`/assessment/rankings?month=${LIVE_MONTH}&class=street`)).items.filter(
      (u: { counts: { assessed: number } }) => u.counts.assessed > 0,
    );

    const view = await dashboard.open(`rates?live=${LIVE_MONTH}`, 'rates');

    const rows = await view.rows('rates-mined', 'data-unit');
    expect(rows.map((r) => r.key)).toEqual(mined.map((u: { unitId: string }) => u.unitId));
    for (const [i, u] of mined.entries()) {
      expect(rows[i]?.cells.slice(0, 7)).toEqual([
        u.rank > 0 ? String(u.rank) : '—', // rank 0: no composite, so unranked
        u.name,
        pct(u.rates.composite),
        pct(u.rates.response),
        pct(u.rates.resolution),
        pct(u.rates.satisfaction),
        cnt(u.counts.assessed),
      ]);
    }
    const liveRows = await view.rows('rates-live', 'data-unit');
    expect(liveRows.map((r) => [r.key, r.cells[2], r.cells[3], r.cells[6]])).toEqual(
      live.map(
        (u: {
          unitId: string;
          rates: { composite: number; response: number };
          counts: { assessed: number };
        }) => [u.unitId, pct(u.rates.composite), pct(u.rates.response), cnt(u.counts.assessed)],
      ),
    );
    expect(await view.chartsDrawn()).toBe(2);
    await view.finish('rates');
  });

  it('draws the category × month heatmap with the totals the API gives', async () => {
    const { result } = await get('/insights/heatmap');
    const totals = new Map<string, number>();
    for (const c of result.cells) totals.set(c.categoryCode, (totals.get(c.categoryCode) ?? 0) + c.orders);
    const lastMonth = result.to;

    const view = await dashboard.open('heatmap', 'heatmap');

    const rows = await view.rows('heatmap', 'data-category');
    expect(rows.length).toBe(Math.min(30, totals.size));
    for (const row of rows) {
      const code = row.key ?? '';
      const last = result.cells.find(
        (c: { categoryCode: string; month: string }) => c.categoryCode === code && c.month === lastMonth,
      );
      expect([row.cells[1], row.cells[2]], code).toEqual([cnt(totals.get(code)), cnt(last?.orders)]);
    }
    expect(await view.chartsDrawn()).toBe(1);
    expect(await view.svgTexts('heatmap')).toContain(lastMonth);
    await view.finish('heatmap');
  });

  it('lists the 每月一题 candidates with the evidence behind each score, marking an earlier choice', async () => {
    const { result } = await get('/insights/topics');

    const view = await dashboard.open('topics', 'topics');

    const cards = await view.attributes('article.candidate', 'data-category');
    expect(cards).toEqual(result.candidates.map((c: { categoryCode: string }) => c.categoryCode));
    for (const c of result.candidates) {
      const card = `article.candidate[data-category="${c.categoryCode}"]`;
      expect(await view.text(`${card} dd[data-field="score"]`)).toBe(fixed(c.score, 3));
      expect(await view.text(`${card} dd[data-field="orders"]`)).toBe(cnt(c.evidence.figures.orders));
      expect(await view.text(`${card} dd[data-field="townships"]`)).toBe(cnt(c.evidence.figures.townships));
      const parts = await view.rows('components', 'data-component', card);
      expect(parts.map((p) => [p.key, p.cells[3]])).toEqual(
        Object.entries(c.evidence.components).map(([k, e]) => [
          k,
          fixed((e as { contribution: number }).contribution, 3),
        ]),
      );
    }
    const marked = result.candidates.find(
      (c: { categoryCode: string }) => c.categoryCode === seeded.chosen.categoryCode,
    );
    expect(marked?.chosenBefore).toEqual([seeded.chosen.month]);
    expect(await view.text(`article.candidate[data-category="${seeded.chosen.categoryCode}"] h3`)).toContain(
      `已于 ${seeded.chosen.month} 选题`,
    );
    await view.finish('topics');
  });

  it('draws the seasonal outlook with its 80 % and 95 % intervals and the prepare-now list', async () => {
    const { result } = await get('/insights/outlook');
    const heating = result.categories.find((c: { category: string }) => c.category === '0301');

    const view = await dashboard.open('outlook?category=0301', 'outlook');

    const rows = await view.rows('forecast', 'data-month');
    expect(rows.map((r) => r.cells)).toEqual(
      heating.forecast.map(
        (
          f: { month: string; point: number; intervals: Record<string, { lower: number; upper: number }> },
          i: number,
        ) => [
          f.month,
          cnt(f.point),
          `${cnt(f.intervals['0.8']?.lower)} – ${cnt(f.intervals['0.8']?.upper)}`,
          `${cnt(f.intervals['0.95']?.lower)} – ${cnt(f.intervals['0.95']?.upper)}`,
          cnt(heating.seasonalNaive[i]?.point),
        ],
      ),
    );
    const prepare = await view.rows('prepare', 'data-category');
    expect(prepare.map((r) => [r.key, r.cells[1], r.cells[3]])).toEqual(
      result.prepareNow.map((p: { category: string; seasonStart: string; expectedOrders: number }) => [
        p.category,
        p.seasonStart,
        cnt(p.expectedOrders),
      ]),
    );
    expect(await view.chartsDrawn()).toBe(1);
    // The months before the forecast come from the heatmap of the same month (the outlook has none):
    // its last 24, the first of them labelled on the axis.
    const { result: heat } = await get('/insights/heatmap');
    const heatMonths = [...new Set(heat.cells.map((c: { month: string }) => c.month))].sort().slice(-24);
    expect(await view.svgTexts('outlook')).toEqual(
      expect.arrayContaining(['80% 区间', '95% 区间', heatMonths[0]]),
    );
    await view.finish('outlook');
  });

  it('lists the alerts of the days asked for', async () => {
    const { items } = await get(`/insights/alerts?from=${seeded.alertsFrom}&to=${seeded.alertsTo}`);

    const view = await dashboard.open(`alerts?from=${seeded.alertsFrom}&to=${seeded.alertsTo}`, 'alerts');

    const rows = await view.rows('alerts', 'data-alert');
    expect(items.length).toBeGreaterThan(0);
    expect(
      rows.map((r) => [r.key, r.cells[0], r.cells[3], r.cells[4], r.cells[5], r.cells[6], r.cells[7]]),
    ).toEqual(
      items.map(
        (a: {
          id: string;
          day: string;
          method: string;
          observed: number;
          expected: number;
          statistic: number;
          threshold: number;
        }) => [
          a.id,
          a.day,
          a.method,
          cnt(a.observed),
          fixed(a.expected, 1),
          fixed(a.statistic, 2),
          fixed(a.threshold, 2),
        ],
      ),
    );
    expect(await view.text('[data-field="alert-count"]')).toBe(`共 ${items.length} 条预警`);
    await view.finish('alerts');
  });

  it('puts the hot spots on the map of Beijing’s districts, with the map’s attribution', async () => {
    const { result } = await get('/insights/hotspots');
    const spots = [...result.hotspots].sort(
      (a: { z: number; orders: number }, b: { z: number; orders: number }) =>
        b.z - a.z || b.orders - a.orders,
    );
    const geojson = JSON.parse(readFileSync('data/geo/beijing-districts.geo.json', 'utf8')) as {
      attribution: string;
    };

    const view = await dashboard.open('hotspots', 'hotspots');

    const rows = await view.rows('hotspots', 'data-cell');
    expect(spots.length).toBeGreaterThan(0);
    expect(rows.map((r) => [r.key, r.cells[3], r.cells[4], r.cells[5]])).toEqual(
      spots
        .slice(0, 50)
        .map((s: { cell: string; orders: number; neighbourhoodOrders: number; z: number }) => [
          s.cell,
          cnt(s.orders),
          cnt(s.neighbourhoodOrders),
          fixed(s.z, 2),
        ]),
    );
    // The planted cluster is in 朝阳区, and the map draws every district by name.
    expect(new Set(rows.map((r) => r.cells[1]))).toEqual(new Set(['朝阳区']));
    expect(await view.svgTexts('hotspots-map')).toEqual(
      expect.arrayContaining(['朝阳区', '海淀区', '延庆区']),
    );
    expect(await view.text('.map-box [data-field="attribution"]')).toBe(geojson.attribution);
    expect(geojson.attribution).toContain('OpenStreetMap');
    await view.finish('hotspots');
  });

  it('lists the 治理类街乡镇 the rule proposes, each with its reasons in figures', async () => {
    const { result } = await get('/insights/townships');

    const view = await dashboard.open('townships', 'townships');

    expect(await view.attributes('article.candidate', 'data-street')).toEqual(
      result.proposals.map((p: { streetCode: string }) => p.streetCode),
    );
    const rows = await view.rows('townships', 'data-street');
    const figure = (t: { reasons: { criterion: string; figure: number | null }[] }, c: string) =>
      t.reasons.find((r) => r.criterion === c)?.figure ?? null;
    expect(rows.map((r) => [r.key, r.cells[3], r.cells[4], r.cells[5], r.cells[6], r.cells[7]])).toEqual(
      result.townships.map(
        (t: {
          streetCode: string;
          composite: number;
          orders: number;
          reasons: { criterion: string; figure: number | null }[];
        }) => [
          t.streetCode,
          pct(t.composite),
          cnt(t.orders),
          fixed(figure(t, 'ordersPer10k'), 1),
          pct(figure(t, 'overdueShare')),
          signed(figure(t, 'trend')),
        ],
      ),
    );
    const first = result.proposals[0];
    const reasons = await view.allTexts(`article.candidate[data-street="${first.streetCode}"] li`);
    expect(reasons.length).toBe(first.reasons.length);
    expect(reasons.join('\n')).toContain(`综合得分 ${pct(first.composite)}`);
    await view.finish('townships');
  });

  it('shows an order’s events, whether its hash chain holds, and its lifecycle as a diagram', async () => {
    const timeline = await get(`/orders/${orderId}/timeline?verify=true`);
    const history = await get(`/orders/${orderId}/execution-history?maxResults=1000`);
    const states = history.events.flatMap((e: { stateEnteredEventDetails?: { name: string } }) =>
      e.stateEnteredEventDetails ? [e.stateEnteredEventDetails.name] : [],
    );

    // An auditor types the order id and asks.
    const view = await dashboard.open('timeline', 'timeline');
    await view.page.fill('input[name="order"]', orderId);
    await view.page.click('form.controls button[type="submit"]');
    await view.page.waitForSelector('main[data-ready="timeline"] [data-diagram="lifecycle"]');

    const rows = await view.rows('events', 'data-type');
    expect(rows.map((r) => [r.cells[0], r.key])).toEqual(
      timeline.items.map((e: { seq: number; type: string }) => [String(e.seq), e.type]),
    );
    expect(timeline.verification.valid).toBe(true);
    expect(await view.text('[data-field="verification"]')).toBe(
      `✓ 哈希链完整：${timeline.items.length} 个事件均未被篡改。`,
    );
    expect(await view.attributes('[data-diagram="lifecycle"] g.step', 'data-state')).toEqual(states);
    // Who moved the order on, as the waiting task's success recorded it, in the page's words.
    const actionLabels: Record<string, string> = {
      accept: '签收',
      contact: '首次联系',
      reply: '办结反馈',
      'reply-review': '审核反馈',
    };
    const actions = history.events.flatMap(
      (e: { type: string; taskSucceededEventDetails?: { output: string } }) => {
        const action =
          e.type === 'TaskSucceeded'
            ? JSON.parse(e.taskSucceededEventDetails?.output ?? '{}').action
            : undefined;
        return action ? [`→ ${actionLabels[action] ?? action}`] : [];
      },
    );
    expect(actions).toEqual(['→ 签收', '→ 首次联系', '→ 办结反馈', '→ 审核反馈']);
    expect(await view.allTexts('[data-diagram="lifecycle"] .state-action')).toEqual(actions);
    await view.finish('timeline');
  });

  it('says plainly when an insight has not been computed yet', async () => {
    const view = await dashboard.open('topics?month=2020-01', 'topics');

    expect(await view.text('[data-state="not-computed"]')).toContain('尚未计算');
    expect(await view.count('[data-state="error"]')).toBe(0);
    // The API's 404 is logged by Chromium as a failed resource load; nothing else may be.
    await view.finish('not-computed', { allow: [/status of 404/] });
  });

  it('signs in through Cognito’s hosted UI with the authorization-code flow and PKCE (S256)', async () => {
    // Prepare: config.json as the CDK construct writes it, and a stand-in for the hosted UI that checks
    // the protocol (RFC 6749 §4.1, RFC 7636) and answers with a token the local API accepts.
    const domain = 'https://hotline-test.auth.example';
    const redirectUri = `${stack.url}/dashboard/`;
    const token = await stack.token('auditor');
    const seen: { authorize?: URLSearchParams; token?: URLSearchParams; logout?: URLSearchParams } = {};
    const bearers = new Set<string>();
    const prepare = async (page: Page) => {
      await page.route('**/dashboard/config.json', (route) =>
        route.fulfill({
          json: { apiUrl: stack.url, auth: 'cognito', domain, clientId: 'dashboard-test', redirectUri },
        }),
      );
      await page.route(`${domain}/oauth2/authorize?*`, (route) => {
        seen.authorize = new URL(route.request().url()).searchParams;
        const back = new URL(seen.authorize.get('redirect_uri') ?? '');
        back.search = new URLSearchParams({
          code: 'code-1',
          state: seen.authorize.get('state') ?? '',
        }).toString();
        return route.fulfill({ status: 302, headers: { location: back.toString() } });
      });
      await page.route(`${domain}/oauth2/token`, (route) => {
        seen.token = new URLSearchParams(route.request().postData() ?? '');
        const verifier = seen.token.get('code_verifier') ?? '';
        const challenge = createHash('sha256').update(verifier).digest('base64url');
        const valid =
          seen.token.get('grant_type') === 'authorization_code' &&
          seen.token.get('code') === 'code-1' &&
          seen.token.get('redirect_uri') === redirectUri &&
          challenge === seen.authorize?.get('code_challenge');
        return route.fulfill({
          status: valid ? 200 : 400,
          headers: { 'access-control-allow-origin': '*' },
          json: valid
            ? { access_token: token, expires_in: 3600, token_type: 'Bearer' }
            : { error: 'invalid_grant' },
        });
      });
      await page.route(`${domain}/logout?*`, (route) => {
        seen.logout = new URL(route.request().url()).searchParams;
        return route.fulfill({ contentType: 'text/html', body: '<p>signed out</p>' });
      });
      page.on('request', (request) => {
        const authorization = request.headers().authorization;
        if (request.url().startsWith(`${stack.url}/insights/`) && authorization) bearers.add(authorization);
      });
    };

    // Act: open a view; the page goes to the hosted UI and comes back with a code.
    const view = await dashboard.open('topics', 'topics', { prepare, fresh: { bypassCSP: true } });

    // Assess
    expect(Object.fromEntries(seen.authorize ?? [])).toMatchObject({
      response_type: 'code',
      client_id: 'dashboard-test',
      redirect_uri: redirectUri,
      scope: 'openid email',
      code_challenge_method: 'S256',
    });
    expect(seen.token?.get('client_id')).toBe('dashboard-test');
    expect([...bearers]).toEqual([`Bearer ${token}`]);
    expect(view.page.url()).toBe(`${redirectUri}#topics`);
    expect(await view.count('article.candidate')).toBeGreaterThan(0);
    expect(String(await view.page.evaluate('JSON.stringify(sessionStorage)'))).toContain(token);
    expect(String(await view.page.evaluate('JSON.stringify(localStorage)'))).not.toContain(token);
    await view.screenshot('cognito-signed-in');
    await view.page.click('#sign-out');
    await view.page.waitForURL(`${domain}/logout?*`);
    expect(Object.fromEntries(seen.logout ?? [])).toEqual({
      client_id: 'dashboard-test',
      logout_uri: redirectUri,
    });
    await view.finish('cognito-signed-out');
  });

  it('switches every label to English and back, and remembers the choice', async () => {
    const view = await dashboard.open('rates', 'rates');
    expect(await view.allTexts('nav#tabs a')).toContain('三率排名');

    await view.page.click('#lang-toggle');
    await view.page.waitForSelector('main[data-ready="rates"] table[data-table="rates-mined"]');
    const english = await view.allTexts('nav#tabs a');
    expect(english).toEqual([
      'Three rates',
      'Heatmap',
      'Topic of the month',
      'Seasonal outlook',
      'Alerts',
      'Hot spots',
      'Townships for governance',
      'Order audit',
    ]);
    expect(await view.allTexts('table[data-table="rates-mined"] th')).toContain('Composite');
    expect(await view.page.getAttribute('html', 'lang')).toBe('en');
    await view.screenshot('rates-en');

    await view.page.reload();
    await view.page.waitForSelector('main[data-ready="rates"]');
    expect(await view.allTexts('nav#tabs a')).toEqual(english);

    await view.page.click('#lang-toggle');
    await view.page.waitForSelector('main[data-ready="rates"] table[data-table="rates-mined"]');
    expect(await view.allTexts('nav#tabs a')).toContain('三率排名');
    expect(await view.page.getAttribute('html', 'lang')).toBe('zh-CN');
    await view.finish('rates-zh-again');
  });
});
