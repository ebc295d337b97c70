import { availableParallelism } from 'node:os';
import { defineConfig } from 'vitest/config';

/** Test files that only synthesize and read templates. */
const sharingModules = [
  'tests/infra/**/*.test.ts',
  'tests/parity/asl.test.ts',
  'tests/parity/code-layers.test.ts',
];

export default defineConfig({
  test: {
    // CDK synthesis loads aws-cdk-lib and may bundle with esbuild: far slower than a unit test.
    testTimeout: 60_000,
    hookTimeout: 60_000,
    // Vitest's default is one worker fewer than the cores: on CI's 2 cores, one file at a time. Most
    // time goes to integration files waiting on their own local stack (a child process and a JVM), so
    // two files at a time nearly halve the suite there (measured: 48 min -> 26 min on this shared
    // machine under load). Every test uses its own ports and folders, so files never meet.
    maxWorkers: Math.max(2, availableParallelism() - 1),
    // The JSON report lets .ci/run print a plain "N passed, N failed" line.
    reporters: ['default', ['json', { outputFile: '.test-results/vitest.json' }]],
    projects: [
      {
        // Synthesis tests only read templates (no mocks, no variables set): sharing one module cache per
        // worker loads aws-cdk-lib once instead of once per file; the first synthesis in a process takes
        // about 6 s, the next ones about 1 s (measured: tests/infra and tests/parity 141 s -> 68 s).
        extends: true,
        test: {
          name: 'synthesis',
          include: [
            'tests/infra/**/*.test.ts',
            'tests/parity/asl.test.ts',
            'tests/parity/code-layers.test.ts',
          ],
          isolate: false,
        },
      },
      {
        // The rest mock AWS clients, set the variables handlers read at load and fix the clock per file:
        // each file in its own module graph, so no file sees another's state.
        extends: true,
        test: {
          name: 'isolated',
          include: ['tests/**/*.test.ts'],
          exclude: sharingModules,
        },
      },
    ],
  },
});
