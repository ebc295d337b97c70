import { readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { errorKinds } from '#domain/errors.ts';
import { errorCodes, statusOfKind } from '#shared/contract/error-codes.ts';

/**
 * Every error code the code can answer is in the catalogue the API document lists, with the status it
 * is answered with; and the catalogue holds no code that nothing answers. Found by reading functions/:
 * `new HotlineError('<kind>', '<CODE>'`, the helpers that build one with a fixed kind, `notFound('x')`
 * (X_NOT_FOUND), the HTTP layer's own `errorBody('<CODE>'`, and the problem lists of the intake and
 * catalogue checks. (Open311 answers the spec's own error list: docs/open311.md.)
 */
const functionsDir = resolve(import.meta.dirname, '../../../functions');
const sources = (dir: string): string[] =>
  readdirSync(dir, { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory()
      ? sources(join(dir, entry.name))
      : entry.name.endsWith('.ts')
        ? [join(dir, entry.name)]
        : [],
  );

const thrown = new Map<string, Set<string>>();
const found = (code: string, kind: string) => thrown.set(code, (thrown.get(code) ?? new Set()).add(kind));
for (const file of sources(functionsDir)) {
  if (/open311/.test(file) && !file.endsWith('open311-keys.ts')) continue;
  const text = readFileSync(file, 'utf8');
  for (const m of text.matchAll(/HotlineError\(\s*'([a-zA-Z]+)',\s*'([A-Z0-9_]+)'/g))
    found(m[2] ?? '', m[1] ?? '');
  for (const m of text.matchAll(/\?\s*first\.code\s*:\s*'([A-Z0-9_]+)'/g)) found(m[1] ?? '', 'unprocessable');
  for (const m of text.matchAll(/\bcode: '([A-Z0-9_]+)'/g)) found(m[1] ?? '', 'unprocessable');
  for (const m of text.matchAll(/\b(?:refuse|denied)\('([A-Z0-9_]+)'/g)) found(m[1] ?? '', 'forbidden');
  for (const m of text.matchAll(/\bconflict\('([A-Z0-9_]+)'/g)) found(m[1] ?? '', 'conflict');
  for (const m of text.matchAll(/\bnotFound\('([a-z ]+)'/g))
    found(`${(m[1] ?? '').toUpperCase().replaceAll(' ', '_')}_NOT_FOUND`, 'notFound');
  for (const m of text.matchAll(/errorBody\('([A-Z0-9_]+)'/g)) found(m[1] ?? '', 'http');
}

describe('the error-code catalogue', () => {
  it('found the codes it looks for (the scan itself works)', () => {
    expect(thrown.size).toBeGreaterThan(50);
    expect(thrown.get('ACTION_NOT_ALLOWED')).toEqual(new Set(['conflict']));
    expect(thrown.get('ORDER_NOT_FOUND')).toEqual(new Set(['notFound']));
  });

  it('lists every code thrown, with the kind it is thrown with', () => {
    const catalogue = errorCodes as Record<string, { kind: string }>;
    for (const [code, kinds] of thrown) {
      expect(catalogue[code], `${code} is answered but not in shared/contract/error-codes.ts`).toBeDefined();
      for (const kind of kinds) if (kind !== 'http') expect(catalogue[code]?.kind, code).toBe(kind);
    }
  });

  it('holds no code that nothing answers', () => {
    expect(Object.keys(errorCodes).filter((code) => !thrown.has(code))).toEqual([]);
  });

  it("answers each kind with the HTTP layer's status", () => {
    for (const [kind, status] of Object.entries(errorKinds))
      expect(statusOfKind[kind as keyof typeof statusOfKind]).toBe(status);
  });
});
