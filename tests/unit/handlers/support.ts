/**
 * Test support for the handler tests (not a test file itself): the mocked AWS clients and clock every
 * handler test sets up, API Gateway events built from the JSON fixture, and a DynamoDB read responder
 * that serves a fixed set of items to Get and Query, so the tests do not depend on how the order store
 * reads an order (one Get, or a Query over its partition).
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CreateScheduleCommand, SchedulerClient } from '@aws-sdk/client-scheduler';
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { SFNClient } from '@aws-sdk/client-sfn';
import {
  DynamoDBDocumentClient,
  GetCommand,
  QueryCommand,
  TransactWriteCommand,
} from '@aws-sdk/lib-dynamodb';
import type { Context } from 'aws-lambda';
import { type AwsClientStub, mockClient } from 'aws-sdk-client-mock';
import { afterEach, beforeEach } from 'vitest';
import type { WorkOrder } from '#domain/work-order.ts';
import { useClockSource } from '#shared/platform/clock.ts';
import type { ApiEvent, ApiResult } from '#shared/platform/http.ts';
import type { PendingTask } from '#shared/stores/order-store.ts';
import apiEventJson from '../fixtures/api-event.json' with { type: 'json' };

export const TABLE = 'hotline-orders-test';
export const STATE_MACHINE_ARN = 'arn:aws:states:cn-north-1:123456789012:stateMachine:hotline-work-order';

/** The contact-hash secret the handlers read, and its key (tests/unit/domain/support.ts hashes with it too). */
export const CONTACT_HASH_SECRET = 'hotline-contact-hash-test';
export const CONTACT_HASH_KEY = 'contact-test-key-0123456789abcdef';

/** A raw AES key for sealing contacts in handler tests (the local stack's kind of key), made once per file. */
const contactKeyFile = (): string => {
  const file = join(mkdtempSync(join(tmpdir(), 'hotline-contact-key-')), 'contact-seal.key');
  writeFileSync(file, randomBytes(32));
  return file;
};

/** Sets the variables the handler modules read when they load; call before importing them. */
export const setHandlerEnvironment = (): void => {
  process.env.TABLE_NAME = TABLE;
  process.env.STATE_MACHINE_ARN = STATE_MACHINE_ARN;
  process.env.POWERTOOLS_LOG_LEVEL = 'SILENT';
  process.env.CONTACT_KEY_FILE ??= contactKeyFile();
  process.env.CONTACT_HASH_SECRET_ID = CONTACT_HASH_SECRET;
};

/**
 * Call at the top level of a handler test file, before its `beforeAll` imports the handler: sets the
 * handler environment, mocks DynamoDB and Step Functions, resets both before each test and, when
 * `nowMs` is given, fixes the clock there before each test; the clock goes back to the system one
 * after each test.
 */
export const mockedAws = (
  nowMs?: number,
): {
  readonly ddb: AwsClientStub<DynamoDBDocumentClient>;
  readonly sfn: AwsClientStub<SFNClient>;
  readonly secrets: AwsClientStub<SecretsManagerClient>;
} => {
  setHandlerEnvironment();
  const ddb = mockClient(DynamoDBDocumentClient);
  const sfn = mockClient(SFNClient);
  const secrets = mockClient(SecretsManagerClient);

  beforeEach(() => {
    ddb.reset();
    sfn.reset();
    secrets.reset();
    secrets
      .on(GetSecretValueCommand, { SecretId: CONTACT_HASH_SECRET })
      .resolves({ SecretString: CONTACT_HASH_KEY });
    if (nowMs !== undefined) useClockSource({ now: () => nowMs });
  });

  afterEach(() => {
    useClockSource(undefined);
  });

  return { ddb, sfn, secrets };
};

/** What the call-back handlers are configured with in their tests (the names CDK sets, in wiring). */
export const callbackEnvironment = {
  SCHEDULE_GROUP: 'hotline-callbacks-test',
  SCHEDULER_ROLE_ARN: 'arn:aws:iam::123456789012:role/hotline-scheduler',
  CALLBACK_TARGET_ARN: 'arn:aws:lambda:cn-north-1:123456789012:function:hotline-callback-attempt',
  SCHEDULE_DLQ_ARN: 'arn:aws:sqs:cn-north-1:123456789012:hotline-schedule-dlq',
  OUTBOX_TABLE_NAME: 'hotline-outbox-test',
  SURVEY_BASE_URL: 'https://survey.example.test/s',
  MESSAGE_SENDER: 'hold',
  EVENT_BUS_NAME: 'hotline-bus-test',
} as const;

/**
 * mockedAws() for the call-back handlers: also their environment, and EventBridge Scheduler mocked
 * (reset before each test, CreateSchedule answering with an ARN unless a test says otherwise).
 */
export const mockedCallbackAws = (nowMs?: number) => {
  const mocks = mockedAws(nowMs);
  Object.assign(process.env, callbackEnvironment);
  const scheduler = mockClient(SchedulerClient);
  beforeEach(() => {
    scheduler.reset();
    scheduler.on(CreateScheduleCommand).resolves({ ScheduleArn: 'arn:aws:scheduler:::schedule/x' });
  });
  return { ...mocks, scheduler };
};

export const lambdaContext = (functionName: string): Context =>
  ({
    functionName,
    awsRequestId: 'test-request',
    getRemainingTimeInMillis: () => 30_000,
  }) as unknown as Context;

export interface EventOptions {
  readonly routeKey?: string;
  readonly pathParameters?: Record<string, string>;
  readonly body?: unknown;
  readonly headers?: Record<string, string>;
  readonly claims?: Record<string, string>;
  /** The authorizer's scopes; by default the scope of the claims' role. */
  readonly scopes?: string[];
}

