import { ArnFormat, Stack, Validations } from 'aws-cdk-lib';
import type { Table } from 'aws-cdk-lib/aws-dynamodb';
import type { IEventBus } from 'aws-cdk-lib/aws-events';
import { Grant, PolicyStatement } from 'aws-cdk-lib/aws-iam';
import type { IStateMachine } from 'aws-cdk-lib/aws-stepfunctions';
import {
  contactEncryptionPurpose,
  envNames,
  type LambdaFunctionSpec,
  pushDeliveries,
} from '#wiring/wiring.ts';
import { latestTable } from '../../functions/shared/gateways/analytics-engine.ts';
import { acknowledgeWildcardResource } from '../nag.ts';
import { type AnalyticsStore, analyticsPrefixes } from './analytics-store.ts';
import { type CallbackScheduling, schedulerService } from './callback-scheduling.ts';
import type { ContactProtection } from './contact-protection.ts';
import type { HotlineFunction } from './hotline-function.ts';
import type { MessageSending } from './message-sending.ts';
import type { PushDelivery } from './push-delivery.ts';

/** The resources a function may touch, by the names `uses` gives them in wiring/wiring.ts. */
export interface UsableResources {
  readonly table: Table;
  readonly bus: IEventBus;
  readonly workOrder: StateMachineByName;
  readonly callbackScheduling: CallbackScheduling;
  readonly outbox: SurveyOutbox;
  readonly analytics: AnalyticsDelivery & AnalyticsQuerying;
  readonly contacts: Pick<ContactProtection, 'key' | 'hashSecret'>;
  readonly push: PushDelivery;
}

/** What the analytics functions touch of the store: its delivery stream and the key of its hashes. */
export type AnalyticsDelivery = Pick<
  AnalyticsStore,
  'deliveryStreamName' | 'deliveryStreamArn' | 'keySecret'
>;

/** What Athena queries of the store touch: its workgroup, Glue database and table, and both buckets. */
export type AnalyticsQuerying = Pick<
  AnalyticsStore,
  'workGroupName' | 'databaseName' | 'tableName' | 'bucket' | 'resultsBucket'
>;

/** The outbox of survey messages and how they are sent. */
export interface SurveyOutbox {
  readonly table: Table;
  /** The public survey page, `<api>/surveys/`; a message's link is this followed by its token. */
  readonly surveyBaseUrl: string;
  readonly sending: MessageSending;
}

/**
 * A state machine known by its fixed name before it is built (see HotlineStack), so that functions and
 * the machine that invokes them do not depend on each other.
 */
export interface StateMachineByName {
  readonly stateMachine: IStateMachine;
  /** `arn:…:execution:<name>:*` */
  readonly anyExecutionArn: string;
}

type Use = LambdaFunctionSpec['uses'][number];

const useTable = (fn: HotlineFunction, table: Table, access: 'read' | 'readWrite'): void => {
  if (access === 'read') table.grantReadData(fn.lambda);
  else table.grantReadWriteData(fn.lambda);
  fn.addEnvironment(envNames.table, table.tableName);
  acknowledgeWildcardResource(
    fn,
    `${table.tableArn}/index/*`,
    'Queries by unit, district and day go through the GSIs of this one table; <table>/index/* names only them.',
  );
};

