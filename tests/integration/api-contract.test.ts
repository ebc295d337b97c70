import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildOpenApiDocument } from '#shared/contract/openapi.ts';
import { httpRoutes } from '#wiring/wiring.ts';
import { hotlineClient } from '../../clients/typescript/index.ts';
import { checkContract } from './contract-check.ts';
import { eventually, type StackProcess, startStackProcess } from './local-stack-process.ts';

/** The HTTP contract that clients rely on, checked against the running local stack. */
let stack: StackProcess;
let operator: string;
let auditor: string;

const validOrder = () => ({
  appealType: 'complaint',
  categoryCode: '0201', // 物业管理: the street office
  description: '小区物业长期不清运垃圾。',
  channel: 'web',
  urgency: 'normal',
  requester: { kind: 'person', name: '李先生', phone: '010-12345678' },
  location: { districtCode: '110108', streetCode: '110108001' },
});

/** How many orders the system holds, seen by an auditor (reads everything). */
const countOrders = async (): Promise<number> => {
  let count = 0;
  let cursor: string | undefined;
  do {
    const page = await stack.api('GET', `/orders?limit=100${cursor ? `&cursor=${cursor}` : ''}`, {
      token: auditor,
    });
    expect(page.status).toBe(200);
    count += page.body.items.length;
    cursor = page.body.cursor;
  } while (cursor);
  return count;
};

/** The order once its lifecycle has dispatched it (dispatch runs just after intake). */
const untilDispatched = (id: string) =>
  eventually(async () => {
    const o = (await stack.api('GET', `/orders/${id}`, { token: auditor })).body;
    return o.status === 'dispatched' ? o : undefined;
  }, `order ${id} to be dispatched`);

beforeAll(async () => {
  stack = await startStackProcess({ startAt: '2026-12-07T10:00:00+08:00' });
  operator = await stack.token('operator');
  auditor = await stack.token('auditor');
}, 120_000);

afterAll(async () => {
  await stack?.stop();
});

describe('reference data and health', () => {
  it('serves the generated OpenAPI document without a token', async () => {
    const response = await stack.api('GET', '/openapi.json');
    expect(response.status).toBe(200);
    expect(response.body).toEqual(JSON.parse(JSON.stringify(buildOpenApiDocument())));
    expect(Object.keys(response.body.paths)).toContain('/orders/{id}/execution-history');
  });

  it("lets an agency's system use the typed client generated from the document", async () => {
    // The client's answers are held to the document like every other (contract-check.ts).
    const checked: typeof fetch = async (input, init) => {
      const request = new Request(input, init);
      const response = await fetch(request);
      const { pathname, search } = new URL(request.url);
      const text = await response.clone().text();
      checkContract(request.method, `${pathname}${search}`, {
        status: response.status,
        contentType: response.headers.get('content-type'),
        body: text ? JSON.parse(text) : undefined,
      });
      return response;
    };
    const hotline = hotlineClient({ baseUrl: stack.url, token: operator, fetch: checked });
    const created = await hotline.POST('/orders', {
      body: {
        appealType: 'complaint',
        categoryCode: '0201',
        description: '小区物业长期不清运垃圾。',
        channel: 'web',
        urgency: 'normal',
        requester: { kind: 'person', name: '李先生', phone: '010-12345678' },
        location: { districtCode: '110108', streetCode: '110108001' },
      },
    });
    expect(created.response.status).toBe(201);
    const id = created.data?.id ?? '';
    const read = await hotline.GET('/orders/{id}', { params: { path: { id } } });
    expect(read.data).toMatchObject({ id, categoryCode: '0201', requester: { kind: 'person' } });
    const page = await hotline.GET('/orders', { params: { query: { limit: 5 } } });
    expect(page.data?.items.map((o) => o.id)).toContain(id);
    const missing = await hotline.GET('/orders/{id}', { params: { path: { id: 'WO-none' } } });
    expect(missing.response.status).toBe(404);
    expect(missing.error).toMatchObject({ error: { code: 'ORDER_NOT_FOUND' } });
  });

  it('answers GET /health without a token', async () => {
    const response = await stack.api('GET', '/health');
    expect(response.status).toBe(200);
  });

  it('returns the 16 districts of Beijing with their streets and townships', async () => {
    const { body } = await stack.api('GET', '/areas', { token: auditor });
    const districts = body.items.filter((a: { level: string }) => a.level === 'district');
    expect(districts).toHaveLength(16);
    expect(districts.map((d: { name: string }) => d.name)).toContain('朝阳区');
    const streets = body.items.filter((a: { level: string }) => a.level === 'street');
    for (const d of districts)
      expect(
        streets.filter((s: { parentCode: string }) => s.parentCode === d.code).length,
      ).toBeGreaterThanOrEqual(4);
  });

  it('returns a three-level category taxonomy of at least 40 categories, and the units', async () => {
    const categories = (await stack.api('GET', '/categories', { token: auditor })).body.items;
    expect(categories.length).toBeGreaterThanOrEqual(40);
    expect(new Set(categories.map((c: { level: number }) => c.level))).toEqual(new Set([1, 2, 3]));
    expect(categories[0]).toEqual(
      expect.objectContaining({ code: expect.any(String), name: expect.any(String), parentCode: null }),
    );
    const units = (await stack.api('GET', '/units', { token: auditor })).body.items;
    expect(new Set(units.map((u: { class: string }) => u.class))).toEqual(
      new Set(['district', 'street', 'department', 'enterprise']),
    );
    expect(units[0]).toEqual(
      expect.objectContaining({
        id: expect.any(String),
        name: expect.any(String),
        class: expect.any(String),
        areaCode: expect.any(String),
      }),
    );
  });
});

