import { beforeAll, describe, expect, it } from 'vitest';
import {
  analyticsDelivery,
  envNames,
  type FunctionName,
  lambdaFunctions,
  streamTriggers,
} from '#wiring/wiring.ts';
import { analyticsColumns, analyticsTypes } from '../../functions/domain/analytics-row.ts';
import {
  type AnalyticsStore,
  analyticsContext,
  defaultBytesScannedCutoffPerQuery,
} from '../../infra/constructs/analytics-store.ts';
import type { StreamTriggers } from '../../infra/constructs/stream-triggers.ts';
import {
  type CfnResource,
  onlyOne,
  type PolicyStatement,
  type SynthesizedHotline,
  synthesizeHotline,
} from './hotline-template.ts';

/** The analytics path in AWS: table stream → analyticsRows → Firehose → S3 Parquet, Glue, Athena. */
let hotline: SynthesizedHotline;

beforeAll(() => {
  hotline = synthesizeHotline();
});

const arnOf = (logicalId: string) => ({ 'Fn::GetAtt': [logicalId, 'Arn'] });
const storeOf = (built: SynthesizedHotline) => built.stack.node.findChild('Analytics') as AnalyticsStore;
const triggersOf = (built: SynthesizedHotline) =>
  built.stack.node.findChild('StreamTriggers') as StreamTriggers;
const ids = (built: SynthesizedHotline) => {
  const store = storeOf(built);
  const triggers = triggersOf(built);
  const table = built.stack.node.findChild('Orders').node.findChild('Table');
  return {
    bucket: built.logicalIdOf(store.bucket),
    results: built.logicalIdOf(store.resultsBucket),
    accessLogs: built.logicalIdOf(store.accessLogs),
    role: built.logicalIdOf(store.deliveryRole),
    stream: built.logicalIdOf(store.deliveryStream),
    secret: built.logicalIdOf(store.keySecret),
    table: built.logicalIdOf(table),
    deadLetters: built.logicalIdOf(triggers.deadLetters),
    deadLettersAlarm: built.logicalIdOf(triggers.deadLettersAlarm),
  };
};
const only = (built: SynthesizedHotline, type: string): CfnResource => onlyOne(built.resourcesOf(type))[1];
const workGroup = (built: SynthesizedHotline) => only(built, 'AWS::Athena::WorkGroup').Properties;
const mappingOf = (built: SynthesizedHotline, name: string): CfnResource => {
  const mapping = triggersOf(built).mappings[name];
  const resource =
    mapping && built.resourcesOf('AWS::Lambda::EventSourceMapping')[built.logicalIdOf(mapping)];
  if (!resource) throw new Error(`No event source mapping for ${name}`);
  return resource;
};

interface GlueTableInput {
  Name: string;
  Parameters: Record<string, unknown>;
  PartitionKeys: { Name: string; Type: string }[];
  StorageDescriptor: {
    Columns: { Name: string; Type: string; Comment: string }[];
    Location: unknown;
    InputFormat: string;
    OutputFormat: string;
    SerdeInfo: { SerializationLibrary: string };
  };
}
const glueTable = (built: SynthesizedHotline) => {
  const table = only(built, 'AWS::Glue::Table');
  return {
    databaseName: table.Properties.DatabaseName,
    input: table.Properties.TableInput as GlueTableInput,
  };
};

