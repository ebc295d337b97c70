import { answerSurvey, surveyOf, surveyOrderIdOf } from '#application/survey.ts';
import { callbackAnswerSchema } from '#domain/callback.ts';
import { HotlineError } from '#domain/errors.ts';
import { surveyTokenParam } from '#shared/contract/requests.ts';
import { clock } from '#shared/platform/clock.ts';
import { type ApiEvent, type ApiResult, bodyTextOf, json, withoutBody } from '#shared/platform/http.ts';
import { claimOf, replayedHeader } from '#shared/platform/idempotency.ts';
import { hashSurveyToken } from '#shared/platform/survey-links.ts';
import { renderSurveyPage } from './survey-page.ts';

/**
 * GET and POST /surveys/{token}: the requester's call-back by link, without a login
 * (application/survey.ts). GET shows what the order was about and the questions (HTML for a browser,
 * JSON otherwise); POST answers them (JSON or a plain HTML form), and an Idempotency-Key makes a resent
 * answer a replay.
 */
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
  const raw = bodyTextOf(event);
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
    throw new HotlineError(
      'unsupportedMediaType',
      'UNSUPPORTED_MEDIA_TYPE',
      'Send the answer as JSON or as a form.',
    );
  }
  try {
    return callbackAnswerSchema.parse(JSON.parse(raw));
  } catch (error) {
    if (error instanceof SyntaxError)
      throw new HotlineError('badRequest', 'MALFORMED_JSON', 'The body is not valid JSON.');
    throw error;
  }
};

const answered = async (event: ApiEvent, token: string, asHtml: boolean): Promise<ApiResult> => {
  const answer = answerOf(event);
  const orderId = surveyOrderIdOf(token);
  // The link is the caller.
  const claim = orderId
    ? claimOf(event, {
        caller: `survey:${hashSurveyToken(token)}`,
        place: { withOrder: orderId, name: 'survey-answer' },
        request: answer,
        nowMs: clock.now(),
      })
    : undefined;
  const { replayed } = await answerSurvey(token, answer, claim);
  const result = asHtml ? html(200, renderSurveyPage({ thanks: true })) : json(200, { answered: true });
  return replayed ? { ...result, headers: { ...result.headers, ...replayedHeader } } : result;
};

export const handler = withoutBody(async (event) => {
  const token = surveyTokenParam.parse(event.pathParameters?.token ?? '');
  const asHtml = wantsHtml(event);
  try {
    if (event.requestContext.http.method !== 'GET') return await answered(event, token, asHtml);
    const view = await surveyOf(token);
    return asHtml
      ? html(200, renderSurveyPage({ view, token }))
      : json(200, view, { 'cache-control': 'no-store' });
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
