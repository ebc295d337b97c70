import { GetCommand, QueryCommand, TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import { beforeAll, describe, expect, it } from 'vitest';
import type { CatalogueEdit } from '#domain/dispatch-catalogue.ts';
import { ConcurrentUpdateError } from '#domain/errors.ts';
import type { ClaimPut } from '#shared/platform/idempotency.ts';
import { referenceData } from '#shared/platform/reference.ts';
import { CorruptRowError } from '#shared/stores/rows.ts';
import { cancelled, mockedTable, rejectionOf, TABLE } from './support.ts';

/**
 * The catalogue store's side of the table: the version read on every dispatch, the edits read when it
 * moved, an edit saved only over the version it was decided on, and the rows read back checked. The
 * store caches the catalogue per container, so these tests move the version forward, never back.
 */
const ddb = mockedTable();

type Store = typeof import('../../../functions/shared/stores/catalogue-store.ts');
let store: Store;
beforeAll(async () => {
  store = await import('../../../functions/shared/stores/catalogue-store.ts');
});

const VERSION_KEY = { pk: 'CATALOGUE', sk: '#VERSION' };
const base = referenceData.catalogue[0];
if (!base) throw new Error('the bundled catalogue has lines');
const edit: CatalogueEdit = { ...base, leadUnitId: 'dept-cgzfj', coUnitIds: [] };
const editRow = (e: unknown) => ({
  pk: 'CATALOGUE',
  sk: `LINE#${base.categoryCode}|${base.areaCode}`,
  type: 'catalogueEdit',
  edit: e,
  at: '2026-12-01T00:00:00.000Z',
});
const serve = (version: number | string | undefined, edits: unknown[] = []) => {
  ddb.on(GetCommand).resolves(version === undefined ? {} : { Item: { ...VERSION_KEY, version } });
  ddb.on(QueryCommand).resolves({ Items: edits.map(editRow) });
};

describe('currentCatalogue', () => {
  it('reads the version consistently and, while it has not moved from the bundled one, no edits', async () => {
    serve(undefined);
    expect(await store.currentCatalogue()).toEqual({ version: 0, data: referenceData });
    expect(ddb.commandCalls(GetCommand)[0]?.args[0].input).toEqual({
      TableName: TABLE,
      Key: VERSION_KEY,
      ConsistentRead: true,
    });
    expect(ddb.commandCalls(QueryCommand)).toHaveLength(0);
  });

  it('reloads the edits (the LINE# items of the CATALOGUE partition) once the version moved', async () => {
    // Prepare
    serve(1, [edit]);

    // Act
    const { version, data } = await store.currentCatalogue();

    // Assess
    expect(version).toBe(1);
    expect(data.catalogueEntry(base.categoryCode, base.areaCode)).toEqual(edit);
    expect(ddb.commandCalls(QueryCommand)[0]?.args[0].input).toMatchObject({
      TableName: TABLE,
      KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
      ExpressionAttributeValues: { ':pk': 'CATALOGUE', ':prefix': 'LINE#' },
      ConsistentRead: true,
    });
  });

  it('keeps an attribute of an edit the schema does not list', async () => {
    serve(2, [{ ...edit, reviewedBy: 'supervisor-1' }]);
    const { data } = await store.currentCatalogue();
    expect(data.catalogueEntry(base.categoryCode, base.areaCode)).toEqual({
      ...edit,
      reviewedBy: 'supervisor-1',
    });
  });

  it('rejects a version that is not a whole number as a CorruptRowError naming its key', async () => {
    serve('3');
    const error = await rejectionOf(store.currentCatalogue());
    expect(error).toBeInstanceOf(CorruptRowError);
    expect((error as CorruptRowError).key).toEqual(VERSION_KEY);
  });

  it.each<[string, unknown]>([
    ['co-handlers that are not a list', { ...edit, coUnitIds: 'dept-x' }],
    ['no lead unit', { ...edit, leadUnitId: undefined }],
    ['no edit at all', undefined],
  ])('rejects an edit with %s as a CorruptRowError naming its key', async (_what, e) => {
    serve(4, [e]);
    const error = await rejectionOf(store.currentCatalogue());
    expect(error).toBeInstanceOf(CorruptRowError);
    expect((error as CorruptRowError).key).toEqual({
      pk: 'CATALOGUE',
      sk: `LINE#${base.categoryCode}|${base.areaCode}`,
    });
  });
});

describe('saveCatalogueEdit', () => {
  const actor = { kind: 'person', sub: 'supervisor-1', role: 'supervisor' } as const;
  const NOW = Date.parse('2026-12-03T02:00:00.000Z');
  const at = '2026-12-03T02:00:00.000Z';
  const line = `${edit.categoryCode}|${edit.areaCode}`;
  const claim: ClaimPut = {
    Put: {
      TableName: TABLE,
      Item: { pk: 'IDEMPOTENCY#x', sk: '#IDEMPOTENCY', type: 'idempotency', requestHash: 'h', expiresAt: 1 },
      ConditionExpression: 'attribute_not_exists(pk) OR expiresAt < :now',
      ExpressionAttributeValues: { ':now': 0 },
    },
  };

  it('writes the version over the one decided on, the line and its log entry, after the claim', async () => {
    // Prepare
    ddb.on(TransactWriteCommand).resolves({});

    // Act
    const version = await store.saveCatalogueEdit(edit, actor, NOW, 6, () => claim);

    // Assess
    expect(version).toBe(7);
    expect(ddb.commandCalls(TransactWriteCommand)[0]?.args[0].input.TransactItems).toEqual([
      claim,
      {
        Put: {
          TableName: TABLE,
          Item: { ...VERSION_KEY, type: 'catalogueVersion', version: 7, updatedAt: at },
          ConditionExpression: 'attribute_exists(pk) AND version = :previous',
          ExpressionAttributeValues: { ':previous': 6 },
        },
      },
      {
        Put: {
          TableName: TABLE,
          Item: { pk: 'CATALOGUE', sk: `LINE#${line}`, type: 'catalogueEdit', edit, at },
        },
      },
      {
        Put: {
          TableName: TABLE,
          Item: {
            pk: 'CATALOGUE#LOG',
            sk: `${at}#${line}#7`,
            type: 'catalogueChange',
            edit,
            actor,
            at,
            version: 7,
          },
        },
      },
    ]);
  });

  it('writes the first version only where none is', async () => {
    ddb.on(TransactWriteCommand).resolves({});
    await store.saveCatalogueEdit(edit, actor, NOW, 0);
    const [first] = ddb.commandCalls(TransactWriteCommand)[0]?.args[0].input.TransactItems ?? [];
    expect(first?.Put).toMatchObject({
      Item: { version: 1 },
      ConditionExpression: 'attribute_not_exists(pk)',
    });
    expect(first?.Put).not.toHaveProperty('ExpressionAttributeValues');
  });

  it.each([['ConditionalCheckFailed'], ['TransactionConflict']])(
    'rejects a race lost as %s with CatalogueChangedError, a ConcurrentUpdateError',
    async (code) => {
      ddb.on(TransactWriteCommand).rejects(cancelled('None', code, 'None', 'None'));
      const error = await rejectionOf(store.saveCatalogueEdit(edit, actor, NOW, 6, () => claim));
      expect(error).toBeInstanceOf(store.CatalogueChangedError);
      expect(error).toBeInstanceOf(ConcurrentUpdateError);
      expect((error as Error).message).toMatch(/version 6/);
    },
  );

  it('passes on a cancellation for another reason as it is', async () => {
    const other = cancelled('ValidationError', 'None', 'None');
    ddb.on(TransactWriteCommand).rejects(other);
    expect(await rejectionOf(store.saveCatalogueEdit(edit, actor, NOW, 6))).toBe(other);
  });
});
