import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';

/**
 * The layering the design holds to (docs/design.md), checked on the source text so that a change
 * breaking it fails here rather than in a reviewer's head: the domain is pure, runtime code never
 * reaches into infra/ or local/, and configuration is read in one module.
 */
const root = join(import.meta.dirname, '..', '..');

const sourceFiles = (dir: string): string[] =>
  readdirSync(join(root, dir), { recursive: true, encoding: 'utf8' })
    .filter((f) => f.endsWith('.ts'))
    .map((f) => join(dir, f));

const imports = (file: string): string[] =>
  [...readFileSync(join(root, file), 'utf8').matchAll(/(?:from|import)\s*\(?\s*['"]([^'"]+)['"]/g)].map(
    (m) => m[1] as string,
  );

const runtime = [...sourceFiles('functions'), ...sourceFiles('wiring')];

describe('code layers', () => {
  it('finds the runtime sources it checks', () => {
    expect(runtime.length).toBeGreaterThan(50);
    expect(runtime).toContain(join('functions', 'domain', 'work-order.ts'));
  });

  it('keeps the domain free of AWS, I/O and the layers above it', () => {
    const offending = sourceFiles(join('functions', 'domain')).flatMap((file) =>
      imports(file)
        .filter((spec) =>
          /^@aws-sdk\/|^@aws-lambda-powertools\/|^@middy\/|^#shared\/|^#application\/|^#wiring\//.test(spec),
        )
        .map((spec) => `${file} imports ${spec}`),
    );
    expect(offending).toEqual([]);
  });

  it('never imports infra/ or local/ from runtime code', () => {
    const offending = runtime.flatMap((file) =>
      imports(file)
        .filter((spec) => /(^|\/)(infra|local)\//.test(spec) || spec.startsWith('aws-cdk-lib'))
        .map((spec) => `${file} imports ${spec}`),
    );
    expect(offending).toEqual([]);
  });

  it('reads the environment only in platform/config.ts', () => {
    const config = join('functions', 'shared', 'platform', 'config.ts');
    const readers = runtime.filter(
      (file) => file !== config && /process\.env\b/.test(readFileSync(join(root, file), 'utf8')),
    );
    expect(readers.map((f) => relative(root, join(root, f)))).toEqual([]);
  });
});
