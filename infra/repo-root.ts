import { fileURLToPath } from 'node:url';

/** The repository root, so entries, ASL files and the lock file resolve the same from the CLI and from tests. */
export const repoRoot = fileURLToPath(new URL('..', import.meta.url));
