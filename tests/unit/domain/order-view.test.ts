import { describe, expect, it } from 'vitest';
import { viewOrder } from '#domain/order-view.ts';
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

  it("returns a complaint's requester with contacts to every role of the centre", () => {
    // Act
    const views = ['operator', 'dispatcher', 'supervisor', 'auditor'].map((role) =>
      viewOrder(complaint(), { role }),
    );

    // Assess
    for (const view of views) expect(view.requester).toEqual(complaint().requester);
  });
});
