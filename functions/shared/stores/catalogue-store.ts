import { TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import { GetCommand, TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import { type CatalogueEdit, mergeCatalogue } from '#domain/dispatch-catalogue.ts';
import { ConcurrentUpdateError } from '#domain/errors.ts';
import type { Actor } from '#domain/order-events.ts';
import type { CatalogueEntry, ReferenceData } from '#domain/reference-data.ts';
import { dynamo, queryPartition } from '#shared/platform/aws-clients.ts';
import { tableName } from '#shared/platform/config.ts';
import type { ClaimPut } from '#shared/platform/idempotency.ts';
import { referenceData } from '#shared/platform/reference.ts';
import { catalogueEditItemRow, catalogueVersionRow, parseRow, tableKeyOf } from '#shared/stores/rows.ts';

/**
 * The centre's edits to the dispatch catalogue (派单目录), kept in the table over the bundled catalogue:
 *   edits     pk CATALOGUE        sk LINE#<category>|<area>   (an entry, or a removal)
 *   version   pk CATALOGUE        sk #VERSION                 (moves with every edit)
 *   change log pk CATALOGUE#LOG   sk <at>#<category>|<area>#<version>
 * A dispatch reads the version (one small read) and reloads the edits only when it moved, so an edit
 * applies to the very next dispatch. An edit is made from the catalogue at a version and saved only if
 * the version has not moved since (`saveCatalogueEdit`): edits of one line are serialized, each decided
 * on what the one before left, so no edit is lost and a removal never removes what it did not see.
 */
const TABLE = tableName();
const VERSION_KEY = { pk: 'CATALOGUE', sk: '#VERSION' };
const lineKey = (categoryCode: string, areaCode: string) => ({
  pk: 'CATALOGUE',
  sk: `LINE#${categoryCode}|${areaCode}`,
});

/** The catalogue in force and its version. */
export interface CatalogueAt {
  readonly version: number;
  readonly data: ReferenceData;
}

// The edits read after the version may hold newer edits than it; a save conditioned on the version
// then fails and its retry reads again, so what was decided on is always what was saved over.
let cached: CatalogueAt = { version: 0, data: referenceData };

const readVersion = async (): Promise<number> => {
  const result = await dynamo.send(
    new GetCommand({ TableName: TABLE, Key: VERSION_KEY, ConsistentRead: true }),
  );
  return result.Item
    ? parseRow(catalogueVersionRow, 'catalogue version', VERSION_KEY, result.Item).version
    : 0;
};

const readEdits = async (): Promise<CatalogueEdit[]> =>
  (await queryPartition(TABLE, 'CATALOGUE', 'LINE#')).map(
    (item) => parseRow(catalogueEditItemRow, 'catalogue edit', tableKeyOf(item), item).edit,
  );

/** The catalogue in force now, with its version. */
export const currentCatalogue = async (): Promise<CatalogueAt> => {
  const version = await readVersion();
  if (version !== cached.version) {
    cached = {
      version,
      data: referenceData.withCatalogue(mergeCatalogue(referenceData.catalogue, await readEdits())),
    };
  }
  return cached;
};

/** The city with the catalogue in force now. */
export const currentReferenceData = async (): Promise<ReferenceData> => (await currentCatalogue()).data;

/** Another edit of the catalogue was saved since `basedOn` was read: read again and decide again. */
export class CatalogueChangedError extends ConcurrentUpdateError {
  constructor(basedOn: number, options?: { cause?: unknown }) {
    super('catalogue', options);
    this.message = `The dispatch catalogue moved past version ${basedOn} while this edit was made; send it again.`;
  }
}

/**
 * Lost to another edit: the version condition failed, or (on AWS) another transaction on the same
 * items at the same moment was cancelled as TransactionConflict.
 */
const lostRace = (error: unknown): boolean =>
  error instanceof TransactionCanceledException &&
  (error.CancellationReasons ?? []).some(
    (r) => r.Code === 'ConditionalCheckFailed' || r.Code === 'TransactionConflict',
  );

/** The edit, the version it makes, its line in the change log (and a key's claim): all or nothing. */
const writeEdit = (edit: CatalogueEdit, actor: Actor, at: string, version: number, claim?: ClaimPut) =>
  dynamo.send(
    new TransactWriteCommand({
      TransactItems: [
        ...(claim ? [claim] : []),
        {
          Put: {
            TableName: TABLE,
            Item: { ...VERSION_KEY, type: 'catalogueVersion', version, updatedAt: at },
            // Saved only over the version the edit was decided on.
            ConditionExpression:
              version === 1 ? 'attribute_not_exists(pk)' : 'attribute_exists(pk) AND version = :previous',
            ...(version === 1 ? {} : { ExpressionAttributeValues: { ':previous': version - 1 } }),
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

/**
 * Writes one edit (a line, or a removal) decided on the catalogue at version `basedOn`, moves the
 * version and logs who did it, in one transaction; if another edit was saved since, nothing is
 * written and CatalogueChangedError says so.
 */
export const saveCatalogueEdit = async (
  edit: CatalogueEdit,
  actor: Actor,
  nowMs: number,
  basedOn: number,
  /** The Idempotency-Key's claim (shared/platform/idempotency.ts), given the version this edit makes. */
  claimFor?: (version: number) => ClaimPut,
): Promise<number> => {
  const at = new Date(nowMs).toISOString();
  const version = basedOn + 1;
  try {
    await writeEdit(edit, actor, at, version, claimFor?.(version));
  } catch (error) {
    if (lostRace(error)) throw new CatalogueChangedError(basedOn, { cause: error });
    throw error;
  }
  return version;
};

export const catalogueLine = (
  data: ReferenceData,
  categoryCode: string,
  areaCode: string,
): CatalogueEntry | undefined => data.catalogueEntry(categoryCode, areaCode);
