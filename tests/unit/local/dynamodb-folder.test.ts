import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { claimDynamoFolder, isRunning, OWNER_FILE } from '../../../local/dynamodb-folder.ts';

/**
 * One DynamoDB Local per data folder: the folder records who runs it, a start refuses a folder another
 * stack's DynamoDB Local serves, and kills the one a crashed stack left running. A stand-in process
 * whose command line reads like DynamoDB Local on the folder plays its part (no Java needed).
 */
const started: ChildProcess[] = [];
const dirs: string[] = [];

afterEach(() => {
  for (const child of started.splice(0)) if (child.exitCode === null) child.kill('SIGKILL');
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

const folder = (): string => {
  const dir = mkdtempSync(join(tmpdir(), 'hotline-dynamo-folder-'));
  dirs.push(dir);
  return dir;
};

/** A process that looks like DynamoDB Local serving `dbPath` (its parent: this test process). */
const standIn = (dbPath: string): ChildProcess => {
  const child = spawn('sh', ['-c', 'sleep 60', 'DynamoDBLocal.jar', '-dbPath', dbPath], { stdio: 'ignore' });
  started.push(child);
  return child;
};

const record = (dbPath: string, pid: number, owner: number) =>
  writeFileSync(join(dbPath, OWNER_FILE), JSON.stringify({ pid, owner }));

/** The pid of a process that has ended: a stack that crashed. */
const deadPid = (): number => spawnSync('true').pid ?? 0;

describe('claimDynamoFolder', () => {
  it('refuses a folder whose DynamoDB Local still serves the stack that started it', async () => {
    // Prepare
    const dbPath = folder();
    const running = standIn(dbPath);
    record(dbPath, running.pid ?? 0, process.pid);

    // Act
    const claim = claimDynamoFolder(dbPath);

    // Assess
    await expect(claim).rejects.toThrow(/of another local stack \(pid \d+\) uses/);
    expect(isRunning(running.pid ?? 0)).toBe(true);
  });

  it('kills the DynamoDB Local a crashed stack left running, and waits until it is gone', async () => {
    // Prepare: recorded for a stack that no longer runs
    const dbPath = folder();
    const orphan = standIn(dbPath);
    record(dbPath, orphan.pid ?? 0, deadPid());

    // Act
    const reaped = await claimDynamoFolder(dbPath);

    // Assess
    expect(reaped).toBe(orphan.pid);
    expect(isRunning(orphan.pid ?? 0)).toBe(false);
  });

  it('returns at once, killing nothing, when the recorded process is another program now (pids are reused)', async () => {
    // Prepare: the recorded pid runs, but not as DynamoDB Local on this folder
    const dbPath = folder();
    const other = standIn(folder());
    record(dbPath, other.pid ?? 0, deadPid());

    // Act
    const reaped = await claimDynamoFolder(dbPath);

    // Assess
    expect(reaped).toBeUndefined();
    expect(isRunning(other.pid ?? 0)).toBe(true);
  });

  it('returns at once for a folder without a record or with a garbled one', async () => {
    const dbPath = folder();
    expect(await claimDynamoFolder(dbPath)).toBeUndefined();
    writeFileSync(join(dbPath, OWNER_FILE), '{"pid":');
    expect(await claimDynamoFolder(dbPath)).toBeUndefined();
  });
});
