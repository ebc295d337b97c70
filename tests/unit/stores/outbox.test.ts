import { GetCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { beforeAll, describe, expect, it } from 'vitest';
import type { OutboxMessage } from '#shared/stores/outbox.ts';
import { CorruptRowError } from '#shared/stores/rows.ts';
import { conditionFailed, mockedTable, OUTBOX, rejectionOf } from './support.ts';

/** The outbox's own table (key `id`): a message queued once, read back checked, marked by the sender. */
const ddb = mockedTable();

type Store = typeof import('../../../functions/shared/stores/outbox.ts');
let store: Store;
beforeAll(async () => {
  store = await import('../../../functions/shared/stores/outbox.ts');
});

const message: OutboxMessage = {
  id: 'WO01KBAAAAAAAAAAAAAAAAAAAAAA-r1-a1-sms',
  orderId: 'WO01KBAAAAAAAAAAAAAAAAAAAAAA',
  round: 1,
  attempt: 1,
  channel: 'sms',
  toSealed: 'sealed-contact-of-the-order',
  toMasked: '138****8000',
  subject: '12345 回访',
  text: '请评价：https://survey.example.test/s/abc',
  link: 'https://survey.example.test/s/abc',
  status: 'queued',
  createdAt: '2026-12-02T04:00:00.000Z',
  expiresAt: 1_797_000_000,
};

describe('queueMessage', () => {
  it('puts the message only where no message with its id is', async () => {
    ddb.on(PutCommand).resolves({});
    expect(await store.queueMessage(message)).toEqual(message);
    expect(ddb.commandCalls(PutCommand)[0]?.args[0].input).toEqual({
      TableName: OUTBOX,
      Item: message,
      ConditionExpression: 'attribute_not_exists(id)',
    });
  });

  it('returns the message already stored (its link) when a first try queued it', async () => {
    // Prepare
    const first = { ...message, link: 'https://survey.example.test/s/first', status: 'sent' as const };
    ddb.on(PutCommand).rejects(conditionFailed());
    ddb.on(GetCommand).resolves({ Item: first });

    // Act
    const stored = await store.queueMessage(message);

    // Assess
    expect(stored).toEqual(first);
    expect(ddb.commandCalls(GetCommand)[0]?.args[0].input).toEqual({
      TableName: OUTBOX,
      Key: { id: message.id },
      ConsistentRead: true,
    });
  });

  it('rejects a stored message with an unknown status as a CorruptRowError naming its id', async () => {
    ddb.on(PutCommand).rejects(conditionFailed());
    ddb.on(GetCommand).resolves({ Item: { ...message, status: 'lost' } });
    const error = await rejectionOf(store.queueMessage(message));
    expect(error).toBeInstanceOf(CorruptRowError);
    expect((error as CorruptRowError).key).toEqual({ id: message.id });
  });
});

describe('readMessage', () => {
  it('returns a message with an attribute the schema does not list unchanged, undefined for none', async () => {
    ddb
      .on(GetCommand)
      .resolvesOnce({ Item: { ...message, provider: 'aliyun' } })
      .resolvesOnce({});
    expect(await store.readMessage(message.id)).toEqual({ ...message, provider: 'aliyun' });
    expect(await store.readMessage('other')).toBeUndefined();
  });

  it.each<[string, Record<string, unknown>]>([
    ['an unknown channel', { ...message, channel: 'fax' }],
    ['an expiry that is a string', { ...message, expiresAt: '1797000000' }],
    ['no link', { ...message, link: undefined }],
  ])('rejects a message with %s as a CorruptRowError naming its id', async (_what, item) => {
    ddb.on(GetCommand).resolves({ Item: item });
    const error = await rejectionOf(store.readMessage(message.id));
    expect(error).toBeInstanceOf(CorruptRowError);
    expect((error as CorruptRowError).key).toEqual({ id: message.id });
  });
});

describe('markMessage', () => {
  it('sets the fields given, by name, on a message that exists', async () => {
    ddb.on(UpdateCommand).resolves({});
    await store.markMessage(message.id, {
      status: 'sent',
      sentAt: '2026-12-02T04:00:01.000Z',
      error: undefined,
    });
    expect(ddb.commandCalls(UpdateCommand)[0]?.args[0].input).toEqual({
      TableName: OUTBOX,
      Key: { id: message.id },
      UpdateExpression: 'SET #f0 = :v0, #f1 = :v1',
      ExpressionAttributeNames: { '#f0': 'status', '#f1': 'sentAt' },
      ExpressionAttributeValues: { ':v0': 'sent', ':v1': '2026-12-02T04:00:01.000Z' },
      ConditionExpression: 'attribute_exists(id)',
    });
  });
});
