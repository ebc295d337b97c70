import { expect } from 'vitest';
import type { StackProcess } from './local-stack-process.ts';
import { scenario } from './scenario.ts';

/**
 * Orders in known states, shared by the fuzz and authorization-matrix tests (not a test file itself).
 * Every requester is anonymous, so no call-back is ever due: no survey link exists, and a call-back
 * action can never succeed on these orders.
 *
 * - `closed`: routed by the catalogue to the street office `lead` (so its district government
 *   `copied` is copied, Art. 12(1)), accepted, co-handled by `coHandler`, replied, the reply accepted
 *   (closed, outcome handled), then appealed by the lead (an appeal waits). No order action is allowed
 *   from `closed`, and a second appeal waits behind the first.
 * - `awaitingDispatch`: a category dispatched by hand (9901), never given to a unit: not assessed.
 * - `dispatched`: with the lead, waiting for it to accept.
 * - `accepted`: accepted by the lead and co-handled by `coHandler`.
 */
export const units = {
  lead: 'st-110105001', // 建外街道: the catalogue's line for 0101 at 110105001
  copied: 'gov-110105', // 朝阳区人民政府: the district of the street lead
  coHandler: 'dept-scjgj', // 市市场监督管理局
  other: 'st-110108001', // 万寿路街道: no part in any of these orders
} as const;

export interface SeededOrders {
  readonly closed: string;
  readonly awaitingDispatch: string;
  readonly dispatched: string;
  readonly accepted: string;
}

const contact = (categoryCode: string) => ({
  appealType: 'complaint',
  categoryCode,
  description: '楼下商户私自搭建彩钢板房，占用消防通道。',
  channel: 'phone',
  urgency: 'normal',
  requester: { kind: 'person', anonymous: true },
  location: { districtCode: '110105', streetCode: '110105001', address: '建国门外大街1号' },
});

export const seedOrders = async (stack: StackProcess): Promise<SeededOrders> => {
  const [operator, auditor, lead] = await Promise.all([
    stack.token('operator'),
    stack.token('auditor'),
    stack.token('unit', units.lead),
  ]);
  const s = scenario(stack, { operator, auditor });

  const dispatchedOrder = async () => {
    const { id } = await s.create(contact('0101'));
    const order = await s.untilWaiting(id, 'dispatched');
    expect(order.unitId).toBe(units.lead);
    expect(order.copiedUnitIds).toEqual([units.copied]);
    return id as string;
  };
  const acceptedOrder = async () => {
    const id = await dispatchedOrder();
    await s.step(id, 'accept', lead);
    await s.step(id, 'co-handling', lead, { unitIds: [units.coHandler], note: '请市场监管协办' });
    return id;
  };

  const [closed, accepted, dispatched, awaitingDispatch] = await Promise.all([
    acceptedOrder().then(async (id) => {
      await s.step(id, 'reply', lead, { result: 'resolved', text: '已责令拆除，消防通道已恢复。' });
      await s.step(id, 'reply-review', operator, { decision: 'accept' });
      const appeal = await s.act(id, 'assessment-appeal', lead, { reason: '诉求人要求超出政策范围' });
      expect(appeal.status, JSON.stringify(appeal.body)).toBe(200);
      return id;
    }),
    acceptedOrder(),
    dispatchedOrder(),
    s.create(contact('9901')).then(async ({ id }) => {
      await s.untilWaiting(id, 'awaiting_dispatch');
      return id;
    }),
  ]);
  const closedOrder = await s.read(closed);
  expect(closedOrder).toMatchObject({
    status: 'closed',
    unitId: units.lead,
    coUnitIds: [units.coHandler],
    copiedUnitIds: [units.copied],
  });
  expect(closedOrder.callback).toBeUndefined();
  return { closed, awaitingDispatch, dispatched, accepted };
};
