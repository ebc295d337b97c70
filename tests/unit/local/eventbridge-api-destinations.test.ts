import '../../../local/quiet-sdk-warning.ts';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  CreateApiDestinationCommand,
  type CreateApiDestinationCommandInput,
  CreateConnectionCommand,
  type CreateConnectionCommandInput,
  DeleteApiDestinationCommand,
  DeleteConnectionCommand,
  DeleteRuleCommand,
  DescribeApiDestinationCommand,
  DescribeConnectionCommand,
  DescribeRuleCommand,
  EventBridgeClient,
  InvalidEventPatternException,
  LimitExceededException,
  ListTargetsByRuleCommand,
  PutEventsCommand,
  PutRuleCommand,
  PutTargetsCommand,
  RemoveTargetsCommand,
  ResourceAlreadyExistsException,
  ResourceNotFoundException,
  type Target,
} from '@aws-sdk/client-eventbridge';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startAwsEndpoint } from '../../../local/aws-endpoint.ts';
import { LocalEventBus } from '../../../local/event-bus.ts';
import { LocalEventBridge } from '../../../local/eventbridge/registry.ts';
import type { LocalStepFunctions } from '../../../local/stepfunctions/service.ts';

/**
 * EventBridge API destinations on the local bus, driven through the real EventBridgeClient against
 * the local AWS endpoint: a unit's webhook subscription is a connection (the API key header), an API
 * destination (the unit's endpoint), a rule on the hotline bus and its target. A plain HTTP receiver
 * on 127.0.0.1 stands in for the unit's HTTPS endpoint (the one loopback deviation).
 */
const BUS = 'hotline-local';
const T0 = Date.parse('2026-12-08T01:05:00.000Z');
const ROLE = 'arn:aws:iam::000000000000:role/hotline-local-webhooks';
const DLQ = 'arn:aws:sqs:local:000000000000:hotline-local-webhook-dead-letters';

interface Received {
  readonly method: string;
  readonly url: string;
  readonly headers: IncomingHttpHeaders;
  readonly body: string;
  readonly at: number;
}

/** The unit's webhook endpoint: records each request, answers the statuses queued (then 200). */
const startReceiver = async () => {
  const received: Received[] = [];
  const statuses: number[] = [];
  let onRequest: (() => void) | undefined;
  const server: Server = createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    received.push({
      method: req.method ?? '',
      url: req.url ?? '',
      headers: req.headers,
      body: Buffer.concat(chunks).toString('utf8'),
      at: performance.now(),
    });
    onRequest?.();
    res.writeHead(statuses.shift() ?? 200, { 'content-type': 'application/json' });
    res.end('{"ok":true}');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    received,
    /** Statuses for the next requests, in order. */
    answer: (...next: number[]) => statuses.push(...next),
    onRequest: (hook: () => void) => {
      onRequest = hook;
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
};

let dir: string;
let now: number;
let bus: LocalEventBus;
let endpoint: { server: Server; url: string };
let client: EventBridgeClient;
let receiver: Awaited<ReturnType<typeof startReceiver>>;

/** A registry over the test's folder, with the local retry waits shortened (the rules stay AWS's). */
const registryOver = (folder: string) =>
  new LocalEventBridge({
    busName: BUS,
    now: () => now,
    file: join(folder, 'eventbridge.json'),
    retry: { baseDelayMs: 2, maxDelayMs: 10 },
  });

const startBus = async (registry: LocalEventBridge) => {
  bus = new LocalEventBus(BUS, () => now, [], { eventBridge: registry });
  // Only EventBridge's operations are called: no Step Functions service behind this endpoint.
  endpoint = await startAwsEndpoint({ stepFunctions: {} as LocalStepFunctions, bus });
  client = new EventBridgeClient({
    endpoint: endpoint.url,
    region: 'local',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    maxAttempts: 1,
  });
};

const stopBus = async () => {
  client.destroy();
  await new Promise<void>((resolve) => endpoint.server.close(() => resolve()));
};

beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), 'hotline-api-destinations-'));
  now = T0;
  receiver = await startReceiver();
  await startBus(registryOver(dir));
});

