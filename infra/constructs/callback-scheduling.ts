import { ArnFormat, Duration, Stack } from 'aws-cdk-lib';
import type { Alarm } from 'aws-cdk-lib/aws-cloudwatch';
import { Grant, Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { EventInvokeConfig, type IFunction } from 'aws-cdk-lib/aws-lambda';
import { SqsDestination } from 'aws-cdk-lib/aws-lambda-destinations';
import { ScheduleGroup } from 'aws-cdk-lib/aws-scheduler';
import type { Queue } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { callbackSchedules } from '#wiring/wiring.ts';
import { acknowledgeWildcardResource } from '../nag.ts';
import { deadLetterQueue } from './dead-letter-queue.ts';

/** The service principal that runs schedules; also the only service the scheduler role may be passed to. */
export const schedulerService = 'scheduler.amazonaws.com';

export interface CallbackSchedulingProps {
  /** Physical name of the schedule group (see HotlineStack for how it follows the stack's prefix). */
  readonly scheduleGroupName: string;
  /** The function every call-back schedule invokes (`callbackSchedules.target`). */
  readonly target: IFunction;
  /**
   * The target's ARN built from its fixed name: the target itself creates the next attempt's schedule,
   * and a function cannot be given its own `Fn::GetAtt` ARN.
   */
  readonly targetArnByName: string;
}

/**
 * Where call-backs (回访) are scheduled: an EventBridge Scheduler group holding one one-time schedule per
 * attempt, the role Scheduler assumes to run them (it may invoke the target function and dead-letter to
 * the queue, nothing else), and the dead-letter queue where an attempt lands when Scheduler's retries
 * (`callbackSchedules.retry`, set on each schedule by the function that creates it) run out.
 *
 * Those retries cover only Scheduler handing the event to Lambda: Scheduler invokes the function
 * asynchronously, so an attempt that fails in the function is Lambda's to retry
 * (`callbackSchedules.invocation`) and then goes to a queue of failed attempts. Each queue raises an
 * alarm as soon as one message waits in it: a requester who will not be called back.
 */
export class CallbackScheduling extends Construct {
  readonly group: ScheduleGroup;
  readonly scheduleGroupName: string;
  /** `arn:…:scheduler:…:schedule/<group>/*`: every schedule of the group, and no other. */
  readonly anyScheduleArn: string;
  /** The execution role schedules of this group run as; functions creating schedules pass it. */
  readonly role: Role;
  readonly targetArn: string;
  readonly deadLetters: Queue;
  readonly deadLettersAlarm: Alarm;
  /** Attempts that failed in the function past Lambda's asynchronous retries: the on-failure destination. */
  readonly failedAttempts: Queue;
  readonly failedAttemptsAlarm: Alarm;
  readonly asyncInvoke: EventInvokeConfig;

  constructor(scope: Construct, id: string, props: CallbackSchedulingProps) {
    super(scope, id);
    const stack = Stack.of(this);
    this.scheduleGroupName = props.scheduleGroupName;
    this.targetArn = props.targetArnByName;
    // Retained (the default): deleting a group deletes the call-backs still waiting in it.
    this.group = new ScheduleGroup(this, 'Group', { scheduleGroupName: props.scheduleGroupName });
    this.anyScheduleArn = stack.formatArn({
      service: 'scheduler',
      resource: 'schedule',
      resourceName: `${props.scheduleGroupName}/*`,
      arnFormat: ArnFormat.SLASH_RESOURCE_NAME,
    });

    const { queue, alarm } = deadLetterQueue(this, 'DeadLetters', 'the call-back schedules');
    this.deadLetters = queue;
    this.deadLettersAlarm = alarm;

    this.role = new Role(this, 'InvokeRole', {
      description: `Runs the call-back schedules of ${props.scheduleGroupName}: invokes ${callbackSchedules.target}`,
      // Confused-deputy protection: only Scheduler, only for this account's schedules of this group.
      assumedBy: new ServicePrincipal(schedulerService).withConditions({
        StringEquals: {
          'aws:SourceAccount': stack.account,
          'aws:SourceArn': this.group.scheduleGroupArn,
        },
      }),
    });
    props.target.grantInvoke(this.role);
    acknowledgeWildcardResource(
      this.role,
      `${props.target.functionArn}:*`,
      `Invoking ${callbackSchedules.target} by version or alias (<arn>:*) is part of what grantInvoke grants; ` +
        'it covers that one function and no other.',
    );
    Grant.addToPrincipal({
      grantee: this.role,
      actions: ['sqs:SendMessage'],
      resourceArns: [queue.queueArn],
    });

    const failed = deadLetterQueue(
      this,
      'FailedAttempts',
      `the asynchronous invocations of ${callbackSchedules.target} (attempts that failed past Lambda's retries)`,
    );
    this.failedAttempts = failed.queue;
    this.failedAttemptsAlarm = failed.alarm;
    this.asyncInvoke = new EventInvokeConfig(this, 'AsyncInvoke', {
      function: props.target,
      retryAttempts: callbackSchedules.invocation.maximumRetryAttempts,
      maxEventAge: Duration.seconds(callbackSchedules.invocation.maximumEventAgeSeconds),
      onFailure: new SqsDestination(this.failedAttempts),
    });
  }
}
