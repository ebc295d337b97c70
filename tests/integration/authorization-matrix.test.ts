import { join } from 'node:path';
import { generateKeyPair, SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type HttpRouteSpec, httpRoutes, type Role, routeKeyOf } from '#wiring/wiring.ts';
import { LOCAL_CLIENT_ID, LOCAL_ISSUER, loadOrCreateKeys, signLocalToken } from '../../local/local-auth.ts';
import { type StackProcess, startStackProcess } from './local-stack-process.ts';
import { type SeededOrders, seedOrders, units } from './seeded-orders.ts';

/**
 * Every route × every kind of caller, against the running local stack. The expected answer of each
 * cell comes from the rules, not from running the code:
 *
 * - the gateway (docs/api.md, wiring/wiring.ts): a route without roles lets anyone through; otherwise
 *   a missing, forged or expired token is 401 and a token whose scope is none of the route's roles 403,
 *   both in API Gateway's `{ message }` shape;
 * - every handler behind it (docs/api.md): 403 `NO_ROLE` without a role claim, `ROLE_NOT_ALLOWED` when
 *   the role claim is none of the route's roles, `ROLE_SCOPE_MISMATCH` when the scope is not the role's;
 * - then the route's own data rules (the `expectations` below, each from its handler's documented
 *   rules and docs/design.md): a unit sees the orders it leads, co-handles (协办) or is copied on (抄送,
 *   the district of a street lead), and another unit's order is a 404 as if it did not exist; only the
 *   lead acts for its unit (首接负责), only a co-handler reports, a unit reads its own assessment.
 *
 * The order every cell acts on is the seeded closed order (seeded-orders.ts), chosen so that no cell
 * can change anything: an allowed action meets a status that allows no action (409), the appeal meets
 * the appeal that waits (409), and the two supervisor decisions that a closed order would take are sent
 * with a stale If-Match (409 VERSION_CONFLICT, checked once the caller may read the order).
 */
const START = '2026-12-07T10:00:00+08:00';

type Caller = 'operator' | 'dispatcher' | 'supervisor' | 'auditor' | 'own' | 'other' | 'copied' | 'co';

interface Column {
  readonly name: string;
  /** How the gateway and the handler's role check see the token. */
  readonly auth:
    | { readonly kind: 'none' | 'forged' | 'expired' }
    | { readonly kind: 'signed'; readonly scope: Role; readonly role: Role | null };
  /** Who the data rules see, for a token that passes the role checks. */
  readonly caller?: Caller;
}

const columns: readonly Column[] = [
  { name: 'operator', auth: { kind: 'signed', scope: 'operator', role: 'operator' }, caller: 'operator' },
  {
    name: 'dispatcher',
    auth: { kind: 'signed', scope: 'dispatcher', role: 'dispatcher' },
    caller: 'dispatcher',
  },
  {
    name: 'supervisor',
    auth: { kind: 'signed', scope: 'supervisor', role: 'supervisor' },
    caller: 'supervisor',
  },
  { name: 'auditor', auth: { kind: 'signed', scope: 'auditor', role: 'auditor' }, caller: 'auditor' },
  { name: 'unit:own', auth: { kind: 'signed', scope: 'unit', role: 'unit' }, caller: 'own' },
  { name: 'unit:other', auth: { kind: 'signed', scope: 'unit', role: 'unit' }, caller: 'other' },
  { name: 'unit:copied', auth: { kind: 'signed', scope: 'unit', role: 'unit' }, caller: 'copied' },
  { name: 'unit:co', auth: { kind: 'signed', scope: 'unit', role: 'unit' }, caller: 'co' },
  { name: 'none', auth: { kind: 'none' } },
  { name: 'forged', auth: { kind: 'forged' } },
  { name: 'expired', auth: { kind: 'expired' } },
  // The lead unit's staff with a dispatcher's scope, and the other way round: role claim ≠ scope.
  { name: 'role unit/scope disp', auth: { kind: 'signed', scope: 'dispatcher', role: 'unit' } },
  { name: 'role sup/scope unit', auth: { kind: 'signed', scope: 'unit', role: 'supervisor' } },
  { name: 'no role/scope op', auth: { kind: 'signed', scope: 'operator', role: null } },
];

