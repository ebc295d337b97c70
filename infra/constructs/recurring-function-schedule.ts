import { Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import type { Alarm } from 'aws-cdk-lib/aws-cloudwatch';
import { Grant, Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { EventInvokeConfig, type IFunction } from 'aws-cdk-lib/aws-lambda';
import { SqsDestination } from 'aws-cdk-lib/aws-lambda-destinations';
import { CfnSchedule, ScheduleGroup } from 'aws-cdk-lib/aws-scheduler';
import type { Queue } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import type { RecurringScheduleSpec } from '#wiring/wiring.ts';
import { schedulerService } from './callback-scheduling.ts';
import { deadLetterQueue } from './dead-letter-queue.ts';

export interface RecurringFunctionScheduleProps {
  /** Physical name of the schedule group (see HotlineStack for how it follows the stack's prefix). */
  readonly scheduleGroupName: string;
  /** The function the schedule invokes (`spec.target`). */
  readonly target: IFunction;
}

/**
 * A function on a recurring schedule (wiring/wiring.ts `RecurringScheduleSpec`): an EventBridge Scheduler
 * group holding the one schedule that invokes it; the role Scheduler assumes for it (it may invoke that
 * function and dead-letter to its queue, nothing else); and, since Scheduler invokes Lambda
 * asynchronously — it has done its part once Lambda queued the event, whatever the run does next — the
 * function's own asynchronous retries and a queue for the runs that still failed. Each queue raises an
 * alarm as soon as one message waits in it.
 */
export class RecurringFunctionSchedule extends Construct {
  readonly group: ScheduleGroup;
  readonly scheduleGroupName: string;
  readonly schedule: CfnSchedule;
  readonly scheduleName: string;
  /** The execution role the schedule runs as. */
  readonly role: Role;
  /** Invocations Scheduler could not hand to Lambda after its retries (`spec.retry`). */
  readonly deadLetters: Queue;
  readonly deadLettersAlarm: Alarm;
  /** Runs that failed after Lambda's asynchronous retries (`spec.invocation`): the on-failure destination. */
  readonly failedRuns: Queue;
  readonly failedRunsAlarm: Alarm;
  readonly asyncInvoke: EventInvokeConfig;

  constructor(
    scope: Construct,
    id: string,
    props: RecurringFunctionScheduleProps & {
      readonly spec: RecurringScheduleSpec;
      /** What the schedule is, in words: names its dead-letter queue and starts its description. */
      readonly purpose: string;
      readonly description: string;
    },
  ) {
    super(scope, id);
    const { spec } = props;
    const stack = Stack.of(this);
    this.scheduleName = spec.scheduleName;
    // It holds only this stack's own schedule, so it goes with the stack (and frees its name).
    this.group = new ScheduleGroup(this, 'Group', {
      scheduleGroupName: props.scheduleGroupName,
      removalPolicy: RemovalPolicy.DESTROY,
    });
    this.scheduleGroupName = props.scheduleGroupName;

    const deadLetters = deadLetterQueue(this, 'DeadLetters', `the ${props.purpose} schedule`);
    this.deadLetters = deadLetters.queue;
    this.deadLettersAlarm = deadLetters.alarm;
    const failedRuns = deadLetterQueue(
      this,
      'FailedRuns',
      `the asynchronous invocations of ${spec.target} (runs that failed past Lambda's retries)`,
    );
    this.failedRuns = failedRuns.queue;
    this.failedRunsAlarm = failedRuns.alarm;

    this.role = new Role(this, 'InvokeRole', {
      description: `Runs the schedule ${props.scheduleGroupName}/${this.scheduleName}: invokes ${spec.target}`,
      // Confused-deputy protection: only Scheduler, only for this account's schedules of this group.
      assumedBy: new ServicePrincipal(schedulerService).withConditions({
        StringEquals: {
          'aws:SourceAccount': stack.account,
          'aws:SourceArn': this.group.scheduleGroupArn,
        },
      }),
    });
    // The schedule invokes the unqualified function, so its ARN alone (no `:*` for versions) is enough.
    Grant.addToPrincipal({
      grantee: this.role,
      actions: ['lambda:InvokeFunction'],
      resourceArns: [props.target.functionArn],
    });
    Grant.addToPrincipal({
      grantee: this.role,
      actions: ['sqs:SendMessage'],
      resourceArns: [this.deadLetters.queueArn],
    });

    this.schedule = new CfnSchedule(this, 'Schedule', {
      name: this.scheduleName,
      groupName: this.group.scheduleGroupName,
      description: props.description,
      scheduleExpression: spec.expression,
      scheduleExpressionTimezone: spec.timeZone,
      flexibleTimeWindow: { mode: 'OFF' },
      state: 'ENABLED',
      target: {
        arn: props.target.functionArn,
        roleArn: this.role.roleArn,
        input: JSON.stringify(spec.input),
        retryPolicy: {
          maximumRetryAttempts: spec.retry.maximumRetryAttempts,
          maximumEventAgeInSeconds: spec.retry.maximumEventAgeSeconds,
        },
        deadLetterConfig: { arn: this.deadLetters.queueArn },
      },
    });
    // The group's name is a literal, not a reference; and the role's policy must be there before a run.
    this.schedule.node.addDependency(this.group, this.role);

    this.asyncInvoke = new EventInvokeConfig(this, 'AsyncInvoke', {
      function: props.target,
      retryAttempts: spec.invocation.maximumRetryAttempts,
      maxEventAge: Duration.seconds(spec.invocation.maximumEventAgeSeconds),
      onFailure: new SqsDestination(this.failedRuns),
    });
  }
}
