import { RemovalPolicy } from 'aws-cdk-lib';
import {
  AttributeType,
  BillingMode,
  ProjectionType,
  StreamViewType,
  Table,
  TableEncryption,
} from 'aws-cdk-lib/aws-dynamodb';
import { Construct } from 'constructs';
import { tableSpec } from '#wiring/wiring.ts';

const stringKey = (name: string) => ({ name, type: AttributeType.STRING });

/**
 * The single table: orders, their append-only event logs and idempotency records, exactly as
 * `tableSpec` describes it (the local stack creates the same one in DynamoDB Local). It is the source
 * of truth auditors rely on, so it is retained, protected from deletion and recoverable to a point in time.
 */
export class OrderTable extends Construct {
  readonly table: Table;

  constructor(scope: Construct, id: string) {
    super(scope, id);
    this.table = new Table(this, 'Table', {
      partitionKey: stringKey(tableSpec.partitionKey),
      sortKey: stringKey(tableSpec.sortKey),
      timeToLiveAttribute: tableSpec.timeToLiveAttribute,
      billingMode: BillingMode.PAY_PER_REQUEST,
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      encryption: TableEncryption.AWS_MANAGED,
      deletionProtection: true,
      removalPolicy: RemovalPolicy.RETAIN,
      stream: StreamViewType[tableSpec.stream],
    });
    for (const index of tableSpec.globalSecondaryIndexes) {
      this.table.addGlobalSecondaryIndex({
        indexName: index.indexName,
        partitionKey: stringKey(index.partitionKey),
        sortKey: stringKey(index.sortKey),
        projectionType: ProjectionType.INCLUDE,
        nonKeyAttributes: [...index.projection],
      });
    }
  }
}