afterEach(async () => {
  await bus.drain();
  await stopBus();
  await receiver.close();
  rmSync(dir, { recursive: true, force: true });
});

const connectionInput = (
  changes: Partial<CreateConnectionCommandInput> = {},
): CreateConnectionCommandInput => ({
  Name: 'unit-0101-webhook',
  AuthorizationType: 'API_KEY',
  AuthParameters: { ApiKeyAuthParameters: { ApiKeyName: 'x-hotline-key', ApiKeyValue: 'k3y-0101' } },
  ...changes,
});

const destinationInput = (
  connectionArn: string,
  changes: Partial<CreateApiDestinationCommandInput> = {},
): CreateApiDestinationCommandInput => ({
  Name: 'unit-0101-orders',
  ConnectionArn: connectionArn,
  InvocationEndpoint: `${receiver.url}/units/*/orders`,
  HttpMethod: 'POST',
  ...changes,
});

const dispatchedPattern = JSON.stringify({
  source: ['hotline.work-orders'],
  'detail-type': ['WorkOrder Dispatched'],
  detail: { unitId: ['U0101'] },
});

/** A unit's subscription: connection, API destination, rule and target; returns the destination ARN. */
const subscribe = async (target: Partial<Target> = {}) => {
  const connection = await client.send(new CreateConnectionCommand(connectionInput()));
  const destination = await client.send(
    new CreateApiDestinationCommand(destinationInput(connection.ConnectionArn ?? '')),
  );
  await client.send(
    new PutRuleCommand({ Name: 'unit-0101-dispatched', EventBusName: BUS, EventPattern: dispatchedPattern }),
  );
  const arn = destination.ApiDestinationArn ?? '';
  const put = await client.send(
    new PutTargetsCommand({
      Rule: 'unit-0101-dispatched',
      EventBusName: BUS,
      Targets: [
        {
          Id: 'webhook',
          Arn: arn,
          RoleArn: ROLE,
          InputPath: '$.detail',
          HttpParameters: {
            PathParameterValues: ['$.detail.unitId'],
            HeaderParameters: { 'x-unit-id': '$.detail.unitId', 'x-hotline-channel': 'webhook' },
            QueryStringParameters: { order: '$.detail.orderId' },
          },
          RetryPolicy: { MaximumRetryAttempts: 4, MaximumEventAgeInSeconds: 3_600 },
          DeadLetterConfig: { Arn: DLQ },
          ...target,
        },
      ],
    }),
  );
  expect(put).toMatchObject({ FailedEntryCount: 0, FailedEntries: [] });
  return arn;
};

const dispatch = (detail: Record<string, unknown>, detailType = 'WorkOrder Dispatched') =>
  client.send(
    new PutEventsCommand({
      Entries: [
        {
          EventBusName: BUS,
          Source: 'hotline.work-orders',
          DetailType: detailType,
          Detail: JSON.stringify(detail),
        },
      ],
    }),
  );

const dispatched = { orderId: 'WO-20261208-0001', unitId: 'U0101', category: '供暖' };

