import { beforeAll, describe, expect, it } from 'vitest';
import { pushedEventTypes } from '#domain/pushed-events.ts';
import { assessmentMilestones, type FunctionName, lifecycleHealing, streamTriggers } from '#wiring/wiring.ts';
import type { LifecycleReconciliation } from '../../infra/constructs/lifecycle-reconciliation.ts';
import { matchesPattern, parseEventPattern } from '../../local/eventbridge/event-pattern.ts';
import { parseScheduleExpression } from '../../local/schedule-expressions.ts';
import {
  type CfnResource,
  type PolicyStatement,
  type SynthesizedHotline,
  synthesizeHotline,
} from './hotline-template.ts';

/** Every acknowledged order gets its lifecycle on AWS: the stream trigger and the reconciler's schedule. */
let hotline: SynthesizedHotline;

beforeAll(() => {
  hotline = synthesizeHotline();
});

const spec = lifecycleHealing.reconciler;
const arnOf = (logicalId: string) => ({ 'Fn::GetAtt': [logicalId, 'Arn'] });
const reconciliationOf = (built: SynthesizedHotline) =>
  built.stack.node.findChild('LifecycleReconciliation') as LifecycleReconciliation;
const functionOf = (name: FunctionName): CfnResource => {
  const id = hotline.logicalIdOf(hotline.stack.functions[name].lambda);
  const resource = hotline.resourcesOf('AWS::Lambda::Function')[id];
  if (!resource) throw new Error(`No function ${name}`);
  return resource;
};
const statementsOf = (name: FunctionName): PolicyStatement[] => {
  const role = functionOf(name).Properties.Role as { 'Fn::GetAtt': [string, string] };
  return hotline.statementsOfRole(role['Fn::GetAtt'][0]);
};
const actionsOf = (statements: readonly PolicyStatement[]) => statements.flatMap((s) => [s.Action].flat());

describe('the lifecycle reconciler schedule', () => {
  it("runs wiring's rate expression, invoking the reconciler with its input, retried and dead-lettered", () => {
    const reconciliation = reconciliationOf(hotline);
    const schedule =
      hotline.resourcesOf('AWS::Scheduler::Schedule')[hotline.logicalIdOf(reconciliation.schedule)];

    expect(schedule?.Properties).toEqual({
      Name: spec.scheduleName,
      GroupName: spec.groupName,
      Description: expect.any(String),
      ScheduleExpression: spec.expression,
      ScheduleExpressionTimezone: spec.timeZone,
      FlexibleTimeWindow: { Mode: 'OFF' },
      State: 'ENABLED',
      Target: {
        Arn: arnOf(hotline.logicalIdOf(hotline.stack.functions[spec.target].lambda)),
        RoleArn: arnOf(hotline.logicalIdOf(reconciliation.role)),
        Input: JSON.stringify(spec.input),
        RetryPolicy: {
          MaximumRetryAttempts: spec.retry.maximumRetryAttempts,
          MaximumEventAgeInSeconds: spec.retry.maximumEventAgeSeconds,
        },
        DeadLetterConfig: { Arn: arnOf(hotline.logicalIdOf(reconciliation.deadLetters)) },
      },
    });
    const parsed = parseScheduleExpression(spec.expression);
    expect(parsed.kind === 'rate' && parsed.everyMs).toBe(5 * 60_000);
  });

  it('sits in a group of its own that follows the stack prefix', () => {
    const group = hotline.resourcesOf('AWS::Scheduler::ScheduleGroup')[
      hotline.logicalIdOf(reconciliationOf(hotline).group)
    ];
    const staging = synthesizeHotline({ stackName: 'HotlineStaging' });

    expect(group?.Properties).toEqual({ Name: spec.groupName });
    expect(reconciliationOf(staging).scheduleGroupName).toBe('hotlinestaging-lifecycles');
  });

  it('runs as a role only Scheduler may assume, for this group, that may invoke the reconciler and nothing else', () => {
    const reconciliation = reconciliationOf(hotline);
    const role = hotline.resourcesOf('AWS::IAM::Role')[hotline.logicalIdOf(reconciliation.role)];
    const statements = hotline.statementsOfRole(hotline.logicalIdOf(reconciliation.role));

    expect(JSON.stringify(role?.Properties.AssumeRolePolicyDocument)).toContain('scheduler.amazonaws.com');
    expect(JSON.stringify(role?.Properties.AssumeRolePolicyDocument)).toContain('aws:SourceArn');
    expect(actionsOf(statements).sort()).toEqual(['lambda:InvokeFunction', 'sqs:SendMessage']);
  });

  it('retries a failed run as wiring says, then keeps it in a queue with an alarm', () => {
    const reconciliation = reconciliationOf(hotline);
    const config = hotline.resourcesOf('AWS::Lambda::EventInvokeConfig')[
      hotline.logicalIdOf(reconciliation.asyncInvoke)
    ];

    expect(config?.Properties).toMatchObject({
      MaximumRetryAttempts: spec.invocation.maximumRetryAttempts,
      MaximumEventAgeInSeconds: spec.invocation.maximumEventAgeSeconds,
      DestinationConfig: {
        OnFailure: { Destination: arnOf(hotline.logicalIdOf(reconciliation.failedRuns)) },
      },
    });
    expect(
      hotline.resourcesOf('AWS::CloudWatch::Alarm')[hotline.logicalIdOf(reconciliation.failedRunsAlarm)],
    ).toBeDefined();
  });
});

