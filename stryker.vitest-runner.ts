import { test } from 'vitest';
import { VitestTestRunner } from 'vitest/runners';

/**
 * Vitest's runner, for `npm run mutate` only: a test file that fails to load (a mutant of a module-level
 * schema or table throws while the file imports it) gets one failing test instead of none. Stryker's
 * vitest runner counts only tests, so without it such a mutant, killed in fact, is reported as survived
 * with 0 tests run (stryker-js issue 6213).
 */
export default class LoadFailureIsATestFailure extends VitestTestRunner {
  override async importFile(filepath: string, source: Parameters<VitestTestRunner['importFile']>[1]) {
    try {
      return await super.importFile(filepath, source);
    } catch (error) {
      if (source !== 'collect') throw error;
      test('the test file loads', () => {
        throw error;
      });
      return undefined;
    }
  }
}
