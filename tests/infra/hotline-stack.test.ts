import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { CfnElement } from 'aws-cdk-lib';
import { Match } from 'aws-cdk-lib/assertions';
import type { CfnFunction } from 'aws-cdk-lib/aws-lambda';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  envNames,
  type FunctionName,
  httpRoutes,
  type LambdaFunctionSpec,
  lambdaFunctions,
  roles,
  routeKeyOf,
  scopeOf,
  scopePrefix,
  stateMachines,
  tableSpec,
} from '#wiring/wiring.ts';
import { placeholdersIn } from '../../infra/asl-placeholders.ts';
import { repoRoot } from '../../infra/repo-root.ts';
import { type CfnResource, onlyOne, type SynthesizedHotline, synthesizeHotline } from './hotline-template.ts';

let hotline: SynthesizedHotline;

beforeAll(() => {
  hotline = synthesizeHotline();
});

const functionNames = Object.keys(lambdaFunctions) as FunctionName[];
const specOf = (name: FunctionName): LambdaFunctionSpec => lambdaFunctions[name];
const logicalIdOf = (name: FunctionName): string =>
  hotline.stack.getLogicalId(hotline.stack.functions[name].lambda.node.defaultChild as CfnFunction);
const functionResource = (name: FunctionName): CfnResource => {
  const resource = hotline.resourcesOf('AWS::Lambda::Function')[logicalIdOf(name)];
  if (resource === undefined) throw new Error(`No function ${name} in the template`);
  return resource;
};
const variablesOf = (name: FunctionName): Record<string, unknown> =>
  (functionResource(name).Properties.Environment as { Variables: Record<string, unknown> }).Variables;

/** The order table, by its construct path (the outbox is a table too). */
const orderTable = (): CfnResource => {
  const cfn = hotline.stack.node.findChild('Orders').node.findChild('Table').node.defaultChild as CfnElement;
  const resource = hotline.resourcesOf('AWS::DynamoDB::Table')[hotline.stack.getLogicalId(cfn)];
  if (resource === undefined) throw new Error('No order table in the template');
  return resource;
};

/** Every IAM action the policies attached to a function's role allow. */
const actionsOf = (name: FunctionName): string[] => {
  const role = (functionResource(name).Properties.Role as { 'Fn::GetAtt': [string, string] })[
    'Fn::GetAtt'
  ][0];
  return Object.values(hotline.resourcesOf('AWS::IAM::Policy'))
    .filter((p) => (p.Properties.Roles as { Ref: string }[]).some((r) => r.Ref === role))
    .flatMap((p) => (p.Properties.PolicyDocument as { Statement: { Action: string | string[] }[] }).Statement)
    .flatMap((statement) => [statement.Action].flat());
};

describe('the order table', () => {
  it('has the keys, indexes and TTL of tableSpec', () => {
    const table = orderTable();
    const indexes = table.Properties.GlobalSecondaryIndexes as { IndexName: string }[];

    expect(table.Properties.KeySchema).toEqual([
      { AttributeName: tableSpec.partitionKey, KeyType: 'HASH' },
      { AttributeName: tableSpec.sortKey, KeyType: 'RANGE' },
    ]);
    expect(indexes).toEqual(
      tableSpec.globalSecondaryIndexes.map((index) => ({
        IndexName: index.indexName,
        KeySchema: [
          { AttributeName: index.partitionKey, KeyType: 'HASH' },
          { AttributeName: index.sortKey, KeyType: 'RANGE' },
        ],
        Projection: { ProjectionType: 'INCLUDE', NonKeyAttributes: [...index.projection] },
      })),
    );
    expect(table.Properties.AttributeDefinitions).toEqual(
      expect.arrayContaining(
        [tableSpec.partitionKey, tableSpec.sortKey].map((name) => ({
          AttributeName: name,
          AttributeType: 'S',
        })),
      ),
    );
    expect(table.Properties.TimeToLiveSpecification).toEqual({
      AttributeName: tableSpec.timeToLiveAttribute,
      Enabled: true,
    });
  });

  it('is recoverable, protected and retained', () => {
    const table = orderTable();

    expect(table.Properties).toMatchObject({
      BillingMode: 'PAY_PER_REQUEST',
      PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
      SSESpecification: { SSEEnabled: true },
      DeletionProtectionEnabled: true,
    });
    expect(table.DeletionPolicy).toBe('Retain');
  });
});

