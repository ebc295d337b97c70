import { type ChildProcess, spawn } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadOrCreateKeys, signLocalToken } from '../../local/local-auth.ts';
import { defaultLocalDir, repoRoot } from '../../local/paths.ts';

/**
 * The README's walk-through, run as written: its first block starts the stack (here on a free port and
 * in a data folder of its own, nothing else changed), the other blocks run in order in one bash, and
 * every curl must answer the status its `→ NNN` comment promises. `set -euo pipefail`: a variable used
 * before it is set, a failing command or an answer `json` cannot read stops the run.
 */
const README_BASE_URL = 'http://localhost:3000';

interface Walkthrough {
  readonly startArgs: readonly string[];
  /** The shell blocks after the start, in order. */
  readonly blocks: readonly string[];
}

const readWalkthrough = (readme: string): Walkthrough => {
  const start = readme.indexOf('\n## A walk-through\n');
  if (start < 0) throw new Error('README.md has no "## A walk-through" section');
  const end = readme.indexOf('\n## ', start + 1);
  const section = readme.slice(start, end < 0 ? undefined : end);
  const blocks = [...section.matchAll(/^```bash\n([\s\S]*?)^```$/gm)].map((m) => m[1] as string);
  const [first, ...rest] = blocks;
  const command = /^npm start -- (.+)\n$/.exec(first ?? '');
  if (!command?.[1]) throw new Error('The walk-through must begin with one `npm start -- …` block');
  return { startArgs: command[1].trim().split(/\s+/), blocks: rest };
};

/** The statuses a block promises, in order: `→ 201` in its comments. */
const promised = (block: string): number[] => [...block.matchAll(/→ (\d{3})\b/g)].map((m) => Number(m[1]));

/** Records each curl's HTTP status in a log (one line each), and prints its answer as curl would. */
const curlShim = `curl() {
  local body code
  body=$(mktemp)
  code=$(command curl -o "$body" -w '%{http_code}' "$@") || { cat "$body"; rm -f "$body"; return 1; }
  printf '%s\\n' "$code" >> "$WALKTHROUGH_LOG"
  cat "$body"
  rm -f "$body"
}`;

const readme = readFileSync(join(repoRoot, 'README.md'), 'utf8');
const walkthrough = readWalkthrough(readme);

let stack: ChildProcess;
let stackOutput = '';
let url = '';
const localDir = mkdtempSync(join(tmpdir(), 'hotline-readme-'));

beforeAll(async () => {
  // `npm run token` signs with the repository's key (.hotline-local/keys): this stack gets the same key.
  await loadOrCreateKeys(join(defaultLocalDir, 'keys'));
  mkdirSync(join(localDir, 'keys'), { recursive: true });
  copyFileSync(
    join(defaultLocalDir, 'keys', 'jwt-signing-key.json'),
    join(localDir, 'keys', 'jwt-signing-key.json'),
  );
  stack = spawn(
    process.execPath,
    ['--import', 'tsx', 'local/main.ts', ...walkthrough.startArgs, '--port', '0', '--local-dir', localDir],
    { cwd: repoRoot, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, NODE_NO_WARNINGS: '1' } },
  );
  url = await new Promise<string>((resolve, reject) => {
    const onData = (chunk: Buffer) => {
      stackOutput += chunk.toString();
      const match = /ready in[\s\S]*API\s+(http:\/\/localhost:\d+)[\s\S]*Press Ctrl\+C/.exec(stackOutput);
      if (match?.[1]) resolve(match[1]);
    };
    stack.stdout?.on('data', onData);
    stack.stderr?.on('data', onData);
    stack.once('exit', (code) => reject(new Error(`npm start exited with ${code}:\n${stackOutput}`)));
  });
}, 180_000);

afterAll(async () => {
  if (stack?.exitCode === null) {
    const exited = new Promise((resolve) => stack.once('exit', resolve));
    stack.kill('SIGTERM');
    await Promise.race([exited, new Promise((resolve) => setTimeout(resolve, 15_000))]);
    if (stack.exitCode === null) stack.kill('SIGKILL');
  }
  rmSync(localDir, { recursive: true, force: true });
}, 30_000);

describe("the README's walk-through", () => {
  it('starts on a manual clock at a fixed instant, so its answers are the ones written', () => {
    // Assess
    expect(walkthrough.startArgs).toEqual(
      expect.arrayContaining(['--fresh', '--clock', 'manual', '--start-at']),
    );
    expect(walkthrough.blocks.join('\n').split(README_BASE_URL).length - 1).toBe(1);
  });

  it('answers every call with the status written beside it, pasted in order on a fresh stack', async () => {
    // Prepare: the blocks in one bash, only the base URL replaced; a marker after each block
    const log = join(localDir, 'statuses.log');
    writeFileSync(log, '');
    const script = [
      'set -euo pipefail',
      curlShim,
      ...walkthrough.blocks.flatMap((block, i) => [
        block.replaceAll(README_BASE_URL, url),
        `printf '%s\\n' 'end of block ${i}' >> "$WALKTHROUGH_LOG"`,
      ]),
    ].join('\n');

    // Act
    const run = await new Promise<{ code: number | null; output: string }>((resolve, reject) => {
      const bash = spawn('bash', ['-c', script], {
        cwd: repoRoot,
        stdio: ['ignore', 'pipe', 'pipe'],
        env: { ...process.env, NODE_NO_WARNINGS: '1', WALKTHROUGH_LOG: log },
      });
      let output = '';
      bash.stdout.on('data', (chunk: Buffer) => {
        output += chunk.toString();
      });
      bash.stderr.on('data', (chunk: Buffer) => {
        output += chunk.toString();
      });
      bash.once('error', reject);
      bash.once('exit', (code) => resolve({ code, output }));
    });

    // Assess: it ran to its end, and each block's calls answered what the README says, in order
    const answered: number[][] = [[]];
    for (const line of readFileSync(log, 'utf8').split('\n').filter(Boolean)) {
      if (line.startsWith('end of block')) answered.push([]);
      else answered.at(-1)?.push(Number(line));
    }
    expect({ exit: run.code, output: run.code === 0 ? '' : run.output }).toEqual({ exit: 0, output: '' });
    walkthrough.blocks.forEach((block, i) => {
      expect({ block: block.split('\n')[0], statuses: answered[i] }).toEqual({
        block: block.split('\n')[0],
        statuses: promised(block),
      });
    });
  }, 300_000);

  it('leaves one order per flow, the first one closed and called back', async () => {
    // Prepare
    const keys = await loadOrCreateKeys(join(localDir, 'keys'));
    const auditor = await signLocalToken(keys, { role: 'auditor' });
    const get = async <T>(path: string): Promise<T> => {
      const response = await fetch(`${url}${path}`, { headers: { authorization: `Bearer ${auditor}` } });
      return (await response.json()) as T;
    };

    // Act
    const { items } = await get<{ items: { id: string }[] }>('/orders?limit=100');

    // Assess: the retry with the same Idempotency-Key made no order of its own; the last came by Open311
    expect(items).toHaveLength(4);
    expect(await get<unknown>(`/orders/${items[0]?.id}`)).toMatchObject({
      channel: 'open311',
      receivedBy: { app: '朝阳群众' },
    });
    const first = await get<unknown>(`/orders/${items.at(-1)?.id}`);
    expect(first).toMatchObject({ status: 'closed', callback: { state: 'answered' } });
  });
});
