import { Duration, Validations } from 'aws-cdk-lib';
import { type Alarm, ComparisonOperator, TreatMissingData } from 'aws-cdk-lib/aws-cloudwatch';
import type { Table } from 'aws-cdk-lib/aws-dynamodb';
import { EventSourceMapping, StartingPosition } from 'aws-cdk-lib/aws-lambda';
import { SqsDlq } from 'aws-cdk-lib/aws-lambda-event-sources';
import type { Queue } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { type FunctionName, type StreamTriggerSpec, streamTriggers } from '#wiring/wiring.ts';
import { deadLetterQueue } from './dead-letter-queue.ts';
import type { HotlineFunction } from './hotline-function.ts';

/**
 * The consumers of the order table's stream (`streamTriggers` of wiring/wiring.ts): each a Lambda event
 * source mapping with the very filter the local stack applies, from the oldest record still in the stream,
 * reporting failed items so that only they are retried, splitting a failing batch to find the bad record,
 * and sending what still fails to a dead-letter queue with an alarm. The queue receives the failed batch's
 * shard and sequence numbers, not the records: the order itself, in the table, is what gets replayed.
 */
export class StreamTriggers extends Construct {
  readonly deadLetters: Queue;
  readonly deadLettersAlarm: Alarm;
  readonly mappings: Readonly<Record<string, EventSourceMapping>>;
  /** Per trigger: in alarm while its consumer lags far behind the stream (records would soon expire). */
  readonly iteratorAgeAlarms: Readonly<Record<string, Alarm>>;

  constructor(
    scope: Construct,
    id: string,
    props: { table: Table; functions: Readonly<Record<FunctionName, HotlineFunction>> },
  ) {
    super(scope, id);
    const streamArn = props.table.tableStreamArn;
    if (streamArn === undefined) throw new Error('The order table has no stream (tableSpec.stream).');
    const { queue, alarm } = deadLetterQueue(this, 'DeadLetters', 'the table stream triggers');
    this.deadLetters = queue;
    this.deadLettersAlarm = alarm;

    const mappings: Record<string, EventSourceMapping> = {};
    const iteratorAgeAlarms: Record<string, Alarm> = {};
    for (const [name, spec] of Object.entries(streamTriggers) as [string, StreamTriggerSpec][]) {
      const target = props.functions[spec.target].lambda;
      props.table.grantStreamRead(target);
      // Same finding id as the function's X-Ray acknowledgement (HotlineFunction), so the reason names both.
      Validations.of(props.functions[spec.target]).acknowledge({
        id: 'AwsSolutions-IAM5[Resource::*]',
        reason:
          'Two actions without resource-level permissions, for which IAM requires Resource "*": X-Ray active ' +
          "tracing (xray:PutTraceSegments, xray:PutTelemetryRecords) and dynamodb:ListStreams, which Lambda's " +
          'guide lists for a DynamoDB stream trigger; reading the records is granted on the one stream ARN.',
      });
      mappings[name] = new EventSourceMapping(this, name, {
        target,
        eventSourceArn: streamArn,
        startingPosition: StartingPosition.TRIM_HORIZON,
        batchSize: spec.batchSize,
        maxBatchingWindow: Duration.seconds(spec.maximumBatchingWindowSeconds),
        retryAttempts: spec.retryAttempts,
        maxRecordAge: Duration.seconds(spec.maximumRecordAgeSeconds),
        bisectBatchOnError: spec.bisectBatchOnError,
        reportBatchItemFailures: true,
        filters: [{ pattern: JSON.stringify(spec.filter) }],
        onFailure: new SqsDlq(queue),
      });
      // IteratorAge is in milliseconds; a quarter of the record age leaves hours to act before records go.
      iteratorAgeAlarms[name] = target
        .metric('IteratorAge', { statistic: 'Maximum', period: Duration.minutes(5) })
        .createAlarm(this, `${name}IteratorAgeAlarm`, {
          alarmDescription: `${spec.target} lags behind the table stream: its records expire after ${spec.maximumRecordAgeSeconds} s.`,
          threshold: (spec.maximumRecordAgeSeconds * 1000) / 4,
          comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
          evaluationPeriods: 3,
          treatMissingData: TreatMissingData.NOT_BREACHING,
        });
    }
    this.mappings = mappings;
    this.iteratorAgeAlarms = iteratorAgeAlarms;
  }
}
