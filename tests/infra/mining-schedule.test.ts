import { Validations } from 'aws-cdk-lib';
import { flattenCfnReference } from 'cdk-nag/lib/utils/flatten-cfn-reference.js';
import { beforeAll, describe, expect, it } from 'vitest';
import { envNames, type FunctionName, lambdaFunctions, miningSchedule } from '#wiring/wiring.ts';
import { latestTable } from '../../functions/shared/gateways/analytics-engine.ts';
import { type AnalyticsStore, analyticsBuffering } from '../../infra/constructs/analytics-store.ts';
import type { MiningSchedule } from '../../infra/constructs/mining-schedule.ts';
import { nextCronInstant, parseScheduleExpression } from '../../local/schedule-expressions.ts';
import {
  type CfnResource,
  onlyOne,
  type PolicyStatement,
  type SynthesizedHotline,
  synthesizeHotline,
} from './hotline-template.ts';

/** The nightly mining in AWS: a recurring Scheduler schedule → mineInsights → SQL on Athena. */
let hotline: SynthesizedHotline;

beforeAll(() => {
  hotline = synthesizeHotline();
});

const functionNames = Object.keys(lambdaFunctions) as FunctionName[];
const usesOf = (name: FunctionName): readonly string[] => lambdaFunctions[name].uses;
const queryingFunctions = functionNames.filter((name) => usesOf(name).includes('analyticsQuery'));

const arnOf = (logicalId: string) => ({ 'Fn::GetAtt': [logicalId, 'Arn'] });
/** `arn:${Partition}:<service>:${Region}:${AccountId}:<resource>` as CDK's formatArn writes it. */
const arnInThisAccount = (service: string, resource: string) => ({
  'Fn::Join': [
    '',
    [
      'arn:',
      { Ref: 'AWS::Partition' },
      `:${service}:`,
      { Ref: 'AWS::Region' },
      ':',
      { Ref: 'AWS::AccountId' },
      `:${resource}`,
    ],
  ],
});
const objectsOf = (bucketLogicalId: string, pattern: string) => ({
  'Fn::Join': ['', [arnOf(bucketLogicalId), `/${pattern}`]],
});

const miningOf = (built: SynthesizedHotline) => built.stack.node.findChild('Mining') as MiningSchedule;
const storeOf = (built: SynthesizedHotline) => built.stack.node.findChild('Analytics') as AnalyticsStore;
const ids = (built: SynthesizedHotline) => {
  const mining = miningOf(built);
  const store = storeOf(built);
  return {
    group: built.logicalIdOf(mining.group),
    schedule: built.logicalIdOf(mining.schedule),
    role: built.logicalIdOf(mining.role),
    deadLetters: built.logicalIdOf(mining.deadLetters),
    failedRuns: built.logicalIdOf(mining.failedRuns),
    target: built.logicalIdOf(built.stack.functions[miningSchedule.target].lambda),
    bucket: built.logicalIdOf(store.bucket),
    results: built.logicalIdOf(store.resultsBucket),
  };
};
const functionOf = (built: SynthesizedHotline, name: FunctionName): CfnResource => {
  const resource =
    built.resourcesOf('AWS::Lambda::Function')[built.logicalIdOf(built.stack.functions[name].lambda)];
  if (resource === undefined) throw new Error(`No function ${name}`);
  return resource;
};
const statementsOf = (built: SynthesizedHotline, name: FunctionName): PolicyStatement[] => {
  const role = functionOf(built, name).Properties.Role as { 'Fn::GetAtt': [string, string] };
  return built.statementsOfRole(role['Fn::GetAtt'][0]);
};
const variablesOf = (built: SynthesizedHotline, name: FunctionName) =>
  (functionOf(built, name).Properties.Environment as { Variables: Record<string, unknown> }).Variables;

/**
 * Each allowed (action, resource) pair of the statements whose actions start with `prefix`, as sorted
 * JSON: policies are minimized (statements merged), so pairs, not statements, are what to compare.
 */
const grantsOf = (statements: readonly PolicyStatement[], prefix: string): string[] =>
  statements
    .flatMap((statement) => {
      const actions = [statement.Action].flat().filter((action) => action.startsWith(prefix));
      if (actions.length === 0) return [];
      expect(statement.Effect).toBe('Allow');
      expect(statement.Condition).toBeUndefined();
      return pairs(actions, [statement.Resource].flat());
    })
    .sort();
const pairs = (actions: readonly string[], resources: readonly unknown[]): string[] =>
  actions.flatMap((action) => resources.map((resource) => JSON.stringify([action, resource])));
const sorted = (values: string[]): string[] => [...new Set(values)].sort();

