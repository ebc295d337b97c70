import { DynamoDBClient, ListTablesCommand, paginateScan } from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually, type StackProcess, startStackProcess } from './local-stack-process.ts';
import { complaint, scenario } from './scenario.ts';

/**
 * The requester's privacy on the real local stack (docs/privacy.md): contacts sealed before they reach
 * DynamoDB, masked in views, opened only on request with a purpose by those the rule allows, every
 * opening recorded for auditors; no contact detail or request text in any log line of a whole loop,
 * logged at DEBUG. The manual clock starts on Monday 7 December 2026, 10:00 in Beijing.
 */
let stack: StackProcess;
let s: ReturnType<typeof scenario>;
const tokens: Record<string, string> = {};
const LEAD = 'st-110105001';
const CO = 'dept-cgw';

const NAME = '欧阳娜娜';
const PHONE = '13912345678';
const EMAIL = 'ouyang.nana@example.cn';
const DESCRIPTION = '楼下商户在消防通道私搭彩钢板房，多次反映未果。';
const REPLY = '已责令商户拆除彩钢板房，消防通道恢复畅通。';
const COMMENT = '处理得很及时，谢谢街道';
const requester = { kind: 'person', name: NAME, phone: PHONE, email: EMAIL };
const secrets = [NAME, PHONE, EMAIL, DESCRIPTION, REPLY, COMMENT, '139 1234 5678', 'ouyang.nana'];

const contactOf = (id: string, token: string, query = 'purpose=handling') =>
  stack.api('GET', `/orders/${id}/contact?${query}`, { token });

beforeAll(async () => {
  stack = await startStackProcess({ startAt: '2026-12-07T10:00:00+08:00', logLevel: 'DEBUG' });
  for (const role of ['operator', 'supervisor', 'auditor', 'dispatcher'] as const)
    tokens[role] = await stack.token(role);
  tokens.lead = await stack.token('unit', LEAD);
  tokens.co = await stack.token('unit', CO);
  s = scenario(stack, { operator: tokens.operator as string, auditor: tokens.auditor as string });
}, 120_000);

afterAll(async () => {
  await stack?.stop();
});

let id = '';
let reportId = '';

