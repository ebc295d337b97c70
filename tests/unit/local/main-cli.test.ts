import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { repoRoot } from '../../../local/paths.ts';
import { localOnlyRoutes } from '../../../local/stack.ts';

/** `npm start` (local/main.ts) as a person meets it: its usage, its errors, its banner. */

const startArgs = (args: readonly string[]) =>
  [process.execPath, ['--import', 'tsx', 'local/main.ts', ...args]] as const;

/** Runs `npm start`'s entry point to its end. */
const run = (args: readonly string[]) =>
  new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve, reject) => {
    const [command, argv] = startArgs(args);
    const child = spawn(command, argv, { cwd: repoRoot, env: { ...process.env, NODE_NO_WARNINGS: '1' } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
    });
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    child.once('error', reject);
    child.once('exit', (code) => resolve({ code, stdout, stderr }));
  });

const lines = (text: string) => text.split('\n').filter((line) => line.trim() !== '');

describe('npm start --help', () => {
  it('prints the usage with every option and exits with 0', async () => {
    // Act
    const { code, stdout, stderr } = await run(['--help']);

    // Assess
    expect(code).toBe(0);
    expect(stderr).toBe('');
    expect(stdout).toMatch(/^Usage: npm start \[options\]/);
    for (const flag of [
      '--fresh',
      '--port N',
      '--clock MODE',
      '--start-at ISO',
      '--no-demo',
      '--local-dir DIR',
    ])
      expect(stdout).toContain(flag);
  });
});

describe('docs/local-stack.md', () => {
  it('documents every option npm start -- --help prints and every local route', async () => {
    // Prepare
    const doc = readFileSync(join(repoRoot, 'docs/local-stack.md'), 'utf8');
    const { stdout } = await run(['--help']);
    const flags = [...stdout.matchAll(/^ {2}(--[a-z-]+(?: [A-Z]+)?) /gm)].map((m) => m[1] as string);

    // Assess
    expect(flags.length).toBeGreaterThan(10);
    const undocumented = [
      ...flags.filter((flag) => flag !== '--help' && !doc.includes(`\`${flag}\``)),
      ...localOnlyRoutes.map((r) => r.route).filter((route) => !doc.includes(`\`${route}\``)),
    ];
    expect(undocumented).toEqual([]);
  });
});

describe('npm start with a wrong command line', () => {
  it('rejects an unknown option with one line on stderr and exit code 2', async () => {
    // Act
    const { code, stderr } = await run(['--colour', 'blue']);

    // Assess
    expect(code).toBe(2);
    expect(lines(stderr)).toEqual([expect.stringContaining("Unknown option '--colour'")]);
  });

  it('rejects a bad value with one line on stderr and exit code 2', async () => {
    // Act
    const { code, stderr } = await run(['--clock', 'sundial']);

    // Assess
    expect(code).toBe(2);
    expect(lines(stderr)).toEqual([expect.stringContaining('--clock is one of')]);
  });
});

describe('npm start on a busy port', () => {
  let holder: Server;
  let port: number;

  beforeAll(async () => {
    holder = createServer();
    await new Promise<void>((resolve) => holder.listen(0, '127.0.0.1', resolve));
    port = (holder.address() as { port: number }).port;
  });

  afterAll(async () => {
    await new Promise((resolve) => holder.close(resolve));
  });

  it('rejects a port in use with one line on stderr, no stack trace, and a non-zero exit code', async () => {
    // Act
    const { code, stderr } = await run(['--port', String(port), '--local-dir', join(tmpdir(), 'unused')]);

    // Assess
    expect(code).not.toBe(0);
    expect(lines(stderr)).toEqual([
      `npm start: port ${port} on 127.0.0.1 is in use (another local stack?); stop it or choose another with --port N`,
    ]);
  });
});

