import { randomUUID } from 'node:crypto';

/**
 * The local EventBridge bus: PutEvents keeps each event in the shape EventBridge delivers to targets
 * (version, id, detail-type, source, account, time, region, resources, detail). Rules and their
 * targets come with the survey loop; for now the bus records what the lifecycle publishes so that
 * people and tests can see it (GET /_local/events).
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

export class LocalEventBus {
  private readonly events: BusEvent[] = [];

  constructor(
    readonly busName: string,
    private readonly now: () => number,
    private readonly capacity = 10_000,
  ) {}

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