describe('the event bus', () => {
  it('is named hotline and archives its events for 90 days', () => {
    hotline.template.hasResourceProperties('AWS::Events::EventBus', { Name: 'hotline' });
    hotline.template.hasResourceProperties('AWS::Events::Archive', { RetentionDays: 90 });
  });
});

describe('the functions', () => {
  it('deploys every function of lambdaFunctions, plus the Cognito trigger', () => {
    const deployed = Object.keys(hotline.resourcesOf('AWS::Lambda::Function'));

    expect(deployed).toHaveLength(functionNames.length + 1);
    for (const name of functionNames) expect(deployed).toContain(logicalIdOf(name));
  });

  it.each(functionNames)('runs %s on Node 22, arm64, with X-Ray, its log group and source maps', (name) => {
    const { Properties } = functionResource(name);

    expect(Properties).toMatchObject({
      Runtime: 'nodejs22.x',
      Architectures: ['arm64'],
      TracingConfig: { Mode: 'Active' },
      MemorySize: specOf(name).memoryMb ?? 512,
      Timeout: specOf(name).timeoutSeconds ?? 10,
      Description: lambdaFunctions[name].description,
      LoggingConfig: { LogGroup: { Ref: expect.any(String) } },
    });
    expect(variablesOf(name)).toMatchObject({
      NODE_OPTIONS: '--enable-source-maps',
      POWERTOOLS_SERVICE_NAME: 'hotline',
    });
  });

  it.each(functionNames)('gives %s the variables of what it uses, and no others', (name) => {
    const uses: readonly string[] = specOf(name).uses;
    const variables = variablesOf(name);

    expect(envNames.table in variables).toBe(uses.includes('table') || uses.includes('tableRead'));
    expect(envNames.stateMachineArn in variables).toBe(
      uses.includes('stateMachine') || uses.includes('taskTokens') || uses.includes('executionHistory'),
    );
    expect(envNames.eventBus in variables).toBe(
      uses.includes('bus') || uses.includes('pushSigning') || uses.includes('pushDestinations'),
    );
    expect(envNames.pushKeySecret in variables).toBe(uses.includes('pushSigning'));
    for (const push of [envNames.pushInvokeRoleArn, envNames.pushDeadLetterArn])
      expect(push in variables, push).toBe(uses.includes('pushDestinations'));
    // Plain http to this machine is the local stack's only.
    expect(envNames.pushAllowLoopbackHttp in variables).toBe(false);
    for (const scheduling of [
      envNames.scheduleGroup,
      envNames.schedulerRoleArn,
      envNames.callbackTargetArn,
      envNames.scheduleDeadLetterArn,
    ]) {
      expect(scheduling in variables, scheduling).toBe(uses.includes('scheduler'));
    }
    for (const outbox of [envNames.outboxTable, envNames.surveyBaseUrl, envNames.messageSender]) {
      expect(outbox in variables, outbox).toBe(uses.includes('outbox'));
    }
    // Sending through AWS is off by default (context messageSender=hold).
    expect('SENDER_EMAIL' in variables).toBe(false);
  });

  it.each(functionNames)(
    'grants %s exactly the DynamoDB and Step Functions actions of what it uses',
    (name) => {
      const uses: readonly string[] = specOf(name).uses;
      const actions = actionsOf(name);

      expect(actions.some((a) => a.startsWith('dynamodb:Get') || a === 'dynamodb:Query')).toBe(
        uses.includes('table') || uses.includes('tableRead'),
      );
      expect(actions.includes('dynamodb:PutItem')).toBe(uses.includes('table'));
      expect(actions.includes('states:StartExecution')).toBe(uses.includes('stateMachine'));
      expect(actions.includes('states:SendTaskSuccess')).toBe(uses.includes('taskTokens'));
      expect(actions.includes('states:GetExecutionHistory')).toBe(uses.includes('executionHistory'));
      expect(actions.includes('states:DescribeExecution')).toBe(uses.includes('executionHistory'));
      expect(actions.includes('scheduler:CreateSchedule')).toBe(uses.includes('scheduler'));
      expect(actions.includes('iam:PassRole')).toBe(
        uses.includes('scheduler') || uses.includes('pushDestinations'),
      );
      expect(actions.includes('events:PutEvents')).toBe(uses.includes('bus') || uses.includes('pushSigning'));
      expect(actions.includes('events:CreateApiDestination')).toBe(uses.includes('pushDestinations'));
      expect(actions.some((a) => a.startsWith('sns:') || a.startsWith('ses:'))).toBe(false);
      expect(actions.includes('dynamodb:DeleteTable')).toBe(false);
    },
  );

  it('gives the state machine ARN as a name-based ARN, which keeps functions and machine out of a cycle', () => {
    const users = functionNames.filter((name) => envNames.stateMachineArn in variablesOf(name));

    expect(users.length).toBeGreaterThan(0);
    for (const name of users) {
      expect(JSON.stringify(variablesOf(name)[envNames.stateMachineArn])).toContain(
        ':stateMachine:hotline-work-order',
      );
    }
  });
});

