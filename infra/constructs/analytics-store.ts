import { ArnFormat, Duration, RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import { CfnWorkGroup } from 'aws-cdk-lib/aws-athena';
import { type Alarm, ComparisonOperator, Metric, TreatMissingData } from 'aws-cdk-lib/aws-cloudwatch';
import { CfnDatabase, CfnTable } from 'aws-cdk-lib/aws-glue';
import { PolicyStatement, Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { CfnDeliveryStream } from 'aws-cdk-lib/aws-kinesisfirehose';
import { LogGroup, LogStream, RetentionDays } from 'aws-cdk-lib/aws-logs';
import {
  BlockPublicAccess,
  Bucket,
  BucketEncryption,
  type BucketProps,
  ObjectOwnership,
  StorageClass,
} from 'aws-cdk-lib/aws-s3';
import type { Secret } from 'aws-cdk-lib/aws-secretsmanager';
import { S3_SERVER_ACCESS_LOGS_USE_BUCKET_POLICY } from 'aws-cdk-lib/cx-api';
import { Construct, type Node } from 'constructs';
import { analyticsDelivery } from '#wiring/wiring.ts';
import { acknowledgeWildcardResource } from '../nag.ts';
import { glueColumns, gluePartitionKey, parquetStorage, partitionProjection } from './analytics-catalogue.ts';
import { hashKeySecret } from './hash-key-secret.ts';

/**
 * The CDK context that caps what one Athena query may scan, e.g. `cdk deploy -c analyticsBytesScannedCutoffPerQuery=50000000000`.
 * Athena cancels a query past the cap, so a mistaken query over years of orders costs cents, not dollars.
 */
export const analyticsContext = {
  bytesScannedCutoffPerQuery: 'analyticsBytesScannedCutoffPerQuery',
} as const;

/** 10 GiB ($0.05 at $5/TB): several years of the few columns a mining query reads (docs/analytics.md). */
export const defaultBytesScannedCutoffPerQuery = 10 * 1024 ** 3;
/** Athena's own lower bound of BytesScannedCutoffPerQuery (10 MB). */
const athenaMinimumCutoff = 10_000_000;

/** Reads `analyticsContext` from the construct tree (a string when given on the command line). */
export const bytesScannedCutoffOf = (node: Node): number => {
  const value = node.tryGetContext(analyticsContext.bytesScannedCutoffPerQuery);
  if (value === undefined) return defaultBytesScannedCutoffPerQuery;
  const bytes = Number(value);
  if (!Number.isSafeInteger(bytes) || bytes < athenaMinimumCutoff) {
    throw new Error(
      `Context ${analyticsContext.bytesScannedCutoffPerQuery} must be a whole number of bytes, at least ` +
        `${athenaMinimumCutoff} (Athena's minimum); got ${JSON.stringify(value)}.`,
    );
  }
  return bytes;
};

/**
 * Firehose buffers each partition up to 128 MiB or 15 minutes. Both are Firehose's maxima and within its
 * limits for dynamic partitioning and format conversion (64-128 MiB, 60-900 s): the mining runs on a
 * schedule, so fewer and larger Parquet files (fewer S3 objects billed, fewer files for Athena to open)
 * are worth more than rows a few minutes fresher.
 */
export const analyticsBuffering = { intervalInSeconds: 900, sizeInMBs: 128 } as const;

/**
 * Firehose's Parquet serializer offers only UNCOMPRESSED, SNAPPY and GZIP (API reference, ParquetSerDe):
 * not the ZSTD of analytics/parquet-files.ts. SNAPPY is its default and the fastest to read; Athena reads
 * each file's own codec, so live (SNAPPY) and loaded history (ZSTD) files sit side by side in a month.
 */
export const liveParquetCompression = 'SNAPPY';

/** Where the rows go in the bucket, and where Firehose puts what it could not convert or partition. */
export const analyticsPrefixes = {
  rows: `${analyticsDelivery.table}/`,
  errors: 'errors/',
} as const;

export interface AnalyticsStoreProps {
  /** Prefix of physical names (see HotlineStack): delivery stream, Glue database, Athena workgroup. */
  readonly namePrefix: string;
  /** Bytes one Athena query may scan; `bytesScannedCutoffOf(node)` by default. */
  readonly bytesScannedCutoffPerQuery?: number;
}

/** Every bucket of the store: private, TLS 1.2 only, S3-managed encryption, owner-enforced, retained. */
const privateBucket = (scope: Construct, id: string, props: BucketProps): Bucket =>
  new Bucket(scope, id, {
    encryption: BucketEncryption.S3_MANAGED,
    blockPublicAccess: BlockPublicAccess.BLOCK_ALL,
    enforceSSL: true,
    minimumTLSVersion: 1.2,
    objectOwnership: ObjectOwnership.BUCKET_OWNER_ENFORCED,
    removalPolicy: RemovalPolicy.RETAIN,
    ...props,
  });

/**
 * The analytics store (docs/analytics.md): analytics rows (functions/domain/analytics-row.ts) arrive as
 * JSON on a Firehose delivery stream (Direct PUT), which converts them to Parquet by the Glue table's
 * schema and writes them to S3 by the CST month of receipt; the Glue table projects its partitions, so
 * no crawler is needed, and Athena (engine v3) queries them in a workgroup of its own. The secret is the
 * key of the rows' keyed hashes (requester, address).
 *
 * Encryption is S3-managed (SSE-S3), not KMS: the rows hold no personal data in clear (only keyed hashes,
 * whose key is in Secrets Manager), and a KMS key would add a key grant to Firehose, every Athena user and
 * the mining function plus a charge per request, for no data that needs it. Access is IAM and TLS-only.
 */
export class AnalyticsStore extends Construct {
  readonly bucket: Bucket;
  readonly resultsBucket: Bucket;
  readonly accessLogs: Bucket;
  readonly databaseName: string;
  readonly tableName: string;
  readonly deliveryStream: CfnDeliveryStream;
  readonly deliveryStreamName: string;
  readonly deliveryStreamArn: string;
  readonly deliveryRole: Role;
  /** The key of the keyed hashes: 64 hex characters (256 bits) as the plain SecretString. */
  readonly keySecret: Secret;
  readonly workGroup: CfnWorkGroup;
  readonly workGroupName: string;
  /** In alarm when Firehose could not convert a row to Parquet (it went to the error prefix instead). */
  readonly failedConversionAlarm: Alarm;

  constructor(scope: Construct, id: string, props: AnalyticsStoreProps) {
    super(scope, id);
    // Server access logs are delivered by a bucket policy, as S3 recommends, not by the ACL that CDK
    // otherwise sets (ACLs are disabled on these owner-enforced buckets). Set here, before any bucket.
    this.node.setContext(S3_SERVER_ACCESS_LOGS_USE_BUCKET_POLICY, true);
    const stack = Stack.of(this);
    // Glue and Athena names allow lower-case letters, digits and underscores only.
    const snakePrefix = props.namePrefix.toLowerCase().replace(/[^a-z0-9]+/g, '_');
    this.databaseName = analyticsDelivery.database.replace(/^hotline/, snakePrefix);
    this.tableName = analyticsDelivery.table;
    this.deliveryStreamName = `${props.namePrefix}-${analyticsDelivery.streamSuffix}`;
    this.workGroupName = `${props.namePrefix}-analytics`;

    this.accessLogs = privateBucket(this, 'AccessLogs', {
      lifecycleRules: [{ id: 'ExpireAccessLogs', expiration: Duration.days(365) }],
    });
    Validations.of(this.accessLogs).acknowledge({
      id: 'AwsSolutions-S1',
      reason:
        'This is the server access log bucket of the analytics store and the Athena results; logging it into ' +
        'itself would log each log delivery.',
    });
    this.bucket = this.storeBucket();
    this.resultsBucket = privateBucket(this, 'Results', {
      serverAccessLogsBucket: this.accessLogs,
      serverAccessLogsPrefix: 'athena-results/',
      // Results are read right after the query; a week is enough to look at one again.
      lifecycleRules: [
        {
          id: 'ExpireResults',
          expiration: Duration.days(7),
          abortIncompleteMultipartUploadAfter: Duration.days(1),
        },
      ],
    });

    const database = new CfnDatabase(this, 'Database', {
      catalogId: stack.account,
      databaseInput: {
        name: this.databaseName,
        description: 'Hotline analytics store: one row per work order and version (docs/analytics.md)',
      },
    });
    const rowsLocation = `s3://${this.bucket.bucketName}/${analyticsPrefixes.rows}`;
    const table = new CfnTable(this, 'Table', {
      catalogId: stack.account,
      databaseName: this.databaseName,
      tableInput: {
        name: this.tableName,
        description: 'Analytics rows (functions/domain/analytics-row.ts); take each order’s latest version',
        tableType: 'EXTERNAL_TABLE',
        partitionKeys: [gluePartitionKey()],
        parameters: {
          classification: 'parquet',
          EXTERNAL: 'TRUE',
          ...partitionProjection(rowsLocation),
        },
        storageDescriptor: { columns: glueColumns(), location: rowsLocation, ...parquetStorage },
      },
    });
    table.addResourceDependency(database);

    this.keySecret = hashKeySecret(this, 'KeySecret', {
      description:
        'Key of the keyed hashes (HMAC-SHA-256) of requesters and addresses in the analytics store',
      whyRotatedByHand:
        'The key of the keyed hashes is rotated by hand, never on a schedule: a new key changes every requester ' +
        'and address hash, so repeats across the rotation would no longer be seen. It never leaves Secrets ' +
        'Manager and the analytics function; rotating it means re-deriving the rows (docs/analytics.md).',
    });

    this.deliveryRole = new Role(this, 'DeliveryRole', {
      description: `Firehose ${this.deliveryStreamName}: reads the Glue schema, writes rows and errors to S3, logs`,
      // Confused-deputy protection as Firehose's guide recommends: only for this account's streams.
      assumedBy: new ServicePrincipal('firehose.amazonaws.com').withConditions({
        StringEquals: { 'sts:ExternalId': stack.account },
      }),
    });
    const logGroup = new LogGroup(this, 'DeliveryLogs', { retention: RetentionDays.ONE_MONTH });
    const logStream = new LogStream(this, 'DeliveryLogStream', {
      logGroup,
      logStreamName: 'DestinationDelivery',
    });
    this.grantDelivery(logGroup.logGroupName, logStream.logStreamName);

    this.deliveryStream = new CfnDeliveryStream(this, 'DeliveryStream', {
      deliveryStreamName: this.deliveryStreamName,
      deliveryStreamType: 'DirectPut',
      deliveryStreamEncryptionConfigurationInput: { keyType: 'AWS_OWNED_CMK' },
      extendedS3DestinationConfiguration: {
        bucketArn: this.bucket.bucketArn,
        roleArn: this.deliveryRole.roleArn,
        prefix: `${analyticsPrefixes.rows}${analyticsDelivery.partitionName}=!{partitionKeyFromQuery:${analyticsDelivery.partitionName}}/`,
        errorOutputPrefix: `${analyticsPrefixes.errors}!{firehose:error-output-type}/!{timestamp:yyyy-MM-dd}/`,
        // The error folders' days are CST days, like every calendar field of the rows.
        customTimeZone: 'Asia/Shanghai',
        fileExtension: '.parquet',
        bufferingHints: { ...analyticsBuffering },
        // Parquet compresses inside the file; Firehose requires no outer compression with conversion.
        compressionFormat: 'UNCOMPRESSED',
        // The objects take the bucket's default encryption (SSE-S3).
        encryptionConfiguration: { noEncryptionConfig: 'NoEncryption' },
        cloudWatchLoggingOptions: {
          enabled: true,
          logGroupName: logGroup.logGroupName,
          logStreamName: logStream.logStreamName,
        },
        dynamicPartitioningConfiguration: { enabled: true, retryOptions: { durationInSeconds: 300 } },
        processingConfiguration: {
          enabled: true,
          processors: [
            {
              type: 'MetadataExtraction',
              parameters: [
                {
                  parameterName: 'MetadataExtractionQuery',
                  parameterValue: `{${analyticsDelivery.partitionName}: .${analyticsDelivery.partitionField}}`,
                },
                { parameterName: 'JsonParsingEngine', parameterValue: 'JQ-1.6' },
              ],
            },
          ],
        },
        dataFormatConversionConfiguration: {
          enabled: true,
          // OpenX reads the rows' ISO instants (`2026-01-31T16:00:00.000Z`) as timestamps.
          inputFormatConfiguration: { deserializer: { openXJsonSerDe: {} } },
          outputFormatConfiguration: {
            serializer: {
              parquetSerDe: { compression: liveParquetCompression, enableDictionaryCompression: true },
            },
          },
          schemaConfiguration: {
            catalogId: stack.account,
            region: stack.region,
            databaseName: this.databaseName,
            tableName: this.tableName,
            roleArn: this.deliveryRole.roleArn,
            versionId: 'LATEST',
          },
        },
        s3BackupMode: 'Disabled',
      },
    });
    // Firehose checks its role when the stream is created: the policy must be there first.
    this.deliveryStream.node.addDependency(this.deliveryRole, table);
    this.deliveryStreamArn = this.deliveryStream.attrArn;

    this.failedConversionAlarm = new Metric({
      namespace: 'AWS/Firehose',
      metricName: 'FailedConversion.Records',
      dimensionsMap: { DeliveryStreamName: this.deliveryStreamName },
      statistic: 'Sum',
      period: Duration.minutes(5),
    }).createAlarm(this, 'FailedConversionAlarm', {
      alarmDescription:
        `Firehose ${this.deliveryStreamName} could not convert analytics rows to Parquet; they wait under ` +
        `${analyticsPrefixes.errors} in the store for someone to fix and re-deliver.`,
      threshold: 1,
      comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      evaluationPeriods: 1,
      treatMissingData: TreatMissingData.NOT_BREACHING,
    });

    const cutoff = props.bytesScannedCutoffPerQuery ?? bytesScannedCutoffOf(this.node);
    this.workGroup = new CfnWorkGroup(this, 'WorkGroup', {
      name: this.workGroupName,
      description: `Queries of the analytics store (${this.databaseName}); at most ${cutoff} bytes scanned each`,
      state: 'ENABLED',
      workGroupConfiguration: {
        // Clients cannot send results elsewhere, unencrypted, or lift the cap.
        enforceWorkGroupConfiguration: true,
        engineVersion: { selectedEngineVersion: 'Athena engine version 3' },
        bytesScannedCutoffPerQuery: cutoff,
        publishCloudWatchMetricsEnabled: true,
        requesterPaysEnabled: false,
        resultConfiguration: {
          outputLocation: `s3://${this.resultsBucket.bucketName}/`,
          encryptionConfiguration: { encryptionOption: 'SSE_S3' },
          expectedBucketOwner: stack.account,
        },
      },
    });
  }

  /**
   * The rows: versioned (an overwrite or delete by mistake can be undone for 30 days), and moved to
   * Intelligent-Tiering after 30 days — a month's files are read often while it is current, then rarely.
   * (S3 leaves objects under 128 KB in the frequent tier; they cost nothing to monitor.)
   */
  private storeBucket(): Bucket {
    return privateBucket(this, 'Bucket', {
      versioned: true,
      serverAccessLogsBucket: this.accessLogs,
      serverAccessLogsPrefix: 'store/',
      lifecycleRules: [
        {
          id: 'TierRows',
          prefix: analyticsPrefixes.rows,
          transitions: [
            { storageClass: StorageClass.INTELLIGENT_TIERING, transitionAfter: Duration.days(30) },
          ],
        },
        {
          id: 'ExpireOldVersions',
          noncurrentVersionExpiration: Duration.days(30),
          abortIncompleteMultipartUploadAfter: Duration.days(7),
        },
      ],
    });
  }

  /**
   * What Firehose's guide lists for an S3 destination with format conversion, and no more: the Glue
   * table's schema (and no other table), objects under the two prefixes it writes, and its log stream.
   */
  private grantDelivery(logGroupName: string, logStreamName: string): void {
    const stack = Stack.of(this);
    const glueArn = (resource: string, resourceName?: string) =>
      stack.formatArn({ service: 'glue', resource, resourceName, arnFormat: ArnFormat.SLASH_RESOURCE_NAME });
    this.deliveryRole.addToPolicy(
      new PolicyStatement({
        actions: ['glue:GetTable', 'glue:GetTableVersion', 'glue:GetTableVersions'],
        resources: [
          glueArn('catalog'),
          glueArn('database', this.databaseName),
          glueArn('table', `${this.databaseName}/${this.tableName}`),
        ],
      }),
    );
    this.deliveryRole.addToPolicy(
      new PolicyStatement({
        actions: ['s3:GetBucketLocation', 's3:ListBucket', 's3:ListBucketMultipartUploads'],
        resources: [this.bucket.bucketArn],
      }),
    );
    const objectArns = Object.values(analyticsPrefixes).map((prefix) =>
      this.bucket.arnForObjects(`${prefix}*`),
    );
    this.deliveryRole.addToPolicy(
      new PolicyStatement({
        actions: ['s3:AbortMultipartUpload', 's3:GetObject', 's3:PutObject'],
        resources: objectArns,
      }),
    );
    for (const arn of objectArns) {
      acknowledgeWildcardResource(
        this.deliveryRole,
        arn,
        'Firehose names each object it writes (partition, time, random suffix): the role may write under the ' +
          "store's rows and errors prefixes only, which needs <bucket>/<prefix>*.",
      );
    }
    this.deliveryRole.addToPolicy(
      new PolicyStatement({
        actions: ['logs:PutLogEvents'],
        resources: [
          stack.formatArn({
            service: 'logs',
            resource: 'log-group',
            resourceName: `${logGroupName}:log-stream:${logStreamName}`,
            arnFormat: ArnFormat.COLON_RESOURCE_NAME,
          }),
        ],
      }),
    );
  }
}
