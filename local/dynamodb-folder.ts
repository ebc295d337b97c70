import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { existsSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * One DynamoDB Local per data folder, even across crashes.
 *
 * DynamoDB Local is a Java child of the stack. A stack killed with SIGKILL runs no cleanup, and the
 * child lives on, still holding the folder's SQLite file. Started again on that folder, the stack used to
 * start a second DynamoDB Local beside it. Two on one file corrupt each other: each keeps the stream's
 * next sequence number in memory, so the second writer of a stream record fails on the table `us`'s
 * UNIQUE constraint (SQLITE_CONSTRAINT 1555) and the request answers 500 InternalFailure — tried here:
 * a write to the old one, then every write to the new one fails until its counter passes the other's.
 *
 * So the folder records who runs its DynamoDB Local (`dynamodb-local.json`: the Java pid and the stack's),
 * and before a start:
 * - a DynamoDB Local still running on the folder whose parent is still its stack: refused (another stack
 *   uses the folder);
 * - one whose parent is gone (reparented: an orphan of a crash): killed with SIGKILL — what the crash
 *   would have done to it — and waited for. Its committed writes are in the file: SQLite commits each
 *   request (rollback journal, synchronous FULL, DynamoDB Local's defaults), which a SIGKILL of DynamoDB
 *   Local under transactional load, then a restart, confirmed (every acknowledged write was there).
 * And a small watchdog (`sh`, not on Windows) kills the child within a second of its stack's death, so an
 * orphan does not hold the folder and its memory until the next start.
 */
export const OWNER_FILE = 'dynamodb-local.json';

interface FolderOwner {
  /** DynamoDB Local's (Java) process. */
  readonly pid: number;
  /** The stack's process, DynamoDB Local's parent. */
  readonly owner: number;
}

/** Whether a process runs (a zombie, dead but not yet reaped by its new parent, does not). */
export const isRunning = (pid: number): boolean => {
  if (process.platform === 'linux') {
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
    } catch {
      return false;
    }
  }
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
};

/** A process's command line and parent, or undefined when it is gone. */
const processInfo = (pid: number): { commandLine: string; parent: number } | undefined => {
  try {
    if (process.platform === 'linux') {
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      // "pid (comm) state ppid …": comm may hold spaces and parentheses, so read after the last ')'.
      const parent = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      const commandLine = readFileSync(`/proc/${pid}/cmdline`, 'utf8').replaceAll('\0', ' ');
      return { commandLine, parent };
    }
    const line = execFileSync('ps', ['-o', 'ppid=,command=', '-p', String(pid)], { encoding: 'utf8' }).trim();
    const [parent, ...command] = line.split(/\s+/);
    return line ? { commandLine: command.join(' '), parent: Number(parent) } : undefined;
  } catch {
    return undefined;
  }
};

/** The DynamoDB Local the folder's record names, if it still runs on this folder (pids get reused). */
const recordedInstance = (dbPath: string): (FolderOwner & { parent: number }) | undefined => {
  const file = join(dbPath, OWNER_FILE);
  if (!existsSync(file)) return undefined;
  let recorded: FolderOwner;
  try {
    recorded = JSON.parse(readFileSync(file, 'utf8')) as FolderOwner;
  } catch {
    return undefined;
  }
  const info = processInfo(recorded.pid);
  if (!info || !info.commandLine.includes('DynamoDBLocal') || !info.commandLine.includes(dbPath)) {
    return undefined;
  }
  return { ...recorded, parent: info.parent };
};

const waitUntilGone = async (pid: number, what: string): Promise<void> => {
  const deadline = Date.now() + 15_000;
  while (isRunning(pid)) {
    if (Date.now() > deadline) throw new Error(`${what} (pid ${pid}) did not exit within 15 s`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
};

/**
 * Makes the folder free for a new DynamoDB Local: refuses when another stack's runs there, kills the
 * orphan a crashed stack left. Returns the orphan's pid when there was one.
 */
export const claimDynamoFolder = async (dbPath: string): Promise<number | undefined> => {
  const running = recordedInstance(dbPath);
  if (!running) return undefined;
  if (running.parent === running.owner && isRunning(running.owner)) {
    throw new Error(
      `DynamoDB Local (pid ${running.pid}) of another local stack (pid ${running.owner}) uses ${dbPath}: ` +
        'stop that stack first, or give this one another --local-dir.',
    );
  }
  process.kill(running.pid, 'SIGKILL');
  await waitUntilGone(running.pid, 'The orphaned DynamoDB Local');
  return running.pid;
};

/** Records the folder's DynamoDB Local and keeps a watchdog on it; `release` undoes both. */
export const holdDynamoFolder = (dbPath: string, child: ChildProcess): { release(): void } => {
  const file = join(dbPath, OWNER_FILE);
  if (child.pid === undefined) return { release: () => undefined };
  const record: FolderOwner = { pid: child.pid, owner: process.pid };
  writeFileSync(`${file}.partial`, JSON.stringify(record));
  renameSync(`${file}.partial`, file);
  const watchdog =
    process.platform === 'win32'
      ? undefined
      : // After the script come $0 (a name), $1 (the stack) and $2 (DynamoDB Local).
        spawn(
          'sh',
          [
            '-c',
            'while kill -0 "$1" 2>/dev/null && kill -0 "$2" 2>/dev/null; do sleep 1; done; kill -9 "$2" 2>/dev/null',
            'hotline-dynamodb-watchdog',
            String(process.pid),
            String(child.pid),
          ],
          { detached: true, stdio: 'ignore' },
        );
  watchdog?.unref();
  return {
    release: () => {
      if (watchdog?.pid !== undefined && watchdog.exitCode === null) watchdog.kill('SIGKILL');
      if (recordedInstanceFile(file)?.pid === child.pid) rmSync(file, { force: true });
    },
  };
};

const recordedInstanceFile = (file: string): FolderOwner | undefined => {
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as FolderOwner;
  } catch {
    return undefined;
  }
};
