import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually, type StackProcess, startStackProcess } from './local-stack-process.ts';

/**
 * Issue 9's 500s, races and lax refusals, against the running local stack: every listing filter on
 * every index; concurrent catalogue edits; hostile bodies to the local clock; blank text; a token
 * whose role claim and scope disagree.
 */
const START = '2026-12-07T10:00:00+08:00';
let stack: StackProcess;
let auditor: string;
let operator: string;
let dispatcher: string;

beforeAll(async () => {
  stack = await startStackProcess({ startAt: START });
  [auditor, operator, dispatcher] = await Promise.all([
    stack.token('auditor'),
    stack.token('operator'),
    stack.token('dispatcher'),
  ]);
}, 120_000);

afterAll(async () => {
  await stack?.stop();
});

const order = (location: Record<string, string>, categoryCode = '0201') => ({
  appealType: 'complaint',
  categoryCode, // 0201 物业管理: the street office; 9901: dispatched by hand
  description: '小区物业长期不清运垃圾。',
  channel: 'web',
  urgency: 'normal',
  requester: { kind: 'person', name: '李先生', phone: '010-12345678' },
  location,
});

interface Summary {
  readonly id: string;
  readonly status: string;
  readonly unitId?: string;
  readonly receivedAt: string;
  readonly location: { readonly districtCode: string };
}

/** Runs `tasks` at most `width` at a time (the machine is shared). */
const inBatches = async <T>(tasks: readonly (() => Promise<T>)[], width = 4): Promise<T[]> => {
  const results: T[] = [];
  for (let i = 0; i < tasks.length; i += width)
    results.push(...(await Promise.all(tasks.slice(i, i + width).map((t) => t()))));
  return results;
};

/** Every subset of `keys`. */
const subsets = <K>(keys: readonly K[]): K[][] => {
  const all: K[][] = [[]];
  for (const key of keys) for (const s of [...all]) all.push([...s, key]);
  return all;
};