describe('authorization', () => {
  it('rejects a request without a token, or with a forged one, with 401', async () => {
    expect((await stack.api('GET', '/orders')).status).toBe(401);
    const forged = `${operator.slice(0, -4)}AAAA`;
    expect((await stack.api('GET', '/orders', { token: forged })).status).toBe(401);
  });

  it('rejects a role the route does not allow with 403', async () => {
    const unit = await stack.token('unit', 'st-110108001');
    const response = await stack.api('POST', '/orders', { token: unit, body: validOrder() });
    expect(response.status).toBe(403);
  });

  it("requires a token on every route but /health, the API document, the requester's survey link and Open311", async () => {
    expect(httpRoutes.filter((r) => r.roles === null).map((r) => r.path)).toEqual([
      '/health',
      '/openapi.json',
      '/surveys/{token}',
      '/surveys/{token}',
      // Open311 apps identify with their own api_key (functions/api/open311.ts, tests/integration/open311.test.ts).
      '/open311/v2/{document}',
      '/open311/v2/{document}',
      '/open311/v2/services/{file}',
      '/open311/v2/requests/{file}',
      '/open311/v2/tokens/{file}',
    ]);
    // The survey link's own token is the credential: without one of ours, nothing is found.
    const unknown = await stack.api('GET', `/surveys/WO01KBAAAAAAAAAAAAAAAAAAAAAA.${'x'.repeat(32)}`);
    expect(unknown.status).toBe(404);
    expect(unknown.body.error.code).toBe('SURVEY_LINK_UNKNOWN');
  });

  it("lets a unit's staff read only the orders dispatched to their unit", async () => {
    const created = (await stack.api('POST', '/orders', { token: operator, body: validOrder() })).body;
    await untilDispatched(created.id);
    const own = await stack.token('unit', 'st-110108001');
    const other = await stack.token('unit', 'st-110108003');

    expect((await stack.api('GET', `/orders/${created.id}`, { token: own })).status).toBe(200);
    const hidden = await stack.api('GET', `/orders/${created.id}`, { token: other });
    expect(hidden.status).toBe(404);
    expect(hidden.body.error.code).toBe('ORDER_NOT_FOUND');

    const ownList = (await stack.api('GET', '/orders', { token: own })).body.items;
    expect(ownList.map((o: { id: string }) => o.id)).toContain(created.id);
    expect(ownList.every((o: { unitId: string }) => o.unitId === 'st-110108001')).toBe(true);
    expect(
      (await stack.api('GET', '/orders', { token: other })).body.items.map((o: { id: string }) => o.id),
    ).not.toContain(created.id);
    const sneaky = await stack.api('GET', '/orders?unitId=st-110108001', { token: other });
    expect(sneaky.status).toBe(403);
    expect(sneaky.body.error.code).toBe('OTHER_UNIT');
  });
});

