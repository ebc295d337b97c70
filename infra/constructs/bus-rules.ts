import { Duration } from 'aws-cdk-lib';
import type { Alarm } from 'aws-cdk-lib/aws-cloudwatch';
import { type IEventBus, Rule } from 'aws-cdk-lib/aws-events';
import { LambdaFunction } from 'aws-cdk-lib/aws-events-targets';
import type { Queue } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { type BusRuleSpec, busRules, type FunctionName } from '#wiring/wiring.ts';
import { deadLetterQueue } from './dead-letter-queue.ts';
import type { HotlineFunction } from './hotline-function.ts';

/**
 * The bus rules of wiring/wiring.ts: each an EventBridge rule with the same pattern the local bus
 * matches, delivering to its function with retries and, when those run out, to a dead-letter queue
 * that keeps the event 14 days for someone to look at and replay, with an alarm on it.
 */
export class BusRules extends Construct {
  readonly deadLetters: Queue;
  readonly deadLettersAlarm: Alarm;

  constructor(
    scope: Construct,
    id: string,
    props: { bus: IEventBus; functions: Readonly<Record<FunctionName, HotlineFunction>> },
  ) {
    super(scope, id);
    const { queue, alarm } = deadLetterQueue(this, 'DeadLetters', 'the bus rules');
    this.deadLetters = queue;
    this.deadLettersAlarm = alarm;
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
