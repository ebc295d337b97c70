import { setTimeout as sleep } from 'node:timers/promises';
import type { BusEvent, DeadLetter } from '../event-bus.ts';
import type { StoredApiDestination, StoredConnection } from './api-destinations.ts';
import type { StoredRule, StoredTarget } from './rules.ts';
import { parameterValue, renderTargetInput } from './target-input.ts';

/**
 * Sends a matched event to an API destination target the way EventBridge does ("API destinations",
 * "Event retry policy and using dead-letter queues"):
 * - one HTTP request with Node's fetch: the destination's method and endpoint, each `*` of the endpoint
 *   replaced by the next of the target's PathParameterValues, the target's QueryStringParameters and
 *   HeaderParameters (a value `$.detail.x` read from the event), then the connection's
 *   InvocationHttpParameters, which win on a conflict (its BodyParameters are added to a JSON object
 *   body), then the connection's API key header (or `Authorization: Basic ...`);
 * - the headers EventBridge adds to every request: `User-Agent: Amazon/EventBridge/ApiDestinations`,
 *   `Content-Type: application/json; charset=utf-8` (a header parameter may replace it),
 *   `Range: bytes=0-1048575`, `Accept-Encoding: gzip,deflate`, `Connection: close`;
 * - the body is the target's input (local/eventbridge/target-input.ts): the event as EventBridge
 *   delivers it, or its InputPath value, or the transformer's output, as compact JSON;
 * - a 5 second client timeout; at most InvocationRateLimitPerSecond requests start in any second per
 *   destination (the others wait: "the invocations will still occur, but are delayed");
 * - 2xx is delivered; 401, 407, 409, 429, 5xx, a timeout and a network error are retried; any other
 *   status (3xx and the other 4xx: redirects are not followed) goes to the dead letters at once, as
 *   does a destination or connection deleted since PutTargets (NO_RESOURCE) and a transformer output
 *   that is not JSON (INVALID_JSON);
 * - retries stop at the target's RetryPolicy: MaximumRetryAttempts (185 by default) or
 *   MaximumEventAgeInSeconds (86,400 by default) since the bus took the event, on the bus's clock; a
 *   `Retry-After` answer makes the wait the longer of it and the backoff, a negative one stops;
 * - the dead letter carries the DeadLetterConfig queue ARN and the message attributes EventBridge
 *   puts on DLQ messages: RULE_ARN, TARGET_ARN, ERROR_CODE, ERROR_MESSAGE, RETRY_ATTEMPTS and, when
 *   the retries ran out, EXHAUSTED_RETRY_CONDITION.
 *
 * Unlike AWS (on purpose), to keep the local stack's waits short (the bus's `drain()` waits for these
 * deliveries, and the stack drains at every instant its clock steps through):
 * - the backoff is exponential from 100 ms, doubling up to 1 s, without jitter, on real timers
 *   (AWS spreads 185 retries over 24 hours); `Retry-After` is honoured up to that 1 s too;
 * - at most LOCAL_MAX_RETRIES (10) retries are made whatever MaximumRetryAttempts says (as the local
 *   Scheduler does), so a failing endpoint is dead-lettered within seconds;
 * - the dead letter is kept (GET /_local/dead-letters) whether or not the target names a queue (AWS
 *   drops the event when it has none); no message is sent to SQS;
 * - AWS documents the error codes a DLQ message may carry but not which one a failed HTTP request
 *   gets: here an answer with an error status is ERROR_FROM_TARGET, a timeout TIMEOUT and a network
 *   error CONNECTION_FAILURE.
 * Nothing is logged: request and response bodies may hold citizens' details.
 */
export const INVOCATION_TIMEOUT_MS = 5_000;
export const LOCAL_MAX_RETRIES = 10;

export interface DeliveryRetry {
  /** The first wait (ms); each next one doubles, up to maxDelayMs. */
  readonly baseDelayMs: number;
  readonly maxDelayMs: number;
  /** Retries made at most, whatever the target's MaximumRetryAttempts. */
  readonly maxRetries: number;
}

export const LOCAL_RETRY: DeliveryRetry = {
  baseDelayMs: 100,
  maxDelayMs: 1_000,
  maxRetries: LOCAL_MAX_RETRIES,
};

const AWS_DEFAULT_RETRY = { MaximumRetryAttempts: 185, MaximumEventAgeInSeconds: 86_400 } as const;

const RETRIED_STATUSES = new Set([401, 407, 409, 429]);

export interface ApiDestinationDeliveryOptions {
  /** The bus's clock (event age). */
  readonly now: () => number;
  readonly retry?: Partial<DeliveryRetry>;
  readonly timeoutMs?: number;
}

/** One matched event for one API destination target. */
export interface DeliveryJob {
  readonly rule: StoredRule;
  readonly target: StoredTarget;
  readonly event: BusEvent;
  /** When the bus took the event (epoch ms, bus clock). */
  readonly ingestedAt: number;
  /** The target's destination and its connection, looked up again at each attempt (undefined: gone). */
  readonly resolve: () => { destination: StoredApiDestination; connection: StoredConnection } | undefined;
}

