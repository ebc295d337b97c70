import { readFileSync } from 'node:fs';
import path from 'node:path';
import { Duration, Validations } from 'aws-cdk-lib';
import { type Alarm, ComparisonOperator, type Metric, TreatMissingData } from 'aws-cdk-lib/aws-cloudwatch';
import type { Table } from 'aws-cdk-lib/aws-dynamodb';
import type { IEventBus } from 'aws-cdk-lib/aws-events';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import { DefinitionBody, LogLevel, StateMachine, StateMachineType } from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';
import type { AslSubstitution, FunctionName } from '#wiring/wiring.ts';
import { substitutionsFor } from '../asl-placeholders.ts';
import { acknowledgeWildcardResource } from '../nag.ts';
import { repoRoot } from '../repo-root.ts';
import type { HotlineFunction } from './hotline-function.ts';

export interface LifecycleStateMachineProps {
  /** Fixed, so functions can be given the ARN before the machine exists (see HotlineStack). */
  readonly stateMachineName: string;
  /** Path of the ASL file, relative to the repository root. */
  readonly file: string;
  readonly description: string;
  readonly functions: Readonly<Record<FunctionName, HotlineFunction>>;
  readonly bus: IEventBus;
  readonly table: Table;
}

/** The value CloudFormation writes in place of one placeholder. */
const substitutedValue = (substitution: AslSubstitution, props: LifecycleStateMachineProps): string => {
  switch (substitution.kind) {
    case 'lambdaArn':
      return props.functions[substitution.function].lambda.functionArn;
    case 'eventBusName':
      return props.bus.eventBusName;
    case 'tableName':
      return props.table.tableName;
    case 'literal':
      return substitution.value;
  }
};

/**
 * A Standard state machine whose definition is an ASL file from statemachines/, inlined (so template
 * assertions can read it) with every `${...}` supplied from `aslSubstitutions`. Its role may do exactly
 * what its placeholders name: invoke those functions, put events on that bus, use that table.
 *
 * An execution that stops short of its end is an order whose lifecycle stopped: an alarm goes off at
 * the first one that failed, timed out or was aborted (an operator then fixes the cause and redrives
 * it: docs/deploying.md).
 */
export class LifecycleStateMachine extends Construct {
  readonly stateMachine: StateMachine;
  /** In alarm while executions fail, time out or are aborted (one alarm each). */
  readonly alarms: { readonly failed: Alarm; readonly timedOut: Alarm; readonly aborted: Alarm };

  constructor(scope: Construct, id: string, props: LifecycleStateMachineProps) {
    super(scope, id);
    const definition = readFileSync(path.resolve(repoRoot, props.file), 'utf8');
    const substitutions = substitutionsFor(props.file, definition);

    const logGroup = new LogGroup(this, 'LogGroup', {
      // The vendedlogs prefix keeps Step Functions' log delivery off the account's log resource policy limit.
      logGroupName: `/aws/vendedlogs/states/${props.stateMachineName}`,
      retention: RetentionDays.THREE_MONTHS,
    });
    this.stateMachine = new StateMachine(this, 'StateMachine', {
      stateMachineName: props.stateMachineName,
      stateMachineType: StateMachineType.STANDARD,
      comment: props.description,
      definitionBody: DefinitionBody.fromString(definition),
      definitionSubstitutions: Object.fromEntries(
        [...substitutions].map(([placeholder, substitution]) => [
          placeholder,
          substitutedValue(substitution, props),
        ]),
      ),
      // Inputs and outputs carry task tokens and requesters' words: auditors read them in the execution
      // history (GetExecutionHistory), not in logs kept for months.
      logs: { destination: logGroup, level: LogLevel.ALL, includeExecutionData: false },
      tracingEnabled: true,
    });
    for (const substitution of substitutions.values()) this.grantWhatItNames(substitution, props);
    this.acknowledgeServiceWildcards();

    const metric = { period: Duration.minutes(5), statistic: 'Sum' } as const;
    this.alarms = {
      failed: this.stoppedAlarm('ExecutionsFailedAlarm', this.stateMachine.metricFailed(metric), 'failed'),
      timedOut: this.stoppedAlarm(
        'ExecutionsTimedOutAlarm',
        this.stateMachine.metricTimedOut(metric),
        'timed out',
      ),
      aborted: this.stoppedAlarm(
        'ExecutionsAbortedAlarm',
        this.stateMachine.metricAborted(metric),
        'was aborted',
      ),
    };
  }

  private stoppedAlarm(id: string, metric: Metric, how: string): Alarm {
    return metric.createAlarm(this, id, {
      alarmDescription:
        `An execution of ${this.stateMachine.stateMachineName} ${how}: an order's lifecycle stopped. ` +
        'Fix the cause, then redrive the execution (docs/deploying.md).',
      threshold: 1,
      comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      evaluationPeriods: 1,
      treatMissingData: TreatMissingData.NOT_BREACHING,
    });
  }

  /** The role may do exactly what a placeholder lets the definition do. */
  private grantWhatItNames(substitution: AslSubstitution, props: LifecycleStateMachineProps): void {
    switch (substitution.kind) {
      case 'lambdaArn': {
        const fn = props.functions[substitution.function].lambda;
        fn.grantInvoke(this.stateMachine);
        acknowledgeWildcardResource(
          this.stateMachine,
          `${fn.functionArn}:*`,
          `Invoking ${substitution.function} by version or alias (<arn>:*) is part of what grantInvoke grants; ` +
            'it covers that one function and no other.',
        );
        return;
      }
      case 'eventBusName':
        props.bus.grantPutEventsTo(this.stateMachine);
        return;
      case 'tableName':
        props.table.grantReadWriteData(this.stateMachine);
        acknowledgeWildcardResource(
          this.stateMachine,
          `${props.table.tableArn}/index/*`,
          'DynamoDB tasks may query the GSIs of this one table; <table>/index/* names only them.',
        );
        return;
      case 'literal':
        return;
    }
  }

  private acknowledgeServiceWildcards(): void {
    Validations.of(this.stateMachine).acknowledge({
      id: 'AwsSolutions-IAM5[Resource::*]',
      reason:
        'Step Functions logging and X-Ray tracing: logs:CreateLogDelivery and the other log-delivery actions, and ' +
        'xray:PutTraceSegments, do not support resource-level permissions, so AWS requires Resource "*".',
    });
  }
}
