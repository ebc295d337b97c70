import { describe, expect, it } from 'vitest';
import type { CallbackRound } from '#domain/callback.ts';
import { summarizeOrder, viewOrder } from '#domain/order-view.ts';
import type { WorkOrder } from '#domain/work-order.ts';
import workOrderJson from '../fixtures/work-order.json' with { type: 'json' };
import { CO, COPIED, LEAD } from './support.ts';

const complaint = (): WorkOrder => structuredClone(workOrderJson) as unknown as WorkOrder;
const report = (): WorkOrder => ({ ...complaint(), appealType: 'report' });

describe('viewOrder', () => {
  it("returns a report's requester to unit staff only as protected, without name or phone", () => {
    // Prepare
    const order = report();

    // Act
    const view = viewOrder(order, { role: 'unit' });

    // Assess
    expect(view.requester).toEqual({ kind: 'person', anonymous: false, protected: true });
    expect(JSON.stringify(view)).not.toContain('13800138000');
    expect(JSON.stringify(view)).not.toContain('王女士');
  });

  it('returns the rest of a report unchanged to unit staff, and leaves the stored order untouched', () => {
    // Prepare
    const order = report();
    const before = structuredClone(order);

    // Act
    const { requester: _requester, ...rest } = viewOrder(order, { role: 'unit' });

    // Assess
    const { requester: _stored, ...expected } = before;
    expect(rest).toEqual(expected);
    expect(order).toEqual(before);
  });

  it("returns an enterprise report's requester as protected too, keeping its kind", () => {
    // Prepare
    const order: WorkOrder = {
      ...report(),
      requester: {
        kind: 'enterprise',
        name: '某某公司',
        creditCode: '91110105MA01ABCD2X',
        anonymous: false,
        declinesCallback: false,
      },
    };

    // Act
    const view = viewOrder(order, { role: 'unit' });

    // Assess
    expect(view.requester).toEqual({ kind: 'enterprise', anonymous: false, protected: true });
  });

  it("returns a report's requester with contacts to the centre's staff", () => {
    // Act
    const views = ['operator', 'dispatcher', 'supervisor', 'auditor'].map((role) =>
      viewOrder(report(), { role }),
    );

    // Assess
    for (const view of views) {
      expect(view.requester).toEqual({
        kind: 'person',
        name: '王女士',
        phone: '13800138000',
        anonymous: false,
        declinesCallback: false,
      });
    }
  });

  it("returns a report's requester as protected to the lead unit too: no unit sees who reported", () => {
    // Act
    const view = viewOrder(report(), { role: 'unit', unitId: LEAD });

    // Assess
    expect(view.requester).toEqual({ kind: 'person', anonymous: false, protected: true });
  });

  it('returns the contacts of other appeal types to the lead unit, which must call the requester', () => {
    // Act
    const views = (['complaint', 'consultation', 'help', 'suggestion', 'praise'] as const).map((appealType) =>
      viewOrder({ ...complaint(), appealType }, { role: 'unit', unitId: LEAD }),
    );

    // Assess
    for (const view of views) expect(view.requester).toMatchObject({ name: '王女士', phone: '13800138000' });
  });

  it('returns the requester only as protected to a co-handler, a copied unit or a unit without its unit id', () => {
    // Prepare: 城管执法局 co-handles the complaint; 东城区政府 is copied
    const order: WorkOrder = { ...complaint(), coUnitIds: [CO] };

    // Act
    const views = [{ unitId: CO }, { unitId: COPIED }, {}].map((viewer) =>
      viewOrder(order, { role: 'unit', ...viewer }),
    );

    // Assess
    for (const view of views) {
      expect(view.requester).toEqual({ kind: 'person', anonymous: false, protected: true });
      expect(JSON.stringify(view)).not.toContain('13800138000');
      expect(view.description).toBe(order.description);
    }
  });

  it('returns the requester only as protected to a unit without its unit id, on an order not yet dispatched', () => {
    // Prepare: no lead unit yet, so a viewer's missing unit id must not pass for the lead's
    const { unitId: _unitId, ...undispatched } = complaint();

    // Act
    const view = viewOrder(undispatched, { role: 'unit' });

    // Assess
    expect(view.requester).toEqual({ kind: 'person', anonymous: false, protected: true });
    expect(JSON.stringify(view)).not.toContain('13800138000');
  });

  it("returns a complaint's requester with contacts to every role of the centre", () => {
    // Act
    const views = ['operator', 'dispatcher', 'supervisor', 'auditor'].map((role) =>
      viewOrder(complaint(), { role }),
    );

    // Assess
    for (const view of views) expect(view.requester).toEqual(complaint().requester);
  });
});