describe('POST /orders: bad input changes nothing', () => {
  const cases: {
    name: string;
    request: { raw?: string; body?: unknown; headers?: Record<string, string> };
    status: number;
    code: string;
  }[] = [
    {
      name: 'malformed JSON',
      request: { raw: '{"appealType":', headers: { 'content-type': 'application/json' } },
      status: 400,
      code: 'MALFORMED_JSON',
    },
    {
      name: 'no JSON content type',
      request: { raw: '{}', headers: { 'content-type': 'text/plain' } },
      status: 415,
      code: 'UNSUPPORTED_MEDIA_TYPE',
    },
    {
      name: 'an unknown appeal type',
      request: { body: { ...validOrder(), appealType: 'rant' } },
      status: 400,
      code: 'VALIDATION_FAILED',
    },
    {
      name: 'a description over 4000 characters',
      request: { body: { ...validOrder(), description: '长'.repeat(4001) } },
      status: 400,
      code: 'VALIDATION_FAILED',
    },
    {
      name: 'an unknown field',
      request: { body: { ...validOrder(), priority: 1 } },
      status: 400,
      code: 'VALIDATION_FAILED',
    },
    {
      name: 'an unknown category',
      request: { body: { ...validOrder(), categoryCode: '8888' } },
      status: 422,
      code: 'UNKNOWN_CATEGORY',
    },
    {
      name: 'a street of another district',
      request: { body: { ...validOrder(), location: { districtCode: '110101', streetCode: '110108001' } } },
      status: 422,
      code: 'STREET_NOT_IN_DISTRICT',
    },
    {
      name: 'a repeat of an order that does not exist',
      request: {
        body: {
          ...validOrder(),
          disposition: { kind: 'repeat', originalOrderId: 'WO00000000000000000000000000' },
        },
      },
      status: 422,
      code: 'ORIGINAL_ORDER_NOT_FOUND',
    },
    {
      name: 'an invalid Idempotency-Key',
      request: { body: validOrder(), headers: { 'idempotency-key': 'has spaces' } },
      status: 400,
      code: 'INVALID_IDEMPOTENCY_KEY',
    },
  ];

  it.each(cases)('rejects $name with $status $code', async ({ request, status, code }) => {
    const before = await countOrders();
    const response = await stack.api('POST', '/orders', { token: operator, ...request });
    expect(response.status).toBe(status);
    expect(response.body.error).toEqual(expect.objectContaining({ code, message: expect.any(String) }));
    expect(await countOrders()).toBe(before);
  });

  it('says where each schema problem is', async () => {
    const response = await stack.api('POST', '/orders', {
      token: operator,
      body: { ...validOrder(), urgency: 'whenever', location: { districtCode: 'x' } },
    });
    expect(response.status).toBe(400);
    const paths = response.body.error.details.map((d: { path: string }) => d.path);
    expect(paths).toEqual(expect.arrayContaining(['urgency', 'location.districtCode']));
  });
});

describe('POST /orders with an Idempotency-Key', () => {
  it('returns the same order for a retried request and creates nothing new', async () => {
    const before = await countOrders();
    const headers = { 'idempotency-key': 'call-20261207-0001' };
    const first = await stack.api('POST', '/orders', { token: operator, body: validOrder(), headers });
    const retry = await stack.api('POST', '/orders', { token: operator, body: validOrder(), headers });

    expect(first.status).toBe(201);
    expect(retry.status).toBe(201);
    expect(retry.body.id).toBe(first.body.id);
    expect(retry.headers.get('idempotent-replayed')).toBe('true');
    expect(await countOrders()).toBe(before + 1);
    const execution = await eventually(async () => {
      const e = await stack.api('GET', `/_local/executions/${first.body.id}`);
      return e.body.events?.some((x: { type: string }) => x.type === 'TaskSubmitted') ? e.body : undefined;
    }, 'the execution to wait for the reply');
    expect(execution.events.filter((e: { type: string }) => e.type === 'ExecutionStarted')).toHaveLength(1);
  });

  it('rejects the same key with a different request', async () => {
    const headers = { 'idempotency-key': 'call-20261207-0002' };
    await stack.api('POST', '/orders', { token: operator, body: validOrder(), headers });
    const other = await stack.api('POST', '/orders', {
      token: operator,
      body: { ...validOrder(), description: '另一件事' },
      headers,
    });
    expect(other.status).toBe(422);
    expect(other.body.error.code).toBe('IDEMPOTENCY_KEY_REUSED');
  });

  it("keeps one caller's keys apart from another's", async () => {
    const headers = { 'idempotency-key': 'call-20261207-0003' };
    const mine = await stack.api('POST', '/orders', { token: operator, body: validOrder(), headers });
    const dispatcher = await stack.token('dispatcher');
    const theirs = await stack.api('POST', '/orders', { token: dispatcher, body: validOrder(), headers });
    expect(theirs.status).toBe(201);
    expect(theirs.body.id).not.toBe(mine.body.id);
  });
});

