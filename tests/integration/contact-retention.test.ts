import { DynamoDBClient, paginateScan } from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually, type StackProcess, startStackProcess } from './local-stack-process.ts';
import { complaint, scenario } from './scenario.ts';

/**
 * Contact retention on the real local stack, with its nightly schedule (wiring's contactRetention,
 * 365 days): an order closed a year and a day ago loses its requester's contact, with
 * `contact_erased` in a log whose hash chain still verifies; one closed later keeps its contact. The
 * manual clock starts on Monday 7 December 2026, 10:00 in Beijing.
 */
let stack: StackProcess;
let s: ReturnType<typeof scenario>;
let operator: string;
let unit: string;
let auditor: string;

const requester = { kind: 'person', name: '张三', phone: '13800138000', declinesCallback: true };

/** A complaint handled to its close (the requester declined a call-back, so it closes at the review). */
const closedOrder = async () => {
  const { id } = await s.create(complaint({ requester }));
  await s.untilWaiting(id, 'dispatched');
  await s.step(id, 'accept', unit);
  await s.step(id, 'contact', unit, { way: 'phone' });
  await s.step(id, 'reply', unit, { result: 'resolved', text: '已拆除。' });
  await s.step(id, 'reply-review', operator, { decision: 'accept' });
  return id;
};

const sealedOf = async (id: string) => {
  const db = new DynamoDBClient({
    endpoint: stack.dynamoEndpoint,
    region: 'local',
    credentials: { accessKeyId: 'x', secretAccessKey: 'x' },
  });
  let found = '';
  for await (const page of paginateScan({ client: db }, { TableName: 'hotline-local' })) {
    for (const item of page.Items ?? []) {
      if (item.pk?.S === `ORDER#${id}` && item.sk?.S === '#ORDER') found = JSON.stringify(item);
    }
  }
  db.destroy();
  return found;
};

beforeAll(async () => {
  stack = await startStackProcess({ startAt: '2026-12-07T10:00:00+08:00', contactRetention: true });
  operator = await stack.token('operator');
  auditor = await stack.token('auditor');
  unit = await stack.token('unit', 'st-110105001');
  s = scenario(stack, { operator, auditor });
}, 120_000);

afterAll(async () => {
  await stack?.stop();
});

describe('contact retention', () => {
  it("erases the contact of an order closed a year ago, keeps the order and its chain, and keeps a younger order's", async () => {
    const old = await closedOrder();
    await s.clock({ advance: 'P30D' });
    const younger = await closedOrder();
    expect((await s.read(old)).status).toBe('closed');

    // A year and a day after the first closed: the nightly job has run on the way.
    await s.clock({ set: '2027-12-09T04:00:00+08:00' });
    const erased = await eventually(async () => {
      const order = (await stack.api('GET', `/orders/${old}`, { token: operator })).body;
      return order.requester?.contactErasedAt ? order : undefined;
    }, 'the old contact to be erased');

    expect(erased.requester).toEqual({
      kind: 'person',
      anonymous: false,
      declinesCallback: true,
      contactErasedAt: expect.any(String),
    });
    const timeline = await stack.api('GET', `/orders/${old}/timeline?verify=true`, { token: auditor });
    expect(timeline.body.verification).toMatchObject({ valid: true });
    expect(timeline.body.items.at(-1)).toMatchObject({
      type: 'contact_erased',
      actor: { kind: 'system', name: 'retention' },
      data: { retentionDays: 365 },
    });
    const contact = await stack.api('GET', `/orders/${old}/contact?purpose=verification`, {
      token: operator,
    });
    expect([contact.status, contact.body.error.code]).toEqual([404, 'NO_CONTACT']);
    expect(contact.body.error.message).toMatch(/erased/);
    expect(await sealedOf(old)).not.toMatch(/"sealed"|138\*\*\*\*8000/);

    const kept = await stack.api('GET', `/orders/${younger}/contact?purpose=verification`, {
      token: operator,
    });
    expect(kept.body.contact).toEqual({ name: '张三', phone: '13800138000' });
    expect(await sealedOf(younger)).toMatch(/"sealed"/);
  }, 180_000);
});
