import { TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import { beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { OrderEvent } from '#domain/order-events.ts';
import type { WorkOrder } from '#domain/work-order.ts';
import type { PendingTask } from '#shared/stores/order-store.ts';
import { orderIn } from '../domain/support.ts';
import {
  deleteWithSk,
  lambdaContext,
  mockedAws,
  putWithSk,
  serveReads,
  storedOrderItems,
  TABLE,
  transactItems,
} from './support.ts';

/** 10:00 CST on Thu 2026-12-10. */
const NOW = Date.parse('2026-12-10T02:00:00.000Z');
const context = lambdaContext('close-order');
// Sets the environment the handler's modules read on load, and mocks AWS: before the dynamic import below.
const { ddb } = mockedAws(NOW);

let handler: typeof import('../../../functions/workflow/close-order.ts')['handler'];

beforeAll(async () => {
  ({ handler } = await import('../../../functions/workflow/close-order.ts'));
});

beforeEach(() => {
  ddb.on(TransactWriteCommand).resolves({});
});

const LAST_EVENT = { seq: 5, hash: 'e'.repeat(64) };
const waitingTask: PendingTask = {
  awaiting: 'action',
  token: 'task-token-left',
  since: '2026-12-09T02:00:00.000Z',
};

const run = (order: WorkOrder, pendingTask?: PendingTask) => {
  serveReads(
    ddb,
    storedOrderItems(order, { lastEvent: LAST_EVENT, ...(pendingTask ? { pendingTask } : {}) }),
  );
  return handler({ orderId: order.id }, context);
};

describe('CloseOrder (close-order)', () => {
  it('returns the detail of the WorkOrder Closed event, and writes nothing, for an order the centre closed', async () => {
    // Act
    const result = await run(orderIn('closed', { flags: ['contact_overdue'] }));

    // Assess
    expect(result).toEqual({
      detail: {
        orderId: 'WO01KBAAAAAAAAAAAAAAAAAAAAAA',
        round: 1,
        outcome: 'handled',
        status: 'closed',
        appealType: 'complaint',
        categoryCode: '010201',
        districtCode: '110101',
        unitId: 'st-110101001',
        receivedAt: '2026-12-01T01:00:00.000Z',
        closedAt: '2026-12-02T02:00:00.000Z',
        flags: ['contact_overdue'],
        replyResult: 'resolved',
        disposition: null,
        anonymous: false,
        declinesCallback: false,
      },
    });
    expect(ddb.commandCalls(TransactWriteCommand)).toHaveLength(0);
  });

  it('returns the detail of an order it closed as expired, never silently: saved with its closed event', async () => {
    // Prepare: still accepted, a wait left behind
    const order = orderIn('accepted', { flags: ['overdue'] });

    // Act
    const result = await run(order, waitingTask);

    // Assess
    expect(result.detail).toMatchObject({
      outcome: 'expired',
      status: 'closed',
      closedAt: '2026-12-10T02:00:00.000Z',
      replyResult: null,
      flags: ['overdue'],
    });
    expect(ddb.commandCalls(TransactWriteCommand)).toHaveLength(1);
    const written = transactItems(ddb);
    expect(putWithSk(written, '#ORDER')).toMatchObject({
      TableName: TABLE,
      ConditionExpression: 'version = :expected',
      ExpressionAttributeValues: { ':expected': 4 },
      Item: { version: 5, status: 'closed', order: { closure: { outcome: 'expired' } } },
    });
    expect(deleteWithSk(written, '#TASK')).toMatchObject({
      ExpressionAttributeValues: { ':token': 'task-token-left' },
    });
    expect(putWithSk(written, 'EVENT#0000000006')?.Item.event as OrderEvent).toMatchObject({
      type: 'closed',
      actor: { kind: 'system', name: 'workflow' },
      data: { outcome: 'expired' },
    });
  });

  it('rejects an order that does not exist with ORDER_NOT_FOUND', async () => {
    // Prepare
    serveReads(ddb, []);

    // Act / Assess
    await expect(handler({ orderId: 'WO01KBZZZZZZZZZZZZZZZZZZZZZZ' }, context)).rejects.toMatchObject({
      code: 'ORDER_NOT_FOUND',
    });
  });
});
