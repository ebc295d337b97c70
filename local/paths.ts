import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Where the local stack keeps its files: data/ (orders, executions, clock) and keys/ (JWT signing key). */
export const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..');
export const defaultLocalDir = join(repoRoot, '.hotline-local');
