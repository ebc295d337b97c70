import * as z from 'zod';
import { type HttpRouteSpec, httpRoutes, type Role, routeKeyOf, scopeOf } from '#wiring/wiring.ts';
import { type ErrorCodeName, errorCodes, statusOfKind } from './error-codes.ts';
import { open311Error, open311ErrorStatuses } from './open311.ts';
import { errorResponse } from './responses.ts';
import { type RouteContract, routeContracts } from './routes.ts';

/**
 * The API's OpenAPI 3.1 document, generated: the routes and their roles from the wiring table, what
 * each takes and answers from the zod schemas the handlers parse with (routes.ts), JSON Schema by
 * zod's own `z.toJSONSchema`. Never written by hand, so it says what the code does. Pure: no AWS, no I/O.
 */
type JsonSchema = Record<string, unknown>;
type Defs = Map<string, JsonSchema>;

export const apiVersion = '0.1.0';
const securityScheme = 'staffToken';

/**
 * A schema as JSON Schema 2020-12 (OpenAPI 3.1's dialect). Schemas named with `.meta({ id })` become
 * components, shared by every operation that uses them; refinements and transforms have no JSON
 * Schema and are left out (the handler still applies them: the document may be looser, never stricter).
 */
const toJsonSchema = (schema: z.ZodType, io: 'input' | 'output', defs: Defs): JsonSchema => {
  const {
    $schema: _dialect,
    $defs,
    ...json
  } = z.toJSONSchema(schema, {
    target: 'draft-2020-12',
    io,
    unrepresentable: 'any',
  }) as JsonSchema & { $defs?: Record<string, JsonSchema> };
  const local = (value: unknown): unknown =>
    JSON.parse(JSON.stringify(value).replaceAll('"#/$defs/', '"#/components/schemas/'));
  for (const [name, def] of Object.entries($defs ?? {})) {
    const named = io === 'input' ? `${name}Input` : name;
    const converted = local(def) as JsonSchema;
    const known = defs.get(named);
    if (known && JSON.stringify(known) !== JSON.stringify(converted))
      throw new Error(`Two different schemas are named ${named}.`);
    defs.set(named, converted);
  }
  const body = local(json) as JsonSchema;
  return io === 'input' ? (renameInputRefs(body) as JsonSchema) : body;
};

/** A schema read as input differs from its output (defaults are optional): its component is `<id>Input`. */
const renameInputRefs = (value: unknown): unknown =>
  JSON.parse(
    JSON.stringify(value).replace(/"#\/components\/schemas\/([^"]+)"/g, '"#/components/schemas/$1Input"'),
  );

const gatewayMessage = {
  type: 'object',
  description: "API Gateway's own answer, before any function runs",
  properties: { message: { type: 'string' } },
  required: ['message'],
};

const operationIdOf = (route: Pick<HttpRouteSpec, 'method' | 'path'>): string => {
  const words = route.path
    .split('/')
    .filter(Boolean)
    .map((part) => part.replace(/^\{(.+)\}$/, 'by-$1'))
    .join('-')
    .split(/[^A-Za-z0-9]+/)
    .filter(Boolean);
  return [route.method.toLowerCase(), ...words.map((w) => w[0]?.toUpperCase() + w.slice(1))].join('');
};

const pathParamsOf = (path: string): string[] => [...path.matchAll(/\{([^}]+)\}/g)].map((m) => m[1] ?? '');

/** The codes a route may answer besides its own: by what it takes and whether it is authorized. */
const commonCodes = (route: HttpRouteSpec, contract: RouteContract): ErrorCodeName[] => [
  'INTERNAL_ERROR',
  ...(contract.query || contract.body || contract.params ? (['VALIDATION_FAILED'] as const) : []),
  ...(contract.body && contract.special !== 'open311'
    ? (['MALFORMED_JSON', 'UNSUPPORTED_MEDIA_TYPE', 'BAD_REQUEST'] as const)
    : []),
  ...(contract.headers?.includes('Idempotency-Key') ? (['INVALID_IDEMPOTENCY_KEY'] as const) : []),
  ...(contract.headers?.includes('If-Match') ? (['INVALID_IF_MATCH'] as const) : []),
  ...(route.roles
    ? (['NO_ROLE', 'NO_UNIT', 'ROLE_NOT_ALLOWED', 'ROLE_SCOPE_MISMATCH', 'ROUTE_UNKNOWN'] as const)
    : []),
];

