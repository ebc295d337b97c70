import { describe, expect, it } from 'vitest';
import { HotlineError } from '#domain/errors.ts';
import type { OrderEvent } from '#domain/order-events.ts';
import { viewOrder } from '#domain/order-view.ts';
import {
  deliveryBodyOf,
  deliveryIdOf,
  isPushedEventType,
  MAX_BODY_WITH_ORDER_BYTES,
  recipientsOf,
} from '#domain/push-deliveries.ts';
import {
  checkEndpoint,
  MAX_ENDPOINT_LENGTH,
  SECRET_ROTATION_GRACE_MS,
  secretDerivationInput,
  signingGenerations,
} from '#domain/push-subscriptions.ts';
import type { WorkOrder } from '#domain/work-order.ts';
import workOrderJson from '../fixtures/work-order.json' with { type: 'json' };
import { CO, COPIED, LEAD, OTHER_STREET } from './support.ts';

const order = (changes: Partial<WorkOrder> = {}): WorkOrder => ({
  ...(structuredClone(workOrderJson) as unknown as WorkOrder),
  ...changes,
});
const event = (type: string, data: Record<string, unknown> = {}, seq = 7) => ({
  orderId: order().id,
  seq,
  type,
  at: '2026-12-01T02:00:00.000Z',
  data,
});

describe('recipientsOf: the units told of an event', () => {
  const handled = order({ unitId: LEAD, coUnitIds: [CO] });

  it('tells the lead unit a dispatch names, and the co-handlers named with it', () => {
    expect(
      recipientsOf(event('dispatched', { unitId: LEAD, coUnitIds: [CO], copiedUnitIds: [COPIED] }), handled),
    ).toEqual([LEAD, CO]);
    // A redispatch goes to the new unit, not to the one it was taken from.
    expect(
      recipientsOf(
        event('redispatched', { unitId: OTHER_STREET, coUnitIds: [], previousUnitId: LEAD }),
        handled,
      ),
    ).toEqual([OTHER_STREET]);
  });

  it('tells the units asked to co-handle, and only them', () => {
    expect(
      recipientsOf(event('co_handling_requested', { unitIds: [CO, OTHER_STREET], note: '请协办' }), handled),
    ).toEqual([CO, OTHER_STREET]);
    expect(recipientsOf(event('departments_summoned', { unitIds: [CO] }), handled)).toEqual([CO]);
  });

  it("tells the lead unit of reminders and supervision of its own obligations, not of the centre's dispatch", () => {
    expect(recipientsOf(event('reminder', { obligation: 'contact' }), handled)).toEqual([LEAD]);
    expect(recipientsOf(event('supervision', { step: 'urge', obligation: 'resolve' }), handled)).toEqual([
      LEAD,
    ]);
    expect(recipientsOf(event('reminder', { obligation: 'dispatch' }), handled)).toEqual([]);
  });

  it('tells the lead unit of a rejected reply, a reopening and the call-back result', () => {
    expect(recipientsOf(event('reply_rejected', { reason: '未解决' }), handled)).toEqual([LEAD]);
    expect(recipientsOf(event('reopened', { unitId: LEAD, round: 2 }), handled)).toEqual([LEAD]);
    expect(recipientsOf(event('callback_answered', { round: 1 }), handled)).toEqual([LEAD]);
    expect(recipientsOf(event('callback_unreachable', { round: 1 }), handled)).toEqual([LEAD]);
  });

  it('tells nobody of an event that is not pushed, or of an order without a unit', () => {
    expect(isPushedEventType('accepted')).toBe(false);
    expect(recipientsOf(event('accepted'), handled)).toEqual([]);
    const { unitId: _none, ...unassigned } = handled;
    expect(recipientsOf(event('reply_rejected'), unassigned as WorkOrder)).toEqual([]);
  });
});