describe('EventBridge API destinations on the local bus (delivery)', () => {
  it('delivers a matched event with the resolved headers, the API key header and the InputPath body', async () => {
    // Prepare
    await subscribe();

    // Act
    await dispatch(dispatched);
    await bus.drain();

    // Assess
    expect(receiver.received).toHaveLength(1);
    const [request] = receiver.received;
    expect(request).toMatchObject({ method: 'POST', url: '/units/U0101/orders?order=WO-20261208-0001' });
    expect(request?.headers).toMatchObject({
      'x-hotline-key': 'k3y-0101',
      'x-unit-id': 'U0101',
      'x-hotline-channel': 'webhook',
      'user-agent': 'Amazon/EventBridge/ApiDestinations',
      'content-type': 'application/json; charset=utf-8',
      range: 'bytes=0-1048575',
    });
    expect(request?.body).toBe(JSON.stringify(dispatched));
    expect(bus.deadLettered()).toEqual([]);
  });

  it('does not deliver an event the rule does not match, nor to a DISABLED rule', async () => {
    // Prepare
    await subscribe();
    await client.send(
      new PutRuleCommand({
        Name: 'unit-0101-closed',
        EventBusName: BUS,
        EventPattern: JSON.stringify({ 'detail-type': ['WorkOrder Closed'] }),
        State: 'DISABLED',
      }),
    );
    const { ConnectionArn } = await client.send(new DescribeConnectionCommand({ Name: 'unit-0101-webhook' }));
    const other = await client.send(
      new CreateApiDestinationCommand(destinationInput(ConnectionArn ?? '', { Name: 'unit-0101-closed' })),
    );
    await client.send(
      new PutTargetsCommand({
        Rule: 'unit-0101-closed',
        EventBusName: BUS,
        Targets: [{ Id: 'webhook', Arn: other.ApiDestinationArn, RoleArn: ROLE }],
      }),
    );

    // Act
    await dispatch({ ...dispatched, unitId: 'U0202' });
    await dispatch(dispatched, 'WorkOrder Closed');
    await bus.drain();

    // Assess
    expect(receiver.received).toEqual([]);
  });

  it('sends the InputTransformer output as compact JSON, the whole event without one', async () => {
    // Prepare
    await subscribe({
      InputPath: undefined,
      InputTransformer: {
        InputPathsMap: { order: '$.detail.orderId', category: '$.detail.category' },
        InputTemplate:
          '{ "order": <order>, "text": "工单 <order> (<category>)", "rule": <aws.events.rule-name> }',
      },
    });
    const { ConnectionArn } = await client.send(new DescribeConnectionCommand({ Name: 'unit-0101-webhook' }));
    const whole = await client.send(
      new CreateApiDestinationCommand(destinationInput(ConnectionArn ?? '', { Name: 'unit-0101-raw' })),
    );
    await client.send(
      new PutTargetsCommand({
        Rule: 'unit-0101-dispatched',
        EventBusName: BUS,
        Targets: [{ Id: 'raw', Arn: whole.ApiDestinationArn, RoleArn: ROLE }],
      }),
    );

    // Act
    const put = await dispatch(dispatched);
    await bus.drain();

    // Assess
    const bodies = receiver.received.map((r) => r.body).sort();
    expect(bodies).toContain(
      JSON.stringify({
        order: 'WO-20261208-0001',
        text: '工单 WO-20261208-0001 (供暖)',
        rule: 'unit-0101-dispatched',
      }),
    );
    const event = bodies.map((b) => JSON.parse(b)).find((b) => b.id !== undefined);
    expect(event).toEqual({
      version: '0',
      id: put.Entries?.[0]?.EventId,
      'detail-type': 'WorkOrder Dispatched',
      source: 'hotline.work-orders',
      account: '000000000000',
      time: new Date(T0).toISOString(),
      region: 'local',
      resources: [],
      detail: dispatched,
    });
  });

  it('retries a 500 and delivers the event once when the endpoint answers 200', async () => {
    // Prepare
    await subscribe();
    receiver.answer(500);

    // Act
    await dispatch(dispatched);
    await bus.drain();

    // Assess
    expect(receiver.received.map((r) => r.body)).toEqual([
      JSON.stringify(dispatched),
      JSON.stringify(dispatched),
    ]);
    expect(bus.deadLettered()).toEqual([]);
  });

  it('dead-letters a 400 at once, with its status, the DLQ and the attributes EventBridge sets', async () => {
    // Prepare
    const arn = await subscribe();
    receiver.answer(400);

    // Act
    await dispatch(dispatched);
    await bus.drain();

    // Assess
    expect(receiver.received).toHaveLength(1);
    const [letter] = bus.deadLettered();
    expect(letter).toMatchObject({
      rule: 'unit-0101-dispatched',
      target: arn,
      targetId: 'webhook',
      deadLetterArn: DLQ,
      status: 400,
      attempts: 1,
      attributes: {
        RULE_ARN: `arn:aws:events:local:000000000000:rule/${BUS}/unit-0101-dispatched`,
        TARGET_ARN: arn,
        ERROR_CODE: 'ERROR_FROM_TARGET',
        RETRY_ATTEMPTS: '0',
      },
    });
    expect(letter?.event.detail).toEqual(dispatched);
    expect(letter?.attributes?.EXHAUSTED_RETRY_CONDITION).toBeUndefined();
  });

  it('stops retrying at MaximumRetryAttempts and dead-letters the event', async () => {
    // Prepare
    await subscribe({ RetryPolicy: { MaximumRetryAttempts: 2 } });
    receiver.answer(503, 503, 503, 503, 503);

    // Act
    await dispatch(dispatched);
    await bus.drain();

    // Assess
    expect(receiver.received).toHaveLength(3);
    expect(bus.deadLettered()).toMatchObject([
      {
        status: 503,
        attempts: 3,
        attributes: { RETRY_ATTEMPTS: '2', EXHAUSTED_RETRY_CONDITION: 'MaximumRetryAttempts' },
      },
    ]);
  });

  it('stops retrying when the event is older than MaximumEventAgeInSeconds on the bus clock', async () => {
    // Prepare: the first answer comes after the bus clock has passed the event's maximum age
    await subscribe({ RetryPolicy: { MaximumRetryAttempts: 100, MaximumEventAgeInSeconds: 60 } });
    receiver.answer(503, 503, 503);
    receiver.onRequest(() => {
      now = T0 + 61_000;
    });

    // Act
    await dispatch(dispatched);
    await bus.drain();

    // Assess
    expect(receiver.received).toHaveLength(1);
    expect(bus.deadLettered()).toMatchObject([
      { attempts: 1, attributes: { EXHAUSTED_RETRY_CONDITION: 'MaximumEventAgeInSeconds' } },
    ]);
  });

  it('dead-letters the event when the API destination was deleted after PutTargets', async () => {
    // Prepare
    await subscribe();
    await client.send(new DeleteApiDestinationCommand({ Name: 'unit-0101-orders' }));

    // Act
    await dispatch(dispatched);
    await bus.drain();

    // Assess
    expect(receiver.received).toEqual([]);
    expect(bus.deadLettered()).toMatchObject([{ attributes: { ERROR_CODE: 'NO_RESOURCE' } }]);
  });

  it('starts at most InvocationRateLimitPerSecond requests per second to a destination', async () => {
    // Prepare
    const { ConnectionArn } = await client.send(new CreateConnectionCommand(connectionInput()));
    const slow = await client.send(
      new CreateApiDestinationCommand(
        destinationInput(ConnectionArn ?? '', { Name: 'unit-0101-slow', InvocationRateLimitPerSecond: 1 }),
      ),
    );
    await client.send(
      new PutRuleCommand({ Name: 'all', EventBusName: BUS, EventPattern: dispatchedPattern }),
    );
    await client.send(
      new PutTargetsCommand({
        Rule: 'all',
        EventBusName: BUS,
        Targets: [{ Id: 'slow', Arn: slow.ApiDestinationArn, RoleArn: ROLE }],
      }),
    );

    // Act
    await dispatch(dispatched);
    await dispatch(dispatched);
    await bus.drain();

    // Assess
    // The second request starts a second after the first (measured on arrival, with room for a busy machine).
    const [first, second] = receiver.received;
    expect(receiver.received).toHaveLength(2);
    expect((second?.at ?? 0) - (first?.at ?? 0)).toBeGreaterThanOrEqual(700);
  });
});

