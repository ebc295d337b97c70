import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { verifyDelivery } from '#domain/push-signature.ts';
import { eventually, type StackProcess, startStackProcess } from './local-stack-process.ts';
import { complaint, scenario } from './scenario.ts';

/**
 * Work pushed to a unit's own system (docs/push-deliveries.md), end to end on the local stack: a
 * subscription made through the API becomes a connection, an API destination and a rule on the local
 * bus; each event of the unit's orders reaches a receiver on this machine as a signed POST, which
 * the receiver verifies as docs/examples/verifying-receiver.mjs does.
 */
const LEAD = 'st-110105001'; // where complaint() is dispatched (data/dispatch-catalogue.json)
const CO = 'dept-cgzfj';

interface Received {
  readonly headers: IncomingHttpHeaders;
  readonly body: string;
  readonly parsed: Record<string, unknown> & {
    id: string;
    type: string;
    event: { seq: number; orderId: string };
  };
  readonly status: number;
}

/** A unit's system: verifies each delivery with the secret it was given; `failNext` answers 503 once. */
const receiver = async () => {
  const received: Received[] = [];
  let secret = '';
  let failNext = 0;
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      const headers = Object.fromEntries(
        Object.entries(req.headers).map(([k, v]) => [k, Array.isArray(v) ? v.join(',') : v]),
      );
      const verdict = verifyDelivery(headers, body, secret, Date.now());
      const status = !verdict.ok ? 401 : failNext > 0 ? 503 : 204;
      if (status === 503) failNext--;
      received.push({ headers: req.headers, body, parsed: verdict.ok ? JSON.parse(body) : {}, status });
      res.writeHead(status).end();
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hotline/events`,
    received,
    useSecret: (s: string) => {
      secret = s;
    },
    failOnce: () => {
      failNext = 1;
    },
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
};

let stack: StackProcess;
let s: ReturnType<typeof scenario>;
let supervisor: string;
let lead: string;
let coHandler: string;
let leadSystem: Awaited<ReturnType<typeof receiver>>;
let coSystem: Awaited<ReturnType<typeof receiver>>;

beforeAll(async () => {
  [stack, leadSystem, coSystem] = await Promise.all([startStackProcess({}), receiver(), receiver()]);
  [supervisor, lead, coHandler] = await Promise.all([
    stack.token('supervisor'),
    stack.token('unit', LEAD),
    stack.token('unit', CO),
  ]);
  s = scenario(stack, { operator: await stack.token('operator'), auditor: await stack.token('auditor') });
}, 120_000);

afterAll(async () => {
  await Promise.all([stack?.stop(), leadSystem?.close(), coSystem?.close()]);
});

const deliveriesOf = (system: Awaited<ReturnType<typeof receiver>>, orderId: string, type: string) =>
  system.received.filter(
    (r) => r.status === 204 && r.parsed.event?.orderId === orderId && r.parsed.type === type,
  );

describe('push subscriptions', () => {
  let subscriptionId = '';

  it('lets a supervisor subscribe a unit, and shows the secret only in that answer', async () => {
    const made = await stack.api('POST', `/units/${LEAD}/subscriptions`, {
      token: supervisor,
      body: { url: leadSystem.url, description: '东城区案件系统' },
      headers: { 'idempotency-key': 'push-subscribe-lead-1' },
    });
    expect(made.status, JSON.stringify(made.body)).toBe(201);
    expect(made.body).toMatchObject({ unitId: LEAD, url: leadSystem.url, state: 'active', generation: 1 });
    expect(made.body.secret).toMatch(/^whsec_[0-9a-f]{64}$/);
    expect(made.body.events).toContain('dispatched');
    subscriptionId = made.body.subscriptionId;
    leadSystem.useSecret(made.body.secret);

    // A retry with the same key makes no second subscription and answers the same secret.
    const again = await stack.api('POST', `/units/${LEAD}/subscriptions`, {
      token: supervisor,
      body: { url: leadSystem.url, description: '东城区案件系统' },
      headers: { 'idempotency-key': 'push-subscribe-lead-1' },
    });
    expect(again.status).toBe(201);
    expect(again.body.subscriptionId).toBe(subscriptionId);
    expect(again.body.secret).toBe(made.body.secret);

    const listed = await stack.api('GET', `/units/${LEAD}/subscriptions`, { token: lead });
    expect(listed.status).toBe(200);
    expect(listed.body.items.map((i: { subscriptionId: string }) => i.subscriptionId)).toEqual([
      subscriptionId,
    ]);
    expect(JSON.stringify(listed.body)).not.toContain(made.body.secret);
  });

  it('lets a unit subscribe itself and no other unit, and refuses an endpoint that is not https', async () => {
    const other = await stack.api('POST', `/units/${LEAD}/subscriptions`, {
      token: coHandler,
      body: { url: coSystem.url },
    });
    expect([other.status, other.body.error?.code]).toEqual([403, 'OTHER_UNIT']);
    const plain = await stack.api('POST', `/units/${CO}/subscriptions`, {
      token: coHandler,
      body: { url: 'http://cases.example.cn/hotline' },
    });
    expect([plain.status, plain.body.error?.code]).toEqual([422, 'INVALID_ENDPOINT']);
    const unknown = await stack.api('GET', '/units/st-999999999/subscriptions', { token: supervisor });
    expect([unknown.status, unknown.body.error?.code]).toEqual([404, 'UNIT_NOT_FOUND']);

    const own = await stack.api('POST', `/units/${CO}/subscriptions`, {
      token: coHandler,
      body: { url: coSystem.url, events: ['co_handling_requested'] },
    });
    expect(own.status, JSON.stringify(own.body)).toBe(201);
    coSystem.useSecret(own.body.secret);
  });

  it("delivers the unit's order events, signed, each once, retrying what the receiver failed", async () => {
    leadSystem.failOnce(); // the first delivery is answered 503 and sent again
    const { id } = await s.create(complaint());
    await s.untilWaiting(id, 'dispatched');

    const dispatched = await eventually(
      async () => deliveriesOf(leadSystem, id, 'order.dispatched')[0],
      'the dispatch delivered',
    );
    expect(dispatched.headers['hotline-signature']).toMatch(/^v1=[0-9a-f]{64}$/);
    expect(dispatched.headers['hotline-delivery-id']).toBe(dispatched.parsed.id);
    expect(dispatched.headers['hotline-subscription']).toBe(subscriptionId);
    expect(dispatched.headers['content-type']).toMatch(/^application\/json/);
    expect(dispatched.parsed).toMatchObject({
      type: 'order.dispatched',
      unitId: LEAD,
      subscriptionId,
      event: { orderId: id, type: 'dispatched' },
      order: { id, unitId: LEAD, status: 'dispatched' },
    });
    // The refused attempt and the one that succeeded carry the same delivery id.
    const attempts = leadSystem.received.filter(
      (r) => r.headers['hotline-delivery-id'] === dispatched.parsed.id,
    );
    expect(attempts.map((a) => a.status)).toEqual([503, 204]);
    // The requester only masked, as GET /orders/{id} shows a unit (complaint() in scenario.ts).
    expect(dispatched.body).not.toContain('13800138000');
    expect(dispatched.body).not.toContain('王女士');

    // The lead asks a department to co-handle: that department's system is told, with its own secret.
    await s.step(id, 'accept', lead);
    await s.step(id, 'co-handling', lead, { unitIds: [CO], note: '请城管执法协助' });
    const asked = await eventually(
      async () => deliveriesOf(coSystem, id, 'order.co_handling_requested')[0],
      'the co-handling request delivered',
    );
    expect(asked.parsed).toMatchObject({ unitId: CO, event: { data: { unitIds: [CO] } } });
    expect(asked.parsed.order).toMatchObject({ id });
    // The co-handler subscribed to co-handling requests only: it was not told of the dispatch.
    expect(deliveriesOf(coSystem, id, 'order.dispatched')).toEqual([]);
  });

  it('rotates the secret: for a day each delivery verifies with the old secret and with the new', async () => {
    const oldSecret = (
      await stack.api('POST', `/units/${LEAD}/subscriptions`, {
        token: supervisor,
        body: { url: leadSystem.url, description: '东城区案件系统' },
        headers: { 'idempotency-key': 'push-subscribe-lead-1' },
      })
    ).body.secret as string;
    const rotated = await stack.api('POST', `/units/${LEAD}/subscriptions/${subscriptionId}/secret`, {
      token: lead,
      headers: { 'idempotency-key': 'push-rotate-lead-1' },
    });
    expect(rotated.status, JSON.stringify(rotated.body)).toBe(200);
    expect(rotated.body).toMatchObject({ subscriptionId, generation: 2 });
    expect(rotated.body.secret).toMatch(/^whsec_[0-9a-f]{64}$/);
    expect(rotated.body.secret).not.toBe(oldSecret);
    // Its retry rotates nothing more and answers the same secret.
    const retried = await stack.api('POST', `/units/${LEAD}/subscriptions/${subscriptionId}/secret`, {
      token: lead,
      headers: { 'idempotency-key': 'push-rotate-lead-1' },
    });
    expect([retried.body.generation, retried.body.secret]).toEqual([2, rotated.body.secret]);

    // The receiver still holds the old secret: the delivery verifies (it answers 204 only then).
    const { id } = await s.create(complaint());
    await s.untilWaiting(id, 'dispatched');
    const delivered = await eventually(
      async () => deliveriesOf(leadSystem, id, 'order.dispatched')[0],
      'a delivery',
    );
    const signatures = String(delivered.headers['hotline-signature']).split(' ');
    expect(signatures).toHaveLength(2);
    const headers = { ...delivered.headers } as Record<string, string>;
    expect(verifyDelivery(headers, delivered.body, rotated.body.secret, Date.now()).ok).toBe(true);
    expect(verifyDelivery(headers, delivered.body, oldSecret, Date.now()).ok).toBe(true);
    leadSystem.useSecret(rotated.body.secret);
  });

  it('stops delivering once the subscription is removed, and removes its rule from the bus', async () => {
    const removed = await stack.api('DELETE', `/units/${LEAD}/subscriptions/${subscriptionId}`, {
      token: lead,
    });
    expect(removed.status, JSON.stringify(removed.body)).toBe(200);
    const listed = await stack.api('GET', `/units/${LEAD}/subscriptions`, { token: supervisor });
    expect(listed.body.items).toEqual([]);
    const again = await stack.api('DELETE', `/units/${LEAD}/subscriptions/${subscriptionId}`, {
      token: lead,
    });
    expect([again.status, again.body.error?.code]).toEqual([404, 'SUBSCRIPTION_NOT_FOUND']);

    // An order dispatched after the removal puts no delivery for it on the bus.
    const { id } = await s.create(complaint());
    await s.untilWaiting(id, 'dispatched');
    // The co-handler's subscription is told of co-handling on this order: once that arrived, the
    // stream has followed the order's earlier events too (one shard, in order).
    await s.step(id, 'accept', lead);
    await s.step(id, 'co-handling', lead, { unitIds: [CO], note: '请城管执法协助' });
    await eventually(
      async () => deliveriesOf(coSystem, id, 'order.co_handling_requested')[0],
      'the later request',
    );
    expect(deliveriesOf(leadSystem, id, 'order.dispatched')).toEqual([]);
  });
});
