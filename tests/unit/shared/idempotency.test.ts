import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { beforeAll, describe, expect, it } from 'vitest';
import { HotlineError } from '#domain/errors.ts';
import { sha256 } from '#shared/platform/http.ts';
import { CorruptRowError } from '#shared/stores/rows.ts';
import { apiEvent } from '../handlers/support.ts';
import { cancelled, mockedTable, rejectionOf, TABLE } from '../stores/support.ts';

/**
 * Idempotency claims in the table: the key and condition of each kind of claim, how a transaction
 * that failed on its claim is answered, and the claim read back checked (a corrupt claim is a
 * CorruptRowError, never a replay of something else).
 */
const ddb = mockedTable();

type Module = typeof import('../../../functions/shared/platform/idempotency.ts');
let idem: Module;
beforeAll(async () => {
  idem = await import('../../../functions/shared/platform/idempotency.ts');
});

const NOW = Date.parse('2026-12-03T02:00:00.000Z');
const NOW_S = NOW / 1000;
const ORDER = 'WO01KBAAAAAAAAAAAAAAAAAAAAAA';
const event = apiEvent({ headers: { 'idempotency-key': 'key-1' } });
const request = { action: 'accept' };
const claimWithOrder = () =>
  idem.claimOf(event, { caller: 'u1', place: { withOrder: ORDER, name: 'accept' }, request, nowMs: NOW });
const claimOnItsOwn = () =>
  idem.claimOf(event, { caller: 'u1', place: { name: 'create' }, request, nowMs: NOW });
const hashed = (name: string) => sha256(['u1', name, 'key-1'].join('\n'));

describe('claimOf and claimPut', () => {
  it('keeps an action’s claim with its order, put only where none is', () => {
    const claim = claimWithOrder();
    if (!claim) throw new Error('a claim');
    expect(idem.claimPut(claim, { status: 200 })).toEqual({
      Put: {
        TableName: TABLE,
        Item: {
          pk: `ORDER#${ORDER}`,
          sk: `ACTION#${hashed('accept')}`,
          type: 'actionClaim',
          requestHash: sha256(JSON.stringify(request)),
          status: 200,
        },
        ConditionExpression: 'attribute_not_exists(pk)',
      },
    });
  });

  it('keeps any other claim on its own for a day, put where none is or where it expired', () => {
    const claim = claimOnItsOwn();
    if (!claim) throw new Error('a claim');
    expect(idem.claimPut(claim, { status: 201 })).toEqual({
      Put: {
        TableName: TABLE,
        Item: {
          pk: `IDEMPOTENCY#${hashed('create')}`,
          sk: '#IDEMPOTENCY',
          type: 'idempotency',
          status: 201,
          requestHash: sha256(JSON.stringify(request)),
          expiresAt: NOW_S + idem.IDEMPOTENCY_TTL_SECONDS,
        },
        ConditionExpression: 'attribute_not_exists(pk) OR expiresAt < :now',
        ExpressionAttributeValues: { ':now': NOW_S },
      },
    });
  });

  it('makes no claim without an Idempotency-Key', () => {
    expect(idem.claimOf(apiEvent(), { caller: 'u1', place: {}, request, nowMs: NOW })).toBeUndefined();
  });
});

describe('idempotent', () => {
  const claim = () => {
    const c = claimOnItsOwn();
    if (!c) throw new Error('a claim');
    return c;
  };
  const stored = (changes: Record<string, unknown> = {}) => ({
    Item: {
      ...claim().key,
      type: 'idempotency',
      status: 201,
      orderId: 'WO1',
      requestHash: claim().requestHash,
      expiresAt: NOW_S + 10,
      ...changes,
    },
  });
  const run = (c = claim()) =>
    idem.idempotent<unknown, string>(c, {
      load: async () => 'state',
      act: async () => 'acted',
      replay: async (result) => result,
    });

  it('reads the claim by its key, consistently, after the load, and replays what it recorded', async () => {
    ddb.on(GetCommand).resolves(stored());
    expect(await run()).toEqual({ status: 201, orderId: 'WO1' });
    expect(ddb.commandCalls(GetCommand)[0]?.args[0].input).toEqual({
      TableName: TABLE,
      Key: claim().key,
      ConsistentRead: true,
    });
  });

  it('acts when the claim expired, and refuses the same key with another request (422)', async () => {
    ddb.on(GetCommand).resolves(stored({ expiresAt: NOW_S - 1 }));
    expect(await run()).toBe('acted');
    ddb.on(GetCommand).resolves(stored({ requestHash: 'other' }));
    expect(await rejectionOf(run())).toMatchObject({ code: 'IDEMPOTENCY_KEY_REUSED', kind: 'unprocessable' });
  });

  it('answers a transaction that failed on its taken claim from the claim; a contended one is ClaimContendedError', async () => {
    // Prepare: a route without `load` learns of the duplicate from its transaction
    const failing = (code: string) =>
      idem.idempotent<unknown>(claim(), {
        act: async () => {
          throw cancelled(code, 'None');
        },
        replay: async (result) => result,
      });

    // Act, Assess
    ddb.on(GetCommand).resolves(stored());
    expect(await failing('ConditionalCheckFailed')).toEqual({ status: 201, orderId: 'WO1' });
    ddb.on(GetCommand).resolves({});
    const contended = await rejectionOf(failing('TransactionConflict'));
    expect(contended).toBeInstanceOf(idem.ClaimContendedError);
    expect(contended).toBeInstanceOf(HotlineError);
  });

  it.each<[string, Record<string, unknown>]>([
    ['a request hash that is a number', { requestHash: 42 }],
    ['no request hash', { requestHash: undefined }],
    ['an expiry that is a string', { expiresAt: String(NOW_S + 10) }],
  ])('rejects a claim with %s as a CorruptRowError naming its key', async (_what, changes) => {
    ddb.on(GetCommand).resolves(stored(changes));
    const error = await rejectionOf(run());
    expect(error).toBeInstanceOf(CorruptRowError);
    expect((error as CorruptRowError).key).toEqual(claim().key);
  });
});
