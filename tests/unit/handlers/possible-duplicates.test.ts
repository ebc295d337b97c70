import { StartExecutionCommand } from '@aws-sdk/client-sfn';
import { QueryCommand, type QueryCommandInput, TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import { beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { cellsToSearch, EARTH_RADIUS_METERS, type Place, placeCellOf } from '#domain/possible-duplicates.ts';
import type { WorkOrder } from '#domain/work-order.ts';
import newOrderJson from '../fixtures/new-order.json' with { type: 'json' };
import workOrderJson from '../fixtures/work-order.json' with { type: 'json' };
import {
  apiEvent,
  bodyOf,
  lambdaContext,
  mockedAws,
  putWithSk,
  serveReads,
  storedOrderItems,
  TABLE,
  transactItems,
} from './support.ts';

/**
 * Possible duplicates in POST /orders and GET /orders/{id}, and the sparse byPlace index entries the
 * order store writes for them. The index is simulated from the entries the store itself computes, with
 * DynamoDB's key-condition semantics, so the keys written and the keys queried must agree.
 */
const NOW = Date.parse('2026-12-10T02:00:00.000Z');
const DAY = 24 * 60 * 60 * 1000;
const { ddb, sfn } = mockedAws(NOW);

let createOrder: typeof import('../../../functions/api/create-order.ts')['handler'];
let getOrder: typeof import('../../../functions/api/get-order.ts')['handler'];
let placeIndexAttributes: typeof import('../../../functions/shared/stores/nearby-orders.ts')['placeIndexAttributes'];
let saveChange: typeof import('../../../functions/shared/stores/order-store.ts')['saveChange'];

beforeAll(async () => {
  ({ handler: createOrder } = await import('../../../functions/api/create-order.ts'));
  ({ handler: getOrder } = await import('../../../functions/api/get-order.ts'));
  ({ placeIndexAttributes } = await import('../../../functions/shared/stores/nearby-orders.ts'));
  ({ saveChange } = await import('../../../functions/shared/stores/order-store.ts'));
});

/** 东华门大街; a point `meters` east of it. */
const HERE: Place = { lat: 39.9145, long: 116.4034 };
const east = (meters: number): Place => ({
  lat: HERE.lat,
  long: HERE.long + ((meters / EARTH_RADIUS_METERS) * (180 / Math.PI)) / Math.cos((HERE.lat * Math.PI) / 180),
});

/** A stored open order (the fixture is dispatched, category 010201) at a place. */
const orderAt = (id: string, place: Place | undefined, changes: Partial<WorkOrder> = {}): WorkOrder => {
  const fixture = structuredClone(workOrderJson) as unknown as WorkOrder;
  return {
    ...fixture,
    id,
    receivedAt: new Date(NOW - DAY).toISOString(),
    location: { ...fixture.location, ...place },
    ...changes,
  };
};

type IndexItem = Record<string, unknown> & { gsi4pk: string; gsi4sk: string };

/** The byPlace entries of these orders, as the order store writes them. */
const indexOf = (orders: readonly WorkOrder[]): IndexItem[] =>
  orders.flatMap((o) => {
    const attributes = placeIndexAttributes(o) as Partial<IndexItem>;
    return attributes.gsi4pk ? [{ pk: `ORDER#${o.id}`, sk: '#ORDER', ...attributes } as IndexItem] : [];
  });

/** Answers Queries on byPlace from `items`: partition key equal, sort key BETWEEN, newest first, Limit. */
const serveIndex = (items: readonly IndexItem[]): void => {
  ddb.on(QueryCommand, { IndexName: 'byPlace' }).callsFake((input: QueryCommandInput) => {
    const values = input.ExpressionAttributeValues ?? {};
    const found = items
      .filter(
        (i) =>
          i.gsi4pk === values[':cell'] &&
          i.gsi4sk >= String(values[':from']) &&
          i.gsi4sk <= String(values[':to']),
      )
      .sort((a, b) => (a.gsi4sk < b.gsi4sk ? 1 : -1))
      .slice(0, input.Limit);
    return Promise.resolve({ Items: structuredClone(found), Count: found.length });
  });
};

const indexQueries = (): QueryCommandInput[] =>
  ddb
    .commandCalls(QueryCommand)
    .map((c) => c.args[0].input)
    .filter((input) => input.IndexName === 'byPlace');

const postOrder = (body: Record<string, unknown>) =>
  createOrder(apiEvent({ routeKey: 'POST /orders', body }), lambdaContext('create-order'));

const newOrderAt = (place: Place | undefined, changes: Record<string, unknown> = {}) => {
  const body = structuredClone(newOrderJson) as Record<string, unknown>;
  return { ...body, location: { ...(body.location as object), ...place }, ...changes };
};

const getAs = (id: string, claims: Record<string, string>) =>
  getOrder(
    apiEvent({ routeKey: 'GET /orders/{id}', pathParameters: { id }, claims }),
    lambdaContext('get-order'),
  );

describe('POST /orders with possible duplicates (create-order)', () => {
  beforeEach(() => {
    ddb.on(TransactWriteCommand).resolves({});
    sfn.on(StartExecutionCommand).resolves({ executionArn: 'arn:exec', startDate: new Date(NOW) });
  });

  it('returns 201 listing the open orders of the category within 250 m, nearest first, with distances', async () => {
    // Prepare
    serveIndex(
      indexOf([
        orderAt('WO-AT-200', east(200)),
        orderAt('WO-AT-120', east(120)),
        orderAt('WO-AT-400', east(400)),
        orderAt('WO-OTHER-CATEGORY', east(50), { categoryCode: '010202' }),
        orderAt('WO-OLD', east(60), { receivedAt: new Date(NOW - 31 * DAY).toISOString() }),
      ]),
    );

    // Act
    const result = await postOrder(newOrderAt(HERE));

    // Assess
    expect(result.statusCode).toBe(201);
    expect(bodyOf(result).possibleDuplicates).toEqual([
      {
        id: 'WO-AT-120',
        distanceMeters: 120,
        receivedAt: new Date(NOW - DAY).toISOString(),
        status: 'dispatched',
        categoryCode: '010201',
        title: workOrderJson.description,
      },
      expect.objectContaining({ id: 'WO-AT-200', distanceMeters: 200 }),
    ]);
  });

  it('returns after one bounded Query per cell of the 7, on the category and the 30-day window', async () => {
    // Prepare
    serveIndex([]);

    // Act
    await postOrder(newOrderAt(HERE));

    // Assess
    const queries = indexQueries();
    expect(queries.map((q) => String(q.ExpressionAttributeValues?.[':cell'])).sort()).toEqual(
      cellsToSearch(HERE)
        .map((cell) => `PLACE#${cell}`)
        .sort(),
    );
    for (const query of queries) {
      expect(query).toMatchObject({
        TableName: TABLE,
        KeyConditionExpression: 'gsi4pk = :cell AND gsi4sk BETWEEN :from AND :to',
        ExpressionAttributeValues: {
          ':from': `010201#${new Date(NOW - 30 * DAY).toISOString()}`,
          ':to': '010201#~',
        },
        ScanIndexForward: false,
        Limit: 100,
      });
    }
  });

  it('returns after writing the order with its byPlace keys and a candidate without the requester', async () => {
    // Prepare
    serveIndex([]);

    // Act
    const result = await postOrder(newOrderAt(HERE));

    // Assess
    const id = String(bodyOf(result).id);
    const item = putWithSk(transactItems(ddb), '#ORDER')?.Item;
    expect(item).toMatchObject({
      gsi4pk: `PLACE#${placeCellOf(HERE)}`,
      gsi4sk: `010201#2026-12-10T02:00:00.000Z#${id}`,
      duplicateCandidate: {
        id,
        categoryCode: '010201',
        receivedAt: '2026-12-10T02:00:00.000Z',
        status: 'received',
        title: newOrderJson.description,
        ...HERE,
      },
    });
    expect(JSON.stringify(item?.duplicateCandidate)).not.toMatch(/王女士|13800138000|东华门大街1号/);
  });

  it('returns 201 with possibleDuplicates null when the lookup fails, the order saved and started', async () => {
    // Prepare
    ddb.on(QueryCommand, { IndexName: 'byPlace' }).rejects(new Error('ProvisionedThroughputExceeded'));

    // Act
    const result = await postOrder(newOrderAt(HERE));

    // Assess
    expect(result.statusCode).toBe(201);
    expect(bodyOf(result).possibleDuplicates).toBeNull();
    expect(ddb.commandCalls(TransactWriteCommand)).toHaveLength(1);
    expect(sfn.commandCalls(StartExecutionCommand)).toHaveLength(1);
  });

  it('returns 201 without possibleDuplicates and without index keys for an order without coordinates', async () => {
    // Act
    const result = await postOrder(newOrderAt(undefined));

    // Assess
    expect(result.statusCode).toBe(201);
    expect(bodyOf(result)).not.toHaveProperty('possibleDuplicates');
    expect(indexQueries()).toHaveLength(0);
    expect(putWithSk(transactItems(ddb), '#ORDER')?.Item).not.toHaveProperty('gsi4pk');
  });

  it('returns 201 without possibleDuplicates and without index keys for a disposition', async () => {
    // Act
    const result = await postOrder(newOrderAt(HERE, { disposition: { kind: 'outside_duty' } }));

    // Assess
    expect(result.statusCode).toBe(201);
    expect(bodyOf(result)).toMatchObject({ status: 'closed' });
    expect(bodyOf(result)).not.toHaveProperty('possibleDuplicates');
    expect(indexQueries()).toHaveLength(0);
    expect(putWithSk(transactItems(ddb), '#ORDER')?.Item).not.toHaveProperty('gsi4pk');
  });
});

describe('GET /orders/{id} with possible duplicates (get-order)', () => {
  const order = orderAt('WO-THIS', HERE);

  beforeEach(() => {
    serveReads(ddb, storedOrderItems(order));
    serveIndex(indexOf([order, orderAt('WO-LATER', east(90), { receivedAt: new Date(NOW).toISOString() })]));
  });

  it('returns the order with its possible duplicates to the centre, not listing the order itself', async () => {
    // Act
    const result = await getAs(order.id, { sub: 'op', role: 'operator' });

    // Assess
    expect(result.statusCode).toBe(200);
    expect(bodyOf(result)).toMatchObject({ id: 'WO-THIS', version: order.version });
    expect(bodyOf(result).possibleDuplicates).toEqual([
      expect.objectContaining({ id: 'WO-LATER', distanceMeters: 90 }),
    ]);
  });

  it("returns no possibleDuplicates to a unit's staff and reads no index for them", async () => {
    // Act
    const result = await getAs(order.id, { sub: 'staff', role: 'unit', unit_id: 'st-110101001' });

    // Assess
    expect(result.statusCode).toBe(200);
    expect(bodyOf(result)).not.toHaveProperty('possibleDuplicates');
    expect(indexQueries()).toHaveLength(0);
  });
});

describe('the order store and the byPlace index', () => {
  beforeEach(() => {
    ddb.on(TransactWriteCommand).resolves({});
  });

  it('returns after dropping the byPlace keys when an open order closes', async () => {
    // Prepare
    const open = orderAt('WO-OPEN', HERE);
    const previous = { order: open, lastEvent: { seq: 3, hash: 'h3' } };
    const closed: WorkOrder = { ...open, version: open.version + 1, status: 'closed' };

    // Act
    await saveChange(previous, { order: closed, events: [] });

    // Assess
    const item = putWithSk(transactItems(ddb), '#ORDER')?.Item;
    expect(item).toMatchObject({ status: 'closed', gsi2pk: 'DISTRICT#110101' });
    expect(item).not.toHaveProperty('gsi4pk');
    expect(item).not.toHaveProperty('gsi4sk');
    expect(item).not.toHaveProperty('duplicateCandidate');
  });

  it('returns after keeping the same byPlace entry when a change leaves the status alone', async () => {
    // Prepare
    const open = orderAt('WO-OPEN', HERE);
    const flagged: WorkOrder = { ...open, version: open.version + 1, flags: ['overdue'], updatedAt: 'later' };

    // Act
    await saveChange({ order: open, lastEvent: { seq: 3, hash: 'h3' } }, { order: flagged, events: [] });

    // Assess: nothing projected into byPlace changed, so DynamoDB has no index write to make
    const item = putWithSk(transactItems(ddb), '#ORDER')?.Item;
    expect(item).toMatchObject(placeIndexAttributes(open));
  });
});
