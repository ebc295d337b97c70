import { TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import { beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { OrderEvent } from '#domain/order-events.ts';
import type { WorkOrder } from '#domain/work-order.ts';
import { useClockSource } from '#shared/platform/clock.ts';
import type { PendingTask } from '#shared/stores/order-store.ts';
import { DAY, orderIn } from '../domain/support.ts';
import {
  checkWithSk,
  deleteWithSk,
  lambdaContext,
  mockedAws,
  putWithSk,
  serveReads,
  storedOrderItems,
  TABLE,
  transactItems,
} from './support.ts';

const context = lambdaContext('checkpoint');
// Sets the environment the handler's modules read on load, and mocks AWS: before the dynamic import below.
const { ddb, sfn } = mockedAws();

let handler: typeof import('../../../functions/workflow/checkpoint.ts')['handler'];

beforeAll(async () => {
  ({ handler } = await import('../../../functions/workflow/checkpoint.ts'));
});

beforeEach(() => {
  ddb.on(TransactWriteCommand).resolves({});
});

const LAST_EVENT = { seq: 5, hash: 'd'.repeat(64) };
/** The token of the wait that just timed out: still beside the order until the next wait replaces it. */
const timedOutTask: PendingTask = {
  awaiting: 'action',
  token: 'task-token-timed-out',
  since: '2026-12-01T02:00:01.000Z',
};
const CONTACT_BY = '2026-12-02T01:05:00.000Z';
const RESOLVE_BY = '2026-12-08T01:05:00.000Z';

const run = (order: WorkOrder, nowIso: string) => {
  useClockSource({ now: () => Date.parse(nowIso) });
  serveReads(ddb, storedOrderItems(order, { lastEvent: LAST_EVENT, pendingTask: timedOutTask }));
  return handler({ orderId: order.id }, context);
};

const savedEvent = (seq: number): OrderEvent | undefined =>
  putWithSk(transactItems(ddb), `EVENT#${String(seq).padStart(10, '0')}`)?.Item.event as
    | OrderEvent
    | undefined;

describe('Checkpoint (checkpoint)', () => {
  it('returns the next step after saving the checkpoints due: the contact reminder and the missed deadline', async () => {
    // Prepare: accepted, version 4; the wait timed out at the contact deadline (09:05 CST on 12-02)
    const order = orderIn('accepted');

    // Act
    const next = await run(order, CONTACT_BY);

    // Assess: next is the urge (催办) one calendar day after the deadline
    expect(next).toEqual({
      step: 'wait',
      timeoutSeconds: 24 * 3600,
      version: 5,
      until: '2026-12-03T01:05:00.000Z',
      checkpoint: `urge:contact@${CONTACT_BY}`,
    });
    expect(ddb.commandCalls(TransactWriteCommand)).toHaveLength(1);
    expect(putWithSk(transactItems(ddb), '#ORDER')).toMatchObject({
      ConditionExpression: 'version = :expected',
      ExpressionAttributeValues: { ':expected': 4 },
      Item: {
        version: 5,
        status: 'accepted',
        order: {
          flags: ['contact_overdue'],
          checkpointsDone: [`reminder:contact@${CONTACT_BY}`, `deadline:contact@${CONTACT_BY}`],
        },
      },
    });
    expect(savedEvent(6)).toMatchObject({
      type: 'reminder',
      prevHash: LAST_EVENT.hash,
      actor: { kind: 'system', name: 'workflow' },
    });
    expect(savedEvent(7)).toMatchObject({ type: 'deadline_missed', data: { flag: 'contact_overdue' } });
    expect(sfn.calls()).toHaveLength(0);
  });

  it('returns after saving with the timed-out token left as it was: only a new wait replaces it', async () => {
    // Prepare
    const order = orderIn('accepted');

    // Act
    await run(order, CONTACT_BY);

    // Assess
    const written = transactItems(ddb);
    expect(deleteWithSk(written, '#TASK')).toBeUndefined();
    expect(checkWithSk(written, '#TASK')).toMatchObject({
      TableName: TABLE,
      ConditionExpression: 'task.#token = :token',
      ExpressionAttributeValues: { ':token': 'task-token-timed-out' },
    });
  });

  it('returns the next step and writes nothing when nothing is due (an action already moved the deadline)', async () => {
    // Prepare: contacted at 11:00 CST on 12-01, so no contact checkpoint is left; next is the resolution reminder
    const order = orderIn('accepted', { contact: { at: '2026-12-01T03:00:00.000Z', way: 'phone' } });

    // Act
    const next = await run(order, CONTACT_BY);

    // Assess
    expect(next).toEqual({
      step: 'wait',
      timeoutSeconds: Math.ceil((Date.parse('2026-12-06T15:29:00.000Z') - Date.parse(CONTACT_BY)) / 1000),
      version: 4,
      until: '2026-12-06T15:29:00.000Z',
      checkpoint: 'reminder:resolve@2026-12-08T01:05:00.000Z',
    });
    expect(ddb.commandCalls(TransactWriteCommand)).toHaveLength(0);
  });

  /** The ids of the first `count` idle waits, 30 days apart from 09:00 CST on 2027-01-01. */
  const idleIds = (count: number): string[] =>
    Array.from(
      { length: count },
      (_, i) =>
        `idle:${i + 1}@${new Date(Date.parse('2027-01-01T01:00:00.000Z') + i * 30 * DAY).toISOString()}`,
    );

  it('returns close after closing as expired an order its unit left idle too long, consuming the waiting task', async () => {
    // Prepare: signed for and contacted, every resolution checkpoint handled, idle twice; the third idle wait ends now
    const order = orderIn('accepted', {
      version: 8,
      contact: { at: '2026-12-01T03:00:00.000Z', way: 'phone' },
      flags: ['overdue', 'stalled'],
      idleWaits: 2,
      checkpointsDone: [
        ...['reminder', 'deadline', 'urge', 'supervise', 'notify'].map(
          (step) => `${step}:resolve@${RESOLVE_BY}`,
        ),
        ...idleIds(2),
      ],
      updatedAt: '2027-01-31T01:00:00.000Z',
    });

    // Act
    const next = await run(order, '2027-03-02T01:00:00.000Z');

    // Assess
    expect(next).toEqual({ step: 'close', timeoutSeconds: 1, version: 9 });
    const written = transactItems(ddb);
    expect(putWithSk(written, '#ORDER')?.Item).toMatchObject({
      version: 9,
      status: 'closed',
      order: { closure: { outcome: 'expired' }, closedAt: '2027-03-02T01:00:00.000Z' },
    });
    expect(deleteWithSk(written, '#TASK')).toMatchObject({
      ExpressionAttributeValues: { ':token': 'task-token-timed-out' },
    });
    expect(savedEvent(6)).toMatchObject({ type: 'stalled', data: { idleWaits: 3 } });
    expect(savedEvent(7)).toMatchObject({ type: 'closed', data: { outcome: 'expired' } });
  });

  it('returns another wait after the third idle wait of a reply the centre has not reviewed: the centre gets longer', async () => {
    // Prepare: a reply nobody reviewed, idle twice already; the third idle wait ends now
    const order = orderIn('replied', {
      version: 8,
      flags: ['stalled'],
      idleWaits: 2,
      checkpointsDone: idleIds(2),
      updatedAt: '2027-01-31T01:00:00.000Z',
    });

    // Act
    const next = await run(order, '2027-03-02T01:00:00.000Z');

    // Assess
    expect(next).toEqual({
      step: 'wait',
      timeoutSeconds: 30 * 24 * 3600,
      version: 9,
      until: '2027-04-01T01:00:00.000Z',
    });
    expect(putWithSk(transactItems(ddb), '#ORDER')?.Item).toMatchObject({
      version: 9,
      status: 'replied',
      order: { idleWaits: 3 },
    });
    expect(savedEvent(6)).toMatchObject({ type: 'stalled', data: { idleWaits: 3 } });
    expect(savedEvent(7)).toBeUndefined();
  });

  it('returns close after the twelfth idle wait of a reply the centre never reviewed', async () => {
    // Prepare: idle eleven times already; the twelfth idle wait ends now
    const ids = idleIds(11);
    const last = ids.at(-1)?.split('@')[1] ?? '';
    const order = orderIn('replied', {
      version: 17,
      flags: ['stalled'],
      idleWaits: 11,
      checkpointsDone: ids,
      updatedAt: last,
    });

    // Act
    const next = await run(order, new Date(Date.parse(last) + 30 * DAY).toISOString());

    // Assess
    expect(next).toEqual({ step: 'close', timeoutSeconds: 1, version: 18 });
    expect(putWithSk(transactItems(ddb), '#ORDER')?.Item).toMatchObject({
      status: 'closed',
      order: { idleWaits: 12, closure: { outcome: 'expired' } },
    });
    expect(savedEvent(6)).toMatchObject({ type: 'stalled', data: { idleWaits: 12 } });
    expect(savedEvent(7)).toMatchObject({ type: 'closed', data: { outcome: 'expired' } });
  });

  it('returns close and writes nothing for an order already closed', async () => {
    // Act
    const next = await run(orderIn('closed'), '2026-12-10T00:00:00.000Z');

    // Assess
    expect(next).toEqual({ step: 'close', timeoutSeconds: 1, version: 7 });
    expect(ddb.commandCalls(TransactWriteCommand)).toHaveLength(0);
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
