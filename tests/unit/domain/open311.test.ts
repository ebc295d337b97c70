import { describe, expect, it } from 'vitest';
import { open311Request, w3cChinaTime } from '#domain/open311.ts';
import type { WorkOrder } from '#domain/work-order.ts';
import fixture from '../fixtures/work-order.json' with { type: 'json' };

const dispatched = fixture as unknown as WorkOrder;
const names = {
  unit: (id: string) => ({ 'st-110101001': '东华门街道办事处' })[id],
  category: (code: string) => ({ '010201': '占道经营' })[code],
};

describe('w3cChinaTime', () => {
  it.each([
    ['2026-12-01T01:00:00.000Z', '2026-12-01T09:00:00+08:00'],
    ['2026-12-01T15:59:59.999Z', '2026-12-01T23:59:59+08:00'],
    ['2026-12-31T16:00:00Z', '2027-01-01T00:00:00+08:00'],
    ['2026-12-01T09:30:15+08:00', '2026-12-01T09:30:15+08:00'],
  ])('writes %s as %s', (iso, w3c) => {
    expect(w3cChinaTime(iso)).toBe(w3c);
  });

  it('refuses what is not a time', () => {
    expect(() => w3cChinaTime('yesterday')).toThrow(new RangeError('Not a time: yesterday'));
  });
});

describe('open311Request', () => {
  it('maps a dispatched order field by field, and leaves out the requester', () => {
    expect(open311Request(dispatched, names)).toEqual({
      service_request_id: 'WO01KBAAAAAAAAAAAAAAAAAAAAAA',
      status: 'open',
      status_notes: '已派单，待承办单位签收',
      service_name: '占道经营',
      service_code: '010201',
      description: '小区门口流动摊贩占道经营，晚上噪声扰民。',
      agency_responsible: '东华门街道办事处',
      service_notice: '',
      requested_datetime: '2026-12-01T09:00:00+08:00',
      updated_datetime: '2026-12-01T09:05:00+08:00',
      // the resolve deadline is the next one once resolveBy is set
      expected_datetime: '2026-12-08T09:05:00+08:00',
      address: '东华门大街1号',
      address_id: null,
      zipcode: null,
      lat: null,
      long: null,
      media_url: null,
    });
    const published = JSON.stringify(open311Request(dispatched, names));
    expect(published).not.toContain('13800138000');
    expect(published).not.toContain('王女士');
  });

  it('redacts phone numbers, ID numbers and e-mail addresses in the description, the address and the reply', () => {
    const order: WorkOrder = {
      ...dispatched,
      description: '请回电13900139000或发邮件到wang@example.com，身份证110101199003071234',
      location: { ...dispatched.location, address: '东华门大街1号（门卫电话 6512 3456）' },
      status: 'closed',
      closedAt: '2026-12-03T02:00:00.000Z',
      closure: { outcome: 'handled' },
      reply: {
        result: 'resolved',
        text: '已联系王女士13900139000，摊贩已清理',
        at: '2026-12-02T02:00:00.000Z',
        by: 'x',
      },
    };

    const request = open311Request(order, names);

    expect(request.description).toBe('请回电[号码]或发邮件到[邮箱]，身份证[证件号]');
    expect(request.address).toBe('东华门大街1号（门卫电话 [号码]）');
    expect(request.status_notes).toBe('已办结：已联系王女士[号码]，摊贩已清理');
  });

  it.each([
    ['received', '已受理，待派单'],
    ['awaiting_dispatch', '已受理，待派单'],
    ['dispatched', '已派单，待承办单位签收'],
    ['accepted', '承办单位办理中'],
    ['objected', '派单有异议，市级平台重新研判中'],
    ['replied', '承办单位已反馈，市级平台审核中'],
  ] as const)('calls a %s order open, with its stage in the notes', (status, notes) => {
    const request = open311Request({ ...dispatched, status }, names);
    expect(request.status).toBe('open');
    expect(request.status_notes).toBe(notes);
  });

  it.each([
    ['handled, with a reply', { outcome: 'handled' }, true, '已办结：摊贩已清理'],
    ['handled, without a reply', { outcome: 'handled' }, false, '已办结'],
    ['disposed', { outcome: 'disposed' }, false, '已结束：不属于受理范围，已告知诉求人办理途径'],
    ['expired', { outcome: 'expired' }, true, '已结束：超过办理时限'],
  ] as const)(
    'calls a closed order (%s) closed, with how it ended and no expected time',
    (_, closure, replied, notes) => {
      const order: WorkOrder = {
        ...dispatched,
        status: 'closed',
        closure,
        ...(replied
          ? { reply: { result: 'resolved', text: '摊贩已清理', at: dispatched.updatedAt, by: 'x' } }
          : {}),
      };
      const request = open311Request(order, names);
      expect(request.status).toBe('closed');
      expect(request.status_notes).toBe(notes);
      expect(request.expected_datetime).toBeNull();
    },
  );

  it('calls a closed order without a recorded outcome handled', () => {
    const order: WorkOrder = {
      ...dispatched,
      status: 'closed',
      reply: { result: 'resolved', text: '摊贩已清理', at: dispatched.updatedAt, by: 'x' },
    };
    expect(open311Request(order, names).status_notes).toBe('已办结：摊贩已清理');
  });

  it('expects an order by its contact deadline before it has a resolve deadline, and by dispatch before either', () => {
    const { resolveBy: _r, ...untilContact } = dispatched.deadlines;
    const contactOnly = open311Request({ ...dispatched, deadlines: untilContact }, names);
    const dispatchOnly = open311Request(
      { ...dispatched, status: 'received', deadlines: { dispatchBy: dispatched.deadlines.dispatchBy } },
      names,
    );
    expect(contactOnly.expected_datetime).toBe('2026-12-02T09:05:00+08:00');
    expect(dispatchOnly.expected_datetime).toBe('2026-12-01T23:59:59+08:00');
  });

  it('names no agency before dispatch, the unit id when its name is unknown, and the code for an unnamed category', () => {
    const { unitId: _u, ...undispatched } = dispatched;
    expect(open311Request({ ...undispatched, status: 'received' }, names).agency_responsible).toBe('');
    const unnamed = { unit: () => undefined, category: () => undefined };
    const request = open311Request(dispatched, unnamed);
    expect(request.agency_responsible).toBe('st-110101001');
    expect(request.service_name).toBe('010201');
  });

  it('gives the coordinates when the order has them, and no address when it has none', () => {
    const { address: _a, ...noAddress } = dispatched.location;
    const request = open311Request(
      { ...dispatched, location: { ...noAddress, lat: 39.9087, long: 116.3975 } },
      names,
    );
    expect([request.lat, request.long, request.address]).toEqual([39.9087, 116.3975, null]);
  });
});