interface S3Destination {
  Prefix: string;
  ErrorOutputPrefix: string;
  BufferingHints: { IntervalInSeconds: number; SizeInMBs: number };
  CompressionFormat: string;
  BucketARN: unknown;
  RoleARN: unknown;
  CloudWatchLoggingOptions: { Enabled: boolean; LogGroupName: unknown; LogStreamName: unknown };
  DynamicPartitioningConfiguration: { Enabled: boolean };
  ProcessingConfiguration: {
    Enabled: boolean;
    Processors: { Type: string; Parameters: { ParameterName: string; ParameterValue: string }[] }[];
  };
  DataFormatConversionConfiguration: {
    Enabled: boolean;
    InputFormatConfiguration: { Deserializer: Record<string, unknown> };
    OutputFormatConfiguration: { Serializer: { ParquetSerDe?: { Compression: string } } };
    SchemaConfiguration: Record<string, unknown>;
  };
}
const deliveryStream = (built: SynthesizedHotline) => {
  const stream = only(built, 'AWS::KinesisFirehose::DeliveryStream');
  return {
    properties: stream.Properties,
    destination: stream.Properties.ExtendedS3DestinationConfiguration as S3Destination,
  };
};

describe('the Glue table of the analytics store', () => {
  it('has the columns of analyticsColumns, in file order, with their Glue types and comments', () => {
    const { input } = glueTable(hotline);

    expect(input.StorageDescriptor.Columns).toEqual(
      analyticsColumns.map((column) => ({
        Name: column.name,
        Type: analyticsTypes[column.type].glue,
        Comment: column.comment,
      })),
    );
  });

  it('is the orders table of the hotline_analytics database, in Parquet under s3://<store>/orders/', () => {
    const table = glueTable(hotline);
    const { bucket } = ids(hotline);

    expect(table.databaseName).toBe(analyticsDelivery.database);
    expect(only(hotline, 'AWS::Glue::Database').Properties.DatabaseInput).toMatchObject({
      Name: analyticsDelivery.database,
    });
    expect(table.input.Name).toBe(analyticsDelivery.table);
    expect(table.input.StorageDescriptor).toMatchObject({
      Location: { 'Fn::Join': ['', ['s3://', { Ref: bucket }, '/orders/']] },
      InputFormat: 'org.apache.hadoop.hive.ql.io.parquet.MapredParquetInputFormat',
      OutputFormat: 'org.apache.hadoop.hive.ql.io.parquet.MapredParquetOutputFormat',
      SerdeInfo: { SerializationLibrary: 'org.apache.hadoop.hive.ql.io.parquet.serde.ParquetHiveSerDe' },
    });
    expect(table.input.Parameters).toMatchObject({ classification: 'parquet', EXTERNAL: 'TRUE' });
  });

  it('is partitioned by month, a string that no row column repeats', () => {
    const { input } = glueTable(hotline);

    expect(input.PartitionKeys).toEqual([
      { Name: analyticsDelivery.partitionName, Type: 'string', Comment: expect.any(String) },
    ]);
    expect(analyticsColumns.map((column) => column.name)).not.toContain(analyticsDelivery.partitionName);
  });

  it('projects the months from 2019-01 to the current CST month, at the folders Firehose writes', () => {
    const { input } = glueTable(hotline);
    const { bucket } = ids(hotline);

    expect(input.Parameters).toMatchObject({
      'projection.enabled': 'true',
      'projection.month.type': 'date',
      'projection.month.format': 'yyyy-MM',
      // Athena's NOW is UTC; China is 8 hours ahead.
      'projection.month.range': '2019-01,NOW+8HOURS',
      'projection.month.interval': '1',
      'projection.month.interval.unit': 'MONTHS',
      'storage.location.template': {
        // Athena's placeholder, not JavaScript's.
        'Fn::Join': ['', ['s3://', { Ref: bucket }, `/orders/month=\${month}/`]],
      },
    });
  });
});

