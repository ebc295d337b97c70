import { setTimeout as sleep } from 'node:timers/promises';
import { ConcurrentUpdateError } from '#domain/errors.ts';

/**
 * The one retry mechanism of the functions, used where a read → decide → write is composed (the
 * application services and the handlers that play that part). What it retries: an optimistic write
 * that lost a race with another writer of the same item (`ConcurrentUpdateError`, which the stores
 * raise for a failed version condition or a DynamoDB TransactionConflict), by running the whole
 * attempt again on fresh data. Nothing else: every other error propagates at once.
 *
 * The other layers retry other failures and are not repeated here: the AWS SDK retries throttled and
 * failed calls itself, the state machine's `Retry` retries a failed task (statemachines/*.asl.json),
 * and EventBridge, Scheduler and the stream triggers redeliver to a consumer that failed.
 *
 * Bounded: at most `maxAttempts` attempts, then the last `ConcurrentUpdateError` propagates (a 409
 * VERSION_CONFLICT). Between attempts, exponential backoff with full jitter — a random delay between 0
 * and `min(maxDelayMs, baseDelayMs × 2^(retry-1))` — so that writers who collided spread out instead of
 * colliding again in step.
 */
export interface RetryPolicy {
  readonly maxAttempts: number;
  readonly baseDelayMs: number;
  readonly maxDelayMs: number;
}

export const retryPolicies = {
  /**
   * The race is rare and short (the workflow storing its token, a redelivered event, a second answer):
   * three attempts, as before. Also the policy of a caller who sent If-Match: a lost race that moved
   * the version is then the caller's 409, and only a race that moved no version is worth retrying.
   */
  brief: { maxAttempts: 3, baseDelayMs: 10, maxDelayMs: 100 },
  /**
   * The caller asked for no optimistic check (no If-Match): every valid write must land, even when many
   * writers contend for one order (20 at once is the tested case). At most about 6 s of waiting in all
   * (3 s expected), within the 29 s timeout of the functions that use it (wiring/wiring.ts).
   */
  persistent: { maxAttempts: 20, baseDelayMs: 20, maxDelayMs: 400 },
} as const satisfies Record<string, RetryPolicy>;

/** The delay before retry `retry` (1 for the first retry): full jitter under the exponential bound. */
export const backoffDelayMs = (policy: RetryPolicy, retry: number, random: () => number = Math.random) =>
  Math.floor(random() * Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** (retry - 1)));

/** Runs `attempt` until it does not lose a race, within `policy`; see above. */
export const retryOnConcurrentUpdate = async <T>(
  attempt: () => Promise<T>,
  policy: RetryPolicy = retryPolicies.brief,
  random: () => number = Math.random,
): Promise<T> => {
  for (let n = 1; ; n++) {
    try {
      return await attempt();
    } catch (error) {
      if (!(error instanceof ConcurrentUpdateError) || n >= policy.maxAttempts) throw error;
    }
    const delay = backoffDelayMs(policy, n, random);
    if (delay > 0) await sleep(delay);
  }
};