interface Outcome {
  readonly status: number;
  /** The error code; the gateway's own answers by their message; empty for a success. */
  readonly code: string;
}
const ok: Outcome = { status: 200, code: '' };
const error = (status: number, code: string): Outcome => ({ status, code });
const orderNotFound = error(404, 'ORDER_NOT_FOUND');

/** What the gateway and the handler's role check answer, or undefined when the data rules decide. */
const authOutcome = (route: HttpRouteSpec, column: Column): Outcome | undefined => {
  if (route.roles === null) return undefined;
  const { auth } = column;
  if (auth.kind !== 'signed') return error(401, 'Unauthorized');
  if (!route.roles.includes(auth.scope)) return error(403, 'Forbidden');
  if (auth.role === null) return error(403, 'NO_ROLE');
  if (!route.roles.includes(auth.role)) return error(403, 'ROLE_NOT_ALLOWED');
  if (auth.scope !== auth.role) return error(403, 'ROLE_SCOPE_MISMATCH');
  return undefined;
};

interface Cell {
  readonly path: (orders: SeededOrders) => string;
  readonly body?: unknown;
  readonly headers?: Readonly<Record<string, string>>;
  /** The data rules' answer to a caller the role checks let through (all callers, on a public route). */
  readonly expect: (caller: Caller | undefined) => Outcome;
}

const always =
  (outcome: Outcome) =>
  (_caller: Caller | undefined): Outcome =>
    outcome;
/** Only the lead unit acts (首接负责); the copied and co-handling units may read the order, not act. */
const leadActs = (reached: Outcome) => (caller: Caller | undefined) =>
  caller === 'own' ? reached : caller === 'other' ? orderNotFound : error(403, 'NOT_LEAD_UNIT');
/** Any unit that can read an order may read it; another unit's order does not exist for it. */
const readable = (caller: Caller | undefined) => (caller === 'other' ? orderNotFound : ok);
/** A unit's staff see their own unit only (GET /orders: `unitId` of another unit is 403 OTHER_UNIT). */
const ownUnitOnly = (caller: Caller | undefined) =>
  caller === 'other' || caller === 'copied' || caller === 'co' ? error(403, 'OTHER_UNIT') : ok;

const closedOrder = error(409, 'ACTION_NOT_ALLOWED');
const action =
  (name: string) =>
  (o: SeededOrders): string =>
    `/orders/${o.closed}/${name}`;
const stale = { 'if-match': '"0"' };

