import { Ajv2020, type ValidateFunction } from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import { buildOpenApiDocument } from '#shared/contract/openapi.ts';
import { httpRoutes, routeKeyOf } from '#wiring/wiring.ts';

/**
 * Every answer the integration tests receive through `StackProcess.api` is held to the API document
 * (shared/contract/openapi.ts) here: its status must be one the route documents, its media type one
 * documented for that status, and a JSON body must validate against the documented schema (Ajv,
 * JSON Schema 2020-12 as OpenAPI 3.1 uses it). A handler answering what the document does not say
 * fails the test that met it, so the contract cannot drift from the code.
 */
type Operation = {
  responses: Record<string, { content?: Record<string, { schema: unknown }> }>;
};

const document = buildOpenApiDocument();
const ajv = new Ajv2020({ strict: false, allErrors: true });
(addFormats as unknown as (a: Ajv2020) => void)(ajv);
// The document's components, by their own JSON pointers: each response schema refers into them.
ajv.addSchema({ $id: 'api', components: document.components });

const templates = httpRoutes.map((route) => ({
  route,
  pattern: new RegExp(`^${route.path.replace(/\{[^}]+\}/g, '[^/]+')}$`),
  literal: !route.path.includes('{'),
}));

const routeOf = (method: string, path: string) => {
  const matching = templates.filter((t) => t.route.method === method && t.pattern.test(path));
  // A literal route wins over a template one, as in API Gateway.
  return (matching.find((t) => t.literal) ?? matching[0])?.route;
};

const validators = new Map<string, ValidateFunction>();
const validatorOf = (key: string, schema: unknown): ValidateFunction => {
  let validate = validators.get(key);
  if (!validate) {
    const rooted = JSON.parse(JSON.stringify(schema).replaceAll('"#/components/', '"api#/components/'));
    validate = ajv.compile(rooted);
    validators.set(key, validate);
  }
  return validate;
};

/** The problem with an answer, or undefined when the document describes it. */
export const contractProblem = (
  method: string,
  pathAndQuery: string,
  answer: { status: number; contentType: string | null; body: unknown },
): string | undefined => {
  const path = pathAndQuery.split('?')[0] ?? '';
  if (path.startsWith('/_local')) return undefined; // the local stack's own controls, not the API
  const route = routeOf(method, path);
  if (!route) return undefined; // not a route: API Gateway's own 404
  const key = routeKeyOf(route);
  const operation = (document.paths[route.path] as Record<string, Operation>)[method.toLowerCase()];
  const response = operation?.responses[String(answer.status)];
  if (!response) return `${key} answered ${answer.status}, which the API document does not list`;
  const mediaType = (answer.contentType ?? '').split(';')[0]?.trim() ?? '';
  const content = response.content?.[mediaType];
  if (!content) return `${key} answered ${answer.status} as "${mediaType}", not documented for it`;
  if (mediaType !== 'application/json') return undefined;
  const validate = validatorOf(`${key} ${answer.status}`, content.schema);
  if (validate(answer.body)) return undefined;
  return `${key} answered ${answer.status} with a body the API document does not describe: ${ajv.errorsText(
    validate.errors,
    { dataVar: 'body' },
  )}`;
};

/** Throws when the answer is not as documented (see contractProblem). */
export const checkContract = (...args: Parameters<typeof contractProblem>): void => {
  const problem = contractProblem(...args);
  if (problem) throw new Error(`API contract: ${problem}`);
};
