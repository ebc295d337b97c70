import { describe, expect, it } from 'vitest';
import { LocalEventBus } from '../../../local/event-bus.ts';

const NOW = Date.parse('2026-12-08T01:05:00.000Z');
const uuid = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

const closedEntry = (changes: Record<string, unknown> = {}) => ({
  EventBusName: 'hotline-bus',
  Source: 'hotline.work-orders',
  DetailType: 'WorkOrder Closed',
  Detail: JSON.stringify({ orderId: 'WO-1', outcome: 'handled' }),
  ...changes,
});

describe('LocalEventBus.putEvents', () => {
  it('returns an EventId and keeps the event in the shape EventBridge delivers', () => {
    // Prepare
    const bus = new LocalEventBus('hotline-bus', () => NOW);

    // Act
    const result = bus.putEvents([closedEntry({ Resources: ['arn:aws:states:::execution:WO-1'] })]);

    // Assess
    expect(result.FailedEntryCount).toBe(0);
    expect(result.Entries).toEqual([{ EventId: expect.stringMatching(uuid) }]);
    const [event] = bus.list();
    expect(event).toEqual({
      version: '0',
      id: (result.Entries[0] as { EventId: string }).EventId,
      'detail-type': 'WorkOrder Closed',
      source: 'hotline.work-orders',
      account: '000000000000',
      time: '2026-12-08T01:05:00.000Z',
      region: 'local',
      resources: ['arn:aws:states:::execution:WO-1'],
      detail: { orderId: 'WO-1', outcome: 'handled' },
      'event-bus-name': 'hotline-bus',
    });
  });

  it('returns the event with the given Time when it is an ISO string', () => {
    // Prepare
    const bus = new LocalEventBus('hotline-bus', () => NOW);

    // Act
    bus.putEvents([closedEntry({ Time: '2026-12-01T00:00:00.000Z' })]);

    // Assess
    expect(bus.list().map((e) => e.time)).toEqual(['2026-12-01T00:00:00.000Z']);
  });

  it('returns the Time an AWS SDK client sends, which the JSON protocol carries as epoch seconds', () => {
    // Prepare: EventBridgeClient serialises `Time: new Date('2026-12-01T02:00:00Z')` as "Time":1796090400,
    // and local/aws-endpoint.ts hands the request's Entries to putEvents unchanged
    const bus = new LocalEventBus('hotline-bus', () => NOW);

    // Act
    bus.putEvents([closedEntry({ Time: 1796090400 })]);

    // Assess
    expect(bus.list().map((e) => e.time)).toEqual(['2026-12-01T02:00:00.000Z']);
  });

  it('returns a Detail given as an object unchanged and an empty resources list by default', () => {
    // Prepare
    const bus = new LocalEventBus('hotline-bus', () => NOW);

    // Act
    bus.putEvents([closedEntry({ Detail: { orderId: 'WO-2' } })]);

    // Assess
    expect(bus.list()[0]).toMatchObject({ detail: { orderId: 'WO-2' }, resources: [] });
  });

  it('returns the bus found by its ARN', () => {
    // Prepare
    const bus = new LocalEventBus('hotline-bus', () => NOW);

    // Act
    const result = bus.putEvents([
      closedEntry({ EventBusName: 'arn:aws:events:cn-north-1:123456789012:event-bus/hotline-bus' }),
    ]);

    // Assess
    expect(result.FailedEntryCount).toBe(0);
    expect(bus.list()).toHaveLength(1);
  });

  it('rejects an unknown bus with ErrorCode ResourceNotFoundException and keeps nothing', () => {
    // Prepare
    const bus = new LocalEventBus('hotline-bus', () => NOW);

    // Act
    const result = bus.putEvents([closedEntry({ EventBusName: 'other-bus' })]);

    // Assess
    expect(result).toEqual({
      Entries: [
        { ErrorCode: 'ResourceNotFoundException', ErrorMessage: expect.stringContaining('other-bus') },
      ],
      FailedEntryCount: 1,
    });
    expect(bus.list()).toEqual([]);
  });

  it('rejects an entry without EventBusName unless the bus is the default one', () => {
    // Prepare
    const named = new LocalEventBus('hotline-bus', () => NOW);
    const defaultBus = new LocalEventBus('default', () => NOW);
    const { EventBusName: _name, ...entry } = closedEntry();

    // Act
    const onNamed = named.putEvents([entry]);
    const onDefault = defaultBus.putEvents([entry]);

    // Assess
    expect(onNamed.FailedEntryCount).toBe(1);
    expect(onDefault.FailedEntryCount).toBe(0);
  });

  it('rejects a Detail that is not JSON with ErrorCode MalformedDetail', () => {
    // Prepare
    const bus = new LocalEventBus('hotline-bus', () => NOW);

    // Act
    const result = bus.putEvents([closedEntry({ Detail: '{"orderId":' })]);

    // Assess
    expect(result.Entries).toEqual([{ ErrorCode: 'MalformedDetail', ErrorMessage: expect.any(String) }]);
    expect(result.FailedEntryCount).toBe(1);
    expect(bus.list()).toEqual([]);
  });

  it('rejects entries without Source, DetailType or Detail', () => {
    // Prepare
    const bus = new LocalEventBus('hotline-bus', () => NOW);
    const { Source: _s, ...noSource } = closedEntry();
    const { DetailType: _t, ...noType } = closedEntry();
    const { Detail: _d, ...noDetail } = closedEntry();

    // Act
    const result = bus.putEvents([noSource, noType, noDetail]);

    // Assess
    expect(result.FailedEntryCount).toBe(3);
    expect(result.Entries.map((e) => ('ErrorCode' in e ? e.ErrorCode : undefined))).toEqual([
      'MalformedDetail',
      'MalformedDetail',
      'MalformedDetail',
    ]);
  });

  it('returns one result per entry, in order, and counts only the failed ones', () => {
    // Prepare
    const bus = new LocalEventBus('hotline-bus', () => NOW);

    // Act
    const result = bus.putEvents([
      closedEntry(),
      closedEntry({ EventBusName: 'nope' }),
      closedEntry({ Detail: 'not json' }),
      closedEntry({ DetailType: 'WorkOrder Reopened' }),
    ]);

    // Assess
    expect(result.FailedEntryCount).toBe(2);
    expect(result.Entries.map((e) => ('EventId' in e ? 'ok' : e.ErrorCode))).toEqual([
      'ok',
      'ResourceNotFoundException',
      'MalformedDetail',
      'ok',
    ]);
    expect(bus.list().map((e) => e['detail-type'])).toEqual(['WorkOrder Closed', 'WorkOrder Reopened']);
  });

  it('returns distinct event ids', () => {
    // Prepare
    const bus = new LocalEventBus('hotline-bus', () => NOW);

    // Act
    const result = bus.putEvents([closedEntry(), closedEntry(), closedEntry()]);

    // Assess
    const ids = result.Entries.map((e) => ('EventId' in e ? e.EventId : ''));
    expect(new Set(ids).size).toBe(3);
  });

  it('returns only the most recent events beyond its capacity', () => {
    // Prepare
    const bus = new LocalEventBus('hotline-bus', () => NOW, [], { capacity: 2 });

    // Act
    bus.putEvents([1, 2, 3].map((n) => closedEntry({ Detail: { n } })));

    // Assess
    expect(bus.list().map((e) => e.detail)).toEqual([{ n: 2 }, { n: 3 }]);
  });
});