describe('GET /orders, every documented filter on every index', () => {
  const orders: Summary[] = [];

  beforeAll(async () => {
    // Prepare: orders of two districts and three units, and one no unit leads yet (awaiting dispatch)
    const placed = [
      { districtCode: '110108', streetCode: '110108001' },
      { districtCode: '110108', streetCode: '110108001' },
      { districtCode: '110108', streetCode: '110108003' },
      { districtCode: '110105', streetCode: '110105001' },
      { districtCode: '110105', streetCode: '110105001' },
    ];
    const created = [
      ...placed.map((location) => order(location)),
      order({ districtCode: '110108', streetCode: '110108001' }, '9901'),
    ];
    for (const body of created) {
      const response = await stack.api('POST', '/orders', { token: operator, body });
      expect(response.status, JSON.stringify(response.body)).toBe(201);
      const settled = await eventually(
        async () => {
          const o = (await stack.api('GET', `/orders/${response.body.id}`, { token: auditor })).body;
          return ['dispatched', 'awaiting_dispatch'].includes(o.status) ? (o as Summary) : undefined;
        },
        `order ${response.body.id} to settle`,
        60_000,
      );
      orders.push(settled);
    }
  }, 120_000);

  /** Two sets of filter values, each with the token of the unit it names. */
  const valueSets = [
    { status: 'dispatched', unitId: 'st-110108001', districtCode: '110108' },
    { status: 'awaiting_dispatch', unitId: 'st-110105001', districtCode: '110105' },
  ] as const;
  const keys = ['status', 'unitId', 'districtCode', 'createdFrom', 'createdTo', 'limit'] as const;

  it('returns 200 and exactly the matching orders, page by page, for every combination and caller', async () => {
    // Prepare
    const from = new Date(Date.parse(START) - 3_600_000).toISOString();
    const to = new Date(Date.parse(START) + 3_600_000).toISOString();
    const cases = valueSets.flatMap((values) =>
      (['auditor', 'unit'] as const).flatMap((caller) =>
        subsets(keys).map((chosen) => ({ values, caller, chosen })),
      ),
    );
    const unitTokens = new Map<string, string>();
    for (const { unitId } of valueSets) unitTokens.set(unitId, await stack.token('unit', unitId));

    // Act
    const outcomes = await inBatches(
      cases.map(({ values, caller, chosen }) => async () => {
        const query: Record<string, string> = {
          ...values,
          createdFrom: from,
          createdTo: to,
          limit: '1',
        };
        const params = new URLSearchParams(chosen.map((k): [string, string] => [k, query[k] as string]));
        const token = caller === 'auditor' ? auditor : (unitTokens.get(values.unitId) as string);
        const ids: string[] = [];
        const statuses: number[] = [];
        let cursor: string | undefined;
        do {
          const page = await stack.api(
            'GET',
            `/orders?${params}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`,
            { token },
          );
          statuses.push(page.status);
          if (page.status !== 200) break;
          ids.push(...page.body.items.map((i: Summary) => i.id));
          cursor = page.body.cursor;
        } while (cursor && statuses.length < 20);
        const expected = orders
          .filter(
            (o) =>
              (!chosen.includes('status') || o.status === values.status) &&
              (caller === 'unit'
                ? o.unitId === values.unitId
                : !chosen.includes('unitId') || o.unitId === values.unitId) &&
              (!chosen.includes('districtCode') || o.location.districtCode === values.districtCode),
          )
          .map((o) => o.id);
        return { what: `${caller} ${params}`, statuses, ids, expected };
      }),
    );

    // Assess
    for (const { what, statuses, ids, expected } of outcomes) {
      expect(new Set(statuses), what).toEqual(new Set([200]));
      expect([...ids].sort(), what).toEqual([...expected].sort());
    }
    expect(outcomes).toHaveLength(valueSets.length * 2 * 2 ** keys.length);
  }, 240_000);

  it('returns 200 for the combinations of the report: unitId with districtCode, and a unit filtering by district', async () => {
    // Prepare
    const unit = await stack.token('unit', 'st-110108001');

    // Act
    const both = await stack.api('GET', '/orders?unitId=st-110108001&districtCode=110108', {
      token: auditor,
    });
    const mismatch = await stack.api('GET', '/orders?unitId=st-110108001&districtCode=110105', {
      token: operator,
    });
    const asUnit = await stack.api('GET', '/orders?districtCode=110108', { token: unit });

    // Assess
    expect(both.status, JSON.stringify(both.body)).toBe(200);
    expect(both.body.items).toHaveLength(2);
    expect(mismatch.status).toBe(200);
    expect(mismatch.body.items).toEqual([]);
    expect(asUnit.status).toBe(200);
    expect(asUnit.body.items.map((i: Summary) => i.unitId)).toEqual(['st-110108001', 'st-110108001']);
  });

  it('rejects what the listing documents as a 400 or 403, never with a 500', async () => {
    // Prepare
    const unit = await stack.token('unit', 'st-110108001');
    const first = await stack.api('GET', '/orders?districtCode=110108&limit=1', { token: auditor });
    const get = (query: string, token = auditor) => stack.api('GET', `/orders?${query}`, { token });

    // Act
    const refusals = {
      INVALID_RANGE: await get('createdFrom=2026-12-07T00:00:00Z&createdTo=2026-12-06T00:00:00Z'),
      RANGE_TOO_LONG: await get('createdFrom=2025-01-01T00:00:00Z&createdTo=2026-12-06T00:00:00Z'),
      INVALID_CURSOR: await get('cursor=not-a-cursor'),
      OTHER_FILTER_CURSOR: await get(`districtCode=110105&limit=1&cursor=${first.body.cursor}`),
      VALIDATION_FAILED: await get('status=lost&limit=0&districtCode=1'),
      UNKNOWN_PARAMETER: await get('sort=asc'),
      OTHER_UNIT: await get('unitId=st-110105001', unit),
    };

    // Assess
    expect(first.body.cursor).toEqual(expect.any(String));
    const codes = Object.fromEntries(
      Object.entries(refusals).map(([k, r]) => [k, `${r.status} ${r.body.error?.code}`]),
    );
    expect(codes).toEqual({
      INVALID_RANGE: '400 INVALID_RANGE',
      RANGE_TOO_LONG: '400 RANGE_TOO_LONG',
      INVALID_CURSOR: '400 INVALID_CURSOR',
      OTHER_FILTER_CURSOR: '400 INVALID_CURSOR',
      VALIDATION_FAILED: '400 VALIDATION_FAILED',
      UNKNOWN_PARAMETER: '400 VALIDATION_FAILED',
      OTHER_UNIT: '403 OTHER_UNIT',
    });
  });
});

