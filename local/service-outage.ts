import { AwsServiceError } from './aws-errors.ts';

/**
 * A local-only outage switch (never part of the deployed code): while a service is down, every call the
 * handlers make to its API is answered as AWS answers when it cannot serve — HTTP 503 ServiceUnavailable
 * (AWS's common errors), which the SDK retries and then gives up on — while what already runs inside it
 * (executions on the interpreter) goes on. For tests of a failed StartExecution at intake:
 * POST /_local/outages { "stepFunctions": true }.
 */
export const outageServices = ['stepFunctions'] as const;
export type OutageService = (typeof outageServices)[number];

export class ServiceOutages {
  private readonly down = new Set<OutageService>();

  set(service: OutageService, down: boolean): void {
    if (down) this.down.add(service);
    else this.down.delete(service);
  }

  view(): Record<OutageService, boolean> {
    return Object.fromEntries(outageServices.map((s) => [s, this.down.has(s)])) as Record<
      OutageService,
      boolean
    >;
  }

  /** `api` as the AWS endpoint calls it: each of its methods fails while `service` is down. */
  guard<T extends object>(service: OutageService, api: T): T {
    return new Proxy(api, {
      get: (target, property, receiver) => {
        const value = Reflect.get(target, property, receiver);
        if (typeof value !== 'function') return value;
        return (...args: unknown[]) => {
          if (this.down.has(service)) {
            throw new AwsServiceError('ServiceUnavailable', `${service} is unavailable (local outage)`, 503);
          }
          return (value as (...a: unknown[]) => unknown).apply(target, args);
        };
      },
    });
  }
}
