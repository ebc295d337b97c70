import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { httpRoutes, routeKeyOf } from '#wiring/wiring.ts';
import { type ApiResponse, eventually, type StackProcess, startStackProcess } from './local-stack-process.ts';
import { complaint, scenario } from './scenario.ts';

/**
 * `Idempotency-Key` on every write route of the wiring, on the real local stack: 20 identical requests
 * with one key sent at once make exactly one change (one event in the order's log, one catalogue
 * version, one answer), the other 19 are replays with the first one's status and body and
 * `Idempotent-Replayed: true`; the same key with another request is a 422 IDEMPOTENCY_KEY_REUSED that
 * changes nothing. The clock starts on Tuesday 1 December 2026, 10:00 in Beijing.
 */
const BURST = 20;
const UNIT = 'st-110105001';
const CO_UNIT = 'dept-scjgj';
let stack: StackProcess;
let s: ReturnType<typeof scenario>;
const tokens: Record<'operator' | 'dispatcher' | 'supervisor' | 'unit' | 'coUnit', string> = {
  operator: '',
  dispatcher: '',
  supervisor: '',
  unit: '',
  coUnit: '',
};

beforeAll(async () => {
  stack = await startStackProcess({ startAt: '2026-12-01T10:00:00+08:00' });
  tokens.operator = await stack.token('operator');
  tokens.dispatcher = await stack.token('dispatcher');
  tokens.supervisor = await stack.token('supervisor');
  tokens.unit = await stack.token('unit', UNIT);
  tokens.coUnit = await stack.token('unit', CO_UNIT);
  s = scenario(stack, { operator: tokens.operator, auditor: await stack.token('auditor') });
  // Warm up (modules, DynamoDB Local, the interpreter) before the first burst is timed by a handler.
  await s.untilWaiting((await s.create(complaint())).id, 'dispatched');
}, 120_000);

afterAll(async () => {
  await stack?.stop();
});

interface Request {
  readonly method: string;
  readonly path: string;
  readonly token?: string;
  readonly body?: unknown;
  /** A form post (Open311) instead of a JSON body. */
  readonly form?: Readonly<Record<string, string>>;
}

interface Case {
  /** The route as the wiring names it. */
  readonly route: string;
  readonly request: () => Request;
  /** The same key with another request: another body, or another path. */
  readonly other: () => Request;
  /**
   * How many times the change happened so far (events of its type, or catalogue versions made). Where
   * a change leaves no count (a new order, a topic choice), the one answer that is not a replay is the
   * one write: every other answer came from the first one's claim.
   */
  readonly effects?: () => Promise<number>;
  readonly status?: number;
  /** Waits for what the change sets off to settle (the lifecycle waiting again). */
  readonly settle?: () => Promise<unknown>;
  /** What a replay answers, from the first answer's body, where it is not the same (a key is shown once). */
  readonly replayBody?: (first: unknown) => unknown;
  /** The status and code of the same key with another request, where the route's error shape is its own. */
  readonly reused?: (response: ApiResponse) => [number, unknown];
}

const send = (request: Request, key: string): Promise<ApiResponse> =>
  stack.api(request.method, request.path, {
    ...(request.token ? { token: request.token } : {}),
    ...(request.body !== undefined ? { body: request.body } : {}),
    ...(request.form ? { raw: new URLSearchParams(request.form).toString() } : {}),
    headers: {
      'idempotency-key': key,
      ...(request.form ? { 'content-type': 'application/x-www-form-urlencoded' } : {}),
    },
  });
const replayed = (response: ApiResponse) => response.headers.get('idempotent-replayed') === 'true';

/** The orders the cases act on, made as the cases go. */
const orders: Record<string, string> = {};
const idOf = (name: string) => {
  const id = orders[name];
  if (!id) throw new Error(`No order ${name} yet`);
  return id;
};
const eventsOf = (name: string, type: string) => async () =>
  (await s.timeline(idOf(name))).filter((e) => e.type === type).length;
const action = (order: string, name: string, token: keyof typeof tokens, body: unknown) => () => ({
  method: 'POST',
  path: `/orders/${idOf(order)}/${name}`,
  token: tokens[token],
  body,
});
const actionCase = (
  order: string,
  name: string,
  token: keyof typeof tokens,
  bodies: { readonly body: unknown; readonly other: unknown; readonly event: string },
): Case => ({
  route: `POST /orders/{id}/${name}`,
  request: action(order, name, token, bodies.body),
  other: action(order, name, token, bodies.other),
  effects: eventsOf(order, bodies.event),
  settle: async () => {
    const order_ = await s.read(idOf(order));
    if (order_.status === 'closed') await s.untilEnded(idOf(order));
    else await s.untilWaiting(idOf(order));
  },
});