/** Each use grants exactly its permissions and sets its variable together, so one never comes without the other. */
const grantUse: Record<Use, (fn: HotlineFunction, resources: UsableResources) => void> = {
  tableRead: (fn, { table }) => useTable(fn, table, 'read'),
  table: (fn, { table }) => useTable(fn, table, 'readWrite'),
  stateMachine: (fn, { workOrder }) => {
    // StartExecution with the same name and input while running is idempotent: nothing else is needed.
    workOrder.stateMachine.grantStartExecution(fn.lambda);
    fn.addEnvironment(envNames.stateMachineArn, workOrder.stateMachine.stateMachineArn);
  },
  executionHistory: (fn, { workOrder }) => {
    // Auditors read an order's lifecycle history; nothing else of Step Functions.
    Grant.addToPrincipal({
      grantee: fn.lambda,
      actions: ['states:GetExecutionHistory', 'states:DescribeExecution'],
      resourceArns: [workOrder.anyExecutionArn],
    });
    fn.addEnvironment(envNames.stateMachineArn, workOrder.stateMachine.stateMachineArn);
    acknowledgeWildcardResource(
      fn,
      workOrder.anyExecutionArn,
      'Reads the history of executions of the work-order state machine only: each is named by its order ' +
        'id, unknown when permissions are set, so the execution ARN ends in a wildcard.',
    );
  },
  taskTokens: (fn, { workOrder }) => {
    workOrder.stateMachine.grantTaskResponse(fn.lambda);
    fn.addEnvironment(envNames.stateMachineArn, workOrder.stateMachine.stateMachineArn);
  },
  bus: (fn, { bus }) => {
    bus.grantPutEventsTo(fn.lambda);
    fn.addEnvironment(envNames.eventBus, bus.eventBusName);
  },
  scheduler: (fn, { callbackScheduling: scheduling }) => {
    // One-time call-back schedules of the group: created, looked at and deleted — never updated or listed.
    Grant.addToPrincipal({
      grantee: fn.lambda,
      actions: ['scheduler:CreateSchedule', 'scheduler:GetSchedule', 'scheduler:DeleteSchedule'],
      resourceArns: [scheduling.anyScheduleArn],
    });
    acknowledgeWildcardResource(
      fn,
      scheduling.anyScheduleArn,
      `Creates, reads and deletes the one-time call-back schedules of the ${scheduling.scheduleGroupName} group ` +
        'only: each is named by its order and attempt, unknown when permissions are set, so the ARN ends in <group>/*.',
    );
    // CreateSchedule hands Scheduler the role its schedules run as; that role, and to Scheduler only.
    Grant.addToPrincipal({
      grantee: fn.lambda,
      actions: ['iam:PassRole'],
      resourceArns: [scheduling.role.roleArn],
      conditions: { StringEquals: { 'iam:PassedToService': schedulerService } },
    });
    fn.addEnvironment(envNames.scheduleGroup, scheduling.scheduleGroupName);
    fn.addEnvironment(envNames.schedulerRoleArn, scheduling.role.roleArn);
    fn.addEnvironment(envNames.callbackTargetArn, scheduling.targetArn);
    fn.addEnvironment(envNames.scheduleDeadLetterArn, scheduling.deadLetters.queueArn);
  },
  outbox: (fn, { outbox }) => {
    outbox.table.grantReadWriteData(fn.lambda);
    fn.addEnvironment(envNames.outboxTable, outbox.table.tableName);
    fn.addEnvironment(envNames.surveyBaseUrl, outbox.surveyBaseUrl);
    fn.addEnvironment(envNames.messageSender, outbox.sending.sender);
    if (outbox.sending.sender === 'aws') sendThroughAws(fn, outbox.sending.senderEmail);
  },
  analyticsDelivery: (fn, { analytics }) => {
    // Rows go to the store's one delivery stream, in batches; nothing else of Firehose.
    Grant.addToPrincipal({
      grantee: fn.lambda,
      actions: ['firehose:PutRecordBatch', 'firehose:PutRecord'],
      resourceArns: [analytics.deliveryStreamArn],
    });
    fn.addEnvironment(envNames.analyticsStream, analytics.deliveryStreamName);
  },
  analyticsKey: (fn, { analytics }) => {
    // GetSecretValue and DescribeSecret on that one secret (encrypted with the AWS-managed key).
    analytics.keySecret.grantRead(fn.lambda);
    fn.addEnvironment(envNames.analyticsKeySecret, analytics.keySecret.secretArn);
  },
  analyticsQuery: (fn, { analytics }) => queryAnalytics(fn, analytics),
  contactSeal: (fn, { contacts }) => {
    useContactKey(fn, contacts.key, 'kms:GenerateDataKey');
    contacts.hashSecret.grantRead(fn.lambda);
    fn.addEnvironment(envNames.contactHashSecret, contacts.hashSecret.secretArn);
  },
  contactOpen: (fn, { contacts }) => useContactKey(fn, contacts.key, 'kms:Decrypt'),
  contactHash: (fn, { contacts }) => {
    contacts.hashSecret.grantRead(fn.lambda);
    fn.addEnvironment(envNames.contactHashSecret, contacts.hashSecret.secretArn);
  },
  pushSigning: (fn, { bus, push }) => {
    push.keySecret.grantRead(fn.lambda);
    fn.addEnvironment(envNames.pushKeySecret, push.keySecret.secretArn);
    bus.grantPutEventsTo(fn.lambda);
    fn.addEnvironment(envNames.eventBus, bus.eventBusName);
  },
  pushDestinations: (fn, resources) => managePushDestinations(fn, resources),
};

