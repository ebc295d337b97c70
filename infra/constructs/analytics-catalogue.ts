import type { CfnTable } from 'aws-cdk-lib/aws-glue';
import { analyticsDelivery } from '#wiring/wiring.ts';
import {
  analyticsColumns,
  analyticsPartition,
  analyticsTypes,
} from '../../functions/domain/analytics-row.ts';

/**
 * The Glue table of the analytics store, derived from the one row schema (functions/domain/analytics-row.ts):
 * its columns in file order with their Glue types, its `month` partition and that partition's projection.
 * Firehose converts rows to Parquet by exactly these columns, so nothing here is written by hand.
 */

/** The columns, in file order. */
export const glueColumns = (): CfnTable.ColumnProperty[] =>
  analyticsColumns.map((column) => ({
    name: column.name,
    type: analyticsTypes[column.type].glue,
    comment: column.comment,
  }));

export const gluePartitionKey = (): CfnTable.ColumnProperty => ({
  name: analyticsDelivery.partitionName,
  type: 'string',
  comment: `CST month of receipt, ${analyticsPartition.format} (the row's ${analyticsDelivery.partitionField})`,
});

/** Parquet files, read by Hive's Parquet SerDe: what Athena needs to read Firehose's and the generator's files. */
export const parquetStorage = {
  inputFormat: 'org.apache.hadoop.hive.ql.io.parquet.MapredParquetInputFormat',
  outputFormat: 'org.apache.hadoop.hive.ql.io.parquet.MapredParquetOutputFormat',
  serdeInfo: {
    serializationLibrary: 'org.apache.hadoop.hive.ql.io.parquet.serde.ParquetHiveSerDe',
    parameters: { 'serialization.format': '1' },
  },
} as const;

/**
 * The first month projected: 接诉即办 began in January 2019, so no order of the hotline is older.
 * The last is the current CST month: Athena evaluates NOW in UTC, eight hours behind China, so without
 * `+8HOURS` the new month's first eight hours of rows would stay invisible until 08:00 CST.
 */
export const projectedMonths = { first: '2019-01', last: 'NOW+8HOURS' } as const;

/**
 * Partition projection: Athena computes the month partitions from these table properties instead of
 * reading them from the catalogue, so no crawler and no `MSCK REPAIR` are ever needed, and a month that
 * Firehose (or a history load) has just started appears at once.
 */
export const partitionProjection = (rowsLocation: string): Record<string, string> => {
  const key = `projection.${analyticsDelivery.partitionName}`;
  return {
    'projection.enabled': 'true',
    [`${key}.type`]: 'date',
    // Java date format of the folder names `month=2026-01` (analyticsPartition.format is YYYY-MM).
    [`${key}.format`]: 'yyyy-MM',
    [`${key}.range`]: `${projectedMonths.first},${projectedMonths.last}`,
    [`${key}.interval`]: '1',
    [`${key}.interval.unit`]: 'MONTHS',
    'storage.location.template': `${rowsLocation}${analyticsDelivery.partitionName}=\${${analyticsDelivery.partitionName}}/`,
  };
};