/**
 * The catalogue versions made by others than these probes: each probe is an edit of its own (without
 * a key) whose answer tells the version, less the versions the probes made themselves.
 */
let probes = 0;
const catalogueVersions = async () => {
  probes += 1;
  const line = {
    categoryCode: '0106',
    areaCode: '110105001',
    leadUnitId: 'dept-cgw',
    note: `探针 ${probes}`,
  };
  const put = await stack.api('PUT', '/catalogue/lines', { token: tokens.dispatcher, body: line });
  expect(put.status, JSON.stringify(put.body)).toBe(200);
  return (put.body.catalogueVersion as number) - probes;
};

const answer = { contactedInTime: true, solved: 'solved', satisfied: 'satisfied' };
let surveyToken = '';
/** An Open311 app's key, and a key to revoke. */
let open311Key = '';
let keyToRevoke = '';
let otherKeyToRevoke = '';
// Push subscriptions of a unit no order here goes to (their endpoints are never called).
const PUSH_UNIT = 'gov-110101';
const pushUrl = (name: string) => `https://cases.example.cn/hotline/${name}`;
const pushed: Record<'remove' | 'otherRemove' | 'rotate' | 'otherRotate', string> = {
  remove: '',
  otherRemove: '',
  rotate: '',
  otherRotate: '',
};
const subscriptions = async () =>
  (await stack.api('GET', `/units/${PUSH_UNIT}/subscriptions`, { token: tokens.supervisor })).body.items as {
    subscriptionId: string;
    url: string;
    generation: number;
  }[];
const open311Form = (description: string) => ({
  api_key: open311Key,
  service_code: '010101',
  lat: '39.9087',
  long: '116.3975',
  description,
  'attribute[appeal_type]': 'complaint',
});
const keys = async () =>
  (await stack.api('GET', '/open311/keys', { token: tokens.supervisor })).body.items as {
    revokedAt?: string;
  }[];

