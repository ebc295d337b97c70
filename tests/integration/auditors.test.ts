import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually, type StackProcess, startStackProcess } from './local-stack-process.ts';
import { scenario } from './scenario.ts';

/** What auditors see: the event log with its hash chain, and the lifecycle's execution history. */
let stack: StackProcess;
let auditor: string;
let orderId: string;

beforeAll(async () => {
  stack = await startStackProcess({ startAt: '2026-12-01T09:00:00+08:00' });
  auditor = await stack.token('auditor');
  const operator = await stack.token('operator');
  const created = await stack.api('POST', '/orders', {
    token: operator,
    body: {
      appealType: 'complaint',
      categoryCode: '0104',
      description: '小区垃圾站气味很大。',
      channel: 'phone',
      urgency: 'normal',
      requester: { kind: 'person', name: '刘先生', phone: '13800138000' },
      location: { districtCode: '110101', streetCode: '110101001' },
    },
  });
  orderId = created.body.id;
  await eventually(async () => {
    const h = await stack.api('GET', `/_local/executions/${orderId}`);
    return h.body.events?.at(-1)?.type === 'TaskSubmitted' ? true : undefined;
  }, 'the lifecycle to wait for the unit');
  const unit = await stack.token('unit', 'st-110101001');
  const s = scenario(stack, { operator, auditor });
  await s.step(orderId, 'accept', unit);
  await s.step(orderId, 'reply', unit, { result: 'resolved', text: '已清理。' });
  await s.step(orderId, 'reply-review', operator, { decision: 'accept' });
  // The accepted reply makes the call-back due; its consumer schedules it (asynchronously, by the bus).
  await eventually(
    async () => ((await s.read(orderId)).callback?.state === 'scheduled' ? true : undefined),
    'the call-back to be scheduled',
  );
}, 120_000);

afterAll(async () => {
  await stack?.stop();
});

describe('GET /orders/{id}/timeline', () => {
  it('returns every event in order with its actor and payload, and a chain that verifies', async () => {
    const { status, body } = await stack.api('GET', `/orders/${orderId}/timeline?verify=true`, {
      token: auditor,
    });

    expect(status).toBe(200);
    expect(body.items.map((e: { type: string }) => e.type)).toEqual([
      'received',
      'dispatched',
      'accepted',
      'replied',
      'reply_accepted',
      'closed',
      'callback_due',
      'callback_scheduled',
    ]);
    expect(body.items.map((e: { seq: number }) => e.seq)).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    expect(body.items[0].actor).toMatchObject({ kind: 'person', role: 'operator' });
    expect(body.items[1]).toMatchObject({
      actor: { kind: 'system', name: 'workflow' },
      data: { unitId: 'st-110101001' },
    });
    expect(body.items[3]).toMatchObject({
      actor: { role: 'unit', unitId: 'st-110101001' },
      data: { result: 'resolved' },
    });
    expect(body.verification).toEqual({ valid: true, count: 8 });
  });

  it('says the chain is broken once a stored event is altered, and names the event', async () => {
    // Prepare: reach under the API and rewrite what the unit replied
    const db = DynamoDBDocumentClient.from(
      new DynamoDBClient({
        endpoint: stack.dynamoEndpoint,
        region: 'local',
        credentials: { accessKeyId: 'x', secretAccessKey: 'x' },
      }),
    );
    const key = { pk: `ORDER#${orderId}`, sk: 'EVENT#0000000004' };
    const item = (await db.send(new GetCommand({ TableName: 'hotline-local', Key: key }))).Item;
    expect(item?.event.data.result).toBe('resolved');
    await db.send(
      new PutCommand({
        TableName: 'hotline-local',
        Item: { ...item, event: { ...item?.event, data: { ...item?.event.data, text: '从未联系' } } },
      }),
    );

    // Act
    const { body } = await stack.api('GET', `/orders/${orderId}/timeline?verify=true`, { token: auditor });

    // Assess
    expect(body.verification).toEqual({ valid: false, count: 8, brokenAt: 4, reason: 'content altered' });
    db.destroy();
  });

  it("rejects a bad verify flag with 400 and hides other units' orders", async () => {
    expect(
      (await stack.api('GET', `/orders/${orderId}/timeline?verify=yes`, { token: auditor })).status,
    ).toBe(400);
    const other = await stack.token('unit', 'st-110101002');
    expect((await stack.api('GET', `/orders/${orderId}/timeline`, { token: other })).status).toBe(404);
  });
});

describe('GET /orders/{id}/execution-history', () => {
  it("returns the lifecycle's history in GetExecutionHistory's shape, paged by nextToken", async () => {
    const events: { id: number; previousEventId: number; type: string; timestamp: string }[] = [];
    let nextToken: string | undefined;
    let pages = 0;
    do {
      const page = await stack.api(
        'GET',
        `/orders/${orderId}/execution-history?maxResults=5${nextToken ? `&nextToken=${encodeURIComponent(nextToken)}` : ''}`,
        { token: auditor },
      );
      expect(page.status).toBe(200);
      events.push(...page.body.events);
      nextToken = page.body.nextToken;
      pages++;
    } while (nextToken && pages < 20);

    expect(pages).toBeGreaterThan(1);
    // The callback tasks' tokens are live credentials: redacted for auditors.
    expect(JSON.stringify(events)).not.toContain('LOCALTOKEN');
    expect(JSON.stringify(events)).toContain('<redacted>');
    expect(events.map((e) => e.id)).toEqual(events.map((_, i) => i + 1));
    expect(events[0]).toMatchObject({ type: 'ExecutionStarted', previousEventId: 0 });
    expect(events.at(-1)?.type).toBe('ExecutionSucceeded');
    expect(Date.parse(events[0]?.timestamp ?? '')).toBe(Date.parse('2026-12-01T01:00:00.000Z'));
    const reply = events.find(
      (e) => e.type === 'TaskSucceeded' && JSON.stringify(e).includes('\\"action\\":\\"reply\\"'),
    );
    expect(reply).toBeDefined();
  });

  it('is for auditors and supervisors only, and answers 404 for an unknown order', async () => {
    const unit = await stack.token('unit', 'st-110101001');
    expect((await stack.api('GET', `/orders/${orderId}/execution-history`, { token: unit })).status).toBe(
      403,
    );
    expect(
      (await stack.api('GET', '/orders/WO00000000000000000000000000/execution-history', { token: auditor }))
        .status,
    ).toBe(404);
    expect(
      (await stack.api('GET', `/orders/${orderId}/execution-history?nextToken=garbage`, { token: auditor }))
        .body.error.code,
    ).toBe('INVALID_NEXT_TOKEN');
  });
});