describe('viewOrder: survey links', () => {
  const callback: CallbackRound = {
    round: 1,
    reason: 'handled',
    state: 'open',
    dueAt: '2026-12-03T02:00:00.000Z',
    attempts: 1,
    openedAt: '2026-12-02T03:00:00.000Z',
    links: [
      { hash: 'hash-of-link-1', expiresAt: '2026-12-09T15:59:00.000Z' },
      { hash: 'hash-of-link-2', expiresAt: '2026-12-10T15:59:00.000Z' },
    ],
  };

  it('returns how many survey links went out instead of their hashes, to every viewer', () => {
    // Prepare
    const order: WorkOrder = { ...complaint(), callback };

    // Act
    const views = [{ role: 'supervisor' }, { role: 'unit', unitId: LEAD }].map((viewer) =>
      viewOrder(order, viewer),
    );

    // Assess: the rest of the round is shown as it is
    for (const view of views) {
      expect(view.callback).toStrictEqual({
        round: 1,
        reason: 'handled',
        state: 'open',
        dueAt: '2026-12-03T02:00:00.000Z',
        attempts: 1,
        openedAt: '2026-12-02T03:00:00.000Z',
        linksSent: 2,
      });
      expect(JSON.stringify(view)).not.toContain('hash-of-link');
    }
  });

  it('returns a round that sent no link yet as it is, and leaves the stored links untouched', () => {
    // Prepare
    const { links: _links, ...noLinks } = callback;
    const withoutLinks: WorkOrder = { ...complaint(), callback: noLinks };
    const withLinks: WorkOrder = { ...complaint(), callback };

    // Act
    const view = viewOrder(withoutLinks, { role: 'operator' });
    viewOrder(withLinks, { role: 'operator' });

    // Assess
    expect(view.callback).toStrictEqual(noLinks);
    expect(withLinks.callback?.links).toHaveLength(2);
  });
});

describe('viewOrder: field order', () => {
  it('returns the fields in reading order, not in the order they were stored', () => {
    // Act
    const view = viewOrder(complaint(), { role: 'operator' });

    // Assess: urgency and channel before the description, deadlines before receipt (the stored order
    // puts them after); no field the order lacks appears, not even as undefined
    expect(Object.keys(view)).toEqual([
      'id',
      'version',
      'status',
      'flags',
      'appealType',
      'categoryCode',
      'urgency',
      'channel',
      'description',
      'requester',
      'location',
      'unitId',
      'coUnitIds',
      'copiedUnitIds',
      'routeBasis',
      'deadlines',
      'receivedAt',
      'receivedBy',
      'dispatchedAt',
      'updatedAt',
    ]);
  });

  it('returns the fields outside the reading order last, in the order they came', () => {
    // Prepare: pendingAppeal and acceptedAt are stored first, reply last
    const fixture = complaint();
    const order = {
      pendingAppeal: { reason: '非本单位职责', at: '2026-12-05T01:00:00.000Z', by: LEAD },
      acceptedAt: '2026-12-01T02:00:00.000Z',
      ...fixture,
      reply: { result: 'resolved', text: '已处理。', at: '2026-12-02T01:00:00.000Z', by: LEAD },
    } as WorkOrder;

    // Act
    const keys = Object.keys(viewOrder(order, { role: 'operator' }));

    // Assess
    expect(keys.slice(-5)).toEqual(['dispatchedAt', 'reply', 'updatedAt', 'pendingAppeal', 'acceptedAt']);
    expect(keys).toHaveLength(Object.keys(order).length);
  });
});