const cases: Case[] = [
  {
    route: 'POST /orders',
    request: () => ({
      method: 'POST',
      path: '/orders',
      token: tokens.operator,
      body: complaint({
        appealType: 'consultation',
        categoryCode: '1401',
        description: '小微企业房租减免政策如何申请？',
        disposition: { kind: 'answered', answer: '已告知申请流程。' },
      }),
    }),
    other: () => ({
      method: 'POST',
      path: '/orders',
      token: tokens.operator,
      body: complaint({ description: '另一件事：楼道堆物。' }),
    }),
    status: 201,
  },
  {
    route: 'PUT /catalogue/lines',
    request: () => ({
      method: 'PUT',
      path: '/catalogue/lines',
      token: tokens.dispatcher,
      body: { categoryCode: '0106', areaCode: '110108003', leadUnitId: 'dept-cgw', note: '路灯归城管委' },
    }),
    other: () => ({
      method: 'PUT',
      path: '/catalogue/lines',
      token: tokens.dispatcher,
      body: { categoryCode: '0106', areaCode: '110108003', leadUnitId: 'dept-cgw', note: '另一说明' },
    }),
    effects: catalogueVersions,
  },
  {
    route: 'DELETE /catalogue/lines/{categoryCode}/{areaCode}',
    request: () => ({ method: 'DELETE', path: '/catalogue/lines/0106/110108003', token: tokens.dispatcher }),
    other: () => ({ method: 'DELETE', path: '/catalogue/lines/0106/110108001', token: tokens.dispatcher }),
    effects: catalogueVersions,
  },
  {
    route: 'PUT /insights/topics/{month}/choice',
    request: () => ({
      method: 'PUT',
      path: '/insights/topics/2026-11/choice',
      token: tokens.supervisor,
      body: { categoryCode: '0101', note: '专项治理' },
    }),
    other: () => ({
      method: 'PUT',
      path: '/insights/topics/2026-11/choice',
      token: tokens.supervisor,
      body: { categoryCode: '0201' },
    }),
  },
  // Order A: every unit action and the centre's decisions on it, then its assessment. Its requester
  // declines the call-back, so nothing changes it after it closes.
  actionCase('A', 'accept', 'unit', { body: {}, other: { note: '已签收' }, event: 'accepted' }),
  actionCase('A', 'contact', 'unit', { body: { way: 'phone' }, other: { way: 'visit' }, event: 'contacted' }),
  actionCase('A', 'progress', 'unit', {
    body: { text: '已现场核查' },
    other: { text: '另一条进展' },
    event: 'progress_noted',
  }),
  actionCase('A', 'co-handling', 'unit', {
    body: { unitIds: [CO_UNIT], note: '请市场监管协办' },
    other: { unitIds: [CO_UNIT], note: '请协办' },
    event: 'co_handling_requested',
  }),
  actionCase('A', 'co-handling-report', 'coUnit', {
    body: { text: '已约谈商户' },
    other: { text: '另一份报告' },
    event: 'co_handling_reported',
  }),
  actionCase('A', 'summon', 'unit', {
    body: { unitIds: ['dept-cgzfj'], note: '请城管执法报到' },
    other: { unitIds: ['dept-cgzfj'], note: '请报到' },
    event: 'departments_summoned',
  }),
  actionCase('A', 'extension', 'unit', {
    body: { days: 5, reason: '需协调维修资金，已告知诉求人' },
    other: { days: 6, reason: '需协调维修资金，已告知诉求人' },
    event: 'extension_requested',
  }),
  actionCase('A', 'extension-decision', 'dispatcher', {
    body: { approve: true, note: '同意' },
    other: { approve: false },
    event: 'extension_approved',
  }),
  actionCase('A', 'escalation', 'unit', {
    body: { to: 'district', reason: '需区级统筹' },
    other: { to: 'city', reason: '需区级统筹' },
    event: 'escalated',
  }),
  actionCase('A', 'reply', 'unit', {
    body: { result: 'resolved', text: '已责令拆除，消防通道已恢复。' },
    other: { result: 'explained', text: '已解释。' },
    event: 'replied',
  }),
  actionCase('A', 'reply-review', 'operator', {
    body: { decision: 'accept' },
    other: { decision: 'reject', reason: '未附照片' },
    event: 'reply_accepted',
  }),
  {
    ...actionCase('A', 'assessment-appeal', 'unit', {
      body: { reason: '诉求人要求超出政策范围' },
      other: { reason: '再次申诉' },
      event: 'assessment_appealed',
    }),
    settle: undefined,
  },
  {
    ...actionCase('A', 'assessment-appeal-decision', 'supervisor', {
      body: { decision: 'exclude', reason: 'unreasonable_demand', note: '经核实属不合理诉求' },
      other: { decision: 'keep', note: '诉求合理' },
      event: 'assessment_appeal_upheld',
    }),
    settle: undefined,
  },
  {
    ...actionCase('A', 'assessment-exclusion', 'supervisor', {
      body: { reason: 'duplicate', note: '与另一工单重复' },
      other: { reason: 'malicious', note: '与另一工单重复' },
      event: 'assessment_excluded',
    }),
    settle: undefined,
  },
  // Order C: an objection and the centre's decision on it.
  actionCase('C', 'objection', 'unit', {
    body: { reason: '该地址属于相邻街道辖区' },
    other: { reason: '不属于本街道' },
    event: 'objected',
  }),
  actionCase('C', 'objection-decision', 'dispatcher', {
    body: { decision: 'redispatch', unitId: 'st-110105003' },
    other: { decision: 'confirm', note: '属本街道' },
    event: 'redispatched',
  }),
  // Order D: uncatalogued, dispatched by hand.
  actionCase('D', 'dispatch', 'dispatcher', {
    body: { unitId: UNIT, note: '属地街道牵头' },
    other: { unitId: 'st-110105003' },
    event: 'dispatched',
  }),
  // Orders B and E: handled, their call-backs open; B answered by the operator, E by its survey link.
  actionCase('B', 'callback', 'operator', {
    body: { reached: true, ...answer },
    other: { reached: true, ...answer, satisfied: 'basically' },
    event: 'callback_answered',
  }),
  {
    route: 'POST /surveys/{token}',
    request: () => ({ method: 'POST', path: `/surveys/${surveyToken}`, body: answer }),
    other: () => ({ method: 'POST', path: `/surveys/${surveyToken}`, body: { ...answer, solved: 'partly' } }),
    effects: eventsOf('E', 'callback_answered'),
  },
  {
    route: 'POST /open311/keys',
    request: () => ({
      method: 'POST',
      path: '/open311/keys',
      token: tokens.supervisor,
      body: { app: '一个应用' },
    }),
    other: () => ({
      method: 'POST',
      path: '/open311/keys',
      token: tokens.supervisor,
      body: { app: '另一个应用' },
    }),
    status: 201,
    effects: async () => (await keys()).length,
    // The key itself is in the first answer only: it is kept nowhere, so a replay cannot repeat it.
    replayBody: (first) => {
      const { apiKey: _key, ...rest } = first as Record<string, unknown>;
      return { ...rest, apiKeyShown: false };
    },
  },
  {
    route: 'DELETE /open311/keys/{keyId}',
    request: () => ({ method: 'DELETE', path: `/open311/keys/${keyToRevoke}`, token: tokens.supervisor }),
    other: () => ({ method: 'DELETE', path: `/open311/keys/${otherKeyToRevoke}`, token: tokens.supervisor }),
    effects: async () => (await keys()).filter((k) => k.revokedAt !== undefined).length,
  },
  {
    route: 'POST /units/{id}/subscriptions',
    request: () => ({
      method: 'POST',
      path: `/units/${PUSH_UNIT}/subscriptions`,
      token: tokens.supervisor,
      body: { url: pushUrl('burst') },
    }),
    other: () => ({
      method: 'POST',
      path: `/units/${PUSH_UNIT}/subscriptions`,
      token: tokens.supervisor,
      body: { url: pushUrl('other') },
    }),
    status: 201,
    effects: async () => (await subscriptions()).filter((x) => x.url === pushUrl('burst')).length,
  },
  {
    route: 'DELETE /units/{id}/subscriptions/{subscriptionId}',
    request: () => ({
      method: 'DELETE',
      path: `/units/${PUSH_UNIT}/subscriptions/${pushed.remove}`,
      token: tokens.supervisor,
    }),
    other: () => ({
      method: 'DELETE',
      path: `/units/${PUSH_UNIT}/subscriptions/${pushed.otherRemove}`,
      token: tokens.supervisor,
    }),
    // Removals so far: the two made for this case, less those still there.
    effects: async () =>
      2 -
      (await subscriptions()).filter((x) => [pushed.remove, pushed.otherRemove].includes(x.subscriptionId))
        .length,
  },
  {
    route: 'POST /units/{id}/subscriptions/{subscriptionId}/secret',
    request: () => ({
      method: 'POST',
      path: `/units/${PUSH_UNIT}/subscriptions/${pushed.rotate}/secret`,
      token: tokens.supervisor,
    }),
    other: () => ({
      method: 'POST',
      path: `/units/${PUSH_UNIT}/subscriptions/${pushed.otherRotate}/secret`,
      token: tokens.supervisor,
    }),
    // Rotations so far: the generation after the first.
    effects: async () =>
      ((await subscriptions()).find((x) => x.subscriptionId === pushed.rotate)?.generation ?? 0) - 1,
  },
  {
    route: 'POST /open311/v2/{document}',
    request: () => ({ method: 'POST', path: '/open311/v2/requests.json', form: open311Form('同一请求重发') }),
    other: () => ({ method: 'POST', path: '/open311/v2/requests.json', form: open311Form('另一个请求') }),
    status: 201,
    // Open311's own error shape, and its 400 for what is not a missing resource or a key.
    reused: (response) => [response.status, response.body?.[0]?.code],
    effects: async () =>
      ((await stack.api('GET', '/open311/v2/requests.json')).body as { description: string }[]).filter(
        (r) => r.description === '同一请求重发',
      ).length,
  },
];