/**
 * A subscription's connection, API destination and rule, made and removed at run time: those actions
 * on `<prefix>-*` names only; the invoke role passed to EventBridge only; and the Secrets Manager
 * secret EventBridge keeps a connection's API key in, which it makes and deletes with the caller's
 * permissions (`events!connection/<prefix>-*`).
 */
const managePushDestinations = (fn: HotlineFunction, { bus, push }: UsableResources): void => {
  const stack = Stack.of(fn);
  const grant = (actions: string[], resourceArns: string[]) =>
    Grant.addToPrincipal({ grantee: fn.lambda, actions, resourceArns });
  grant(
    ['events:CreateConnection', 'events:DescribeConnection', 'events:DeleteConnection'],
    [push.connectionArns],
  );
  grant(
    ['events:CreateApiDestination', 'events:DescribeApiDestination', 'events:DeleteApiDestination'],
    [push.destinationArns],
  );
  grant(
    ['events:PutRule', 'events:DeleteRule', 'events:PutTargets', 'events:RemoveTargets'],
    [push.ruleArns],
  );
  const connectionSecrets = stack.formatArn({
    service: 'secretsmanager',
    resource: 'secret',
    resourceName: `events!connection/${pushDeliveries.resourcePrefix}-*`,
    arnFormat: ArnFormat.COLON_RESOURCE_NAME,
  });
  grant(
    [
      'secretsmanager:CreateSecret',
      'secretsmanager:PutSecretValue',
      'secretsmanager:DeleteSecret',
      'secretsmanager:DescribeSecret',
    ],
    [connectionSecrets],
  );
  Grant.addToPrincipal({
    grantee: fn.lambda,
    actions: ['iam:PassRole'],
    resourceArns: [push.invokeRole.roleArn],
    conditions: { StringEquals: { 'iam:PassedToService': 'events.amazonaws.com' } },
  });
  fn.addEnvironment(envNames.eventBus, bus.eventBusName);
  fn.addEnvironment(envNames.pushInvokeRoleArn, push.invokeRole.roleArn);
  fn.addEnvironment(envNames.pushDeadLetterArn, push.deadLetters.queue.queueArn);
  const why =
    "Makes and removes the push subscriptions' EventBridge resources only: each is named <prefix>-<subscription id>, " +
    'made at run time when a unit subscribes, so the ARN ends in <prefix>-*.';
  for (const arn of [push.connectionArns, push.destinationArns, push.ruleArns, connectionSecrets])
    acknowledgeWildcardResource(fn, arn, why);
};

/** One KMS action on the contact key, only for messages whose encryption context says what they are. */
const useContactKey = (fn: HotlineFunction, key: ContactProtection['key'], action: string): void => {
  fn.lambda.addToRolePolicy(
    new PolicyStatement({
      actions: [action],
      resources: [key.keyArn],
      conditions: { StringEquals: { 'kms:EncryptionContext:purpose': contactEncryptionPurpose } },
    }),
  );
  fn.addEnvironment(envNames.contactKeyArn, key.keyArn);
};

/**
 * Athena runs a query with its caller's permissions, so the function needs what the query touches: the
 * store's workgroup (and no other); the Glue catalog, database, table and the view `latest_orders`,
 * which `CREATE OR REPLACE VIEW` creates or updates as a Glue table; the rows in S3 to read; and the
 * results bucket, where Athena writes the results and GetQueryResults reads them back.
 */