const responseHeaders: Record<string, { description: string; schema: JsonSchema }> = {
  ETag: { description: 'The order version, for If-Match', schema: { type: 'string' } },
  Location: { description: 'Where the new resource is', schema: { type: 'string' } },
  'Idempotent-Replayed': {
    description: '`true` when this answers an earlier request with the same Idempotency-Key',
    schema: { type: 'string', enum: ['true'] },
  },
};

const requestHeaders = {
  'Idempotency-Key': {
    name: 'Idempotency-Key',
    in: 'header',
    description:
      "The caller's own key (1 to 128 of letters, digits and . _ : -): a retry acts once and answers the first answer",
    schema: { type: 'string', pattern: '^[A-Za-z0-9._:-]{1,128}$' },
  },
  'If-Match': {
    name: 'If-Match',
    in: 'header',
    description: 'The ETag of the order version acted on; a stale one is a 409 VERSION_CONFLICT',
    schema: { type: 'string' },
  },
} as const;

const errorsByStatus = (codes: readonly ErrorCodeName[]): Map<number, ErrorCodeName[]> => {
  const byStatus = new Map<number, ErrorCodeName[]>();
  for (const code of new Set(codes)) {
    const status = statusOfKind[errorCodes[code].kind];
    byStatus.set(status, [...(byStatus.get(status) ?? []), code]);
  }
  return byStatus;
};

const codeList = (codes: readonly ErrorCodeName[]) =>
  codes.map((c) => `\`${c}\`: ${errorCodes[c].description}`).join('; ');

const errorRef = { $ref: '#/components/schemas/Error' };

const errorResponses = (route: HttpRouteSpec, contract: RouteContract, defs: Defs) => {
  if (contract.special === 'open311') {
    const list = toJsonSchema(open311Error, 'output', defs);
    return {
      ...Object.fromEntries(
        Object.entries(open311ErrorStatuses).map(([status, description]) => [
          status,
          {
            description,
            content: { 'application/json': { schema: list }, 'text/xml': { schema: { type: 'string' } } },
          },
        ]),
      ),
      500: {
        description: codeList(['INTERNAL_ERROR']),
        content: { 'application/json': { schema: errorRef } },
      },
    };
  }
  const responses: Record<string, unknown> = {};
  const html = contract.special === 'survey' ? { 'text/html': { schema: { type: 'string' } } } : {};
  for (const [status, codes] of [
    ...errorsByStatus([...commonCodes(route, contract), ...contract.errors]),
  ].sort(([a], [b]) => a - b)) {
    const gateway = (status === 403 || status === 500) && route.roles;
    const schema = gateway || status === 500 ? { anyOf: [errorRef, gatewayMessage] } : errorRef;
    responses[status] = {
      description: codeList(codes),
      content: { 'application/json': { schema }, ...(status === 500 ? {} : html) },
    };
  }
  if (route.roles) {
    responses[401] = {
      description: 'No token, or not one our issuer signed (API Gateway)',
      content: { 'application/json': { schema: gatewayMessage } },
    };
  }
  return responses;
};

const parametersOf = (route: HttpRouteSpec, contract: RouteContract, defs: Defs) => {
  const path = pathParamsOf(route.path).map((name) => {
    const param = contract.params?.[name];
    if (!param) throw new Error(`${routeKeyOf(route)}: no contract for the path parameter ${name}.`);
    return {
      name,
      in: 'path',
      required: true,
      description: param.description,
      schema: param.schema ? toJsonSchema(param.schema, 'input', defs) : { type: 'string' },
    };
  });
  const query = contract.query ? toJsonSchema(contract.query, 'input', defs) : undefined;
  const required = new Set((query?.required as string[] | undefined) ?? []);
  const queryParams = Object.entries((query?.properties ?? {}) as Record<string, JsonSchema>).map(
    ([name, schema]) => {
      const { description, ...rest } = schema;
      return {
        name,
        in: 'query',
        required: required.has(name),
        ...(typeof description === 'string' ? { description } : {}),
        schema: rest,
      };
    },
  );
  return [...path, ...queryParams, ...(contract.headers ?? []).map((h) => requestHeaders[h])];
};

const requestBodyOf = (contract: RouteContract, defs: Defs) => {
  if (!contract.body) return undefined;
  const schema = toJsonSchema(contract.body, 'input', defs);
  if (contract.special === 'open311')
    return { required: true, content: { 'application/x-www-form-urlencoded': { schema } } };
  return {
    required: true,
    content: {
      'application/json': { schema },
      ...(contract.special === 'survey' ? { 'application/x-www-form-urlencoded': { schema } } : {}),
    },
  };
};

