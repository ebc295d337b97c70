import { signLocalToken } from './local-auth.ts';
import type { LocalStack } from './stack.ts';

/**
 * Demo orders for a fresh local stack, created through the public API like any client would: a mix of
 * citizens and enterprises, channels, districts and categories, a few already answered by their unit,
 * one that waits for a dispatcher, and Art. 11 dispositions.
 */
interface DemoOrder {
  readonly body: Record<string, unknown>;
  /** The unit answers at once (so the demo has closed orders too). */
  readonly reply?: { result: string; text: string };
}

const person = (name: string, phone: string) => ({ kind: 'person', name, phone });
const enterprise = (name: string, phone: string) => ({
  kind: 'enterprise',
  name,
  phone,
  creditCode: '91110105MA01ABCD2X',
});

const demoOrders: readonly DemoOrder[] = [
  {
    body: {
      appealType: 'complaint',
      categoryCode: '0101',
      description: '小区楼下有人私搭彩钢板房，占用消防通道。',
      channel: 'phone',
      urgency: 'normal',
      requester: person('王女士', '13800138001'),
      location: { districtCode: '110105', streetCode: '110105001', address: '建国门外大街甲1号院' },
    },
    reply: { result: 'resolved', text: '已责令当事人拆除，消防通道已恢复畅通。' },
  },
  {
    body: {
      appealType: 'help',
      categoryCode: '0301',
      description: '家中暖气不热，室温只有14度，老人孩子受不了。',
      channel: 'phone',
      urgency: 'urgent',
      requester: person('李先生', '13900139002'),
      location: { districtCode: '110108', streetCode: '110108001', address: '中关村南大街5号' },
    },
  },
  {
    body: {
      appealType: 'complaint',
      categoryCode: '0201',
      description: '物业长期不清理楼道杂物，多次反映无果。',
      channel: 'app',
      urgency: 'normal',
      requester: person('赵阿姨', '13700137003'),
      location: { districtCode: '110101', streetCode: '110101001' },
    },
    reply: { result: 'partly_resolved', text: '已督促物业清理，长效机制正在建立。' },
  },
  {
    body: {
      appealType: 'report',
      categoryCode: '0901',
      description: '某餐馆后厨卫生条件极差，有老鼠出没。',
      channel: 'web',
      urgency: 'normal',
      requester: person('匿名举报人', '13600136004'),
      location: { districtCode: '110106', streetCode: '110106001' },
    },
  },
  {
    body: {
      appealType: 'consultation',
      categoryCode: '1401',
      description: '小微企业房租减免政策的申请条件是什么？',
      channel: 'mini_program',
      urgency: 'normal',
      requester: enterprise('北京某科技有限公司', '010-65000005'),
      location: { districtCode: '110105' },
    },
  },
  {
    body: {
      appealType: 'help',
      categoryCode: '1101',
      description: '公司拖欠三个月工资，老板联系不上。',
      channel: 'phone',
      urgency: 'normal',
      requester: person('孙师傅', '13500135006'),
      location: { districtCode: '110112', address: '通州区某工地' },
    },
  },
  {
    body: {
      appealType: 'complaint',
      categoryCode: '1001',
      description: '夜间施工噪音扰民，凌晨两点还在作业。',
      channel: 'phone',
      urgency: 'normal',
      requester: person('周女士', '13400134007'),
      location: { districtCode: '110114', streetCode: '110114001' },
    },
  },
  {
    body: {
      appealType: 'help',
      categoryCode: '9901',
      description: '小区门口的共享单车堆积，不知道该找哪个部门。',
      channel: 'web',
      urgency: 'normal',
      requester: { kind: 'person', anonymous: true },
      location: { districtCode: '110107' },
    },
  },
  {
    body: {
      appealType: 'suggestion',
      categoryCode: '0801',
      description: '建议增加早高峰公交班次。',
      channel: 'open311',
      urgency: 'normal',
      requester: person('吴同学', '13300133009'),
      location: { districtCode: '110115' },
    },
  },
  {
    body: {
      appealType: 'praise',
      categoryCode: '0104',
      description: '表扬街道环卫工人，雪后清扫及时。',
      channel: 'phone',
      urgency: 'normal',
      requester: person('郑大爷', '13200132010'),
      location: { districtCode: '110102', streetCode: '110102001' },
    },
    reply: { result: 'explained', text: '感谢市民肯定，已转达环卫班组。' },
  },
  {
    body: {
      appealType: 'help',
      categoryCode: '0601',
      description: '楼道里有明显燃气味。',
      channel: 'phone',
      urgency: 'emergency',
      requester: person('钱先生', '13100131011'),
      location: { districtCode: '110105', streetCode: '110105002' },
      disposition: { kind: 'emergency_transfer', transferredTo: '119', note: '已三方转接119并通知燃气集团' },
    },
  },
  {
    body: {
      appealType: 'consultation',
      categoryCode: '1302',
      description: '异地就医备案怎么办理？',
      channel: 'phone',
      urgency: 'normal',
      requester: person('冯女士', '13000130012'),
      location: { districtCode: '110109' },
      disposition: { kind: 'answered', answer: '可通过国家医保服务平台App在线备案，即时生效。' },
    },
  },
  {
    body: {
      appealType: 'complaint',
      categoryCode: '0902',
      description: '网购家电质量问题，商家拒绝退货。',
      channel: 'web',
      urgency: 'normal',
      requester: person('陈先生', '18900189013'),
      location: { districtCode: '110111' },
      disposition: { kind: 'legal_channel', channel: 'litigation', note: '涉及合同纠纷，告知可向法院起诉' },
    },
  },
];

