import { DescribeExecutionCommand, ExecutionDoesNotExist, StartExecutionCommand } from '@aws-sdk/client-sfn';
import { QueryCommand, type QueryCommandInput, TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import { beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { chinaDateOf } from '#domain/china-time.ts';
import type { OrderEvent } from '#domain/order-events.ts';
import { summarizeOrder } from '#domain/order-view.ts';
import type { OrderStatus, WorkOrder } from '#domain/work-order.ts';
import { lifecycleHealing } from '#wiring/wiring.ts';
import { orderIn } from '../domain/support.ts';
import {
  type Item,
  lambdaContext,
  mockedAws,
  STATE_MACHINE_ARN,
  storedOrderItems,
  transactItems,
} from './support.ts';

/** 10:00 CST on 2026-12-01. */
const NOW = Date.parse('2026-12-01T02:00:00.000Z');
const MINUTE = 60_000;
const context = lambdaContext('reconcile-lifecycles');
const { ddb, sfn } = mockedAws(NOW);

type Handler = typeof import('../../../functions/events/reconcile-lifecycles.ts')['handler'];
let handler: Handler;
let reconcileLifecycles: typeof import('../../../functions/application/reconcile-lifecycles.ts')['reconcileLifecycles'];

beforeAll(async () => {
  ({ handler } = await import('../../../functions/events/reconcile-lifecycles.ts'));
  ({ reconcileLifecycles } = await import('../../../functions/application/reconcile-lifecycles.ts'));
});

const executionArn = (id: string) => `${STATE_MACHINE_ARN.replace(':stateMachine:', ':execution:')}:${id}`;
const LAST_EVENT = { seq: 1, hash: 'd'.repeat(64) };

/** An order received `agoMs` before now, in `status`. */
const orderAt = (n: number, agoMs: number, status: OrderStatus = 'received'): WorkOrder => {
  const receivedAt = new Date(NOW - agoMs).toISOString();
  return {
    ...orderIn(status),
    id: `WO01KBRECON${String(n).padStart(17, '0')}`,
    receivedAt,
    updatedAt: receivedAt,
  };
};

/** The table: each order's items and its byDay index entry (summary and status, as tableSpec projects). */
const serveTable = (orders: readonly WorkOrder[]) => {
  const items: Item[] = orders.flatMap((o) => storedOrderItems(o, { lastEvent: LAST_EVENT }));
  const index = orders.map((o) => ({
    pk: `ORDER#${o.id}`,
    sk: '#ORDER',
    gsi3pk: `DAY#${chinaDateOf(Date.parse(o.receivedAt))}`,
    gsi3sk: `${o.receivedAt}#${o.id}`,
    summary: summarizeOrder(o),
    status: o.status,
  }));
  ddb.on(QueryCommand).callsFake((input: QueryCommandInput) => {
    const values = input.ExpressionAttributeValues ?? {};
    if (input.IndexName === 'byDay') {
      const found = index
        .filter((i) => i.gsi3pk === values[':pk'] && i.gsi3sk >= values[':from'] && i.gsi3sk <= values[':to'])
        .filter((i) => values[':status'] === undefined || i.status === values[':status'])
        .sort((a, b) => (a.gsi3sk < b.gsi3sk ? 1 : -1));
      return Promise.resolve({ Items: structuredClone(found) });
    }
    const found = items.filter(
      (i) => i.pk === values[':pk'] && i.sk.startsWith(String(values[':hash'] ?? '')),
    );
    return Promise.resolve({ Items: structuredClone(found) });
  });
};

/** Executions by order id: a status, or none (never started). */
const serveExecutions = (statuses: Readonly<Record<string, 'RUNNING' | 'FAILED' | 'SUCCEEDED'>>) => {
  sfn.on(DescribeExecutionCommand).callsFake((input: { executionArn: string }) => {
    const id = input.executionArn.split(':').at(-1) ?? '';
    const status = statuses[id];
    return status
      ? Promise.resolve({ status })
      : Promise.reject(new ExecutionDoesNotExist({ message: 'Execution Does Not Exist', $metadata: {} }));
  });
};

const healedEvents = (): OrderEvent[] =>
  ddb
    .commandCalls(TransactWriteCommand)
    .flatMap((_c, i) => transactItems(ddb, i))
    .map((item) => item.Put?.Item.event as OrderEvent | undefined)
    .filter((e): e is OrderEvent => e?.type === 'lifecycle_healed');

beforeEach(() => {
  ddb.on(TransactWriteCommand).resolves({});
  sfn.on(StartExecutionCommand).resolves({ executionArn: 'arn:exec', startDate: new Date(NOW) });
});

describe('the lifecycle reconciler (reconcile-lifecycles)', () => {
  it('starts the lifecycle of a received order that has none, and records lifecycle_healed by the reconciler', async () => {
    // Prepare: never started, running, failed; and one dispatched (its lifecycle moved it on)
    const [lost, running, failed] = [
      orderAt(1, 10 * MINUTE),
      orderAt(2, 20 * MINUTE),
      orderAt(3, 30 * MINUTE),
    ];
    const dispatched = orderAt(4, 40 * MINUTE, 'dispatched');
    serveTable([lost, running, failed, dispatched]);
    serveExecutions({ [running.id]: 'RUNNING', [failed.id]: 'FAILED', [dispatched.id]: 'RUNNING' });

    // Act
    const report = await handler({ job: 'reconcile-lifecycles' }, context);

    // Assess
    expect(report).toMatchObject({
      examined: 3,
      healed: [lost.id],
      running: 1,
      notRunning: [{ orderId: failed.id, status: 'FAILED' }],
      failed: [],
      truncated: false,
    });
    expect(sfn.commandCalls(StartExecutionCommand).map((c) => c.args[0].input.name)).toEqual([lost.id]);
    expect(healedEvents()).toEqual([
      expect.objectContaining({
        orderId: lost.id,
        data: {
          healer: 'reconciler',
          reason: 'not_started',
          execution: lost.id,
          round: 1,
          afterSeconds: 600,
        },
      }),
    ]);
  });

  it('reads only received orders older than a minute, over the lookback, day by day from the byDay index', async () => {
    // Prepare: one received 30 s ago, while its intake may still be starting it
    const young = orderAt(5, 30_000);
    serveTable([young]);
    serveExecutions({});

    // Act
    const report = await handler({}, context);

    // Assess
    expect(report.examined).toBe(0);
    expect(sfn.calls()).toHaveLength(0);
    const queries = ddb.commandCalls(QueryCommand).map((c) => c.args[0].input);
    const lookbackDays = lifecycleHealing.reconciler.lookbackHours / 24;
    expect(queries.map((q) => q.ExpressionAttributeValues?.[':pk'])).toEqual(
      Array.from({ length: lookbackDays + 1 }, (_d, i) => `DAY#${chinaDateOf(NOW - i * 86_400_000)}`),
    );
    expect(queries[0]).toMatchObject({
      IndexName: 'byDay',
      FilterExpression: '#status = :status',
      ExpressionAttributeValues: {
        ':status': 'received',
        ':from': new Date(NOW - lifecycleHealing.reconciler.lookbackHours * 3_600_000).toISOString(),
        ':to': `${new Date(NOW - lifecycleHealing.reconciler.olderThanSeconds * 1000).toISOString()}#~`,
      },
    });
  });

  it('fails the run after reconciling the others when an order cannot be looked at', async () => {
    // Prepare
    const [lost, unreachable] = [orderAt(6, 5 * MINUTE), orderAt(7, 6 * MINUTE)];
    serveTable([lost, unreachable]);
    serveExecutions({});
    sfn
      .on(DescribeExecutionCommand, { executionArn: executionArn(unreachable.id) })
      .rejects(Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException' }));

    // Act
    const run = handler({}, context);

    // Assess: the run fails (Lambda retries it), the other order is healed all the same
    await expect(run).rejects.toThrow('Lifecycles of 1 orders could not be reconciled');
    expect(healedEvents().map((e) => e.orderId)).toEqual([lost.id]);
  });

  it('stops at the most orders a run may examine, newest first, and says it was cut short', async () => {
    // Prepare
    const orders = [orderAt(8, 5 * MINUTE), orderAt(9, 6 * MINUTE), orderAt(10, 7 * MINUTE)];
    serveTable(orders);
    serveExecutions({});

    // Act
    const report = await reconcileLifecycles(NOW, { olderThanSeconds: 60, lookbackHours: 48, maxOrders: 2 });

    // Assess
    expect(report).toMatchObject({ examined: 2, truncated: true });
    expect([...report.healed].sort()).toEqual([orders[0]?.id, orders[1]?.id].sort());
  });
});