/** The request of each route and the rules' answer. A route missing here fails the test. */
const expectations: Readonly<Record<string, Cell>> = {
  'GET /health': { path: () => '/health', expect: always(ok) },
  'GET /openapi.json': { path: () => '/openapi.json', expect: always(ok) },
  // A link never sent (no requester of the seeded orders can be called back): 404 to anyone.
  'GET /surveys/{token}': {
    path: () => '/surveys/not-a-link',
    expect: always(error(404, 'SURVEY_LINK_UNKNOWN')),
  },
  'POST /surveys/{token}': {
    path: () => '/surveys/not-a-link',
    body: { contactedInTime: true, solved: 'solved', satisfied: 'satisfied' },
    expect: always(error(404, 'SURVEY_LINK_UNKNOWN')),
  },
  // Open311 needs no token: what is public answers anyone, filing and tokens need the app's api_key.
  'GET /open311/v2/{document}': { path: () => '/open311/v2/services.json', expect: always(ok) },
  'POST /open311/v2/{document}': {
    path: () => '/open311/v2/requests.json',
    body: { service_code: '0101' },
    expect: always(error(403, 'API_KEY_REQUIRED')),
  },
  'GET /open311/v2/services/{file}': { path: () => '/open311/v2/services/010201.json', expect: always(ok) },
  'GET /open311/v2/requests/{file}': {
    path: (o) => `/open311/v2/requests/${o.closed}.json`,
    expect: always(ok),
  },
  'GET /open311/v2/tokens/{file}': {
    path: () => '/open311/v2/tokens/app-1.json',
    expect: always(error(403, 'API_KEY_REQUIRED')),
  },
  'POST /open311/keys': {
    path: () => '/open311/keys',
    body: { app: ' ' },
    expect: always(error(400, 'VALIDATION_FAILED')),
  },
  'GET /open311/keys': { path: () => '/open311/keys', expect: always(ok) },
  'DELETE /open311/keys/{keyId}': {
    path: () => '/open311/keys/0123456789abcdef',
    expect: always(error(404, 'KEY_NOT_FOUND')),
  },
  // Every seeded requester is anonymous: whoever may read the order finds no contact to open.
  'GET /orders/{id}/contact': {
    path: (o) => `/orders/${o.closed}/contact?purpose=verification`,
    expect: (caller) => (caller === 'other' ? orderNotFound : error(404, 'NO_CONTACT')),
  },
  'GET /orders/{id}/contact-reads': { path: (o) => `/orders/${o.closed}/contact-reads`, expect: always(ok) },
  'GET /contact-reads': { path: () => '/contact-reads?day=2026-12-07', expect: always(ok) },
  'GET /requester-orders': { path: () => '/requester-orders?phone=13800138000', expect: always(ok) },
  'GET /callbacks': { path: () => '/callbacks', expect: always(ok) },
  'GET /areas': { path: () => '/areas', expect: always(ok) },
  'GET /categories': { path: () => '/categories', expect: always(ok) },
  'GET /units': { path: () => '/units', expect: always(ok) },
  'GET /catalogue': { path: () => '/catalogue?categoryCode=0101', expect: always(ok) },
  'PUT /catalogue/lines': {
    path: () => '/catalogue/lines',
    body: { categoryCode: '0101', areaCode: '110105001', leadUnitId: 'no-such-unit' },
    expect: always(error(422, 'UNKNOWN_UNIT')),
  },
  'DELETE /catalogue/lines/{categoryCode}/{areaCode}': {
    path: () => '/catalogue/lines/9999/110105001',
    expect: always(error(404, 'CATALOGUE_LINE_NOT_FOUND')),
  },
  'GET /assessment/units/{id}': {
    path: () => `/assessment/units/${units.lead}?month=2026-12`,
    expect: ownUnitOnly,
  },
  // A unit manages its own subscriptions only (the body, not one, is refused before anything).
  'POST /units/{id}/subscriptions': {
    path: () => `/units/${units.lead}/subscriptions`,
    body: { url: 'https://cases.example.cn/hotline', events: [] },
    expect: always(error(400, 'VALIDATION_FAILED')),
  },
  'GET /units/{id}/subscriptions': { path: () => `/units/${units.lead}/subscriptions`, expect: ownUnitOnly },
  'DELETE /units/{id}/subscriptions/{subscriptionId}': {
    path: () => `/units/${units.lead}/subscriptions/SUB01JABCDEFGHJKMNPQRSTVWXYZ`,
    expect: (caller) =>
      caller === 'other' || caller === 'copied' || caller === 'co'
        ? error(403, 'OTHER_UNIT')
        : error(404, 'SUBSCRIPTION_NOT_FOUND'),
  },
  'POST /units/{id}/subscriptions/{subscriptionId}/secret': {
    path: () => `/units/${units.lead}/subscriptions/SUB01JABCDEFGHJKMNPQRSTVWXYZ/secret`,
    expect: (caller) =>
      caller === 'other' || caller === 'copied' || caller === 'co'
        ? error(403, 'OTHER_UNIT')
        : error(404, 'SUBSCRIPTION_NOT_FOUND'),
  },
  'GET /assessment/rankings': {
    path: () => '/assessment/rankings?month=2026-12&class=street',
    expect: always(ok),
  },
  'POST /orders/{id}/assessment-exclusion': {
    path: action('assessment-exclusion'),
    body: { reason: 'unreachable', note: '三次回访均未接通' },
    headers: stale,
    expect: always(error(409, 'VERSION_CONFLICT')),
  },
  // The lead's appeal waits: the lead meets it (409); the others may not appeal at all.
  'POST /orders/{id}/assessment-appeal': {
    path: action('assessment-appeal'),
    body: { reason: '诉求人要求超出政策范围' },
    expect: leadActs(error(409, 'APPEAL_PENDING')),
  },
  'POST /orders/{id}/assessment-appeal-decision': {
    path: action('assessment-appeal-decision'),
    body: { decision: 'keep', note: '维持考核' },
    headers: stale,
    expect: always(error(409, 'VERSION_CONFLICT')),
  },
  // No mining has run on this stack: every stored insight is still to be computed.
  ...Object.fromEntries(
    ['topics', 'townships', 'rates', 'heatmap', 'outlook', 'hotspots'].map((kind) => [
      `GET /insights/${kind}`,
      { path: () => `/insights/${kind}`, expect: always(error(404, 'INSIGHT_NOT_COMPUTED')) },
    ]),
  ),
  'GET /insights/alerts': {
    path: () => '/insights/alerts?from=2026-12-01&to=2026-12-07',
    expect: always(ok),
  },
  // A supervisor passes the role check and then meets a month that is not one.
  'PUT /insights/topics/{month}/choice': {
    path: () => '/insights/topics/2026-13/choice',
    body: { categoryCode: '0101' },
    expect: always(error(400, 'VALIDATION_FAILED')),
  },
  'POST /orders': {
    path: () => '/orders',
    body: {
      appealType: 'complaint',
      categoryCode: '000000',
      description: '楼下商户私自搭建彩钢板房。',
      channel: 'phone',
      urgency: 'normal',
      requester: { kind: 'person', anonymous: true },
      location: { districtCode: '110105', streetCode: '110105001' },
    },
    expect: always(error(422, 'UNKNOWN_CATEGORY')),
  },
  'GET /possible-duplicates': {
    path: () => '/possible-duplicates?categoryCode=0101&lat=39.9&long=116.4',
    expect: always(ok),
  },
  'GET /orders': { path: () => `/orders?unitId=${units.lead}`, expect: ownUnitOnly },
  'GET /orders/{id}': { path: (o) => `/orders/${o.closed}`, expect: readable },
  'GET /orders/{id}/timeline': { path: (o) => `/orders/${o.closed}/timeline`, expect: readable },
  'GET /orders/{id}/execution-history': {
    path: (o) => `/orders/${o.closed}/execution-history`,
    expect: always(ok),
  },
  // The centre's decisions: the role passes, the closed order allows none of them.
  'POST /orders/{id}/dispatch': {
    path: action('dispatch'),
    body: { unitId: 'st-110105003' },
    expect: always(closedOrder),
  },
  'POST /orders/{id}/objection-decision': {
    path: action('objection-decision'),
    body: { decision: 'confirm', note: '维持派单' },
    expect: always(closedOrder),
  },
  'POST /orders/{id}/extension-decision': {
    path: action('extension-decision'),
    body: { approve: false },
    expect: always(closedOrder),
  },
  'POST /orders/{id}/reply-review': {
    path: action('reply-review'),
    body: { decision: 'accept' },
    expect: always(closedOrder),
  },
  // The requester is anonymous: the closed order has no call-back to answer.
  'POST /orders/{id}/callback': {
    path: action('callback'),
    body: { reached: false, note: '无人接听' },
    expect: always(error(409, 'CALLBACK_NOT_OPEN')),
  },
  'POST /orders/{id}/accept': { path: action('accept'), body: {}, expect: leadActs(closedOrder) },
  'POST /orders/{id}/objection': {
    path: action('objection'),
    body: { reason: '该地址属于相邻街道辖区' },
    expect: leadActs(closedOrder),
  },
  'POST /orders/{id}/contact': {
    path: action('contact'),
    body: { way: 'phone' },
    expect: leadActs(closedOrder),
  },
  // The lead or a co-handler notes progress; a copied unit only reads.
  'POST /orders/{id}/progress': {
    path: action('progress'),
    body: { text: '已现场核查' },
    expect: (caller) =>
      caller === 'other'
        ? orderNotFound
        : caller === 'copied'
          ? error(403, 'NOT_HANDLING_UNIT')
          : closedOrder,
  },
  'POST /orders/{id}/co-handling': {
    path: action('co-handling'),
    body: { unitIds: ['dept-cgw'], note: '请城管委协办' },
    expect: leadActs(closedOrder),
  },
  // Only a co-handler reports on its part; the lead and the copied district do not.
  'POST /orders/{id}/co-handling-report': {
    path: action('co-handling-report'),
    body: { text: '已约谈商户' },
    expect: (caller) =>
      caller === 'other' ? orderNotFound : caller === 'co' ? closedOrder : error(403, 'NOT_CO_HANDLER'),
  },
  'POST /orders/{id}/summon': {
    path: action('summon'),
    body: { unitIds: ['dept-cgzfj'], note: '请城管执法报到' },
    expect: leadActs(closedOrder),
  },
  'POST /orders/{id}/extension': {
    path: action('extension'),
    body: { days: 5, reason: '需协调维修资金' },
    expect: leadActs(closedOrder),
  },
  'POST /orders/{id}/escalation': {
    path: action('escalation'),
    body: { to: 'district', reason: '需区级统筹' },
    expect: leadActs(closedOrder),
  },
  'POST /orders/{id}/reply': {
    path: action('reply'),
    body: { result: 'resolved', text: '已处理。' },
    expect: leadActs(closedOrder),
  },
};

