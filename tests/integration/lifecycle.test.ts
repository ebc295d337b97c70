import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually, type StackProcess, startStackProcess } from './local-stack-process.ts';
import { complaint, scenario } from './scenario.ts';

/**
 * The work-order lifecycle on the real local stack (DynamoDB Local + the ASL file on the interpreter),
 * driven over HTTP with the manual clock. Tuesday 1 December 2026, 09:00 in Beijing.
 */
let stack: StackProcess;
let s: ReturnType<typeof scenario>;
let operator: string;
let dispatcher: string;

beforeAll(async () => {
  stack = await startStackProcess({ startAt: '2026-12-01T09:00:00+08:00' });
  operator = await stack.token('operator');
  dispatcher = await stack.token('dispatcher');
  s = scenario(stack, { operator, auditor: await stack.token('auditor') });
}, 120_000);

afterAll(async () => {
  await stack?.stop();
});

describe('work-order lifecycle on the local stack', () => {
  it('handles a complaint within its limits: dispatch, accept, contact, reply, review, closed — in 12 transitions', async () => {
    // Act: the centre records a complaint
    const created = await s.create(complaint());
    expect(created.status).toBe('received');
    expect(created.deadlines.dispatchBy).toBe('2026-12-01T15:59:59.999Z'); // 23:59:59.999 in Beijing

    // Assess: routed to the street office, district government copied (Art. 12(1)), limits from dispatch
    const dispatched = await s.untilWaiting(created.id, 'dispatched');
    expect(dispatched.unitId).toBe('st-110105001');
    expect(dispatched.copiedUnitIds).toEqual(['gov-110105']);
    expect(dispatched.routeBasis).toEqual({ rule: 'catalogue', categoryCode: '0101', areaCode: '110105001' });
    expect(dispatched.deadlines.contactBy).toBe('2026-12-02T01:00:00.000Z');
    expect(dispatched.deadlines.resolveBy).toBe('2026-12-08T01:00:00.000Z');

    // Act: the street office signs for it, calls the requester, replies; the centre accepts the reply
    const unit = await stack.token('unit', 'st-110105001');
    await s.step(created.id, 'accept', unit);
    await s.step(created.id, 'contact', unit, { way: 'phone', note: '已电话联系王女士' });
    await s.step(created.id, 'reply', unit, { result: 'resolved', text: '已责令拆除，消防通道已恢复。' });
    const closed = await s.step(created.id, 'reply-review', operator, { decision: 'accept' });

    // Assess: closed, within its limits (no flag), the short path, each action in the history, the bus told
    expect(closed).toMatchObject({ status: 'closed', closure: { outcome: 'handled' }, flags: [] });
    expect(await s.statesEntered(created.id)).toEqual([
      'DispatchByCatalogue',
      'NextStep',
      'AwaitAction',
      'NextStep',
      'AwaitAction',
      'NextStep',
      'AwaitAction',
      'NextStep',
      'AwaitAction',
      'NextStep',
      'CloseOrder',
      'PublishClosed',
    ]);
    const actions = await s.actionsInHistory(created.id);
    expect(actions.map((a) => a.action)).toEqual(['accept', 'contact', 'reply', 'reply-review']);
    expect(actions[2]).toMatchObject({
      payload: { result: 'resolved' },
      by: { role: 'unit', unitId: 'st-110105001' },
    });
    // The accepted reply makes the call-back (回访) due; the bus consumer schedules it.
    await eventually(
      async () => ((await s.read(created.id)).callback?.state === 'scheduled' ? true : undefined),
      'the call-back to be scheduled',
    );
    expect((await s.timeline(created.id)).map((e) => e.type)).toEqual([
      'received',
      'dispatched',
      'accepted',
      'contacted',
      'replied',
      'reply_accepted',
      'closed',
      'callback_due',
      'callback_scheduled',
    ]);
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

  it("counts a handled order in its unit's assessment once, even when its closing is delivered twice", async () => {
    // Prepare: the order closed above was contacted in time, by st-110105001, in December 2026 (CST)
    const auditor = await stack.token('auditor');
    const report = async () =>
      (await stack.api('GET', '/assessment/units/st-110105001?month=2026-12', { token: auditor })).body;
    const first = await eventually(async () => {
      const r = await report();
      return r.counts?.respondedInTime >= 1 ? r : undefined;
    }, 'the assessment consumer');
    expect(first.counts).toMatchObject({ assessed: 1, respondedInTime: 1, answered: 0 });
    expect(first.rates).toMatchObject({ response: 1, resolution: null, composite: null });

    // Act: the same WorkOrder Closed event delivered again (EventBridge delivers at least once)
    const closed = (await stack.api('GET', '/_local/events?detailType=WorkOrder%20Closed')).body.items.find(
      (e: { detail: { unitId: string } }) => e.detail.unitId === 'st-110105001',
    );
    const events = new EventBridgeClient({
      endpoint: stack.awsEndpoint,
      region: 'local',
      credentials: { accessKeyId: 'x', secretAccessKey: 'x' },
    });
    await events.send(
      new PutEventsCommand({
        Entries: [
          {
            EventBusName: 'hotline-local',
            Source: closed.source,
            DetailType: closed['detail-type'],
            Detail: JSON.stringify(closed.detail),
          },
        ],
      }),
    );
    events.destroy();
    await new Promise((r) => setTimeout(r, 500));

    // Assess: counted once; a unit sees only its own assessment
    expect((await report()).counts).toEqual(first.counts);
    const other = await stack.token('unit', 'st-110105002');
    expect(
      (await stack.api('GET', '/assessment/units/st-110105001?month=2026-12', { token: other })).status,
    ).toBe(403);
    expect(
      (await stack.api('GET', '/assessment/units/st-110105001?month=2026-13', { token: auditor })).status,
    ).toBe(400);
  });

  it('flags an order overdue exactly at its deadline, and still takes a late reply', async () => {
    // Prepare: accepted and contacted, then nothing
    const created = await s.create(
      complaint({ location: { districtCode: '110105', streetCode: '110105002' } }),
    );
    const dispatched = await s.untilWaiting(created.id, 'dispatched');
    const unit = await stack.token('unit', 'st-110105002');
    await s.step(created.id, 'accept', unit);
    await s.step(created.id, 'contact', unit, { way: 'visit' });

    // Act: one minute before the deadline it is not overdue; one minute after, it is
    const deadline = Date.parse(dispatched.deadlines.resolveBy);
    await s.clock({ set: new Date(deadline - 60_000).toISOString() });
    expect((await s.read(created.id)).flags).toEqual([]);
    await s.clock({ advance: 'PT2M' });

    // Assess
    const overdue = await s.untilWaiting(created.id);
    expect(overdue.status).toBe('accepted');
    expect(overdue.flags).toEqual(['overdue']);
    const missed = (await s.timeline(created.id)).find((e) => e.type === 'deadline_missed');
    expect(Date.parse(missed?.at ?? '')).toBeGreaterThanOrEqual(deadline);
    expect(Date.parse(missed?.at ?? '') - deadline).toBeLessThan(1000);
    const timedOut = (await s.history(created.id)).events.filter((e) => e.type === 'TaskTimedOut');
    expect(timedOut.length).toBeGreaterThan(0);

    // Act: the late reply is still taken, and accepted
    await s.step(created.id, 'reply', unit, { result: 'partly_resolved', text: '部分整改。' });
    const closed = await s.step(created.id, 'reply-review', operator, { decision: 'accept' });
    expect(closed.flags).toEqual(['overdue']);
    expect(closed.closure).toEqual({ outcome: 'handled' });

    // Act: the unit appeals the order's inclusion in its assessment (申诉); the centre upholds it
    const month = new Date(Date.parse(closed.closedAt) + 8 * 3600_000).toISOString().slice(0, 7);
    const auditor = await stack.token('auditor');
    const counts = async () =>
      (await stack.api('GET', `/assessment/units/st-110105002?month=${month}`, { token: auditor })).body
        .counts;
    await eventually(
      async () => ((await counts()).assessed === 1 ? true : undefined),
      'the order to be assessed',
    );
    const appeal = await stack.api('POST', `/orders/${created.id}/assessment-appeal`, {
      token: unit,
      body: { reason: '诉求人要求超出政策范围' },
    });
    expect(appeal.status, JSON.stringify(appeal.body)).toBe(200);
    expect(appeal.body.pendingAppeal).toMatchObject({ by: 'st-110105002' });
    const again = await stack.api('POST', `/orders/${created.id}/assessment-appeal`, {
      token: unit,
      body: { reason: '再次申诉' },
    });
    expect(again.body.error.code).toBe('APPEAL_PENDING');
    const supervisor = await stack.token('supervisor');
    const decision = await stack.api('POST', `/orders/${created.id}/assessment-appeal-decision`, {
      token: supervisor,
      body: { decision: 'exclude', reason: 'unreasonable_demand', note: '经核实属不合理诉求' },
    });
    expect(decision.status, JSON.stringify(decision.body)).toBe(200);

    // Assess: excluded from the unit's rates; the appeal and its decision are in the order's log
    expect(await counts()).toMatchObject({ assessed: 0, excluded: 1 });
    const types = (await s.timeline(created.id)).map((e) => e.type);
    expect(types.slice(-2)).toEqual(['assessment_appealed', 'assessment_appeal_upheld']);
  });

  it('waits for a dispatcher when the catalogue has no match, and takes the dispatch from the action endpoint', async () => {
    // Prepare: 其他诉求 is a manual-dispatch category
    const created = await s.create(
      complaint({ appealType: 'help', categoryCode: '9901', description: '不知道找哪个部门。' }),
    );
    const waiting = await s.untilWaiting(created.id, 'awaiting_dispatch');
    expect(waiting.unitId).toBeUndefined();

    // Act
    const response = await s.act(created.id, 'dispatch', dispatcher, {
      unitId: 'st-110105001',
      coUnitIds: ['dept-cgw'],
      note: '属地街道牵头',
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
    await s.untilWaiting(created.id, 'dispatched');
    const [dispatch] = await s.actionsInHistory(created.id);
    expect(dispatch).toMatchObject({
      action: 'dispatch',
      payload: { unitId: 'st-110105001', note: '属地街道牵头' },
    });
  });

  it('raises the dispatch-overdue flag when nobody dispatches by the end of the day', async () => {
    const created = await s.create(
      complaint({ appealType: 'help', categoryCode: '9902', description: '职责不清。' }),
    );
    await s.untilWaiting(created.id, 'awaiting_dispatch');

    await s.clock({ set: new Date(Date.parse(created.deadlines.dispatchBy ?? '') + 60_000).toISOString() });

    const flagged = await s.untilWaiting(created.id);
    expect(flagged.status).toBe('awaiting_dispatch');
    expect(flagged.flags).toContain('dispatch_overdue');
  });

  it('records a disposition instead of refusing, and ends the execution without dispatch (Art. 11)', async () => {
    const created = await s.create(
      complaint({
        appealType: 'help',
        urgency: 'emergency',
        description: '家中老人突然晕倒。',
        disposition: { kind: 'emergency_transfer', transferredTo: '120', note: '已三方转接120' },
      }),
    );
    expect(created.status).toBe('closed');
    const order = await s.read(created.id);
    expect(order.disposition).toEqual({
      kind: 'emergency_transfer',
      transferredTo: '120',
      note: '已三方转接120',
    });
    expect(order.closure).toEqual({ outcome: 'disposed' });
    await s.untilEnded(created.id);
    expect(await s.statesEntered(created.id)).toEqual([
      'DispatchByCatalogue',
      'NextStep',
      'CloseOrder',
      'PublishClosed',
    ]);
  });

  it('routes a heating complaint to the heat company with urgent limits', async () => {
    const created = await s.create(
      complaint({ categoryCode: '0301', description: '暖气不热，室温只有14度。' }),
    );
    const dispatched = await s.untilWaiting(created.id, 'dispatched');
    expect(dispatched.unitId).toBe('ent-heat');
    const dispatchedAt = Date.parse(dispatched.dispatchedAt);
    expect(Date.parse(dispatched.deadlines.contactBy) - dispatchedAt).toBe(2 * 3600_000);
    expect(Date.parse(dispatched.deadlines.resolveBy) - dispatchedAt).toBe(24 * 3600_000);
  });

  it('closes an order nobody acts on as expired once the ladder is done and the idle waits run out', async () => {
    const created = await s.create(
      complaint({ location: { districtCode: '110105', streetCode: '110105003' } }),
    );
    await s.untilWaiting(created.id, 'dispatched');

    // Each advance lets every checkpoint due on the way run, at its own instant.
    for (let i = 0; i < 5; i++) await s.clock({ advance: 'P30D' });

    const closed = await s.untilEnded(created.id);
    expect(closed.status).toBe('SUCCEEDED');
    const order = await s.read(created.id);
    expect(order.closure).toEqual({ outcome: 'expired' });
    expect(order.flags).toEqual(
      expect.arrayContaining(['contact_overdue', 'overdue', 'urged', 'supervised', 'notified', 'stalled']),
    );
    const types = (await s.timeline(created.id)).map((e) => e.type);
    expect(types.filter((t) => t === 'stalled')).toHaveLength(3);
    expect(types.at(-1)).toBe('closed');
  });
});
