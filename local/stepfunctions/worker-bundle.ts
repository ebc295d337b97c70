import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { build, type Plugin } from 'esbuild';

/**
 * Bundles the interpreter worker (TypeScript) into one ES module a plain worker thread can run, with
 * aws-local-stepfunctions 3.0.0 patched where it departs from Step Functions:
 * - it evaluates a Task's `TimeoutSecondsPath` against the input after `Parameters`, and only after it
 *   has started the task: Step Functions evaluates it against the state's input, and a bad value fails
 *   the state (States.Runtime) before anything is scheduled;
 * - the task override is told the state's input and the context object (for `HeartbeatSecondsPath`);
 * - a Task without `TimeoutSeconds` times out after 60 s (the States Language default); Step Functions'
 *   default is 99999999 s;
 * - `$$.Execution.Input` / `StartTime` are the run's input and start: on a redrive, and in every
 *   Parallel branch, Step Functions keeps the execution's.
 * Each replacement must apply exactly once, or the bundle is refused (a library upgrade must be
 * re-checked, not silently mis-patched).
 */
export const interpreterPatches: readonly (readonly [string, string])[] = [
  [
    'taskStateAction.execute(input, context, { overrideFn, awsConfig })',
    'taskStateAction.execute(input, context, { overrideFn, awsConfig, stateInput: rawInput })',
  ],
  [
    'const taskPromise = options.overrideFn ? (',
    'const timeoutMs = this.getTimeoutMs(options.stateInput ?? input, context);\n    const taskPromise = options.overrideFn ? (',
  ],
  [
    'options.overrideFn(input)',
    'options.overrideFn(input, { stateInput: options.stateInput ?? input, context })',
  ],
  ['    const timeoutMs = this.getTimeoutMs(input, context);\n', ''],
  ['var DEFAULT_TIMEOUT_SECONDS = 60;', 'var DEFAULT_TIMEOUT_SECONDS = 99999999;'],
  [
    `        ...options.runOptions?.context?.Execution,
        Input: input,
        StartTime: (/* @__PURE__ */ new Date()).toISOString()`,
    `        Input: input,
        StartTime: (/* @__PURE__ */ new Date()).toISOString(),
        ...options.runOptions?.context?.Execution`,
  ],
];

export const patchInterpreter: Plugin = {
  name: 'patch-aws-local-stepfunctions',
  setup(pluginBuild) {
    pluginBuild.onLoad({ filter: /aws-local-stepfunctions[\\/]build[\\/]main\.node\.esm\.js$/ }, (args) => {
      let contents = readFileSync(args.path, 'utf8');
      for (const [from, to] of interpreterPatches) {
        if (contents.split(from).length !== 2)
          throw new Error(`aws-local-stepfunctions changed: cannot patch "${from}"`);
        contents = contents.replace(from, () => to);
      }
      return { contents, loader: 'js' as const };
    });
  },
};

/** Writes the patched worker bundle to `outfile`. */
export const bundleInterpreterWorker = async (outfile: string): Promise<void> => {
  await build({
    entryPoints: [join(import.meta.dirname, 'interpreter-worker.ts')],
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    outfile,
    logLevel: 'silent',
    plugins: [patchInterpreter],
    banner: {
      js: "import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);",
    },
  });
};
