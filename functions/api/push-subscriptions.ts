import {
  resubscribed,
  rotatedBefore,
  rotateSecret,
  type Subscribed,
  subscribe,
  subscriptionOf,
  subscriptionsOf,
  unitForActor,
  unsubscribe,
} from '#application/push-subscriptions.ts';
import { notFound } from '#domain/errors.ts';
import { newSubscriptionBody, subscriptionIdParam } from '#shared/contract/requests.ts';
import { actorOf } from '#shared/platform/auth.ts';
import { clock } from '#shared/platform/clock.ts';
import { type ApiEvent, json, withJsonBody, withoutBody } from '#shared/platform/http.ts';
import { claimOf, claimPut, idempotent, replayedHeader } from '#shared/platform/idempotency.ts';
import { logger } from '#shared/platform/logger.ts';
import { retryOnConcurrentUpdate } from '#shared/platform/retry.ts';

/**
 * A unit's push subscriptions (application/push-subscriptions.ts): POST, GET /units/{id}/subscriptions
 * and DELETE /units/{id}/subscriptions/{subscriptionId}, and POST …/{subscriptionId}/secret (a new
 * secret), by a supervisor or the unit itself. The signing secret is in the answers that make one (and
 * their replays under the same Idempotency-Key), never in a listing.
 */
const noStore = { 'cache-control': 'no-store' };
const created = (s: Subscribed, extra: Record<string, string> = {}) =>
  json(
    201,
    { ...s.subscription, secret: s.secret },
    {
      location: `/units/${s.subscription.unitId}/subscriptions/${s.subscription.subscriptionId}`,
      ...noStore,
      ...extra,
    },
  );

const create = withJsonBody(newSubscriptionBody, async (event, input) => {
  const actor = actorOf(event);
  const unitId = unitForActor(actor, event.pathParameters?.id ?? '');
  const claim = claimOf(event, {
    caller: actor.sub,
    place: { name: event.routeKey },
    request: { unitId, ...input },
    nowMs: clock.now(),
  });
  return retryOnConcurrentUpdate(() =>
    idempotent(claim, {
      act: async (claim) => {
        const subscribed = await subscribe({
          actor,
          unitId,
          input,
          nowMs: clock.now(),
          ...(claim ? { claimFor: (subscriptionId: string) => claimPut(claim, { subscriptionId }) } : {}),
        });
        logger.info('Push subscription made', {
          unitId,
          subscriptionId: subscribed.subscription.subscriptionId,
        });
        return created(subscribed);
      },
      replay: async ({ subscriptionId }) =>
        created(await resubscribed(unitId, String(subscriptionId)), replayedHeader),
    }),
  );
});

const list = withoutBody(async (event) => {
  const unitId = unitForActor(actorOf(event), event.pathParameters?.id ?? '');
  return json(200, { items: await subscriptionsOf(unitId) });
});

/** The unit and subscription a path names, for the caller, and the request's idempotency claim. */
const subscriptionRequest = (event: ApiEvent) => {
  const actor = actorOf(event);
  const unitId = unitForActor(actor, event.pathParameters?.id ?? '');
  const given = event.pathParameters?.subscriptionId ?? '';
  const parsed = subscriptionIdParam.safeParse(given);
  if (!parsed.success) throw notFound('subscription', given);
  const subscriptionId = parsed.data;
  const claim = claimOf(event, {
    caller: actor.sub,
    place: { name: event.routeKey },
    request: { unitId, subscriptionId },
    nowMs: clock.now(),
  });
  return { unitId, subscriptionId, claim };
};

const remove = withoutBody(async (event) => {
  const { unitId, subscriptionId, claim } = subscriptionRequest(event);
  const answer = { unitId, subscriptionId, removed: true };
  return retryOnConcurrentUpdate(() =>
    idempotent(claim, {
      // Read first: a repeat that finds it gone then finds the first removal's claim (idempotency.ts).
      load: () => subscriptionOf(unitId, subscriptionId),
      act: async (claim, found) => {
        await unsubscribe(found, subscriptionId, claim && claimPut(claim, { answer }));
        logger.info('Push subscription removed', { unitId, subscriptionId });
        return json(200, answer);
      },
      replay: async () => json(200, answer, replayedHeader),
    }),
  );
});

const rotate = withoutBody(async (event) => {
  const { unitId, subscriptionId, claim } = subscriptionRequest(event);
  const answer = (r: Subscribed, extra: Record<string, string> = {}) =>
    json(200, { ...r.subscription, secret: r.secret }, { ...noStore, ...extra });
  return retryOnConcurrentUpdate(() =>
    idempotent(claim, {
      act: async (claim) => {
        const rotated = await rotateSecret({
          unitId,
          subscriptionId: subscriptionId,
          nowMs: clock.now(),
          ...(claim ? { claimFor: (generation: number) => claimPut(claim, { generation }) } : {}),
        });
        logger.info('Push subscription secret rotated', {
          unitId,
          subscriptionId: subscriptionId,
          generation: rotated.subscription.generation,
        });
        return answer(rotated);
      },
      replay: async ({ generation }) =>
        answer(await rotatedBefore(unitId, subscriptionId, Number(generation)), replayedHeader),
    }),
  );
});

export const handler = async (event: ApiEvent, context: Parameters<typeof list>[1]) => {
  switch (event.routeKey) {
    case 'POST /units/{id}/subscriptions':
      return create(event, context);
    case 'DELETE /units/{id}/subscriptions/{subscriptionId}':
      return remove(event, context);
    case 'POST /units/{id}/subscriptions/{subscriptionId}/secret':
      return rotate(event, context);
    default:
      return list(event, context);
  }
};
