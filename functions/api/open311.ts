import {
  checkJurisdiction,
  discovery,
  fileRequest,
  listRequests,
  Open311Failure,
  oneRequest,
  requestOfToken,
  serviceDefinition,
  services,
} from '#application/open311.ts';
import { clock } from '#shared/platform/clock.ts';
import { type ApiEvent, type ApiResult, withoutBody } from '#shared/platform/http.ts';
import { logger } from '#shared/platform/logger.ts';
import {
  formOf,
  type Open311Format,
  renderOpen311,
  renderOpen311Errors,
  resourceOf,
} from '#shared/platform/open311-format.ts';
import { authenticateApiKey, takeRateToken } from '#shared/stores/api-key-store.ts';

/**
 * Open311 GeoReport v2 under /open311/v2/ (docs/open311.md): discovery, services, service
 * definitions, POST and GET requests, tokens; each as .xml or .json. No JWT: a client application
 * identifies itself with its `api_key` (required to POST, optional elsewhere), which also meters it.
 */
export const handler = withoutBody(async (event) => {
  const resource = resourceOf(event.pathParameters?.document ?? event.pathParameters?.file);
  // Without a format there is no format to answer in: the spec's errors, in its required XML.
  if (!resource)
    return renderOpen311Errors('xml', 404, [
      { code: 'NOT_FOUND', description: 'Name a resource with .xml or .json.' },
    ]);
  try {
    return await serve(event, resource.name, resource.format);
  } catch (error) {
    if (!(error instanceof Open311Failure)) throw error;
    logger.info('Open311 request refused', {
      route: event.routeKey,
      status: error.statusCode,
      codes: error.problems.map((p) => p.code),
    });
    return renderOpen311Errors(resource.format, error.statusCode, error.problems, error.headers);
  }
});

const serve = async (event: ApiEvent, name: string, format: Open311Format): Promise<ApiResult> => {
  const form = event.requestContext.http.method === 'POST' ? formOf(event) : undefined;
  const param = (field: string) => form?.get(field) ?? event.queryStringParameters?.[field];
  checkJurisdiction(param('jurisdiction_id'));
  const key = await meteredKey(param('api_key'), event.routeKey.startsWith('POST'));
  switch (event.routeKey) {
    case 'GET /open311/v2/{document}':
      if (name === 'discovery')
        return renderOpen311(
          format,
          'discovery',
          discovery(`https://${event.requestContext.domainName}/open311/v2`),
        );
      if (name === 'services') return renderOpen311(format, 'services', services());
      if (name === 'requests')
        return renderOpen311(
          format,
          'service_requests',
          await listRequests(event.queryStringParameters ?? {}),
        );
      break;
    case 'GET /open311/v2/services/{file}':
      return renderOpen311(format, 'service_definition', serviceDefinition(name));
    case 'GET /open311/v2/requests/{file}':
      return renderOpen311(format, 'service_requests', await oneRequest(name));
    case 'GET /open311/v2/tokens/{file}':
      if (!key)
        throw new Open311Failure(403, [
          {
            code: 'API_KEY_REQUIRED',
            description: 'A token belongs to the app that filed the request: send its api_key.',
          },
        ]);
      return renderOpen311(format, 'service_requests', await requestOfToken(name, key));
    case 'POST /open311/v2/{document}': {
      if (name !== 'requests') break;
      if (!form)
        throw new Open311Failure(400, [
          { code: 'FORM_REQUIRED', description: 'POST the request as application/x-www-form-urlencoded.' },
        ]);
      const { answer, replayed } = await fileRequest(
        form,
        key as NonNullable<typeof key>,
        event.headers['idempotency-key'],
      );
      const result = renderOpen311(format, 'service_requests', answer, 201);
      return replayed ? { ...result, headers: { ...result.headers, 'idempotent-replayed': 'true' } } : result;
    }
  }
  throw new Open311Failure(404, [{ code: 'NOT_FOUND', description: `No resource ${name}.${format} here.` }]);
};

/** The caller's key, checked and counted: required to file, optional to read; a wrong key is refused. */
const meteredKey = async (apiKey: string | undefined, required: boolean) => {
  if (apiKey === undefined || apiKey === '') {
    if (required)
      throw new Open311Failure(403, [{ code: 'API_KEY_REQUIRED', description: 'api_key was not provided.' }]);
    return undefined;
  }
  const key = await authenticateApiKey(apiKey);
  if (!key)
    throw new Open311Failure(403, [{ code: 'API_KEY_INVALID', description: 'Invalid api_key received.' }]);
  const nowMs = clock.now();
  if (!(await takeRateToken(key, nowMs))) {
    throw new Open311Failure(
      429,
      [
        {
          code: 'RATE_LIMITED',
          description: `More than ${key.ratePerMinute} requests this minute for this key.`,
        },
      ],
      {
        'retry-after': String(60 - Math.floor((nowMs / 1000) % 60)),
      },
    );
  }
  return key;
};
