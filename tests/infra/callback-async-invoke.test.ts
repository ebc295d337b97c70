import { beforeAll, describe, expect, it } from 'vitest';
import { callbackSchedules, type FunctionName, lambdaFunctions, miningSchedule } from '#wiring/wiring.ts';
import type { CallbackScheduling } from '../../infra/constructs/callback-scheduling.ts';
import { localAsyncInvokeConfigs } from '../../local/lambda-async-invoke.ts';
import { type CfnResource, type SynthesizedHotline, synthesizeHotline } from './hotline-template.ts';

/**
 * Scheduler invokes its Lambda targets asynchronously: its retry policy covers only Lambda taking the
 * event, so each target needs Lambda's own retries and an on-failure destination that raises an alarm.
 */
let hotline: SynthesizedHotline;

beforeAll(() => {
  hotline = synthesizeHotline();
});

const arnOf = (logicalId: string) => ({ 'Fn::GetAtt': [logicalId, 'Arn'] });
const callbacksOf = (built: SynthesizedHotline) =>
  built.stack.node.findChild('Callbacks') as CallbackScheduling;
const functionId = (name: FunctionName) => hotline.logicalIdOf(hotline.stack.functions[name].lambda);
const asyncConfigOf = (name: FunctionName): CfnResource | undefined =>
  Object.values(hotline.resourcesOf('AWS::Lambda::EventInvokeConfig')).find(
    (config) => JSON.stringify(config.Properties.FunctionName) === JSON.stringify({ Ref: functionId(name) }),
  );
const alarmsOnQueue = (queueId: string) =>
  Object.values(hotline.resourcesOf('AWS::CloudWatch::Alarm')).filter(
    (alarm) =>
      JSON.stringify(alarm.Properties.Dimensions) ===
      JSON.stringify([{ Name: 'QueueName', Value: { 'Fn::GetAtt': [queueId, 'QueueName'] } }]),
  );

describe('the call-back target, invoked asynchronously by Scheduler', () => {
  it("retries a failed attempt as wiring's invocation says, then sends it to the failed-attempts queue", () => {
    // Prepare
    const failedAttempts = hotline.logicalIdOf(callbacksOf(hotline).failedAttempts);

    // Act
    const config = asyncConfigOf(callbackSchedules.target);

    // Assess
    expect(config?.Properties).toEqual({
      FunctionName: { Ref: functionId(callbackSchedules.target) },
      Qualifier: '$LATEST',
      MaximumRetryAttempts: callbackSchedules.invocation.maximumRetryAttempts,
      MaximumEventAgeInSeconds: callbackSchedules.invocation.maximumEventAgeSeconds,
      DestinationConfig: { OnFailure: { Destination: arnOf(failedAttempts) } },
    });
  });

  it('lets the function send to the failed-attempts queue', () => {
    // Prepare
    const failedAttempts = hotline.logicalIdOf(callbacksOf(hotline).failedAttempts);
    const fn = hotline.resourcesOf('AWS::Lambda::Function')[functionId(callbackSchedules.target)];
    const role = fn?.Properties.Role as { 'Fn::GetAtt': [string, string] };

    // Act
    const statements = hotline.statementsOfRole(role['Fn::GetAtt'][0]);

    // Assess
    expect(statements).toContainEqual(
      expect.objectContaining({
        Action: expect.arrayContaining(['sqs:SendMessage']),
        Resource: arnOf(failedAttempts),
      }),
    );
  });

  it('keeps failed attempts 14 days, encrypted, retained, and raises an alarm as soon as one waits', () => {
    // Prepare
    const queue = hotline.logicalIdOf(callbacksOf(hotline).failedAttempts);

    // Act
    const alarms = alarmsOnQueue(queue);

    // Assess
    expect(hotline.resourcesOf('AWS::SQS::Queue')[queue]?.Properties).toEqual({
      MessageRetentionPeriod: 14 * 24 * 3600,
      SqsManagedSseEnabled: true,
    });
    expect(hotline.resourcesOf('AWS::SQS::Queue')[queue]?.DeletionPolicy).toBe('Retain');
    expect(alarms).toHaveLength(1);
    expect(alarms[0]?.Properties).toMatchObject({
      Namespace: 'AWS/SQS',
      MetricName: 'ApproximateNumberOfMessagesVisible',
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
      Threshold: 1,
      EvaluationPeriods: 1,
      TreatMissingData: 'notBreaching',
    });
  });

  it('keeps its asynchronous retries within the limits Lambda documents', () => {
    // Lambda asynchronous invocation: 0-2 retries, 60-21600 s.
    expect(callbackSchedules.invocation.maximumRetryAttempts).toBeGreaterThanOrEqual(0);
    expect(callbackSchedules.invocation.maximumRetryAttempts).toBeLessThanOrEqual(2);
    expect(callbackSchedules.invocation.maximumEventAgeSeconds).toBeGreaterThanOrEqual(60);
    expect(callbackSchedules.invocation.maximumEventAgeSeconds).toBeLessThanOrEqual(21_600);
  });
});

describe('every Scheduler target', () => {
  it('has an asynchronous-invocation config with an on-failure destination, and the same one locally', () => {
    // Prepare: the call-back target (its schedules are made at run time) and every schedule's target
    const local = localAsyncInvokeConfigs((name) => name);
    const scheduled = Object.values(hotline.resourcesOf('AWS::Scheduler::Schedule')).map((schedule) => {
      const arn = JSON.stringify((schedule.Properties.Target as { Arn: unknown }).Arn);
      const name = (Object.keys(lambdaFunctions) as FunctionName[]).find(
        (candidate) => arn === JSON.stringify({ 'Fn::GetAtt': [functionId(candidate), 'Arn'] }),
      );
      if (name === undefined) throw new Error(`A schedule targets no function of wiring: ${arn}`);
      return name;
    });
    expect(scheduled).toContain(miningSchedule.target);

    for (const target of new Set([callbackSchedules.target, ...scheduled])) {
      // Act
      const config = asyncConfigOf(target);

      // Assess
      expect(config, target).toBeDefined();
      expect(config?.Properties.DestinationConfig, target).toMatchObject({
        OnFailure: { Destination: expect.anything() },
      });
      expect(local.get(target), target).toMatchObject({
        maximumRetryAttempts: config?.Properties.MaximumRetryAttempts,
        maximumEventAgeSeconds: config?.Properties.MaximumEventAgeInSeconds,
        onFailure: expect.any(String),
      });
    }
  });
});
