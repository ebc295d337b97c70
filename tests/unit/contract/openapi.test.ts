import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { buildOpenApiDocument } from '#shared/contract/openapi.ts';
import { routeContracts } from '#shared/contract/routes.ts';
import { httpRoutes, routeKeyOf, scopeOf } from '#wiring/wiring.ts';
import { contractProblem } from '../../integration/contract-check.ts';

/** The generated API document against the wiring table, the linter and the checker built on it. */
const repoRoot = resolve(import.meta.dirname, '../../..');
const document = buildOpenApiDocument();
type Operation = {
  security: Record<string, string[]>[];
  parameters?: { name: string; in: string; required: boolean }[];
  requestBody?: { content: Record<string, unknown> };
  responses: Record<string, { content?: Record<string, unknown> }>;
};
const operationOf = (method: string, path: string) =>
  (document.paths[path] as Record<string, Operation> | undefined)?.[method.toLowerCase()];

describe('the API document', () => {
  it('has a contract for every route of the wiring table, and none for a route that is not there', () => {
    const wired = httpRoutes.map(routeKeyOf).sort();
    expect(Object.keys(routeContracts).sort()).toEqual(wired);
    for (const route of httpRoutes)
      expect(operationOf(route.method, route.path), routeKeyOf(route)).toBeDefined();
  });

  it("names each route's roles as its security: any one of the role scopes, or none", () => {
    for (const route of httpRoutes) {
      const { security } = operationOf(route.method, route.path) as Operation;
      expect(security, routeKeyOf(route)).toEqual(
        (route.roles ?? []).map((role) => ({ staffToken: [scopeOf(role)] })),
      );
    }
  });

  it('documents every path parameter, a success and the errors of every operation', () => {
    for (const route of httpRoutes) {
      const operation = operationOf(route.method, route.path) as Operation;
      const params = [...route.path.matchAll(/\{([^}]+)\}/g)].map((m) => m[1]);
      const inPath = (operation.parameters ?? []).filter((p) => p.in === 'path').map((p) => p.name);
      expect(inPath, routeKeyOf(route)).toEqual(params);
      const statuses = Object.keys(operation.responses).map(Number);
      expect(
        statuses.some((s) => s >= 200 && s < 300),
        routeKeyOf(route),
      ).toBe(true);
      expect(statuses, routeKeyOf(route)).toContain(500);
      if (route.roles) expect(statuses, routeKeyOf(route)).toEqual(expect.arrayContaining([401, 403]));
    }
  });

  it('takes the query and body schemas the handlers parse with', () => {
    const list = operationOf('GET', '/orders') as Operation;
    expect(list.parameters?.map((p) => p.name)).toEqual([
      'status',
      'unitId',
      'districtCode',
      'createdFrom',
      'createdTo',
      'limit',
      'cursor',
    ]);
    expect(list.parameters?.every((p) => !p.required)).toBe(true);
    const contact = operationOf('GET', '/orders/{id}/contact') as Operation;
    expect(contact.parameters?.find((p) => p.name === 'purpose')?.required).toBe(true);
    const dispatch = operationOf('POST', '/orders/{id}/dispatch') as Operation;
    expect(dispatch.requestBody?.content['application/json']).toMatchObject({
      schema: { type: 'object', required: ['unitId'], additionalProperties: false },
    });
    expect(dispatch.parameters?.map((p) => p.name)).toEqual(['id', 'Idempotency-Key', 'If-Match']);
  });

  it('lists every error code in its description, with its status', () => {
    const { description } = document.info;
    for (const code of ['VALIDATION_FAILED', 'ACTION_NOT_ALLOWED', 'SURVEY_LINK_USED_OR_EXPIRED'])
      expect(description).toContain(`\`${code}\``);
    const exclusion = operationOf('POST', '/orders/{id}/assessment-exclusion') as Operation;
    expect(Object.keys(exclusion.responses)).toEqual(
      expect.arrayContaining(['200', '400', '401', '403', '404', '409', '415', '422', '500']),
    );
  });

  it('passes @redocly/cli lint (recommended rules, redocly.yaml)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'hotline-openapi-'));
    try {
      const file = join(dir, 'openapi.json');
      writeFileSync(file, JSON.stringify(document));
      const cli = join(repoRoot, 'node_modules/@redocly/cli/bin/cli.js');
      const run = await promisify(execFile)(
        process.execPath,
        [cli, 'lint', file, '--config', join(repoRoot, 'redocly.yaml'), '--format', 'json'],
        {
          cwd: repoRoot,
          env: { ...process.env, REDOCLY_TELEMETRY: 'off', REDOCLY_SUPPRESS_UPDATE_NOTICE: 'true' },
        },
      ).catch((error: { stdout?: string; stderr?: string }) => error);
      const report = JSON.parse(run.stdout ?? '{}') as {
        totals?: Record<string, number>;
        problems?: unknown[];
      };
      expect(report.problems, run.stderr).toEqual([]);
      expect(report.totals).toMatchObject({ errors: 0, warnings: 0 });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 60_000);
});

describe('the contract check the integration tests run on every answer', () => {
  const json = 'application/json; charset=utf-8';
  it('passes an answer as documented', () => {
    expect(
      contractProblem('GET', '/health', {
        status: 200,
        contentType: json,
        body: { status: 'ok', service: 'hotline' },
      }),
    ).toBeUndefined();
  });

  it('catches a field of the wrong type, a missing one, an undocumented status or media type', () => {
    expect(
      contractProblem('GET', '/health', {
        status: 200,
        contentType: json,
        body: { status: 'ok', service: 7 },
      }),
    ).toMatch(/service/);
    expect(
      contractProblem('GET', '/orders?limit=1', { status: 200, contentType: json, body: { cursor: 'x' } }),
    ).toMatch(/items/);
    expect(contractProblem('GET', '/orders/WO1', { status: 418, contentType: json, body: {} })).toMatch(
      /418/,
    );
    expect(
      contractProblem('GET', '/orders/WO1', { status: 200, contentType: 'text/html', body: '' }),
    ).toMatch(/text\/html/);
    expect(
      contractProblem('POST', '/orders/WO1/reply', {
        status: 409,
        contentType: json,
        body: { error: { code: 'ACTION_NOT_ALLOWED' } },
      }),
    ).toMatch(/message/);
  });

  it("leaves the local stack's own controls and unrouted paths alone", () => {
    expect(
      contractProblem('GET', '/_local/clock', { status: 200, contentType: json, body: 1 }),
    ).toBeUndefined();
    expect(contractProblem('GET', '/nowhere', { status: 404, contentType: json, body: {} })).toBeUndefined();
  });
});

describe('the generated TypeScript client', () => {
  it('is the one openapi-typescript makes of the document today (npm run api:client)', async () => {
    const { generateClientTypes } = await import('../../../clients/typescript/generate.ts');
    const committed = readFileSync(join(repoRoot, 'clients/typescript/hotline-api.d.ts'), 'utf8');
    expect(await generateClientTypes(document)).toBe(committed);
  }, 60_000);
});
