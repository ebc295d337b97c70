import { join, resolve } from 'node:path';
import { defaultLocalDir, repoRoot } from '../local/paths.ts';

/**
 * Where a benchmark writes its figures: by default into the git-ignored local folder, so a run on any
 * machine leaves the tree clean; `--save` updates the committed ones (bench/results/), `--out` picks a folder.
 */
export const resultsFolder = (options: {
  readonly save: boolean;
  readonly out?: string | undefined;
}): string =>
  options.save ? join(repoRoot, 'bench', 'results') : resolve(options.out ?? join(defaultLocalDir, 'bench'));