type Attempt =
  | { readonly ok: true }
  | {
      readonly ok: false;
      readonly retry: boolean;
      readonly code: string;
      readonly message: string;
      readonly status?: number;
      /** Retry-After in ms (negative: stop retrying). */
      readonly retryAfterMs?: number;
    };

/** Invocations per second of one destination: at most `rate` requests start in any 1 s window (real time). */
class RateLimiter {
  private readonly starts: number[] = [];
  private queue: Promise<void> = Promise.resolve();

  acquire(rate: number): Promise<void> {
    const turn = this.queue.then(async () => {
      for (;;) {
        const now = performance.now();
        while ((this.starts[0] ?? Number.POSITIVE_INFINITY) <= now - 1_000) this.starts.shift();
        if (this.starts.length < rate) {
          this.starts.push(now);
          return;
        }
        await sleep((this.starts[0] ?? now) + 1_000 - now);
      }
    });
    this.queue = turn;
    return turn;
  }
}

export class ApiDestinationDelivery {
  private readonly limiters = new Map<string, RateLimiter>();
  private readonly retry: DeliveryRetry;
  private readonly timeoutMs: number;

  constructor(private readonly options: ApiDestinationDeliveryOptions) {
    this.retry = { ...LOCAL_RETRY, ...options.retry };
    this.timeoutMs = options.timeoutMs ?? INVOCATION_TIMEOUT_MS;
  }

  /** Delivers, retrying as the target's RetryPolicy says; resolves to the dead letter when it failed. */
  async deliver(job: DeliveryJob): Promise<DeadLetter | undefined> {
    const { target } = job;
    const maxRetries = Math.min(
      target.RetryPolicy?.MaximumRetryAttempts ?? AWS_DEFAULT_RETRY.MaximumRetryAttempts,
      this.retry.maxRetries,
    );
    const maxAgeMs =
      (target.RetryPolicy?.MaximumEventAgeInSeconds ?? AWS_DEFAULT_RETRY.MaximumEventAgeInSeconds) * 1_000;
    const { 'event-bus-name': _bus, ...delivered } = job.event;
    const rendered = renderTargetInput(target, delivered, {
      ruleArn: job.rule.Arn,
      ruleName: job.rule.Name,
      ingestionTime: new Date(job.ingestedAt).toISOString(),
    });
    if (!rendered.ok) return deadLetter(job, { code: rendered.code, message: rendered.message }, 1);

    for (let attempt = 1; ; attempt++) {
      const resolved = job.resolve();
      if (!resolved)
        return deadLetter(
          job,
          {
            code: 'NO_RESOURCE',
            message: `The API destination ${target.Arn} or its connection does not exist.`,
          },
          attempt,
        );
      let limiter = this.limiters.get(resolved.destination.ApiDestinationArn);
      if (!limiter) {
        limiter = new RateLimiter();
        this.limiters.set(resolved.destination.ApiDestinationArn, limiter);
      }
      await limiter.acquire(resolved.destination.InvocationRateLimitPerSecond);
      const outcome = await this.send(
        resolved.destination,
        resolved.connection,
        target,
        delivered,
        rendered.body,
      );
      if (outcome.ok) return undefined;
      if (!outcome.retry) return deadLetter(job, outcome, attempt);
      if (outcome.retryAfterMs !== undefined && outcome.retryAfterMs < 0)
        return deadLetter(job, outcome, attempt);
      if (attempt - 1 >= maxRetries)
        return deadLetter(job, { ...outcome, exhausted: 'MaximumRetryAttempts' }, attempt);
      const backoff = Math.min(this.retry.maxDelayMs, this.retry.baseDelayMs * 2 ** (attempt - 1));
      await sleep(Math.min(this.retry.maxDelayMs, Math.max(backoff, outcome.retryAfterMs ?? 0)));
      if (this.options.now() - job.ingestedAt >= maxAgeMs)
        return deadLetter(job, { ...outcome, exhausted: 'MaximumEventAgeInSeconds' }, attempt);
    }
  }

  private async send(
    destination: StoredApiDestination,
    connection: StoredConnection,
    target: StoredTarget,
    event: Readonly<Record<string, unknown>>,
    input: string,
  ): Promise<Attempt> {
    const { url, headers, body } = buildRequest(destination, connection, target, event, input);
    let response: Response;
    try {
      response = await fetch(url, {
        method: destination.HttpMethod,
        headers,
        ...(body === undefined ? {} : { body }),
        redirect: 'manual',
        signal: AbortSignal.timeout(this.timeoutMs),
      });
    } catch (error) {
      const timedOut = (error as Error).name === 'TimeoutError' || (error as Error).name === 'AbortError';
      return timedOut
        ? {
            ok: false,
            retry: true,
            code: 'TIMEOUT',
            message: `The endpoint did not answer within ${this.timeoutMs} ms.`,
          }
        : {
            ok: false,
            retry: true,
            code: 'CONNECTION_FAILURE',
            message: `The endpoint could not be reached: ${networkReason(error)}.`,
          };
    }
    // The body is not read (nor kept, nor logged): EventBridge only looks at the status.
    await response.body?.cancel().catch(() => undefined);
    const status = response.status;
    if (status >= 200 && status < 300) return { ok: true };
    const retryAfterMs = retryAfter(response.headers.get('retry-after'));
    return {
      ok: false,
      retry: RETRIED_STATUSES.has(status) || (status >= 500 && status < 600),
      code: 'ERROR_FROM_TARGET',
      message: `The API destination endpoint answered with HTTP status ${status}.`,
      status,
      ...(retryAfterMs !== undefined ? { retryAfterMs } : {}),
    };
  }
}

