import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDuckDb, type SqlRow } from '../../analytics/duckdb-engine.ts';
import { eventually, type StackProcess, startStackProcess } from './local-stack-process.ts';
import { complaint, scenario } from './scenario.ts';

/**
 * The analytics path on the real local stack: an order's milestones (received, closed, call-back
 * answered) are saved with its events; DynamoDB Local's stream invokes the analyticsRows function
 * through the local event source mapping; the function puts each order's row to the local Firehose,
 * which writes Parquet by month under the stack's data folder; DuckDB reads it with the shared SQL.
 * The clock starts on Tuesday 1 December 2026, 10:00 in Beijing.
 */
let stack: StackProcess;
let s: ReturnType<typeof scenario>;
let operator: string;
let unit: string;
const UNIT = 'st-110105001';
const NAME = '诸葛晓明';
const PHONE = '13566778899';
const ADDRESS = '建国门外大街甲12号院7号楼';
const DESCRIPTION = '小区地下车库私自改建成群租房，消防隐患很大。';
const requester = { kind: 'person', name: NAME, phone: PHONE };
const location = { districtCode: '110105', streetCode: '110105001', address: ADDRESS };

beforeAll(async () => {
  stack = await startStackProcess({ startAt: '2026-12-01T10:00:00+08:00' });
  operator = await stack.token('operator');
  unit = await stack.token('unit', UNIT);
  s = scenario(stack, { operator, auditor: await stack.token('auditor') });
}, 120_000);

afterAll(async () => {
  await stack?.stop();
});

const analyticsRoot = () => join(stack.localDir, 'data', 'analytics');

/** Each order's latest row, read from the Parquet files as the mining queries read them. */
const latestRows = async (ids: readonly string[]): Promise<Map<string, SqlRow>> => {
  const engine = await openDuckDb({ roots: [analyticsRoot()] });
  try {
    const rows = await engine.query(
      `SELECT * FROM latest_orders WHERE order_id IN (${ids.map(() => '?').join(', ')})`,
      ids,
    );
    return new Map(rows.map((r) => [String(r.order_id), r]));
  } finally {
    engine.close();
  }
};

interface Listing {
  root: string;
  files: { path: string; month: string; rows: number; bytes: number }[];
  errors: { path: string }[];
}