/** An HTTP API (payload 2.0) event: the fixture copied, then changed as asked. */
export const apiEvent = (options: EventOptions = {}): ApiEvent => {
  const event = structuredClone(apiEventJson) as unknown as ApiEvent;
  if (options.routeKey) {
    event.routeKey = options.routeKey;
    event.requestContext.routeKey = options.routeKey;
    const [method, path] = options.routeKey.split(' ') as [string, string];
    const rawPath = path.replace(/\{(\w+)\}/g, (_m, name: string) => options.pathParameters?.[name] ?? '');
    event.rawPath = rawPath;
    event.requestContext.http = { ...event.requestContext.http, method, path: rawPath };
  }
  if (options.pathParameters) event.pathParameters = options.pathParameters;
  if (options.body === undefined) delete event.body;
  else event.body = typeof options.body === 'string' ? options.body : JSON.stringify(options.body);
  event.headers = { ...event.headers, ...options.headers };
  if (options.claims) {
    event.requestContext.authorizer.jwt.claims = options.claims;
    // What the gateway passes on for a real token: the scope of the token's role (one per token).
    const role = options.claims.role;
    event.requestContext.authorizer.jwt.scopes = options.scopes ?? (role ? [`hotline/${role}`] : []);
  }
  return event;
};

export const bodyOf = (result: ApiResult): Record<string, unknown> =>
  JSON.parse(result.body ?? 'null') as Record<string, unknown>;

export type Item = Record<string, unknown> & { readonly pk: string; readonly sk: string };

/** The items of a stored order: the order, and the waiting task (#TASK) when there is one. */
export const storedOrderItems = (
  order: WorkOrder,
  stored: { lastEvent?: { seq: number; hash: string }; pendingTask?: PendingTask } = {},
): Item[] => {
  const pk = `ORDER#${order.id}`;
  const { pendingTask } = stored;
  return [
    {
      pk,
      sk: '#ORDER',
      type: 'order',
      order,
      version: order.version,
      status: order.status,
      lastEvent: stored.lastEvent ?? { seq: order.version, hash: `hash-${order.version}` },
    },
    ...(pendingTask ? [{ pk, sk: '#TASK', type: 'task', task: pendingTask }] : []),
  ];
};

/** Answers Get (by key) and Query (by pk, with an optional begins_with on sk) from `items`. */
export const serveReads = (ddb: AwsClientStub<DynamoDBDocumentClient>, items: readonly Item[]): void => {
  ddb.on(GetCommand).callsFake((input: { Key?: { pk?: unknown; sk?: unknown } }) => {
    const item = items.find((i) => i.pk === input.Key?.pk && i.sk === input.Key?.sk);
    return Promise.resolve(item ? { Item: structuredClone(item) } : {});
  });
  ddb
    .on(QueryCommand)
    .callsFake(
      (input: { KeyConditionExpression?: string; ExpressionAttributeValues?: Record<string, unknown> }) => {
        const values = input.ExpressionAttributeValues ?? {};
        const pkName = /pk\s*=\s*(:\w+)/.exec(input.KeyConditionExpression ?? '')?.[1] ?? ':pk';
        const prefixName = /begins_with\(\s*sk\s*,\s*(:\w+)\s*\)/.exec(
          input.KeyConditionExpression ?? '',
        )?.[1];
        const prefix = prefixName ? String(values[prefixName]) : '';
        const found = items
          .filter((i) => i.pk === values[pkName] && i.sk.startsWith(prefix))
          .sort((a, b) => (a.sk < b.sk ? -1 : 1));
        return Promise.resolve({ Items: structuredClone(found), Count: found.length });
      },
    );
};

interface Condition {
  readonly ConditionExpression?: string;
  readonly ExpressionAttributeNames?: Record<string, string>;
  readonly ExpressionAttributeValues?: Record<string, unknown>;
}

export interface TransactItem {
  readonly Put?: { readonly TableName: string; readonly Item: Record<string, unknown> } & Condition;
  readonly Delete?: { readonly TableName: string; readonly Key: Record<string, unknown> } & Condition;
  readonly ConditionCheck?: { readonly TableName: string; readonly Key: Record<string, unknown> } & Condition;
}

/** The items of the n-th TransactWrite call. */
export const transactItems = (ddb: AwsClientStub<DynamoDBDocumentClient>, call = 0): TransactItem[] =>
  (ddb.commandCalls(TransactWriteCommand)[call]?.args[0].input.TransactItems ??
    []) as unknown as TransactItem[];

/** The Put of a TransactWrite call whose item has that sort key. */
export const putWithSk = (items: readonly TransactItem[], sk: string): TransactItem['Put'] =>
  items.find((i) => i.Put?.Item.sk === sk)?.Put;

/** The Puts of a TransactWrite call whose item's sort key starts with `prefix`. */
export const putsWithSkPrefix = (
  items: readonly TransactItem[],
  prefix: string,
): NonNullable<TransactItem['Put']>[] =>
  items.flatMap((i) => (i.Put && String(i.Put.Item.sk).startsWith(prefix) ? [i.Put] : []));

/** The Delete of a TransactWrite call with that sort key. */
export const deleteWithSk = (items: readonly TransactItem[], sk: string): TransactItem['Delete'] =>
  items.find((i) => i.Delete?.Key.sk === sk)?.Delete;

/** The ConditionCheck of a TransactWrite call with that sort key. */
export const checkWithSk = (items: readonly TransactItem[], sk: string): TransactItem['ConditionCheck'] =>
  items.find((i) => i.ConditionCheck?.Key.sk === sk)?.ConditionCheck;