describe('the healers of lifecycles', () => {
  it("wait out the intake: its timeout is shorter than the stream trigger's grace", () => {
    const intakeTimeout = functionOf('createOrder').Properties.Timeout as number;

    expect(intakeTimeout).toBeLessThan(lifecycleHealing.inlineStartGraceSeconds);
    expect(functionOf('followOrderLogs').Properties.Timeout as number).toBeGreaterThan(
      lifecycleHealing.inlineStartGraceSeconds + 10,
    );
  });

  it.each(['followOrderLogs', 'reconcileLifecycles'] as const)(
    '%s may look at and start work-order executions',
    (name) => {
      const actions = actionsOf(statementsOf(name));

      expect(actions).toContain('states:StartExecution');
      expect(actions).toContain('states:DescribeExecution');
      expect(actions).not.toContain('states:RedriveExecution');
    },
  );

  it('follow every received event, every event that gives assessment facts or is pushed, and no other record', () => {
    const pattern = parseEventPattern(JSON.stringify(streamTriggers.FollowOrderLogs?.filter), {
      dialect: 'lambda',
    });
    const record = (eventName: string, image: Record<string, unknown>) => ({
      eventName,
      dynamodb: { Keys: { pk: { S: 'ORDER#WO1' }, sk: { S: 'EVENT#0000000001' } }, NewImage: image },
    });
    const eventImage = (type: string) => ({ type: { S: 'event' }, event: { M: { type: { S: type } } } });

    expect(streamTriggers.FollowOrderLogs?.target).toBe('followOrderLogs');
    expect(matchesPattern(pattern, record('INSERT', eventImage('received')))).toBe(true);
    for (const type of assessmentMilestones)
      expect(matchesPattern(pattern, record('INSERT', eventImage(type))), type).toBe(true);
    for (const type of pushedEventTypes)
      expect(matchesPattern(pattern, record('INSERT', eventImage(type))), type).toBe(true);
    expect(matchesPattern(pattern, record('INSERT', eventImage('accepted')))).toBe(false);
    expect(matchesPattern(pattern, record('INSERT', eventImage('progress_noted')))).toBe(false);
    expect(matchesPattern(pattern, record('MODIFY', eventImage('received')))).toBe(false);
    expect(matchesPattern(pattern, record('INSERT', { type: { S: 'order' } }))).toBe(false);
  });
});
