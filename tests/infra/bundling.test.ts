import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { CfnFunction } from 'aws-cdk-lib/aws-lambda';
import { beforeAll, describe, expect, it } from 'vitest';
import { type FunctionName, lambdaFunctions } from '#wiring/wiring.ts';
import { buildApp, type HotlineApp } from '../../infra/app.ts';

/**
 * Real bundling, as `cdk synth` does it: every handler must bundle with the local esbuild (there is no
 * Docker engine here, so a fallback to Docker would fail this test).
 */
describe('bundling every handler with the local esbuild', () => {
  let hotline: HotlineApp;
  let outdir: string;

  beforeAll(() => {
    outdir = mkdtempSync(path.join(tmpdir(), 'hotline-cdk-out-'));
    hotline = buildApp({ outdir });
    hotline.app.synth();
  }, 600_000);

  const bundleOf = (name: FunctionName | 'preTokenGeneration'): string => {
    const { lambda } =
      name === 'preTokenGeneration'
        ? hotline.stack.identity.preTokenGeneration
        : hotline.stack.functions[name];
    const code = hotline.stack.resolve((lambda.node.defaultChild as CfnFunction).code) as { s3Key: string };
    return path.join(outdir, `asset.${code.s3Key.replace(/\.zip$/, '')}`);
  };

  const names = [...(Object.keys(lambdaFunctions) as FunctionName[]), 'preTokenGeneration' as const];

  it.each(names)('bundles %s as minified ESM with a source map and the require banner', (name) => {
    const dir = bundleOf(name);
    const bundle = readFileSync(path.join(dir, 'index.mjs'), 'utf8');

    expect(existsSync(path.join(dir, 'index.mjs.map'))).toBe(true);
    expect(
      bundle.startsWith(
        "import { createRequire } from 'module'; const require = createRequire(import.meta.url);",
      ),
    ).toBe(true);
    expect(bundle).toMatch(/export\s*\{[^}]*\bhandler\b/);
  });
});