describe('the delivery stream', () => {
  it('takes rows by Direct PUT, encrypted, named after the stack', () => {
    const stream = deliveryStream(hotline);

    expect(stream.properties).toMatchObject({
      DeliveryStreamName: `hotline-${analyticsDelivery.streamSuffix}`,
      DeliveryStreamType: 'DirectPut',
      DeliveryStreamEncryptionConfigurationInput: { KeyType: 'AWS_OWNED_CMK' },
    });
    expect(stream.destination.BucketARN).toEqual(arnOf(ids(hotline).bucket));
  });

  it("converts the JSON rows (OpenX) to Parquet (SNAPPY, Firehose has no ZSTD) by the Glue table's schema", () => {
    const { destination } = deliveryStream(hotline);
    const { role } = ids(hotline);

    expect(destination.DataFormatConversionConfiguration).toEqual({
      Enabled: true,
      InputFormatConfiguration: { Deserializer: { OpenXJsonSerDe: {} } },
      OutputFormatConfiguration: {
        Serializer: { ParquetSerDe: { Compression: 'SNAPPY', EnableDictionaryCompression: true } },
      },
      SchemaConfiguration: {
        CatalogId: { Ref: 'AWS::AccountId' },
        Region: { Ref: 'AWS::Region' },
        DatabaseName: analyticsDelivery.database,
        TableName: analyticsDelivery.table,
        RoleARN: arnOf(role),
        VersionId: 'LATEST',
      },
    });
    // Parquet compresses inside; Firehose rejects an outer compression with conversion.
    expect(destination.CompressionFormat).toBe('UNCOMPRESSED');
  });

  it("partitions by the row's received_month with JQ, into orders/month=<YYYY-MM>/", () => {
    const { destination } = deliveryStream(hotline);

    expect(destination.DynamicPartitioningConfiguration).toMatchObject({ Enabled: true });
    expect(destination.ProcessingConfiguration).toEqual({
      Enabled: true,
      Processors: [
        {
          Type: 'MetadataExtraction',
          Parameters: [
            {
              ParameterName: 'MetadataExtractionQuery',
              ParameterValue: `{month: .${analyticsDelivery.partitionField}}`,
            },
            { ParameterName: 'JsonParsingEngine', ParameterValue: 'JQ-1.6' },
          ],
        },
      ],
    });
    expect(destination.Prefix).toBe('orders/month=!{partitionKeyFromQuery:month}/');
  });

  it('writes what it could not convert or partition under errors/, by error type, never among the rows', () => {
    const { destination } = deliveryStream(hotline);

    expect(destination.ErrorOutputPrefix).toMatch(/^errors\/!\{firehose:error-output-type\}\//);
    expect(destination.ErrorOutputPrefix.startsWith('orders/')).toBe(false);
  });

  it("buffers within Firehose's limits for dynamic partitioning and format conversion", () => {
    const { BufferingHints } = deliveryStream(hotline).destination;

    // Firehose: 64-128 MiB with either feature, 60-900 s with dynamic partitioning (no zero buffering).
    expect(BufferingHints.SizeInMBs).toBeGreaterThanOrEqual(64);
    expect(BufferingHints.SizeInMBs).toBeLessThanOrEqual(128);
    expect(BufferingHints.IntervalInSeconds).toBeGreaterThanOrEqual(60);
    expect(BufferingHints.IntervalInSeconds).toBeLessThanOrEqual(900);
  });

  it('logs its delivery errors to a log group that keeps them a month', () => {
    const { CloudWatchLoggingOptions } = deliveryStream(hotline).destination;
    const group =
      hotline.resourcesOf('AWS::Logs::LogGroup')[
        (CloudWatchLoggingOptions.LogGroupName as { Ref: string }).Ref
      ];

    expect(CloudWatchLoggingOptions).toMatchObject({
      Enabled: true,
      LogStreamName: { Ref: expect.any(String) },
    });
    expect(group?.Properties.RetentionInDays).toBe(30);
  });

  it('raises an alarm when a row could not be converted', () => {
    hotline.template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      Namespace: 'AWS/Firehose',
      MetricName: 'FailedConversion.Records',
      Dimensions: [{ Name: 'DeliveryStreamName', Value: `hotline-${analyticsDelivery.streamSuffix}` }],
      Threshold: 1,
    });
  });
});

