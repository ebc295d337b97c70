import { Duration, RemovalPolicy, Validations } from 'aws-cdk-lib';
import { type IEventBus, Rule } from 'aws-cdk-lib/aws-events';
import { LambdaFunction } from 'aws-cdk-lib/aws-events-targets';
import { Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { type BusRuleSpec, busRules, type FunctionName } from '../wiring.ts';
import type { HotlineFunction } from './hotline-function.ts';

/**
 * The bus rules of infra/wiring.ts: each an EventBridge rule with the same pattern the local bus
 * matches, delivering to its function with retries and, when those run out, to a dead-letter queue
 * that keeps the event 14 days for someone to look at and replay.
 */
export class BusRules extends Construct {
  readonly deadLetters: Queue;

  constructor(
    scope: Construct,
    id: string,
    props: { bus: IEventBus; functions: Readonly<Record<FunctionName, HotlineFunction>> },
  ) {
    super(scope, id);
    this.deadLetters = new Queue(this, 'DeadLetters', {
      retentionPeriod: Duration.days(14),
      encryption: QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    Validations.of(this.deadLetters).acknowledge({
      id: 'AwsSolutions-SQS3',
      reason:
        'This queue is itself the dead-letter queue of the bus rules; a DLQ of a DLQ would only move the problem.',
    });
    for (const [name, spec] of Object.entries(busRules) as [string, BusRuleSpec][]) {
      new Rule(this, name, {
        description: spec.description,
        eventBus: props.bus,
        eventPattern: spec.pattern as never,
        targets: [
          new LambdaFunction(props.functions[spec.target].lambda, {
            deadLetterQueue: this.deadLetters,
            retryAttempts: 8,
            maxEventAge: Duration.hours(24),
          }),
        ],
      });
    }
  }
}
