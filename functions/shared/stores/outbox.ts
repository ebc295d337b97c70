import { GetCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { dynamo } from '#shared/platform/aws-clients.ts';
import { requireEnv } from '#shared/platform/config.ts';
import { outboxMessageRow, parseRow } from '#shared/stores/rows.ts';
import { envNames } from '#wiring/wiring.ts';

/**
 * The outbox (发件箱): every message to a requester is first written here, then handed to the sender.
 * A message's id is fixed by what it is for (order, round, attempt, channel), so a retried attempt
 * finds its message — and its survey link — instead of sending a second, different one. Messages
 * expire with their links (TTL).
 */
export type Channel = 'sms' | 'email';
export type MessageStatus = 'queued' | 'sent' | 'held' | 'failed';

export interface OutboxMessage {
  readonly id: string;
  readonly orderId: string;
  readonly round: number;
  readonly attempt: number;
  readonly channel: Channel;
  /** The order's sealed contact (requester-privacy.ts): opened, and its read recorded, only to send. */
  readonly toSealed: string;
  /** The address as those who see the outbox may see it (`138****8000`). */
  readonly toMasked: string;
  readonly subject: string;
  readonly text: string;
  readonly link: string;
  readonly status: MessageStatus;
  readonly createdAt: string;
  readonly sentAt?: string;
  readonly providerMessageId?: string;
  readonly error?: string;
  /** Epoch seconds (DynamoDB TTL). */
  readonly expiresAt: number;
}

const table = () => requireEnv(envNames.outboxTable);

export const messageIdOf = (orderId: string, round: number, attempt: number, channel: Channel): string =>
  `${orderId}-r${round}-a${attempt}-${channel}`;

/** Queues the message unless it exists; either way returns what is stored. */
export const queueMessage = async (message: OutboxMessage): Promise<OutboxMessage> => {
  try {
    await dynamo.send(
      new PutCommand({ TableName: table(), Item: message, ConditionExpression: 'attribute_not_exists(id)' }),
    );
    return message;
  } catch (error) {
    if (!(error instanceof Error && error.name === 'ConditionalCheckFailedException')) throw error;
    return (await readMessage(message.id)) ?? message;
  }
};

export const readMessage = async (id: string): Promise<OutboxMessage | undefined> => {
  const { Item } = await dynamo.send(
    new GetCommand({ TableName: table(), Key: { id }, ConsistentRead: true }),
  );
  return Item ? parseRow(outboxMessageRow, 'outbox message', { id }, Item) : undefined;
};

/** Records what the sender did with a queued message. */
export const markMessage = async (
  id: string,
  outcome: Pick<OutboxMessage, 'status'> &
    Partial<Pick<OutboxMessage, 'sentAt' | 'providerMessageId' | 'error'>>,
): Promise<void> => {
  const fields = Object.entries(outcome).filter(([, v]) => v !== undefined);
  await dynamo.send(
    new UpdateCommand({
      TableName: table(),
      Key: { id },
      UpdateExpression: `SET ${fields.map((_f, i) => `#f${i} = :v${i}`).join(', ')}`,
      ExpressionAttributeNames: Object.fromEntries(fields.map(([k], i) => [`#f${i}`, k])),
      ExpressionAttributeValues: Object.fromEntries(fields.map(([, v], i) => [`:v${i}`, v])),
      ConditionExpression: 'attribute_exists(id)',
    }),
  );
};
