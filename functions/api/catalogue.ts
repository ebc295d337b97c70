import type { Context } from 'aws-lambda';
import { type CatalogueEdit, checkCatalogueEntry } from '#domain/dispatch-catalogue.ts';
import { HotlineError } from '#domain/errors.ts';
import { catalogueLineBody, catalogueQuery } from '#shared/contract/requests.ts';
import { actorOf, type PersonActor } from '#shared/platform/auth.ts';
import { clock } from '#shared/platform/clock.ts';
import { type ApiEvent, json, parseQuery, withJsonBody, withoutBody } from '#shared/platform/http.ts';
import { type Claim, claimOf, claimPut, idempotent, replayedHeader } from '#shared/platform/idempotency.ts';
import { retryOnConcurrentUpdate, retryPolicies } from '#shared/platform/retry.ts';
import {
  type CatalogueAt,
  catalogueLine,
  currentCatalogue,
  currentReferenceData,
  saveCatalogueEdit,
} from '#shared/stores/catalogue-store.ts';

/**
 * The dispatch catalogue (派单目录) as the centre edits it:
 *   GET    /catalogue?categoryCode=&areaCode=          the lines in force
 *   PUT    /catalogue/lines                            add or replace the line of a category and place
 *   DELETE /catalogue/lines/{categoryCode}/{areaCode}  remove a line
 * Every edit is logged with who made it; the next dispatch uses it. Edits at the same moment are
 * serialized (the catalogue's version): the last one saved wins, a DELETE removes the line it read or
 * answers 404 when an edit just before removed it, and an edit that still loses after the retries is a
 * 409 VERSION_CONFLICT that changed nothing.
 */
/** Time kept for answering after the last attempt (the local stack and Lambda time out at 10 s). */
const ANSWER_MARGIN_MS = 2_500;

const stillBusy = () =>
  new HotlineError(
    'conflict',
    'VERSION_CONFLICT',
    'The dispatch catalogue is being edited by others at this moment; nothing was changed, send the edit again.',
  );

/**
 * Two edits at the same moment: the loser reads the catalogue again and decides again (a line another
 * edit removed is then a 404). No If-Match here, so every valid edit should land: the persistent policy.
 * With an Idempotency-Key, a repeat (checked on every attempt) answers what the first edit answered.
 */
const editCatalogue = (
  context: Context,
  claim: Claim | undefined,
  actor: PersonActor,
  decide: (at: CatalogueAt) => { edit: CatalogueEdit; answer: (catalogueVersion: number) => object },
) => {
  // A retry that could run into the function's timeout (a 500) is not started: a 409 that changed nothing.
  const giveUpAt = Date.now() + context.getRemainingTimeInMillis() - ANSWER_MARGIN_MS;
  let attempts = 0;
  return retryOnConcurrentUpdate(() => {
    if (attempts++ > 0 && Date.now() > giveUpAt) throw stillBusy();
    return idempotent(claim, {
      load: currentCatalogue,
      act: async (claim, at) => {
        const { edit, answer } = decide(at);
        const claimFor = claim && ((version: number) => claimPut(claim, { answer: answer(version) }));
        return json(200, answer(await saveCatalogueEdit(edit, actor, clock.now(), at.version, claimFor)));
      },
      replay: async ({ answer }) => json(200, answer, replayedHeader),
    });
  }, retryPolicies.persistent);
};

const claimOfEdit = (event: ApiEvent, actor: PersonActor, request: unknown) =>
  claimOf(event, { caller: actor.sub, place: { name: event.routeKey }, request, nowMs: clock.now() });

const list = withoutBody(async (event: ApiEvent) => {
  actorOf(event);
  const query = parseQuery(catalogueQuery, event);
  const data = await currentReferenceData();
  const items = data.catalogue.filter(
    (e) =>
      (!query.categoryCode || e.categoryCode === query.categoryCode) &&
      (!query.areaCode || e.areaCode === query.areaCode),
  );
  return json(200, { items, count: items.length });
});

const put = withJsonBody(catalogueLineBody, async (event, line, context) => {
  const actor = actorOf(event);
  return editCatalogue(context, claimOfEdit(event, actor, line), actor, ({ data }) => {
    checkCatalogueEntry(line, data);
    return { edit: line, answer: (catalogueVersion) => ({ ...line, catalogueVersion }) };
  });
});

const remove = withoutBody(async (event: ApiEvent, context) => {
  const actor = actorOf(event);
  const categoryCode = event.pathParameters?.categoryCode ?? '';
  const areaCode = event.pathParameters?.areaCode ?? '';
  return editCatalogue(context, claimOfEdit(event, actor, { categoryCode, areaCode }), actor, ({ data }) => {
    const line = catalogueLine(data, categoryCode, areaCode);
    if (!line)
      throw new HotlineError(
        'notFound',
        'CATALOGUE_LINE_NOT_FOUND',
        `No catalogue line for ${categoryCode} at ${areaCode}.`,
      );
    return {
      edit: { ...line, removed: true },
      answer: (catalogueVersion) => ({ removed: line, catalogueVersion }),
    };
  });
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
