import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
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
    ...apiDocsFiles(),
  ];
};

/** The pages whose names carry no hash: served and deployed to be asked for again every time. */
export const pageFiles: readonly string[] = ['index.html', 'api-docs.html'];

/**
 * The API docs page, api-docs.html: swagger-ui-dist's own bundle and stylesheet (Apache-2.0, their
 * licence alongside), hashed like the dashboard's, and a start script reading /openapi.json of the API
 * config.json names. Nothing from a CDN: the page works offline and under the same CSP.
 */
const swaggerDir = dirname(createRequire(import.meta.url).resolve('swagger-ui-dist/package.json'));
const apiDocsFiles = (): DashboardFile[] => {
  const hashed = (stem: string, ext: string, contents: Uint8Array): DashboardFile => ({
    path: `${stem}-${shortHash(contents)}.${ext}`,
    contents,
  });
  const bundle = hashed('swagger-ui-bundle', 'js', readFileSync(join(swaggerDir, 'swagger-ui-bundle.js')));
  const style = hashed('swagger-ui', 'css', readFileSync(join(swaggerDir, 'swagger-ui.css')));
  const start = hashed('api-docs', 'js', readFileSync(join(dashboardRoot, 'api-docs/start.js')));
  const licence = hashed(
    'swagger-ui-licence',
    'txt',
    Buffer.concat([readFileSync(join(swaggerDir, 'LICENSE')), readFileSync(join(swaggerDir, 'NOTICE'))]),
  );
  const html = readFileSync(join(dashboardRoot, 'api-docs/index.html'), 'utf8')
    .replace('{{bundle}}', `./${bundle.path}`)
    .replace('{{style}}', `./${style.path}`)
    .replace('{{script}}', `./${start.path}`);
  if (html.includes('{{'))
    throw new Error('dashboard/api-docs/index.html has a placeholder the build does not fill');
  return [{ path: 'api-docs.html', contents: new TextEncoder().encode(html) }, bundle, style, start, licence];
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
