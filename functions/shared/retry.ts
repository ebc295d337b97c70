import { ConcurrentUpdateError } from '#domain/errors.ts';

/**
 * Runs `attempt` again (reading fresh data) when it lost a race with another writer of the same order —
 * an action, the workflow, a call-back step — up to `maxAttempts` times; any other error propagates.
 */
export const retryOnConcurrentUpdate = async <T>(attempt: () => Promise<T>, maxAttempts = 3): Promise<T> => {
  for (let n = 1; ; n++) {
    try {
      return await attempt();
    } catch (error) {
      if (!(error instanceof ConcurrentUpdateError) || n >= maxAttempts) throw error;
    }
  }
};
