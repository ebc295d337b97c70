import { statSync } from 'node:fs';
import { relative } from 'node:path';
import { BaseSequencer, type TestSpecification } from 'vitest/node';

/**
 * The order test files start in on a fresh machine (CI has no results cache, so Vitest's own order is
 * by file size): the files that take longest first, so that two workers do not end with one of them
 * alone on a 100-second file. Measured on CI (the JSON report's file durations): the local-stack files are
 * the slow ones, the first few of them by far. With a cache (a developer's machine), Vitest's own
 * order by the last durations is kept.
 */
const slowest = [
  'tests/integration/crash.test.ts',
  'tests/integration/fault-injection.test.ts',
  'tests/integration/readme-walkthrough.test.ts',
  'tests/browser/dashboard.test.ts',
  'tests/integration/insights.test.ts',
  'tests/integration/idempotency.test.ts',
  'tests/integration/restart.test.ts',
  'tests/integration/replays.test.ts',
];

const rank = (file: string): number => {
  const known = slowest.indexOf(file);
  if (known >= 0) return known;
  return /^tests\/(integration|browser)\//.test(file) ? slowest.length : slowest.length + 1;
};

export default class SlowestFirstSequencer extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    const cached = files.some((f) =>
      this.ctx.cache.getFileTestResults(`${f.project.name}:${relative(this.ctx.config.root, f.moduleId)}`),
    );
    if (cached) return super.sort(files);
    const keyed = files.map((spec) => {
      const file = relative(this.ctx.config.root, spec.moduleId);
      return { spec, rank: rank(file), size: statSync(spec.moduleId).size };
    });
    return keyed.sort((a, b) => a.rank - b.rank || b.size - a.size).map((k) => k.spec);
  }
}
