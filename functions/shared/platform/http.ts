import { createHash } from 'node:crypto';
import middy from '@middy/core';
import httpJsonBodyParser from '@middy/http-json-body-parser';
import type {
  APIGatewayProxyEventV2WithJWTAuthorizer,
  APIGatewayProxyStructuredResultV2,
  Context,
} from 'aws-lambda';
import * as z from 'zod';
import { errorKinds, HotlineError, isHotlineError } from '#domain/errors.ts';
import { authorizeRoute } from '#shared/platform/auth.ts';
import { logger } from '#shared/platform/logger.ts';

/**
 * HTTP plumbing shared by every API handler: JSON in and out, and the one place where errors become
 * responses `{ error: { code, message, details? } }`. Only 4xx messages reach callers; anything else
 * is logged and answered with a generic 500.
 */
export type ApiEvent = APIGatewayProxyEventV2WithJWTAuthorizer;
export type ApiResult = APIGatewayProxyStructuredResultV2;

const jsonHeaders = { 'content-type': 'application/json; charset=utf-8' };

export const json = (statusCode: number, body: unknown, headers: Record<string, string> = {}): ApiResult => ({
  statusCode,
  headers: { ...jsonHeaders, ...headers },
  body: JSON.stringify(body),
});

export const errorBody = (code: string, message: string, details?: unknown) => ({
  error: details === undefined ? { code, message } : { code, message, details },
});

/** zod issues as `details`: where (a dotted path) and what. */
export const issuesOf = (error: z.ZodError) =>
  error.issues.map((i) => ({ path: i.path.map(String).join('.'), message: i.message, code: i.code }));

export const toErrorResponse = (error: unknown): ApiResult => {
  if (isHotlineError(error))
    return json(errorKinds[error.kind], errorBody(error.code, error.message, error.details));
  if (error instanceof z.ZodError) {
    return json(
      400,
      errorBody('VALIDATION_FAILED', 'The request does not match the schema.', issuesOf(error)),
    );
  }
  const statusCode = (error as { statusCode?: unknown })?.statusCode;
  if (typeof statusCode === 'number' && statusCode >= 400 && statusCode < 500) {
    const message = (error as Error).message;
    // middy's JSON body parser reports unparsable JSON as a 415; it is a malformed request (400).
    if (/malformed JSON/i.test(message))
      return json(400, errorBody('MALFORMED_JSON', 'The body is not valid JSON.'));
    if (statusCode === 415) {
      return json(415, errorBody('UNSUPPORTED_MEDIA_TYPE', 'Send the body as application/json.'));
    }
    return json(statusCode, errorBody('BAD_REQUEST', message));
  }
  logger.error('Unhandled error', { error: error as Error });
  return json(500, errorBody('INTERNAL_ERROR', 'Something went wrong on our side; it has been logged.'));
};

/** Turns whatever a handler throws into the API's error shape. */
const errorResponder = (): middy.MiddlewareObj<ApiEvent, ApiResult> => ({
  onError: async (request) => {
    request.response = toErrorResponse(request.error);
  },
});

/** Adds the request id to every log line of the invocation. */
const requestLogging = (): middy.MiddlewareObj<ApiEvent, ApiResult> => ({
  before: async (request) => {
    logger.appendKeys({ requestId: request.event.requestContext?.requestId, route: request.event.routeKey });
  },
  after: async () => logger.resetKeys(),
  onError: async () => logger.resetKeys(),
});

/** The route's roles against the token's role claim (functions/shared/platform/auth.ts), before the body is read. */
const routeAuthorization = (): middy.MiddlewareObj<ApiEvent, ApiResult> => ({
  before: async (request) => authorizeRoute(request.event),
});

/** An API handler with a JSON body parsed and validated by `schema`. */
export const withJsonBody = <S extends z.ZodType>(
  schema: S,
  fn: (event: ApiEvent, body: z.infer<S>, context: Context) => Promise<ApiResult>,
) =>
  middy<ApiEvent, ApiResult>()
    .use(requestLogging())
    .use(errorResponder())
    .use(routeAuthorization())
    .use(httpJsonBodyParser({ disableContentTypeError: false }))
    .handler(async (event, context) => fn(event, schema.parse((event as { body: unknown }).body), context));

/** An API handler without a body. */
export const withoutBody = (fn: (event: ApiEvent, context: Context) => Promise<ApiResult>) =>
  middy<ApiEvent, ApiResult>()
    .use(requestLogging())
    .use(errorResponder())
    .use(routeAuthorization())
    .handler(fn);

/**
 * The body as text. API Gateway's HTTP API hands Lambda a body that is not text/*, JSON, XML or
 * JavaScript (a form post, for one) base64-encoded, and says so in `isBase64Encoded`.
 */
export const bodyTextOf = (event: ApiEvent): string => {
  const body = (event as { body?: unknown }).body;
  if (typeof body !== 'string') return '';
  return event.isBase64Encoded ? Buffer.from(body, 'base64').toString('utf8') : body;
};

/** Parses query parameters with a schema; failures are 400 VALIDATION_FAILED like bodies. */
export const parseQuery = <S extends z.ZodType>(schema: S, event: ApiEvent): z.infer<S> =>
  schema.parse(event.queryStringParameters ?? {});

/** What an Idempotency-Key may be: 1 to 128 letters, digits and . _ : - */
export const isIdempotencyKey = (key: string): boolean => /^[A-Za-z0-9._:-]{1,128}$/.test(key);

/** The `Idempotency-Key` header, checked: a retry with the same key acts once. */
export const idempotencyKeyOf = (event: ApiEvent): string | undefined => {
  const key = event.headers['idempotency-key'];
  if (key === undefined) return undefined;
  if (!isIdempotencyKey(key)) {
    throw new HotlineError(
      'badRequest',
      'INVALID_IDEMPOTENCY_KEY',
      'Idempotency-Key must be 1 to 128 characters of letters, digits and . _ : -',
    );
  }
  return key;
};

export const sha256 = (text: string): string => createHash('sha256').update(text).digest('hex');

/** The `If-Match` header as the order version it names (`"3"` or `W/"3"`), checked. */
export const expectedVersionOf = (event: ApiEvent): number | undefined => {
  const header = event.headers['if-match'];
  if (header === undefined) return undefined;
  const match = /^(?:W\/)?"?(\d+)"?$/.exec(header.trim());
  if (!match)
    throw new HotlineError(
      'badRequest',
      'INVALID_IF_MATCH',
      'If-Match must be the ETag of the order, e.g. "3".',
    );
  return Number(match[1]);
};
