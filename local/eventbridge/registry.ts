import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import type { BusEvent, DeadLetter } from '../event-bus.ts';
import { ApiDestinationDelivery, type DeliveryRetry } from './api-destination-delivery.ts';
import {
  ApiDestinations,
  type ApiDestinationsState,
  LOCAL_EVENTS_ACCOUNT,
  LOCAL_EVENTS_REGION,
} from './api-destinations.ts';
import { Rules, type RulesState } from './rules.ts';

/**
 * The local EventBridge control plane beside the bus: connections and API destinations
 * (local/eventbridge/api-destinations.ts), the rules handlers put at run time and their targets
 * (local/eventbridge/rules.ts), and the delivery of matched events to API destinations
 * (local/eventbridge/api-destination-delivery.ts). local/aws-endpoint.ts serves its `AWSEvents.*`
 * operations to the real `@aws-sdk/client-eventbridge`; the bus (local/event-bus.ts) asks it, for each
 * event it takes, for the deliveries of the rules that match.
 *
 * Given a file (the stack passes `<data dir>/eventbridge.json`), everything survives a restart: the
 * file is written whole after every change, through a temporary file and a rename, so that a crash
 * never leaves half of it. It holds the connections' secrets, as the data folder holds the rest of
 * the local stack's state.
 */
export interface LocalEventBridgeOptions {
  /** The bus the rules live on (the local stack has one). */
  readonly busName: string;
  /** The bus's clock: creation times, and the age of events being retried. */
  readonly now: () => number;
  /** The JSON file the state is kept in; undefined keeps it in memory only. */
  readonly file?: string;
  readonly region?: string;
  readonly account?: string;
  /** Local retry timing (local/eventbridge/api-destination-delivery.ts); tests shorten it. */
  readonly retry?: Partial<DeliveryRetry>;
  /** The client timeout of a request to an API destination (5 s, as on AWS). */
  readonly timeoutMs?: number;
}

interface PersistedState extends ApiDestinationsState, RulesState {
  readonly version: 1;
}

type Operation = (body: Record<string, unknown>) => unknown;

export class LocalEventBridge {
  readonly busName: string;
  private readonly apiDestinations: ApiDestinations;
  private readonly rules: Rules;
  private readonly delivery: ApiDestinationDelivery;
  private loading = false;

  constructor(private readonly options: LocalEventBridgeOptions) {
    this.busName = options.busName;
    const region = options.region ?? LOCAL_EVENTS_REGION;
    const account = options.account ?? LOCAL_EVENTS_ACCOUNT;
    const onChange = () => this.save();
    this.apiDestinations = new ApiDestinations({ now: options.now, region, account, onChange });
    this.rules = new Rules({ busName: options.busName, region, account, onChange });
    this.delivery = new ApiDestinationDelivery({
      now: options.now,
      ...(options.retry ? { retry: options.retry } : {}),
      ...(options.timeoutMs !== undefined ? { timeoutMs: options.timeoutMs } : {}),
    });
    this.load();
  }

  /** The operations local/aws-endpoint.ts serves, by `X-Amz-Target`. */
  operations(): Record<string, Operation> {
    const d = this.apiDestinations;
    const r = this.rules;
    return {
      'AWSEvents.CreateConnection': (b) => d.createConnection(b),
      'AWSEvents.DescribeConnection': (b) => d.describeConnection(b),
      'AWSEvents.DeleteConnection': (b) => d.deleteConnection(b),
      'AWSEvents.CreateApiDestination': (b) => d.createApiDestination(b),
      'AWSEvents.DescribeApiDestination': (b) => d.describeApiDestination(b),
      'AWSEvents.DeleteApiDestination': (b) => d.deleteApiDestination(b),
      'AWSEvents.PutRule': (b) => r.putRule(b),
      'AWSEvents.DescribeRule': (b) => r.describeRule(b),
      'AWSEvents.DeleteRule': (b) => r.deleteRule(b),
      'AWSEvents.PutTargets': (b) => r.putTargets(b),
      'AWSEvents.RemoveTargets': (b) => r.removeTargets(b),
      'AWSEvents.ListTargetsByRule': (b) => r.listTargetsByRule(b),
    };
  }

  /**
   * The deliveries one event starts: one per target of each enabled rule whose pattern matches
   * `matched` (the event in the shape the bus's static rules are matched with). Each resolves to the
   * dead letter when the delivery failed for good.
   */
  deliveriesFor(matched: unknown, event: BusEvent): (() => Promise<DeadLetter | undefined>)[] {
    const ingestedAt = this.options.now();
    return this.rules.matching(matched).map(
      ({ rule, target }) =>
        () =>
          this.delivery.deliver({
            rule,
            target,
            event,
            ingestedAt,
            resolve: () => this.apiDestinations.resolve(target.Arn),
          }),
    );
  }

  private load(): void {
    const file = this.options.file;
    if (!file || !existsSync(file)) return;
    this.loading = true;
    try {
      const state = JSON.parse(readFileSync(file, 'utf8')) as Partial<PersistedState>;
      this.apiDestinations.load(state);
      this.rules.load(state);
    } catch (error) {
      throw new Error(`Cannot read the local EventBridge state in ${file} (start with --fresh to drop it)`, {
        cause: error,
      });
    } finally {
      this.loading = false;
    }
  }

  /** Written on every change, whole, through a temporary file (a crash never leaves half a file). */
  private save(): void {
    const file = this.options.file;
    if (!file || this.loading) return;
    const state: PersistedState = { version: 1, ...this.apiDestinations.state(), ...this.rules.state() };
    mkdirSync(dirname(file), { recursive: true });
    const temporary = `${file}.${process.pid}.tmp`;
    // It holds the connections' API keys and passwords: readable by the owner only.
    writeFileSync(temporary, JSON.stringify(state), { mode: 0o600 });
    renameSync(temporary, file);
  }
}
