import { defineConfig } from 'vitest/config';

/**
 * The tests `npm run mutate` runs (stryker.config.mjs): those that drive the domain directly. Chosen
 * here rather than with Stryker's `testFiles`, which activates static mutants too late and so reports
 * every mutant of a module-level table as survived (stryker-js issue 6144). The runner counts a test
 * file that fails to load as a failed test (see stryker.vitest-runner.ts).
 */
export default defineConfig({
  test: {
    include: ['tests/unit/domain/**/*.test.ts', 'tests/unit/mining/**/*.test.ts'],
    runner: './stryker.vitest-runner.ts',
    testTimeout: 60_000,
    hookTimeout: 60_000,
  },
});