describe('the delivery role', () => {
  it("trusts only Firehose, for this account's streams", () => {
    const { role } = ids(hotline);

    expect(hotline.resourcesOf('AWS::IAM::Role')[role]?.Properties.AssumeRolePolicyDocument).toEqual({
      Version: '2012-10-17',
      Statement: [
        {
          Action: 'sts:AssumeRole',
          Effect: 'Allow',
          Principal: { Service: 'firehose.amazonaws.com' },
          Condition: { StringEquals: { 'sts:ExternalId': { Ref: 'AWS::AccountId' } } },
        },
      ],
    });
  });

  it("may read that table's schema, write under the store's two prefixes and log, and nothing else", () => {
    const { role, bucket } = ids(hotline);
    const statements = hotline.statementsOfRole(role);
    const byFirstAction = (prefix: string): PolicyStatement | undefined =>
      statements.find((statement) => [statement.Action].flat().some((action) => action.startsWith(prefix)));
    const glueResources = JSON.stringify(byFirstAction('glue:')?.Resource);
    const objectArn = (prefix: string) => ({ 'Fn::Join': ['', [arnOf(bucket), `/${prefix}*`]] });

    expect(statements.flatMap((statement) => [statement.Action].flat()).sort()).toEqual([
      'glue:GetTable',
      'glue:GetTableVersion',
      'glue:GetTableVersions',
      'logs:PutLogEvents',
      's3:AbortMultipartUpload',
      's3:GetBucketLocation',
      's3:GetObject',
      's3:ListBucket',
      's3:ListBucketMultipartUploads',
      's3:PutObject',
    ]);
    expect(glueResources).toContain(':catalog"');
    expect(glueResources).toContain(`:database/${analyticsDelivery.database}"`);
    expect(glueResources).toContain(`:table/${analyticsDelivery.database}/${analyticsDelivery.table}"`);
    expect(byFirstAction('s3:PutObject')?.Resource).toEqual([objectArn('errors/'), objectArn('orders/')]);
    expect(byFirstAction('s3:GetBucketLocation')?.Resource).toEqual(arnOf(bucket));
    expect(JSON.stringify(statements)).not.toMatch(/"Resource":"\*"/);
  });
});

describe('the table stream triggers', () => {
  const mappings = () => Object.values(hotline.resourcesOf('AWS::Lambda::EventSourceMapping'));

  it('map every entry of streamTriggers, and nothing else', () => {
    expect(mappings()).toHaveLength(Object.keys(streamTriggers).length);
  });

  it.each(Object.entries(streamTriggers))(
    'deliver %s from the oldest record of the stream, filtered, in batches, with partial failures',
    (name, spec) => {
      const { table } = ids(hotline);
      const mapping = mappingOf(hotline, name);

      expect(mapping.Properties).toMatchObject({
        FunctionName: { Ref: hotline.logicalIdOf(hotline.stack.functions[spec.target].lambda) },
        EventSourceArn: { 'Fn::GetAtt': [table, 'StreamArn'] },
        StartingPosition: 'TRIM_HORIZON',
        BatchSize: spec.batchSize,
        MaximumBatchingWindowInSeconds: spec.maximumBatchingWindowSeconds,
        FunctionResponseTypes: ['ReportBatchItemFailures'],
      });
      expect(mapping.Properties.FilterCriteria).toEqual({
        Filters: [{ Pattern: JSON.stringify(spec.filter) }],
      });
    },
  );

  it.each(Object.entries(streamTriggers))(
    'retry %s, split a failing batch, and send what still fails to a dead-letter queue with an alarm',
    (name, spec) => {
      const { deadLetters, deadLettersAlarm } = ids(hotline);
      const mapping = mappingOf(hotline, name);
      const alarm = hotline.resourcesOf('AWS::CloudWatch::Alarm')[deadLettersAlarm];

      expect(mapping.Properties).toMatchObject({
        MaximumRetryAttempts: spec.retryAttempts,
        MaximumRecordAgeInSeconds: spec.maximumRecordAgeSeconds,
        BisectBatchOnFunctionError: spec.bisectBatchOnError,
        DestinationConfig: { OnFailure: { Destination: arnOf(deadLetters) } },
      });
      expect(alarm?.Properties).toMatchObject({
        Namespace: 'AWS/SQS',
        Dimensions: [{ Name: 'QueueName', Value: { 'Fn::GetAtt': [deadLetters, 'QueueName'] } }],
        Threshold: 1,
      });
      expect(hotline.resourcesOf('AWS::SQS::Queue')[deadLetters]?.DeletionPolicy).toBe('Retain');
    },
  );

  it.each(Object.entries(streamTriggers))(
    'let %s read the stream and send to the dead-letter queue',
    (_name, spec) => {
      const { table, deadLetters } = ids(hotline);
      const statements = statementsOf(hotline, spec.target);

      expect(statements).toContainEqual({
        Action: ['dynamodb:DescribeStream', 'dynamodb:GetRecords', 'dynamodb:GetShardIterator'],
        Effect: 'Allow',
        Resource: { 'Fn::GetAtt': [table, 'StreamArn'] },
      });
      expect(statements).toContainEqual(
        expect.objectContaining({
          Action: expect.arrayContaining(['sqs:SendMessage']),
          Resource: arnOf(deadLetters),
        }),
      );
    },
  );
});