describe('the analytics path (table stream → Firehose → Parquet)', () => {
  it('brings a disposition and a handled, answered order to Parquet rows with their final state, without personal data', async () => {
    // Prepare: a consultation answered on the spot (Art. 11) …
    const disposed = await s.create(
      complaint({
        appealType: 'consultation',
        description: DESCRIPTION,
        requester,
        location,
        disposition: { kind: 'answered', answer: '已告知群租房的举报渠道。' },
      }),
    );
    // … and a complaint handled by its street, called back, and answered satisfied
    const { id } = await s.create(complaint({ description: DESCRIPTION, requester, location }));
    await s.untilWaiting(id, 'dispatched');
    // Its receipt reaches the store before anything else happens to it: a first version of its row.
    const first = await eventually(
      async () => (await latestRows([id])).get(id),
      'the received order in the analytics store',
      60_000,
    );
    await s.step(id, 'accept', unit);
    await s.step(id, 'contact', unit, { way: 'phone' });
    await s.step(id, 'reply', unit, { result: 'resolved', text: '已联合消防部门拆除隔断。' });
    await s.step(id, 'reply-review', operator, { decision: 'accept' });
    const scheduled = await eventually(async () => {
      const order = await s.read(id);
      return order.callback?.state === 'scheduled' ? order.callback : undefined;
    }, 'the call-back to be scheduled');
    await s.clock({ set: new Date(Date.parse(scheduled.firstAttemptAt) + 60_000).toISOString() });
    await eventually(
      async () => ((await s.read(id)).callback?.state === 'open' ? true : undefined),
      'the call-back to open',
    );
    const answer = await s.act(id, 'callback', operator, {
      reached: true,
      contactedInTime: true,
      solved: 'solved',
      satisfied: 'satisfied',
    });
    expect(answer.status, JSON.stringify(answer.body)).toBe(200);

    // Act: wait until the store's files show both orders, the handled one answered
    const rows = await eventually(
      async () => {
        const listing = (await stack.api('GET', '/_local/analytics')).body as Listing;
        if (listing.files.length === 0) return undefined;
        const latest = await latestRows([disposed.id, id]);
        return latest.size === 2 && latest.get(id)?.callback_state === 'answered' ? latest : undefined;
      },
      'both orders in the analytics store',
      60_000,
    );
    const listing = (await stack.api('GET', '/_local/analytics')).body as Listing;
    const engine = await openDuckDb({ roots: [analyticsRoot()] });
    const [{ versions } = { versions: 0 }] = await engine.query(
      'SELECT count(DISTINCT version) AS versions FROM orders WHERE order_id = ?',
      [id],
    );
    const [{ total } = { total: 0 }] = await engine.query('SELECT count(*) AS total FROM orders');
    const [sqlCounts] = await engine.query(
      `SELECT
         sum(CASE WHEN assessed THEN 1 ELSE 0 END) AS assessed,
         sum(CASE WHEN assessed AND contacted_in_time THEN 1 ELSE 0 END) AS responded,
         sum(CASE WHEN assessed AND answer_solved = 'solved' THEN 1 ELSE 0 END) AS solved,
         sum(CASE WHEN assessed AND answer_satisfied = 'satisfied' THEN 1 ELSE 0 END) AS satisfied
       FROM latest_orders WHERE unit_id = ? AND assessed_month = ?`,
      [UNIT, '2026-12'],
    );
    const everything = JSON.stringify(await engine.query('SELECT * FROM orders'));
    engine.close();
    const live = await stack.api('GET', `/assessment/units/${UNIT}?month=2026-12`, { token: operator });
    const deadLetters = (await stack.api('GET', '/_local/dead-letters')).body.items as Record<
      string,
      unknown
    >[];

    // Assess: the final state of each order
    expect(rows.get(disposed.id)).toMatchObject({
      source: 'live',
      status: 'closed',
      outcome: 'disposed',
      disposition: 'answered',
      unit_id: null,
      assessed: false,
      received_month: '2026-12',
      month: '2026-12',
    });
    expect(rows.get(id)).toMatchObject({
      source: 'live',
      status: 'closed',
      outcome: 'handled',
      unit_id: UNIT,
      unit_class: 'street',
      reply_result: 'resolved',
      callback_state: 'answered',
      answer_solved: 'solved',
      answer_satisfied: 'satisfied',
      unreachable: false,
      assessed: true,
      assessed_month: '2026-12',
      contacted_in_time: true,
      excluded: false,
      anonymous: false,
    });
    expect(rows.get(id)?.requester_hash).toMatch(/^[0-9a-f]{64}$/);
    expect(rows.get(id)?.address_hash).toBe(rows.get(disposed.id)?.address_hash);
    // One row per order and version: the received one stays beside the final one (changes within one
    // batching window make one row, of the last of them).
    expect(first).toMatchObject({
      status: expect.stringMatching(/^(received|dispatched)$/),
      assessed: false,
    });
    expect(versions).toBeGreaterThanOrEqual(2);
    expect(rows.get(id)?.version).toBe((await s.read(id)).version);
    expect(listing.files.reduce((n, f) => n + f.rows, 0)).toBe(total);
    expect(listing.files.every((f) => f.path.startsWith('orders/month=2026-12/'))).toBe(true);
    expect(listing.errors).toEqual([]);
    expect(deadLetters.filter((d) => 'streamTrigger' in d)).toEqual([]);
    // The rows count as the live assessment aggregate counts.
    expect(live.status).toBe(200);
    expect(sqlCounts).toEqual({
      assessed: live.body.counts.assessed,
      responded: live.body.counts.respondedInTime,
      solved: live.body.counts.solved,
      satisfied: live.body.counts.satisfied,
    });
    // No personal data: neither in the files' bytes nor in any decoded value.
    for (const file of listing.files) {
      const bytes = readFileSync(join(analyticsRoot(), file.path));
      for (const clear of [NAME, PHONE, ADDRESS]) expect(bytes.includes(Buffer.from(clear))).toBe(false);
    }
    for (const clear of [NAME, PHONE, ADDRESS, DESCRIPTION]) expect(everything).not.toContain(clear);
  }, 120_000);
});
