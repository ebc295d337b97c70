import { parentPort, workerData } from 'node:worker_threads';
import { createContext, type GeneratorContext, type RunOptions } from './context.ts';
import { generateMonth, type MonthStats } from './model.ts';
import { type WrittenFile, writeMonth } from './writer.ts';

/**
 * Makes and writes months, one at a time: in a worker thread (the main thread sends month indices),
 * or in the calling thread through `makeMonth`. The context is rebuilt from the run's options in each
 * thread, so no large structure crosses threads and every thread sees the same city and plan.
 */
export interface WorkerSetup {
  readonly options: RunOptions;
  readonly outDir: string;
}

export interface MonthDone {
  readonly index: number;
  readonly stats: MonthStats;
  readonly files: readonly WrittenFile[];
  readonly generateMs: number;
  readonly writeMs: number;
}

export type WorkerMessage =
  | { readonly type: 'ready' }
  | { readonly type: 'generated'; readonly index: number; readonly rows: number }
  | ({ readonly type: 'done' } & MonthDone)
  | { readonly type: 'error'; readonly message: string; readonly stack?: string };

export const makeMonth = async (
  ctx: GeneratorContext,
  outDir: string,
  index: number,
  onGenerated?: (rows: number) => void,
): Promise<MonthDone> => {
  const month = ctx.plan.months[index];
  if (!month) throw new RangeError(`No month ${index} in the plan.`);
  const t0 = performance.now();
  const { batch, stats } = generateMonth(ctx, month);
  const t1 = performance.now();
  onGenerated?.(batch.size);
  const files = await writeMonth({
    batch,
    month,
    city: ctx.city,
    outDir,
    maxRowsPerFile: ctx.config.output.maxRowsPerFile,
  });
  return { index, stats, files, generateMs: t1 - t0, writeMs: performance.now() - t1 };
};

if (parentPort && (workerData as { generatorWorker?: WorkerSetup } | undefined)?.generatorWorker) {
  const port = parentPort;
  const setup = (workerData as { generatorWorker: WorkerSetup }).generatorWorker;
  const post = (m: WorkerMessage) => port.postMessage(m);
  try {
    const ctx = createContext(setup.options);
    // One month at a time: the next index arrives after each `done`.
    let chain = Promise.resolve();
    port.on('message', (message: { type: 'month'; index: number } | { type: 'stop' }) => {
      if (message.type === 'stop') {
        port.close();
        return;
      }
      chain = chain.then(async () => {
        try {
          const done = await makeMonth(ctx, setup.outDir, message.index, (rows) =>
            post({ type: 'generated', index: message.index, rows }),
          );
          post({ type: 'done', ...done });
        } catch (e) {
          const error = e instanceof Error ? e : new Error(String(e));
          post({ type: 'error', message: error.message, ...(error.stack ? { stack: error.stack } : {}) });
        }
      });
    });
    post({ type: 'ready' });
  } catch (e) {
    const error = e instanceof Error ? e : new Error(String(e));
    post({ type: 'error', message: error.message, ...(error.stack ? { stack: error.stack } : {}) });
  }
}
