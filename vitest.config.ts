import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    // CDK synthesis loads aws-cdk-lib and may bundle with esbuild: far slower than a unit test.
    testTimeout: 60_000,
    hookTimeout: 60_000,
    include: ['tests/**/*.test.ts'],
    // The JSON report lets .ci/run print a plain "N passed, N failed" line.
    reporters: ['default', ['json', { outputFile: '.test-results/vitest.json' }]],
  },
});