describe('GET /orders and GET /orders/{id}', () => {
  it('answers 404 with the error shape for an unknown id', async () => {
    const response = await stack.api('GET', '/orders/WO00000000000000000000000000', { token: auditor });
    expect(response.status).toBe(404);
    expect(response.body).toEqual({ error: { code: 'ORDER_NOT_FOUND', message: expect.any(String) } });
  });

  it('pages through orders newest first with a cursor, without gaps or repeats', async () => {
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) {
      ids.push(
        (
          await stack.api('POST', '/orders', {
            token: operator,
            body: { ...validOrder(), location: { districtCode: '110116' } },
          })
        ).body.id,
      );
    }
    const seen: string[] = [];
    let cursor: string | undefined;
    let pages = 0;
    do {
      const page = await stack.api(
        'GET',
        `/orders?districtCode=110116&limit=2${cursor ? `&cursor=${cursor}` : ''}`,
        { token: auditor },
      );
      seen.push(...page.body.items.map((o: { id: string }) => o.id));
      cursor = page.body.cursor;
      pages++;
    } while (cursor && pages < 10);
    expect(seen).toEqual([...ids].reverse());
    expect(pages).toBe(3);
  });

  it('filters by status, unit and created range', async () => {
    const created = (await stack.api('POST', '/orders', { token: operator, body: validOrder() })).body;
    await untilDispatched(created.id);

    const dispatched = (
      await stack.api('GET', '/orders?status=dispatched&unitId=st-110108001&limit=100', { token: auditor })
    ).body.items;
    expect(dispatched.map((o: { id: string }) => o.id)).toContain(created.id);
    expect(
      dispatched.every(
        (o: { status: string; unitId: string }) => o.status === 'dispatched' && o.unitId === 'st-110108001',
      ),
    ).toBe(true);

    const closedOnly = (await stack.api('GET', '/orders?status=closed&limit=100', { token: auditor })).body
      .items;
    expect(closedOnly.map((o: { id: string }) => o.id)).not.toContain(created.id);

    const future = encodeURIComponent('2027-01-01T00:00:00+08:00');
    const later = (
      await stack.api('GET', `/orders?createdFrom=${future}&createdTo=${future}`, { token: auditor })
    ).body.items;
    expect(later).toEqual([]);
  });

  it('rejects a bad filter, range or cursor with 400', async () => {
    const forged = Buffer.from(JSON.stringify({ key: { foo: 'bar' }, filter: '0000000000000000' })).toString(
      'base64url',
    );
    const otherFilter = (await stack.api('GET', '/orders?districtCode=110116&limit=1', { token: auditor }))
      .body.cursor;
    for (const query of [
      `cursor=${forged}`,
      `districtCode=110101&cursor=${otherFilter}`,
      'status=lost',
      'limit=0',
      'createdFrom=yesterday',
      'cursor=not-a-cursor',
      'createdFrom=2026-01-01T00:00:00Z&createdTo=2025-01-01T00:00:00Z',
    ]) {
      const response = await stack.api('GET', `/orders?${query}`, { token: auditor });
      expect(response.status, query).toBe(400);
      expect(response.body.error.code, query).toMatch(/^[A-Z_]+$/);
    }
  });
});

describe('actions on an order', () => {
  it('refuses an action the order state does not allow with 409 and changes nothing', async () => {
    const created = (await stack.api('POST', '/orders', { token: operator, body: validOrder() })).body;
    const order = await untilDispatched(created.id);
    const dispatcher = await stack.token('dispatcher');
    const response = await stack.api('POST', `/orders/${created.id}/dispatch`, {
      token: dispatcher,
      body: { unitId: 'gov-110108' },
    });
    expect(response.status).toBe(409);
    expect(response.body.error.code).toBe('ACTION_NOT_ALLOWED');
    const after = (await stack.api('GET', `/orders/${created.id}`, { token: auditor })).body;
    expect(after.unitId).toBe(order.unitId);
    expect(after.version).toBe(order.version);
  });

  it('refuses a stale If-Match with 409 VERSION_CONFLICT', async () => {
    const created = (await stack.api('POST', '/orders', { token: operator, body: validOrder() })).body;
    await untilDispatched(created.id);
    const unit = await stack.token('unit', 'st-110108001');
    const response = await stack.api('POST', `/orders/${created.id}/accept`, {
      token: unit,
      headers: { 'if-match': '"1"' },
      body: {},
    });
    expect(response.status).toBe(409);
    expect(response.body.error.code).toBe('VERSION_CONFLICT');
  });
});