const functionNames = Object.keys(lambdaFunctions) as FunctionName[];
const usesOf = (name: FunctionName): readonly string[] => lambdaFunctions[name].uses;
const functionOf = (built: SynthesizedHotline, name: FunctionName): CfnResource => {
  const resource =
    built.resourcesOf('AWS::Lambda::Function')[built.logicalIdOf(built.stack.functions[name].lambda)];
  if (resource === undefined) throw new Error(`No function ${name}`);
  return resource;
};
const statementsOf = (built: SynthesizedHotline, name: FunctionName): PolicyStatement[] => {
  const role = functionOf(built, name).Properties.Role as { 'Fn::GetAtt': [string, string] };
  return built.statementsOfRole(role['Fn::GetAtt'][0]);
};
const variablesOf = (built: SynthesizedHotline, name: FunctionName) =>
  (functionOf(built, name).Properties.Environment as { Variables: Record<string, unknown> }).Variables;
const statementsWith = (statements: PolicyStatement[], service: string) =>
  statements.filter((statement) => [statement.Action].flat().some((action) => action.startsWith(service)));

describe('what functions may do with the store', () => {
  it('lets at least one function deliver rows and read the key (wiring/wiring.ts)', () => {
    expect(functionNames.filter((name) => usesOf(name).includes('analyticsDelivery')).length).toBeGreaterThan(
      0,
    );
    expect(functionNames.filter((name) => usesOf(name).includes('analyticsKey')).length).toBeGreaterThan(0);
  });

  it.each(functionNames)(
    'lets %s put records on the delivery stream only if it uses analyticsDelivery',
    (name) => {
      const firehose = statementsWith(statementsOf(hotline, name), 'firehose:');
      const variables = variablesOf(hotline, name);

      if (usesOf(name).includes('analyticsDelivery')) {
        expect(firehose).toEqual([
          {
            Action: ['firehose:PutRecord', 'firehose:PutRecordBatch'],
            Effect: 'Allow',
            Resource: arnOf(ids(hotline).stream),
          },
        ]);
        expect(variables[envNames.analyticsStream]).toBe(`hotline-${analyticsDelivery.streamSuffix}`);
      } else {
        expect(firehose).toEqual([]);
        expect(envNames.analyticsStream in variables).toBe(false);
      }
    },
  );

  it.each(functionNames)('lets %s read the key of the hashes only if it uses analyticsKey', (name) => {
    const { secret } = ids(hotline);
    // The statements on this secret (the contact hash has a secret of its own: tests/infra/contact-protection.test.ts).
    const secrets = statementsWith(statementsOf(hotline, name), 'secretsmanager:').filter(
      (statement) => JSON.stringify(statement.Resource) === JSON.stringify({ Ref: secret }),
    );
    const variables = variablesOf(hotline, name);

    if (usesOf(name).includes('analyticsKey')) {
      expect(secrets).toEqual([
        {
          Action: ['secretsmanager:DescribeSecret', 'secretsmanager:GetSecretValue'],
          Effect: 'Allow',
          Resource: { Ref: secret },
        },
      ]);
      expect(variables[envNames.analyticsKeySecret]).toEqual({ Ref: secret });
    } else {
      expect(secrets).toEqual([]);
      expect(envNames.analyticsKeySecret in variables).toBe(false);
    }
  });
});

