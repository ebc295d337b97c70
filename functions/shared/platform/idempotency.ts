import { TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { ConcurrentUpdateError, HotlineError } from '#domain/errors.ts';
import { canonicalJson } from '#domain/order-events.ts';
import { dynamo } from '#shared/platform/aws-clients.ts';
import { tableName } from '#shared/platform/config.ts';
import { type ApiEvent, idempotencyKeyOf, sha256 } from '#shared/platform/http.ts';
import { claimItemRow, parseRow } from '#shared/stores/rows.ts';

/**
 * `Idempotency-Key`, honoured the same way by every write route: the key is the caller's own (hashed
 * with who calls and which route or action), the request is remembered by a hash of its canonical
 * JSON, and the claim is written in the same transaction as the change it guards, first of its items,
 * on the condition that it does not exist yet — so a crash never separates the two, and of concurrent
 * duplicates exactly one changes anything. A repeat gets the first request's status with
 * `Idempotent-Replayed: true` (and the resource as it is now, or the first answer where the route
 * answers more than a resource); the same key with another request is a 422 IDEMPOTENCY_KEY_REUSED.
 *
 * Where a claim is kept:
 *   with the order it changes  pk ORDER#<id>              sk ACTION#<sha256(caller, name, key)>  as long as the order
 *   on its own, for a day      pk IDEMPOTENCY#<sha256(…)> sk #IDEMPOTENCY                         TTL 24 h
 */
const TABLE = tableName();
export const IDEMPOTENCY_TTL_SECONDS = 24 * 60 * 60;

export type ClaimPlace =
  /** Actions on an order: kept in the order's partition, so a key works as long as the order exists. */
  | { readonly withOrder: string; readonly name: string }
  /** Everything else: its own item, free again after a day (even before TTL deletes it). */
  | { readonly withOrder?: undefined; readonly name?: string };

export interface Claim {
  readonly key: { readonly pk: string; readonly sk: string };
  readonly requestHash: string;
  readonly nowEpochSeconds: number;
  /** Claims kept on their own expire; those kept with an order do not. */
  readonly expiresAt?: number;
}

/** What the first request recorded with its claim, to answer the repeats with. */
export type ClaimResult = Readonly<Record<string, unknown>>;

/** The claim of this request, or undefined without an Idempotency-Key (400 for a malformed one). */
export const claimOf = (
  event: ApiEvent,
  args: { caller: string; place: ClaimPlace; request: unknown; nowMs: number },
): Claim | undefined => {
  const key = idempotencyKeyOf(event);
  return key === undefined ? undefined : claimFor({ ...args, key });
};

/** The claim of a caller's key (checked by `idempotencyKeyOf` or `isIdempotencyKey`). */
export const claimFor = (args: {
  caller: string;
  place: ClaimPlace;
  key: string;
  request: unknown;
  nowMs: number;
}): Claim => {
  const hashed = sha256([args.caller, ...(args.place.name ? [args.place.name] : []), args.key].join('\n'));
  const nowEpochSeconds = Math.floor(args.nowMs / 1000);
  const requestHash = sha256(canonicalJson(args.request));
  return args.place.withOrder !== undefined
    ? { key: { pk: `ORDER#${args.place.withOrder}`, sk: `ACTION#${hashed}` }, requestHash, nowEpochSeconds }
    : {
        key: { pk: `IDEMPOTENCY#${hashed}`, sk: '#IDEMPOTENCY' },
        requestHash,
        nowEpochSeconds,
        expiresAt: nowEpochSeconds + IDEMPOTENCY_TTL_SECONDS,
      };
};

/** What the first request under this claim's key recorded, while the claim is in force. */
export const recordedResult = async (claim: Claim): Promise<ClaimResult | undefined> =>
  (await readClaim(claim))?.result;

/** The claim as the first item of the change's transaction, with what repeats will be answered from. */
export const claimPut = (claim: Claim, result: ClaimResult) => ({
  Put: {
    TableName: TABLE,
    Item:
      claim.expiresAt === undefined
        ? { ...claim.key, type: 'actionClaim', requestHash: claim.requestHash, ...result }
        : {
            ...claim.key,
            type: 'idempotency',
            ...result,
            requestHash: claim.requestHash,
            expiresAt: claim.expiresAt,
          },
    ...(claim.expiresAt === undefined
      ? { ConditionExpression: 'attribute_not_exists(pk)' }
      : {
          // A claim past its expiry is free again, even before TTL deletes it (up to ~48 h later).
          ConditionExpression: 'attribute_not_exists(pk) OR expiresAt < :now',
          ExpressionAttributeValues: { ':now': claim.nowEpochSeconds },
        }),
  },
});
export type ClaimPut = ReturnType<typeof claimPut>;

/** What an earlier request with this claim's key recorded, if it is still in force. */
const readClaim = async (claim: Claim): Promise<{ requestHash: string; result: ClaimResult } | undefined> => {
  const { Item } = await dynamo.send(
    new GetCommand({ TableName: TABLE, Key: claim.key, ConsistentRead: true }),
  );
  if (!Item) return undefined;
  const { requestHash, expiresAt } = parseRow(claimItemRow, 'idempotency claim', claim.key, Item);
  if (expiresAt !== undefined && expiresAt < claim.nowEpochSeconds) return undefined;
  const { pk: _pk, sk: _sk, type: _type, requestHash: _hash, expiresAt: _expiresAt, ...result } = Item;
  return { requestHash, result };
};

/**
 * How a transaction failed on its first item, the claim: taken (it exists), contended (another
 * transaction held it at that moment, DynamoDB's TransactionConflict), or not at all.
 */
const claimFailure = (error: unknown): 'taken' | 'contended' | undefined => {
  const cancelled = error instanceof TransactionCanceledException ? error : (error as Error)?.cause;
  if (!(cancelled instanceof TransactionCanceledException)) return undefined;
  const code = cancelled.CancellationReasons?.[0]?.Code;
  return code === 'ConditionalCheckFailed'
    ? 'taken'
    : code === 'TransactionConflict'
      ? 'contended'
      : undefined;
};

/** A duplicate's transaction met the first one's in flight: read again (shared/platform/retry.ts). */
export class ClaimContendedError extends ConcurrentUpdateError {
  constructor(options?: { cause?: unknown }) {
    super('claim', options);
    this.message =
      'Another request with this Idempotency-Key was being saved at the same moment; send it again.';
  }
}

const reused = () =>
  new HotlineError(
    'unprocessable',
    'IDEMPOTENCY_KEY_REUSED',
    'This Idempotency-Key was used for a different request.',
  );

/**
 * Runs a write at most once per claim. `act` makes the change and writes `claimPut(claim, …)` first in
 * its transaction; `replay` answers a repeat from what the first request recorded.
 *
 * `load` reads what the decision depends on, for routes whose decision would differ once the first
 * request changed it (an action refused once the order moved on, a removal of a line already removed,
 * a survey link already used): the claim is looked up after it, and a recorded claim answers the
 * repeat before anything is decided. In that order because the claim and the change commit together:
 * a state read that already shows the first request's change is always followed by finding its claim
 * (looked up first, the claim could be missed and the change then seen). Routes without `load` learn
 * of a duplicate when their transaction fails on the claim. Without a claim, `act` simply runs.
 */
export const idempotent = async <T, S = undefined>(
  claim: Claim | undefined,
  run: {
    readonly load?: () => Promise<S>;
    readonly act: (claim: Claim | undefined, state: S) => Promise<T>;
    readonly replay: (result: ClaimResult) => Promise<T>;
  },
): Promise<T> => {
  const state = (run.load ? await run.load() : undefined) as S;
  if (!claim) return run.act(undefined, state);
  const answer = async (earlier: { requestHash: string; result: ClaimResult }) => {
    if (earlier.requestHash !== claim.requestHash) throw reused();
    return run.replay(earlier.result);
  };
  if (run.load) {
    const earlier = await readClaim(claim);
    if (earlier) return answer(earlier);
  }
  try {
    return await run.act(claim, state);
  } catch (error) {
    const failure = claimFailure(error);
    if (!failure) throw error;
    const earlier = await readClaim(claim);
    if (earlier) return answer(earlier);
    throw failure === 'contended' ? new ClaimContendedError({ cause: error }) : error;
  }
};

/** The header every replayed answer carries. */
export const replayedHeader = { 'idempotent-replayed': 'true' } as const;
