// Mutation testing of the domain (`npm run mutate`; not part of `npm test` or CI). See docs/mutation-testing.md.
/** @type {import('@stryker-mutator/api/core').PartialStrykerOptions} */
export default {
  testRunner: 'vitest',
  // Only the tests that drive the domain directly (their strength is what is measured), listed in
  // stryker.vitest.config.ts; related mode then runs, per mutant, only those importing the mutated module.
  vitest: { configFile: 'stryker.vitest.config.ts', related: true },
  coverageAnalysis: 'perTest',
  mutate: ['functions/domain/**/*.ts'],
  // TypeScript 7 is native and has no compiler API: no type checker, and a tsconfig path that does not
  // exist so that Stryker never loads `typescript` to rewrite it (the sandbox needs no rewrite anyway).
  checkers: [],
  tsconfigFile: 'stryker-has-no-tsconfig.json',
  // The machine is shared (2 cores): one test runner at a time. Raise it with `-c 2` on a quiet machine.
  concurrency: 1,
  timeoutMS: 10_000,
  ignorePatterns: [
    '.stryker-tmp*',
    '.test-results',
    '.hotline-local',
    'cdk.out',
    'coverage',
    'reports',
    'bench/results',
  ],
  reporters: ['clear-text', 'progress', 'html', 'json'],
  htmlReporter: { fileName: 'reports/mutation/mutation.html' },
  jsonReporter: { fileName: 'reports/mutation/mutation.json' },
  thresholds: { high: 95, low: 90, break: 90 },
  tempDirName: '.stryker-tmp',
  cleanTempDir: 'always',
};
