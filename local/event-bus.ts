import { randomUUID } from 'node:crypto';
import { type EventPattern, matchesPattern, RawJson } from './eventbridge/event-pattern.ts';
import { LocalEventBridge } from './eventbridge/registry.ts';

/**
 * The local EventBridge bus: PutEvents keeps each event in the shape EventBridge delivers to targets
 * (version, id, detail-type, source, account, time, region, resources, detail), matches it against the
 * rules of wiring/wiring.ts with EventBridge's pattern language, and delivers it to each matching
 * rule's target asynchronously, at least once: a failed delivery is retried, then goes to the rule's
 * dead-letter list (GET /_local/dead-letters), like EventBridge's retry policy and DLQ.
 *
 * Beside those rules, the bus has the ones handlers put at run time through the EventBridge API
 * (PutRule, PutTargets, with connections and API destinations: local/eventbridge/registry.ts), matched
 * against the same event and delivered over HTTP to their API destinations; those deliveries are
 * tracked like the others, so `drain()` waits for them too. The stack gives the bus a registry kept in
 * its data folder (`eventBridge`); a bus made without one keeps its run-time rules in memory.
 */
export interface BusEvent {
  readonly version: '0';
  readonly id: string;
  readonly 'detail-type': string;
  readonly source: string;
  readonly account: string;
  readonly time: string;
  readonly region: string;
  readonly resources: readonly string[];
  readonly detail: unknown;
  readonly 'event-bus-name': string;
}

export interface PutEventsEntry {
  readonly EventBusName?: string;
  readonly Source?: string;
  readonly DetailType?: string;
  readonly Detail?: string | Record<string, unknown>;
  readonly Resources?: readonly string[];
  readonly Time?: string | number;
}

export interface LocalRule {
  readonly name: string;
  readonly pattern: EventPattern;
  readonly deliver: (event: BusEvent) => Promise<unknown>;
}

export interface DeadLetter {
  readonly rule: string;
  readonly event: BusEvent;
  readonly error: string;
  readonly attempts: number;
  /** For a run-time rule's target: its ARN and Id (an API destination). */
  readonly target?: string;
  readonly targetId?: string;
  /** The target's DeadLetterConfig queue, where AWS would send the event. */
  readonly deadLetterArn?: string;
  /** The last HTTP status the API destination answered with. */
  readonly status?: number;
  /** The message attributes EventBridge puts on a DLQ message (RULE_ARN, TARGET_ARN, ERROR_CODE, ...). */
  readonly attributes?: Readonly<Record<string, string>>;
}

/** Delivery attempts per event and rule before it is dead-lettered (EventBridge retries up to 185). */
const MAX_ATTEMPTS = 3;

export class LocalEventBus {
  private readonly events: BusEvent[] = [];
  private readonly deadLetters: DeadLetter[] = [];
  private readonly inFlight = new Set<Promise<void>>();
  private readonly capacity: number;
  /** The EventBridge control plane of this bus: connections, API destinations, run-time rules. */
  readonly eventBridge: LocalEventBridge;

  constructor(
    readonly busName: string,
    private readonly now: () => number,
    private readonly rules: readonly LocalRule[] = [],
    options: {
      readonly capacity?: number;
      /** The stack's registry, kept in its data folder; an in-memory one when none is given. */
      readonly eventBridge?: LocalEventBridge;
    } = {},
  ) {
    this.capacity = options.capacity ?? 10_000;
    if (options.eventBridge && options.eventBridge.busName !== busName)
      throw new Error(`The EventBridge registry is for bus ${options.eventBridge.busName}, not ${busName}`);
    this.eventBridge = options.eventBridge ?? new LocalEventBridge({ busName, now });
  }

  /** Resolves once every delivery started so far has ended (for tests and an orderly stop). */
  async drain(): Promise<void> {
    while (this.inFlight.size > 0) await Promise.allSettled([...this.inFlight]);
  }

  deadLettered(): readonly DeadLetter[] {
    return this.deadLetters;
  }

  private deliver(rule: LocalRule, event: BusEvent): void {
    this.track(async () => {
      let lastError = '';
      for (let attempt = 1; attempt <= MAX_ATTEMPTS; attempt++) {
        try {
          await rule.deliver(event);
          return;
        } catch (error) {
          lastError = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
        }
      }
      this.deadLetters.push({ rule: rule.name, event, error: lastError, attempts: MAX_ATTEMPTS });
    });
  }

  /** Runs a delivery in the background, tracked by `drain()`. */
  private track(delivery: () => Promise<void>): void {
    const tracked: Promise<void> = delivery()
      .catch((error: unknown) => {
        console.error(error);
      })
      .finally(() => this.inFlight.delete(tracked));
    this.inFlight.add(tracked);
  }

  /** PutEvents: each entry is accepted or answered with an error code, never silently dropped. */
  putEvents(entries: readonly PutEventsEntry[]) {
    const results = entries.map((entry) => {
      if (!entry.Source || !entry.DetailType || entry.Detail === undefined) {
        return { ErrorCode: 'MalformedDetail', ErrorMessage: 'Source, DetailType and Detail are required.' };
      }
      const busName = (entry.EventBusName ?? 'default').split('/').at(-1);
      if (busName !== this.busName) {
        return {
          ErrorCode: 'ResourceNotFoundException',
          ErrorMessage: `Event bus ${entry.EventBusName} does not exist.`,
        };
      }
      let detail: unknown;
      try {
        detail = typeof entry.Detail === 'string' ? JSON.parse(entry.Detail) : entry.Detail;
      } catch {
        return { ErrorCode: 'MalformedDetail', ErrorMessage: 'Detail is not valid JSON.' };
      }
      const event: BusEvent = {
        version: '0',
        id: randomUUID(),
        'detail-type': entry.DetailType,
        source: entry.Source,
        account: '000000000000',
        // The AWS SDK sends Time as epoch seconds; Step Functions passes ISO strings through.
        time: new Date(
          entry.Time === undefined
            ? this.now()
            : typeof entry.Time === 'number'
              ? entry.Time * 1000
              : entry.Time,
        ).toISOString(),
        region: 'local',
        resources: entry.Resources ?? [],
        detail,
        'event-bus-name': this.busName,
      };
      this.events.push(event);
      if (this.events.length > this.capacity) this.events.shift();
      // Rules see the detail as it was sent, so its numbers keep their exact text as on EventBridge.
      const matched =
        typeof entry.Detail === 'string' ? { ...event, detail: new RawJson(entry.Detail) } : event;
      for (const rule of this.rules) if (matchesPattern(rule.pattern, matched)) this.deliver(rule, event);
      for (const delivery of this.eventBridge.deliveriesFor(matched, event))
        this.track(async () => {
          const failed = await delivery();
          if (failed) this.deadLetters.push(failed);
        });
      return { EventId: event.id };
    });
    return { Entries: results, FailedEntryCount: results.filter((r) => 'ErrorCode' in r).length };
  }

  list(filter: { source?: string; detailType?: string } = {}): readonly BusEvent[] {
    return this.events.filter(
      (e) =>
        (!filter.source || e.source === filter.source) &&
        (!filter.detailType || e['detail-type'] === filter.detailType),
    );
  }
}
