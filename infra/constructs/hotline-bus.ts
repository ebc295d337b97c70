import { Duration, Stack } from 'aws-cdk-lib';
import { EventBus } from 'aws-cdk-lib/aws-events';
import { Construct } from 'constructs';

export interface HotlineBusProps {
  readonly eventBusName: string;
  /** How long archived events can be replayed, e.g. to rebuild an aggregate or rerun a survey rule. */
  readonly archiveRetention?: Duration;
}

/** The custom bus the order lifecycle publishes to; everything on it is archived so it can be replayed. */
export class HotlineBus extends Construct {
  readonly bus: EventBus;

  constructor(scope: Construct, id: string, props: HotlineBusProps) {
    super(scope, id);
    this.bus = new EventBus(this, 'Bus', { eventBusName: props.eventBusName });
    this.bus.archive('Archive', {
      description: `Every event on ${props.eventBusName}, for replay`,
      // An archive needs a pattern; matching the account keeps every event put on this bus.
      eventPattern: { account: [Stack.of(this).account] },
      retention: props.archiveRetention ?? Duration.days(90),
    });
  }
}
