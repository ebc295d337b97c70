import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import { SendTaskSuccessCommand } from '@aws-sdk/client-sfn';
import { TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import { beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { WorkOrder } from '#domain/work-order.ts';
import { stateMachines } from '#wiring/wiring.ts';
import { repoRoot } from '../../../infra/repo-root.ts';
import { orderIn } from '../domain/support.ts';
import {
  checkWithSk,
  type Item,
  lambdaContext,
  mockedAws,
  putWithSk,
  serveReads,
  storedOrderItems,
  TABLE,
  transactItems,
} from './support.ts';

/** 10:00 CST on Thu 2026-12-03. */
const NOW = Date.parse('2026-12-03T02:00:00.000Z');
const TOKEN = 'task-token-await';
const context = lambdaContext('await-action');
// Sets the environment the handler's modules read on load, and mocks AWS: before the dynamic import below.
const { ddb, sfn } = mockedAws(NOW);

let handler: typeof import('../../../functions/workflow/await-action.ts')['handler'];

beforeAll(async () => {
  ({ handler } = await import('../../../functions/workflow/await-action.ts'));
});

beforeEach(() => {
  sfn.on(SendTaskSuccessCommand).resolves({});
});

/** Accepted (version 4); the contact checkpoints due by now were handled; next: the resolution reminder. */
const accepted = (changes: Partial<WorkOrder> = {}): WorkOrder =>
  orderIn('accepted', {
    checkpointsDone: [
      'reminder:contact@2026-12-02T01:05:00.000Z',
      'deadline:contact@2026-12-02T01:05:00.000Z',
      'urge:contact@2026-12-02T01:05:00.000Z',
    ],
    ...changes,
  });
const nextAt = { until: '2026-12-06T15:29:00.000Z', checkpoint: 'reminder:resolve@2026-12-08T01:05:00.000Z' };
const SECONDS_TO_NEXT = 3 * 86400 + 13 * 3600 + 29 * 60;

const items = (order: WorkOrder): Item[] =>
  storedOrderItems(order, { lastEvent: { seq: 5, hash: 'c'.repeat(64) } });

const lostRace = () =>
  new TransactionCanceledException({
    message: 'Transaction cancelled',
    $metadata: {},
    CancellationReasons: [{ Code: 'ConditionalCheckFailed' }, { Code: 'None' }],
  });

const taskOutput = (): unknown =>
  JSON.parse(sfn.commandCalls(SendTaskSuccessCommand)[0]?.args[0].input.output ?? 'null');

describe('AwaitAction (await-action)', () => {
  it('returns waiting after storing the token beside the order, on the condition that its version still holds', async () => {
    // Prepare
    const order = accepted();
    serveReads(ddb, items(order));
    ddb.on(TransactWriteCommand).resolves({});

    // Act
    const result = await handler({ orderId: order.id, version: 4, taskToken: TOKEN }, context);

    // Assess
    expect(result).toEqual({ waiting: true });
    expect(ddb.commandCalls(TransactWriteCommand)).toHaveLength(1);
    const written = transactItems(ddb);
    expect(checkWithSk(written, '#ORDER')).toEqual({
      TableName: TABLE,
      Key: { pk: `ORDER#${order.id}`, sk: '#ORDER' },
      ConditionExpression: 'version = :expected',
      ExpressionAttributeValues: { ':expected': 4 },
    });
    expect(putWithSk(written, '#TASK')).toEqual({
      TableName: TABLE,
      Item: {
        pk: `ORDER#${order.id}`,
        sk: '#TASK',
        type: 'task',
        task: { awaiting: 'action', token: TOKEN, since: '2026-12-03T02:00:00.000Z' },
      },
    });
    expect(putWithSk(written, '#ORDER')).toBeUndefined();
    expect(sfn.calls()).toHaveLength(0);
  });

  it('returns not waiting and completes the token at once with the next step when the order moved on', async () => {
    // Prepare: the wait was computed from version 3; someone accepted the order since
    const order = accepted();
    serveReads(ddb, items(order));

    // Act
    const result = await handler({ orderId: order.id, version: 3, taskToken: TOKEN }, context);

    // Assess
    expect(result).toEqual({ waiting: false });
    expect(sfn.commandCalls(SendTaskSuccessCommand)[0]?.args[0].input.taskToken).toBe(TOKEN);
    expect(taskOutput()).toEqual({
      action: 'none',
      step: 'wait',
      timeoutSeconds: SECONDS_TO_NEXT,
      version: 4,
      ...nextAt,
    });
    expect(ddb.commandCalls(TransactWriteCommand)).toHaveLength(0);
  });

  it('returns not waiting and completes the token with close for a closed order, and stores nothing', async () => {
    // Prepare
    const order = orderIn('closed');
    serveReads(ddb, items(order));

    // Act
    const result = await handler({ orderId: order.id, version: order.version, taskToken: TOKEN }, context);

    // Assess
    expect(result).toEqual({ waiting: false });
    expect(taskOutput()).toEqual({ action: 'none', step: 'close', timeoutSeconds: 1, version: 7 });
    expect(ddb.commandCalls(TransactWriteCommand)).toHaveLength(0);
  });

  it('returns not waiting when an action won the race between its read and its write, with the fresh step', async () => {
    // Prepare: the first write fails because a reply moved the order to version 5 meanwhile
    const order = accepted();
    const table = items(order);
    serveReads(ddb, table);
    ddb.on(TransactWriteCommand).callsFake(() => {
      table.splice(
        0,
        table.length,
        ...items(orderIn('replied', { version: 5, updatedAt: '2026-12-03T02:00:00.000Z' })),
      );
      return Promise.reject(lostRace());
    });

    // Act
    const result = await handler({ orderId: order.id, version: 4, taskToken: TOKEN }, context);

    // Assess
    expect(result).toEqual({ waiting: false });
    expect(ddb.commandCalls(TransactWriteCommand)).toHaveLength(1);
    expect(taskOutput()).toMatchObject({
      action: 'none',
      step: 'wait',
      version: 5,
      timeoutSeconds: 30 * 86400,
    });
  });

  it('rejects with ConcurrentUpdate after a lost race that moved no version, for the state machine to retry', async () => {
    // Prepare
    const order = accepted();
    serveReads(ddb, items(order));
    ddb.on(TransactWriteCommand).rejects(lostRace());

    // Act / Assess: one write, no retry loop of its own (the state's Retry is the retry layer)
    await expect(handler({ orderId: order.id, version: 4, taskToken: TOKEN }, context)).rejects.toMatchObject(
      {
        name: 'ConcurrentUpdate',
        code: 'VERSION_CONFLICT',
      },
    );
    expect(ddb.commandCalls(TransactWriteCommand)).toHaveLength(1);
    expect(sfn.calls()).toHaveLength(0);
  });

  it('is retried on ConcurrentUpdate by the AwaitAction state of the lifecycle, with backoff and jitter', () => {
    // Prepare
    const asl = JSON.parse(readFileSync(join(repoRoot, stateMachines.workOrder.file), 'utf8')) as {
      States: Record<
        string,
        { Retry?: { ErrorEquals: string[]; MaxAttempts?: number; JitterStrategy?: string }[] }
      >;
    };

    // Act
    const retry = asl.States.AwaitAction?.Retry?.find((r) => r.ErrorEquals.includes('ConcurrentUpdate'));

    // Assess
    expect(retry?.MaxAttempts).toBeGreaterThanOrEqual(2);
    expect(retry?.JitterStrategy).toBe('FULL');
  });

  it('rejects an order that does not exist with ORDER_NOT_FOUND and completes nothing', async () => {
    // Prepare
    serveReads(ddb, []);

    // Act / Assess
    await expect(
      handler({ orderId: 'WO01KBZZZZZZZZZZZZZZZZZZZZZZ', version: 1, taskToken: TOKEN }, context),
    ).rejects.toMatchObject({ code: 'ORDER_NOT_FOUND' });
    expect(sfn.calls()).toHaveLength(0);
  });

  it('rejects an input without a task token or a version, reading nothing', async () => {
    // Act / Assess
    await expect(handler({ orderId: 'WO01KBAAAAAAAAAAAAAAAAAAAAAA', version: 4 }, context)).rejects.toThrow();
    await expect(
      handler({ orderId: 'WO01KBAAAAAAAAAAAAAAAAAAAAAA', taskToken: TOKEN }, context),
    ).rejects.toThrow();
    expect(ddb.calls()).toHaveLength(0);
  });
});
