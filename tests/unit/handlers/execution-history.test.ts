import { GetExecutionHistoryCommand, type HistoryEvent } from '@aws-sdk/client-sfn';
import { beforeAll, describe, expect, it } from 'vitest';
import type { WorkOrder } from '#domain/work-order.ts';
import workOrderJson from '../fixtures/work-order.json' with { type: 'json' };
import {
  apiEvent,
  bodyOf,
  lambdaContext,
  mockedAws,
  STATE_MACHINE_ARN,
  serveReads,
  storedOrderItems,
} from './support.ts';

const context = lambdaContext('execution-history');
// Sets the environment the handler's modules read on load, and mocks AWS: before the dynamic import below.
const { ddb, sfn } = mockedAws();

let handler: typeof import('../../../functions/api/execution-history.ts')['handler'];

beforeAll(async () => {
  ({ handler } = await import('../../../functions/api/execution-history.ts'));
});

const order = (): WorkOrder => structuredClone(workOrderJson) as unknown as WorkOrder;
const auditor = { sub: 'auditor-1', role: 'auditor' };
/** Task tokens are long base64 strings with + / and =. */
const TOKEN = 'AQCEAAAAKgAAAAMAAAAAAAAAAb+live/Token==';
const OTHER_TOKEN = 'AQCEAAAAKgAAAAMAAAAAAAAAAc+second/Token==';

const historyEvent = (): ReturnType<typeof apiEvent> =>
  apiEvent({
    routeKey: 'GET /orders/{id}/execution-history',
    pathParameters: { id: order().id },
    claims: auditor,
  });

/** What Step Functions records for the AwaitAction task: its parameters carry the token. */
const awaitScheduled = (id: number, token: string): HistoryEvent => ({
  id,
  previousEventId: id - 1,
  timestamp: new Date('2026-12-01T01:05:01.000Z'),
  type: 'TaskScheduled',
  taskScheduledEventDetails: {
    resourceType: 'lambda',
    resource: 'invoke.waitForTaskToken',
    region: 'cn-north-1',
    parameters: JSON.stringify({
      FunctionName: 'hotline-await-action',
      Payload: { orderId: order().id, taskToken: token, awaiting: 'action' },
    }),
  },
});

describe('GET /orders/{id}/execution-history (execution-history)', () => {
  it('returns the task tokens in the events redacted, everything else as Step Functions recorded it', async () => {
    // Prepare
    serveReads(ddb, storedOrderItems(order()));
    sfn.on(GetExecutionHistoryCommand).resolves({
      events: [
        {
          id: 1,
          previousEventId: 0,
          timestamp: new Date('2026-12-01T01:00:00.000Z'),
          type: 'ExecutionStarted',
          executionStartedEventDetails: { input: JSON.stringify({ orderId: order().id }) },
        },
        awaitScheduled(2, TOKEN),
        {
          id: 3,
          previousEventId: 2,
          timestamp: new Date('2026-12-01T01:05:02.000Z'),
          type: 'TaskStateEntered',
          stateEnteredEventDetails: {
            name: 'AwaitAction',
            input: JSON.stringify({ orderId: order().id, taskToken: OTHER_TOKEN }),
          },
        },
      ],
    });

    // Act
    const result = await handler(historyEvent(), context);

    // Assess
    expect(result.statusCode).toBe(200);
    expect(result.body).not.toContain(TOKEN);
    expect(result.body).not.toContain(OTHER_TOKEN);
    const { executionArn, events } = bodyOf(result) as {
      executionArn: string;
      events: (HistoryEvent & { timestamp: string })[];
    };
    expect(executionArn).toBe(`${STATE_MACHINE_ARN.replace(':stateMachine:', ':execution:')}:${order().id}`);
    expect(events.map((e) => [e.id, e.type, e.timestamp])).toEqual([
      [1, 'ExecutionStarted', '2026-12-01T01:00:00.000Z'],
      [2, 'TaskScheduled', '2026-12-01T01:05:01.000Z'],
      [3, 'TaskStateEntered', '2026-12-01T01:05:02.000Z'],
    ]);
    expect(JSON.parse(events[0]?.executionStartedEventDetails?.input ?? '')).toEqual({ orderId: order().id });
    expect(JSON.parse(events[1]?.taskScheduledEventDetails?.parameters ?? '')).toEqual({
      FunctionName: 'hotline-await-action',
      Payload: { orderId: order().id, taskToken: '<redacted>', awaiting: 'action' },
    });
    expect(JSON.parse(events[2]?.stateEnteredEventDetails?.input ?? '')).toEqual({
      orderId: order().id,
      taskToken: '<redacted>',
    });
  });

  it('returns a page without task tokens unchanged, with its next token', async () => {
    // Prepare
    const started: HistoryEvent = {
      id: 1,
      previousEventId: 0,
      timestamp: new Date('2026-12-01T01:00:00.000Z'),
      type: 'ExecutionStarted',
      executionStartedEventDetails: { input: JSON.stringify({ orderId: order().id }), roleArn: 'arn:role' },
    };
    serveReads(ddb, storedOrderItems(order()));
    sfn.on(GetExecutionHistoryCommand).resolves({ events: [started], nextToken: 'page-2' });

    // Act
    const result = await handler(historyEvent(), context);

    // Assess
    expect(bodyOf(result)).toMatchObject({
      events: [{ ...started, timestamp: '2026-12-01T01:00:00.000Z' }],
      nextToken: 'page-2',
    });
  });
});
