import { TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import * as z from 'zod';
import { checkCatalogueEntry } from '#domain/dispatch-catalogue.ts';
import { HotlineError } from '#domain/errors.ts';
import { actorOf } from '#shared/auth.ts';
import { catalogueLine, currentReferenceData, saveCatalogueEdit } from '#shared/catalogue-store.ts';
import { clock } from '#shared/clock.ts';
import { type ApiEvent, json, parseQuery, withJsonBody, withoutBody } from '#shared/http.ts';

/**
 * The dispatch catalogue (派单目录) as the centre edits it:
 *   GET    /catalogue?categoryCode=&areaCode=          the lines in force
 *   PUT    /catalogue/lines                            add or replace the line of a category and place
 *   DELETE /catalogue/lines/{categoryCode}/{areaCode}  remove a line
 * Every edit is logged with who made it; the next dispatch uses it.
 */
const code = z.string().regex(/^\d{2,12}$/);
const lineSchema = z.strictObject({
  categoryCode: code,
  areaCode: code,
  leadUnitId: z.string().min(1).max(64),
  coUnitIds: z.array(z.string().min(1).max(64)).max(10).default([]),
  note: z.string().trim().min(1).max(500).optional(),
});
const querySchema = z.strictObject({ categoryCode: code.optional(), areaCode: code.optional() });

/** Two edits at the same moment: the loser tries again on the new version, a bounded number of times. */
const saveWithRetry = async (...args: Parameters<typeof saveCatalogueEdit>) => {
  for (let attempt = 1; ; attempt++) {
    try {
      return await saveCatalogueEdit(...args);
    } catch (error) {
      if (!(error instanceof TransactionCanceledException) || attempt >= 3) throw error;
    }
  }
};

const list = withoutBody(async (event: ApiEvent) => {
  actorOf(event);
  const query = parseQuery(querySchema, event);
  const data = await currentReferenceData();
  const items = data.catalogue.filter(
    (e) =>
      (!query.categoryCode || e.categoryCode === query.categoryCode) &&
      (!query.areaCode || e.areaCode === query.areaCode),
  );
  return json(200, { items, count: items.length });
});

const put = withJsonBody(lineSchema, async (event, line) => {
  const actor = actorOf(event);
  const data = await currentReferenceData();
  checkCatalogueEntry(line, data);
  const version = await saveWithRetry(line, actor, clock.now());
  return json(200, { ...line, catalogueVersion: version });
});

const remove = withoutBody(async (event: ApiEvent) => {
  const actor = actorOf(event);
  const categoryCode = event.pathParameters?.categoryCode ?? '';
  const areaCode = event.pathParameters?.areaCode ?? '';
  const line = catalogueLine(await currentReferenceData(), categoryCode, areaCode);
  if (!line)
    throw new HotlineError(
      'notFound',
      'CATALOGUE_LINE_NOT_FOUND',
      `No catalogue line for ${categoryCode} at ${areaCode}.`,
    );
  const version = await saveWithRetry({ ...line, removed: true }, actor, clock.now());
  return json(200, { removed: line, catalogueVersion: version });
});

export const handler = async (event: ApiEvent, context: Parameters<typeof list>[1]) => {
  switch (event.routeKey) {
    case 'PUT /catalogue/lines':
      return put(event, context);
    case 'DELETE /catalogue/lines/{categoryCode}/{areaCode}':
      return remove(event, context);
    default:
      return list(event, context);
  }
};