describe('the key of the keyed hashes', () => {
  it('is generated as 64 hex characters (256 bits), and kept when the stack goes', () => {
    const secret = hotline.resourcesOf('AWS::SecretsManager::Secret')[ids(hotline).secret];
    if (!secret) throw new Error('No analytics key secret');
    const generate = secret.Properties.GenerateSecretString as Record<string, unknown>;
    const candidates = [...'abcdefghijklmnopqrstuvwxyz0123456789'];
    const allowed = candidates.filter((c) => !String(generate.ExcludeCharacters ?? '').includes(c));

    expect(generate).toMatchObject({
      PasswordLength: 64,
      ExcludeUppercase: true,
      ExcludePunctuation: true,
      IncludeSpace: false,
    });
    expect(generate.SecretStringTemplate).toBeUndefined();
    expect(allowed.sort().join('')).toBe('0123456789abcdef');
    expect(secret.DeletionPolicy).toBe('Retain');
  });
});

describe('the buckets', () => {
  const buckets = () => hotline.resourcesOf('AWS::S3::Bucket');
  const policyOf = (bucketId: string) =>
    Object.values(hotline.resourcesOf('AWS::S3::BucketPolicy')).find(
      (policy) => (policy.Properties.Bucket as { Ref: string }).Ref === bucketId,
    );

  it('are private, encrypted, TLS-only, owner-enforced and retained', () => {
    const { bucket, results, accessLogs } = ids(hotline);

    for (const id of [bucket, results, accessLogs]) {
      const resource = buckets()[id];
      expect(resource?.Properties, id).toMatchObject({
        BucketEncryption: {
          ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }],
        },
        PublicAccessBlockConfiguration: {
          BlockPublicAcls: true,
          BlockPublicPolicy: true,
          IgnorePublicAcls: true,
          RestrictPublicBuckets: true,
        },
        OwnershipControls: { Rules: [{ ObjectOwnership: 'BucketOwnerEnforced' }] },
      });
      expect(resource?.DeletionPolicy, id).toBe('Retain');
      expect(policyOf(id)?.Properties.PolicyDocument, id).toMatchObject({
        Statement: expect.arrayContaining([
          expect.objectContaining({
            Effect: 'Deny',
            Condition: { Bool: { 'aws:SecureTransport': 'false' } },
          }),
        ]),
      });
    }
  });

  it('keep the rows versioned, logged, and in Intelligent-Tiering after a month', () => {
    const { bucket, accessLogs } = ids(hotline);
    const store = buckets()[bucket]?.Properties ?? {};
    const rules = (store.LifecycleConfiguration as { Rules: Record<string, unknown>[] }).Rules;

    expect(store.VersioningConfiguration).toEqual({ Status: 'Enabled' });
    expect(store.LoggingConfiguration).toMatchObject({ DestinationBucketName: { Ref: accessLogs } });
    expect(rules).toContainEqual(
      expect.objectContaining({
        Prefix: 'orders/',
        Transitions: [{ StorageClass: 'INTELLIGENT_TIERING', TransitionInDays: 30 }],
      }),
    );
    expect(rules.some((rule) => 'ExpirationInDays' in rule)).toBe(false);
  });

  it('expire Athena results after a week', () => {
    const { results, accessLogs } = ids(hotline);
    const resultsBucket = buckets()[results]?.Properties;

    expect(resultsBucket?.LifecycleConfiguration).toMatchObject({
      Rules: [expect.objectContaining({ ExpirationInDays: 7, Status: 'Enabled' })],
    });
    expect(resultsBucket?.LoggingConfiguration).toMatchObject({ DestinationBucketName: { Ref: accessLogs } });
  });
});