const expected = (route: HttpRouteSpec, column: Column): Outcome => {
  const cell = expectations[routeKeyOf(route)];
  if (!cell) throw new Error(`No expectation for ${routeKeyOf(route)}`);
  return authOutcome(route, column) ?? cell.expect(column.caller);
};

let stack: StackProcess;
let orders: SeededOrders;
const tokens = new Map<string, string | undefined>();

/** A token as the stack's own key would sign it, but with another key pair: the gateway must refuse it. */
const forgedToken = async (): Promise<string> => {
  const { privateKey } = await generateKeyPair('RS256');
  return new SignJWT({
    role: 'supervisor',
    scope: 'hotline/supervisor',
    client_id: LOCAL_CLIENT_ID,
    token_use: 'access',
  })
    .setProtectedHeader({ alg: 'RS256', kid: 'hotline-local-dev' })
    .setIssuer(LOCAL_ISSUER)
    .setSubject('local-supervisor')
    .setIssuedAt()
    .setExpirationTime('1h')
    .sign(privateKey);
};

beforeAll(async () => {
  stack = await startStackProcess({ startAt: START });
  orders = await seedOrders(stack);
  const keys = await loadOrCreateKeys(join(stack.localDir, 'keys'));
  const unitOf: Record<string, string> = {
    'unit:own': units.lead,
    'unit:other': units.other,
    'unit:copied': units.copied,
    'unit:co': units.coHandler,
  };
  const tokenOf = async (column: Column): Promise<string | undefined> => {
    const { auth } = column;
    switch (auth.kind) {
      case 'none':
        return undefined;
      case 'forged':
        return forgedToken();
      case 'expired':
        // Expired an hour ago by the wall clock, which is what the authorizer checks.
        return signLocalToken(keys, { role: 'supervisor', ttlSeconds: -3600 });
      case 'signed': {
        if (auth.role === null) return stack.token(auth.scope, undefined, { role: undefined });
        const unitId = auth.scope === 'unit' ? (unitOf[column.name] ?? units.lead) : undefined;
        // A role claim that is not the scope's: the lead unit's staff, or a supervisor.
        const odd =
          auth.role !== auth.scope
            ? { role: auth.role, ...(auth.role === 'unit' ? { unit_id: units.lead } : {}) }
            : undefined;
        return stack.token(auth.scope, unitId, odd);
      }
    }
  };
  for (const column of columns) tokens.set(column.name, await tokenOf(column));
}, 180_000);