/** The request for one attempt (exported for tests of its shape). */
export const buildRequest = (
  destination: StoredApiDestination,
  connection: StoredConnection,
  target: StoredTarget,
  event: Readonly<Record<string, unknown>>,
  input: string,
): { url: string; headers: Headers; body: string | undefined } => {
  const values = [...(target.HttpParameters?.PathParameterValues ?? [])];
  const endpoint = destination.InvocationEndpoint.replace(/\*/g, () => {
    const next = values.shift();
    return next === undefined ? '*' : encodeURIComponent(parameterValue(next, event) ?? '');
  });
  const url = new URL(endpoint);
  for (const [key, value] of Object.entries(target.HttpParameters?.QueryStringParameters ?? {})) {
    const resolved = parameterValue(value, event);
    if (resolved !== undefined) url.searchParams.set(key, resolved);
  }
  const invocation = connection.InvocationHttpParameters;
  for (const parameter of invocation?.QueryStringParameters ?? [])
    url.searchParams.set(parameter.Key, parameter.Value);

  const headers = new Headers({
    'User-Agent': 'Amazon/EventBridge/ApiDestinations',
    'Content-Type': 'application/json; charset=utf-8',
    Range: 'bytes=0-1048575',
    'Accept-Encoding': 'gzip,deflate',
    Connection: 'close',
  });
  for (const [key, value] of Object.entries(target.HttpParameters?.HeaderParameters ?? {})) {
    const resolved = parameterValue(value, event);
    if (resolved !== undefined) headers.set(key, resolved);
  }
  for (const parameter of invocation?.HeaderParameters ?? []) headers.set(parameter.Key, parameter.Value);
  if (connection.ApiKey) headers.set(connection.ApiKey.Name, connection.ApiKey.Value);
  if (connection.Basic)
    headers.set(
      'Authorization',
      `Basic ${Buffer.from(`${connection.Basic.Username}:${connection.Basic.Password}`).toString('base64')}`,
    );

  let body: string | undefined = input;
  const bodyParameters = invocation?.BodyParameters ?? [];
  if (bodyParameters.length > 0) {
    const parsed = safeParse(input);
    if (typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed))
      body = JSON.stringify({
        ...parsed,
        ...Object.fromEntries(bodyParameters.map((p) => [p.Key, p.Value])),
      });
  }
  // Fetch sends no body with GET or HEAD.
  if (destination.HttpMethod === 'GET' || destination.HttpMethod === 'HEAD') body = undefined;
  return { url: url.toString(), headers, body };
};

const safeParse = (text: string): unknown => {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
};

const networkReason = (error: unknown): string => {
  const cause = (error as { cause?: { code?: string; message?: string } }).cause;
  return cause?.code ?? cause?.message ?? (error as Error).message;
};

/** `Retry-After`: seconds or an HTTP date, in ms (undefined when absent or unreadable). */
const retryAfter = (value: string | null): number | undefined => {
  if (value === null) return undefined;
  if (/^-?\d+$/.test(value.trim())) return Number(value.trim()) * 1_000;
  const at = Date.parse(value);
  return Number.isNaN(at) ? undefined : Math.max(0, at - Date.now());
};

const deadLetter = (
  job: DeliveryJob,
  failure: { code: string; message: string; status?: number; exhausted?: string },
  attempts: number,
): DeadLetter => {
  const dlq = job.target.DeadLetterConfig?.Arn;
  return {
    rule: job.rule.Name,
    event: job.event,
    error: `${failure.code}: ${failure.message}`,
    attempts,
    target: job.target.Arn,
    targetId: job.target.Id,
    ...(dlq !== undefined ? { deadLetterArn: dlq } : {}),
    ...(failure.status !== undefined ? { status: failure.status } : {}),
    attributes: {
      RULE_ARN: job.rule.Arn,
      TARGET_ARN: job.target.Arn,
      ERROR_CODE: failure.code,
      ERROR_MESSAGE: failure.message,
      RETRY_ATTEMPTS: String(attempts - 1),
      ...(failure.exhausted !== undefined ? { EXHAUSTED_RETRY_CONDITION: failure.exhausted } : {}),
    },
  };
};
