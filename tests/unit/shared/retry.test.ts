import { describe, expect, it } from 'vitest';
import { ConcurrentUpdateError, HotlineError } from '#domain/errors.ts';
import { backoffDelayMs, retryOnConcurrentUpdate, retryPolicies } from '#shared/platform/retry.ts';

/** An attempt that loses `losses` races, then returns how many attempts it took. */
const losing = (losses: number) => {
  let attempts = 0;
  const attempt = async () => {
    attempts += 1;
    if (attempts <= losses) throw new ConcurrentUpdateError('WO1');
    return attempts;
  };
  return { attempt, attempts: () => attempts };
};
const noDelay = () => 0;

describe('retryOnConcurrentUpdate (retry)', () => {
  it('returns the result of the attempt that no longer lost a race', async () => {
    // Prepare
    const { attempt } = losing(2);

    // Act / Assess
    await expect(retryOnConcurrentUpdate(attempt, retryPolicies.brief, noDelay)).resolves.toBe(3);
  });

  it('rejects with the last ConcurrentUpdateError after maxAttempts attempts, and tries no more', async () => {
    // Prepare
    const { attempt, attempts } = losing(100);

    // Act / Assess
    await expect(retryOnConcurrentUpdate(attempt, retryPolicies.brief, noDelay)).rejects.toBeInstanceOf(
      ConcurrentUpdateError,
    );
    expect(attempts()).toBe(retryPolicies.brief.maxAttempts);
  });

  it('returns after as many lost races as the persistent policy allows', async () => {
    // Prepare
    const { attempt } = losing(retryPolicies.persistent.maxAttempts - 1);

    // Act / Assess
    await expect(retryOnConcurrentUpdate(attempt, retryPolicies.persistent, noDelay)).resolves.toBe(
      retryPolicies.persistent.maxAttempts,
    );
  });

  it('rejects any other error at once, without a second attempt', async () => {
    // Prepare
    let attempts = 0;
    const attempt = async () => {
      attempts += 1;
      throw new HotlineError('conflict', 'ACTION_NOT_ALLOWED', 'no');
    };

    // Act / Assess
    await expect(retryOnConcurrentUpdate(attempt, retryPolicies.persistent, noDelay)).rejects.toMatchObject({
      code: 'ACTION_NOT_ALLOWED',
    });
    expect(attempts).toBe(1);
  });
});

describe('backoffDelayMs (retry)', () => {
  it('returns a delay under the exponential bound, doubling from the base up to the cap', () => {
    // Prepare
    const policy = { maxAttempts: 10, baseDelayMs: 10, maxDelayMs: 100 };
    const highest = () => 0.999_999;

    // Act
    const bounds = [1, 2, 3, 4, 5, 6].map((retry) => backoffDelayMs(policy, retry, highest));

    // Assess
    expect(bounds).toEqual([9, 19, 39, 79, 99, 99]);
  });

  it('returns a delay spread between zero and the bound (full jitter)', () => {
    // Prepare
    const policy = retryPolicies.persistent;

    // Act: the fourth retry's bound is 20 × 2³ = 160 ms
    const delays = [0, 0.25, 0.5].map((r) => backoffDelayMs(policy, 4, () => r));

    // Assess
    expect(delays).toEqual([0, 40, 80]);
  });

  it('keeps the persistent policy’s total waiting well within the 29 s of the functions that use it', () => {
    // Act
    const worst = Array.from({ length: retryPolicies.persistent.maxAttempts - 1 }, (_v, i) =>
      Math.min(retryPolicies.persistent.maxDelayMs, retryPolicies.persistent.baseDelayMs * 2 ** i),
    ).reduce((a, b) => a + b, 0);

    // Assess
    expect(worst).toBeLessThanOrEqual(8000);
  });
});
