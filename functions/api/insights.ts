import { HotlineError } from '#domain/errors.ts';
import { type InsightKind, monthSchema, topicChoiceSchema } from '#domain/insights.ts';
import { insightAlertsQuery, insightQueries as queries } from '#shared/contract/requests.ts';
import { actorOf } from '#shared/platform/auth.ts';
import { clock } from '#shared/platform/clock.ts';
import { type ApiEvent, json, parseQuery, withJsonBody, withoutBody } from '#shared/platform/http.ts';
import { claimOf, claimPut, idempotent, replayedHeader } from '#shared/platform/idempotency.ts';
import { retryOnConcurrentUpdate } from '#shared/platform/retry.ts';
import { listAlerts, putTopicChoice, readInsight, topicChoicesBefore } from '#shared/stores/insight-store.ts';

/**
 * The insights of proactive governance, as the last mining run stored them:
 *   GET /insights/topics?month=       每月一题 candidates, marked when chosen in an earlier month
 *   GET /insights/townships?month=    治理类街乡镇 with their reasons
 *   GET /insights/rates?month=&class= 三率 rankings of a unit class, with each unit's trend
 *   GET /insights/heatmap?month=      category × month counts up to the month
 *   GET /insights/outlook?month=      seasonal outlook and the "prepare now" list
 *   GET /insights/hotspots?day=       hot spots and repeated places in the window ending that day
 *   GET /insights/alerts?from=&to=    early-warning alerts of those days (Art. 29)
 *   PUT /insights/topics/{month}/choice  the centre's pick of the month's topic (supervisors)
 * Without a period, the latest one computed. An insight not computed yet is a 404 INSIGHT_NOT_COMPUTED.
 */
const notComputed = (kind: string, period: string | undefined) =>
  new HotlineError(
    'notFound',
    'INSIGHT_NOT_COMPUTED',
    `No ${kind} insight${period ? ` for ${period}` : ''} has been computed yet; the mining runs nightly.`,
  );

/** The stored period a query asks for; `undefined` asks for the latest. */
const periodOf = async (kind: InsightKind, query: Record<string, string | undefined>) => {
  if (kind !== 'rates') return query.month ?? query.day;
  // Rates are stored per month and class: the latest month is that of the latest rates of any class.
  const month = query.month ?? (await readInsight('rates'))?.period.split('#')[0];
  return month === undefined ? undefined : `${month}#${query.class}`;
};

const readKind = async (kind: InsightKind, event: ApiEvent) => {
  const query = parseQuery(queries[kind as keyof typeof queries], event) as Record<
    string,
    string | undefined
  >;
  const period = await periodOf(kind, query);
  const insight = kind === 'rates' && period === undefined ? undefined : await readInsight(kind, period);
  if (!insight) throw notComputed(kind, period);
  if (kind !== 'topics') return insight;
  // Marks reflect the choices as they are now, not as they were when the mining ran.
  const choices = await topicChoicesBefore(insight.period);
  const result = insight.result as { candidates: { categoryCode: string }[] };
  return {
    ...insight,
    result: {
      ...result,
      candidates: result.candidates.map((c) => ({
        ...c,
        chosenBefore: choices.filter((choice) => choice.categoryCode === c.categoryCode).map((x) => x.month),
      })),
    },
  };
};

const chooseTopic = withJsonBody(topicChoiceSchema, async (event, body) => {
  const actor = actorOf(event);
  if (actor.role !== 'supervisor')
    throw new HotlineError('forbidden', 'SUPERVISOR_ONLY', 'Only a supervisor chooses the month’s topic.');
  const month = monthSchema.parse(event.pathParameters?.month);
  const claim = claimOf(event, {
    caller: actor.sub,
    place: { name: event.routeKey },
    request: { month, body },
    nowMs: clock.now(),
  });
  // A repeat with the Idempotency-Key answers the first choice (its time), and writes nothing.
  return retryOnConcurrentUpdate(() =>
    idempotent(claim, {
      act: async (claim) => {
        const choice = { ...body, month, by: actor.sub, at: new Date(clock.now()).toISOString() };
        await putTopicChoice(choice, claim && claimPut(claim, { answer: choice }));
        return json(200, choice);
      },
      replay: async ({ answer }) => json(200, answer, replayedHeader),
    }),
  );
});

const read = withoutBody(async (event) => {
  actorOf(event);
  const path = event.routeKey.split(' ')[1] ?? '';
  if (path === '/insights/alerts') {
    const { from, to } = parseQuery(insightAlertsQuery, event);
    return json(200, { from, to, items: await listAlerts(from, to) });
  }
  const kind = path.replace('/insights/', '') as InsightKind;
  if (!(kind in queries)) throw new HotlineError('notFound', 'ROUTE_NOT_FOUND', `No insight ${kind}.`);
  return json(200, await readKind(kind, event));
});

export const handler = async (event: ApiEvent, context: Parameters<typeof read>[1]) =>
  event.routeKey.startsWith('PUT ') ? chooseTopic(event, context) : read(event, context);
