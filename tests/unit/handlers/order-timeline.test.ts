import { QueryCommand } from '@aws-sdk/lib-dynamodb';
import { beforeAll, describe, expect, it } from 'vitest';
import { sealEvents } from '#domain/order-events.ts';
import type { WorkOrder } from '#domain/work-order.ts';
import workOrderJson from '../fixtures/work-order.json' with { type: 'json' };
import { apiEvent, bodyOf, lambdaContext, mockedAws, storedOrderItems } from './support.ts';

const context = lambdaContext('order-timeline');
const { ddb } = mockedAws();

let handler: typeof import('../../../functions/api/order-timeline.ts')['handler'];

beforeAll(async () => {
  ({ handler } = await import('../../../functions/api/order-timeline.ts'));
});

const order = structuredClone(workOrderJson) as unknown as WorkOrder;
const actor = { kind: 'system', name: 'workflow' } as const;
const events = sealEvents(order.id, undefined, [
  { type: 'received', at: '2026-12-01T01:00:00.000Z', actor, data: {} },
  { type: 'dispatched', at: '2026-12-01T01:05:00.000Z', actor, data: {} },
  { type: 'flag_raised', at: '2026-12-01T02:00:00.000Z', actor, data: {} },
]);
const headAt = (seq: number) => ({ seq, hash: events[seq - 1]?.hash ?? '' });
const eventItems = events.map((e) => ({
  pk: `ORDER#${order.id}`,
  sk: `EVENT#${String(e.seq).padStart(10, '0')}`,
  type: 'event',
  event: e,
}));

/** The order's head as each read finds it, then the events (all three, committed meanwhile). */
const serveRace = (heads: readonly number[]) => {
  let reads = 0;
  ddb.on(QueryCommand).callsFake((input: { ExpressionAttributeValues: Record<string, string> }) => {
    if (input.ExpressionAttributeValues[':prefix'] === 'EVENT#')
      return Promise.resolve({ Items: eventItems });
    const seq = heads[Math.min(reads++, heads.length - 1)] ?? 0;
    return Promise.resolve({ Items: storedOrderItems(order, { lastEvent: headAt(seq) }) });
  });
};

const timelineEvent = () =>
  apiEvent({
    routeKey: 'GET /orders/{id}/timeline',
    pathParameters: { id: order.id },
    claims: { sub: 'auditor-1', role: 'auditor' },
  });

describe('GET /orders/{id}/timeline?verify=true (order-timeline)', () => {
  it('verifies a log that a change extended between the reads of the order and of its events', async () => {
    // Prepare: the order read before event 3 was committed, the events after
    serveRace([2, 3]);
    const event = { ...timelineEvent(), queryStringParameters: { verify: 'true' } };

    // Act
    const result = await handler(event, context);

    // Assess
    expect(result.statusCode).toBe(200);
    expect(bodyOf(result).verification).toEqual({ valid: true, count: 3 });
  });

  it('reports a log still ahead of the head after its tries: events the head does not vouch for', async () => {
    // Prepare: the order's head never reaches event 3
    serveRace([2]);
    const event = { ...timelineEvent(), queryStringParameters: { verify: 'true' } };

    // Act
    const result = await handler(event, context);

    // Assess
    expect(bodyOf(result).verification).toEqual({
      valid: false,
      count: 3,
      brokenAt: 2,
      reason: 'events missing at the end',
    });
  });
});