describe('summarizeOrder', () => {
  it('returns what a queue shows of a dispatched order: no requester, no address, no history', () => {
    // Act
    const summary = summarizeOrder(complaint());

    // Assess
    expect(summary).toStrictEqual({
      id: 'WO01KBAAAAAAAAAAAAAAAAAAAAAA',
      version: 3,
      status: 'dispatched',
      flags: [],
      appealType: 'complaint',
      categoryCode: '010201',
      urgency: 'normal',
      channel: 'phone',
      title: '小区门口流动摊贩占道经营，晚上噪声扰民。',
      location: { districtCode: '110101', streetCode: '110101001' },
      unitId: LEAD,
      coUnitIds: [],
      copiedUnitIds: [COPIED],
      deadlines: {
        dispatchBy: '2026-12-01T15:59:59.999Z',
        contactBy: '2026-12-02T01:05:00.000Z',
        resolveBy: '2026-12-08T01:05:00.000Z',
      },
      receivedAt: '2026-12-01T01:00:00.000Z',
      updatedAt: '2026-12-01T01:05:00.000Z',
    });
  });

  it('returns no street and no unit for an order that has neither yet', () => {
    // Prepare
    const { unitId: _unitId, ...fixture } = complaint();
    const order: WorkOrder = {
      ...fixture,
      status: 'awaiting_dispatch',
      location: { districtCode: '110105' },
    };

    // Act
    const summary = summarizeOrder(order);

    // Assess
    expect(summary.location).toStrictEqual({ districtCode: '110105' });
    expect('unitId' in summary).toBe(false);
  });

  it('returns a description of up to 60 characters whole as the title', () => {
    // Prepare: 60 characters, the longest title kept whole
    const description = `${'占'.repeat(59)}道`;

    // Act
    const summary = summarizeOrder({ ...complaint(), description });

    // Assess
    expect(summary.title).toBe(description);
  });

  it('returns a longer description cut to its first 60 characters and an ellipsis', () => {
    // Prepare: 61 characters
    const description = `${'占'.repeat(60)}道`;

    // Act
    const summary = summarizeOrder({ ...complaint(), description });

    // Assess
    expect(summary.title).toBe(`${'占'.repeat(60)}…`);
  });

  it('returns the round only from the second round on', () => {
    // Act
    const [unset, first, second] = [undefined, 1, 2].map((round) =>
      summarizeOrder({ ...complaint(), ...(round === undefined ? {} : { round }) }),
    );

    // Assess
    expect(unset && 'round' in unset).toBe(false);
    expect(first && 'round' in first).toBe(false);
    expect(second?.round).toBe(2);
  });

  it('returns the closure of a closed order', () => {
    // Act
    const summary = summarizeOrder({ ...complaint(), status: 'closed', closure: { outcome: 'handled' } });

    // Assess
    expect(summary.closure).toStrictEqual({ outcome: 'handled' });
    expect('closure' in summarizeOrder(complaint())).toBe(false);
  });

  it("returns only the call-back's round and state, not its links or schedule", () => {
    // Prepare
    const callback: CallbackRound = {
      round: 2,
      reason: 'limit_expired',
      state: 'scheduled',
      dueAt: '2026-12-10T02:00:00.000Z',
      firstAttemptAt: '2026-12-09T02:00:00.000Z',
      attempts: 0,
      links: [{ hash: 'hash-of-link-1', expiresAt: '2026-12-16T15:59:00.000Z' }],
    };

    // Act
    const summary = summarizeOrder({ ...complaint(), callback });

    // Assess
    expect(summary.callback).toStrictEqual({ round: 2, state: 'scheduled' });
    expect('callback' in summarizeOrder(complaint())).toBe(false);
  });

  it('returns a stopped lifecycle as the failed state and when, without the error text', () => {
    // Prepare
    const lifecycleFailure = {
      state: 'AwaitContact',
      error: 'States.TaskFailed',
      cause: 'ProvisionedThroughputExceededException',
      at: '2026-12-01T05:00:00.000Z',
      execution: 'WO01KBAAAAAAAAAAAAAAAAAAAAAA',
      redriveCount: 0,
    };

    // Act
    const summary = summarizeOrder({ ...complaint(), lifecycleFailure });

    // Assess
    expect(summary.lifecycleFailure).toStrictEqual({ state: 'AwaitContact', at: '2026-12-01T05:00:00.000Z' });
    expect('lifecycleFailure' in summarizeOrder(complaint())).toBe(false);
  });
});