const okResponseOf = (contract: RouteContract, defs: Defs) => {
  const schema = toJsonSchema(contract.ok.schema, 'output', defs);
  const extra =
    contract.special === 'open311'
      ? { 'text/xml': { schema: { type: 'string', description: 'The same document as XML' } } }
      : contract.special === 'survey'
        ? { 'text/html': { schema: { type: 'string', description: 'The page, for Accept: text/html' } } }
        : {};
  return {
    [contract.ok.status]: {
      description: contract.ok.description,
      ...(contract.ok.headers
        ? { headers: Object.fromEntries(contract.ok.headers.map((h) => [h, responseHeaders[h]])) }
        : {}),
      content: { 'application/json': { schema }, ...extra },
    },
  };
};

/** Any one of the roles (each a scope `hotline/<role>`), as alternative security requirements. */
const securityOf = (allowed: readonly Role[] | null) =>
  allowed === null ? [] : allowed.map((role) => ({ [securityScheme]: [scopeOf(role)] }));

const operationOf = (route: HttpRouteSpec, contract: RouteContract, defs: Defs) => {
  const parameters = parametersOf(route, contract, defs);
  const requestBody = requestBodyOf(contract, defs);
  const roles = route.roles ? `Roles: ${route.roles.join(', ')}.` : 'No token.';
  return {
    operationId: operationIdOf(route),
    summary: contract.summary,
    description: contract.description ? `${contract.description}\n\n${roles}` : roles,
    tags: [contract.tag],
    security: securityOf(route.roles),
    ...(parameters.length > 0 ? { parameters } : {}),
    ...(requestBody ? { requestBody } : {}),
    responses: { ...okResponseOf(contract, defs), ...errorResponses(route, contract, defs) },
  };
};

const errorCodeTable = (): string =>
  [
    '| code | status | meaning |',
    '| --- | --- | --- |',
    ...Object.entries(errorCodes).map(
      ([code, { kind, description }]) => `| \`${code}\` | ${statusOfKind[kind]} | ${description} |`,
    ),
  ].join('\n');

export const buildOpenApiDocument = (routes: readonly HttpRouteSpec[] = httpRoutes) => {
  const defs: Defs = new Map();
  // Its component (`Error`) is what every error answer refers to.
  toJsonSchema(errorResponse, 'output', defs);
  const paths: Record<string, Record<string, unknown>> = {};
  for (const route of routes) {
    const key = routeKeyOf(route);
    const contract = routeContracts[key];
    if (!contract) throw new Error(`No contract for route ${key} (functions/shared/contract/routes.ts).`);
    paths[route.path] = {
      ...paths[route.path],
      [route.method.toLowerCase()]: operationOf(route, contract, defs),
    };
  }
  const tags = [...new Set(Object.values(routeContracts).map((c) => c.tag))];
  return {
    openapi: '3.1.1',
    info: {
      title: 'Hotline 12345 work-order API',
      version: apiVersion,
      summary:
        "A city's 12345 citizen hotline (接诉即办): work orders, their closed loop, assessment and insights",
      description: [
        'Every contact becomes one work order. Staff call the API with a JWT whose scopes carry their role',
        '(`hotline/<role>`); Open311 client applications use their `api_key`. Errors are',
        '`{ "error": { "code", "message", "details"? } }`; Open311 answers its own error list.',
        '',
        '## Error codes',
        '',
        errorCodeTable(),
      ].join('\n'),
    },
    servers: [{ url: '/', description: 'The origin this document is served from (GET /openapi.json)' }],
    tags: tags.map((name) => ({ name, description: name })),
    security: [],
    paths,
    components: {
      schemas: Object.fromEntries([...defs].sort(([a], [b]) => a.localeCompare(b))),
      securitySchemes: {
        [securityScheme]: {
          type: 'http',
          scheme: 'bearer',
          bearerFormat: 'JWT',
          description:
            'An access token of the staff identity provider (Cognito in AWS). Its scopes name the role: hotline/operator, hotline/dispatcher, hotline/unit, hotline/supervisor, hotline/auditor; a unit token also carries unit_id.',
        },
      },
    },
  };
};

export type OpenApiDocument = ReturnType<typeof buildOpenApiDocument>;
