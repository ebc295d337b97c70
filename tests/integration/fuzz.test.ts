import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { httpRoutes, type Role, roles, routeKeyOf } from '#wiring/wiring.ts';
import {
  type Draft,
  type FuzzContext,
  poisonsOf,
  requestFor,
  slotGenerators,
  slotsOf,
  toRawRequest,
} from './fuzz-arbitraries.ts';
import {
  contractBreach,
  differences,
  documentedCodes,
  type RawRequest,
  type RawResponse,
  type Snapshot,
  send,
  settledSnapshot,
} from './fuzz-support.ts';
import { type StackProcess, startStackProcess } from './local-stack-process.ts';
import { seedOrders, units } from './seeded-orders.ts';

/**
 * Every route of wiring/wiring.ts, fuzzed with hostile bodies, headers, query strings and path
 * parameters by valid tokens of the roles it allows (so the requests reach the handlers): never a 5xx,
 * every 4xx in the API's error shape with a code docs/api.md documents, and nothing changed — every
 * table item, bus event, schedule, outbox message, dead letter and execution history is the same after
 * the run as before it. Each write request carries a poison that guarantees its refusal
 * (fuzz-arbitraries.ts), and any 2xx to one fails the run: a fuzzed write that succeeds is a generator
 * that missed, or a rule that did not hold.
 *
 * Bounded for a busy 2-core machine: FUZZ_RUNS (40) requests per route, a fixed seed (FUZZ_SEED);
 * a failure names the seed and path to replay it with.
 */
const START = '2026-12-07T10:00:00+08:00';
const RUNS = Number(process.env.FUZZ_RUNS ?? 40);
const SEED = Number(process.env.FUZZ_SEED ?? 20261207);
/** FUZZ_STATS=1 prints every answer's route, status, code and poison: how deep the fuzzing reaches. */
const STATS = process.env.FUZZ_STATS === '1';

let stack: StackProcess;
let ctx: FuzzContext;
let before: Snapshot;
let executions: string[];
const codes = documentedCodes();

beforeAll(async () => {
  stack = await startStackProcess({ startAt: START });
  const orders = await seedOrders(stack);
  const tokenOf = (role: Role) =>
    role === 'unit'
      ? Promise.all(
          [units.lead, units.coHandler, units.copied, units.other].map((u) => stack.token('unit', u)),
        )
      : stack.token(role).then((t) => [t]);
  const tokens = Object.fromEntries(
    await Promise.all(roles.map(async (role) => [role, await tokenOf(role)] as const)),
  ) as Record<Role, string[]>;
  const [catalogue, categories] = await Promise.all([
    stack.api('GET', '/catalogue', { token: tokens.auditor[0] as string }),
    stack.api('GET', '/categories', { token: tokens.auditor[0] as string }),
  ]);
  const known = new Set((categories.body.items as { code: string }[]).map((c) => c.code));
  const unknownCategory = ['000000', '0000', '00'].find((code) => !known.has(code));
  if (!unknownCategory) throw new Error('Every candidate unknown category is a category');
  ctx = {
    orders,
    tokens,
    unitIds: [...Object.values(units), 'dept-cgw'],
    catalogueLines: new Set(
      (catalogue.body.items as { categoryCode: string; areaCode: string }[]).map(
        (l) => `${l.categoryCode}|${l.areaCode}`,
      ),
    ),
    unknownCategory,
  };
  executions = Object.values(orders).map((id) => `/_local/executions/${id}`);
  before = await settledSnapshot(stack, executions);
}, 180_000);

afterAll(async () => {
  await stack?.stop();
});

/** One line of a request and its answer, cut short, for a failure message. */
const describeExchange = (req: RawRequest, draft: Draft, res: RawResponse): string =>
  JSON.stringify({
    poison: draft.poison || undefined,
    method: req.method,
    path: req.path.slice(0, 300),
    headers: Object.fromEntries(
      Object.entries(req.headers)
        .filter(([k]) => k !== 'authorization')
        .map(([k, v]) => [k, v.slice(0, 120)]),
    ),
    token: draft.token ? 'valid' : 'none',
    body: req.body?.slice(0, 300),
    status: res.status,
    answer: res.text.slice(0, 300),
  });

const codeOf = (res: RawResponse): string => {
  try {
    const body = JSON.parse(res.text);
    return String(body?.error?.code ?? body?.message ?? body?.[0]?.code ?? '');
  } catch {
    return '';
  }
};

describe('fuzzing every route', () => {
  it('has a generator for every path parameter and a poison for every write route', () => {
    // Prepare
    const slots = httpRoutes.flatMap((route) => slotsOf(route.path));
    const writes = httpRoutes.filter((route) => route.method !== 'GET');

    // Act
    const noGenerator = slots.filter((slot) => !slotGenerators[slot]);
    const noPoison = writes.filter((route) => !poisonsOf(route)).map(routeKeyOf);

    // Assess
    expect(noGenerator).toEqual([]);
    expect(noPoison).toEqual([]);
  });

  describe.concurrent('each route refuses hostile requests with a documented 4xx', () => {
    it.each(httpRoutes.map((route) => [routeKeyOf(route), route] as const))(
      'returns no 5xx and only documented 4xx to %s',
      async (_key, route) => {
        const mustRefuse = route.method !== 'GET';
        await fc.assert(
          fc.asyncProperty(requestFor(ctx, route), async (draft) => {
            // Act
            const req = toRawRequest(route, draft);
            const res = await send(stack.url, req);

            // Assess
            if (STATS) console.log(`FUZZ ${routeKeyOf(route)} ${res.status} ${codeOf(res)} ${draft.poison}`);
            const breach = contractBreach(res, codes, { mustRefuse, open311: route.function === 'open311' });
            if (breach) throw new Error(`${breach}: ${describeExchange(req, draft, res)}`);
          }),
          { numRuns: RUNS, seed: SEED, endOnFailure: true },
        );
      },
      240_000,
    );
  });

  describe('afterwards', () => {
    it('changed nothing: every item, event, schedule, message and history is as before', async () => {
      // Act
      const after = await settledSnapshot(stack, executions);

      // Assess
      expect(differences(before, after)).toEqual([]);
    }, 120_000);
  });
});