const queryAnalytics = (fn: HotlineFunction, analytics: AnalyticsQuerying): void => {
  const stack = Stack.of(fn);
  const arnOf = (service: string, resource: string, resourceName?: string): string =>
    stack.formatArn({ service, resource, resourceName, arnFormat: ArnFormat.SLASH_RESOURCE_NAME });
  const grant = (actions: string[], resourceArns: string[]) =>
    Grant.addToPrincipal({ grantee: fn.lambda, actions, resourceArns });

  grant(
    [
      'athena:StartQueryExecution',
      'athena:GetQueryExecution',
      'athena:GetQueryResults',
      'athena:StopQueryExecution',
    ],
    [arnOf('athena', 'workgroup', analytics.workGroupName)],
  );
  const catalog = arnOf('glue', 'catalog');
  const database = arnOf('glue', 'database', analytics.databaseName);
  const table = arnOf('glue', 'table', `${analytics.databaseName}/${analytics.tableName}`);
  const view = arnOf('glue', 'table', `${analytics.databaseName}/${latestTable}`);
  // Glue checks a table's action on the table and its ancestors (database, catalog) alike.
  grant(
    ['glue:GetDatabase', 'glue:GetTable', 'glue:GetTables', 'glue:GetPartitions'],
    [catalog, database, table, view],
  );
  grant(['glue:CreateTable', 'glue:UpdateTable', 'glue:GetTable'], [catalog, database, view]);

  const rows = analytics.bucket.arnForObjects(`${analyticsPrefixes.rows}*`);
  grant(['s3:GetBucketLocation', 's3:ListBucket'], [analytics.bucket.bucketArn]);
  grant(['s3:GetObject'], [rows]);
  acknowledgeWildcardResource(
    fn,
    rows,
    "Athena reads every Parquet file under the Glue table's location (<bucket>/orders/), whose names Firehose " +
      'and the history loader choose: read-only, and nothing else of the store.',
  );
  const results = analytics.resultsBucket;
  grant(['s3:GetBucketLocation', 's3:ListBucket', 's3:ListBucketMultipartUploads'], [results.bucketArn]);
  grant(
    ['s3:GetObject', 's3:PutObject', 's3:AbortMultipartUpload', 's3:ListMultipartUploadParts'],
    [results.arnForObjects('*')],
  );
  acknowledgeWildcardResource(
    fn,
    results.arnForObjects('*'),
    "Athena writes each query's results under the workgroup's result location, named by the query's id, " +
      'with the caller’s credentials, and GetQueryResults reads them back: the results bucket only.',
  );
  fn.addEnvironment(envNames.athenaWorkGroup, analytics.workGroupName);
  fn.addEnvironment(envNames.athenaDatabase, analytics.databaseName);
};

/** `messageSender=aws`: SMS with SNS Publish, e-mail with SES v2 SendEmail from the one sender address. */
const sendThroughAws = (fn: HotlineFunction, senderEmail: string): void => {
  const stack = Stack.of(fn);
  Grant.addToPrincipal({ grantee: fn.lambda, actions: ['sns:Publish'], resourceArns: ['*'] });
  Validations.of(fn).acknowledge({
    id: 'AwsSolutions-IAM5[Resource::*]',
    reason:
      'sns:Publish of an SMS straight to a phone number (PhoneNumber, no topic) has no resource ARN to name, so ' +
      'IAM requires Resource "*" for it.',
  });
  // SES authorizes a sender against the identity that verified it: the address itself, or its domain.
  const identityArn = (identity: string): string =>
    stack.formatArn({
      service: 'ses',
      resource: 'identity',
      resourceName: identity,
      arnFormat: ArnFormat.SLASH_RESOURCE_NAME,
    });
  const domain = senderEmail.slice(senderEmail.lastIndexOf('@') + 1);
  Grant.addToPrincipal({
    grantee: fn.lambda,
    actions: ['ses:SendEmail'],
    resourceArns: [identityArn(senderEmail), identityArn(domain)],
    conditions: { StringEquals: { 'ses:FromAddress': senderEmail } },
  });
  fn.addEnvironment(envNames.senderEmail, senderEmail);
};

export const grantWhatItUses = (
  fn: HotlineFunction,
  uses: LambdaFunctionSpec['uses'],
  resources: UsableResources,
): void => {
  for (const use of uses) grantUse[use](fn, resources);
};
