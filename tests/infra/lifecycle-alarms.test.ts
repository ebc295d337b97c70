import { beforeAll, describe, expect, it } from 'vitest';
import { lambdaFunctions } from '#wiring/wiring.ts';
import { type SynthesizedHotline, synthesizeHotline } from './hotline-template.ts';

/**
 * An execution that stops short of its end is an order whose lifecycle stopped: someone must hear of
 * it at once, fix the cause and redrive it (docs/deploying.md).
 */
let hotline: SynthesizedHotline;

beforeAll(() => {
  hotline = synthesizeHotline();
});

const machineId = () => {
  const ids = Object.keys(hotline.resourcesOf('AWS::StepFunctions::StateMachine'));
  if (ids.length !== 1) throw new Error(`Expected one state machine, found ${ids.length}`);
  return ids[0] as string;
};
const alarmsOn = (metricName: string) =>
  Object.values(hotline.resourcesOf('AWS::CloudWatch::Alarm')).filter(
    (alarm) => alarm.Properties.Namespace === 'AWS/States' && alarm.Properties.MetricName === metricName,
  );

describe('the work-order state machine', () => {
  it.each(['ExecutionsFailed', 'ExecutionsTimedOut', 'ExecutionsAborted'])(
    'raises an alarm at the first of its %s',
    (metricName) => {
      // Act
      const alarms = alarmsOn(metricName);

      // Assess
      expect(alarms).toHaveLength(1);
      expect(alarms[0]?.Properties).toMatchObject({
        Dimensions: [{ Name: 'StateMachineArn', Value: { Ref: machineId() } }],
        Statistic: 'Sum',
        Period: 300,
        ComparisonOperator: 'GreaterThanOrEqualToThreshold',
        Threshold: 1,
        EvaluationPeriods: 1,
        TreatMissingData: 'notBreaching',
      });
      expect(alarms[0]?.Properties.AlarmDescription).toEqual(expect.anything());
    },
  );

  it('lets the task that records a lifecycle failure read its execution (the redrive count) and put events', () => {
    // Prepare
    const fn = hotline.stack.functions.lifecycleFailure.lambda;
    const role = hotline.resourcesOf('AWS::Lambda::Function')[hotline.logicalIdOf(fn)]?.Properties.Role as {
      'Fn::GetAtt': [string, string];
    };

    // Act
    const actions = hotline
      .statementsOfRole(role['Fn::GetAtt'][0])
      .flatMap((statement) => [statement.Action].flat());

    // Assess
    expect(lambdaFunctions.lifecycleFailure.uses).toContain('executionHistory');
    expect(actions).toContain('states:DescribeExecution');
    expect(actions).toContain('events:PutEvents');
  });
});
