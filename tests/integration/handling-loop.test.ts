import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type StackProcess, startStackProcess } from './local-stack-process.ts';
import { complaint, scenario } from './scenario.ts';

/**
 * The handling loop (当天转办 → 限期反馈 → 提醒督办) scenario by scenario, on the real local stack with the
 * manual clock, each checked in the execution history and in a timeline whose hash chain verifies.
 * The clock starts on Wednesday 30 September 2026, 10:00 in Beijing, the eve of the National Day
 * holiday (1-7 October; Saturday 10 October is a make-up workday).
 */
let stack: StackProcess;
let s: ReturnType<typeof scenario>;
let operator: string;
let dispatcher: string;

beforeAll(async () => {
  stack = await startStackProcess({ startAt: '2026-09-30T10:00:00+08:00' });
  operator = await stack.token('operator');
  dispatcher = await stack.token('dispatcher');
  s = scenario(stack, { operator, auditor: await stack.token('auditor') });
}, 120_000);

afterAll(async () => {
  await stack?.stop();
});

const at = (iso: string) => Date.parse(iso);

describe('the handling loop', () => {
  it('counts a working-day deadline across National Day and its make-up workday', async () => {
    // Prepare: 营商环境 matters have 5 working days (data/time-limits.json), dispatched on 30 September
    const created = await s.create(
      complaint({
        appealType: 'consultation',
        categoryCode: '1401',
        description: '小微企业房租减免政策如何申请？',
        requester: { kind: 'enterprise', name: '北京某科技有限公司', phone: '010-65000005' },
        location: { districtCode: '110105' },
      }),
    );

    // Assess: Oct 1-7 off, Thu 8 (1), Fri 9 (2), Sat 10 make-up (3), Sun 11 off, Mon 12 (4), Tue 13 (5)
    const dispatched = await s.untilWaiting(created.id, 'dispatched');
    expect(dispatched.unitId).toBe('dept-zwfwj');
    expect(dispatched.deadlines.resolveBy).toBe('2026-10-13T15:59:59.999Z');
    expect(dispatched.deadlines.contactBy).toBe('2026-10-01T02:00:00.000Z');
    const [dispatchedEvent] = (await s.timeline(created.id)).filter((e) => e.type === 'dispatched');
    expect(dispatchedEvent?.data).toMatchObject({ resolveBy: '2026-10-13T15:59:59.999Z' });
    expect(await s.statesEntered(created.id)).toEqual(['DispatchByCatalogue', 'NextStep', 'AwaitAction']);
  });

  it('reminds, flags and climbs the ladder 催办 → 督办 → 通报 when nobody contacts the requester', async () => {
    // Prepare: an ordinary complaint dispatched at 10:00 on 30 September; contact due in 24 hours
    const created = await s.create(complaint());
    await s.untilWaiting(created.id, 'dispatched');
    const unit = await stack.token('unit', 'st-110105001');
    await s.step(created.id, 'accept', unit);

    // Act: two weeks pass without contact
    await s.clock({ set: '2026-10-14T12:00:00+08:00' });
    await s.untilWaiting(created.id);

    // Assess: each step once, at its own instant
    const timeline = await s.timeline(created.id);
    const contactSteps = timeline
      .filter((e) => e.data.obligation === 'contact')
      .map((e) => [
        e.type,
        e.data.step ?? null,
        (e.data.scheduledAt as string | undefined) ?? e.data.deadline,
        e.at,
      ]);
    expect(contactSteps.map(([type, step, scheduled]) => [type, step, scheduled])).toEqual([
      ['reminder', null, '2026-09-30T21:12:00.000Z'], // 80 % of the 24 hours
      ['deadline_missed', null, '2026-10-01T02:00:00.000Z'],
      ['supervision', 'urge', '2026-10-02T02:00:00.000Z'], // 催办: the day after
      ['supervision', 'supervise', '2026-10-10T15:59:59.999Z'], // 督办: 3 working days (8, 9, make-up 10)
      ['supervision', 'notify', '2026-10-13T15:59:59.999Z'], // 通报: 5 working days (8, 9, 10, 12, 13)
    ]);
    for (const [, , scheduled, happened] of contactSteps) {
      expect(at(String(happened)) - at(String(scheduled))).toBeGreaterThanOrEqual(0);
      expect(at(String(happened)) - at(String(scheduled))).toBeLessThan(1000);
    }
    const order = await s.read(created.id);
    expect(order.flags).toEqual(
      expect.arrayContaining(['contact_overdue', 'urged', 'supervised', 'notified', 'overdue']),
    );
    // In the history: each checkpoint was a timed-out wait followed by the Checkpoint task
    const history = await s.history(created.id);
    const checkpoints = history.events.filter(
      (e) => e.stateEnteredEventDetails?.name === 'Checkpoint',
    ).length;
    expect(checkpoints).toBeGreaterThanOrEqual(6);
    expect(history.events.filter((e) => e.type === 'TaskTimedOut')).toHaveLength(checkpoints);
  });

  it('takes an objection to a wrong dispatch, re-dispatches, and refuses a second objection', async () => {
    // Prepare
    const created = await s.create(
      complaint({ location: { districtCode: '110105', streetCode: '110105002' } }),
    );
    await s.untilWaiting(created.id, 'dispatched');
    const wrong = await stack.token('unit', 'st-110105002');

    // Act: the street objects; the centre re-dispatches to the neighbouring street
    await s.step(created.id, 'objection', wrong, { reason: '该地址属于相邻街道辖区' });
    expect((await s.read(created.id)).status).toBe('objected');
    const moved = await s.step(created.id, 'objection-decision', dispatcher, {
      decision: 'redispatch',
      unitId: 'st-110105003',
    });

    // Assess: the new unit has it with fresh deadlines; the old one no longer sees it
    expect(moved).toMatchObject({ status: 'dispatched', unitId: 'st-110105003', redispatchCount: 1 });
    expect((await stack.api('GET', `/orders/${created.id}`, { token: wrong })).status).toBe(404);
    const right = await stack.token('unit', 'st-110105003');
    const again = await s.act(created.id, 'objection', right, { reason: '也不是我们的' });
    expect(again.status).toBe(409);
    expect(again.body.error.code).toBe('OBJECTION_NOT_ALLOWED');
    const types = (await s.timeline(created.id)).map((e) => e.type);
    expect(types).toEqual(expect.arrayContaining(['objected', 'deadline_changed', 'redispatched']));
    expect((await s.actionsInHistory(created.id)).map((a) => a.action)).toEqual([
      'objection',
      'objection-decision',
    ]);
  });

  it('moves the deadline when an extension is approved, and keeps it when one is denied', async () => {
    // Prepare
    const created = await s.create(complaint({ categoryCode: '0201', description: '物业漏水维修拖延。' }));
    const dispatched = await s.untilWaiting(created.id, 'dispatched');
    const unit = await stack.token('unit', 'st-110105001');
    await s.step(created.id, 'accept', unit);
    const resolveBy = at(dispatched.deadlines.resolveBy);

    // Act / Assess: approved, 5 more days
    await s.step(created.id, 'extension', unit, { days: 5, reason: '需协调维修资金，已告知诉求人' });
    const approved = await s.step(created.id, 'extension-decision', dispatcher, {
      approve: true,
      note: '同意',
    });
    expect(at(approved.deadlines.resolveBy) - resolveBy).toBe(5 * 86_400_000);

    // Act / Assess: a second request, denied: the deadline stays
    await s.step(created.id, 'extension', unit, { days: 10, reason: '再延期' });
    const denied = await s.step(created.id, 'extension-decision', dispatcher, {
      approve: false,
      note: '理由不足',
    });
    expect(denied.deadlines.resolveBy).toBe(approved.deadlines.resolveBy);
    expect(denied.pendingExtension).toBeUndefined();
    const changes = (await s.timeline(created.id)).filter((e) => e.type === 'deadline_changed');
    expect(changes).toHaveLength(1);
    expect(changes[0]?.data).toMatchObject({ reason: 'extension', to: approved.deadlines.resolveBy });
    const decisions = (await s.actionsInHistory(created.id)).filter((a) => a.action === 'extension-decision');
    expect(decisions.map((a) => a.payload)).toEqual([
      { approve: true, note: '同意' },
      { approve: false, note: '理由不足' },
    ]);
  });

  it('sends a rejected reply back to the unit, and closes once a better reply is accepted', async () => {
    const created = await s.create(complaint({ categoryCode: '0104', description: '小区垃圾无人清运。' }));
    await s.untilWaiting(created.id, 'dispatched');
    const unit = await stack.token('unit', 'st-110105001');
    await s.step(created.id, 'accept', unit);
    await s.step(created.id, 'contact', unit, { way: 'phone' });
    await s.step(created.id, 'reply', unit, { result: 'explained', text: '已解释。' });

    const rejected = await s.step(created.id, 'reply-review', operator, {
      decision: 'reject',
      reason: '未实际处理',
    });
    expect(rejected).toMatchObject({ status: 'accepted', replyRejections: 1 });
    expect(rejected.reply).toBeUndefined();

    await s.step(created.id, 'reply', unit, { result: 'resolved', text: '已清运完毕。' });
    const closed = await s.step(created.id, 'reply-review', operator, { decision: 'accept' });
    expect(closed).toMatchObject({
      status: 'closed',
      closure: { outcome: 'handled' },
      reply: { result: 'resolved' },
    });
    expect((await s.actionsInHistory(created.id)).map((a) => a.action)).toEqual([
      'accept',
      'contact',
      'reply',
      'reply-review',
      'reply',
      'reply-review',
    ]);
    expect((await s.timeline(created.id)).map((e) => e.type)).toContain('reply_rejected');
  });

  it('lets co-handling and summoned units report to the lead (首接负责, 吹哨报到)', async () => {
    const created = await s.create(complaint({ categoryCode: '0102', description: '路口占道经营严重。' }));
    await s.untilWaiting(created.id, 'dispatched');
    const lead = await stack.token('unit', 'st-110105001');
    await s.step(created.id, 'accept', lead);

    await s.step(created.id, 'summon', lead, { unitIds: ['dept-cgzfj'], note: '请城管执法报到' });
    await s.step(created.id, 'co-handling', lead, { unitIds: ['dept-scjgj'], note: '请市场监管协办' });
    const enforcement = await stack.token('unit', 'dept-cgzfj');
    const market = await stack.token('unit', 'dept-scjgj');
    await s.step(created.id, 'co-handling-report', enforcement, { text: '已联合执法，清理摊位12处。' });
    await s.step(created.id, 'co-handling-report', market, { text: '已约谈相关商户。' });

    const order = await s.read(created.id);
    expect(order.coUnitIds).toEqual(['dept-cgzfj', 'dept-scjgj']);
    expect(order.coReports.map((r: { unitId: string }) => r.unitId)).toEqual(['dept-cgzfj', 'dept-scjgj']);
    const leadView = await stack.api('GET', `/orders/${created.id}`, { token: lead });
    expect(leadView.body.coReports).toHaveLength(2);
    const outsider = await stack.token('unit', 'dept-jtw');
    const refused = await stack.api('POST', `/orders/${created.id}/co-handling-report`, {
      token: outsider,
      body: { text: '?' },
    });
    expect(refused.status).toBe(404);
    expect((await s.actionsInHistory(created.id)).map((a) => a.action)).toEqual([
      'accept',
      'summon',
      'co-handling',
      'co-handling-report',
      'co-handling-report',
    ]);
    const reports = (await s.timeline(created.id)).filter((e) => e.type === 'co_handling_reported');
    expect(reports.map((e) => e.data.leadUnitId)).toEqual(['st-110105001', 'st-110105001']);
  });

  it('answers the same action sent twice once, and lets only one of two conflicting actions win', async () => {
    const created = await s.create(
      complaint({
        categoryCode: '0104',
        description: '楼道堆物。',
        location: { districtCode: '110105', streetCode: '110105004' },
      }),
    );
    await s.untilWaiting(created.id, 'dispatched');
    const unit = await stack.token('unit', 'st-110105004');

    // The same accept twice, with one Idempotency-Key: one change, the same answer
    const headers = { 'idempotency-key': 'accept-0001' };
    const first = await s.act(created.id, 'accept', unit, {}, headers);
    const second = await s.act(created.id, 'accept', unit, {}, headers);
    expect(first.status).toBe(200);
    expect(second.status).toBe(200);
    expect(second.headers.get('idempotent-replayed')).toBe('true');
    expect(second.body.version).toBe(first.body.version);
    await s.untilWaiting(created.id, 'accepted');

    // A reply and an extension request at the same moment, both made on the version the unit read:
    // one wins, the other is refused with 409 and changes nothing
    const [reply, extension] = await Promise.all([
      s.act(
        created.id,
        'reply',
        unit,
        { result: 'resolved', text: '已清理。' },
        { 'if-match': `"${first.body.version}"` },
      ),
      s.act(
        created.id,
        'extension',
        unit,
        { days: 3, reason: '需要更多时间' },
        { 'if-match': `"${first.body.version}"` },
      ),
    ]);
    const statuses = [reply.status, extension.status].sort();
    expect(statuses).toEqual([200, 409]);
    await s.untilWaiting(created.id);
    const types = (await s.timeline(created.id)).map((e) => e.type);
    expect(types.filter((t) => t === 'accepted')).toHaveLength(1);
    expect(types.filter((t) => t === 'replied' || t === 'extension_requested')).toHaveLength(1);
    const acted = (await s.actionsInHistory(created.id)).map((a) => a.action);
    expect(acted.filter((a) => a === 'accept')).toHaveLength(1);
    expect(acted).toHaveLength(2);
  });
});
