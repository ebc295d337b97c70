import { beforeAll, describe, expect, it } from 'vitest';
import {
  busRules,
  callbackSchedules,
  envNames,
  type FunctionName,
  httpRoutes,
  lambdaFunctions,
  outboxTableSpec,
  routeKeyOf,
} from '#wiring/wiring.ts';
import { buildApp } from '../../infra/app.ts';
import { HotlineHttpApi } from '../../infra/constructs/hotline-http-api.ts';
import type { HotlineStack } from '../../infra/hotline-stack.ts';
import {
  type CfnResource,
  onlyOne,
  type PolicyStatement,
  type SynthesizedHotline,
  synthesizeHotline,
  withoutBundling,
} from './hotline-template.ts';

/** Call-backs (回访) on EventBridge Scheduler: the group, its role and dead letters, and who may use them. */
let hotline: SynthesizedHotline;
let sendingThroughAws: SynthesizedHotline;
const senderEmail = 'callback@hotline.example.gov.cn';
const awsSending = { messageSender: 'aws', senderEmail } as const;

beforeAll(() => {
  hotline = synthesizeHotline();
  sendingThroughAws = synthesizeHotline(awsSending);
});

const functionNames = Object.keys(lambdaFunctions) as FunctionName[];
const usesOf = (name: FunctionName): readonly string[] => lambdaFunctions[name].uses;
const schedulingFunctions = functionNames.filter((name) => usesOf(name).includes('scheduler'));
const outboxFunctions = functionNames.filter((name) => usesOf(name).includes('outbox'));

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
const arnOf = (logicalId: string) => ({ 'Fn::GetAtt': [logicalId, 'Arn'] });

const scheduling = (built: SynthesizedHotline) => {
  const callbacks = built.stack.node.findChild('Callbacks');
  const idOf = (child: string) => built.logicalIdOf(callbacks.node.findChild(child));
  return {
    group: idOf('Group'),
    role: idOf('InvokeRole'),
    deadLetters: idOf('DeadLetters'),
    deadLettersAlarm: idOf('DeadLettersAlarm'),
  };
};
const functionId = (built: SynthesizedHotline, name: FunctionName) =>
  built.logicalIdOf(built.stack.functions[name].lambda);
const functionOf = (built: SynthesizedHotline, name: FunctionName): CfnResource => {
  const resource = built.resourcesOf('AWS::Lambda::Function')[functionId(built, name)];
  if (resource === undefined) throw new Error(`No function ${name}`);
  return resource;
};
const variablesOf = (built: SynthesizedHotline, name: FunctionName) =>
  (functionOf(built, name).Properties.Environment as { Variables: Record<string, unknown> }).Variables;
const statementsOf = (built: SynthesizedHotline, name: FunctionName): PolicyStatement[] => {
  const role = functionOf(built, name).Properties.Role as { 'Fn::GetAtt': [string, string] };
  return built.statementsOfRole(role['Fn::GetAtt'][0]);
};
const actionsIn = (statements: readonly PolicyStatement[]): string[] =>
  statements.flatMap((statement) => [statement.Action].flat());
const orderedActions = (statement: PolicyStatement | undefined) =>
  statement === undefined ? undefined : { ...statement, Action: [statement.Action].flat().sort() };

describe('the call-back schedule group', () => {
  it('is named callbackSchedules.groupName and kept when the stack goes, with the call-backs waiting in it', () => {
    const group = hotline.resourcesOf('AWS::Scheduler::ScheduleGroup')[scheduling(hotline).group];

    // One group of that name; the other group is the nightly mining's (tests/infra/mining-schedule.test.ts).
    expect(
      Object.values(hotline.resourcesOf('AWS::Scheduler::ScheduleGroup')).filter(
        (candidate) => candidate.Properties.Name === callbackSchedules.groupName,
      ),
    ).toHaveLength(1);
    expect(group?.Properties).toEqual({ Name: callbackSchedules.groupName });
    expect(group?.DeletionPolicy).toBe('Retain');
  });
});

