import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { ConditionalCheckFailedException, TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import { GetCommand, TransactWriteCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { HotlineError } from '#domain/errors.ts';
import { dynamo, queryPartition } from '#shared/platform/aws-clients.ts';
import { tableName } from '#shared/platform/config.ts';
import type { ClaimPut } from '#shared/platform/idempotency.ts';
import { apiKeyItemRow, parseRow, tableKeyOf } from '#shared/stores/rows.ts';

/**
 * API keys of the client applications that file orders through Open311, created and revoked by a
 * supervisor. A key is `o311.<key id>.<secret>`: the id finds its item, the secret (192 random bits)
 * is never stored, only the SHA-256 of the whole key (a slow password hash buys nothing for a secret
 * that cannot be guessed), compared in constant time. Each key has its own rate limit: a counter per
 * key and minute, raised by a conditional update that refuses once the limit is reached.
 *
 *   key      pk OPEN311#KEYS            sk KEY#<key id>
 *   counter  pk OPEN311#RATE#<key id>   sk <minute, epoch seconds>   (TTL: gone an hour later)
 */
const TABLE = tableName();
const KEYS_PK = 'OPEN311#KEYS';

export interface ApiKeyRecord {
  readonly keyId: string;
  readonly app: string;
  readonly ratePerMinute: number;
  readonly createdAt: string;
  readonly createdBy: string;
  readonly revokedAt?: string;
  readonly revokedBy?: string;
}

const hashOf = (key: string): Buffer => createHash('sha256').update(key, 'utf8').digest();
const keyPattern = /^o311\.([0-9a-f]{16})\.([A-Za-z0-9_-]{32})$/;

const recordOf = (item: Record<string, unknown>): ApiKeyRecord & { keyHash: string } => {
  const row = parseRow(apiKeyItemRow, 'Open311 key', tableKeyOf(item), item);
  return {
    keyId: row.keyId,
    app: row.app,
    ratePerMinute: row.ratePerMinute,
    createdAt: row.createdAt,
    createdBy: row.createdBy,
    ...(row.revokedAt ? { revokedAt: row.revokedAt } : {}),
    ...(row.revokedBy ? { revokedBy: row.revokedBy } : {}),
    keyHash: row.keyHash,
  };
};
const withoutHash = ({ keyHash: _hash, ...record }: ApiKeyRecord & { keyHash: string }): ApiKeyRecord =>
  record;

/**
 * A new key for an application; the key itself is returned this once and never again. With an
 * idempotency claim (made from the key id, `claimFor`), the claim and the key are written together.
 */
export const createApiKey = async (args: {
  app: string;
  ratePerMinute: number;
  by: string;
  nowMs: number;
  claimFor?: (keyId: string) => ClaimPut;
}): Promise<{ record: ApiKeyRecord; apiKey: string }> => {
  const keyId = randomBytes(8).toString('hex');
  const apiKey = `o311.${keyId}.${randomBytes(24).toString('base64url')}`;
  const record: ApiKeyRecord = {
    keyId,
    app: args.app,
    ratePerMinute: args.ratePerMinute,
    createdAt: new Date(args.nowMs).toISOString(),
    createdBy: args.by,
  };
  const put = {
    Put: {
      TableName: TABLE,
      Item: {
        pk: KEYS_PK,
        sk: `KEY#${keyId}`,
        type: 'open311Key',
        ...record,
        keyHash: hashOf(apiKey).toString('hex'),
      },
      ConditionExpression: 'attribute_not_exists(pk)',
    },
  };
  await dynamo.send(
    new TransactWriteCommand({ TransactItems: [...(args.claimFor ? [args.claimFor(keyId)] : []), put] }),
  );
  return { record, apiKey };
};

/** One key's record (without its hash), or undefined. */
export const readApiKey = async (keyId: string): Promise<ApiKeyRecord | undefined> => {
  const { Item } = await dynamo.send(
    new GetCommand({ TableName: TABLE, Key: { pk: KEYS_PK, sk: `KEY#${keyId}` }, ConsistentRead: true }),
  );
  return Item ? withoutHash(recordOf(Item)) : undefined;
};

export const listApiKeys = async (): Promise<ApiKeyRecord[]> =>
  (await queryPartition(TABLE, KEYS_PK, 'KEY#')).map((item) => withoutHash(recordOf(item)));

/**
 * Revokes a key at once; revoking a revoked key changes nothing and answers the same (a retry). With an
 * idempotency claim, the claim and the revocation are written together.
 */
export const revokeApiKey = async (args: {
  keyId: string;
  by: string;
  nowMs: number;
  claim?: ClaimPut;
}): Promise<ApiKeyRecord> => {
  const key = { pk: KEYS_PK, sk: `KEY#${args.keyId}` };
  const update = {
    TableName: TABLE,
    Key: key,
    UpdateExpression:
      'SET revokedAt = if_not_exists(revokedAt, :at), revokedBy = if_not_exists(revokedBy, :by)',
    ConditionExpression: 'attribute_exists(pk)',
    ExpressionAttributeValues: { ':at': new Date(args.nowMs).toISOString(), ':by': args.by },
  };
  const missing = () => new HotlineError('notFound', 'KEY_NOT_FOUND', `No Open311 key ${args.keyId}.`);
  try {
    if (!args.claim) {
      const { Attributes } = await dynamo.send(new UpdateCommand({ ...update, ReturnValues: 'ALL_NEW' }));
      return withoutHash(recordOf(Attributes ?? {}));
    }
    await dynamo.send(new TransactWriteCommand({ TransactItems: [args.claim, { Update: update }] }));
  } catch (error) {
    if (error instanceof ConditionalCheckFailedException) throw missing();
    // The update's condition (item 1) failed: no such key. A failed claim (item 0) is the caller's to read.
    if (
      error instanceof TransactionCanceledException &&
      error.CancellationReasons?.[1]?.Code === 'ConditionalCheckFailed'
    ) {
      throw missing();
    }
    throw error;
  }
  const record = await readApiKey(args.keyId);
  if (!record) throw missing();
  return record;
};

/** The live key's record, or undefined for a key that is malformed, unknown, wrong or revoked. */
export const authenticateApiKey = async (apiKey: string): Promise<ApiKeyRecord | undefined> => {
  const match = keyPattern.exec(apiKey);
  if (!match) return undefined;
  // Consistent, so that a key revoked a moment ago is refused at once.
  const { Item } = await dynamo.send(
    new GetCommand({ TableName: TABLE, Key: { pk: KEYS_PK, sk: `KEY#${match[1]}` }, ConsistentRead: true }),
  );
  if (!Item) return undefined;
  const record = recordOf(Item);
  const stored = Buffer.from(record.keyHash, 'hex');
  if (!timingSafeEqual(stored, hashOf(apiKey)) || record.revokedAt !== undefined) return undefined;
  return withoutHash(record);
};

/**
 * Counts one request against the key's limit for the current minute: true while within it. The count
 * is a conditional atomic update, so concurrent requests can never pass the limit together.
 */
export const takeRateToken = async (record: ApiKeyRecord, nowMs: number): Promise<boolean> => {
  const minute = Math.floor(nowMs / 60_000) * 60;
  try {
    await dynamo.send(
      new UpdateCommand({
        TableName: TABLE,
        Key: { pk: `OPEN311#RATE#${record.keyId}`, sk: String(minute) },
        UpdateExpression: 'ADD hits :one SET expiresAt = :expires, #type = :type',
        ConditionExpression: 'attribute_not_exists(hits) OR hits < :limit',
        ExpressionAttributeNames: { '#type': 'type' },
        ExpressionAttributeValues: {
          ':one': 1,
          ':limit': record.ratePerMinute,
          ':expires': minute + 3600,
          ':type': 'open311Rate',
        },
      }),
    );
    return true;
  } catch (error) {
    if (error instanceof ConditionalCheckFailedException) return false;
    throw error;
  }
};
