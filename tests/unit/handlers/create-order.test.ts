import { createHash, createHmac } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import { ExecutionAlreadyExists, StartExecutionCommand } from '@aws-sdk/client-sfn';
import { GetCommand, QueryCommand, TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import { decodeTime } from 'ulid';
import { beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { type OrderEvent, verifyChain } from '#domain/order-events.ts';
import type { WorkOrder } from '#domain/work-order.ts';
import { contactSealer, rawAesKeyring } from '#shared/gateways/contact-sealing.ts';
import newOrderJson from '../fixtures/new-order.json' with { type: 'json' };
import {
  apiEvent,
  bodyOf,
  CONTACT_HASH_KEY,
  type EventOptions,
  type Item,
  lambdaContext,
  mockedAws,
  putWithSk,
  STATE_MACHINE_ARN,
  serveReads,
  TABLE,
  transactItems,
} from './support.ts';

const NOW = Date.parse('2026-12-01T02:00:00.000Z');
const context = lambdaContext('create-order');

// Sets the environment the handler's modules read on load, and mocks AWS: before the dynamic import below.
const { ddb, sfn } = mockedAws(NOW);

let handler: typeof import('../../../functions/api/create-order.ts')['handler'];

beforeAll(async () => {
  ({ handler } = await import('../../../functions/api/create-order.ts'));
});

type Body = Record<string, unknown>;
const newOrder = (): Body => structuredClone(newOrderJson) as Body;

const createEvent = (options: Omit<EventOptions, 'routeKey'> = {}) =>
  apiEvent({ routeKey: 'POST /orders', ...options, body: options.body ?? newOrder() });

/** The partitions read, in order, whether by Get or by Query. */
const partitionsRead = (): unknown[] =>
  ddb
    .calls()
    .map((call) => call.args[0])
    .flatMap((command) => {
      if (command instanceof GetCommand) return [command.input.Key?.pk];
      if (command instanceof QueryCommand) return [command.input.ExpressionAttributeValues?.[':pk']];
      return [];
    });

const sha256 = (text: string): string => createHash('sha256').update(text).digest('hex');

const cancelledByCondition = (reasons: number) =>
  new TransactionCanceledException({
    message: 'Transaction cancelled, please refer cancellation reasons for specific reasons',
    $metadata: {},
    CancellationReasons: [
      { Code: 'ConditionalCheckFailed' },
      ...Array.from({ length: reasons - 1 }, () => ({ Code: 'None' })),
    ],
  });

describe('POST /orders (create-order)', () => {
  describe('a new contact', () => {
    beforeEach(() => {
      ddb.on(TransactWriteCommand).resolves({});
      sfn.on(StartExecutionCommand).resolves({ executionArn: 'arn:exec', startDate: new Date(NOW) });
    });

    it('returns 201 with Location, ETag and the received order', async () => {
      // Act
      const result = await handler(createEvent(), context);

      // Assess
      expect(result.statusCode).toBe(201);
      const order = bodyOf(result);
      expect(order.id).toMatch(/^WO[0-9A-HJKMNP-TV-Z]{26}$/);
      expect(result.headers).toMatchObject({
        location: `/orders/${String(order.id)}`,
        etag: '"1"',
        'content-type': 'application/json; charset=utf-8',
      });
      expect(result.headers).not.toHaveProperty('idempotent-replayed');
      expect(order).toMatchObject({
        version: 1,
        status: 'received',
        flags: [],
        appealType: 'complaint',
        categoryCode: '010201',
        receivedAt: '2026-12-01T02:00:00.000Z',
        receivedBy: { sub: 'operator-1', role: 'operator' },
        // The operator sees the contact masked, readable in clear on request (GET /orders/{id}/contact).
        requester: {
          kind: 'person',
          anonymous: false,
          declinesCallback: false,
          contact: { name: '王**', phone: '138****8000' },
          contactReadable: true,
        },
        deadlines: { dispatchBy: '2026-12-01T15:59:59.999Z' },
      });
      expect(result.body).not.toMatch(/13800138000|王女士/);
    });

    it('returns an order id whose ULID carries the time of the clock', async () => {
      // Act
      const result = await handler(createEvent(), context);

      // Assess
      expect(decodeTime(String(bodyOf(result).id).slice(2))).toBe(NOW);
    });

    it('returns after starting one execution named by the order id with input {orderId}', async () => {
      // Act
      const result = await handler(createEvent(), context);

      // Assess
      const id = String(bodyOf(result).id);
      const starts = sfn.commandCalls(StartExecutionCommand);
      expect(starts).toHaveLength(1);
      expect(starts[0]?.args[0].input).toEqual({
        stateMachineArn: STATE_MACHINE_ARN,
        name: id,
        input: JSON.stringify({ orderId: id }),
      });
    });

    it('returns after starting the execution only once the order is written', async () => {
      // Act
      await handler(createEvent(), context);

      // Assess
      const write = ddb.commandCalls(TransactWriteCommand)[0];
      const start = sfn.commandCalls(StartExecutionCommand)[0];
      expect(write && start && write.calledBefore(start)).toBe(true);
    });

    it('returns after writing the order and its received event in one transaction, both conditional', async () => {
      // Act
      const result = await handler(createEvent(), context);

      // Assess
      const id = String(bodyOf(result).id);
      const items = transactItems(ddb);
      expect(items).toHaveLength(2);
      const orderPut = putWithSk(items, '#ORDER');
      const eventPut = putWithSk(items, 'EVENT#0000000001');
      expect(orderPut).toMatchObject({
        TableName: TABLE,
        ConditionExpression: 'attribute_not_exists(pk)',
        Item: {
          pk: `ORDER#${id}`,
          sk: '#ORDER',
          type: 'order',
          version: 1,
          status: 'received',
          gsi2pk: 'DISTRICT#110101',
          gsi3pk: 'DAY#2026-12-01',
          gsi3sk: `2026-12-01T02:00:00.000Z#${id}`,
        },
      });
      expect(orderPut?.Item).not.toHaveProperty('gsi1pk');
      const { requester: _shown, ...shown } = bodyOf(result);
      const { requester: stored, ...rest } = (orderPut?.Item.order ?? {}) as WorkOrder;
      expect(rest).toEqual(shown);
      // The contact reaches the table only sealed, hashed and masked.
      expect(JSON.stringify(items)).not.toMatch(/13800138000|王女士/);
      expect(stored).toMatchObject({
        kind: 'person',
        anonymous: false,
        declinesCallback: false,
        contact: {
          requesterHash: createHmac('sha256', CONTACT_HASH_KEY).update('phone:13800138000').digest('hex'),
          masked: { name: '王**', phone: '138****8000' },
        },
      });
      const sealer = contactSealer(rawAesKeyring(readFileSync(String(process.env.CONTACT_KEY_FILE))));
      expect(await sealer.open(id, String(stored.contact?.sealed))).toEqual({
        name: '王女士',
        phone: '13800138000',
      });
      await expect(
        sealer.open('WO01OTHERORDER0000000000000', String(stored.contact?.sealed)),
      ).rejects.toThrow();
      expect(eventPut).toMatchObject({
        TableName: TABLE,
        ConditionExpression: 'attribute_not_exists(pk)',
        Item: {
          pk: `ORDER#${id}`,
          sk: 'EVENT#0000000001',
          type: 'event',
          event: { orderId: id, seq: 1, type: 'received', prevHash: '', at: '2026-12-01T02:00:00.000Z' },
        },
      });
      const event = eventPut?.Item.event as OrderEvent;
      expect(orderPut?.Item.lastEvent).toEqual({ seq: 1, hash: event.hash });
    });

    it('returns after writing the idempotency claim first, keyed by caller and key, expiring a day later', async () => {
      // Act
      const result = await handler(
        createEvent({ headers: { 'idempotency-key': 'call-2026-12-01-0001' } }),
        context,
      );

      // Assess
      expect(result.statusCode).toBe(201);
      const items = transactItems(ddb);
      expect(items).toHaveLength(3);
      expect(items[0]?.Put).toEqual({
        TableName: TABLE,
        // An expired claim is free again even before TTL deletes it.
        ConditionExpression: 'attribute_not_exists(pk) OR expiresAt < :now',
        ExpressionAttributeValues: { ':now': Math.floor(NOW / 1000) },
        Item: {
          pk: `IDEMPOTENCY#${sha256('operator-1\ncall-2026-12-01-0001')}`,
          sk: '#IDEMPOTENCY',
          type: 'idempotency',
          orderId: bodyOf(result).id,
          requestHash: expect.stringMatching(/^[0-9a-f]{64}$/),
          expiresAt: Math.floor(NOW / 1000) + 24 * 60 * 60,
        },
      });
      expect(items[1]?.Put?.Item.sk).toBe('#ORDER');
      expect(items[2]?.Put?.Item.sk).toBe('EVENT#0000000001');
    });

    it('returns after writing one event per event: received and disposed for a disposition, chained', async () => {
      // Prepare
      const body = { ...newOrder(), disposition: { kind: 'outside_duty', note: '民事纠纷，建议诉讼' } };

      // Act
      const result = await handler(createEvent({ body, headers: { 'idempotency-key': 'k-1' } }), context);

      // Assess
      expect(result.statusCode).toBe(201);
      expect(bodyOf(result)).toMatchObject({ status: 'closed', closure: { outcome: 'disposed' } });
      const items = transactItems(ddb);
      expect(items.map((i) => i.Put?.Item.sk)).toEqual([
        '#IDEMPOTENCY',
        '#ORDER',
        'EVENT#0000000001',
        'EVENT#0000000002',
      ]);
      const events = items.slice(2).map((i) => i.Put?.Item.event as OrderEvent);
      expect(events.map((e) => e.type)).toEqual(['received', 'disposed']);
      expect(verifyChain(events)).toEqual({ valid: true, count: 2 });
      expect(items[1]?.Put?.Item.lastEvent).toEqual({ seq: 2, hash: events[1]?.hash });
      for (const item of items.slice(1))
        expect(item.Put?.ConditionExpression).toBe('attribute_not_exists(pk)');
    });

    it('returns different idempotency records for the same key sent by two operators', async () => {
      // Act
      await handler(createEvent({ headers: { 'idempotency-key': 'same-key' } }), context);
      await handler(
        createEvent({
          headers: { 'idempotency-key': 'same-key' },
          claims: { sub: 'operator-2', role: 'operator' },
        }),
        context,
      );

      // Assess
      const first = transactItems(ddb, 0)[0]?.Put?.Item.pk;
      const second = transactItems(ddb, 1)[0]?.Put?.Item.pk;
      expect(first).toBe(`IDEMPOTENCY#${sha256('operator-1\nsame-key')}`);
      expect(second).toBe(`IDEMPOTENCY#${sha256('operator-2\nsame-key')}`);
    });

    it('returns 201 when the execution already exists (a retried start)', async () => {
      // Prepare
      sfn.on(StartExecutionCommand).rejects(new ExecutionAlreadyExists({ message: 'exists', $metadata: {} }));

      // Act
      const result = await handler(createEvent(), context);

      // Assess
      expect(result.statusCode).toBe(201);
    });

    it('returns 201 when the lifecycle cannot start: the order is saved, the stream trigger starts it', async () => {
      // Prepare: Step Functions unavailable past the SDK's own retries
      sfn
        .on(StartExecutionCommand)
        .rejects(Object.assign(new Error('unavailable'), { name: 'ServiceUnavailable' }));

      // Act
      const result = await handler(createEvent(), context);

      // Assess: acknowledged (a 500 would make a caller without Idempotency-Key record it twice)
      expect(result.statusCode).toBe(201);
      expect(transactItems(ddb, 0).some((i) => i.Put?.Item.sk === '#ORDER')).toBe(true);
      expect(sfn.commandCalls(StartExecutionCommand)).toHaveLength(1);
    });
  });

  describe('rejections', () => {
    it('rejects malformed JSON with 400 MALFORMED_JSON and calls neither DynamoDB nor Step Functions', async () => {
      // Act
      const result = await handler(createEvent({ body: '{"appealType": "complaint",' }), context);

      // Assess
      expect(result.statusCode).toBe(400);
      expect(bodyOf(result)).toEqual({
        error: { code: 'MALFORMED_JSON', message: 'The body is not valid JSON.' },
      });
      expect(ddb.calls()).toHaveLength(0);
      expect(sfn.calls()).toHaveLength(0);
    });

    it('rejects a body that is not sent as JSON with 415 UNSUPPORTED_MEDIA_TYPE', async () => {
      // Act
      const result = await handler(createEvent({ headers: { 'content-type': 'text/plain' } }), context);

      // Assess
      expect(result.statusCode).toBe(415);
      expect(bodyOf(result)).toMatchObject({ error: { code: 'UNSUPPORTED_MEDIA_TYPE' } });
      expect(ddb.calls()).toHaveLength(0);
    });

    it('rejects a body that breaks the schema with 400 VALIDATION_FAILED and the issues in details', async () => {
      // Prepare
      const body = newOrder();
      body.appealType = 'rumour';
      body.requester = { kind: 'person', phone: 'call me' };

      // Act
      const result = await handler(createEvent({ body }), context);

      // Assess
      expect(result.statusCode).toBe(400);
      const { error } = bodyOf(result) as {
        error: { code: string; details: { path: string; code: string }[] };
      };
      expect(error.code).toBe('VALIDATION_FAILED');
      expect(error.details.map((d) => d.path).sort()).toEqual(['appealType', 'requester.phone']);
      for (const detail of error.details)
        expect(detail).toEqual({ path: detail.path, message: expect.any(String), code: expect.any(String) });
      expect(ddb.calls()).toHaveLength(0);
      expect(sfn.calls()).toHaveLength(0);
    });

    it('rejects an unknown category with 422 UNKNOWN_CATEGORY and writes nothing', async () => {
      // Prepare
      const body = { ...newOrder(), categoryCode: '019999' };

      // Act
      const result = await handler(createEvent({ body }), context);

      // Assess
      expect(result.statusCode).toBe(422);
      expect(bodyOf(result)).toMatchObject({
        error: { code: 'UNKNOWN_CATEGORY', details: [{ path: 'categoryCode', code: 'UNKNOWN_CATEGORY' }] },
      });
      expect(ddb.calls()).toHaveLength(0);
      expect(sfn.calls()).toHaveLength(0);
    });

    it('rejects a token without role with 403 NO_ROLE and writes nothing', async () => {
      // Act
      const result = await handler(createEvent({ claims: { sub: 'someone' } }), context);

      // Assess
      expect(result.statusCode).toBe(403);
      expect(bodyOf(result)).toMatchObject({ error: { code: 'NO_ROLE' } });
      expect(ddb.calls()).toHaveLength(0);
      expect(sfn.calls()).toHaveLength(0);
    });

    it('rejects a token with a role the system does not know with 403 NO_ROLE', async () => {
      // Act
      const result = await handler(createEvent({ claims: { sub: 'someone', role: 'mayor' } }), context);

      // Assess
      expect(result.statusCode).toBe(403);
      expect(bodyOf(result)).toMatchObject({ error: { code: 'NO_ROLE' } });
    });

    it('rejects an Idempotency-Key with characters outside the allowed set with 400', async () => {
      // Act
      const result = await handler(
        createEvent({ headers: { 'idempotency-key': 'has spaces/and slashes' } }),
        context,
      );

      // Assess
      expect(result.statusCode).toBe(400);
      expect(bodyOf(result)).toMatchObject({ error: { code: 'INVALID_IDEMPOTENCY_KEY' } });
      expect(ddb.calls()).toHaveLength(0);
    });

    it('rejects a repeat that links an order that does not exist with 422 ORIGINAL_ORDER_NOT_FOUND', async () => {
      // Prepare
      serveReads(ddb, []);
      const body = {
        ...newOrder(),
        disposition: { kind: 'repeat', originalOrderId: 'WO01KBZZZZZZZZZZZZZZZZZZZZZZ' },
      };

      // Act
      const result = await handler(createEvent({ body }), context);

      // Assess
      expect(result.statusCode).toBe(422);
      expect(bodyOf(result)).toMatchObject({ error: { code: 'ORIGINAL_ORDER_NOT_FOUND' } });
      expect(partitionsRead()).toEqual(['ORDER#WO01KBZZZZZZZZZZZZZZZZZZZZZZ']);
      expect(ddb.commandCalls(TransactWriteCommand)).toHaveLength(0);
      expect(sfn.calls()).toHaveLength(0);
    });

    it('rejects with a generic 500 when DynamoDB fails, and starts no execution', async () => {
      // Prepare
      ddb.on(TransactWriteCommand).rejects(new Error('ProvisionedThroughputExceeded: secret internals'));

      // Act
      const result = await handler(createEvent(), context);

      // Assess
      expect(result.statusCode).toBe(500);
      expect(bodyOf(result)).toMatchObject({ error: { code: 'INTERNAL_ERROR' } });
      expect(result.body).not.toContain('secret internals');
      expect(sfn.calls()).toHaveLength(0);
    });
  });

  describe('idempotent replay', () => {
    /** Sends the first request successfully and returns what it stored. */
    const firstAttempt = async (key: string) => {
      ddb.on(TransactWriteCommand).resolves({});
      sfn.on(StartExecutionCommand).resolves({ executionArn: 'arn:exec', startDate: new Date(NOW) });
      const first = await handler(createEvent({ headers: { 'idempotency-key': key } }), context);
      const items = transactItems(ddb);
      const claim = putWithSk(items, '#IDEMPOTENCY')?.Item as Item;
      const order = putWithSk(items, '#ORDER')?.Item as Item;
      ddb.reset();
      sfn.resetHistory();
      return { first, claim, order };
    };

    /** The key is taken: the transaction fails on its first item, the claim. */
    const keyTaken = (stored: { claim: Item; order: Item }) => {
      serveReads(ddb, [stored.claim, stored.order]);
      ddb.on(TransactWriteCommand).rejects(cancelledByCondition(3));
    };

    it('returns 201 with idempotent-replayed and the original order for the same request, starting it again', async () => {
      // Prepare
      const stored = await firstAttempt('replay-key');
      const originalId = String(bodyOf(stored.first).id);
      keyTaken(stored);

      // Act
      const result = await handler(createEvent({ headers: { 'idempotency-key': 'replay-key' } }), context);

      // Assess
      expect(result.statusCode).toBe(201);
      expect(result.headers).toMatchObject({
        'idempotent-replayed': 'true',
        location: `/orders/${originalId}`,
        etag: '"1"',
      });
      expect(bodyOf(result)).toEqual(bodyOf(stored.first));
      const starts = sfn.commandCalls(StartExecutionCommand);
      expect(starts).toHaveLength(1);
      expect(starts[0]?.args[0].input).toMatchObject({
        name: originalId,
        input: JSON.stringify({ orderId: originalId }),
      });
      expect(ddb.commandCalls(GetCommand)[0]?.args[0].input).toMatchObject({
        Key: { pk: stored.claim.pk, sk: '#IDEMPOTENCY' },
        ConsistentRead: true,
      });
      expect(partitionsRead()).toEqual([stored.claim.pk, `ORDER#${originalId}`]);
    });

    it('returns a replay for the same request with its keys in another order', async () => {
      // Prepare
      const stored = await firstAttempt('reordered-key');
      keyTaken(stored);
      const reordered = Object.fromEntries(Object.entries(newOrder()).reverse());

      // Act
      const result = await handler(
        createEvent({ body: reordered, headers: { 'idempotency-key': 'reordered-key' } }),
        context,
      );

      // Assess
      expect(result.statusCode).toBe(201);
      expect(result.headers).toMatchObject({ 'idempotent-replayed': 'true' });
    });

    it('rejects a different body with the same key with 422 IDEMPOTENCY_KEY_REUSED and starts nothing', async () => {
      // Prepare
      const stored = await firstAttempt('reused-key');
      keyTaken(stored);
      const different = { ...newOrder(), description: '另一件事：楼道堆物' };

      // Act
      const result = await handler(
        createEvent({ body: different, headers: { 'idempotency-key': 'reused-key' } }),
        context,
      );

      // Assess
      expect(result.statusCode).toBe(422);
      expect(bodyOf(result)).toMatchObject({ error: { code: 'IDEMPOTENCY_KEY_REUSED' } });
      expect(sfn.calls()).toHaveLength(0);
      expect(partitionsRead()).toEqual([stored.claim.pk]);
    });

    it('rejects with 500 when the transaction fails on the order item rather than on the claim', async () => {
      // Prepare: reason 0 (the claim) passed, reason 1 (the order) failed: not a replay
      ddb.on(TransactWriteCommand).rejects(
        new TransactionCanceledException({
          message: 'cancelled',
          $metadata: {},
          CancellationReasons: [{ Code: 'None' }, { Code: 'ConditionalCheckFailed' }, { Code: 'None' }],
        }),
      );

      // Act
      const result = await handler(createEvent({ headers: { 'idempotency-key': 'k-2' } }), context);

      // Assess
      expect(result.statusCode).toBe(500);
      expect(partitionsRead()).toEqual([]);
      expect(sfn.calls()).toHaveLength(0);
    });
  });
});
