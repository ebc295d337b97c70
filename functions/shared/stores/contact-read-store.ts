import { QueryCommand, TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import { monotonicFactory } from 'ulid';
import { chinaDateOf } from '#domain/china-time.ts';
import type { ContactPurpose } from '#domain/requester-privacy.ts';
import { dynamo } from '#shared/platform/aws-clients.ts';
import { tableName } from '#shared/platform/config.ts';
import { contactReadItemRow, parseRow, tableKeyOf } from '#shared/stores/rows.ts';

/**
 * Every opening of a requester's sealed contact (docs/privacy.md): who, when, which order and why,
 * written before the contact is opened, so that no clear read goes unrecorded. Two items in one
 * transaction, so an auditor can list the reads of an order and those of a day:
 *
 *   by order  pk ORDER#<id>                 sk CONTACTREAD#<at>#<read id>
 *   by day    pk CONTACTREADS#<CST date>    sk <at>#<order id>#<read id>
 */
const TABLE = tableName();
/** Reads at the same millisecond still sort in the order they were made (within a container). */
const nextReadId = monotonicFactory();

export type ContactReader =
  | { readonly kind: 'person'; readonly sub: string; readonly role: string; readonly unitId?: string }
  | { readonly kind: 'system'; readonly name: 'callbacks' };

export interface ContactRead {
  readonly readId: string;
  readonly orderId: string;
  readonly at: string;
  readonly by: ContactReader;
  readonly purpose: ContactPurpose | 'callback_message';
  readonly note?: string;
}

export const recordContactRead = async (
  read: Omit<ContactRead, 'readId'>,
  nowMs: number,
): Promise<ContactRead> => {
  const recorded: ContactRead = { readId: nextReadId(nowMs), ...read };
  const item = { type: 'contactRead', read: recorded };
  await dynamo.send(
    new TransactWriteCommand({
      TransactItems: [
        {
          Put: {
            TableName: TABLE,
            Item: { pk: `ORDER#${read.orderId}`, sk: `CONTACTREAD#${read.at}#${recorded.readId}`, ...item },
          },
        },
        {
          Put: {
            TableName: TABLE,
            Item: {
              pk: `CONTACTREADS#${chinaDateOf(Date.parse(read.at))}`,
              sk: `${read.at}#${read.orderId}#${recorded.readId}`,
              ...item,
            },
          },
        },
      ],
    }),
  );
  return recorded;
};

/** The reads of one order, or of one CST day (YYYY-MM-DD), oldest first; a page of at most `limit`. */
export const listContactReads = async (
  of: { orderId: string } | { day: string },
  page: { limit: number; cursor?: string },
): Promise<{ items: ContactRead[]; cursor?: string }> => {
  const [pk, prefix] =
    'orderId' in of ? [`ORDER#${of.orderId}`, 'CONTACTREAD#'] : [`CONTACTREADS#${of.day}`, ''];
  const start = page.cursor ? { pk, sk: Buffer.from(page.cursor, 'base64url').toString('utf8') } : undefined;
  const result = await dynamo.send(
    new QueryCommand({
      TableName: TABLE,
      KeyConditionExpression: prefix ? 'pk = :pk AND begins_with(sk, :prefix)' : 'pk = :pk',
      ExpressionAttributeValues: { ':pk': pk, ...(prefix ? { ':prefix': prefix } : {}) },
      Limit: page.limit,
      ...(start ? { ExclusiveStartKey: start } : {}),
    }),
  );
  const items = (result.Items ?? []).map(
    (item) => parseRow(contactReadItemRow, 'contact read', tableKeyOf(item), item).read,
  );
  const last = result.LastEvaluatedKey?.sk;
  return {
    items,
    ...(typeof last === 'string' ? { cursor: Buffer.from(last, 'utf8').toString('base64url') } : {}),
  };
};
