import { describe, expect, it } from 'vitest';
import type { CallbackRound } from '#domain/callback.ts';
import { summarizeOrder, viewOrder } from '#domain/order-view.ts';
import type { WorkOrder } from '#domain/work-order.ts';
import workOrderJson from '../fixtures/work-order.json' with { type: 'json' };
import { CO, COPIED, LEAD } from './support.ts';

const complaint = (): WorkOrder => structuredClone(workOrderJson) as unknown as WorkOrder;
const report = (): WorkOrder => ({ ...complaint(), appealType: 'report' });

const masked = { name: '王**', phone: '138****8000' };
const visible = (extra: Record<string, unknown> = {}) => ({
  kind: 'person',
  anonymous: false,
  declinesCallback: false,
  contact: masked,
  ...extra,
});
const hidden = { kind: 'person', anonymous: false, protected: true };
const { sealed, requesterHash } = complaint().requester.contact ?? { sealed: '', requesterHash: '' };

describe('viewOrder: the requester (docs/privacy.md)', () => {
  it('never shows the sealed contact or its hash, to anyone', () => {
    for (const viewer of [{ role: 'operator' }, { role: 'auditor' }, { role: 'unit', unitId: LEAD }]) {
      const text = JSON.stringify(viewOrder(complaint(), viewer));
      expect(text).not.toContain(sealed);
      expect(text).not.toContain(String(requesterHash));
    }
  });

  it("shows the centre's roles the masked contact, readable on request", () => {
    for (const role of ['operator', 'dispatcher', 'supervisor']) {
      expect(viewOrder(complaint(), { role }).requester).toEqual(visible({ contactReadable: true }));
      expect(viewOrder(report(), { role }).requester).toEqual(visible({ contactReadable: true }));
    }
  });

  it('shows an auditor the masked contact only', () => {
    expect(viewOrder(complaint(), { role: 'auditor' }).requester).toEqual(visible());
  });

  it('lets the lead unit read the contact while it handles the order, and only see it masked after', () => {
    for (const status of ['dispatched', 'accepted', 'objected', 'replied'] as const) {
      expect(viewOrder({ ...complaint(), status }, { role: 'unit', unitId: LEAD }).requester).toEqual(
        visible({ contactReadable: true }),
      );
    }
    expect(viewOrder({ ...complaint(), status: 'closed' }, { role: 'unit', unitId: LEAD }).requester).toEqual(
      visible(),
    );
  });

  it('shows co-handlers and copied units the masked contact only', () => {
    const order: WorkOrder = { ...complaint(), coUnitIds: [CO] };
    for (const unitId of [CO, COPIED])
      expect(viewOrder(order, { role: 'unit', unitId }).requester).toEqual(visible());
  });

  it('shows no unit anything of a reporter (举报), not even the lead unit, not even masked', () => {
    const order: WorkOrder = { ...report(), coUnitIds: [CO] };
    for (const unitId of [LEAD, CO, COPIED]) {
      const view = viewOrder(order, { role: 'unit', unitId });
      expect(view.requester).toEqual(hidden);
      expect(JSON.stringify(view)).not.toContain('138****8000');
    }
  });

  it('shows a unit without its unit id, or another role, nothing of the requester', () => {
    const { unitId: _unitId, ...undispatched } = complaint();
    expect(viewOrder(undispatched, { role: 'unit' }).requester).toEqual(hidden);
    expect(viewOrder(complaint(), { role: 'open311' }).requester).toEqual(hidden);
  });

  it('shows an anonymous requester as such, and when a contact was erased to those who could see it', () => {
    const anonymous: WorkOrder = {
      ...complaint(),
      requester: { kind: 'person', anonymous: true, declinesCallback: false },
    };
    expect(viewOrder(anonymous, { role: 'operator' }).requester).toEqual({
      kind: 'person',
      anonymous: true,
      declinesCallback: false,
    });
    const erased: WorkOrder = {
      ...complaint(),
      requester: {
        kind: 'person',
        anonymous: false,
        declinesCallback: false,
        contactErasedAt: '2027-12-01T00:00:00.000Z',
      },
    };
    expect(viewOrder(erased, { role: 'unit', unitId: LEAD }).requester).toEqual({
      kind: 'person',
      anonymous: false,
      declinesCallback: false,
      contactErasedAt: '2027-12-01T00:00:00.000Z',
    });
    expect(viewOrder({ ...erased, appealType: 'report' }, { role: 'unit', unitId: LEAD }).requester).toEqual(
      hidden,
    );
  });

  it('returns the rest of the order unchanged, and leaves the stored order untouched', () => {
    const order = report();
    const before = structuredClone(order);
    const { requester: _requester, ...rest } = viewOrder(order, { role: 'unit' });
    const { requester: _stored, ...expected } = before;
    expect(rest).toEqual(expected);
    expect(order).toEqual(before);
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
