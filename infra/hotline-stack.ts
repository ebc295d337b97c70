import { ArnFormat, CfnOutput, Stack, type StackProps } from 'aws-cdk-lib';
import type { UserPoolDomain } from 'aws-cdk-lib/aws-cognito';
import { StateMachine } from 'aws-cdk-lib/aws-stepfunctions';
import type { Construct } from 'constructs';
import {
  callbackHealing,
  callbackSchedules,
  contactRetention,
  envNames,
  type FunctionName,
  httpRoutes,
  type LambdaFunctionSpec,
  lambdaFunctions,
  lifecycleHealing,
  miningSchedule,
  stateMachines,
} from '#wiring/wiring.ts';
import { AlarmNotifications } from './constructs/alarm-notifications.ts';
import { AnalyticsStore } from './constructs/analytics-store.ts';
import { BusRules } from './constructs/bus-rules.ts';
import { CallbackReconciliation } from './constructs/callback-reconciliation.ts';
import { CallbackScheduling } from './constructs/callback-scheduling.ts';
import { ContactProtection } from './constructs/contact-protection.ts';
import { ContactRetentionSchedule } from './constructs/contact-retention-schedule.ts';
import { DashboardSite } from './constructs/dashboard-site.ts';
import { grantWhatItUses } from './constructs/function-access.ts';
import { HotlineBus } from './constructs/hotline-bus.ts';
import { HotlineFunction } from './constructs/hotline-function.ts';
import { HotlineHttpApi } from './constructs/hotline-http-api.ts';
import { LifecycleReconciliation } from './constructs/lifecycle-reconciliation.ts';
import { LifecycleStateMachine } from './constructs/lifecycle-state-machine.ts';
import { messageSendingOf } from './constructs/message-sending.ts';
import { MiningSchedule } from './constructs/mining-schedule.ts';
import { OrderTable } from './constructs/order-table.ts';
import { OutboxTable } from './constructs/outbox-table.ts';
import { PushDelivery } from './constructs/push-delivery.ts';
import { StaffIdentity } from './constructs/staff-identity.ts';
import { StreamTriggers } from './constructs/stream-triggers.ts';

export interface HotlineStackProps extends StackProps {
  /** Prefix of physical names (bus, state machines, user pool, API); lower-case stack name by default. */
  readonly namePrefix?: string;
  readonly eventBusName?: string;
  readonly allowedOrigins?: readonly string[];
  readonly callbackUrls?: readonly string[];
  readonly logoutUrls?: readonly string[];
  readonly authDomainPrefix?: string;
}

const pascal = (word: string): string => word.charAt(0).toUpperCase() + word.slice(1);
const kebab = (word: string): string => word.replace(/[A-Z]/g, (letter) => `-${letter.toLowerCase()}`);

/** `/surveys/` from the public survey route `/surveys/{token}` of wiring/wiring.ts. */
const surveyPathPrefix = (): string => {
  const route = httpRoutes.find((candidate) => candidate.function === 'survey' && candidate.method === 'GET');
  const prefix = route?.path.match(/^(.*\/)\{[^}]+\}$/)?.[1];
  if (prefix === undefined)
    throw new Error('wiring/wiring.ts has no GET route /<path>/{token} for the survey.');
  return prefix;
};

/** Everything the hotline runs on, built from the one table in wiring/wiring.ts. */
export class HotlineStack extends Stack {
  readonly functions: Readonly<Record<FunctionName, HotlineFunction>>;
  readonly identity: StaffIdentity;

