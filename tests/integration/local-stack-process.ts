import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { Role } from '#wiring/wiring.ts';
import { type LocalKeys, loadOrCreateKeys, signLocalToken } from '../../local/local-auth.ts';
import { checkContract } from './contract-check.ts';

/**
 * Runs the real local stack (`npm start`'s entry point) in a child process, exactly as a person would,
 * and talks to it over HTTP only. Each test file gets its own stack, data folder and manual clock.
 * Every answer `api` returns has been checked against the API document first (contract-check.ts).
 */
const repoRoot = resolve(import.meta.dirname, '../..');

export interface StackProcess {
  readonly url: string;
  /** DynamoDB Local of this stack, for tests that must reach under the API (tampering with the log). */
  readonly dynamoEndpoint: string;
  /** The local Step Functions + EventBridge endpoint, for tests that put events on the bus directly. */
  readonly awsEndpoint: string;
  readonly localDir: string;
  readonly startupMs: number;
  /** The stack's process id (its DynamoDB Local is a child of it). */
  readonly pid: number;
  /**
   * Kills the stack's process with `signal` and waits until it is gone, as a crash would (SIGKILL: no
   * cleanup runs). The data folder is kept, for a restart on it.
   */
  kill(signal: NodeJS.Signals): Promise<void>;
  /** Everything the stack's process wrote so far (stdout and stderr): its functions' log lines. */
  output(): string;
  /** A token as Cognito would issue it; `claims` replace or add claims (odd or forged tokens). */
  token(role: Role, unitId?: string, claims?: Readonly<Record<string, unknown>>): Promise<string>;
  api(
    method: string,
    path: string,
    options?: { token?: string; body?: unknown; headers?: Record<string, string>; raw?: string },
  ): Promise<ApiResponse>;
  stop(): Promise<void>;
}

export interface ApiResponse {
  readonly status: number;
  readonly headers: Headers;
  // biome-ignore lint/suspicious/noExplicitAny: test responses are asserted field by field
  readonly body: any;
}

export const startStackProcess = async (options: {
  startAt?: string;
  localDir?: string;
  fresh?: boolean;
  /** Let `npm start` create its demo orders (the other tests start empty). */
  demo?: boolean;
  /** Create the nightly mining schedule, as `npm start` does. */
  nightlyMining?: boolean;
  /** Create the lifecycle reconciler's schedule (every 5 minutes), as `npm start` does. */
  lifecycleReconciler?: boolean;
  /** Create the call-back reconciler's schedule (every 5 minutes), as `npm start` does. */
  callbackReconciler?: boolean;
  /** Fault injection (local/fault-injection.ts): `--faults rate --fault-seed seed`. */
  faults?: { rate: number; seed?: number };
  /** Create the nightly contact-retention schedule, as `npm start` does. */
  contactRetention?: boolean;
  /** The functions' Powertools log level (`--log-level`; WARN unless given). */
  logLevel?: string;
}): Promise<StackProcess> => {
  const localDir = options.localDir ?? mkdtempSync(join(tmpdir(), 'hotline-it-'));
  const started = Date.now();
  const child: ChildProcess = spawn(
    process.execPath,
    [
      '--import',
      'tsx',
      'local/main.ts',
      '--port',
      '0',
      '--clock',
      'manual',
      ...(options.startAt ? ['--start-at', options.startAt] : []),
      '--local-dir',
      localDir,
      ...(options.demo ? [] : ['--no-demo']),
      // The nightly mining runs only where a test looks at insights: the others jump over many nights.
      ...(options.nightlyMining ? [] : ['--no-nightly-mining']),
      // Likewise the reconcilers, which run every 5 minutes of a jump: where a test looks at healing.
      ...(options.lifecycleReconciler ? [] : ['--no-lifecycle-reconciler']),
      ...(options.callbackReconciler ? [] : ['--no-callback-reconciler']),
      ...(options.contactRetention ? [] : ['--no-contact-retention']),
      '--quiet',
      ...(options.logLevel ? ['--log-level', options.logLevel] : []),
      ...(options.faults
        ? ['--faults', String(options.faults.rate), '--fault-seed', String(options.faults.seed ?? 1)]
        : []),
      ...(options.fresh === false ? [] : ['--fresh']),
    ],
    { cwd: repoRoot, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, NODE_NO_WARNINGS: '1' } },
  );
  let output = '';
  const url = await new Promise<string>((resolveUrl, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`The local stack did not start in 90 s:\n${output}`)),
      90_000,
    );
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      const match = /ready in[\s\S]*API\s+(http:\/\/localhost:\d+)/.exec(output);
      if (match?.[1]) {
        clearTimeout(timer);
        resolveUrl(match[1]);
      }
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`The local stack exited with ${code}:\n${output}`));
    });
  });
  const startupMs = Date.now() - started;
  const dynamoEndpoint = /DynamoDB Local\s+(http:\/\/[\d.:]+)/.exec(output)?.[1] ?? '';
  const awsEndpoint = /AWS emulation\s+(http:\/\/[\d.:]+)/.exec(output)?.[1] ?? '';
  const keys: LocalKeys = await loadOrCreateKeys(join(localDir, 'keys'));

  const api: StackProcess['api'] = async (method, path, opts = {}) => {
    const headers: Record<string, string> = { ...opts.headers };
    if (opts.token) headers.authorization = `Bearer ${opts.token}`;
    let body: string | undefined = opts.raw;
    if (opts.body !== undefined) {
      body = JSON.stringify(opts.body);
      headers['content-type'] ??= 'application/json';
    }
    const response = await fetch(`${url}${path}`, {
      method,
      headers,
      ...(body !== undefined ? { body } : {}),
    });
    const text = await response.text();
    let parsed: unknown = text;
    try {
      parsed = text ? JSON.parse(text) : undefined;
    } catch {
      // not JSON: keep the text
    }
    checkContract(method, path, {
      status: response.status,
      contentType: response.headers.get('content-type'),
      body: parsed,
    });
    return { status: response.status, headers: response.headers, body: parsed };
  };

  return {
    url,
    dynamoEndpoint,
    awsEndpoint,
    localDir,
    startupMs,
    pid: child.pid ?? 0,
    output: () => output,
    kill: async (signal) => {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = new Promise((r) => child.once('exit', r));
      child.kill(signal);
      await exited;
    },
    token: (role, unitId, claims) =>
      signLocalToken(keys, { role, ...(unitId ? { unitId } : {}), ...(claims ? { claims } : {}) }),
    api,
    stop: async () => {
      if (child.exitCode === null && child.signalCode === null) {
        const exited = new Promise((r) => child.once('exit', r));
        child.kill('SIGTERM');
        await Promise.race([exited, new Promise((r) => setTimeout(r, 10_000))]);
        if (child.exitCode === null) child.kill('SIGKILL');
      }
      if (!options.localDir) rmSync(localDir, { recursive: true, force: true });
    },
  };
};

/**
 * Polls until `check` returns a value (the lifecycle runs asynchronously after a request). The bound
 * is generous because CI's two cores are shared by two test files, one of them maybe driving Chromium:
 * 10 s was met once there; a passing wait returns as soon as its condition holds, whatever the bound.
 */
export const eventually = async <T>(
  check: () => Promise<T | undefined>,
  what: string,
  timeoutMs = 30_000,
): Promise<T> => {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`Timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
};
