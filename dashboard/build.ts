import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type BuildOptions, type BuildResult, build, buildSync } from 'esbuild';

/**
 * The dashboard's bundle: TypeScript + ECharts (only the charts it draws) into one hashed script and
 * one hashed stylesheet, and an index.html that names them. Hashed names let a CDN keep the assets for
 * good while index.html and config.json stay short-lived. config.json is not part of the bundle: the
 * local stack answers it, and the CDK construct deploys one with the stack's own values.
 */
export const dashboardRoot = dirname(fileURLToPath(import.meta.url));
const sourceDir = join(dashboardRoot, 'src');
/** Where `npm run dashboard:build` writes (git-ignored by dashboard/.gitignore). */
export const defaultOutDir = join(dashboardRoot, 'dist');

export interface DashboardFile {
  /** Path inside the site, no leading slash: `index.html`, `app-3F2A….js`. */
  readonly path: string;
  readonly contents: Uint8Array;
}

const shortHash = (contents: Uint8Array) => createHash('sha256').update(contents).digest('hex').slice(0, 16);

const options = (minify: boolean) =>
  ({
    entryPoints: { app: join(sourceDir, 'main.ts') },
    bundle: true,
    format: 'esm',
    platform: 'browser',
    target: ['es2022', 'chrome110', 'firefox115', 'safari16'],
    minify,
    // ECharts is Apache-2.0: its notices stay with the bundle.
    legalComments: 'eof',
    charset: 'utf8',
    write: false,
    outdir: '/out',
    logLevel: 'silent',
  }) satisfies BuildOptions;

/** index.html naming the hashed script and stylesheet, and the three files of the site. */
const siteOf = (result: BuildResult<{ write: false }>): DashboardFile[] => {
  const output = (suffix: string) => {
    const file = result.outputFiles.find((f) => f.path.endsWith(suffix));
    if (!file) throw new Error(`The dashboard build made no ${suffix}`);
    return file.contents;
  };
  const script = output('.js');
  const style = output('.css');
  const scriptName = `app-${shortHash(script)}.js`;
  const styleName = `app-${shortHash(style)}.css`;
  const html = readFileSync(join(sourceDir, 'index.html'), 'utf8')
    .replace('{{script}}', `./${scriptName}`)
    .replace('{{style}}', `./${styleName}`);
  if (html.includes('{{'))
    throw new Error('dashboard/src/index.html has a placeholder the build does not fill');
  return [
    { path: 'index.html', contents: new TextEncoder().encode(html) },
    { path: scriptName, contents: script },
    { path: styleName, contents: style },
  ];
};

/** Builds the site in memory (the local stack serves it from there); same sources, same bytes. */
export const buildDashboard = async (opts: { readonly minify?: boolean } = {}): Promise<DashboardFile[]> =>
  siteOf(await build(options(opts.minify ?? true)));

/** The same, synchronously: CDK constructs are built synchronously. */
export const buildDashboardSync = (opts: { readonly minify?: boolean } = {}): DashboardFile[] =>
  siteOf(buildSync(options(opts.minify ?? true)));

/** Writes the site into `outDir` (emptied first), e.g. for the CDK asset or `npm run dashboard:build`. */
export const writeDashboard = (outDir: string = defaultOutDir): DashboardFile[] => {
  const files = buildDashboardSync();
  const target = resolve(outDir);
  rmSync(target, { recursive: true, force: true });
  mkdirSync(target, { recursive: true });
  for (const file of files) writeFileSync(join(target, file.path), file.contents);
  return files;
};