/** Before the cases that need them: the orders, in the state each case starts from. */
const makeKey = async (app: string, ratePerMinute = 60): Promise<{ keyId: string; apiKey: string }> => {
  const made = await stack.api('POST', '/open311/keys', {
    token: tokens.supervisor,
    body: { app, ratePerMinute },
  });
  expect(made.status, JSON.stringify(made.body)).toBe(201);
  return made.body;
};

const makeSubscription = async (name: string): Promise<string> => {
  const made = await stack.api('POST', `/units/${PUSH_UNIT}/subscriptions`, {
    token: tokens.supervisor,
    body: { url: pushUrl(name) },
  });
  expect(made.status, JSON.stringify(made.body)).toBe(201);
  return made.body.subscriptionId;
};

const prepare: Record<string, () => Promise<void>> = {
  'DELETE /units/{id}/subscriptions/{subscriptionId}': async () => {
    pushed.remove = await makeSubscription('remove');
    pushed.otherRemove = await makeSubscription('other-remove');
  },
  'POST /units/{id}/subscriptions/{subscriptionId}/secret': async () => {
    pushed.rotate = await makeSubscription('rotate');
    pushed.otherRotate = await makeSubscription('other-rotate');
  },
  'DELETE /open311/keys/{keyId}': async () => {
    keyToRevoke = (await makeKey('待吊销')).keyId;
    otherKeyToRevoke = (await makeKey('也待吊销')).keyId;
  },
  // A burst of 20 at once fits in the key's own limit.
  'POST /open311/v2/{document}': async () => {
    open311Key = (await makeKey('重发测试', 1000)).apiKey;
  },
  'POST /orders/{id}/accept': async () => {
    const declines = { kind: 'person', name: '王女士', phone: '13800138000', declinesCallback: true };
    orders.A = (await s.create(complaint({ requester: declines }))).id;
    await s.untilWaiting(idOf('A'), 'dispatched');
  },
  'POST /orders/{id}/objection': async () => {
    orders.C = (await s.create(complaint())).id;
    await s.untilWaiting(idOf('C'), 'dispatched');
  },
  'POST /orders/{id}/dispatch': async () => {
    orders.D = (await s.create(complaint({ appealType: 'help', categoryCode: '9901' }))).id;
    await s.untilWaiting(idOf('D'), 'awaiting_dispatch');
  },
  'POST /orders/{id}/callback': async () => {
    for (const name of ['B', 'E']) {
      const { id } = await s.create(complaint());
      orders[name] = id;
      await s.untilWaiting(id, 'dispatched');
      await s.step(id, 'accept', tokens.unit);
      await s.step(id, 'contact', tokens.unit, { way: 'phone' });
      await s.step(id, 'reply', tokens.unit, { result: 'resolved', text: '已拆除违建。' });
      await s.step(id, 'reply-review', tokens.operator, { decision: 'accept' });
    }
    const scheduled = await eventually(async () => {
      const order = await s.read(idOf('E'));
      return order.callback?.state === 'scheduled' ? order.callback : undefined;
    }, 'the call-back to be scheduled');
    await s.clock({ set: new Date(Date.parse(scheduled.firstAttemptAt) + 60_000).toISOString() });
    for (const name of ['B', 'E'])
      await eventually(
        async () => ((await s.read(idOf(name))).callback?.state === 'open' ? true : undefined),
        `order ${name}'s call-back to open`,
      );
    const messages = (await stack.api('GET', '/_local/outbox')).body.items as {
      orderId: string;
      link: string;
    }[];
    surveyToken =
      messages
        .find((m) => m.orderId === idOf('E'))
        ?.link.split('/')
        .at(-1) ?? '';
    expect(surveyToken).not.toBe('');
  },
};

