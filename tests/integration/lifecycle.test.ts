import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually, type StackProcess, startStackProcess } from './local-stack-process.ts';

/**
 * The work-order lifecycle on the real local stack (DynamoDB Local + the ASL file on the interpreter),
 * driven over HTTP with the manual clock. Tuesday 1 December 2026, 09:00 in Beijing.
 */
const START = '2026-12-01T09:00:00+08:00';

let stack: StackProcess;
let operator: string;
let dispatcher: string;
let auditor: string;

const complaint = (overrides: Record<string, unknown> = {}) => ({
  appealType: 'complaint',
  categoryCode: '0101', // 违章建筑: the street office where it stands (one catalogue line per street)
  description: '楼下商户私自搭建彩钢板房，占用消防通道。',
  channel: 'phone',
  urgency: 'normal',
  requester: { kind: 'person', name: '王女士', phone: '13800138000' },
  location: { districtCode: '110105', streetCode: '110105001', address: '建国门外大街1号' },
  ...overrides,
});

const create = async (body: unknown) => {
  const response = await stack.api('POST', '/orders', { token: operator, body });
  expect(response.status, JSON.stringify(response.body)).toBe(201);
  return response.body as { id: string; status: string; deadlines: Record<string, string> };
};

const read = async (id: string, token = auditor) => (await stack.api('GET', `/orders/${id}`, { token })).body;

const untilStatus = (id: string, status: string) =>
  eventually(async () => {
    const order = await read(id);
    return order.status === status ? order : undefined;
  }, `order ${id} to be ${status}`);

const untilWaiting = (id: string) =>
  eventually(async () => {
    const history = await stack.api('GET', `/_local/executions/${id}`);
    const last = history.body?.events?.at(-1);
    return last?.type === 'TaskSubmitted' ? history.body : undefined;
  }, `execution ${id} to wait for a person`);

const execution = async (id: string) => (await stack.api('GET', `/_local/executions/${id}`)).body;

const statesEntered = (history: {
  events: { type: string; stateEnteredEventDetails?: { name: string } }[];
}) => history.events.flatMap((e) => (e.stateEnteredEventDetails ? [e.stateEnteredEventDetails.name] : []));

const advance = async (duration: string) => {
  const response = await stack.api('POST', '/_local/clock', { body: { advance: duration } });
  expect(response.status).toBe(200);
  return response.body as { now: string };
};

beforeAll(async () => {
  stack = await startStackProcess({ startAt: START });
  operator = await stack.token('operator');
  dispatcher = await stack.token('dispatcher');
  auditor = await stack.token('auditor');
}, 120_000);

afterAll(async () => {
  await stack?.stop();
});

