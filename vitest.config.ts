import { availableParallelism } from 'node:os';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    // CDK synthesis loads aws-cdk-lib and may bundle with esbuild: far slower than a unit test.
    testTimeout: 60_000,
    hookTimeout: 60_000,
    include: ['tests/**/*.test.ts'],
    // Vitest's default is one worker fewer than the cores: on CI's 2 cores, one file at a time. Most
    // time goes to integration files waiting on their own local stack (a child process and a JVM), so
    // two files at a time nearly halve the suite there (measured: 48 min -> 26 min on this shared
    // machine under load). Every test uses its own ports and folders, so files never meet.
    maxWorkers: Math.max(2, availableParallelism() - 1),
    // The JSON report lets .ci/run print a plain "N passed, N failed" line.
    reporters: ['default', ['json', { outputFile: '.test-results/vitest.json' }]],
  },
});
