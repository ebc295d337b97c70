import { createServer } from 'node:net';
import { type ParseArgsConfig, parseArgs } from 'node:util';

/**
 * The command lines of `npm start` and `npm run bench`: one table of options with their help, so the
 * usage printed by `--help` is the list the parser accepts; a wrong option is one line on stderr and
 * exit code 2, never a stack trace.
 */
export interface CliOption {
  readonly type: 'string' | 'boolean';
  readonly default?: string | boolean;
  /** What follows a string option in the usage: `--port N`. */
  readonly value?: string;
  readonly help: string;
}

export type CliOptions = Readonly<Record<string, CliOption>>;
type ParseArgsOptions = NonNullable<ParseArgsConfig['options']>;

export const usage = (command: string, summary: string, options: CliOptions): string => {
  const names = Object.entries(options).map(([name, option]) => ({
    flag: `--${name}${option.value ? ` ${option.value}` : ''}`,
    help: option.help,
  }));
  const width = Math.max('--help'.length, ...names.map((n) => n.flag.length)) + 2;
  return [
    `Usage: ${command} [options]`,
    '',
    summary,
    '',
    'Options:',
    ...names.map((n) => `  ${n.flag.padEnd(width)}${n.help}`),
    `  ${'--help'.padEnd(width)}print this and exit`,
  ].join('\n');
};

/** Prints one line to stderr and exits with 2 (a usage error). */
export const failUsage = (command: string, message: string): never => {
  console.error(`${command}: ${message} (${command} -- --help lists the options)`);
  process.exit(2);
};

/**
 * Parses `argv` against `options`; `--help` (or `-h`) prints the usage and exits with 0, anything the
 * table does not know exits with one line.
 */
export const parseCommandLine = <const T extends CliOptions & ParseArgsOptions>(
  command: string,
  summary: string,
  options: T,
  argv: readonly string[],
) => {
  if (argv.includes('--help') || argv.includes('-h')) {
    console.log(usage(command, summary, options));
    process.exit(0);
  }
  try {
    return parseArgs({ args: [...argv], options, strict: true, allowPositionals: false }).values;
  } catch (error) {
    return failUsage(command, (error as Error).message.split('. ')[0] ?? String(error));
  }
};

/** Whether nothing listens on 127.0.0.1:`port` yet (0 asks for any free port: always free). */
export const portIsFree = (port: number): Promise<boolean> =>
  new Promise((resolve, reject) => {
    if (port === 0) return resolve(true);
    const probe = createServer();
    probe.once('error', (error: NodeJS.ErrnoException) =>
      error.code === 'EADDRINUSE' ? resolve(false) : reject(error),
    );
    probe.listen(port, '127.0.0.1', () => probe.close(() => resolve(true)));
  });

/** The one line a command prints for a port someone else holds. */
export const portInUse = (port: number, command = 'npm start'): string =>
  `${command}: port ${port} on 127.0.0.1 is in use (another local stack?); stop it or choose another with --port N`;