describe('work-order lifecycle on the local stack', () => {
  it('dispatches a complaint by the catalogue the same day, takes the reply, closes it and tells the bus', async () => {
    // Prepare / Act: the centre records a complaint
    const created = await create(complaint());
    expect(created.status).toBe('received');
    expect(created.deadlines.dispatchBy).toBe('2026-12-01T15:59:59.999Z'); // 23:59:59.999 in Beijing

    // Assess: routed to the street office, district government copied (Art. 12(1)), limits from dispatch
    const dispatched = await untilStatus(created.id, 'dispatched');
    expect(dispatched.unitId).toBe('st-110105001');
    expect(dispatched.copiedUnitIds).toEqual(['gov-110105']);
    expect(dispatched.routeBasis).toEqual({ rule: 'catalogue', categoryCode: '0101', areaCode: '110105001' });
    expect(dispatched.deadlines.contactBy).toBe('2026-12-02T01:00:00.000Z');
    expect(dispatched.deadlines.resolveBy).toBe('2026-12-08T01:00:00.000Z');

    // Act: the street office replies
    await untilWaiting(created.id);
    const unit = await stack.token('unit', 'st-110105001');
    const replied = await stack.api('POST', `/orders/${created.id}/reply`, {
      token: unit,
      body: { result: 'resolved', text: '已责令拆除，消防通道已恢复。' },
    });
    expect(replied.status, JSON.stringify(replied.body)).toBe(200);
    expect(replied.body.status).toBe('replied');

    // Assess: closed, the execution took the short path, and the bus heard about it
    const closed = await untilStatus(created.id, 'closed');
    expect(closed.closure).toEqual({ outcome: 'handled' });
    expect(closed.reply).toMatchObject({ result: 'resolved', by: 'st-110105001' });
    const history = await eventually(async () => {
      const h = await execution(created.id);
      return h.status === 'SUCCEEDED' ? h : undefined;
    }, 'execution to succeed');
    expect(statesEntered(history)).toEqual([
      'DispatchByCatalogue',
      'RouteChoice',
      'AwaitReply',
      'CloseOrder',
      'PublishClosed',
    ]);
    const reply = history.events.find(
      (e: { type: string; taskSucceededEventDetails?: { output: string } }) =>
        e.type === 'TaskSucceeded' && e.taskSucceededEventDetails?.output.includes('replied'),
    );
    expect(JSON.parse(reply.taskSucceededEventDetails.output)).toMatchObject({
      outcome: 'replied',
      result: 'resolved',
    });
    const events = await stack.api('GET', '/_local/events?detailType=WorkOrder%20Closed');
    expect(
      events.body.items.filter((e: { detail: { orderId: string } }) => e.detail.orderId === created.id),
    ).toEqual([
      expect.objectContaining({
        source: 'hotline.work-orders',
        detail: expect.objectContaining({
          outcome: 'handled',
          unitId: 'st-110105001',
          replyResult: 'resolved',
        }),
      }),
    ]);
  });

  it('flags an order overdue exactly at its deadline, still takes a late reply, then closes it', async () => {
    // Prepare
    const created = await create(
      complaint({ location: { districtCode: '110105', streetCode: '110105002' } }),
    );
    const dispatched = await untilStatus(created.id, 'dispatched');
    await untilWaiting(created.id);

    // Act: one minute before the deadline nothing has happened; one minute after, it is overdue
    const beforeDeadline = Date.parse(dispatched.deadlines.resolveBy ?? '') - 60_000;
    await stack.api('POST', '/_local/clock', { body: { set: new Date(beforeDeadline).toISOString() } });
    expect((await read(created.id)).flags).toEqual([]);
    await advance('PT2M');

    // Assess
    const overdue = await read(created.id);
    expect(overdue.status).toBe('dispatched');
    expect(overdue.flags).toEqual(['overdue']);
    const history = await execution(created.id);
    const timedOut = history.events.find((e: { type: string }) => e.type === 'TaskTimedOut');
    expect(Math.abs(timedOut.timestamp * 1000 - Date.parse(dispatched.deadlines.resolveBy))).toBeLessThan(
      1000,
    );
    expect(statesEntered(history)).toEqual([
      'DispatchByCatalogue',
      'RouteChoice',
      'AwaitReply',
      'FlagReplyOverdue',
      'LateReplyChoice',
      'AwaitLateReply',
    ]);

    // Act: the late reply is still taken
    await untilWaiting(created.id);
    const unit = await stack.token('unit', 'st-110105002');
    const late = await stack.api('POST', `/orders/${created.id}/reply`, {
      token: unit,
      body: { result: 'partly_resolved', text: '部分整改。' },
    });
    expect(late.status).toBe(200);
    const closed = await untilStatus(created.id, 'closed');
    expect(closed.flags).toEqual(['overdue']);
    expect(closed.closure).toEqual({ outcome: 'handled' });
  });

  it('closes an order as expired when even the grace period passes without a reply', async () => {
    const created = await create(
      complaint({ location: { districtCode: '110105', streetCode: '110105003' } }),
    );
    await untilStatus(created.id, 'dispatched');
    await untilWaiting(created.id);

    await advance('P7DT1M');
    await untilWaiting(created.id);
    await advance('P31D');

    const closed = await untilStatus(created.id, 'closed');
    expect(closed.closure).toEqual({ outcome: 'expired' });
    const history = await eventually(async () => {
      const h = await execution(created.id);
      return h.status === 'SUCCEEDED' ? h : undefined;
    }, 'execution to end');
    expect(statesEntered(history).slice(-3)).toEqual(['AwaitLateReply', 'CloseUnhandled', 'PublishClosed']);
  });

  it('waits for a dispatcher when the catalogue has no match, and takes the dispatch from the action endpoint', async () => {
    // Prepare: 其他诉求 is a manual-dispatch category
    const created = await create(
      complaint({ appealType: 'help', categoryCode: '9901', description: '不知道找哪个部门。' }),
    );
    const waiting = await untilStatus(created.id, 'awaiting_dispatch');
    expect(waiting.unitId).toBeUndefined();
    await untilWaiting(created.id);

    // Act
    const response = await stack.api('POST', `/orders/${created.id}/dispatch`, {
      token: dispatcher,
      body: { unitId: 'st-110105001', coUnitIds: ['dept-cgw'], note: '属地街道牵头' },
    });

    // Assess
    expect(response.status, JSON.stringify(response.body)).toBe(200);
    expect(response.body).toMatchObject({
      status: 'dispatched',
      unitId: 'st-110105001',
      coUnitIds: ['dept-cgw'],
      copiedUnitIds: ['gov-110105'],
    });
    expect(response.body.routeBasis).toEqual({ rule: 'dispatcher' });
    const history = await untilWaiting(created.id);
    expect(statesEntered(history)).toEqual([
      'DispatchByCatalogue',
      'RouteChoice',
      'AwaitDispatcher',
      'RouteChoice',
      'AwaitReply',
    ]);
    const dispatchedBy = history.events.find(
      (e: { type: string; taskSucceededEventDetails?: { output: string } }) =>
        e.type === 'TaskSucceeded' && e.taskSucceededEventDetails?.output.includes('st-110105001'),
    );
    expect(JSON.parse(dispatchedBy.taskSucceededEventDetails.output)).toMatchObject({
      outcome: 'dispatched',
      unitId: 'st-110105001',
      note: '属地街道牵头',
    });
  });

  it('raises the dispatch-overdue flag when nobody dispatches by the end of the day', async () => {
    const created = await create(
      complaint({ appealType: 'help', categoryCode: '9902', description: '职责不清。' }),
    );
    await untilStatus(created.id, 'awaiting_dispatch');
    await untilWaiting(created.id);

    const oneMinuteLate = new Date(Date.parse(created.deadlines.dispatchBy ?? '') + 60_000).toISOString();
    await stack.api('POST', '/_local/clock', { body: { set: oneMinuteLate } });

    const flagged = await read(created.id);
    expect(flagged.status).toBe('awaiting_dispatch');
    expect(flagged.flags).toContain('dispatch_overdue');
  });

  it('records a disposition instead of refusing, and ends the execution without dispatch (Art. 11)', async () => {
    const created = await create(
      complaint({
        appealType: 'help',
        urgency: 'emergency',
        description: '家中老人突然晕倒。',
        disposition: { kind: 'emergency_transfer', transferredTo: '120', note: '已三方转接120' },
      }),
    );
    expect(created.status).toBe('closed');
    const order = await read(created.id);
    expect(order.disposition).toEqual({
      kind: 'emergency_transfer',
      transferredTo: '120',
      note: '已三方转接120',
    });
    expect(order.closure).toEqual({ outcome: 'disposed' });
    const history = await eventually(async () => {
      const h = await execution(created.id);
      return h.status === 'SUCCEEDED' ? h : undefined;
    }, 'execution to end');
    expect(statesEntered(history)).toEqual([
      'DispatchByCatalogue',
      'RouteChoice',
      'CloseOrder',
      'PublishClosed',
    ]);
  });

  it('routes a heating complaint to the heat company with urgent limits', async () => {
    const created = await create(
      complaint({ categoryCode: '0301', description: '暖气不热，室温只有14度。' }),
    );
    const dispatched = await untilStatus(created.id, 'dispatched');
    expect(dispatched.unitId).toBe('ent-heat');
    const dispatchedAt = Date.parse(dispatched.dispatchedAt);
    expect(Date.parse(dispatched.deadlines.contactBy) - dispatchedAt).toBe(2 * 3600_000);
    expect(Date.parse(dispatched.deadlines.resolveBy) - dispatchedAt).toBe(24 * 3600_000);
  });
});
