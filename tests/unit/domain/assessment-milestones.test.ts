import { describe, expect, it } from 'vitest';
import { assessmentEventsOf } from '#domain/analytics-projection.ts';
import { type OrderEvent, sealEvents } from '#domain/order-events.ts';
import { pushedEventTypes } from '#domain/pushed-events.ts';
import { referenceData } from '#shared/platform/reference.ts';
import { assessmentMilestones, streamTriggers } from '#wiring/wiring.ts';
import { operator } from './support.ts';

/**
 * The stream trigger FollowOrderLogs wakes only for the events listed in `assessmentMilestones`: those
 * must be exactly the events the log's assessment facts come from, or a fact would wait for an event
 * that does not wake it (and the counters would lag the log).
 */
const ID = 'WO01KBMILESTONES0000000000001';
const UNIT = 'gov-110101';

const log = (...events: [type: string, data?: Record<string, unknown>][]): OrderEvent[] =>
  sealEvents(
    ID,
    undefined,
    events.map(([type, data], i) => ({
      type,
      at: new Date(Date.parse('2026-12-07T02:00:00Z') + i * 60_000).toISOString(),
      actor: operator,
      data: data ?? {},
    })),
  );

/** One event of every kind a handled, reopened, excluded and called-back order's log holds. */
const everything: [string, Record<string, unknown>?][] = [
  ['received'],
  ['dispatched', { unitId: UNIT }],
  ['accepted'],
  ['deadline_missed', { flag: 'reply_overdue' }],
  ['reminder'],
  ['supervision', { flag: 'supervised' }],
  ['replied', { result: 'solved' }],
  ['closed', { outcome: 'handled' }],
  ['callback_scheduled', { round: 1 }],
  ['callback_attempt', { round: 1 }],
  ['callback_answered', { round: 1, contactedInTime: true, solved: 'not', satisfied: 'not' }],
  ['reopened', { round: 2 }],
  ['redispatched', { unitId: UNIT }],
  ['closed', { outcome: 'handled' }],
  ['callback_unreachable', { round: 2 }],
  ['assessment_excluded', { reason: 'unreasonable_demand' }],
  ['assessment_appeal_upheld', { reason: 'duplicate' }],
];

const order = { id: ID, unitId: UNIT };
const milestones = new Set<string>(assessmentMilestones);

describe('assessmentMilestones, the events that wake the assessment of a log', () => {
  it('are the only events facts come from: without them a full log gives none', () => {
    const all = assessmentEventsOf(order, log(...everything), referenceData);
    const without = assessmentEventsOf(
      order,
      log(...everything.filter(([type]) => !milestones.has(type))),
      referenceData,
    );
    expect(all.length).toBeGreaterThan(0);
    expect(without).toEqual([]);
  });

  it.each([...assessmentMilestones])('each gives a fact of its own: %s', (type) => {
    const data = everything.find(([t]) => t === type)?.[1];
    const base: [string, Record<string, unknown>?][] = [['received'], ['dispatched', { unitId: UNIT }]];
    const facts = assessmentEventsOf(order, log(...base, [type, data]), referenceData);
    expect(facts.length, type).toBeGreaterThan(0);
  });

  it('are what the FollowOrderLogs trigger filters on, besides received orders, due call-backs and pushed events', () => {
    const filter = streamTriggers.FollowOrderLogs?.filter as {
      dynamodb: { NewImage: { event: { M: { type: { S: string[] } } } } };
    };
    expect(filter.dynamodb.NewImage.event.M.type.S).toEqual([
      ...new Set(['received', 'callback_due', ...assessmentMilestones, ...pushedEventTypes]),
    ]);
  });
});