const scheduleOf = (built: SynthesizedHotline) => {
  const schedule = built.resourcesOf('AWS::Scheduler::Schedule')[ids(built).schedule];
  if (schedule === undefined) throw new Error('No mining schedule in the template');
  return schedule;
};

/** Minutes after midnight of an instant's wall time in a zone. */
const minutesOfDay = (ms: number, timeZone: string): number => {
  const parts = new Intl.DateTimeFormat('en-US', {
    timeZone,
    hourCycle: 'h23',
    hour: 'numeric',
    minute: 'numeric',
  }).formatToParts(ms);
  const part = (type: string) => Number(parts.find((p) => p.type === type)?.value);
  return part('hour') * 60 + part('minute');
};
const dayOf = (ms: number, timeZone: string): string =>
  new Date(ms).toLocaleDateString('en-CA', { timeZone });

describe('the mining schedule', () => {
  it("runs wiring's recurring expression in wiring's time zone, invoking the mining function with its input", () => {
    const { group, role, deadLetters, target } = ids(hotline);

    expect(scheduleOf(hotline).Properties).toEqual({
      Name: miningSchedule.scheduleName,
      GroupName: miningSchedule.groupName,
      Description: expect.any(String),
      ScheduleExpression: miningSchedule.expression,
      ScheduleExpressionTimezone: miningSchedule.timeZone,
      FlexibleTimeWindow: { Mode: 'OFF' },
      State: 'ENABLED',
      Target: {
        Arn: arnOf(target),
        RoleArn: arnOf(role),
        Input: JSON.stringify(miningSchedule.input),
        RetryPolicy: {
          MaximumRetryAttempts: miningSchedule.retry.maximumRetryAttempts,
          MaximumEventAgeInSeconds: miningSchedule.retry.maximumEventAgeSeconds,
        },
        DeadLetterConfig: { Arn: arnOf(deadLetters) },
      },
    });
    expect((scheduleOf(hotline) as CfnResource & { DependsOn?: string[] }).DependsOn).toContain(group);
    expect(miningSchedule.expression).toMatch(/^cron\(/);
  });

  it('fires once each Beijing day, after the day closed and Firehose delivered it, before the working day', () => {
    // Prepare: a year of occurrences as the local twin reads the expression (AWS's cron fields).
    const parsed = parseScheduleExpression(miningSchedule.expression);
    if (parsed.kind !== 'cron') throw new Error(`${miningSchedule.expression} is not a cron expression`);
    const firings: number[] = [];
    let after = Date.parse('2026-01-01T00:00:00+08:00');
    for (let i = 0; i < 365; i++) {
      const next = nextCronInstant(parsed.cron, miningSchedule.timeZone, after);
      if (next === undefined) break;
      firings.push(next);
      after = next;
    }
    const workingDayStarts = 8 * 60;
    const lastRowsDelivered = analyticsBuffering.intervalInSeconds / 60;
    // A run, then each of Lambda's retries, each as long as the function's timeout at most.
    const longestNightMinutes =
      ((miningSchedule.invocation.maximumRetryAttempts + 1) *
        (lambdaFunctions[miningSchedule.target].timeoutSeconds ?? 10)) /
      60;

    // Assess
    expect(firings).toHaveLength(365);
    expect(new Set(firings.map((ms) => dayOf(ms, miningSchedule.timeZone))).size).toBe(365);
    for (const ms of firings) {
      const minutes = minutesOfDay(ms, miningSchedule.timeZone);
      expect(minutes).toBeGreaterThanOrEqual(lastRowsDelivered);
      expect(minutes + longestNightMinutes).toBeLessThan(workingDayStarts);
    }
  });

  it('sits alone in a group of its own, named as wiring says, which goes with the stack', () => {
    const group = hotline.resourcesOf('AWS::Scheduler::ScheduleGroup')[ids(hotline).group];

    expect(group?.Properties).toEqual({ Name: miningSchedule.groupName });
    expect(group?.DeletionPolicy).toBe('Delete');
    const inGroup = Object.entries(hotline.resourcesOf('AWS::Scheduler::Schedule')).filter(
      ([, schedule]) => schedule.Properties.GroupName === miningSchedule.groupName,
    );
    expect(inGroup.map(([id]) => id)).toEqual([ids(hotline).schedule]);
  });

  it('follows the stack prefix with its group, so two stacks do not run each other’s mining', () => {
    const staging = synthesizeHotline({ stackName: 'HotlineStaging' });

    expect(scheduleOf(staging).Properties.GroupName).toBe('hotlinestaging-mining');
  });

  it('keeps its retries within the limits AWS documents', () => {
    // Scheduler: 0-185 attempts, 60-86400 s; Lambda asynchronous invocation: 0-2 retries, 60-21600 s.
    expect(miningSchedule.retry.maximumRetryAttempts).toBeLessThanOrEqual(185);
    expect(miningSchedule.retry.maximumEventAgeSeconds).toBeGreaterThanOrEqual(60);
    expect(miningSchedule.retry.maximumEventAgeSeconds).toBeLessThanOrEqual(86_400);
    expect(miningSchedule.invocation.maximumRetryAttempts).toBeLessThanOrEqual(2);
    expect(miningSchedule.invocation.maximumEventAgeSeconds).toBeGreaterThanOrEqual(60);
    expect(miningSchedule.invocation.maximumEventAgeSeconds).toBeLessThanOrEqual(21_600);
  });
});

describe('the role the mining schedule runs as', () => {
  it("trusts only EventBridge Scheduler, for this account's schedules of the mining group", () => {
    const { group, role } = ids(hotline);

    expect(hotline.resourcesOf('AWS::IAM::Role')[role]?.Properties.AssumeRolePolicyDocument).toEqual({
      Version: '2012-10-17',
      Statement: [
        {
          Action: 'sts:AssumeRole',
          Effect: 'Allow',
          Principal: { Service: 'scheduler.amazonaws.com' },
          Condition: {
            StringEquals: { 'aws:SourceAccount': { Ref: 'AWS::AccountId' }, 'aws:SourceArn': arnOf(group) },
          },
        },
      ],
    });
  });

  it('may invoke the mining function and dead-letter to its queue, and nothing else', () => {
    const { role, deadLetters, target } = ids(hotline);

    expect(hotline.resourcesOf('AWS::IAM::Role')[role]?.Properties.ManagedPolicyArns).toBeUndefined();
    expect(hotline.statementsOfRole(role)).toEqual([
      { Action: 'lambda:InvokeFunction', Effect: 'Allow', Resource: arnOf(target) },
      { Action: 'sqs:SendMessage', Effect: 'Allow', Resource: arnOf(deadLetters) },
    ]);
  });
});

describe('what happens to a night that fails', () => {
  it.each(['deadLetters', 'failedRuns'] as const)(
    'keeps %s 14 days, encrypted, retained, and raises an alarm as soon as one message waits',
    (queueOf) => {
      const queue = ids(hotline)[queueOf];
      const alarms = Object.values(hotline.resourcesOf('AWS::CloudWatch::Alarm')).filter(
        (alarm) =>
          JSON.stringify(alarm.Properties.Dimensions) ===
          JSON.stringify([{ Name: 'QueueName', Value: { 'Fn::GetAtt': [queue, 'QueueName'] } }]),
      );

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
    },
  );

  it("retries a failed run as wiring's invocation says, then sends it to the failed-runs queue", () => {
    // Scheduler's part ends when Lambda accepted the asynchronous event; a run's error is Lambda's.
    const { failedRuns, target } = ids(hotline);
    // The call-back target has one too (tests/infra/callback-async-invoke.test.ts): this is the mining's.
    const [, config] = onlyOne(
      Object.fromEntries(
        Object.entries(hotline.resourcesOf('AWS::Lambda::EventInvokeConfig')).filter(
          ([, candidate]) =>
            JSON.stringify(candidate.Properties.FunctionName) === JSON.stringify({ Ref: target }),
        ),
      ),
    );

    expect(config.Properties).toEqual({
      FunctionName: { Ref: target },
      Qualifier: '$LATEST',
      MaximumRetryAttempts: miningSchedule.invocation.maximumRetryAttempts,
      MaximumEventAgeInSeconds: miningSchedule.invocation.maximumEventAgeSeconds,
      DestinationConfig: { OnFailure: { Destination: arnOf(failedRuns) } },
    });
    expect(statementsOf(hotline, miningSchedule.target)).toContainEqual(
      expect.objectContaining({
        Action: expect.arrayContaining(['sqs:SendMessage']),
        Resource: arnOf(failedRuns),
      }),
    );
  });

  it('names the schedule in the stack outputs', () => {
    const outputs = hotline.template.toJSON().Outputs as Record<string, { Value: unknown }>;

    expect(outputs.MiningScheduleName?.Value).toBe(miningSchedule.scheduleName);
    expect(outputs.MiningScheduleGroupName?.Value).toBe(miningSchedule.groupName);
  });
});

describe('querying the analytics store (analyticsQuery)', () => {
  const expected = () => {
    const store = storeOf(hotline);
    const { bucket, results } = ids(hotline);
    const glue = (resource: string) => arnInThisAccount('glue', resource);
    const catalog = glue('catalog');
    const database = glue(`database/${store.databaseName}`);
    const view = glue(`table/${store.databaseName}/${latestTable}`);
    return {
      athena: pairs(
        [
          'athena:GetQueryExecution',
          'athena:GetQueryResults',
          'athena:StartQueryExecution',
          'athena:StopQueryExecution',
        ],
        [arnInThisAccount('athena', `workgroup/${store.workGroupName}`)],
      ),
      glue: [
        ...pairs(
          ['glue:GetDatabase', 'glue:GetPartitions', 'glue:GetTable', 'glue:GetTables'],
          [catalog, database, glue(`table/${store.databaseName}/${store.tableName}`), view],
        ),
        ...pairs(['glue:CreateTable', 'glue:UpdateTable'], [catalog, database, view]),
      ],
      s3: [
        ...pairs(['s3:GetBucketLocation', 's3:ListBucket'], [arnOf(bucket)]),
        ...pairs(['s3:GetObject'], [objectsOf(bucket, 'orders/*')]),
        ...pairs(
          ['s3:GetBucketLocation', 's3:ListBucket', 's3:ListBucketMultipartUploads'],
          [arnOf(results)],
        ),
        ...pairs(
          ['s3:AbortMultipartUpload', 's3:GetObject', 's3:ListMultipartUploadParts', 's3:PutObject'],
          [objectsOf(results, '*')],
        ),
      ],
    };
  };

  it('is used by the mining function, the schedule target', () => {
    expect(queryingFunctions).toEqual([miningSchedule.target]);
  });

  it.each(functionNames)(
    'lets %s run Athena queries in the store’s workgroup only if it uses analyticsQuery',
    (name) => {
      const athena = grantsOf(statementsOf(hotline, name), 'athena:');

      expect(athena).toEqual(queryingFunctions.includes(name) ? sorted(expected().athena) : []);
    },
  );

  it.each(functionNames)(
    'lets %s read the catalog, database, table and view, and write the view only, if it uses analyticsQuery',
    (name) => {
      const glue = grantsOf(statementsOf(hotline, name), 'glue:');

      expect(sorted(glue)).toEqual(queryingFunctions.includes(name) ? sorted(expected().glue) : []);
    },
  );

  it.each(functionNames)(
    'lets %s read the rows and read and write the results only if it uses analyticsQuery',
    (name) => {
      const { bucket, results } = ids(hotline);
      const s3 = grantsOf(statementsOf(hotline, name), 's3:').filter(
        (pair) => pair.includes(bucket) || pair.includes(results),
      );

      expect(sorted(s3)).toEqual(queryingFunctions.includes(name) ? sorted(expected().s3) : []);
    },
  );

  it.each(queryingFunctions)(
    'gives %s no "*" resource, and acknowledges each object wildcard in cdk-nag with a reason',
    (name) => {
      const fn = hotline.stack.functions[name];
      const statements = statementsOf(hotline, name);
      const resources = ['athena:', 'glue:', 's3:'].flatMap((prefix) =>
        grantsOf(statements, prefix).map((pair) => (JSON.parse(pair) as [string, unknown])[1]),
      );
      const wildcards = sorted(
        resources.filter((r) => JSON.stringify(r).includes('*')).map((r) => flattenCfnReference(r)),
      );
      const acknowledged = fn.node.metadata
        .filter((entry) => entry.type === Validations.ACKNOWLEDGED_RULES_METADATA_KEY)
        .flatMap((entry) => Object.entries(entry.data as Record<string, string>));

      expect(resources).not.toContain('*');
      expect(wildcards).toEqual(
        sorted([`<${ids(hotline).bucket}.Arn>/orders/*`, `<${ids(hotline).results}.Arn>/*`]),
      );
      for (const wildcard of wildcards) {
        const reason = acknowledged.find(([id]) =>
          id.endsWith(`AwsSolutions-IAM5[Resource::${wildcard}]`),
        )?.[1];
        expect(reason?.trim().length ?? 0, wildcard).toBeGreaterThan(40);
      }
    },
  );

  it.each(functionNames)('gives %s the workgroup and the database only if it uses analyticsQuery', (name) => {
    const store = storeOf(hotline);
    const variables = variablesOf(hotline, name);

    if (queryingFunctions.includes(name)) {
      expect(variables).toMatchObject({
        [envNames.athenaWorkGroup]: store.workGroupName,
        [envNames.athenaDatabase]: store.databaseName,
      });
    } else {
      expect(variables).not.toHaveProperty(envNames.athenaWorkGroup);
      expect(variables).not.toHaveProperty(envNames.athenaDatabase);
    }
  });
});
