import { Duration, RemovalPolicy, Validations } from 'aws-cdk-lib';
import { type Alarm, ComparisonOperator, TreatMissingData } from 'aws-cdk-lib/aws-cloudwatch';
import { Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs';
import type { Construct } from 'constructs';

export interface DeadLetterQueue {
  readonly queue: Queue;
  /** In alarm while a message waits in the queue: something failed past its retries. */
  readonly alarm: Alarm;
}

/**
 * A dead-letter queue that keeps what failed 14 days for someone to look at and replay (encrypted, TLS
 * only, retained with the stack), and an alarm that goes off as soon as one message is in it.
 * `queue` and `alarm` are children of `scope` named `id` and `<id>Alarm`.
 */
export const deadLetterQueue = (scope: Construct, id: string, deadLetterOf: string): DeadLetterQueue => {
  const queue = new Queue(scope, id, {
    retentionPeriod: Duration.days(14),
    encryption: QueueEncryption.SQS_MANAGED,
    enforceSSL: true,
    removalPolicy: RemovalPolicy.RETAIN,
  });
  Validations.of(queue).acknowledge({
    id: 'AwsSolutions-SQS3',
    reason: `This queue is itself the dead-letter queue of ${deadLetterOf}; a DLQ of a DLQ would only move the problem.`,
  });
  const alarm = queue
    .metricApproximateNumberOfMessagesVisible({ period: Duration.minutes(5), statistic: 'Maximum' })
    .createAlarm(scope, `${id}Alarm`, {
      alarmDescription: `A message waits in the dead-letter queue of ${deadLetterOf}: it failed past its retries.`,
      threshold: 1,
      comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      evaluationPeriods: 1,
      treatMissingData: TreatMissingData.NOT_BREACHING,
    });
  return { queue, alarm };
};
