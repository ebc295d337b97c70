import { GetCommand, QueryCommand, TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import type { DynamoDBRecord, EventBridgeEvent } from 'aws-lambda';
import { beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { type RateCounts, zeroCounts } from '#domain/assessment.ts';
import { sealEvents, type UnsealedEvent } from '#domain/order-events.ts';
import { dispatchedFixture, operator } from '../domain/support.ts';
import { type Item, lambdaContext, mockedAws, storedOrderItems, type TransactItem } from './support.ts';

/**
 * The two ways facts reach the assessment counters: the bus rule's consumer (assess-orders, from the
 * `WorkOrder Closed` event) and the log stream's (assess-from-log, from the order's log). Both apply
 * the same facts by the same ids, so whichever comes first counts and the other changes nothing. The
 * table is a small in-memory fake: transactions write the facts item and add to the counters.
 */
const NOW = Date.parse('2026-12-07T02:00:00.000Z');
const UNIT = 'gov-110101';
const MONTH = '2026-12';
const { ddb } = mockedAws(NOW);

type FromLog = typeof import('../../../functions/events/follow-order-logs.ts')['handler'];
type FromBus = typeof import('../../../functions/events/assess-orders.ts')['handler'];
let fromLog: FromLog;
let fromBus: FromBus;
beforeAll(async () => {
  fromLog = (await import('../../../functions/events/follow-order-logs.ts')).handler;
  fromBus = (await import('../../../functions/events/assess-orders.ts')).handler;
});

let items: Item[] = [];
const counters = new Map<string, RateCounts>();
let transactions = 0;

const keyOf = (i: { pk: unknown; sk: unknown }) => `${String(i.pk)}|${String(i.sk)}`;
beforeEach(() => {
  items = [];
  counters.clear();
  transactions = 0;
  ddb.on(GetCommand).callsFake((input: { Key: { pk: string; sk: string } }) => {
    const item = items.find((i) => keyOf(i) === keyOf(input.Key));
    return Promise.resolve(item ? { Item: structuredClone(item) } : {});
  });
  ddb.on(QueryCommand).callsFake((input: { ExpressionAttributeValues: Record<string, string> }) => {
    const pk = input.ExpressionAttributeValues[':pk'];
    const prefix =
      input.ExpressionAttributeValues[':hash'] ?? input.ExpressionAttributeValues[':prefix'] ?? '';
    const found = items
      .filter((i) => i.pk === pk && i.sk.startsWith(prefix))
      .sort((a, b) => (a.sk < b.sk ? -1 : 1));
    return Promise.resolve({ Items: structuredClone(found), Count: found.length });
  });
  ddb.on(TransactWriteCommand).callsFake((input: { TransactItems: TransactItem[] }) => {
    transactions++;
    for (const t of input.TransactItems) {
      if (t.Put) {
        items = items.filter((i) => keyOf(i) !== keyOf(t.Put?.Item as Item));
        items.push(structuredClone(t.Put.Item) as Item);
      }
      const update = (
        t as {
          Update?: {
            Key: { pk: string; sk: string };
            ExpressionAttributeNames: Record<string, string>;
            ExpressionAttributeValues: Record<string, number>;
          };
        }
      ).Update;
      if (update) {
        const key = `${update.Key.pk.replace('ASSESSMENT#UNIT#', '')}|${update.Key.sk}`;
        const counts: Record<string, number> = { ...(counters.get(key) ?? zeroCounts) };
        for (const [alias, name] of Object.entries(update.ExpressionAttributeNames))
          counts[name] =
            (counts[name] ?? 0) + (update.ExpressionAttributeValues[alias.replace('#c', ':v')] ?? 0);
        counters.set(key, counts as unknown as RateCounts);
      }
    }
    return Promise.resolve({});
  });
});

const orderId = (n: number) => `WO01KBFACTS${String(n).padStart(17, '0')}`;
const at = (minutes: number) => new Date(NOW + minutes * 60_000).toISOString();
const event = (type: string, minutes: number, data: Record<string, unknown> = {}): UnsealedEvent => ({
  type,
  at: at(minutes),
  actor: operator,
  data,
});

/** An order's items: the order (a real one; assessment reads its id and unit) and its sealed log. */
const storeOrder = (n: number, log: UnsealedEvent[]) => {
  const id = orderId(n);
  const sealed = sealEvents(id, undefined, log);
  const head = sealed.at(-1);
  items.push(
    ...storedOrderItems(
      { ...dispatchedFixture(), id, unitId: UNIT, version: sealed.length },
      { lastEvent: { seq: head?.seq ?? 0, hash: head?.hash ?? '' } },
    ),
    ...sealed.map((e) => ({
      pk: `ORDER#${id}`,
      sk: `EVENT#${String(e.seq).padStart(10, '0')}`,
      type: 'event',
      event: e,
    })),
  );
  return { id, sealed };
};

/** A first round: dispatched to the unit, closed as handled, the call-back answered "basically". */
const firstRound = [
  event('received', 0),
  event('dispatched', 5, { unitId: UNIT }),
  event('closed', 600, { outcome: 'handled' }),
  event('callback_answered', 1500, {
    round: 1,
    contactedInTime: true,
    solved: 'solved',
    satisfied: 'basically',
  }),
];

/** The stream record of the INSERT of the order's event `seq` (a closing, when the order has no such event). */
const recordOf = (id: string, seq: number, n: number): DynamoDBRecord => {
  const sk = `EVENT#${String(seq).padStart(10, '0')}`;
  const stored = items.find((i) => i.pk === `ORDER#${id}` && i.sk === sk)?.event as
    | { type: string }
    | undefined;
  return {
    eventID: `e-${n}`,
    eventName: 'INSERT',
    eventSource: 'aws:dynamodb',
    dynamodb: {
      Keys: { pk: { S: `ORDER#${id}` }, sk: { S: sk } },
      NewImage: { type: { S: 'event' }, event: { M: { type: { S: stored?.type ?? 'closed' } } } },
      SequenceNumber: String(1000 + n),
      StreamViewType: 'NEW_AND_OLD_IMAGES',
    },
  };
};

const closedEvent = (detail: Record<string, unknown>) =>
  ({ 'detail-type': 'WorkOrder Closed', detail }) as unknown as EventBridgeEvent<'WorkOrder Closed', unknown>;

const appliedOf = (id: string) =>
  (items.find((i) => i.pk === `ASSESSMENT#ORDER#${id}`)?.applied as string[] | undefined) ?? [];

describe('FollowOrderLogs (follow-order-logs), events that give assessment facts', () => {
  it('counts an order its log says was closed and answered, though no other path applied a fact', async () => {
    // Prepare
    const { id } = storeOrder(1, firstRound);

    // Act: the stream names the order twice (its closing and its answer)
    const result = await fromLog(
      { Records: [recordOf(id, 3, 1), recordOf(id, 4, 2)] },
      lambdaContext('assess'),
    );

    // Assess: one order assessed; its four facts (closing: unit and contact; answer: answer and contact)
    expect(result).toEqual({ batchItemFailures: [] });
    expect(appliedOf(id).sort()).toEqual(
      [
        `${id}#callback@r1#answer`,
        `${id}#callback@r1#contact`,
        `${id}#closed@${at(600)}#contact`,
        `${id}#closed@${at(600)}#unit`,
      ].sort(),
    );
    expect(counters.get(`${UNIT}|${MONTH}`)).toMatchObject({
      assessed: 1,
      respondedInTime: 1,
      answered: 1,
      solved: 1,
      basicallySatisfied: 1,
      satisfied: 0,
    });
  });

  it('changes nothing when the facts were applied already, however often the stream repeats', async () => {
    // Prepare: the log assessed once
    const { id } = storeOrder(2, firstRound);
    await fromLog({ Records: [recordOf(id, 4, 1)] }, lambdaContext('assess'));
    const before = { counters: structuredClone(counters.get(`${UNIT}|${MONTH}`)), transactions };

    // Act: the same records twice more
    await fromLog({ Records: [recordOf(id, 3, 2), recordOf(id, 4, 3)] }, lambdaContext('assess'));
    await fromLog({ Records: [recordOf(id, 4, 4)] }, lambdaContext('assess'));

    // Assess
    expect(transactions).toBe(before.transactions);
    expect(counters.get(`${UNIT}|${MONTH}`)).toEqual(before.counters);
  });

  it('applies only what the bus path missed: the closing counted by the bus, the answer by the log', async () => {
    // Prepare: the bus consumer counted the closing; the answer's own application failed
    const { id } = storeOrder(3, firstRound);
    await fromBus(
      closedEvent({ orderId: id, round: 1, unitId: UNIT, outcome: 'handled', flags: [], closedAt: at(600) }),
      lambdaContext('assess-orders'),
    );
    const afterBus = transactions;

    // Act
    await fromLog({ Records: [recordOf(id, 4, 1)] }, lambdaContext('assess'));

    // Assess: two more transactions (the answer's two facts), one order counted once
    expect(afterBus).toBe(2);
    expect(transactions).toBe(4);
    expect(counters.get(`${UNIT}|${MONTH}`)).toMatchObject({ assessed: 1, respondedInTime: 1, answered: 1 });
  });

  it('returns the records of an order whose facts could not be read, and assesses the others', async () => {
    // Prepare: order 5's facts item cannot be read
    const ok = storeOrder(4, firstRound);
    const broken = storeOrder(5, firstRound);
    ddb
      .on(GetCommand, { Key: { pk: `ASSESSMENT#ORDER#${broken.id}`, sk: '#FACTS' } })
      .rejects(Object.assign(new Error('Internal server error'), { name: 'InternalServerError' }));
    const records = [recordOf(ok.id, 4, 1), recordOf(broken.id, 3, 2), recordOf(broken.id, 4, 3)];

    // Act
    const result = await fromLog({ Records: records }, lambdaContext('assess'));

    // Assess
    expect(result).toEqual({
      batchItemFailures: [{ itemIdentifier: '1002' }, { itemIdentifier: '1003' }],
    });
    expect(appliedOf(ok.id)).toHaveLength(4);
    expect(appliedOf(broken.id)).toEqual([]);
  });

  it('counts nothing for an order that does not exist', async () => {
    const result = await fromLog({ Records: [recordOf(orderId(9), 3, 1)] }, lambdaContext('assess'));
    expect(result).toEqual({ batchItemFailures: [] });
    expect(transactions).toBe(0);
  });
});

describe('assessOrders (assess-orders), the bus path', () => {
  it('gives a reopened order closed in round 2 no second contact fact, as its log does not', async () => {
    // Prepare: round 1 closed and reopened; round 2 closed
    const { id } = storeOrder(6, [
      ...firstRound.slice(0, 3),
      event('reopened', 1500, { round: 2 }),
      event('closed', 2000, { outcome: 'handled' }),
    ]);

    // Act: the bus hears the second closing (the detail carries its round)
    await fromBus(
      closedEvent({ orderId: id, round: 2, unitId: UNIT, outcome: 'handled', flags: [], closedAt: at(2000) }),
      lambdaContext('assess-orders'),
    );
    const fromTheBus = appliedOf(id);
    await fromLog({ Records: [recordOf(id, 5, 1)] }, lambdaContext('assess'));

    // Assess: the bus applied only the unit fact of round 2; the log added round 1's closing facts
    expect(fromTheBus).toEqual([`${id}#closed@${at(2000)}#unit`]);
    expect(appliedOf(id).sort()).toEqual(
      [
        `${id}#closed@${at(2000)}#unit`,
        `${id}#closed@${at(600)}#contact`,
        `${id}#closed@${at(600)}#unit`,
      ].sort(),
    );
  });
});