/** The routes serveLocalRoute dispatches, read from its source: `'GET /_local/x'` literals and route regexes. */
const routesInSource = (): string[] => {
  const source = readFileSync(join(repoRoot, 'local/stack.ts'), 'utf8');
  const body = source.slice(source.indexOf('const serveLocalRoute'));
  const literals = [...body.matchAll(/route === '((?:GET|POST|PUT|DELETE) \/_local\/[^']+)'/g)].map(
    (m) => m[1] as string,
  );
  const patterns = [...body.matchAll(/\/\^((?:GET|POST|PUT|DELETE)) \\\/_local\\\/([a-z-]+)\\\//g)].map(
    (m) => `${m[1]} /_local/${m[2]}/`,
  );
  return [...new Set([...literals, ...patterns])].sort();
};

/** A listed route with its `{param}` cut off, as routesInSource names the regex routes. */
const sourceName = (route: string) => route.replace(/\{[^}]+\}$/, '');

describe('the startup banner', () => {
  let child: ChildProcess;
  let output = '';
  let url = '';
  const localDir = mkdtempSync(join(tmpdir(), 'hotline-cli-'));

  beforeAll(async () => {
    const [command, argv] = startArgs([
      '--port',
      '0',
      '--fresh',
      '--no-demo',
      '--no-nightly-mining',
      '--clock',
      'manual',
      '--quiet',
      '--local-dir',
      localDir,
    ]);
    child = spawn(command, argv, { cwd: repoRoot, env: { ...process.env, NODE_NO_WARNINGS: '1' } });
    url = await new Promise<string>((resolve, reject) => {
      const onData = (chunk: Buffer) => {
        output += chunk.toString();
        if (output.includes('Press Ctrl+C to stop.'))
          resolve(/API\s+(http:\/\/localhost:\d+)/.exec(output)?.[1] ?? '');
      };
      child.stdout?.on('data', onData);
      child.stderr?.on('data', onData);
      child.once('exit', (code) => reject(new Error(`npm start exited with ${code}:\n${output}`)));
    });
  }, 180_000);

  afterAll(async () => {
    if (child?.exitCode === null) {
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      await exited;
    }
    rmSync(localDir, { recursive: true, force: true });
  }, 30_000);

  /** The routes under "Local routes" in the banner. */
  const bannerRoutes = () => {
    const section = output.slice(output.indexOf('Local routes'));
    return [...section.matchAll(/^ {4}((?:GET|POST|PUT|DELETE) \/_local\/\S+(?: \S+\})?)/gm)].map(
      (m) => m[1] as string,
    );
  };

  it('lists every local route the stack serves, and only those', () => {
    // Act
    const listed = bannerRoutes();

    // Assess: the banner shows the table, and the table is what serveLocalRoute dispatches
    expect(listed).toEqual(localOnlyRoutes.map((r) => r.route));
    expect([...new Set(listed.map(sourceName))].sort()).toEqual(routesInSource());
  });

  it('lists only routes that answer (a refusal of the request, never ROUTE_NOT_FOUND)', async () => {
    // Prepare: bodies every POST refuses (nothing moves, nothing is mined); a name no execution has
    const probe = async (route: string) => {
      const method = route.slice(0, route.indexOf(' '));
      const path = route.slice(route.indexOf(' ') + 1);
      const response = await fetch(`${url}${path.replace(/\{[^}]+\}$/, 'WO-NO-SUCH-ORDER')}`, {
        method,
        ...(method === 'GET' ? {} : { body: '[]', headers: { 'content-type': 'application/json' } }),
      });
      const body = (await response.json()) as { error?: { code?: string } };
      return { route, status: response.status, code: body.error?.code };
    };

    // Act
    const answers = await Promise.all([...bannerRoutes(), 'GET /_local/no-such-route'].map(probe));

    // Assess: every listed route is served; the unlisted one shows what "not served" looks like
    expect(answers.filter((a) => a.code === 'ROUTE_NOT_FOUND').map((a) => a.route)).toEqual([
      'GET /_local/no-such-route',
    ]);
  });

  it('shows the API and DynamoDB Local on the loopback address', () => {
    // Assess
    expect(url).toMatch(/^http:\/\/localhost:\d+$/);
    expect(output).toMatch(/DynamoDB Local\s+http:\/\/127\.0\.0\.1:\d+/);
  });
});
