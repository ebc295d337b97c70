import { HotlineError } from '#domain/errors.ts';
import { apiKeyIdParam, newApiKeyBody } from '#shared/contract/requests.ts';
import { actorOf } from '#shared/platform/auth.ts';
import { clock } from '#shared/platform/clock.ts';
import { type ApiEvent, json, withJsonBody, withoutBody } from '#shared/platform/http.ts';
import { claimOf, claimPut, idempotent, replayedHeader } from '#shared/platform/idempotency.ts';
import { logger } from '#shared/platform/logger.ts';
import { retryOnConcurrentUpdate } from '#shared/platform/retry.ts';
import { createApiKey, listApiKeys, readApiKey, revokeApiKey } from '#shared/stores/api-key-store.ts';

/**
 * The Open311 client applications' API keys, managed by the centre's supervisors: POST /open311/keys
 * (the key is in the 201 and nowhere else, ever), GET /open311/keys, DELETE /open311/keys/{keyId}.
 * A repeat of a POST with the same Idempotency-Key makes no second key; it answers the first key's
 * record without the key (`apiKeyShown: false`), since the key is not kept: revoke it if it was lost.
 */
const noStore = { 'cache-control': 'no-store' };

const create = withJsonBody(newApiKeyBody, async (event, input) => {
  const actor = actorOf(event);
  const claim = claimOf(event, {
    caller: actor.sub,
    place: { name: event.routeKey },
    request: input,
    nowMs: clock.now(),
  });
  return retryOnConcurrentUpdate(() =>
    idempotent(claim, {
      act: async (claim) => {
        const { record, apiKey } = await createApiKey({
          ...input,
          by: actor.sub,
          nowMs: clock.now(),
          ...(claim ? { claimFor: (keyId: string) => claimPut(claim, { keyId }) } : {}),
        });
        logger.info('Open311 key created', { keyId: record.keyId, app: record.app });
        return json(
          201,
          { ...record, apiKey, apiKeyShown: true },
          { location: `/open311/keys/${record.keyId}`, ...noStore },
        );
      },
      replay: async ({ keyId }) => {
        const record = await readApiKey(String(keyId));
        if (!record) throw new Error(`Idempotency record points at missing Open311 key ${keyId}`);
        return json(
          201,
          { ...record, apiKeyShown: false },
          { location: `/open311/keys/${record.keyId}`, ...noStore, ...replayedHeader },
        );
      },
    }),
  );
});

const list = withoutBody(async (event) => {
  actorOf(event);
  return json(200, { items: await listApiKeys() });
});

const revoke = withoutBody(async (event) => {
  const actor = actorOf(event);
  const keyId = apiKeyIdParam.safeParse(event.pathParameters?.keyId);
  if (!keyId.success) throw new HotlineError('notFound', 'KEY_NOT_FOUND', 'No such Open311 key.');
  const claim = claimOf(event, {
    caller: actor.sub,
    place: { name: event.routeKey },
    request: { keyId: keyId.data },
    nowMs: clock.now(),
  });
  return retryOnConcurrentUpdate(() =>
    idempotent(claim, {
      act: async (claim) => {
        const record = await revokeApiKey({
          keyId: keyId.data,
          by: actor.sub,
          nowMs: clock.now(),
          ...(claim ? { claim: claimPut(claim, { answer: { keyId: keyId.data } }) } : {}),
        });
        logger.info('Open311 key revoked', { keyId: record.keyId });
        return json(200, record);
      },
      replay: async () => {
        const record = await readApiKey(keyId.data);
        if (!record) throw new Error(`Idempotency record points at missing Open311 key ${keyId.data}`);
        return json(200, record, replayedHeader);
      },
    }),
  );
});

export const handler = async (event: ApiEvent, context: Parameters<typeof list>[1]) => {
  switch (event.routeKey) {
    case 'POST /open311/keys':
      return create(event, context);
    case 'DELETE /open311/keys/{keyId}':
      return revoke(event, context);
    default:
      return list(event, context);
  }
};