describe('EventBridge API destinations on the local bus (the API)', () => {
  it('returns the connection and destination in the shapes AWS returns, without the secret', async () => {
    // Act
    const connection = await client.send(new CreateConnectionCommand(connectionInput()));
    const destination = await client.send(
      new CreateApiDestinationCommand(destinationInput(connection.ConnectionArn ?? '')),
    );
    const described = await client.send(new DescribeConnectionCommand({ Name: 'unit-0101-webhook' }));
    const describedDestination = await client.send(
      new DescribeApiDestinationCommand({ Name: 'unit-0101-orders' }),
    );
    const rule = await client.send(
      new PutRuleCommand({
        Name: 'unit-0101-dispatched',
        EventBusName: BUS,
        EventPattern: dispatchedPattern,
      }),
    );

    // Assess
    const uuid = '[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}';
    expect(connection.ConnectionArn).toMatch(
      new RegExp(`^arn:aws:events:local:000000000000:connection/unit-0101-webhook/${uuid}$`),
    );
    expect(connection).toMatchObject({ ConnectionState: 'AUTHORIZED', CreationTime: new Date(T0) });
    expect(destination.ApiDestinationArn).toMatch(
      new RegExp(`^arn:aws:events:local:000000000000:api-destination/unit-0101-orders/${uuid}$`),
    );
    expect(destination.ApiDestinationState).toBe('ACTIVE');
    expect(described).toMatchObject({
      Name: 'unit-0101-webhook',
      AuthorizationType: 'API_KEY',
      ConnectionState: 'AUTHORIZED',
      AuthParameters: { ApiKeyAuthParameters: { ApiKeyName: 'x-hotline-key' } },
    });
    expect(JSON.stringify(described)).not.toContain('k3y-0101');
    expect(describedDestination).toMatchObject({
      ConnectionArn: connection.ConnectionArn,
      InvocationEndpoint: `${receiver.url}/units/*/orders`,
      HttpMethod: 'POST',
      InvocationRateLimitPerSecond: 300,
    });
    expect(rule.RuleArn).toBe(`arn:aws:events:local:000000000000:rule/${BUS}/unit-0101-dispatched`);
  });

  it('rejects names, endpoints, methods and rates the API refuses with ValidationException', async () => {
    // Prepare
    const { ConnectionArn = '' } = await client.send(new CreateConnectionCommand(connectionInput()));

    // Act / Assess
    await expect(
      client.send(new CreateConnectionCommand(connectionInput({ Name: 'unit 0101!' }))),
    ).rejects.toMatchObject({
      name: 'ValidationException',
      message: expect.stringContaining("at 'name' failed to satisfy constraint"),
    });
    await expect(
      client.send(new CreateConnectionCommand(connectionInput({ Name: 'x'.repeat(65) }))),
    ).rejects.toMatchObject({ name: 'ValidationException' });
    await expect(
      client.send(new CreateApiDestinationCommand(destinationInput(ConnectionArn, { Name: 'bad/name' }))),
    ).rejects.toMatchObject({ name: 'ValidationException' });
    await expect(
      client.send(
        new CreateApiDestinationCommand(
          destinationInput(ConnectionArn, { InvocationEndpoint: 'http://hooks.unit-0101.example/orders' }),
        ),
      ),
    ).rejects.toMatchObject({ name: 'ValidationException', message: expect.stringContaining('HTTPS') });
    await expect(
      client.send(
        new CreateApiDestinationCommand(destinationInput(ConnectionArn, { HttpMethod: 'CONNECT' as never })),
      ),
    ).rejects.toMatchObject({ name: 'ValidationException' });
    await expect(
      client.send(
        new CreateApiDestinationCommand(
          destinationInput(ConnectionArn, { InvocationRateLimitPerSecond: 301 }),
        ),
      ),
    ).rejects.toMatchObject({ name: 'ValidationException' });
    // HTTPS anywhere, and plain HTTP to a loopback host, are taken.
    await expect(
      client.send(
        new CreateApiDestinationCommand(
          destinationInput(ConnectionArn, {
            Name: 'https',
            InvocationEndpoint: 'https://hooks.unit-0101.example/o',
          }),
        ),
      ),
    ).resolves.toMatchObject({ ApiDestinationState: 'ACTIVE' });
    await expect(
      client.send(
        new CreateApiDestinationCommand(
          destinationInput(ConnectionArn, { Name: 'ipv6', InvocationEndpoint: 'http://[::1]:8443/orders' }),
        ),
      ),
    ).resolves.toMatchObject({ ApiDestinationState: 'ACTIVE' });
  });

  it('rejects a connection whose parameters do not fit its AuthorizationType, and OAuth locally', async () => {
    await expect(
      client.send(
        new CreateConnectionCommand(
          connectionInput({
            AuthorizationType: 'BASIC',
            AuthParameters: { ApiKeyAuthParameters: { ApiKeyName: 'x-key', ApiKeyValue: 'v' } },
          }),
        ),
      ),
    ).rejects.toMatchObject({ name: 'ValidationException' });
    await expect(
      client.send(
        new CreateConnectionCommand(
          connectionInput({
            AuthParameters: {
              ApiKeyAuthParameters: { ApiKeyName: 'x-key', ApiKeyValue: 'v' },
              BasicAuthParameters: { Username: 'u', Password: 'p' },
            },
          }),
        ),
      ),
    ).rejects.toMatchObject({ name: 'ValidationException' });
    await expect(
      client.send(
        new CreateConnectionCommand(
          connectionInput({
            AuthorizationType: 'OAUTH_CLIENT_CREDENTIALS',
            AuthParameters: {
              OAuthParameters: {
                ClientParameters: { ClientID: 'id', ClientSecret: 'secret' },
                AuthorizationEndpoint: 'https://auth.example/token',
                HttpMethod: 'POST',
              },
            },
          }),
        ),
      ),
    ).rejects.toMatchObject({ name: 'ValidationException', message: expect.stringContaining('local stack') });
  });

  it('sends Basic authorization for a BASIC connection', async () => {
    // Prepare
    const { ConnectionArn } = await client.send(
      new CreateConnectionCommand(
        connectionInput({
          Name: 'basic',
          AuthorizationType: 'BASIC',
          AuthParameters: { BasicAuthParameters: { Username: 'unit-0101', Password: 'pa55' } },
        }),
      ),
    );
    const { ApiDestinationArn } = await client.send(
      new CreateApiDestinationCommand(
        destinationInput(ConnectionArn ?? '', { InvocationEndpoint: `${receiver.url}/hook` }),
      ),
    );
    await client.send(
      new PutRuleCommand({ Name: 'basic', EventBusName: BUS, EventPattern: dispatchedPattern }),
    );
    await client.send(
      new PutTargetsCommand({
        Rule: 'basic',
        EventBusName: BUS,
        Targets: [{ Id: 'basic', Arn: ApiDestinationArn, RoleArn: ROLE }],
      }),
    );

    // Act
    await dispatch(dispatched);
    await bus.drain();

    // Assess
    expect(receiver.received[0]?.headers.authorization).toBe(
      `Basic ${Buffer.from('unit-0101:pa55').toString('base64')}`,
    );
  });

  it('rejects a second connection or destination of a name with ResourceAlreadyExistsException', async () => {
    // Prepare
    const { ConnectionArn = '' } = await client.send(new CreateConnectionCommand(connectionInput()));
    await client.send(new CreateApiDestinationCommand(destinationInput(ConnectionArn)));

    // Act / Assess
    await expect(client.send(new CreateConnectionCommand(connectionInput()))).rejects.toBeInstanceOf(
      ResourceAlreadyExistsException,
    );
    await expect(
      client.send(new CreateApiDestinationCommand(destinationInput(ConnectionArn))),
    ).rejects.toBeInstanceOf(ResourceAlreadyExistsException);
  });

  it('rejects a destination whose connection does not exist, and deletes of what does not exist, with ResourceNotFoundException', async () => {
    await expect(
      client.send(
        new CreateApiDestinationCommand(
          destinationInput(
            'arn:aws:events:local:000000000000:connection/nobody/5f1c0e0a-0000-4000-8000-000000000000',
          ),
        ),
      ),
    ).rejects.toBeInstanceOf(ResourceNotFoundException);
    await expect(
      client.send(new DeleteApiDestinationCommand({ Name: 'unit-9999-orders' })),
    ).rejects.toMatchObject({
      name: 'ResourceNotFoundException',
      message:
        "Failed to delete the api-destination(s). An api-destination 'unit-9999-orders' does not exist.",
    });
    await expect(
      client.send(new DeleteConnectionCommand({ Name: 'unit-9999-webhook' })),
    ).rejects.toMatchObject({
      name: 'ResourceNotFoundException',
      message: "Failed to delete the connection(s). Connection 'unit-9999-webhook' does not exist.",
    });
    await expect(
      client.send(new DescribeApiDestinationCommand({ Name: 'unit-9999-orders' })),
    ).rejects.toBeInstanceOf(ResourceNotFoundException);
    await expect(
      client.send(new DescribeRuleCommand({ Name: 'nobody', EventBusName: BUS })),
    ).rejects.toBeInstanceOf(ResourceNotFoundException);
    await expect(
      client.send(new PutRuleCommand({ Name: 'on-default', EventPattern: dispatchedPattern })),
    ).rejects.toMatchObject({
      name: 'ResourceNotFoundException',
      message: 'Event bus default does not exist.',
    });
  });

  it('rejects an API destination target without RoleArn, and a rule with targets from DeleteRule', async () => {
    // Prepare
    const arn = await subscribe();

    // Act / Assess
    await expect(
      client.send(
        new PutTargetsCommand({
          Rule: 'unit-0101-dispatched',
          EventBusName: BUS,
          Targets: [{ Id: 'again', Arn: arn }],
        }),
      ),
    ).rejects.toMatchObject({
      name: 'ValidationException',
      message: `RoleArn is required for target ${arn}.`,
    });
    await expect(
      client.send(new DeleteRuleCommand({ Name: 'unit-0101-dispatched', EventBusName: BUS })),
    ).rejects.toMatchObject({
      name: 'ValidationException',
      message: "Rule can't be deleted since it has targets.",
    });
    await client.send(
      new RemoveTargetsCommand({ Rule: 'unit-0101-dispatched', EventBusName: BUS, Ids: ['webhook'] }),
    );
    await expect(
      client.send(new DeleteRuleCommand({ Name: 'unit-0101-dispatched', EventBusName: BUS })),
    ).resolves.toBeDefined();
    // Deleting it again succeeds, as on AWS.
    await expect(
      client.send(new DeleteRuleCommand({ Name: 'unit-0101-dispatched', EventBusName: BUS })),
    ).resolves.toBeDefined();
  });

  it('rejects what PutRule and PutTargets refuse, and answers per entry in FailedEntries', async () => {
    // Prepare
    const arn = await subscribe();
    const target = { Id: 'webhook', Arn: arn, RoleArn: ROLE };

    // Act / Assess
    await expect(
      client.send(
        new PutRuleCommand({ Name: 'bad', EventBusName: BUS, EventPattern: '{"source": "not-a-list"}' }),
      ),
    ).rejects.toBeInstanceOf(InvalidEventPatternException);
    await expect(
      client.send(
        new PutRuleCommand({ Name: 'bad', EventBusName: BUS, ScheduleExpression: 'rate(5 minutes)' }),
      ),
    ).rejects.toMatchObject({ name: 'ValidationException' });
    await expect(client.send(new PutRuleCommand({ Name: 'bad', EventBusName: BUS }))).rejects.toMatchObject({
      name: 'ValidationException',
      message: 'Parameter(s) EventPattern or ScheduleExpression must be specified.',
    });
    const put = (targets: Target[]) =>
      client.send(
        new PutTargetsCommand({ Rule: 'unit-0101-dispatched', EventBusName: BUS, Targets: targets }),
      );
    await expect(put([{ ...target, RetryPolicy: { MaximumRetryAttempts: 186 } }])).rejects.toMatchObject({
      name: 'ValidationException',
      message: expect.stringContaining("at 'targets.1.member.retryPolicy.maximumRetryAttempts'"),
    });
    await expect(put([{ ...target, RetryPolicy: { MaximumEventAgeInSeconds: 59 } }])).rejects.toMatchObject({
      name: 'ValidationException',
    });
    await expect(put([{ ...target, Input: '{}', InputPath: '$.detail' }])).rejects.toMatchObject({
      name: 'ValidationException',
    });
    await expect(
      put([
        {
          ...target,
          InputTransformer: { InputPathsMap: { o: '$.detail.orderId' }, InputTemplate: '{<o>: 1}' },
        },
      ]),
    ).rejects.toMatchObject({
      name: 'ValidationException',
      message: expect.stringContaining('InputTemplate'),
    });
    await expect(put([{ ...target, Id: 'bad id' }])).rejects.toMatchObject({ name: 'ValidationException' });
    const extra = ['a', 'b', 'c', 'd', 'e'].map((id) => ({ ...target, Id: id }));
    await expect(put(extra)).rejects.toBeInstanceOf(LimitExceededException);

    const mixed = await put([
      { Id: 'lambda', Arn: 'arn:aws:lambda:local:000000000000:function:hotline-x', RoleArn: ROLE },
      { Id: 'odd', Arn: 'not-an-arn' },
      { ...target, Id: 'second' },
    ]);
    expect(mixed.FailedEntryCount).toBe(2);
    expect(mixed.FailedEntries?.map((e) => [e.TargetId, e.ErrorCode])).toEqual([
      ['lambda', 'ValidationException'],
      ['odd', 'ValidationException'],
    ]);
    const listed = await client.send(
      new ListTargetsByRuleCommand({ Rule: 'unit-0101-dispatched', EventBusName: BUS }),
    );
    expect(listed.Targets?.map((t) => t.Id)).toEqual(['webhook', 'second']);
    const removed = await client.send(
      new RemoveTargetsCommand({
        Rule: 'unit-0101-dispatched',
        EventBusName: BUS,
        Ids: ['second', 'missing'],
      }),
    );
    expect(removed).toMatchObject({
      FailedEntryCount: 1,
      FailedEntries: [{ TargetId: 'missing', ErrorCode: 'ResourceNotFoundException' }],
    });
  });

  it('keeps connections, destinations, rules and targets over a restart', async () => {
    // Prepare
    const arn = await subscribe();
    await bus.drain();
    await stopBus();
    expect(readFileSync(join(dir, 'eventbridge.json'), 'utf8')).toContain('unit-0101-dispatched');

    // Act: a new registry over the same folder, a new bus and endpoint
    await startBus(registryOver(dir));
    await dispatch(dispatched);
    await bus.drain();

    // Assess
    await expect(
      client.send(new DescribeApiDestinationCommand({ Name: 'unit-0101-orders' })),
    ).resolves.toMatchObject({
      ApiDestinationArn: arn,
    });
    await expect(
      client.send(new DescribeRuleCommand({ Name: 'unit-0101-dispatched', EventBusName: BUS })),
    ).resolves.toMatchObject({ EventPattern: dispatchedPattern, State: 'ENABLED', EventBusName: BUS });
    const listed = await client.send(
      new ListTargetsByRuleCommand({ Rule: 'unit-0101-dispatched', EventBusName: BUS }),
    );
    expect(listed.Targets).toMatchObject([{ Id: 'webhook', Arn: arn, RoleArn: ROLE, InputPath: '$.detail' }]);
    expect(receiver.received).toHaveLength(1);
    expect(receiver.received[0]?.headers['x-hotline-key']).toBe('k3y-0101');
  });
});