describe('the Athena workgroup', () => {
  it('runs engine v3 with its settings enforced, results encrypted in their own bucket, and metrics', () => {
    const { results } = ids(hotline);

    expect(workGroup(hotline)).toMatchObject({
      Name: 'hotline-analytics',
      State: 'ENABLED',
      WorkGroupConfiguration: {
        EnforceWorkGroupConfiguration: true,
        EngineVersion: { SelectedEngineVersion: 'Athena engine version 3' },
        PublishCloudWatchMetricsEnabled: true,
        ResultConfiguration: {
          OutputLocation: { 'Fn::Join': ['', ['s3://', { Ref: results }, '/']] },
          EncryptionConfiguration: { EncryptionOption: 'SSE_S3' },
          ExpectedBucketOwner: { Ref: 'AWS::AccountId' },
        },
      },
    });
  });

  it('caps the bytes one query scans, by default and from context', () => {
    const capped = synthesizeHotline({ [analyticsContext.bytesScannedCutoffPerQuery]: '50000000000' });

    expect(workGroup(hotline)).toMatchObject({
      WorkGroupConfiguration: { BytesScannedCutoffPerQuery: defaultBytesScannedCutoffPerQuery },
    });
    expect(workGroup(capped)).toMatchObject({
      WorkGroupConfiguration: { BytesScannedCutoffPerQuery: 50_000_000_000 },
    });
  });

  it("rejects a cap below Athena's minimum of 10 MB, or one that is not a number", () => {
    expect(() => synthesizeHotline({ [analyticsContext.bytesScannedCutoffPerQuery]: '1000' })).toThrow(
      /at least 10000000/,
    );
    expect(() => synthesizeHotline({ [analyticsContext.bytesScannedCutoffPerQuery]: 'ten GB' })).toThrow(
      /whole number of bytes/,
    );
  });
});

describe('a stack named by context', () => {
  it('prefixes the delivery stream, the database and the workgroup, so two stacks can share an account', () => {
    const staging = synthesizeHotline({ stackName: 'HotlineStaging' });

    expect(deliveryStream(staging).properties.DeliveryStreamName).toBe(
      `hotlinestaging-${analyticsDelivery.streamSuffix}`,
    );
    expect(glueTable(staging).databaseName).toBe('hotlinestaging_analytics');
    expect(
      deliveryStream(staging).destination.DataFormatConversionConfiguration.SchemaConfiguration,
    ).toMatchObject({ DatabaseName: 'hotlinestaging_analytics' });
    expect(workGroup(staging).Name).toBe('hotlinestaging-analytics');
  });
});

describe('the outputs', () => {
  it('tell a deployer where the analytics store is', () => {
    const outputs = hotline.template.toJSON().Outputs as Record<string, { Value: unknown }>;
    const { bucket } = ids(hotline);

    expect(outputs.AnalyticsBucketName?.Value).toEqual({ Ref: bucket });
    expect(outputs.AnalyticsDatabaseName?.Value).toBe(analyticsDelivery.database);
    expect(outputs.AnalyticsWorkGroupName?.Value).toBe('hotline-analytics');
    expect(outputs.AnalyticsDeliveryStreamName?.Value).toBe(`hotline-${analyticsDelivery.streamSuffix}`);
  });
});