export const seedDemoOrders = async (
  stack: Pick<LocalStack, 'url' | 'keys'>,
  log: (line: string) => void,
): Promise<{ created: number; skipped: boolean }> => {
  const auth = async (role: 'operator' | 'auditor' | 'unit', unitId?: string) => ({
    authorization: `Bearer ${await signLocalToken(stack.keys, { role, ...(unitId ? { unitId } : {}) })}`,
  });
  const existing = await fetch(`${stack.url}/orders?limit=1`, { headers: await auth('auditor') });
  if (((await existing.json()) as { items: unknown[] }).items.length > 0)
    return { created: 0, skipped: true };

  const operator = { ...(await auth('operator')), 'content-type': 'application/json' };
  let created = 0;
  for (const [i, demo] of demoOrders.entries()) {
    const response = await fetch(`${stack.url}/orders`, {
      method: 'POST',
      headers: { ...operator, 'idempotency-key': `demo-${i}` },
      body: JSON.stringify(demo.body),
    });
    const order = (await response.json()) as { id: string; error?: { code: string; message: string } };
    if (response.status !== 201) throw new Error(`Demo order ${i} refused: ${JSON.stringify(order.error)}`);
    created++;
    log(`[${created}/${demoOrders.length}] ${order.id} ${String(demo.body.description).slice(0, 24)}`);
    if (demo.reply) await replyWhenDispatched(stack.url, order.id, demo.reply, auth);
  }
  return { created, skipped: false };
};

/**
 * The unit handles the order once its lifecycle waits for it — signs for it, calls the requester,
 * replies — and the centre accepts the reply (dispatch runs asynchronously after intake).
 */
const replyWhenDispatched = async (
  url: string,
  id: string,
  reply: { result: string; text: string },
  auth: (role: 'auditor' | 'unit' | 'operator', unitId?: string) => Promise<Record<string, string>>,
) => {
  const reader = await auth('auditor');
  const read = async () =>
    (await (await fetch(`${url}/orders/${id}`, { headers: reader })).json()) as {
      status: string;
      unitId?: string;
      version: number;
    };
  let order = await read();
  for (let attempt = 0; attempt < 100 && order.status !== 'dispatched'; attempt++) {
    await new Promise((r) => setTimeout(r, 50));
    order = await read();
  }
  if (order.status !== 'dispatched' || !order.unitId)
    throw new Error(`Demo order ${id} was not dispatched in time`);
  const unit = { ...(await auth('unit', order.unitId)), 'content-type': 'application/json' };
  const centre = { ...(await auth('operator')), 'content-type': 'application/json' };
  const steps: [string, Record<string, string>, unknown][] = [
    ['accept', unit, {}],
    ['contact', unit, { way: 'phone', note: '已电话联系诉求人' }],
    ['reply', unit, reply],
    ['reply-review', centre, { decision: 'accept' }],
  ];
  for (const [action, headers, body] of steps) {
    const response = await fetch(`${url}/orders/${id}/${action}`, {
      method: 'POST',
      headers,
      body: JSON.stringify(body),
    });
    if (response.status !== 200) throw new Error(`Demo ${action} on ${id} refused: ${await response.text()}`);
  }
};
