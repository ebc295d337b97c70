import { createHash } from 'node:crypto';
import { ConditionalCheckFailedException, TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import { SendTaskSuccessCommand, TaskTimedOut } from '@aws-sdk/client-sfn';
import { PutCommand, TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import { beforeAll, describe, expect, it } from 'vitest';
import type { OrderEvent } from '#domain/order-events.ts';
import type { WorkOrder } from '#domain/work-order.ts';
import type { PendingTask } from '#shared/stores/order-store.ts';
import { orderIn } from '../domain/support.ts';
import {
  apiEvent,
  bodyOf,
  checkWithSk,
  deleteWithSk,
  type Item,
  lambdaContext,
  mockedAws,
  putsWithSkPrefix,
  putWithSk,
  serveReads,
  storedOrderItems,
  TABLE,
  transactItems,
} from './support.ts';

/** 10:00 CST on Thu 2026-12-03. */
const NOW = Date.parse('2026-12-03T02:00:00.000Z');
const context = lambdaContext('order-actions');
// Sets the environment the handler's modules read on load, and mocks AWS: before the dynamic import below.
const { ddb, sfn } = mockedAws(NOW);

let handler: typeof import('../../../functions/api/order-actions.ts')['handler'];

beforeAll(async () => {
  ({ handler } = await import('../../../functions/api/order-actions.ts'));
});

/** The log of every order here ends at event 5. */
const LAST_EVENT = { seq: 5, hash: 'a'.repeat(64) };
const waitingTask: PendingTask = {
  awaiting: 'action',
  token: 'task-token-1',
  since: '2026-12-01T01:05:01.000Z',
};

const lead = { sub: 'staff-1', role: 'unit', unit_id: 'st-110101001' };
const dispatcherClaims = { sub: 'dispatcher-1', role: 'dispatcher' };
const replyBody = { result: 'resolved', text: '已清理占道摊贩，并安排每日巡查。' };

const stored = (order: WorkOrder, pendingTask?: PendingTask): Item[] =>
  storedOrderItems(order, { lastEvent: LAST_EVENT, ...(pendingTask ? { pendingTask } : {}) });

const actionEvent = (
  action: string,
  options: {
    id?: string;
    body?: unknown;
    headers?: Record<string, string>;
    claims?: Record<string, string>;
  } = {},
) =>
  apiEvent({
    routeKey: `POST /orders/{id}/${action}`,
    pathParameters: { id: options.id ?? orderIn('dispatched').id },
    body: options.body ?? {},
    ...(options.headers ? { headers: options.headers } : {}),
    claims: options.claims ?? lead,
  });

const taskOutput = (call = 0): unknown =>
  JSON.parse(sfn.commandCalls(SendTaskSuccessCommand)[call]?.args[0].input.output ?? 'null');

const versionConflict = () =>
  new TransactionCanceledException({
    message: 'Transaction cancelled',
    $metadata: {},
    CancellationReasons: [{ Code: 'ConditionalCheckFailed' }, { Code: 'None' }, { Code: 'None' }],
  });

const sha256 = (value: string): string => createHash('sha256').update(value).digest('hex');

describe('POST /orders/{id}/accept (order-actions)', () => {
  /** Dispatched; the contact reminder, deadline and urge were already handled by 10:00 CST on 12-03. */
  const dispatched = (): WorkOrder =>
    orderIn('dispatched', {
      checkpointsDone: [
        'reminder:contact@2026-12-02T01:05:00.000Z',
        'deadline:contact@2026-12-02T01:05:00.000Z',
        'urge:contact@2026-12-02T01:05:00.000Z',
      ],
    });

  it('returns 200 with the accepted order and its new ETag', async () => {
    // Prepare
    serveReads(ddb, stored(dispatched(), waitingTask));
    ddb.on(TransactWriteCommand).resolves({});
    sfn.on(SendTaskSuccessCommand).resolves({});

    // Act
    const result = await handler(actionEvent('accept'), context);

    // Assess
    expect(result.statusCode).toBe(200);
    expect(result.headers).toMatchObject({ etag: '"4"' });
    expect(bodyOf(result)).toMatchObject({
      status: 'accepted',
      version: 4,
      acceptedAt: '2026-12-03T02:00:00.000Z',
    });
  });

  it('returns after saving the accepted order and its event and consuming the waiting task in one transaction', async () => {
    // Prepare
    const order = dispatched();
    serveReads(ddb, stored(order, waitingTask));
    ddb.on(TransactWriteCommand).resolves({});
    sfn.on(SendTaskSuccessCommand).resolves({});

    // Act
    await handler(actionEvent('accept'), context);

    // Assess
    expect(ddb.commandCalls(TransactWriteCommand)).toHaveLength(1);
    const items = transactItems(ddb);
    expect(putWithSk(items, '#ORDER')).toMatchObject({
      TableName: TABLE,
      ConditionExpression: 'version = :expected',
      ExpressionAttributeValues: { ':expected': 3 },
      Item: { version: 4, status: 'accepted', order: { status: 'accepted', version: 4, actionCount: 1 } },
    });
    expect(deleteWithSk(items, '#TASK')).toEqual({
      TableName: TABLE,
      Key: { pk: `ORDER#${order.id}`, sk: '#TASK' },
      ConditionExpression: 'task.#token = :token',
      ExpressionAttributeNames: { '#token': 'token' },
      ExpressionAttributeValues: { ':token': 'task-token-1' },
    });
    expect(putWithSk(items, 'EVENT#0000000006')?.Item.event).toMatchObject({
      seq: 6,
      type: 'accepted',
      prevHash: LAST_EVENT.hash,
      actor: { kind: 'person', sub: 'staff-1', role: 'unit', unitId: 'st-110101001' },
    });
  });

  it('returns after completing the waiting task with the action and the next step of the saved order', async () => {
    // Prepare
    serveReads(ddb, stored(dispatched(), waitingTask));
    ddb.on(TransactWriteCommand).resolves({});
    sfn.on(SendTaskSuccessCommand).resolves({});

    // Act
    await handler(actionEvent('accept', { body: { note: '已签收' } }), context);

    // Assess: next is the resolution reminder, 23:29 CST on Sun 12-06
    const completions = sfn.commandCalls(SendTaskSuccessCommand);
    expect(completions).toHaveLength(1);
    expect(completions[0]?.args[0].input.taskToken).toBe('task-token-1');
    expect(taskOutput()).toEqual({
      action: 'accept',
      by: { sub: 'staff-1', role: 'unit', unitId: 'st-110101001' },
      payload: { note: '已签收' },
      step: 'wait',
      timeoutSeconds: 3 * 86400 + 13 * 3600 + 29 * 60,
      version: 4,
      until: '2026-12-06T15:29:00.000Z',
      checkpoint: 'reminder:resolve@2026-12-08T01:05:00.000Z',
    });
    const write = ddb.commandCalls(TransactWriteCommand)[0];
    expect(write && completions[0] && write.calledBefore(completions[0])).toBe(true);
  });

  it('rejects an accept by a co-handling unit with 403 NOT_LEAD_UNIT and writes nothing', async () => {
    // Prepare
    serveReads(ddb, stored(dispatched(), waitingTask));

    // Act
    const result = await handler(
      actionEvent('accept', { claims: { sub: 'staff-7', role: 'unit', unit_id: 'dept-cgzfj' } }),
      context,
    );

    // Assess
    expect(result.statusCode).toBe(403);
    expect(bodyOf(result)).toMatchObject({ error: { code: 'NOT_LEAD_UNIT' } });
    expect(ddb.commandCalls(TransactWriteCommand)).toHaveLength(0);
    expect(sfn.calls()).toHaveLength(0);
  });
});

describe('POST /orders/{id}/reply (order-actions)', () => {
  const accepted = (): WorkOrder => orderIn('accepted');
  const replyEvent = (options: Parameters<typeof actionEvent>[1] = {}) =>
    actionEvent('reply', { body: replyBody, ...options });

  it('returns 200 with the replied order and its new ETag', async () => {
    // Prepare
    serveReads(ddb, stored(accepted(), waitingTask));
    ddb.on(TransactWriteCommand).resolves({});
    sfn.on(SendTaskSuccessCommand).resolves({});

    // Act
    const result = await handler(replyEvent(), context);

    // Assess
    expect(result.statusCode).toBe(200);
    expect(result.headers).toMatchObject({ etag: '"5"' });
    expect(bodyOf(result)).toMatchObject({
      status: 'replied',
      version: 5,
      reply: { result: 'resolved', text: replyBody.text, at: '2026-12-03T02:00:00.000Z', by: 'st-110101001' },
    });
  });

  it('returns after saving the change: the order on its version condition, the due checkpoints and the replied event chained after the last', async () => {
    // Prepare: by 10:00 CST on 12-03 the contact reminder, the contact deadline and its urge are due
    const order = accepted();
    serveReads(ddb, stored(order, waitingTask));
    ddb.on(TransactWriteCommand).resolves({});
    sfn.on(SendTaskSuccessCommand).resolves({});

    // Act
    await handler(replyEvent(), context);

    // Assess
    expect(ddb.commandCalls(TransactWriteCommand)).toHaveLength(1);
    const items = transactItems(ddb);
    const orderPut = putWithSk(items, '#ORDER');
    expect(orderPut).toMatchObject({
      TableName: TABLE,
      ConditionExpression: 'version = :expected',
      ExpressionAttributeValues: { ':expected': 4 },
      Item: {
        pk: `ORDER#${order.id}`,
        version: 5,
        status: 'replied',
        order: {
          status: 'replied',
          version: 5,
          flags: ['contact_overdue', 'urged'],
          checkpointsDone: [
            'reminder:contact@2026-12-02T01:05:00.000Z',
            'deadline:contact@2026-12-02T01:05:00.000Z',
            'urge:contact@2026-12-02T01:05:00.000Z',
          ],
        },
      },
    });
    const events = putsWithSkPrefix(items, 'EVENT#').map((put) => {
      expect(put.ConditionExpression).toBe('attribute_not_exists(pk)');
      return put.Item.event as OrderEvent;
    });
    expect(events.map((e) => [e.seq, e.type])).toEqual([
      [6, 'reminder'],
      [7, 'deadline_missed'],
      [8, 'supervision'],
      [9, 'replied'],
    ]);
    expect(events.map((e) => e.prevHash)).toEqual([
      LAST_EVENT.hash,
      ...events.slice(0, -1).map((e) => e.hash),
    ]);
    const replied = events.at(-1) as OrderEvent;
    expect(replied).toMatchObject({
      orderId: order.id,
      actor: { kind: 'person', sub: 'staff-1', role: 'unit', unitId: 'st-110101001' },
      data: { result: 'resolved', text: replyBody.text, late: false },
    });
    expect(orderPut?.Item.lastEvent).toEqual({ seq: 9, hash: replied.hash });
  });

  it('returns after saving only the replied event when no checkpoint is due', async () => {
    // Prepare: contacted, so no contact checkpoint; the resolution reminder is due on 12-06 only
    const order = orderIn('accepted', { contact: { at: '2026-12-01T03:00:00.000Z', way: 'phone' } });
    serveReads(ddb, stored(order, waitingTask));
    ddb.on(TransactWriteCommand).resolves({});
    sfn.on(SendTaskSuccessCommand).resolves({});

    // Act
    await handler(replyEvent(), context);

    // Assess
    const items = transactItems(ddb);
    const events = putsWithSkPrefix(items, 'EVENT#').map((put) => put.Item.event as OrderEvent);
    expect(events.map((e) => [e.seq, e.type, e.prevHash])).toEqual([[6, 'replied', LAST_EVENT.hash]]);
    expect(putWithSk(items, '#ORDER')?.Item.order).toMatchObject({ version: 5, flags: [] });
  });

  it('returns after completing the waiting task with the reply and an idle wait: the centre reviews it', async () => {
    // Prepare
    serveReads(ddb, stored(accepted(), waitingTask));
    ddb.on(TransactWriteCommand).resolves({});
    sfn.on(SendTaskSuccessCommand).resolves({});

    // Act
    await handler(replyEvent(), context);

    // Assess
    expect(taskOutput()).toEqual({
      action: 'reply',
      by: { sub: 'staff-1', role: 'unit', unitId: 'st-110101001' },
      payload: replyBody,
      step: 'wait',
      timeoutSeconds: 30 * 86400,
      version: 5,
      until: '2027-01-02T02:00:00.000Z',
    });
  });

  it('returns 200 without completing any task when none is waiting, on the condition that none appeared', async () => {
    // Prepare
    const order = accepted();
    serveReads(ddb, stored(order));
    ddb.on(TransactWriteCommand).resolves({});

    // Act
    const result = await handler(replyEvent(), context);

    // Assess
    expect(result.statusCode).toBe(200);
    expect(checkWithSk(transactItems(ddb), '#TASK')).toEqual({
      TableName: TABLE,
      Key: { pk: `ORDER#${order.id}`, sk: '#TASK' },
      ConditionExpression: 'attribute_not_exists(pk)',
    });
    expect(sfn.calls()).toHaveLength(0);
  });

  it('returns 200 when the waiting task already timed out (SendTaskSuccess fails with TaskTimedOut), the token not put back', async () => {
    // Prepare
    serveReads(ddb, stored(accepted(), waitingTask));
    ddb.on(TransactWriteCommand).resolves({});
    sfn.on(SendTaskSuccessCommand).rejects(new TaskTimedOut({ message: 'Task Timed Out', $metadata: {} }));

    // Act
    const result = await handler(replyEvent(), context);

    // Assess
    expect(result.statusCode).toBe(200);
    expect(bodyOf(result)).toMatchObject({ status: 'replied' });
    expect(ddb.commandCalls(TransactWriteCommand)).toHaveLength(1);
    expect(sfn.commandCalls(SendTaskSuccessCommand)).toHaveLength(1);
    expect(ddb.commandCalls(PutCommand)).toHaveLength(0);
  });

  it('returns 200 and puts the token back, never over a newer one, when Step Functions cannot be reached', async () => {
    // Prepare
    const order = accepted();
    serveReads(ddb, stored(order, waitingTask));
    ddb.on(TransactWriteCommand).resolves({});
    ddb.on(PutCommand).resolves({});
    sfn
      .on(SendTaskSuccessCommand)
      .rejects(Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException' }));

    // Act
    const result = await handler(replyEvent(), context);

    // Assess
    expect(result.statusCode).toBe(200);
    expect(result.headers).toMatchObject({ etag: '"5"' });
    expect(bodyOf(result)).toMatchObject({ status: 'replied', version: 5 });
    const puts = ddb.commandCalls(PutCommand);
    expect(puts).toHaveLength(1);
    expect(puts[0]?.args[0].input).toEqual({
      TableName: TABLE,
      Item: { pk: `ORDER#${order.id}`, sk: '#TASK', type: 'task', task: waitingTask },
      ConditionExpression: 'attribute_not_exists(pk)',
    });
    const write = ddb.commandCalls(TransactWriteCommand)[0];
    expect(write && puts[0] && write.calledBefore(puts[0])).toBe(true);
  });

  it('returns 200 when the token cannot be put back because the workflow already stored a newer one', async () => {
    // Prepare
    serveReads(ddb, stored(accepted(), waitingTask));
    ddb.on(TransactWriteCommand).resolves({});
    ddb
      .on(PutCommand)
      .rejects(
        new ConditionalCheckFailedException({ message: 'The conditional request failed', $metadata: {} }),
      );
    sfn.on(SendTaskSuccessCommand).rejects(new Error('socket hang up'));

    // Act
    const result = await handler(replyEvent(), context);

    // Assess
    expect(result.statusCode).toBe(200);
    expect(bodyOf(result)).toMatchObject({ status: 'replied' });
    expect(ddb.commandCalls(PutCommand)).toHaveLength(1);
  });

  it('returns 200 for an If-Match equal to the current version, strong or weak', async () => {
    // Prepare
    serveReads(ddb, stored(accepted(), waitingTask));
    ddb.on(TransactWriteCommand).resolves({});
    sfn.on(SendTaskSuccessCommand).resolves({});

    // Act
    const strong = await handler(replyEvent({ headers: { 'if-match': '"4"' } }), context);
    const weak = await handler(replyEvent({ headers: { 'if-match': 'W/"4"' } }), context);

    // Assess
    expect(strong.statusCode).toBe(200);
    expect(weak.statusCode).toBe(200);
  });

  it('rejects a stale If-Match with 409 VERSION_CONFLICT and writes nothing', async () => {
    // Prepare
    serveReads(ddb, stored(accepted(), waitingTask));

    // Act
    const result = await handler(replyEvent({ headers: { 'if-match': '"3"' } }), context);

    // Assess
    expect(result.statusCode).toBe(409);
    expect(bodyOf(result)).toMatchObject({ error: { code: 'VERSION_CONFLICT' } });
    expect(ddb.commandCalls(TransactWriteCommand)).toHaveLength(0);
    expect(sfn.calls()).toHaveLength(0);
  });

  it('rejects an If-Match that is not an ETag with 400 INVALID_IF_MATCH', async () => {
    // Prepare
    serveReads(ddb, stored(accepted(), waitingTask));

    // Act
    const result = await handler(replyEvent({ headers: { 'if-match': 'yesterday' } }), context);

    // Assess
    expect(result.statusCode).toBe(400);
    expect(bodyOf(result)).toMatchObject({ error: { code: 'INVALID_IF_MATCH' } });
    expect(ddb.commandCalls(TransactWriteCommand)).toHaveLength(0);
  });

  it('rejects a reply to an order not yet signed for with 409 ACTION_NOT_ALLOWED and writes nothing', async () => {
    // Prepare
    serveReads(ddb, stored(orderIn('dispatched'), waitingTask));

    // Act
    const result = await handler(replyEvent(), context);

    // Assess
    expect(result.statusCode).toBe(409);
    expect(bodyOf(result)).toMatchObject({
      error: {
        code: 'ACTION_NOT_ALLOWED',
        details: { action: 'reply', status: 'dispatched', allowedFrom: ['accepted'] },
      },
    });
    expect(ddb.commandCalls(TransactWriteCommand)).toHaveLength(0);
    expect(sfn.calls()).toHaveLength(0);
  });

  it('rejects a reply to a closed order with 409 ACTION_NOT_ALLOWED and writes nothing', async () => {
    // Prepare
    serveReads(ddb, stored(orderIn('closed')));

    // Act
    const result = await handler(replyEvent(), context);

    // Assess
    expect(result.statusCode).toBe(409);
    expect(bodyOf(result)).toMatchObject({
      error: { code: 'ACTION_NOT_ALLOWED', details: { action: 'reply', status: 'closed' } },
    });
    expect(ddb.commandCalls(TransactWriteCommand)).toHaveLength(0);
  });

  it('rejects a reply by the copied district government with 403 NOT_LEAD_UNIT and writes nothing', async () => {
    // Prepare
    serveReads(ddb, stored(accepted(), waitingTask));

    // Act
    const result = await handler(
      replyEvent({ claims: { sub: 'staff-9', role: 'unit', unit_id: 'gov-110101' } }),
      context,
    );

    // Assess
    expect(result.statusCode).toBe(403);
    expect(bodyOf(result)).toMatchObject({ error: { code: 'NOT_LEAD_UNIT' } });
    expect(ddb.commandCalls(TransactWriteCommand)).toHaveLength(0);
    expect(sfn.calls()).toHaveLength(0);
  });

  it('rejects a reply by a unit that has nothing to do with the order with 404', async () => {
    // Prepare
    serveReads(ddb, stored(accepted(), waitingTask));

    // Act
    const result = await handler(
      replyEvent({ claims: { sub: 'staff-8', role: 'unit', unit_id: 'st-110102001' } }),
      context,
    );

    // Assess
    expect(result.statusCode).toBe(404);
    expect(ddb.commandCalls(TransactWriteCommand)).toHaveLength(0);
  });

  it('rejects a reply to an order that does not exist with 404 ORDER_NOT_FOUND', async () => {
    // Prepare
    serveReads(ddb, []);

    // Act
    const result = await handler(replyEvent({ id: 'WO01KBZZZZZZZZZZZZZZZZZZZZZZ' }), context);

    // Assess
    expect(result.statusCode).toBe(404);
    expect(bodyOf(result)).toMatchObject({ error: { code: 'ORDER_NOT_FOUND' } });
  });

  it('rejects a reply body that breaks the schema with 400 VALIDATION_FAILED', async () => {
    // Prepare
    serveReads(ddb, stored(accepted(), waitingTask));

    // Act
    const result = await handler(replyEvent({ body: { result: 'done', text: '' } }), context);

    // Assess
    expect(result.statusCode).toBe(400);
    const { error } = bodyOf(result) as { error: { code: string; details: { path: string }[] } };
    expect(error.code).toBe('VALIDATION_FAILED');
    expect(error.details.map((d) => d.path).sort()).toEqual(['result', 'text']);
    expect(ddb.commandCalls(TransactWriteCommand)).toHaveLength(0);
  });

  it.each([0, 31])(
    'rejects an extension of %i days with 400 VALIDATION_FAILED naming days, and writes nothing',
    async (days) => {
      // Prepare
      serveReads(ddb, stored(accepted(), waitingTask));

      // Act
      const result = await handler(
        actionEvent('extension', { body: { days, reason: '需协调产权单位' } }),
        context,
      );

      // Assess
      expect(result.statusCode).toBe(400);
      const { error } = bodyOf(result) as { error: { code: string; details: { path: string }[] } };
      expect(error.code).toBe('VALIDATION_FAILED');
      expect(error.details.map((d) => d.path)).toEqual(['days']);
      expect(ddb.commandCalls(TransactWriteCommand)).toHaveLength(0);
    },
  );

  it('returns 200 after reading again when it lost a race with the workflow and no If-Match was sent', async () => {
    // Prepare
    serveReads(ddb, stored(accepted(), waitingTask));
    ddb.on(TransactWriteCommand).rejectsOnce(versionConflict()).resolves({});
    sfn.on(SendTaskSuccessCommand).resolves({});

    // Act
    const result = await handler(replyEvent(), context);

    // Assess
    expect(result.statusCode).toBe(200);
    expect(ddb.commandCalls(TransactWriteCommand)).toHaveLength(2);
    expect(sfn.commandCalls(SendTaskSuccessCommand)).toHaveLength(1);
  });

  it('returns 200 with If-Match when the race it lost moved no version (the workflow storing its token)', async () => {
    // Prepare
    serveReads(ddb, stored(accepted(), waitingTask));
    ddb.on(TransactWriteCommand).rejectsOnce(versionConflict()).resolves({});
    sfn.on(SendTaskSuccessCommand).resolves({});

    // Act
    const result = await handler(replyEvent({ headers: { 'if-match': '"4"' } }), context);

    // Assess
    expect(result.statusCode).toBe(200);
    expect(ddb.commandCalls(TransactWriteCommand)).toHaveLength(2);
  });

  it('rejects with 409 VERSION_CONFLICT and stops retrying when the races keep being lost', async () => {
    // Prepare
    serveReads(ddb, stored(accepted(), waitingTask));
    ddb.on(TransactWriteCommand).rejects(versionConflict());

    // Act
    const result = await handler(replyEvent({ headers: { 'if-match': '"4"' } }), context);

    // Assess
    expect(result.statusCode).toBe(409);
    expect(bodyOf(result)).toMatchObject({ error: { code: 'VERSION_CONFLICT' } });
    expect(ddb.commandCalls(TransactWriteCommand)).toHaveLength(3);
    expect(sfn.calls()).toHaveLength(0);
  });
});

describe('Idempotency-Key (order-actions)', () => {
  const progress = { text: '已约谈摊贩，明日复查。' };
  const claimSk = (sub: string, action: string, key: string) =>
    `ACTION#${sha256(`${sub}\n${action}\n${key}`)}`;
  const progressEvent = (options: Parameters<typeof actionEvent>[1] = {}) =>
    actionEvent('progress', { body: progress, headers: { 'idempotency-key': 'key-0001' }, ...options });

  /** Runs the first request and returns the order and the claim it saved, as the table holds them after. */
  const firstRequest = async (): Promise<{ order: WorkOrder; claim: Item }> => {
    serveReads(ddb, stored(orderIn('accepted'), waitingTask));
    ddb.on(TransactWriteCommand).resolves({});
    sfn.on(SendTaskSuccessCommand).resolves({});
    await handler(progressEvent(), context);
    const items = transactItems(ddb);
    const order = putWithSk(items, '#ORDER')?.Item.order as WorkOrder;
    const claim = putsWithSkPrefix(items, 'ACTION#')[0]?.Item as Item;
    ddb.reset();
    sfn.reset();
    return { order, claim };
  };

  it('returns after writing the claim of the key, bound to the caller and the action, in the same transaction', async () => {
    // Prepare
    const order = orderIn('accepted');
    serveReads(ddb, stored(order, waitingTask));
    ddb.on(TransactWriteCommand).resolves({});
    sfn.on(SendTaskSuccessCommand).resolves({});

    // Act
    const result = await handler(progressEvent(), context);

    // Assess
    expect(result.statusCode).toBe(200);
    expect(ddb.commandCalls(TransactWriteCommand)).toHaveLength(1);
    const claims = putsWithSkPrefix(transactItems(ddb), 'ACTION#');
    expect(claims).toEqual([
      {
        TableName: TABLE,
        Item: {
          pk: `ORDER#${order.id}`,
          sk: claimSk('staff-1', 'progress', 'key-0001'),
          type: 'actionClaim',
          requestHash: expect.stringMatching(/^[0-9a-f]{64}$/),
          version: 5,
        },
        ConditionExpression: 'attribute_not_exists(pk)',
      },
    ]);
  });

  it('returns 200 with idempotent-replayed for a replay with the same key and body, and writes nothing', async () => {
    // Prepare
    const { order, claim } = await firstRequest();
    serveReads(ddb, [...stored(order), claim]);

    // Act
    const result = await handler(progressEvent(), context);

    // Assess
    expect(result.statusCode).toBe(200);
    expect(result.headers).toMatchObject({ etag: '"5"', 'idempotent-replayed': 'true' });
    expect(bodyOf(result)).toMatchObject({ id: order.id, version: 5 });
    expect(ddb.commandCalls(TransactWriteCommand)).toHaveLength(0);
    expect(sfn.calls()).toHaveLength(0);
  });

  it('returns the replay even with the If-Match of the first request, now stale', async () => {
    // Prepare
    const { order, claim } = await firstRequest();
    serveReads(ddb, [...stored(order), claim]);

    // Act
    const result = await handler(
      progressEvent({ headers: { 'idempotency-key': 'key-0001', 'if-match': '"4"' } }),
      context,
    );

    // Assess
    expect(result.statusCode).toBe(200);
    expect(result.headers).toMatchObject({ 'idempotent-replayed': 'true' });
    expect(ddb.commandCalls(TransactWriteCommand)).toHaveLength(0);
  });

  it('rejects the same key with a different body with 422 IDEMPOTENCY_KEY_REUSED and writes nothing', async () => {
    // Prepare
    const { order, claim } = await firstRequest();
    serveReads(ddb, [...stored(order), claim]);

    // Act
    const result = await handler(progressEvent({ body: { text: '另一条进展' } }), context);

    // Assess
    expect(result.statusCode).toBe(422);
    expect(bodyOf(result)).toMatchObject({ error: { code: 'IDEMPOTENCY_KEY_REUSED' } });
    expect(ddb.commandCalls(TransactWriteCommand)).toHaveLength(0);
    expect(sfn.calls()).toHaveLength(0);
  });

  it('returns a new action for the same key sent by another person: a key is the caller’s own', async () => {
    // Prepare
    const { order, claim } = await firstRequest();
    serveReads(ddb, [...stored(order), claim]);
    ddb.on(TransactWriteCommand).resolves({});

    // Act
    const result = await handler(
      progressEvent({ claims: { sub: 'staff-2', role: 'unit', unit_id: 'st-110101001' } }),
      context,
    );

    // Assess
    expect(result.statusCode).toBe(200);
    expect(result.headers).not.toHaveProperty('idempotent-replayed');
    expect(putsWithSkPrefix(transactItems(ddb), 'ACTION#')[0]?.Item.sk).toBe(
      claimSk('staff-2', 'progress', 'key-0001'),
    );
  });

  it('rejects a key with characters outside the allowed set with 400 INVALID_IDEMPOTENCY_KEY', async () => {
    // Prepare
    serveReads(ddb, stored(orderIn('accepted'), waitingTask));

    // Act
    const result = await handler(
      progressEvent({ headers: { 'idempotency-key': 'key with spaces' } }),
      context,
    );

    // Assess
    expect(result.statusCode).toBe(400);
    expect(bodyOf(result)).toMatchObject({ error: { code: 'INVALID_IDEMPOTENCY_KEY' } });
    expect(ddb.calls()).toHaveLength(0);
  });
});

describe('POST /orders/{id}/objection-decision (order-actions)', () => {
  const objectionEvent = (body: unknown) =>
    actionEvent('objection-decision', { body, claims: dispatcherClaims });

  it('returns the order re-dispatched to another street, new deadlines from now, and both events saved', async () => {
    // Prepare
    serveReads(ddb, stored(orderIn('objected'), waitingTask));
    ddb.on(TransactWriteCommand).resolves({});
    sfn.on(SendTaskSuccessCommand).resolves({});

    // Act
    const result = await handler(objectionEvent({ decision: 'redispatch', unitId: 'st-110101002' }), context);

    // Assess
    expect(result.statusCode).toBe(200);
    expect(bodyOf(result)).toMatchObject({
      status: 'dispatched',
      version: 5,
      unitId: 'st-110101002',
      copiedUnitIds: ['gov-110101'],
      redispatchCount: 1,
      deadlines: { contactBy: '2026-12-04T02:00:00.000Z', resolveBy: '2026-12-10T02:00:00.000Z' },
    });
    const items = transactItems(ddb);
    expect(putWithSk(items, 'EVENT#0000000006')?.Item.event).toMatchObject({ type: 'deadline_changed' });
    expect(putWithSk(items, 'EVENT#0000000007')?.Item.event).toMatchObject({
      type: 'redispatched',
      data: { previousUnitId: 'st-110101001', unitId: 'st-110101002' },
    });
    expect(taskOutput()).toMatchObject({ action: 'objection-decision', step: 'wait', version: 5 });
  });

  it('rejects a re-dispatch to an unknown unit with 422 UNKNOWN_UNIT and writes nothing', async () => {
    // Prepare
    serveReads(ddb, stored(orderIn('objected'), waitingTask));

    // Act
    const result = await handler(objectionEvent({ decision: 'redispatch', unitId: 'st-nowhere' }), context);

    // Assess
    expect(result.statusCode).toBe(422);
    expect(bodyOf(result)).toMatchObject({ error: { code: 'UNKNOWN_UNIT' } });
    expect(ddb.commandCalls(TransactWriteCommand)).toHaveLength(0);
    expect(sfn.calls()).toHaveLength(0);
  });

  it('rejects a re-dispatch to the unit that objected with 422 SAME_UNIT and writes nothing', async () => {
    // Prepare
    serveReads(ddb, stored(orderIn('objected'), waitingTask));

    // Act
    const result = await handler(objectionEvent({ decision: 'redispatch', unitId: 'st-110101001' }), context);

    // Assess
    expect(result.statusCode).toBe(422);
    expect(bodyOf(result)).toMatchObject({ error: { code: 'SAME_UNIT' } });
    expect(ddb.commandCalls(TransactWriteCommand)).toHaveLength(0);
  });
});

describe('POST /orders/{id}/dispatch (order-actions)', () => {
  const awaiting = (): WorkOrder => orderIn('awaiting_dispatch', { categoryCode: '990102' });
  const dispatchEvent = (body: unknown) => actionEvent('dispatch', { body, claims: dispatcherClaims });

  it("returns the order dispatched to the dispatcher's street, its district copied, and completes the task", async () => {
    // Prepare
    serveReads(ddb, stored(awaiting(), waitingTask));
    ddb.on(TransactWriteCommand).resolves({});
    sfn.on(SendTaskSuccessCommand).resolves({});

    // Act
    const result = await handler(dispatchEvent({ unitId: 'st-110101001', note: '属地街道处理' }), context);

    // Assess
    expect(result.statusCode).toBe(200);
    expect(bodyOf(result)).toMatchObject({
      status: 'dispatched',
      version: 3,
      unitId: 'st-110101001',
      coUnitIds: [],
      copiedUnitIds: ['gov-110101'],
      routeBasis: { rule: 'dispatcher' },
      deadlines: {
        dispatchBy: '2026-12-01T15:59:59.999Z',
        contactBy: '2026-12-04T02:00:00.000Z',
        resolveBy: '2026-12-10T02:00:00.000Z',
      },
    });
    expect(sfn.commandCalls(SendTaskSuccessCommand)[0]?.args[0].input.taskToken).toBe('task-token-1');
    expect(taskOutput()).toEqual({
      action: 'dispatch',
      by: { sub: 'dispatcher-1', role: 'dispatcher' },
      payload: { unitId: 'st-110101001', coUnitIds: [], note: '属地街道处理' },
      step: 'wait',
      timeoutSeconds: (24 * 3600 * 4) / 5,
      version: 3,
      until: '2026-12-03T21:12:00.000Z',
      checkpoint: 'reminder:contact@2026-12-04T02:00:00.000Z',
    });
  });

  // The route's roles (dispatcher, supervisor) are checked before the action: ROLE_NOT_ALLOWED.
  it('rejects a dispatch by an operator or an auditor with 403 ROLE_NOT_ALLOWED and writes nothing', async () => {
    for (const role of ['operator', 'auditor']) {
      // Prepare
      ddb.reset();
      serveReads(ddb, stored(awaiting(), waitingTask));

      // Act
      const result = await handler(
        actionEvent('dispatch', { body: { unitId: 'st-110101001' }, claims: { sub: `${role}-1`, role } }),
        context,
      );

      // Assess
      expect(result.statusCode, role).toBe(403);
      expect(bodyOf(result), role).toMatchObject({ error: { code: 'ROLE_NOT_ALLOWED' } });
      expect(ddb.commandCalls(TransactWriteCommand), role).toHaveLength(0);
    }
    expect(sfn.calls()).toHaveLength(0);
  });

  it('returns 200 for a dispatch by a supervisor', async () => {
    // Prepare
    serveReads(ddb, stored(awaiting(), waitingTask));
    ddb.on(TransactWriteCommand).resolves({});
    sfn.on(SendTaskSuccessCommand).resolves({});

    // Act
    const result = await handler(
      actionEvent('dispatch', {
        body: { unitId: 'st-110101001' },
        claims: { sub: 'supervisor-1', role: 'supervisor' },
      }),
      context,
    );

    // Assess
    expect(result.statusCode).toBe(200);
    expect(bodyOf(result)).toMatchObject({ status: 'dispatched', unitId: 'st-110101001' });
  });

  it('rejects an unknown unit with 422 UNKNOWN_UNIT and writes nothing', async () => {
    // Prepare
    serveReads(ddb, stored(awaiting(), waitingTask));

    // Act
    const result = await handler(dispatchEvent({ unitId: 'st-nowhere' }), context);

    // Assess
    expect(result.statusCode).toBe(422);
    expect(bodyOf(result)).toMatchObject({ error: { code: 'UNKNOWN_UNIT' } });
    expect(ddb.commandCalls(TransactWriteCommand)).toHaveLength(0);
    expect(sfn.calls()).toHaveLength(0);
  });
});

describe('POST /orders/{id}/reply-review (order-actions)', () => {
  const reviewEvent = (body: unknown) => actionEvent('reply-review', { body, claims: dispatcherClaims });
  /** The reopened limit from 10:00 CST on Thu 12-03: three working days, Fri, Mon, Tue. */
  const REOPENED_BY = '2026-12-08T15:59:59.999Z';

  it('returns the rejected reply back to accepted with resolveBy moved to the reopened limit, and a deadline_changed event', async () => {
    // Prepare: resolve by 09:05 CST on Tue 12-08, earlier than the reopened limit
    const order = orderIn('replied');
    serveReads(ddb, stored(order, waitingTask));
    ddb.on(TransactWriteCommand).resolves({});
    sfn.on(SendTaskSuccessCommand).resolves({});

    // Act
    const result = await handler(reviewEvent({ decision: 'reject', reason: '未附现场照片' }), context);

    // Assess
    expect(result.statusCode).toBe(200);
    expect(bodyOf(result)).toMatchObject({
      status: 'accepted',
      version: 7,
      replyRejections: 1,
      deadlines: { ...order.deadlines, resolveBy: REOPENED_BY },
    });
    const items = transactItems(ddb);
    expect(putWithSk(items, 'EVENT#0000000006')?.Item.event).toMatchObject({
      type: 'reply_rejected',
      data: { reason: '未附现场照片' },
    });
    expect(putWithSk(items, 'EVENT#0000000007')?.Item.event).toMatchObject({
      type: 'deadline_changed',
      data: {
        reason: 'reply_rejected',
        field: 'resolveBy',
        from: order.deadlines.resolveBy,
        to: REOPENED_BY,
      },
    });
  });

  it('returns the rejected reply with its own resolveBy when that is later than the reopened limit', async () => {
    // Prepare
    const resolveBy = '2026-12-20T01:05:00.000Z';
    const order = orderIn('replied', { deadlines: { ...orderIn('replied').deadlines, resolveBy } });
    serveReads(ddb, stored(order, waitingTask));
    ddb.on(TransactWriteCommand).resolves({});
    sfn.on(SendTaskSuccessCommand).resolves({});

    // Act
    const result = await handler(reviewEvent({ decision: 'reject', reason: '未附现场照片' }), context);

    // Assess
    expect(result.statusCode).toBe(200);
    expect(bodyOf(result)).toMatchObject({ status: 'accepted', deadlines: { resolveBy } });
    const events = putsWithSkPrefix(transactItems(ddb), 'EVENT#').map(
      (p) => (p.Item.event as OrderEvent).type,
    );
    expect(events).toEqual(['reply_rejected']);
  });
});

describe('POST /orders/{id}/escalation (order-actions)', () => {
  it("returns the order escalated to the district with the order's district government copied", async () => {
    // Prepare: an order of 东城区 (110101) that copies nobody yet
    const order = orderIn('accepted', {
      copiedUnitIds: [],
      contact: { at: '2026-12-01T03:00:00.000Z', way: 'phone' },
    });
    serveReads(ddb, stored(order, waitingTask));
    ddb.on(TransactWriteCommand).resolves({});
    sfn.on(SendTaskSuccessCommand).resolves({});

    // Act
    const result = await handler(
      actionEvent('escalation', { body: { to: 'district', reason: '需区级协调拆除' } }),
      context,
    );

    // Assess
    expect(result.statusCode).toBe(200);
    expect(bodyOf(result)).toMatchObject({
      copiedUnitIds: ['gov-110101'],
      escalations: [{ to: 'district', at: '2026-12-03T02:00:00.000Z' }],
    });
    expect(putWithSk(transactItems(ddb), 'EVENT#0000000006')?.Item.event).toMatchObject({
      type: 'escalated',
      data: { to: 'district', reason: '需区级协调拆除', copied: 'gov-110101' },
    });
  });
});

describe('POST /orders/{id}/<unknown> (order-actions)', () => {
  // A route that wiring/wiring.ts does not have has no roles to check: refused before anything else.
  it('rejects an action the routes do not know with 403 ROUTE_UNKNOWN and reads nothing', async () => {
    // Act
    const result = await handler(actionEvent('teleport'), context);

    // Assess
    expect(result.statusCode).toBe(403);
    expect(bodyOf(result)).toMatchObject({ error: { code: 'ROUTE_UNKNOWN' } });
    expect(ddb.calls()).toHaveLength(0);
  });
});
