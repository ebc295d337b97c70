import { gunzipSync, gzipSync } from 'node:zlib';
import {
  GetCommand,
  PutCommand,
  QueryCommand,
  TransactWriteCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import type { Insight, InsightKind, SpikeAlert, TopicChoice } from '#domain/insights.ts';
import { dynamo } from '#shared/platform/aws-clients.ts';
import { tableName } from '#shared/platform/config.ts';
import type { ClaimPut } from '#shared/platform/idempotency.ts';
import {
  alertItemRow,
  insightItemRow,
  parseRow,
  tableKeyOf,
  topicChoiceItemRow,
} from '#shared/stores/rows.ts';

/**
 * Insights in the table:
 *   insight       pk INSIGHT#<kind>          sk <period>          result as gzip'd JSON (an item is ≤ 400 KB)
 *   alert         pk INSIGHT#ALERT           sk <alert id>        (<day>#<area>#<category>#<method>)
 *   topic choice  pk INSIGHT#TOPIC-CHOICE    sk <month>
 * A run writes each insight whole (the last run wins); an alert is created once and marked when it
 * has been published, so a run repeated after a crash publishes what the first could not, once.
 */
const TABLE = tableName();
const insightPk = (kind: InsightKind) => `INSIGHT#${kind}`;
const ALERTS = 'INSIGHT#ALERT';
const CHOICES = 'INSIGHT#TOPIC-CHOICE';

export const putInsight = async (insight: Insight): Promise<void> => {
  const { result, ...meta } = insight;
  await dynamo.send(
    new PutCommand({
      TableName: TABLE,
      Item: {
        pk: insightPk(insight.kind),
        sk: insight.period,
        type: 'insight',
        ...meta,
        result: gzipSync(JSON.stringify(result)),
      },
    }),
  );
};

const fromItem = (item: Record<string, unknown>): Insight => {
  const { pk: _pk, sk: _sk, type: _type, ...row } = item;
  const { result, ...meta } = parseRow(insightItemRow, 'insight', tableKeyOf(item), row);
  return { ...meta, result: JSON.parse(gunzipSync(result).toString()) };
};

/** The insight of one period, or of the latest period computed when `period` is absent. */
export const readInsight = async (kind: InsightKind, period?: string): Promise<Insight | undefined> => {
  if (period !== undefined) {
    const found = await dynamo.send(
      new GetCommand({ TableName: TABLE, Key: { pk: insightPk(kind), sk: period } }),
    );
    return found.Item ? fromItem(found.Item) : undefined;
  }
  const latest = await dynamo.send(
    new QueryCommand({
      TableName: TABLE,
      KeyConditionExpression: 'pk = :pk',
      ExpressionAttributeValues: { ':pk': insightPk(kind) },
      ScanIndexForward: false,
      Limit: 1,
    }),
  );
  const item = latest.Items?.[0];
  return item ? fromItem(item) : undefined;
};

/** Creates the alert unless it exists; returns whether it is still to be published. */
export const recordAlert = async (alert: SpikeAlert): Promise<boolean> => {
  try {
    await dynamo.send(
      new PutCommand({
        TableName: TABLE,
        Item: { pk: ALERTS, sk: alert.id, type: 'alert', alert, published: false },
        ConditionExpression: 'attribute_not_exists(pk)',
      }),
    );
    return true;
  } catch (error) {
    if ((error as Error).name !== 'ConditionalCheckFailedException') throw error;
    const existing = await dynamo.send(
      new GetCommand({ TableName: TABLE, Key: { pk: ALERTS, sk: alert.id }, ConsistentRead: true }),
    );
    return existing.Item
      ? !parseRow(alertItemRow, 'alert', { pk: ALERTS, sk: alert.id }, existing.Item).published
      : true;
  }
};

export const markAlertPublished = async (id: string): Promise<void> => {
  await dynamo.send(
    new UpdateCommand({
      TableName: TABLE,
      Key: { pk: ALERTS, sk: id },
      UpdateExpression: 'SET published = :t',
      ExpressionAttributeValues: { ':t': true },
    }),
  );
};

/** Alerts of the days from `from` to `to` (inclusive, YYYY-MM-DD), oldest first, all pages. */
export const listAlerts = async (from: string, to: string): Promise<SpikeAlert[]> => {
  const alerts: SpikeAlert[] = [];
  let ExclusiveStartKey: Record<string, unknown> | undefined;
  do {
    const page = await dynamo.send(
      new QueryCommand({
        TableName: TABLE,
        KeyConditionExpression: 'pk = :pk AND sk BETWEEN :from AND :to',
        ExpressionAttributeValues: { ':pk': ALERTS, ':from': from, ':to': `${to}#~` },
        ExclusiveStartKey,
      }),
    );
    alerts.push(
      ...(page.Items ?? []).map((item) => parseRow(alertItemRow, 'alert', tableKeyOf(item), item).alert),
    );
    ExclusiveStartKey = page.LastEvaluatedKey;
  } while (ExclusiveStartKey);
  return alerts;
};

/** The month's choice (the last one wins); with an idempotency claim, in one transaction with it. */
export const putTopicChoice = async (choice: TopicChoice, claim?: ClaimPut): Promise<void> => {
  const put = { TableName: TABLE, Item: { pk: CHOICES, sk: choice.month, type: 'topicChoice', choice } };
  if (claim) await dynamo.send(new TransactWriteCommand({ TransactItems: [claim, { Put: put }] }));
  else await dynamo.send(new PutCommand(put));
};

/** Every month's choice before `month`, oldest first. */
export const topicChoicesBefore = async (month: string): Promise<TopicChoice[]> => {
  const found = await dynamo.send(
    new QueryCommand({
      TableName: TABLE,
      KeyConditionExpression: 'pk = :pk AND sk < :month',
      ExpressionAttributeValues: { ':pk': CHOICES, ':month': month },
    }),
  );
  return (found.Items ?? []).map(
    (item) => parseRow(topicChoiceItemRow, 'topic choice', tableKeyOf(item), item).choice,
  );
};