describe('LocalEventBus.list', () => {
  it('returns the events filtered by source and by detail type', () => {
    // Prepare
    const bus = new LocalEventBus('hotline-bus', () => NOW);
    bus.putEvents([
      closedEntry(),
      closedEntry({ DetailType: 'WorkOrder Reopened' }),
      closedEntry({ Source: 'hotline.survey' }),
    ]);

    // Act
    const closed = bus.list({ detailType: 'WorkOrder Closed' });
    const survey = bus.list({ source: 'hotline.survey' });
    const all = bus.list();

    // Assess
    expect(closed.map((e) => e.source)).toEqual(['hotline.work-orders', 'hotline.survey']);
    expect(survey).toHaveLength(1);
    expect(all).toHaveLength(3);
  });
});

describe('LocalEventBus rules', () => {
  it('delivers a matching event to its rule target, and dead-letters one that keeps failing', async () => {
    // Prepare: one rule that takes closed orders, one whose target always fails
    const delivered: unknown[] = [];
    const bus = new LocalEventBus('hotline-bus', () => NOW, [
      {
        name: 'Closed',
        pattern: { 'detail-type': ['WorkOrder Closed'] },
        deliver: async (e) => delivered.push(e.detail),
      },
      {
        name: 'Broken',
        pattern: { source: ['hotline.work-orders'] },
        deliver: async () => Promise.reject(new Error('boom')),
      },
    ]);

    // Act
    bus.putEvents([
      {
        EventBusName: 'hotline-bus',
        Source: 'hotline.work-orders',
        DetailType: 'WorkOrder Closed',
        Detail: '{"orderId":"o1"}',
      },
      { EventBusName: 'hotline-bus', Source: 'elsewhere', DetailType: 'Other', Detail: '{}' },
    ]);
    await bus.drain();

    // Assess
    expect(delivered).toEqual([{ orderId: 'o1' }]);
    expect(bus.deadLettered()).toEqual([
      expect.objectContaining({ rule: 'Broken', error: 'Error: boom', attempts: 3 }),
    ]);
  });
});