  constructor(scope: Construct, id: string, props: HotlineStackProps = {}) {
    super(scope, id, props);
    const prefix = props.namePrefix ?? this.stackName.toLowerCase();
    const stateMachineNameOf = (key: keyof typeof stateMachines): string => `${prefix}-${kebab(key)}`;

    const { table } = new OrderTable(this, 'Orders');
    const { table: outboxTable } = new OutboxTable(this, 'Outbox');
    const { bus } = new HotlineBus(this, 'Events', { eventBusName: props.eventBusName ?? prefix });

    // The functions need the lifecycle's ARN and the lifecycle's role needs the functions' ARNs. A fixed
    // state machine name lets us write the ARN down first and break that cycle.
    const stateMachineArnOf = (
      key: keyof typeof stateMachines,
      resource: 'stateMachine' | 'execution',
    ): string =>
      this.formatArn({
        service: 'states',
        resource,
        resourceName: resource === 'execution' ? `${stateMachineNameOf(key)}:*` : stateMachineNameOf(key),
        arnFormat: ArnFormat.COLON_RESOURCE_NAME,
      });
    const workOrder = {
      stateMachine: StateMachine.fromStateMachineArn(
        this,
        'WorkOrderByName',
        stateMachineArnOf('workOrder', 'stateMachine'),
      ),
      anyExecutionArn: stateMachineArnOf('workOrder', 'execution'),
    };

    // The call-back target schedules its own next attempt, so it needs its own ARN: a fixed name lets
    // us write that ARN down (a function cannot reference its own Fn::GetAtt).
    const callbackTargetName = `${prefix}-${kebab(callbackSchedules.target)}`;
    const functions = {} as Record<FunctionName, HotlineFunction>;
    for (const name of Object.keys(lambdaFunctions) as FunctionName[]) {
      const spec: LambdaFunctionSpec = lambdaFunctions[name];
      functions[name] = new HotlineFunction(this, pascal(name), {
        ...spec,
        functionName: name === callbackSchedules.target ? callbackTargetName : undefined,
      });
    }
    this.functions = functions;
    new BusRules(this, 'Rules', { bus, functions });
    new StreamTriggers(this, 'StreamTriggers', { table, functions });
    const analytics = new AnalyticsStore(this, 'Analytics', { namePrefix: prefix });
    const contacts = new ContactProtection(this, 'Contacts');
    const push = new PushDelivery(this, 'Push', { bus });
    // Every alarm of the stack notifies this topic; context alarmEmail subscribes an address to it.
    const alarms = new AlarmNotifications(this, 'Alarms', {
      email: this.node.tryGetContext('alarmEmail') as string | undefined,
    });

    const callbackScheduling = new CallbackScheduling(this, 'Callbacks', {
      // Physical names follow the stack's prefix, so two stacks can share an account; for the default
      // stack (prefix `hotline`) this is exactly wiring's groupName, which the local stack uses.
      scheduleGroupName: `${prefix}-${callbackSchedules.groupName.replace(/^hotline-/, '')}`,
      target: functions[callbackSchedules.target].lambda,
      targetArnByName: this.formatArn({
        service: 'lambda',
        resource: 'function',
        resourceName: callbackTargetName,
        arnFormat: ArnFormat.COLON_RESOURCE_NAME,
      }),
    });
    const mining = new MiningSchedule(this, 'Mining', {
      // As the call-back group: the default stack's is exactly wiring's groupName.
      scheduleGroupName: `${prefix}-${miningSchedule.groupName.replace(/^hotline-/, '')}`,
      target: functions[miningSchedule.target].lambda,
    });
    const reconciler = lifecycleHealing.reconciler;
    const reconciliation = new LifecycleReconciliation(this, 'LifecycleReconciliation', {
      scheduleGroupName: `${prefix}-${reconciler.groupName.replace(/^hotline-/, '')}`,
      target: functions[reconciler.target].lambda,
    });
    new ContactRetentionSchedule(this, 'ContactRetention', {
      scheduleGroupName: `${prefix}-${contactRetention.groupName.replace(/^hotline-/, '')}`,
      target: functions[contactRetention.target].lambda,
    });
    // The retention period: wiring's default, or context contactRetentionDays for this deployment.
    const retentionDays = Number(
      this.node.tryGetContext('contactRetentionDays') ?? contactRetention.retentionDays,
    );
    if (!Number.isInteger(retentionDays) || retentionDays < 1) {
      throw new Error(
        `Context contactRetentionDays must be a whole number of days ≥ 1, not ${retentionDays}.`,
      );
    }
    functions[contactRetention.target].addEnvironment(envNames.contactRetentionDays, String(retentionDays));
    const callbackReconciler = callbackHealing.reconciler;
    const callbackReconciliation = new CallbackReconciliation(this, 'CallbackReconciliation', {
      scheduleGroupName: `${prefix}-${callbackReconciler.groupName.replace(/^hotline-/, '')}`,
      target: functions[callbackReconciler.target].lambda,
    });

    const machines = (Object.keys(stateMachines) as (keyof typeof stateMachines)[]).map((key) => {
      const spec = stateMachines[key];
      const lifecycle = new LifecycleStateMachine(this, `${pascal(key)}Lifecycle`, {
        stateMachineName: stateMachineNameOf(key),
        file: spec.file,
        description: spec.description,
        functions,
        bus,
        table,
      });
      return { key, lifecycle };
    });

    const identity = new StaffIdentity(this, 'Staff', {
      userPoolName: `${prefix}-staff`,
      callbackUrls: props.callbackUrls ?? ['http://localhost:3000/auth/callback'],
      logoutUrls: props.logoutUrls ?? ['http://localhost:3000/'],
      domainPrefix: props.authDomainPrefix,
    });
    this.identity = identity;

    const { api, stage } = new HotlineHttpApi(this, 'Http', {
      apiName: `${prefix}-api`,
      routes: httpRoutes,
      functions,
      issuerUrl: identity.issuerUrl,
      audience: [identity.client.userPoolClientId],
      allowedOrigins: props.allowedOrigins ?? ['*'],
    });

    // The dashboard city leaders read (S3 + CloudFront, Cognito sign-in): only with a hosted-UI domain,
    // which its sign-in needs (context authDomainPrefix).
    const authDomain = identity.userPool.node.tryFindChild('Domain') as UserPoolDomain | undefined;
    if (authDomain) {
      const dashboard = new DashboardSite(this, 'Dashboard', {
        apiUrl: stage.url,
        userPoolClient: identity.client,
        authDomainUrl: authDomain.baseUrl(),
      });
      new CfnOutput(this, 'DashboardUrl', { value: dashboard.url });
    }

    // Grants come last: the outbox's survey links point at the API. The functions that write them are
    // not behind the API, and the API itself references no function, so this makes no cycle.
    const surveyBaseUrl = `${api.apiEndpoint}${surveyPathPrefix()}`;
    const outbox = { table: outboxTable, surveyBaseUrl, sending: messageSendingOf(this.node) };
    for (const name of Object.keys(lambdaFunctions) as FunctionName[]) {
      const spec: LambdaFunctionSpec = lambdaFunctions[name];
      grantWhatItUses(functions[name], spec.uses, {
        table,
        bus,
        workOrder,
        callbackScheduling,
        outbox,
        analytics,
        contacts,
        push,
      });
    }

    new CfnOutput(this, 'ApiUrl', { value: stage.url });
    new CfnOutput(this, 'AlarmTopicArn', { value: alarms.topic.topicArn });
    new CfnOutput(this, 'UserPoolId', { value: identity.userPool.userPoolId });
    new CfnOutput(this, 'UserPoolClientId', { value: identity.client.userPoolClientId });
    new CfnOutput(this, 'TableName', { value: table.tableName });
    new CfnOutput(this, 'EventBusName', { value: bus.eventBusName });
    new CfnOutput(this, 'OutboxTableName', { value: outboxTable.tableName });
    new CfnOutput(this, 'CallbackScheduleGroupName', { value: callbackScheduling.scheduleGroupName });
    new CfnOutput(this, 'MiningScheduleName', { value: mining.scheduleName });
    new CfnOutput(this, 'MiningScheduleGroupName', { value: mining.scheduleGroupName });
    new CfnOutput(this, 'LifecycleReconcilerScheduleGroupName', { value: reconciliation.scheduleGroupName });
    new CfnOutput(this, 'CallbackReconcilerScheduleGroupName', {
      value: callbackReconciliation.scheduleGroupName,
    });
    new CfnOutput(this, 'AnalyticsBucketName', { value: analytics.bucket.bucketName });
    new CfnOutput(this, 'AnalyticsDatabaseName', { value: analytics.databaseName });
    new CfnOutput(this, 'AnalyticsWorkGroupName', { value: analytics.workGroupName });
    new CfnOutput(this, 'AnalyticsDeliveryStreamName', { value: analytics.deliveryStreamName });
    for (const { key, lifecycle } of machines) {
      new CfnOutput(this, `${pascal(key)}StateMachineArn`, { value: lifecycle.stateMachine.stateMachineArn });
    }
  }
}