describe('PUT and DELETE /catalogue/lines at the same moment', () => {
  const line = { categoryCode: '0106', areaCode: '110101001' };
  const path = `/catalogue/lines/${line.categoryCode}/${line.areaCode}`;
  const readLine = async () =>
    (
      await stack.api('GET', `/catalogue?categoryCode=${line.categoryCode}&areaCode=${line.areaCode}`, {
        token: auditor,
      })
    ).body.items as Record<string, unknown>[];

  it('returns no 5xx for 20 PUTs of one line among DELETEs, and ends as some serial order of them would', async () => {
    // Prepare: 20 lines that differ by their lead unit, so the one in force tells which edit won
    const units = (await stack.api('GET', '/units', { token: auditor })).body.items as { id: string }[];
    const puts = units.slice(0, 20).map((u) => ({ ...line, leadUnitId: u.id, coUnitIds: [] }));
    const requests = puts.flatMap((body, i) => [
      { kind: 'put' as const, body },
      ...(i % 3 === 1 ? [{ kind: 'delete' as const }] : []),
    ]);
    expect(await readLine()).toEqual([]);

    // Act: all at once
    const responses = await Promise.all(
      requests.map(async (r) => ({
        ...r,
        response:
          r.kind === 'put'
            ? await stack.api('PUT', '/catalogue/lines', { token: dispatcher, body: r.body })
            : await stack.api('DELETE', path, { token: dispatcher }),
      })),
    );

    // Assess: only 200, a 404 for a DELETE that found the line removed, or a clean 409
    for (const { kind, response } of responses) {
      const allowed = kind === 'put' ? [200, 409] : [200, 404, 409];
      expect(allowed, `${kind} ${response.status} ${JSON.stringify(response.body)}`).toContain(
        response.status,
      );
      if (response.status === 409) expect(response.body.error.code).toBe('VERSION_CONFLICT');
    }
    const saved = responses
      .filter((r) => r.response.status === 200)
      .sort((a, b) => a.response.body.catalogueVersion - b.response.body.catalogueVersion);
    const versions = saved.map((r) => r.response.body.catalogueVersion as number);
    const first = versions[0] ?? 0;
    expect(versions).toEqual(versions.map((_, i) => first + i)); // one version per saved edit, none lost
    // On a busy machine some run out of time: a clean 409 that changed nothing. Some must land.
    expect(saved.some((r) => r.kind === 'put')).toBe(true);

    // Replayed in version order, each DELETE removed exactly the line the edit before it left
    let inForce: Record<string, unknown> | undefined;
    for (const { kind, response } of saved) {
      if (kind === 'put') {
        inForce = response.body;
        continue;
      }
      expect(inForce, 'a DELETE saved over no line').toBeDefined();
      expect(response.body.removed).toEqual({
        ...line,
        leadUnitId: inForce?.leadUnitId,
        coUnitIds: inForce?.coUnitIds,
      });
      inForce = undefined;
    }
    const now = await readLine();
    expect(now).toEqual(
      inForce ? [{ ...line, leadUnitId: inForce.leadUnitId, coUnitIds: inForce.coUnitIds }] : [],
    );
  }, 120_000);
});

