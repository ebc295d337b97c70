import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { SchedulerClient } from '@aws-sdk/client-scheduler';
import { SFNClient } from '@aws-sdk/client-sfn';
import { DynamoDBDocumentClient, QueryCommand } from '@aws-sdk/lib-dynamodb';

/**
 * SDK clients, created once per container. Endpoints come from the SDK's own environment variables
 * (AWS_ENDPOINT_URL_DYNAMODB, _SFN, _EVENTBRIDGE, _SCHEDULER), which is how the local stack points the very same
 * code at DynamoDB Local and at its Step Functions emulator.
 */
export const dynamo = DynamoDBDocumentClient.from(new DynamoDBClient({}), {
  marshallOptions: { removeUndefinedValues: true, convertClassInstanceToMap: false },
});

export const stepFunctions = new SFNClient({});
export const eventBridge = new EventBridgeClient({});
export const scheduler = new SchedulerClient({});

/** Every item of one partition whose sort key starts with `prefix`, all pages, read consistently. */
export const queryPartition = async (
  tableName: string,
  pk: string,
  prefix: string,
): Promise<Record<string, unknown>[]> => {
  const items: Record<string, unknown>[] = [];
  let ExclusiveStartKey: Record<string, unknown> | undefined;
  do {
    const page = await dynamo.send(
      new QueryCommand({
        TableName: tableName,
        KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
        ExpressionAttributeValues: { ':pk': pk, ':prefix': prefix },
        ConsistentRead: true,
        ExclusiveStartKey,
      }),
    );
    items.push(...(page.Items ?? []));
    ExclusiveStartKey = page.LastEvaluatedKey;
  } while (ExclusiveStartKey);
  return items;
};