afterAll(async () => {
  await stack?.stop();
});

/** Runs `tasks` at most `width` at a time (the machine is shared). */
const inPool = async <T>(tasks: readonly (() => Promise<T>)[], width = 6): Promise<T[]> => {
  const results: T[] = new Array(tasks.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: width }, async () => {
      while (next < tasks.length) {
        const i = next++;
        results[i] = await (tasks[i] as () => Promise<T>)();
      }
    }),
  );
  return results;
};

const show = (o: Outcome) => `${o.status}${o.code ? ` ${o.code}` : ''}`;

/** The matrix as a table: each cell the answer, and where it is not the expected one, both. */
const table = (cells: readonly { route: string; column: string; want: Outcome; got: Outcome }[]): string => {
  const routes = [...new Set(cells.map((c) => c.route))];
  const header = ['route', ...columns.map((c) => c.name)];
  const rows = routes.map((route) => [
    route,
    ...columns.map((column) => {
      const cell = cells.find((c) => c.route === route && c.column === column.name);
      if (!cell) return '?';
      return show(cell.got) === show(cell.want)
        ? show(cell.got)
        : `✗ ${show(cell.got)} (want ${show(cell.want)})`;
    }),
  ]);
  const widths = header.map((_h, i) => Math.max(...[header, ...rows].map((r) => (r[i] ?? '').length)));
  return [header, ...rows].map((r) => r.map((v, i) => v.padEnd(widths[i] ?? 0)).join(' | ')).join('\n');
};