describe('the local clock', () => {
  it('tells the time and mode, and refuses to go back or to parse nonsense', async () => {
    const clock = (await stack.api('GET', '/_local/clock')).body;
    expect(clock).toEqual({ now: expect.any(String), mode: 'manual', scale: 0 });
    const back = await stack.api('POST', '/_local/clock', { body: { set: '2020-01-01T00:00:00Z' } });
    expect(back.status).toBe(409);
    expect(back.body.error.code).toBe('CLOCK_BACKWARDS');
    expect((await stack.api('POST', '/_local/clock', { body: { advance: 'P1M' } })).body.error.code).toBe(
      'INVALID_DURATION',
    );
    const moved = await stack.api('POST', '/_local/clock', { body: { advance: 'PT1H30M' } });
    expect(Date.parse(moved.body.now) - Date.parse(clock.now)).toBe(90 * 60_000);
  });
});

describe('the dispatch catalogue, edited by the centre', () => {
  const municipal = (streetCode: string) => ({
    ...validOrder(),
    categoryCode: '0106',
    description: '路灯不亮。',
    location: { districtCode: '110108', streetCode },
  });

  it('routes the next order by a line the centre adds, and falls back once the line is removed', async () => {
    const dispatcher = await stack.token('dispatcher');
    // Before: 市政设施 has no line, so the district government takes it (Art. 12(2))
    const before = await untilDispatched(
      (await stack.api('POST', '/orders', { token: operator, body: municipal('110108003') })).body.id,
    );
    expect(before.unitId).toBe('gov-110108');

    const put = await stack.api('PUT', '/catalogue/lines', {
      token: dispatcher,
      body: {
        categoryCode: '0106',
        areaCode: '110108003',
        leadUnitId: 'dept-cgw',
        coUnitIds: ['st-110108003'],
        note: '路灯归城管委',
      },
    });
    expect(put.status, JSON.stringify(put.body)).toBe(200);
    const listed = await stack.api('GET', '/catalogue?categoryCode=0106', { token: auditor });
    expect(listed.body.items).toEqual([
      expect.objectContaining({ areaCode: '110108003', leadUnitId: 'dept-cgw' }),
    ]);

    const during = await untilDispatched(
      (await stack.api('POST', '/orders', { token: operator, body: municipal('110108003') })).body.id,
    );
    expect(during).toMatchObject({
      unitId: 'dept-cgw',
      coUnitIds: ['st-110108003'],
      routeBasis: { rule: 'catalogue', categoryCode: '0106', areaCode: '110108003' },
    });

    const removed = await stack.api('DELETE', '/catalogue/lines/0106/110108003', { token: dispatcher });
    expect(removed.status).toBe(200);
    const after = await untilDispatched(
      (await stack.api('POST', '/orders', { token: operator, body: municipal('110108003') })).body.id,
    );
    expect(after.unitId).toBe('gov-110108');
  });

  it('refuses lines that name unknown things or manual categories, and edits by anyone but the centre', async () => {
    const dispatcher = await stack.token('dispatcher');
    const bad = async (body: Record<string, unknown>) =>
      (await stack.api('PUT', '/catalogue/lines', { token: dispatcher, body })).body.error?.code;
    expect(await bad({ categoryCode: '0106', areaCode: '110108003', leadUnitId: 'dept-nobody' })).toBe(
      'UNKNOWN_UNIT',
    );
    expect(await bad({ categoryCode: '9901', areaCode: '110000', leadUnitId: 'dept-cgw' })).toBe(
      'MANUAL_CATEGORY',
    );
    expect(await bad({ categoryCode: '0106', areaCode: '999999', leadUnitId: 'dept-cgw' })).toBe(
      'UNKNOWN_AREA',
    );
    expect(await bad({ categoryCode: '0106', leadUnitId: 'dept-cgw' })).toBe('VALIDATION_FAILED');
    const unit = await stack.token('unit', 'st-110108001');
    expect(
      (
        await stack.api('PUT', '/catalogue/lines', {
          token: unit,
          body: { categoryCode: '0106', areaCode: '110000', leadUnitId: 'dept-cgw' },
        })
      ).status,
    ).toBe(403);
    expect((await stack.api('DELETE', '/catalogue/lines/0106/110000', { token: dispatcher })).status).toBe(
      404,
    );
  });
});