describe('deliveryBodyOf: what a delivery says', () => {
  const handled = order({ unitId: LEAD, coUnitIds: [CO] });
  const args = (e: Pick<OrderEvent, 'orderId' | 'seq' | 'type' | 'at' | 'data'>, unitId = LEAD) => ({
    subscriptionId: 'SUB01JABCDEFGHJKMNPQRSTVWXYZ',
    unitId,
    event: e,
    order: handled,
  });

  it('carries the event and the order as the API shows it to that unit, as compact JSON', () => {
    const { body, deliveryId } = deliveryBodyOf(args(event('dispatched', { unitId: LEAD, coUnitIds: [CO] })));
    const parsed = JSON.parse(body);
    expect(body).toBe(JSON.stringify(parsed));
    expect(parsed).toMatchObject({
      id: deliveryId,
      type: 'order.dispatched',
      unitId: LEAD,
      event: { orderId: handled.id, seq: 7, type: 'dispatched' },
    });
    expect(parsed.order).toEqual(
      JSON.parse(JSON.stringify(viewOrder(handled, { role: 'unit', unitId: LEAD }))),
    );
    // Never the sealed contact or its hash (Art. 8).
    const contact = handled.requester.contact;
    if (contact) {
      expect(body).not.toContain(contact.sealed);
      expect(body).not.toContain(contact.requesterHash);
    }
  });

  it("shows a co-handler the order as a co-handler sees it: the requester's contact not readable", () => {
    const { body } = deliveryBodyOf(args(event('co_handling_requested', { unitIds: [CO] }), CO));
    expect(JSON.parse(body).order.requester).toEqual(
      JSON.parse(JSON.stringify(viewOrder(handled, { role: 'unit', unitId: CO }).requester)),
    );
    expect(JSON.parse(body).order.requester.contactReadable).toBeUndefined();
  });

  it("leaves out the requester's own words in a call-back's answer", () => {
    const answered = event('callback_answered', {
      round: 1,
      solved: 'not',
      satisfied: 'not',
      contactedInTime: true,
      comment: '我的电话是13800138000，一直没人来',
    });
    const { body } = deliveryBodyOf(args(answered));
    expect(JSON.parse(body).event.data).toEqual({
      round: 1,
      solved: 'not',
      satisfied: 'not',
      contactedInTime: true,
    });
    expect(body).not.toContain('13800138000');
  });

  it('keeps one id per subscription and event, however often it is made', () => {
    const first = deliveryBodyOf(args(event('reply_rejected', {}, 9))).deliveryId;
    expect(deliveryBodyOf(args(event('reply_rejected', {}, 9))).deliveryId).toBe(first);
    expect(first).toBe(deliveryIdOf('SUB01JABCDEFGHJKMNPQRSTVWXYZ', handled.id, 9));
    expect(deliveryIdOf('SUB01JABCDEFGHJKMNPQRSTVWXYZ', handled.id, 10)).not.toBe(first);
    expect(deliveryIdOf('SUB01JABCDEFGHJKMNPQRSTVWXY0', handled.id, 9)).not.toBe(first);
    expect(first).toMatch(/^dlv_[0-9a-f]{32}$/);
  });

  it('sends an order too large for one EventBridge entry without its view', () => {
    const huge = order({ unitId: LEAD, description: '长'.repeat(MAX_BODY_WITH_ORDER_BYTES / 2) });
    const { body } = deliveryBodyOf({ ...args(event('reply_rejected')), order: huge });
    const parsed = JSON.parse(body);
    expect(parsed.order).toBeUndefined();
    expect(parsed.orderOmitted).toBe(true);
    expect(Buffer.byteLength(body)).toBeLessThan(MAX_BODY_WITH_ORDER_BYTES);
  });

  it('refuses to make a delivery of an event that is not pushed', () => {
    expect(() => deliveryBodyOf(args(event('accepted')))).toThrow(/not pushed/);
  });
});

describe('checkEndpoint: what EventBridge API destinations take', () => {
  const refused = (url: string, opts = {}) => {
    try {
      checkEndpoint(url, opts);
    } catch (error) {
      return error instanceof HotlineError ? `${error.kind} ${error.code}` : String(error);
    }
    return 'accepted';
  };

  it('takes an https URL with a path and a query', () => {
    expect(checkEndpoint('https://cases.dongcheng.gov.cn/hotline/events?src=12345')).toBe(
      'https://cases.dongcheng.gov.cn/hotline/events?src=12345',
    );
  });

  it.each([
    ['plain http', 'http://cases.example.cn/events'],
    ['not a URL', 'cases.example.cn/events'],
    ['credentials in the URL', 'https://user:pass@cases.example.cn/events'],
    ['a fragment', 'https://cases.example.cn/events#x'],
    ['a "*" (a path parameter to EventBridge)', 'https://cases.example.cn/events/*'],
    ['too long', `https://cases.example.cn/${'a'.repeat(MAX_ENDPOINT_LENGTH)}`],
    ['another scheme', 'ftp://cases.example.cn/events'],
  ])('refuses %s with 422 INVALID_ENDPOINT', (_what, url) => {
    expect(refused(url)).toBe('unprocessable INVALID_ENDPOINT');
  });

  it('takes plain http only on this machine and only when the local stack allows it', () => {
    expect(refused('http://127.0.0.1:8080/events')).toBe('unprocessable INVALID_ENDPOINT');
    expect(refused('http://127.0.0.1:8080/events', { allowLoopbackHttp: true })).toBe('accepted');
    expect(refused('http://localhost:8080/events', { allowLoopbackHttp: true })).toBe('accepted');
    expect(refused('http://10.0.0.8/events', { allowLoopbackHttp: true })).toBe(
      'unprocessable INVALID_ENDPOINT',
    );
  });
});

describe('secretDerivationInput', () => {
  it('differs by subscription and by generation', () => {
    const inputs = new Set([
      secretDerivationInput('SUB1', 1),
      secretDerivationInput('SUB1', 2),
      secretDerivationInput('SUB2', 1),
    ]);
    expect(inputs.size).toBe(3);
  });
});

describe('signingGenerations: the secrets a delivery is signed with', () => {
  const now = Date.parse('2026-12-04T10:00:00.000Z');
  it('is the current generation alone before any rotation', () => {
    expect(signingGenerations({ generation: 1 }, now)).toEqual([1]);
  });
  it('adds the previous generation, after the current one, until its grace ends', () => {
    const until = new Date(now + SECRET_ROTATION_GRACE_MS).toISOString();
    expect(signingGenerations({ generation: 3, previousSecretUntil: until }, now)).toEqual([3, 2]);
    expect(
      signingGenerations({ generation: 3, previousSecretUntil: until }, now + SECRET_ROTATION_GRACE_MS),
    ).toEqual([3]);
  });
});
