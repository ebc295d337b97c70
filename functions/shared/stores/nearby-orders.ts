import { QueryCommand } from '@aws-sdk/lib-dynamodb';
import duplicatesJson from '#data/duplicates.json' with { type: 'json' };
import {
  type DuplicateSearch,
  duplicateCandidateOf,
  duplicateRulesSchema,
  duplicateSearchFor,
  type PossibleDuplicate,
  placeCellOf,
  rankPossibleDuplicates,
  seesPossibleDuplicates,
} from '#domain/possible-duplicates.ts';
import type { WorkOrder } from '#domain/work-order.ts';
import { dynamo } from '#shared/platform/aws-clients.ts';
import { tableName } from '#shared/platform/config.ts';
import { logger } from '#shared/platform/logger.ts';
import { candidateItemRow, parseRow } from '#shared/stores/rows.ts';

/**
 * The byPlace index: a sparse GSI that holds only open orders with coordinates, so that a lookup for
 * possible duplicates reads candidates and nothing else.
 *   byPlace  gsi4pk PLACE#<H3 cell, resolution 8>   gsi4sk <categoryCode>#<receivedAt>#<id>
 * projecting only `duplicateCandidate` (functions/domain/possible-duplicates.ts). The order store writes
 * these attributes with the order while it is a candidate; a closed order's item lacks them, which takes
 * it out of the index.
 */
export const duplicateRules = duplicateRulesSchema.parse(duplicatesJson);

const TABLE = tableName();
const INDEX = { name: 'byPlace', pk: 'gsi4pk', sk: 'gsi4sk' } as const;

/** The byPlace attributes of an order's item, or none when the order is no candidate. */
export const placeIndexAttributes = (order: WorkOrder) => {
  const candidate = duplicateCandidateOf(order, duplicateRules);
  if (!candidate) return {};
  return {
    [INDEX.pk]: `PLACE#${placeCellOf(candidate)}`,
    [INDEX.sk]: `${candidate.categoryCode}#${candidate.receivedAt}#${candidate.id}`,
    duplicateCandidate: candidate,
  };
};

/**
 * The order's possible duplicates, or undefined when none are to be looked for. One Query per cell (7,
 * in parallel), each bounded to the category and the window by its key condition and to `readsPerCell`
 * items, newest first; distance, status and ranking are the domain's. Index reads are eventually
 * consistent: an order saved a moment ago may be missing.
 */
export const findPossibleDuplicates = async (
  order: WorkOrder,
  nowMs: number,
): Promise<PossibleDuplicate[] | undefined> => {
  const search = duplicateSearchFor(order, duplicateRules, nowMs);
  return search ? searchPossibleDuplicates(search) : undefined;
};

/** Runs one search over the byPlace index (see findPossibleDuplicates). */
export const searchPossibleDuplicates = async (search: DuplicateSearch): Promise<PossibleDuplicate[]> => {
  const pages = await Promise.all(
    search.cells.map((cell) =>
      dynamo.send(
        new QueryCommand({
          TableName: TABLE,
          IndexName: INDEX.name,
          KeyConditionExpression: `${INDEX.pk} = :cell AND ${INDEX.sk} BETWEEN :from AND :to`,
          ExpressionAttributeValues: {
            ':cell': `PLACE#${cell}`,
            ':from': `${search.categoryCode}#${search.receivedFrom}`,
            ':to': `${search.categoryCode}#~`,
          },
          ProjectionExpression: 'duplicateCandidate',
          ScanIndexForward: false,
          Limit: duplicateRules.readsPerCell,
        }),
      ),
    ),
  );
  const crowded = pages.filter((page) => page.LastEvaluatedKey !== undefined).length;
  if (crowded > 0)
    logger.warn('Possible duplicates: cells with more candidates than read', {
      orderId: search.orderId,
      crowded,
    });
  const candidates = search.cells.flatMap((cell, i) =>
    (pages[i]?.Items ?? []).flatMap((item) => {
      // The index projects only the candidate: the row is named by its cell.
      const { duplicateCandidate } = parseRow(
        candidateItemRow,
        'possible duplicate',
        { index: INDEX.name, [INDEX.pk]: `PLACE#${cell}` },
        item,
      );
      return duplicateCandidate ? [duplicateCandidate] : [];
    }),
  );
  return rankPossibleDuplicates(search, candidates, duplicateRules);
};

/**
 * The `possibleDuplicates` field of an order's response, for a viewer: absent when it does not apply
 * (no coordinates, a disposition, a unit's staff), the list (maybe empty) when looked up, and `null`
 * when the lookup failed — logged, and never failing the request: intake must not depend on it.
 */
export const possibleDuplicatesField = async (
  order: WorkOrder,
  viewer: { readonly role: string },
  nowMs: number,
): Promise<{ possibleDuplicates?: PossibleDuplicate[] | null }> => {
  if (!seesPossibleDuplicates(viewer)) return {};
  try {
    const found = await findPossibleDuplicates(order, nowMs);
    return found === undefined ? {} : { possibleDuplicates: found };
  } catch (error) {
    logger.warn('Possible duplicates lookup failed; answering without them', {
      orderId: order.id,
      error: error as Error,
    });
    return { possibleDuplicates: null };
  }
};