describe('Idempotency-Key on every write route', () => {
  it('has a case for every write route of the wiring, and no other', () => {
    const writes = httpRoutes.filter((r) => r.method !== 'GET').map(routeKeyOf);
    expect(cases.map((c) => c.route).sort()).toEqual([...writes].sort());
  });

  for (const [i, c] of cases.entries()) {
    it(`${c.route}: 20 at once with one key change once; the same key with another request is a 422`, async () => {
      // Prepare
      await prepare[c.route]?.();
      const key = `burst-${i}`;
      const before = await c.effects?.();

      // Act
      const responses = await Promise.all(Array.from({ length: BURST }, () => send(c.request(), key)));
      await c.settle?.();
      const reused = await send(c.other(), key);

      // Assess
      const [first, ...more] = responses.filter((r) => !replayed(r));
      const replays = responses.filter(replayed);
      expect(first?.status, JSON.stringify(first?.body)).toBe(c.status ?? 200);
      expect(more.map((r) => [r.status, r.body])).toEqual([]);
      expect(replays).toHaveLength(BURST - 1);
      const replayBody = c.replayBody ? c.replayBody(first?.body) : first?.body;
      expect(replays.map((r) => [r.status, r.body])).toEqual(replays.map(() => [first?.status, replayBody]));
      if (c.effects) expect(await c.effects()).toBe((before ?? 0) + 1);
      const reusedAnswer = c.reused ? c.reused(reused) : [reused.status, reused.body.error?.code];
      expect(reusedAnswer).toEqual([c.reused ? 400 : 422, 'IDEMPOTENCY_KEY_REUSED']);
      if (c.effects) expect(await c.effects()).toBe((before ?? 0) + 1);
    });
  }
});
