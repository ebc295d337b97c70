import { createServer, request as httpRequest, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import * as z from 'zod';
import { Rng } from '../analytics/generator/prng.ts';

/**
 * Chaos for the local stack (never part of the deployed code): with a rate above 0, a share of the
 * calls to the handlers and to DynamoDB fail the way they fail on AWS, so tests can prove that nothing
 * is lost or doubled when they do:
 * - `throttle`: refused before anything ran (Lambda's TooManyRequestsException, DynamoDB's
 *   ProvisionedThroughputExceededException), the caller retries;
 * - `error`: the handler throws before doing anything;
 * - `error-after`: the handler did its work, then its answer is lost (a crash after the commit, the
 *   hardest case for idempotency);
 * - `timeout`: like `error-after`, reported as Lambda reports a timeout (`Sandbox.Timedout`), or for
 *   DynamoDB as a 500 after the write went through.
 * Draws come from a seeded generator, so a failing run can be told apart from another by its seed.
 */
export const faultKinds = ['throttle', 'error', 'error-after', 'timeout'] as const;
export type FaultKind = (typeof faultKinds)[number];

export const faultSettingsSchema = z.strictObject({
  /** Share of calls that fail: 0 (off) to 1 (every call of the targets: a dependency that is down). */
  rate: z.number().min(0).max(1),
  seed: z
    .number()
    .int()
    .min(0)
    .max(2 ** 31)
    .optional(),
  kinds: z.array(z.enum(faultKinds)).min(1).optional(),
  /** Only these targets (`lambda:<function>` or `dynamodb`); every target when absent. */
  targets: z.array(z.string().min(1)).min(1).optional(),
  /**
   * Share of asynchronous deliveries (bus targets, schedules, stream batches) delivered again, once or
   * twice more, a little later and so out of order: each of these is at-least-once on AWS.
   */
  redeliveries: z.number().min(0).max(1).optional(),
});
export type FaultSettings = z.infer<typeof faultSettingsSchema>;

export interface FaultReport {
  readonly rate: number;
  readonly seed: number;
  readonly calls: number;
  readonly injected: number;
  /** Extra deliveries of asynchronous events made so far. */
  readonly redelivered: number;
  /** Injected faults by target, then by kind. */
  readonly byTarget: Readonly<Record<string, Partial<Record<FaultKind, number>>>>;
}

/** An error a fault stands for, named as the AWS service names it. */
export class InjectedFault extends Error {
  constructor(name: string, message: string) {
    super(message);
    this.name = name;
  }
}

/** The fault draws: the generator's named, seeded stream, so a run can be repeated from its seed. */
const seededRandom = (seed: number): (() => number) => {
  const rng = new Rng(`faults|${seed}`);
  return () => rng.next();
};

export class FaultInjector {
  private settings: FaultSettings = { rate: 0 };
  private random = seededRandom(1);
  private calls = 0;
  private byTarget: Record<string, Partial<Record<FaultKind, number>>> = {};
  private redelivered = 0;
  private readonly pending = new Set<Promise<unknown>>();

  constructor(settings?: FaultSettings) {
    if (settings) this.configure(settings);
  }

  /** Replaces the settings and starts counting again. */
  configure(settings: FaultSettings): void {
    this.settings = faultSettingsSchema.parse(settings);
    this.random = seededRandom(this.settings.seed ?? 1);
    this.calls = 0;
    this.byTarget = {};
    this.redelivered = 0;
  }

  get enabled(): boolean {
    return this.settings.rate > 0;
  }

  /** The fault to inject into this call of `target`, if any (counted). */
  draw(target: string, allowed: readonly FaultKind[] = faultKinds): FaultKind | undefined {
    if (!this.enabled) return undefined;
    if (this.settings.targets && !this.settings.targets.includes(target)) return undefined;
    this.calls++;
    if (this.random() >= this.settings.rate) return undefined;
    const kinds = (this.settings.kinds ?? faultKinds).filter((k) => allowed.includes(k));
    const kind = kinds[Math.floor(this.random() * kinds.length)];
    if (!kind) return undefined;
    const counts = this.byTarget[target] ?? {};
    counts[kind] = (counts[kind] ?? 0) + 1;
    this.byTarget[target] = counts;
    return kind;
  }

  /** Schedules the copies of a delivery the `redeliveries` share draws (0, 1 or 2). */
  scheduleCopies(run: () => Promise<unknown>): void {
    const share = this.settings.redeliveries ?? 0;
    if (share <= 0 || this.random() >= share) return;
    const copies = this.random() < 0.5 ? 1 : 2;
    for (let i = 0; i < copies; i++) {
      this.redelivered++;
      const copy = new Promise((resolve) => setTimeout(resolve, this.random() * 300))
        .then(run)
        .catch(() => undefined)
        .finally(() => this.pending.delete(copy));
      this.pending.add(copy);
    }
  }

  /** Resolves once every copy scheduled so far was delivered. */
  async drain(): Promise<void> {
    while (this.pending.size > 0) await Promise.allSettled([...this.pending]);
  }

  report(): FaultReport {
    const injected = Object.values(this.byTarget)
      .flatMap((counts) => Object.values(counts))
      .reduce((sum, n) => sum + (n ?? 0), 0);
    return {
      rate: this.settings.rate,
      seed: this.settings.seed ?? 1,
      calls: this.calls,
      injected,
      redelivered: this.redelivered,
      byTarget: structuredClone(this.byTarget),
    };
  }

  /**
   * Runs a handler invocation under the injector: as Lambda fails it, before or after the handler ran.
   * The names are what Step Functions' Lambda integration and the callers see on AWS.
   */
  async invoke<T>(functionName: string, run: () => Promise<T>): Promise<T> {
    const fault = this.draw(`lambda:${functionName}`);
    switch (fault) {
      case undefined:
        return run();
      case 'throttle':
        throw new InjectedFault(
          'TooManyRequestsException',
          `Rate exceeded (injected fault) for ${functionName}`,
        );
      case 'error':
        throw new InjectedFault('InjectedFault', `Injected failure before ${functionName} ran`);
      case 'error-after':
        await run();
        throw new InjectedFault('InjectedFault', `Injected failure after ${functionName} ran`);
      case 'timeout':
        await run();
        throw new InjectedFault('Sandbox.Timedout', `Task timed out (injected fault) in ${functionName}`);
    }
  }
}

/**
 * Delivers an asynchronous event at least once: the delivery itself, and with the `redeliveries`
 * share one or two copies after a short random delay (0-300 ms), so they may arrive after later
 * events. A copy's failure is its own (the source already has its answer), as on AWS.
 */
export const deliverAtLeastOnce = async <T>(
  injector: FaultInjector | undefined,
  run: () => Promise<T>,
): Promise<T> => {
  const result = await run();
  injector?.scheduleCopies(run);
  return result;
};

/**
 * A fault-injecting HTTP proxy in front of DynamoDB Local, for the handlers only (the stack's own
 * plumbing talks to DynamoDB Local directly, as AWS's services do). A throttle is answered before the
 * request reaches DynamoDB; a timeout forwards it and then answers 500, so the write happened but the
 * caller does not know (the SDK retries both, as it does on AWS).
 */
export const startDynamoFaultProxy = async (
  target: string,
  injector: FaultInjector,
): Promise<{ url: string; server: Server }> => {
  const upstream = new URL(target);
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      const fault = injector.draw('dynamodb', ['throttle', 'timeout']);
      const answer = (status: number, type: string, message: string) => {
        res.writeHead(status, { 'content-type': 'application/x-amz-json-1.0' });
        res.end(JSON.stringify({ __type: `com.amazonaws.dynamodb.v20120810#${type}`, message }));
      };
      if (fault === 'throttle') {
        answer(
          400,
          'ProvisionedThroughputExceededException',
          'The level of configured provisioned throughput for the table was exceeded (injected fault).',
        );
        return;
      }
      const forwarded = httpRequest(
        {
          host: upstream.hostname,
          port: upstream.port,
          method: req.method,
          path: req.url,
          headers: { ...req.headers, host: upstream.host },
        },
        (upstreamRes) => {
          const parts: Buffer[] = [];
          upstreamRes.on('data', (chunk: Buffer) => parts.push(chunk));
          upstreamRes.on('end', () => {
            if (fault === 'timeout') {
              answer(
                500,
                'InternalServerError',
                'Internal server error (injected fault after the request ran).',
              );
              return;
            }
            res.writeHead(upstreamRes.statusCode ?? 500, upstreamRes.headers);
            res.end(Buffer.concat(parts));
          });
        },
      );
      forwarded.on('error', (error) => answer(500, 'InternalServerError', error.message));
      forwarded.end(body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, server };
};