describe('the HTTP API', () => {
  const routesInTemplate = () =>
    Object.values(hotline.resourcesOf('AWS::ApiGatewayV2::Route')).map(({ Properties }) => Properties);

  it('has exactly the routes of httpRoutes', () => {
    const keys = routesInTemplate().map((route) => route.RouteKey);

    expect([...keys].sort()).toEqual(httpRoutes.map(routeKeyOf).sort());
  });

  it.each(httpRoutes.map((route) => [routeKeyOf(route), route] as const))(
    'authorizes %s as wiring.ts says',
    (routeKey, route) => {
      const deployed = routesInTemplate().find((candidate) => candidate.RouteKey === routeKey);

      if (route.roles === null) {
        expect(deployed).toMatchObject({ AuthorizationType: 'NONE' });
        expect(deployed?.AuthorizationScopes).toBeUndefined();
      } else {
        expect(deployed).toMatchObject({
          AuthorizationType: 'JWT',
          AuthorizerId: { Ref: expect.any(String) },
        });
        expect([...((deployed?.AuthorizationScopes ?? []) as string[])].sort()).toEqual(
          route.roles.map(scopeOf).sort(),
        );
      }
    },
  );

  it('never deploys a local-only route', () => {
    const localOnly = routesInTemplate().filter((route) =>
      String(route.RouteKey).split(' ')[1]?.startsWith('/_local'),
    );

    expect(localOnly).toEqual([]);
  });

  it('shares one integration per function across its routes', () => {
    const functionsWithRoutes = new Set(httpRoutes.map((route) => route.function));

    expect(Object.keys(hotline.resourcesOf('AWS::ApiGatewayV2::Integration'))).toHaveLength(
      functionsWithRoutes.size,
    );
  });

  it('checks tokens issued by the user pool for its app client', () => {
    const [poolId] = onlyOne(hotline.resourcesOf('AWS::Cognito::UserPool'));
    const [clientId] = onlyOne(hotline.resourcesOf('AWS::Cognito::UserPoolClient'));

    hotline.template.hasResourceProperties('AWS::ApiGatewayV2::Authorizer', {
      AuthorizerType: 'JWT',
      IdentitySource: ['$request.header.Authorization'],
      JwtConfiguration: {
        Audience: [{ Ref: clientId }],
        Issuer: {
          'Fn::Join': [
            '',
            ['https://cognito-idp.', { Ref: 'AWS::Region' }, '.amazonaws.com/', { Ref: poolId }],
          ],
        },
      },
    });
  });

  it('logs every request as JSON and throttles by default', () => {
    const [, stage] = onlyOne(hotline.resourcesOf('AWS::ApiGatewayV2::Stage'));
    const settings = stage.Properties.AccessLogSettings as { Format: string; DestinationArn: unknown };

    expect(stage.Properties).toMatchObject({
      StageName: '$default',
      AutoDeploy: true,
      DefaultRouteSettings: {
        ThrottlingRateLimit: expect.any(Number),
        ThrottlingBurstLimit: expect.any(Number),
      },
    });
    expect(JSON.parse(settings.Format)).toMatchObject({
      requestId: '$context.requestId',
      routeKey: '$context.routeKey',
    });
  });

  it('lets browsers send the headers the handlers read', () => {
    hotline.template.hasResourceProperties('AWS::ApiGatewayV2::Api', {
      CorsConfiguration: {
        AllowHeaders: Match.arrayWith(['Authorization', 'Content-Type', 'Idempotency-Key']),
      },
    });
  });
});

