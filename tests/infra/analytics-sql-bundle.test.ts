import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { build } from 'esbuild';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readSql, sqlDir } from '../../analytics/duckdb-engine.ts';
import { analyticsSqlBundling } from '../../infra/constructs/hotline-function.ts';

/**
 * A Lambda bundle has no analytics/sql/ folder: with the bundling options every function gets
 * (infra/constructs/hotline-function.ts), the SQL files travel inside the bundle as text. The module
 * is bundled the way CDK bundles it and run from a temporary folder, where no SQL file can be read
 * (`../../analytics/sql/` from there does not exist): every text must come from the bundle.
 */
describe('the analytics SQL files in a Lambda bundle', () => {
  const outdir = mkdtempSync(join(tmpdir(), 'hotline-sql-bundle-'));
  let analyticsSql: (name: string) => Promise<string>;

  beforeAll(async () => {
    const outfile = join(outdir, 'index.mjs');
    await build({
      entryPoints: [resolve(import.meta.dirname, '../../functions/shared/gateways/analytics-sql.ts')],
      bundle: true,
      platform: 'node',
      format: 'esm',
      target: 'node22',
      minify: true,
      outfile,
      logLevel: 'silent',
      loader: { ...analyticsSqlBundling.loader },
      define: { ...analyticsSqlBundling.define },
    });
    ({ analyticsSql } = (await import(pathToFileURL(outfile).href)) as { analyticsSql: typeof analyticsSql });
  });

  afterAll(() => rmSync(outdir, { recursive: true, force: true }));

  const names = readdirSync(sqlDir)
    .filter((f) => f.endsWith('.sql'))
    .map((f) => f.slice(0, -4));

  it.each(names)('returns %s.sql from the bundle, as the file says', async (name) => {
    expect(await analyticsSql(name)).toBe(readSql(name));
  });

  it('rejects a name that is not a SQL file name', async () => {
    await expect(analyticsSql('../secrets')).rejects.toThrow('Not an analytics SQL file name: ../secrets');
  });
});
