import {
  CreateTableCommand,
  DescribeTableCommand,
  PutItemCommand,
  QueryCommand,
} from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tableSpec } from '#wiring/wiring.ts';
import { ensureTable, type RunningDynamo, startDynamoDbLocal } from '../../../local/dynamodb-local.ts';

/**
 * A local data folder outlives upgrades: a table kept from a version of the project whose index
 * projected other attributes must come out of ensureTable exactly as tableSpec says, its entries
 * rebuilt from the table.
 */
let dynamo: RunningDynamo;

beforeAll(async () => {
  dynamo = await startDynamoDbLocal({});
}, 120_000);

afterAll(async () => {
  await dynamo?.stop();
});

const projections = async (tableName: string) =>
  Object.fromEntries(
    (
      (await dynamo.client.send(new DescribeTableCommand({ TableName: tableName }))).Table
        ?.GlobalSecondaryIndexes ?? []
    ).map((i) => [i.IndexName, [...(i.Projection?.NonKeyAttributes ?? [])].sort()]),
  );

describe('ensureTable', () => {
  it('returns a table kept with an older projection of byUnit with the projection of tableSpec, entries rebuilt', async () => {
    // Prepare: the table as an older version made it (byUnit projecting the summary only), with an order
    const tableName = 'kept-from-an-older-version';
    const key = (name: string) => ({ AttributeName: name, AttributeType: 'S' as const });
    await dynamo.client.send(
      new CreateTableCommand({
        TableName: tableName,
        BillingMode: 'PAY_PER_REQUEST',
        AttributeDefinitions: ['pk', 'sk', 'gsi1pk', 'gsi1sk'].map(key),
        KeySchema: [
          { AttributeName: 'pk', KeyType: 'HASH' },
          { AttributeName: 'sk', KeyType: 'RANGE' },
        ],
        GlobalSecondaryIndexes: [
          {
            IndexName: 'byUnit',
            KeySchema: [
              { AttributeName: 'gsi1pk', KeyType: 'HASH' },
              { AttributeName: 'gsi1sk', KeyType: 'RANGE' },
            ],
            Projection: { ProjectionType: 'INCLUDE', NonKeyAttributes: ['summary'] },
          },
        ],
      }),
    );
    await dynamo.client.send(
      new PutItemCommand({
        TableName: tableName,
        Item: {
          pk: { S: 'ORDER#WO1' },
          sk: { S: '#ORDER' },
          gsi1pk: { S: 'UNIT#st-110108001' },
          gsi1sk: { S: '2026-12-07T02:00:00.000Z#WO1' },
          summary: { M: { id: { S: 'WO1' } } },
          status: { S: 'dispatched' },
        },
      }),
    );

    // Act: twice, as two starts of the local stack would
    await ensureTable(dynamo.client, tableName);
    await ensureTable(dynamo.client, tableName);

    // Assess
    expect(await projections(tableName)).toEqual(
      Object.fromEntries(
        tableSpec.globalSecondaryIndexes.map((g) => [g.indexName, [...g.projection].sort()]),
      ),
    );
    const byUnit = await dynamo.client.send(
      new QueryCommand({
        TableName: tableName,
        IndexName: 'byUnit',
        KeyConditionExpression: 'gsi1pk = :pk',
        ExpressionAttributeValues: { ':pk': { S: 'UNIT#st-110108001' } },
      }),
    );
    expect(byUnit.Items?.map((i) => i.status?.S)).toEqual(['dispatched']);
  });
});
