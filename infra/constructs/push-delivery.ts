import { ArnFormat, Stack } from 'aws-cdk-lib';
import type { IEventBus } from 'aws-cdk-lib/aws-events';
import { PolicyStatement, Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import type { Secret } from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';
import { pushDeliveries } from '#wiring/wiring.ts';
import { acknowledgeWildcardResource } from '../nag.ts';
import { type DeadLetterQueue, deadLetterQueue } from './dead-letter-queue.ts';
import { hashKeySecret } from './hash-key-secret.ts';

/**
 * What the units' push subscriptions run on (docs/push-deliveries.md). The subscriptions themselves
 * (a connection, an API destination and a rule each) are made at run time by the subscriptions
 * function, so here are only what they share:
 * - the push key, from which each subscription's signing secret derives (a secret, rotated by hand);
 * - the role EventBridge assumes to invoke the API destinations, for `<prefix>-*` destinations only;
 * - the dead-letter queue of deliveries EventBridge gave up on (after `pushDeliveries.retry`), which
 *   only the subscriptions' rules may send to, and its alarm.
 */
export class PushDelivery extends Construct {
  readonly keySecret: Secret;
  readonly invokeRole: Role;
  readonly deadLetters: DeadLetterQueue;
  /** `arn:…:rule/<bus>/<prefix>-*`, `arn:…:api-destination/<prefix>-*`, `arn:…:connection/<prefix>-*`. */
  readonly ruleArns: string;
  readonly destinationArns: string;
  readonly connectionArns: string;

  constructor(scope: Construct, id: string, props: { readonly bus: IEventBus }) {
    super(scope, id);
    const stack = Stack.of(this);
    const arnOf = (resource: string, resourceName: string) =>
      stack.formatArn({
        service: 'events',
        resource,
        resourceName,
        arnFormat: ArnFormat.SLASH_RESOURCE_NAME,
      });
    this.ruleArns = arnOf('rule', `${props.bus.eventBusName}/${pushDeliveries.resourcePrefix}-*`);
    this.destinationArns = arnOf('api-destination', `${pushDeliveries.resourcePrefix}-*`);
    this.connectionArns = arnOf('connection', `${pushDeliveries.resourcePrefix}-*`);

    this.keySecret = hashKeySecret(this, 'KeySecret', {
      description: "Push key: each push subscription's signing secret is an HMAC of its id with it",
      whyRotatedByHand:
        'The push key is rotated by hand, never on a schedule: a new key changes every subscription secret at once, ' +
        'so every unit must be given its new secret first (docs/push-deliveries.md says how).',
    });

    this.invokeRole = new Role(this, 'InvokeRole', {
      assumedBy: new ServicePrincipal('events.amazonaws.com', {
        conditions: { StringEquals: { 'aws:SourceAccount': stack.account } },
      }),
      description: "EventBridge invokes the push subscriptions' API destinations with this role",
    });
    this.invokeRole.addToPolicy(
      new PolicyStatement({ actions: ['events:InvokeApiDestination'], resources: [this.destinationArns] }),
    );
    acknowledgeWildcardResource(
      this.invokeRole,
      this.destinationArns,
      "Invokes the push subscriptions' API destinations only: each is named <prefix>-<subscription id>, made at " +
        'run time when a unit subscribes, so the ARN ends in <prefix>-*.',
    );

    this.deadLetters = deadLetterQueue(this, 'DeadLetters', "the push subscriptions' deliveries");
    this.deadLetters.queue.addToResourcePolicy(
      new PolicyStatement({
        actions: ['sqs:SendMessage'],
        principals: [new ServicePrincipal('events.amazonaws.com')],
        resources: [this.deadLetters.queue.queueArn],
        conditions: { ArnLike: { 'aws:SourceArn': this.ruleArns } },
      }),
    );
  }
}
