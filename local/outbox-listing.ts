import { ScanCommand } from '@aws-sdk/lib-dynamodb';
import { dynamo } from '#shared/platform/aws-clients.ts';
import { requireEnv } from '#shared/platform/config.ts';
import type { OutboxMessage } from '#shared/stores/outbox.ts';
import { envNames } from '#wiring/wiring.ts';

/**
 * Every message in the outbox, newest first: the local stack's outbox view (GET /_local/outbox), where
 * a developer reads the survey links the stack "sent". A Scan, which no function does: on AWS the
 * messages are read one by one by id, and the outbox is small and short-lived (TTL) anyway.
 */
export const listOutboxMessages = async (): Promise<OutboxMessage[]> => {
  const items: OutboxMessage[] = [];
  let ExclusiveStartKey: Record<string, unknown> | undefined;
  do {
    const page = await dynamo.send(
      new ScanCommand({ TableName: requireEnv(envNames.outboxTable), ExclusiveStartKey }),
    );
    items.push(...((page.Items ?? []) as OutboxMessage[]));
    ExclusiveStartKey = page.LastEvaluatedKey;
  } while (ExclusiveStartKey);
  return items.sort((a, b) => b.createdAt.localeCompare(a.createdAt) || a.id.localeCompare(b.id));
};