describe('the authorization matrix: every route × every caller', () => {
  it('has an expectation for every route of the wiring', () => {
    // Act
    const missing = httpRoutes.map(routeKeyOf).filter((key) => !expectations[key]);

    // Assess
    expect(missing).toEqual([]);
  });

  it('returns, for each route and caller, what the rules say, and changes nothing', async () => {
    // Prepare
    const auditor = await stack.token('auditor');
    const before = await stack.api('GET', `/orders/${orders.closed}/timeline`, { token: auditor });

    // Act
    const cells = await inPool(
      httpRoutes.flatMap((route) =>
        columns.map((column) => async () => {
          const cell = expectations[routeKeyOf(route)] as Cell;
          const token = tokens.get(column.name);
          const response = await stack.api(route.method, cell.path(orders), {
            ...(token ? { token } : {}),
            ...(cell.body !== undefined ? { body: cell.body } : {}),
            ...(cell.headers ? { headers: { ...cell.headers } } : {}),
          });
          const got: Outcome = {
            status: response.status,
            code:
              response.status < 300
                ? ''
                : // Open311 answers its errors as a list of { code, description }.
                  String(
                    response.body?.error?.code ?? response.body?.message ?? response.body?.[0]?.code ?? '',
                  ),
          };
          return { route: routeKeyOf(route), column: column.name, want: expected(route, column), got };
        }),
      ),
    );
    const after = await stack.api('GET', `/orders/${orders.closed}/timeline`, { token: auditor });

    // Assess
    const wrong = cells.filter((c) => show(c.got) !== show(c.want));
    expect(wrong.length, `\n${table(cells)}\n`).toBe(0);
    expect(after.body.items.length).toBe(before.body.items.length);
  }, 180_000);
});
