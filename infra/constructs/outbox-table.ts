import { RemovalPolicy } from 'aws-cdk-lib';
import { AttributeType, BillingMode, Table, TableEncryption } from 'aws-cdk-lib/aws-dynamodb';
import { Construct } from 'constructs';
import { outboxTableSpec } from '#wiring/wiring.ts';

/**
 * The outbox (`outboxTableSpec`): survey messages (SMS, e-mail) waiting for the sender or handed to it.
 * A table of its own because it holds the raw survey links, which are secrets; TTL removes each message
 * a short while after it was written. Encrypted, recoverable and retained like the order table.
 */
export class OutboxTable extends Construct {
  readonly table: Table;

  constructor(scope: Construct, id: string) {
    super(scope, id);
    this.table = new Table(this, 'Table', {
      partitionKey: { name: outboxTableSpec.partitionKey, type: AttributeType.STRING },
      timeToLiveAttribute: outboxTableSpec.timeToLiveAttribute,
      billingMode: BillingMode.PAY_PER_REQUEST,
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      encryption: TableEncryption.AWS_MANAGED,
      deletionProtection: true,
      removalPolicy: RemovalPolicy.RETAIN,
    });
  }
}
