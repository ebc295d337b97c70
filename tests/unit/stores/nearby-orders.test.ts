import { QueryCommand, type QueryCommandInput } from '@aws-sdk/lib-dynamodb';
import { beforeAll, describe, expect, it } from 'vitest';
import { duplicateSearchAt, type Place, placeCellOf } from '#domain/possible-duplicates.ts';
import type { WorkOrder } from '#domain/work-order.ts';
import { CorruptRowError } from '#shared/stores/rows.ts';
import { dispatchedFixture, orderIn } from '../domain/support.ts';
import { mockedTable, rejectionOf, TABLE } from './support.ts';

/**
 * The byPlace index: the attributes the order store writes for it, the key condition of each cell's
 * query, and the candidates read back checked (a candidate with a wrong shape is a CorruptRowError).
 */
const ddb = mockedTable();

type Store = typeof import('../../../functions/shared/stores/nearby-orders.ts');
let store: Store;
beforeAll(async () => {
  store = await import('../../../functions/shared/stores/nearby-orders.ts');
});

const NOW = Date.parse('2026-12-10T02:00:00.000Z');
const HERE: Place = { lat: 39.9145, long: 116.4034 };
const at = (o: WorkOrder, place: Place): WorkOrder => ({ ...o, location: { ...o.location, ...place } });
const candidate = {
  id: 'WO01KBNEARBY0000000000000001',
  categoryCode: '010201',
  receivedAt: '2026-12-09T02:00:00.000Z',
  status: 'accepted',
  title: '小区门口流动摊贩占道经营',
  lat: HERE.lat,
  long: HERE.long + 0.0005,
};
const search = () =>
  duplicateSearchAt(
    { orderId: 'WO01KBSEARCH0000000000000001', categoryCode: '010201', place: HERE },
    store.duplicateRules,
    NOW,
  );
/** Serves `items` to the query of the search's own cell, nothing to its neighbours. */
const serveOwnCell = (...items: Record<string, unknown>[]) =>
  ddb.on(QueryCommand).callsFake((input: QueryCommandInput) =>
    Promise.resolve({
      Items: input.ExpressionAttributeValues?.[':cell'] === `PLACE#${placeCellOf(HERE)}` ? items : [],
    }),
  );

describe('placeIndexAttributes', () => {
  it('gives an open order with coordinates its cell, category-time key and candidate', () => {
    const order = at(dispatchedFixture(), HERE);
    expect(store.placeIndexAttributes(order)).toEqual({
      gsi4pk: `PLACE#${placeCellOf(HERE)}`,
      gsi4sk: `${order.categoryCode}#${order.receivedAt}#${order.id}`,
      duplicateCandidate: expect.objectContaining({ id: order.id, status: 'dispatched', ...HERE }),
    });
  });

  it('gives a closed order, or one without coordinates, none (out of the sparse index)', () => {
    expect(store.placeIndexAttributes(at(orderIn('closed'), HERE))).toEqual({});
    expect(store.placeIndexAttributes(dispatchedFixture())).toEqual({});
  });
});

describe('searchPossibleDuplicates', () => {
  it('queries byPlace once per cell, bounded to the category and the window, projecting the candidate', async () => {
    // Prepare
    serveOwnCell();
    const s = search();

    // Act
    await store.searchPossibleDuplicates(s);

    // Assess
    const inputs = ddb.commandCalls(QueryCommand).map((c) => c.args[0].input);
    expect(inputs).toHaveLength(7);
    expect(inputs.map((i) => i.ExpressionAttributeValues?.[':cell'])).toEqual(
      s.cells.map((c) => `PLACE#${c}`),
    );
    expect(inputs[0]).toEqual({
      TableName: TABLE,
      IndexName: 'byPlace',
      KeyConditionExpression: 'gsi4pk = :cell AND gsi4sk BETWEEN :from AND :to',
      ExpressionAttributeValues: {
        ':cell': `PLACE#${s.cells[0]}`,
        ':from': `010201#${s.receivedFrom}`,
        ':to': '010201#~',
      },
      ProjectionExpression: 'duplicateCandidate',
      ScanIndexForward: false,
      Limit: store.duplicateRules.readsPerCell,
    });
  });

  it('ranks the candidates read, one with an attribute the schema does not list included', async () => {
    serveOwnCell({ duplicateCandidate: { ...candidate, source: 'open311' } }, {});
    expect(await store.searchPossibleDuplicates(search())).toEqual([
      {
        id: candidate.id,
        distanceMeters: expect.any(Number),
        receivedAt: candidate.receivedAt,
        status: 'accepted',
        categoryCode: '010201',
        title: candidate.title,
      },
    ]);
  });

  it.each<[string, Record<string, unknown>]>([
    ['an unknown status', { ...candidate, status: 'lost' }],
    ['a latitude that is a string', { ...candidate, lat: String(HERE.lat) }],
    ['no id', { ...candidate, id: undefined }],
  ])('rejects a candidate with %s as a CorruptRowError naming its index and cell', async (_what, c) => {
    serveOwnCell({ duplicateCandidate: c });
    const error = await rejectionOf(store.searchPossibleDuplicates(search()));
    expect(error).toBeInstanceOf(CorruptRowError);
    expect((error as CorruptRowError).key).toEqual({
      index: 'byPlace',
      gsi4pk: `PLACE#${placeCellOf(HERE)}`,
    });
  });

  it('answers a viewer null, not an error, when a candidate read is corrupt (intake never depends on it)', async () => {
    serveOwnCell({ duplicateCandidate: { ...candidate, status: 'lost' } });
    const order = at(dispatchedFixture(), HERE);
    expect(await store.possibleDuplicatesField(order, { role: 'operator' }, NOW)).toEqual({
      possibleDuplicates: null,
    });
  });
});
