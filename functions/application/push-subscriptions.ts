import { HotlineError, notFound } from '#domain/errors.ts';
import {
  checkEndpoint,
  type PushSubscription,
  SECRET_ROTATION_GRACE_MS,
} from '#domain/push-subscriptions.ts';
import { type PushedEventType, pushedEventTypes } from '#domain/pushed-events.ts';
import { provisionDestination, removeDestination } from '#shared/gateways/push-destinations.ts';
import type { PersonActor } from '#shared/platform/auth.ts';
import { optionalEnv } from '#shared/platform/config.ts';
import type { ClaimPut } from '#shared/platform/idempotency.ts';
import { newSubscriptionId } from '#shared/platform/ids.ts';
import {
  createSubscription,
  deleteSubscription,
  listSubscriptions,
  markSubscriptionActive,
  readSubscription,
  rotateSubscriptionSecret,
} from '#shared/stores/push-subscription-store.ts';
import { envNames } from '#wiring/wiring.ts';
import { subscriptionSecret } from './push-order-events.ts';
import { unitForCaller } from './unit-access.ts';

/**
 * A unit's push subscriptions, managed by a supervisor of the centre or by the unit itself. Making
 * one writes it (`provisioning`), makes its EventBridge connection, destination and rule, then marks
 * it `active`: a request cut off half-way leaves it `provisioning`, and its retry (same
 * Idempotency-Key) finishes the job. An endpoint EventBridge refuses is not kept.
 */
export const unitForActor = (actor: PersonActor, unitId: string): string =>
  unitForCaller(actor, unitId, "A unit's staff manage their own unit's subscriptions.").id;

export interface Subscribed {
  readonly subscription: PushSubscription;
  /** The signing secret: in this answer and in a replay of it, never in a listing. */
  readonly secret: string;
}

const activated = async (subscription: PushSubscription): Promise<Subscribed> => {
  if (subscription.state !== 'active') {
    await provisionDestination(subscription);
    await markSubscriptionActive(subscription.unitId, subscription.subscriptionId);
  }
  return {
    subscription: { ...subscription, state: 'active' },
    secret: await subscriptionSecret(subscription.subscriptionId, subscription.generation),
  };
};

// EventBridge's client has no class for it (not modelled): by name, as order-store.ts does.
const isRefusedEndpoint = (error: unknown) => error instanceof Error && error.name === 'ValidationException';

export const subscribe = async (args: {
  readonly actor: PersonActor;
  readonly unitId: string;
  readonly input: {
    url: string;
    events?: readonly PushedEventType[] | undefined;
    description?: string | undefined;
  };
  readonly nowMs: number;
  readonly claimFor?: (subscriptionId: string) => ClaimPut;
}): Promise<Subscribed> => {
  const url = checkEndpoint(args.input.url, {
    allowLoopbackHttp: optionalEnv(envNames.pushAllowLoopbackHttp, 'false') === 'true',
  });
  const subscriptionId = newSubscriptionId();
  const subscription = await createSubscription(
    {
      subscriptionId,
      unitId: args.unitId,
      url,
      events: [...new Set(args.input.events ?? pushedEventTypes)],
      ...(args.input.description ? { description: args.input.description } : {}),
      state: 'provisioning',
      generation: 1,
      createdAt: new Date(args.nowMs).toISOString(),
      createdBy: args.actor.sub,
    },
    args.claimFor?.(subscriptionId),
  );
  try {
    return await activated(subscription);
  } catch (error) {
    if (!isRefusedEndpoint(error)) throw error;
    await removeDestination(subscriptionId);
    await deleteSubscription(args.unitId, subscriptionId);
    throw new HotlineError(
      'unprocessable',
      'INVALID_ENDPOINT',
      `EventBridge refused the endpoint: ${(error as Error).message}`,
    );
  }
};

/** The answer of an earlier subscribe with the same key: the subscription, finished if it was not. */
export const resubscribed = async (unitId: string, subscriptionId: string): Promise<Subscribed> => {
  const subscription = await readSubscription(unitId, subscriptionId);
  if (!subscription) throw notFound('subscription', subscriptionId);
  return activated(subscription);
};

export const subscriptionsOf = (unitId: string): Promise<PushSubscription[]> => listSubscriptions(unitId);

export const subscriptionOf = (
  unitId: string,
  subscriptionId: string,
): Promise<PushSubscription | undefined> => readSubscription(unitId, subscriptionId);

/**
 * Stops deliveries, then forgets the subscription (in that order: a removal cut off half-way still
 * finds its subscription, and its retry finishes).
 */
export const unsubscribe = async (
  subscription: PushSubscription | undefined,
  subscriptionId: string,
  claim?: ClaimPut,
): Promise<void> => {
  if (!subscription) throw notFound('subscription', subscriptionId);
  await removeDestination(subscriptionId);
  await deleteSubscription(subscription.unitId, subscriptionId, claim);
};

/**
 * A new signing secret. For a day the deliveries carry two signatures, the new secret's first, so the
 * unit's system can take the new secret while the old one still verifies.
 */
export const rotateSecret = async (args: {
  readonly unitId: string;
  readonly subscriptionId: string;
  readonly nowMs: number;
  readonly claimFor?: (generation: number) => ClaimPut;
}): Promise<Subscribed> => {
  const rotated = await rotateSubscriptionSecret({
    unitId: args.unitId,
    subscriptionId: args.subscriptionId,
    previousSecretUntil: new Date(args.nowMs + SECRET_ROTATION_GRACE_MS).toISOString(),
    ...(args.claimFor ? { claimFor: args.claimFor } : {}),
  });
  if (!rotated) throw notFound('subscription', args.subscriptionId);
  return {
    subscription: rotated,
    secret: await subscriptionSecret(rotated.subscriptionId, rotated.generation),
  };
};

/** The answer of an earlier rotation with the same key: that generation's secret. */
export const rotatedBefore = async (
  unitId: string,
  subscriptionId: string,
  generation: number,
): Promise<Subscribed> => {
  const subscription = await readSubscription(unitId, subscriptionId);
  if (!subscription) throw notFound('subscription', subscriptionId);
  return { subscription, secret: await subscriptionSecret(subscriptionId, generation) };
};
