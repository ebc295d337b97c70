import { buildOpenApiDocument } from '#shared/contract/openapi.ts';
import { json, withoutBody } from '#shared/platform/http.ts';

/**
 * GET /openapi.json: the API's OpenAPI 3.1 document (shared/contract/openapi.ts), built once per
 * container from the same schemas the handlers parse with. No token: the contract is public.
 */
let document: string | undefined;

export const handler = withoutBody(async () => {
  document ??= JSON.stringify(buildOpenApiDocument());
  return {
    ...json(200, null, { 'cache-control': 'public, max-age=300' }),
    body: document,
  };
});