describe.each(Object.entries(stateMachines))('the %s state machine', (key, spec) => {
  const definitionFile = readFileSync(path.join(repoRoot, spec.file), 'utf8');
  const machine = () => {
    const found = Object.values(hotline.resourcesOf('AWS::StepFunctions::StateMachine')).find(
      ({ Properties }) =>
        Properties.StateMachineName === `hotline-${key.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`,
    );
    if (found === undefined) throw new Error(`No state machine for ${key}`);
    return found.Properties;
  };

  it('is a Standard machine with X-Ray, logging every event but no execution data (task tokens, requesters)', () => {
    expect(machine()).toMatchObject({
      StateMachineType: 'STANDARD',
      LoggingConfiguration: { Level: 'ALL', IncludeExecutionData: false },
      TracingConfiguration: { Enabled: true },
    });
  });

  it('inlines the ASL file as it is', () => {
    expect(machine().DefinitionString).toBe(definitionFile);
  });

  it('substitutes exactly the placeholders of its ASL file', () => {
    const substitutions = machine().DefinitionSubstitutions as Record<string, unknown>;

    expect(Object.keys(substitutions).sort()).toEqual(placeholdersIn(definitionFile).sort());
  });
});

describe('the staff directory', () => {
  it('has one group per role, in the order of roles', () => {
    const groups = Object.values(hotline.resourcesOf('AWS::Cognito::UserPoolGroup')).map(
      ({ Properties }) => Properties,
    );

    expect(groups.map((group) => group.GroupName)).toEqual([...roles]);
    expect(groups.map((group) => group.Precedence)).toEqual(roles.map((_, index) => index));
  });

  it('has one resource server scope per role', () => {
    hotline.template.hasResourceProperties('AWS::Cognito::UserPoolResourceServer', {
      Identifier: scopePrefix,
      Scopes: roles.map((role) => ({ ScopeName: role, ScopeDescription: Match.anyValue() })),
    });
  });

  it('lets the public app client request every role scope with the code flow, without a secret', () => {
    const [, client] = onlyOne(hotline.resourcesOf('AWS::Cognito::UserPoolClient'));
    const roleScopes = (client.Properties.AllowedOAuthScopes as unknown[])
      .map((scope) => JSON.stringify(scope))
      .filter((scope) => scope.includes('Fn::Join'));

    expect(client.Properties).toMatchObject({ AllowedOAuthFlows: ['code'], GenerateSecret: false });
    expect(roleScopes.map((scope) => scope.match(/"\/(\w+)"/)?.[1])).toEqual([...roles]);
    expect(client.Properties.ExplicitAuthFlows).toContain('ALLOW_REFRESH_TOKEN_AUTH');
  });

  it('is closed to self sign-up, on Essentials, with the V2 pre-token trigger and the unit attribute', () => {
    const [, pool] = onlyOne(hotline.resourcesOf('AWS::Cognito::UserPool'));

    expect(pool.Properties).toMatchObject({
      AdminCreateUserConfig: { AllowAdminCreateUserOnly: true },
      UserPoolTier: 'ESSENTIALS',
      MfaConfiguration: 'OPTIONAL',
      LambdaConfig: { PreTokenGenerationConfig: { LambdaVersion: 'V2_0', LambdaArn: expect.anything() } },
      Schema: [expect.objectContaining({ Name: 'unit_id', AttributeDataType: 'String', Mutable: true })],
    });
  });
});

describe('the outputs', () => {
  it('tell a deployer where everything is', () => {
    const outputs = Object.keys(hotline.template.toJSON().Outputs as Record<string, unknown>);

    expect(outputs).toEqual(
      expect.arrayContaining([
        'ApiUrl',
        'UserPoolId',
        'UserPoolClientId',
        'TableName',
        'EventBusName',
        'WorkOrderStateMachineArn',
        'OutboxTableName',
        'CallbackScheduleGroupName',
      ]),
    );
  });
});
