import * as z from 'zod';
import {
  answerCallback,
  callbackAnswerSchema,
  satisfiedAnswers,
  solvedAnswers,
  validLink,
} from '#domain/callback.ts';
import { HotlineError } from '#domain/errors.ts';
import { applyLimit } from '#domain/time-limits.ts';
import type { WorkOrder } from '#domain/work-order.ts';
import { settleCallback } from '#shared/callback-settlement.ts';
import { clock } from '#shared/clock.ts';
import { type ApiEvent, type ApiResult, json, withoutBody } from '#shared/http.ts';
import { claimOf, claimPut, idempotent, replayedHeader } from '#shared/idempotency.ts';
import { readOrder, type StoredOrder, saveChange } from '#shared/order-store.ts';
import { callbackRules, referenceData, timeLimits, workingCalendar } from '#shared/reference.ts';
import { retryOnConcurrentUpdate } from '#shared/retry.ts';
import { hashSurveyToken, parseSurveyToken } from '#shared/survey-links.ts';
import { renderSurveyPage, type SurveyView } from './survey-page.ts';

/**
 * GET and POST /surveys/{token}: the requester's call-back by link, without a login. The link's token
 * is the credential: valid while its round is open and until it expires, and once — the first answer
 * ends the round. GET shows what the order was about and the questions (HTML for a browser, JSON
 * otherwise); POST answers them (JSON or a plain HTML form). Nothing personal is shown: the requester
 * already knows it, and whoever else holds the link does not need it.
 */
const linkExpiredOrUsed = () =>
  new HotlineError(
    'gone',
    'SURVEY_LINK_USED_OR_EXPIRED',
    'This survey link was already used or has expired. Call 12345 if the problem is not solved.',
  );
const unknownLink = () =>
  new HotlineError('notFound', 'SURVEY_LINK_UNKNOWN', 'There is no survey at this link.');

/** The order a link names, as stored (undefined for a link that is not one of ours). */
const readSurvey = async (token: string): Promise<StoredOrder | undefined> => {
  const parsed = parseSurveyToken(token);
  return parsed ? readOrder(parsed.orderId) : undefined;
};

/** The order of a valid link; a link we never sent and one that ended are told apart (404 / 410). */
const validSurvey = (stored: StoredOrder | undefined, token: string, nowMs: number): StoredOrder => {
  const hash = hashSurveyToken(token);
  const ours = stored?.order.callback?.links?.some((l) => l.hash === hash);
  if (!stored || !ours) throw unknownLink();
  if (!validLink(stored.order, hash, nowMs)) throw linkExpiredOrUsed();
  return stored;
};

const requireSurvey = async (token: string, nowMs: number): Promise<StoredOrder> =>
  validSurvey(await readSurvey(token), token, nowMs);

const viewOf = (order: WorkOrder): SurveyView => ({
  receivedOn: order.receivedAt.slice(0, 10),
  category: referenceData.category(order.categoryCode)?.name ?? order.categoryCode,
  unit: order.unitId ? (referenceData.unit(order.unitId)?.name ?? order.unitId) : null,
  reply: order.reply ? { result: order.reply.result, text: order.reply.text } : null,
  questions: {
    contactedInTime: [true, false],
    solved: solvedAnswers,
    satisfied: satisfiedAnswers,
    comment: 'optional, at most 1000 characters',
  },
});

const wantsHtml = (event: ApiEvent) => (event.headers.accept ?? '').includes('text/html');

const html = (statusCode: number, body: string): ApiResult => ({
  statusCode,
  headers: {
    'content-type': 'text/html; charset=utf-8',
    'cache-control': 'no-store',
    'referrer-policy': 'no-referrer',
    'content-security-policy': "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'",
  },
  body,
});

/** JSON, or the HTML form's `application/x-www-form-urlencoded` (booleans arrive as "true"/"false"). */
const answerOf = (event: ApiEvent) => {
  const type = (event.headers['content-type'] ?? '').split(';')[0]?.trim();
  const raw = event.body
    ? event.isBase64Encoded
      ? Buffer.from(event.body, 'base64').toString()
      : event.body
    : '';
  if (type === 'application/x-www-form-urlencoded') {
    const form = Object.fromEntries(new URLSearchParams(raw));
    return callbackAnswerSchema.parse({
      ...form,
      contactedInTime:
        form.contactedInTime === 'true' ? true : form.contactedInTime === 'false' ? false : undefined,
      ...(form.comment === '' ? { comment: undefined } : {}),
    });
  }
  if (type !== 'application/json') {
    throw new HotlineError('badRequest', 'UNSUPPORTED_MEDIA_TYPE', 'Send the answer as JSON or as a form.');
  }
  try {
    return callbackAnswerSchema.parse(JSON.parse(raw));
  } catch (error) {
    if (error instanceof SyntaxError)
      throw new HotlineError('badRequest', 'MALFORMED_JSON', 'The body is not valid JSON.');
    throw error;
  }
};

export const handler = withoutBody(async (event) => {
  const token = z
    .string()
    .min(1)
    .max(200)
    .parse(event.pathParameters?.token ?? '');
  const asHtml = wantsHtml(event);
  try {
    if (event.requestContext.http.method === 'GET') {
      const stored = await requireSurvey(token, clock.now());
      const view = viewOf(stored.order);
      return asHtml
        ? html(200, renderSurveyPage({ view, token }))
        : json(200, view, { 'cache-control': 'no-store' });
    }
    const answer = answerOf(event);
    const orderId = parseSurveyToken(token)?.orderId;
    // The link is the caller: an Idempotency-Key makes a resent answer a replay, not a 410.
    const claim = orderId
      ? claimOf(event, {
          caller: `survey:${hashSurveyToken(token)}`,
          place: { withOrder: orderId, name: 'survey-answer' },
          request: answer,
          nowMs: clock.now(),
        })
      : undefined;
    // The operator may answer at the same moment, or the workflow move the order: read again.
    const saved = await retryOnConcurrentUpdate(() =>
      idempotent<WorkOrder | undefined, StoredOrder | undefined>(claim, {
        load: () => readSurvey(token),
        act: async (claim, read) => {
          const nowMs = clock.now();
          const stored = validSurvey(read, token, nowMs);
          const change = answerCallback(stored.order, {
            answer,
            via: 'link',
            actor: { kind: 'requester', via: 'survey_link' },
            nowMs,
            maxReopenings: callbackRules.maxReopenings,
            resolveBy: applyLimit(nowMs, timeLimits.reopened.resolve, workingCalendar),
          });
          const claimed = claim ? { claim: claimPut(claim, { version: change.order.version }) } : {};
          return (await saveChange(stored, change, claimed)).order;
        },
        replay: async () => undefined,
      }),
    );
    // Once the answer is saved (idempotent, and run again by the round's remaining schedules).
    if (saved) await settleCallback(saved);
    const answered = asHtml ? html(200, renderSurveyPage({ thanks: true })) : json(200, { answered: true });
    return saved ? answered : { ...answered, headers: { ...answered.headers, ...replayedHeader } };
  } catch (error) {
    if (asHtml && error instanceof HotlineError) {
      return html(
        error.kind === 'gone' ? 410 : error.kind === 'notFound' ? 404 : 400,
        renderSurveyPage({ error: error.message }),
      );
    }
    throw error;
  }
});