describe('requester privacy', () => {
  it('keeps no contact detail in clear anywhere in DynamoDB', async () => {
    id = (await s.create(complaint({ requester, description: DESCRIPTION }))).id;
    reportId = (
      await s.create(complaint({ appealType: 'report', requester, description: '举报：商户违法经营。' }))
    ).id;
    await s.untilWaiting(id, 'dispatched');
    await s.untilWaiting(reportId, 'dispatched');

    const db = new DynamoDBClient({
      endpoint: stack.dynamoEndpoint,
      region: 'local',
      credentials: { accessKeyId: 'x', secretAccessKey: 'x' },
    });
    const { TableNames = [] } = await db.send(new ListTablesCommand({}));
    let items = 0;
    for (const table of TableNames) {
      for await (const page of paginateScan({ client: db }, { TableName: table })) {
        for (const item of page.Items ?? []) {
          items += 1;
          const text = JSON.stringify(item);
          for (const clear of [NAME, PHONE, EMAIL])
            expect(text, `${table}: ${text.slice(0, 200)}`).not.toContain(clear);
        }
      }
    }
    db.destroy();
    expect(items).toBeGreaterThan(4);
  });

  it('shows the contact masked, readable on request only to the centre and the handling lead unit', async () => {
    const masked = { name: '欧***', phone: '139****5678', email: 'o***@example.cn' };
    const asOperator = await s
      .read(id)
      .then(() => stack.api('GET', `/orders/${id}`, { token: tokens.operator }));
    expect(asOperator.body.requester).toEqual({
      kind: 'person',
      anonymous: false,
      declinesCallback: false,
      contact: masked,
      contactReadable: true,
    });
    const asAuditor = await stack.api('GET', `/orders/${id}`, { token: tokens.auditor });
    expect(asAuditor.body.requester).toEqual({
      kind: 'person',
      anonymous: false,
      declinesCallback: false,
      contact: masked,
    });

    const read = await contactOf(
      id,
      tokens.operator as string,
      `purpose=verification&note=${encodeURIComponent('核实重复来电')}`,
    );
    expect(read.status, JSON.stringify(read.body)).toBe(200);
    expect(read.body.contact).toEqual({ name: NAME, phone: PHONE, email: EMAIL });
    expect(read.headers.get('cache-control')).toBe('no-store');
    expect((await contactOf(id, tokens.lead as string)).body.contact).toEqual({
      name: NAME,
      phone: PHONE,
      email: EMAIL,
    });
  });

  it('refuses the contact to co-handlers, auditors and every unit of a 举报, and a read without a purpose', async () => {
    await s.step(id, 'accept', tokens.lead as string);
    await s.step(id, 'co-handling', tokens.lead as string, { unitIds: [CO], note: '请城管委协办' });
    const co = await contactOf(id, tokens.co as string);
    expect([co.status, co.body.error?.code], JSON.stringify(co.body)).toEqual([403, 'CONTACT_NOT_READABLE']);
    expect((await contactOf(id, tokens.auditor as string)).status).toBe(403);
    const report = await contactOf(reportId, tokens.lead as string);
    expect([report.status, report.body.error.code]).toEqual([403, 'CONTACT_NOT_READABLE']);
    expect(report.body.error.message).toMatch(/举报/);
    expect((await stack.api('GET', `/orders/${reportId}`, { token: tokens.lead })).body.requester).toEqual({
      kind: 'person',
      anonymous: false,
      protected: true,
    });
    const noPurpose = await stack.api('GET', `/orders/${id}/contact`, { token: tokens.operator });
    expect([noPurpose.status, noPurpose.body.error.code]).toEqual([400, 'VALIDATION_FAILED']);
    const anonymous = (await s.create(complaint({ requester: { kind: 'person', anonymous: true } }))).id;
    expect((await contactOf(anonymous, tokens.operator as string)).body.error.code).toBe('NO_CONTACT');
  });

  it("finds a caller's earlier orders by the hash of their number, however it is written, opening nothing", async () => {
    const found = await stack.api(
      'GET',
      `/requester-orders?phone=${encodeURIComponent('+86 139-1234-5678')}`,
      {
        token: tokens.operator,
      },
    );
    expect(found.status, JSON.stringify(found.body)).toBe(200);
    expect(found.body.items.map((o: { id: string }) => o.id)).toEqual([reportId, id]);
    expect(JSON.stringify(found.body)).not.toMatch(/139|欧阳/);
    const none = await stack.api('GET', '/requester-orders?phone=13900000000', { token: tokens.operator });
    expect(none.body.items).toEqual([]);
    expect((await stack.api('GET', `/requester-orders?phone=${PHONE}`, { token: tokens.lead })).status).toBe(
      403,
    );
  });

  it('lets auditors list every read of a contact: who, when, which order, why', async () => {
    const reads = await stack.api('GET', `/orders/${id}/contact-reads`, { token: tokens.auditor });
    expect(reads.status).toBe(200);
    expect(reads.body.items).toEqual([
      expect.objectContaining({
        orderId: id,
        by: expect.objectContaining({ role: 'operator' }),
        purpose: 'verification',
        note: '核实重复来电',
      }),
      expect.objectContaining({
        orderId: id,
        by: expect.objectContaining({ role: 'unit', unitId: LEAD }),
        purpose: 'handling',
      }),
    ]);
    const day = await stack.api('GET', '/contact-reads?day=2026-12-07', { token: tokens.supervisor });
    expect(day.body.items.map((r: { orderId: string }) => r.orderId)).toEqual([id, id]);
    expect((await stack.api('GET', `/orders/${id}/contact-reads`, { token: tokens.operator })).status).toBe(
      403,
    );
  });

  it('writes no contact detail and no request text to any log line of a whole loop, even at DEBUG', async () => {
    await s.step(id, 'contact', tokens.lead as string, { way: 'phone' });
    await s.step(id, 'reply', tokens.lead as string, { result: 'resolved', text: REPLY });
    await s.step(id, 'reply-review', tokens.operator as string, { decision: 'accept' });
    const scheduled = await eventually(async () => {
      const order = (await stack.api('GET', `/orders/${id}`, { token: tokens.operator })).body;
      return order.callback?.state === 'scheduled' ? order.callback : undefined;
    }, 'the call-back to be scheduled');
    await s.clock({ set: new Date(Date.parse(scheduled.firstAttemptAt) + 60_000).toISOString() });
    const sms = await eventually(async () => {
      const items = (await stack.api('GET', '/_local/outbox')).body.items as {
        orderId: string;
        channel: string;
        link: string;
        toMasked: string;
      }[];
      return items.find((m) => m.orderId === id && m.channel === 'sms');
    }, 'the survey SMS');
    expect(sms.toMasked).toBe('139****5678');
    const token = sms.link.split('/').at(-1);
    const answered = await stack.api('POST', `/surveys/${token}`, {
      body: { contactedInTime: true, solved: 'solved', satisfied: 'satisfied', comment: COMMENT },
    });
    expect(answered.status).toBe(200);
    await s.untilEnded(id);

    const lines = stack
      .output()
      .split('\n')
      .filter((line) => line.trim() !== '');
    // The functions did log (Powertools' JSON lines at INFO and below), and none of it leaks.
    expect(
      lines.filter((line) => line.includes('"level":"')).length,
      lines.slice(-20).join('\n'),
    ).toBeGreaterThan(0);
    const leaks = lines.filter((line) => secrets.some((secret) => line.includes(secret)));
    expect(leaks).toEqual([]);
  });
});
