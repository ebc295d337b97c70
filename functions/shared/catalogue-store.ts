import { GetCommand, TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import { type CatalogueEdit, mergeCatalogue } from '#domain/dispatch-catalogue.ts';
import type { Actor } from '#domain/order-events.ts';
import type { CatalogueEntry, ReferenceData } from '#domain/reference-data.ts';
import { dynamo, queryPartition } from './aws-clients.ts';
import { tableName } from './config.ts';
import { referenceData } from './reference.ts';

/**
 * The centre's edits to the dispatch catalogue (派单目录), kept in the table over the bundled catalogue:
 *   edits     pk CATALOGUE        sk LINE#<category>|<area>   (an entry, or a removal)
 *   version   pk CATALOGUE        sk #VERSION                 (moves with every edit)
 *   change log pk CATALOGUE#LOG   sk <at>#<category>|<area>#<version>
 * A dispatch reads the version (one small read) and reloads the edits only when it moved, so an edit
 * applies to the very next dispatch.
 */
const TABLE = tableName();
const VERSION_KEY = { pk: 'CATALOGUE', sk: '#VERSION' };
const lineKey = (categoryCode: string, areaCode: string) => ({
  pk: 'CATALOGUE',
  sk: `LINE#${categoryCode}|${areaCode}`,
});

let cached: { version: number; data: ReferenceData } = { version: 0, data: referenceData };

const readVersion = async (): Promise<number> => {
  const result = await dynamo.send(
    new GetCommand({ TableName: TABLE, Key: VERSION_KEY, ConsistentRead: true }),
  );
  return Number(result.Item?.version ?? 0);
};

const readEdits = async (): Promise<CatalogueEdit[]> =>
  (await queryPartition(TABLE, 'CATALOGUE', 'LINE#')).map((item) => item.edit as CatalogueEdit);

/** The city with the catalogue in force now. */
export const currentReferenceData = async (): Promise<ReferenceData> => {
  const version = await readVersion();
  if (version !== cached.version) {
    cached = {
      version,
      data: referenceData.withCatalogue(mergeCatalogue(referenceData.catalogue, await readEdits())),
    };
  }
  return cached.data;
};

/** Writes one edit (a line, or a removal), moves the version and logs who did it, in one transaction. */
export const saveCatalogueEdit = async (
  edit: CatalogueEdit,
  actor: Actor,
  nowMs: number,
): Promise<number> => {
  const at = new Date(nowMs).toISOString();
  const version = (await readVersion()) + 1;
  await dynamo.send(
    new TransactWriteCommand({
      TransactItems: [
        {
          Put: {
            TableName: TABLE,
            Item: { ...VERSION_KEY, type: 'catalogueVersion', version, updatedAt: at },
            // Two edits at once cannot both take the same version: one retries.
            ConditionExpression: 'attribute_not_exists(pk) OR version = :previous',
            ExpressionAttributeValues: { ':previous': version - 1 },
          },
        },
        {
          Put: {
            TableName: TABLE,
            Item: { ...lineKey(edit.categoryCode, edit.areaCode), type: 'catalogueEdit', edit, at },
          },
        },
        {
          Put: {
            TableName: TABLE,
            Item: {
              pk: 'CATALOGUE#LOG',
              sk: `${at}#${edit.categoryCode}|${edit.areaCode}#${version}`,
              type: 'catalogueChange',
              edit,
              actor,
              at,
              version,
            },
          },
        },
      ],
    }),
  );
  return version;
};

export const catalogueLine = (
  data: ReferenceData,
  categoryCode: string,
  areaCode: string,
): CatalogueEntry | undefined => data.catalogueEntry(categoryCode, areaCode);