describe('the role call-back schedules run as', () => {
  it("trusts only EventBridge Scheduler, for this account's schedules of this group", () => {
    const { group, role } = scheduling(hotline);

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

  it('may invoke the target function (and its versions) and dead-letter to its queue, and nothing else', () => {
    const { role, deadLetters } = scheduling(hotline);
    const target = functionId(hotline, callbackSchedules.target);

    expect(hotline.resourcesOf('AWS::IAM::Role')[role]?.Properties.ManagedPolicyArns).toBeUndefined();
    expect(hotline.statementsOfRole(role)).toEqual([
      {
        Action: 'lambda:InvokeFunction',
        Effect: 'Allow',
        Resource: [arnOf(target), { 'Fn::Join': ['', [arnOf(target), ':*']] }],
      },
      { Action: 'sqs:SendMessage', Effect: 'Allow', Resource: arnOf(deadLetters) },
    ]);
  });
});

describe('the dead-letter queues', () => {
  it('keep failed schedule deliveries 14 days, encrypted, over TLS only, and are retained', () => {
    const { deadLetters } = scheduling(hotline);
    const queue = hotline.resourcesOf('AWS::SQS::Queue')[deadLetters];
    const policy = Object.values(hotline.resourcesOf('AWS::SQS::QueuePolicy')).find((p) =>
      (p.Properties.Queues as { Ref: string }[]).some((q) => q.Ref === deadLetters),
    );

    expect(queue?.Properties).toEqual({ MessageRetentionPeriod: 14 * 24 * 3600, SqsManagedSseEnabled: true });
    expect(queue?.DeletionPolicy).toBe('Retain');
    expect(policy?.Properties.PolicyDocument).toMatchObject({ Statement: expect.any(Array) });
    expect(
      (policy?.Properties.PolicyDocument as { Statement: unknown[] } | undefined)?.Statement,
    ).toContainEqual({
      Action: 'sqs:*',
      Condition: { Bool: { 'aws:SecureTransport': 'false' } },
      Effect: 'Deny',
      Principal: { AWS: '*' },
      Resource: arnOf(deadLetters),
    });
  });

  it.each(['Callbacks', 'Rules'])('of %s raise an alarm as soon as one message waits', (owner) => {
    const queue = hotline.logicalIdOf(hotline.stack.node.findChild(owner).node.findChild('DeadLetters'));
    const alarms = Object.values(hotline.resourcesOf('AWS::CloudWatch::Alarm')).filter(
      (alarm) =>
        JSON.stringify(alarm.Properties.Dimensions) ===
        JSON.stringify([{ Name: 'QueueName', Value: { 'Fn::GetAtt': [queue, 'QueueName'] } }]),
    );

    expect(alarms).toHaveLength(1);
    expect(alarms[0]?.Properties).toMatchObject({
      Namespace: 'AWS/SQS',
      MetricName: 'ApproximateNumberOfMessagesVisible',
      Statistic: 'Maximum',
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
      Threshold: 1,
      EvaluationPeriods: 1,
      TreatMissingData: 'notBreaching',
    });
  });
});

describe('functions that schedule call-backs', () => {
  it('are the ones wiring.ts says, the target among them', () => {
    expect(schedulingFunctions).toEqual(
      expect.arrayContaining(['scheduleCallbacks', callbackSchedules.target]),
    );
  });

  it('give the target a fixed name, so that it can be handed its own ARN', () => {
    const variables = variablesOf(hotline, callbackSchedules.target);

    expect(functionOf(hotline, callbackSchedules.target).Properties.FunctionName).toBe(
      'hotline-callback-attempt',
    );
    expect(variables[envNames.callbackTargetArn]).toEqual(
      arnInThisAccount('lambda', 'function:hotline-callback-attempt'),
    );
  });

  it.each(schedulingFunctions)(
    'gives %s the group, the role, the target and the dead-letter queue',
    (name) => {
      const { role, deadLetters } = scheduling(hotline);

      expect(variablesOf(hotline, name)).toMatchObject({
        [envNames.scheduleGroup]: callbackSchedules.groupName,
        [envNames.schedulerRoleArn]: arnOf(role),
        [envNames.callbackTargetArn]: arnInThisAccount('lambda', 'function:hotline-callback-attempt'),
        [envNames.scheduleDeadLetterArn]: arnOf(deadLetters),
      });
    },
  );

  it.each(schedulingFunctions)(
    'lets %s create, read and delete schedules of the group only, and pass the role to Scheduler only',
    (name) => {
      const statements = statementsOf(hotline, name);
      const schedules = statements.find((s) => actionsIn([s]).some((a) => a.startsWith('scheduler:')));
      const passRole = statements.find((s) => actionsIn([s]).includes('iam:PassRole'));

      expect(orderedActions(schedules)).toEqual({
        Action: ['scheduler:CreateSchedule', 'scheduler:DeleteSchedule', 'scheduler:GetSchedule'],
        Effect: 'Allow',
        Resource: arnInThisAccount('scheduler', `schedule/${callbackSchedules.groupName}/*`),
      });
      expect(passRole).toEqual({
        Action: 'iam:PassRole',
        Effect: 'Allow',
        Resource: arnOf(scheduling(hotline).role),
        Condition: { StringEquals: { 'iam:PassedToService': 'scheduler.amazonaws.com' } },
      });
      expect(
        actionsIn(statements).filter((a) => a.startsWith('scheduler:') || a.startsWith('iam:')),
      ).toHaveLength(4);
    },
  );

  it.each(functionNames.filter((name) => !schedulingFunctions.includes(name)))(
    'gives %s nothing of the scheduler',
    (name) => {
      const variables = variablesOf(hotline, name);
      const actions = actionsIn(statementsOf(hotline, name));

      for (const variable of [
        envNames.scheduleGroup,
        envNames.schedulerRoleArn,
        envNames.callbackTargetArn,
        envNames.scheduleDeadLetterArn,
      ]) {
        expect(variables).not.toHaveProperty(variable);
      }
      expect(actions.filter((a) => a.startsWith('scheduler:'))).toEqual([]);
      // The role passed, if any, is EventBridge's for the push destinations, never Scheduler's.
      const passed = statementsOf(hotline, name).filter((st) => [st.Action].flat().includes('iam:PassRole'));
      for (const st of passed) expect(JSON.stringify(st.Condition)).toContain('events.amazonaws.com');
      expect(passed.length > 0).toBe(usesOf(name).includes('pushDestinations'));
    },
  );
});

describe('the outbox', () => {
  const outboxId = (built: SynthesizedHotline) =>
    built.logicalIdOf(built.stack.node.findChild('Outbox').node.findChild('Table'));

  it('is a table of its own keyed by id, expiring by TTL, recoverable, encrypted, protected and retained', () => {
    const table = hotline.resourcesOf('AWS::DynamoDB::Table')[outboxId(hotline)];

    expect(table?.Properties).toEqual({
      KeySchema: [{ AttributeName: outboxTableSpec.partitionKey, KeyType: 'HASH' }],
      AttributeDefinitions: [{ AttributeName: outboxTableSpec.partitionKey, AttributeType: 'S' }],
      TimeToLiveSpecification: { AttributeName: outboxTableSpec.timeToLiveAttribute, Enabled: true },
      BillingMode: 'PAY_PER_REQUEST',
      PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
      SSESpecification: { SSEEnabled: true },
      DeletionProtectionEnabled: true,
    });
    expect(table?.DeletionPolicy).toBe('Retain');
  });

  it.each(outboxFunctions)(
    'gives %s the outbox, the survey page and the sender it holds messages for',
    (name) => {
      const api = hotline.logicalIdOf(hotline.stack.node.findChild('Http').node.findChild('Api'));

      expect(variablesOf(hotline, name)).toMatchObject({
        [envNames.outboxTable]: { Ref: outboxId(hotline) },
        [envNames.surveyBaseUrl]: { 'Fn::Join': ['', [{ 'Fn::GetAtt': [api, 'ApiEndpoint'] }, '/surveys/']] },
        [envNames.messageSender]: 'hold',
      });
      expect(
        statementsOf(hotline, name).find((s) => JSON.stringify(s.Resource).includes(outboxId(hotline))),
      ).toMatchObject({
        Action: expect.arrayContaining(['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem']),
      });
    },
  );

  it.each(functionNames.filter((name) => !outboxFunctions.includes(name)))(
    'keeps %s out of the outbox',
    (name) => {
      expect(JSON.stringify(statementsOf(hotline, name))).not.toContain(outboxId(hotline));
      expect(variablesOf(hotline, name)).not.toHaveProperty(envNames.outboxTable);
      expect(variablesOf(hotline, name)).not.toHaveProperty(envNames.surveyBaseUrl);
    },
  );
});

describe('sending survey messages', () => {
  const snsOrSes = (built: SynthesizedHotline) =>
    Object.values(built.resourcesOf('AWS::IAM::Policy')).flatMap((policy) =>
      actionsIn((policy.Properties.PolicyDocument as { Statement: PolicyStatement[] }).Statement).filter(
        (a) => a.startsWith('sns:') || a.startsWith('ses:'),
      ),
    );

  it('holds messages in the outbox by default: nothing may publish SMS or send e-mail', () => {
    expect(snsOrSes(hotline)).toEqual([]);
  });

  it.each(outboxFunctions)(
    'with messageSender=aws lets %s publish SMS and send e-mail from senderEmail only',
    (name) => {
      const statements = statementsOf(sendingThroughAws, name);

      expect(variablesOf(sendingThroughAws, name)).toMatchObject({
        [envNames.messageSender]: 'aws',
        SENDER_EMAIL: senderEmail,
      });
      // SMS to a phone number has no ARN; minimized policies share that "*" statement with X-Ray's.
      expect(orderedActions(statements.find((s) => s.Resource === '*'))).toEqual({
        Action: ['sns:Publish', 'xray:PutTelemetryRecords', 'xray:PutTraceSegments'],
        Effect: 'Allow',
        Resource: '*',
      });
      expect(statements).toContainEqual({
        Action: 'ses:SendEmail',
        Effect: 'Allow',
        Resource: [
          arnInThisAccount('ses', `identity/${senderEmail}`),
          arnInThisAccount('ses', 'identity/hotline.example.gov.cn'),
        ],
        Condition: { StringEquals: { 'ses:FromAddress': senderEmail } },
      });
    },
  );

  it('with messageSender=aws grants SNS and SES to the outbox functions and no others', () => {
    expect(snsOrSes(sendingThroughAws)).toHaveLength(2 * outboxFunctions.length);
  });

  it('passes cdk-nag with messageSender=aws', () => {
    const { app } = buildApp({ context: { ...withoutBundling, ...awsSending } });

    expect(() => app.synth()).not.toThrow();
  });

  it('rejects a sender it does not know, and aws without a sender address', () => {
    expect(() => buildApp({ context: { ...withoutBundling, messageSender: 'smtp' } })).toThrow(
      /messageSender must be one of hold, aws/,
    );
    expect(() => buildApp({ context: { ...withoutBundling, messageSender: 'aws' } })).toThrow(
      /give the verified sender address as context senderEmail/,
    );
  });
});

describe('the public survey routes', () => {
  const routes = () =>
    Object.values(hotline.resourcesOf('AWS::ApiGatewayV2::Route')).map((r) => r.Properties);
  const publicKeys = httpRoutes.filter((route) => route.roles === null).map(routeKeyOf);

  it('are exactly the routes without authorization, and every other route checks a JWT', () => {
    const open = routes().filter((route) => route.AuthorizationType === 'NONE');
    const checked = routes().filter((route) => route.AuthorizationType === 'JWT');

    expect(publicKeys).toEqual(expect.arrayContaining(['GET /surveys/{token}', 'POST /surveys/{token}']));
    expect(open.map((route) => route.RouteKey).sort()).toEqual([...publicKeys].sort());
    expect(open.every((route) => route.AuthorizerId === undefined)).toBe(true);
    expect(checked).toHaveLength(httpRoutes.length - publicKeys.length);
  });

  it('are throttled below the default, and the stage waits for them', () => {
    const [, stage] = onlyOne(hotline.resourcesOf('AWS::ApiGatewayV2::Stage'));
    const routeIds = Object.entries(hotline.resourcesOf('AWS::ApiGatewayV2::Route'))
      .filter(([, route]) => publicKeys.includes(String(route.Properties.RouteKey)))
      .map(([id]) => id);
    const dependsOn = (stage as CfnResource & { DependsOn?: string[] }).DependsOn ?? [];

    expect(stage.Properties.RouteSettings).toEqual(
      Object.fromEntries(
        publicKeys.map((key) => [key, { ThrottlingRateLimit: 10, ThrottlingBurstLimit: 20 }]),
      ),
    );
    expect(dependsOn).toEqual(expect.arrayContaining(routeIds));
  });

  it('refuses a public route to a function that touches data and has no token of its own', () => {
    const { stack } = buildApp({ context: withoutBundling }) as { stack: HotlineStack };

    expect(
      () =>
        new HotlineHttpApi(stack, 'Leaky', {
          apiName: 'leaky',
          routes: [{ method: 'GET', path: '/orders/{id}', function: 'getOrder', roles: null }],
          functions: stack.functions,
          issuerUrl: 'https://issuer.example',
          audience: ['client'],
          allowedOrigins: ['*'],
        }),
    ).toThrow(/GET \/orders\/\{id\} has no authorization but reaches getOrder, which touches data/);
  });
});

describe('the ScheduleCallbacks bus rule', () => {
  it('matches the pattern of wiring.ts and delivers to scheduleCallbacks with retries, then to the dead letters', () => {
    const rule =
      hotline.resourcesOf('AWS::Events::Rule')[
        hotline.logicalIdOf(hotline.stack.node.findChild('Rules').node.findChild('ScheduleCallbacks'))
      ];
    const deadLetters = hotline.logicalIdOf(
      hotline.stack.node.findChild('Rules').node.findChild('DeadLetters'),
    );

    expect(rule?.Properties.EventPattern).toEqual(busRules.ScheduleCallbacks?.pattern);
    expect(rule?.Properties.Targets).toEqual([
      {
        Id: 'Target0',
        Arn: arnOf(functionId(hotline, 'scheduleCallbacks')),
        DeadLetterConfig: { Arn: arnOf(deadLetters) },
        RetryPolicy: { MaximumRetryAttempts: 8, MaximumEventAgeInSeconds: 24 * 3600 },
      },
    ]);
  });
});