describe('POST /_local/clock with hostile bodies', () => {
  const clockNow = async () => (await stack.api('GET', '/_local/clock')).body;

  it('rejects a body that is not an object, or two modes at once, with 400 and changes nothing', async () => {
    // Prepare
    const before = await clockNow();

    // Act
    const answers = await Promise.all(
      ['null', '1', '"x"', 'true', '[]', '{}', '{"advance":"PT1H","set":"2026-12-08T00:00:00Z"}'].map(
        async (raw) => {
          const response = await stack.api('POST', '/_local/clock', {
            raw,
            headers: { 'content-type': 'application/json' },
          });
          return `${raw} ${response.status} ${response.body.error?.code}`;
        },
      ),
    );

    // Assess
    expect(answers).toEqual([
      'null 400 VALIDATION_FAILED',
      '1 400 VALIDATION_FAILED',
      '"x" 400 VALIDATION_FAILED',
      'true 400 VALIDATION_FAILED',
      '[] 400 VALIDATION_FAILED',
      '{} 400 VALIDATION_FAILED',
      '{"advance":"PT1H","set":"2026-12-08T00:00:00Z"} 400 VALIDATION_FAILED',
    ]);
    expect(await clockNow()).toEqual(before);
  });

  it('rejects an advance of 400 nines and moves beyond the bounds with 400, leaving open orders open', async () => {
    // Prepare: an open order, which a runaway clock would expire
    const created = await stack.api('POST', '/orders', {
      token: operator,
      body: order({ districtCode: '110105', streetCode: '110105001' }),
    });
    const open = await eventually(
      async () => {
        const o = (await stack.api('GET', `/orders/${created.body.id}`, { token: auditor })).body;
        return o.status === 'dispatched' ? o : undefined;
      },
      'the order to be dispatched',
      60_000,
    );
    const before = await clockNow();
    const post = async (body: unknown) => {
      const response = await stack.api('POST', '/_local/clock', { body });
      return `${response.status} ${response.body.error?.code}`;
    };

    // Act
    const answers = [
      await post({ advance: `P${'9'.repeat(400)}D` }),
      await post({ advance: 'P401D' }),
      await post({ set: '2099-01-01T00:00:00Z' }),
      await post({ set: '2101-01-01T00:00:00Z' }),
      await post({ mode: 'scaled', scale: 1e9 }),
    ];

    // Assess
    expect(answers).toEqual([
      '400 INVALID_DURATION',
      '400 CLOCK_MOVE_TOO_LARGE',
      '400 CLOCK_MOVE_TOO_LARGE',
      '400 CLOCK_MOVE_TOO_LARGE',
      '400 VALIDATION_FAILED',
    ]);
    expect(await clockNow()).toEqual(before);
    const after = (await stack.api('GET', `/orders/${created.body.id}`, { token: auditor })).body;
    expect(after).toMatchObject({ status: 'dispatched', version: open.version });
    const moved = await stack.api('POST', '/_local/clock', { body: { advance: 'PT1M' } });
    expect(Date.parse(moved.body.now) - Date.parse(before.now)).toBe(60_000);
  });
});

describe('blank free text', () => {
  it('rejects a description of only NUL, spaces or invisible characters with 400, recording nothing', async () => {
    // Prepare
    const count = async () =>
      (await stack.api('GET', '/orders?limit=100', { token: auditor })).body.items.length as number;
    const before = await count();

    // Act
    const statuses = await Promise.all(
      ['\u0000', ' \t\n ', '\u200b\u200d\ufeff', '\u3000\u3000', '\u3164', '路灯\u0000不亮'].map(
        async (description) =>
          (
            await stack.api('POST', '/orders', {
              token: operator,
              body: { ...order({ districtCode: '110105' }), description },
            })
          ).status,
      ),
    );

    // Assess
    expect(statuses).toEqual([400, 400, 400, 400, 400, 400]);
    expect(await count()).toBe(before);
  });
});

describe('a token whose role claim and scope disagree', () => {
  it('rejects a supervisor-scoped token with a unit role claim on PUT and DELETE /catalogue/lines with 403', async () => {
    // Prepare: signed by the stack's own key, so the gateway (scopes only) lets it through
    const forged = await stack.token('supervisor', undefined, { role: 'unit', unit_id: 'st-110108001' });
    const mixed = await stack.token('dispatcher', undefined, { role: 'supervisor' });
    const body = { categoryCode: '0106', areaCode: '110101002', leadUnitId: 'dept-cgw' };

    // Act
    const put = await stack.api('PUT', '/catalogue/lines', { token: forged, body });
    const putMixed = await stack.api('PUT', '/catalogue/lines', { token: mixed, body });
    const remove = await stack.api('DELETE', '/catalogue/lines/0106/110101002', { token: forged });

    // Assess
    expect([put.status, put.body.error?.code]).toEqual([403, 'ROLE_NOT_ALLOWED']);
    expect([putMixed.status, putMixed.body.error?.code]).toEqual([403, 'ROLE_SCOPE_MISMATCH']);
    expect([remove.status, remove.body.error?.code]).toEqual([403, 'ROLE_NOT_ALLOWED']);
    const listed = await stack.api('GET', '/catalogue?categoryCode=0106&areaCode=110101002', {
      token: auditor,
    });
    expect(listed.body.items).toEqual([]);
  });
});
