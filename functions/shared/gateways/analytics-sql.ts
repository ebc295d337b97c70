import { readFile } from 'node:fs/promises';

/**
 * The text of `analytics/sql/<name>.sql`, the one copy of every query. Run from the repository
 * (tests, the local stack) it is read from the file; in a Lambda bundle there is no such file, so
 * esbuild puts every `analytics/sql/*.sql` in the bundle as text (the `.sql: text` loader and the
 * `HOTLINE_SQL_INLINED` define of infra/constructs/hotline-function.ts; the template-literal import
 * below is esbuild's glob import).
 */
declare const HOTLINE_SQL_INLINED: boolean | undefined;

const namePattern = /^[a-z0-9_]+$/;

export const analyticsSql = async (name: string): Promise<string> => {
  if (!namePattern.test(name)) throw new Error(`Not an analytics SQL file name: ${name}`);
  if (typeof HOTLINE_SQL_INLINED !== 'undefined' && HOTLINE_SQL_INLINED)
    return ((await import(`../../../analytics/sql/${name}.sql`)) as { default: string }).default;
  return readFile(new URL(`../../../analytics/sql/${name}.sql`, import.meta.url), 'utf8');
};
