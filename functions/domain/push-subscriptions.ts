import { HotlineError } from './errors.ts';
import type { PushedEventType } from './pushed-events.ts';

/**
 * A unit's subscription of an HTTPS endpoint to its orders' events (push-deliveries.ts says which).
 * Made, listed and removed by a supervisor of the centre or by the unit itself (its own role, its own
 * unit id). Each subscription has its own signing secret (push-signature.ts), shown when it is made
 * and never again; it is not stored: it is derived from the deployment's push key and the
 * subscription's id and generation (an HMAC), so a table dump reveals no secret.
 */
export interface PushSubscription {
  readonly subscriptionId: string;
  readonly unitId: string;
  readonly url: string;
  readonly events: readonly PushedEventType[];
  readonly description?: string;
  /** `provisioning` until the endpoint's connection, destination and rule exist; then `active`. */
  readonly state: 'provisioning' | 'active';
  /** The secret's generation (1 at first; each rotation adds one). */
  readonly generation: number;
  /** After a rotation, deliveries are signed with the previous generation's secret too until then. */
  readonly previousSecretUntil?: string;
  readonly createdAt: string;
  readonly createdBy: string;
}

/** `SUB` + a ULID (platform/ids.ts newSubscriptionId). */
export const subscriptionIdPattern = /^SUB[0-9A-HJKMNP-TV-Z]{26}$/;

/** The longest endpoint URL: EventBridge's InvocationEndpoint takes at most 2 047 characters. */
export const MAX_ENDPOINT_LENGTH = 2047;

/** Subscriptions a unit may have at once (each is a connection, a destination and a rule in AWS). */
export const MAX_SUBSCRIPTIONS_PER_UNIT = 5;

const invalid = (message: string) => new HotlineError('unprocessable', 'INVALID_ENDPOINT', message);

const loopbackHosts = new Set(['127.0.0.1', 'localhost', '[::1]']);

/**
 * The endpoint as EventBridge API destinations take it: HTTPS, no credentials in the URL (the
 * signature is the credential), no fragment, no `*` (API destinations read it as a path parameter).
 * `allowLoopbackHttp` is the local stack's only: a receiver on this machine without a certificate.
 */
export const checkEndpoint = (url: string, opts: { readonly allowLoopbackHttp?: boolean } = {}): string => {
  if (url.length > MAX_ENDPOINT_LENGTH)
    throw invalid(`The endpoint URL is longer than ${MAX_ENDPOINT_LENGTH}.`);
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw invalid('The endpoint is not a URL.');
  }
  const loopbackHttp = parsed.protocol === 'http:' && loopbackHosts.has(parsed.hostname);
  if (parsed.protocol !== 'https:' && !(loopbackHttp && opts.allowLoopbackHttp))
    throw invalid('The endpoint must be an https:// URL.');
  if (parsed.username !== '' || parsed.password !== '')
    throw invalid('The endpoint URL must not carry credentials: deliveries are signed instead.');
  if (parsed.hash !== '' || url.includes('#')) throw invalid('The endpoint URL must not have a fragment.');
  if (url.includes('*')) throw invalid('The endpoint URL must not contain "*".');
  return url;
};

/** How long a rotated-out secret still signs: a day for the unit's system to take the new one. */
export const SECRET_ROTATION_GRACE_MS = 24 * 3600 * 1000;

/** The generations whose secrets sign a delivery made at `nowMs`: the current one first. */
export const signingGenerations = (
  subscription: Pick<PushSubscription, 'generation' | 'previousSecretUntil'>,
  nowMs: number,
): number[] =>
  subscription.previousSecretUntil !== undefined &&
  subscription.generation > 1 &&
  nowMs < Date.parse(subscription.previousSecretUntil)
    ? [subscription.generation, subscription.generation - 1]
    : [subscription.generation];

/** What the deployment's push key is asked for to make a subscription's signing secret. */
export const secretDerivationInput = (subscriptionId: string, generation: number): string =>
  `hotline-push-secret.${subscriptionId}.${generation}`;

/** The secret as the receiver is given it. */
export const secretOf = (derived: string): string => `whsec_${derived}`;
