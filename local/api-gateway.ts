import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { APIGatewayProxyEventV2WithJWTAuthorizer } from 'aws-lambda';
import { type HttpRouteSpec, httpRoutes, routeKeyOf, scopeOf } from '#wiring/wiring.ts';
import { readBodyBytes } from './aws-endpoint.ts';
import type { LocalLambdaRuntime } from './lambda-runtime.ts';
import { type LocalKeys, verifyLocalToken } from './local-auth.ts';

/**
 * The local twin of the HTTP API: the routes of wiring/wiring.ts (the same table CDK builds from), the
 * JWT authorizer's checks and answers (401/403 with API Gateway's own `{ message }` bodies), and
 * payload format 2.0 events handed to the same handler modules.
 */
interface CompiledRoute {
  readonly spec: HttpRouteSpec;
  readonly pattern: RegExp;
  readonly params: readonly string[];
}

const compile = (spec: HttpRouteSpec): CompiledRoute => {
  const params: string[] = [];
  const source = spec.path.replace(/\{([^}+]+)\+?\}/g, (_m, name: string) => {
    params.push(name);
    return '([^/]+)';
  });
  return { spec, pattern: new RegExp(`^${source}$`), params };
};

export const localRoutes: readonly CompiledRoute[] = httpRoutes.map(compile);

/** Like API Gateway, a path with a broken %-escape matches no route rather than failing the server. */
const decodeSegment = (raw: string): string | undefined => {
  try {
    return decodeURIComponent(raw);
  } catch {
    return undefined;
  }
};

export const matchRoute = (method: string, path: string) => {
  for (const route of localRoutes) {
    const match = route.pattern.exec(path);
    if (!match || route.spec.method !== method) continue;
    const values = route.params.map((_, i) => decodeSegment(match[i + 1] ?? ''));
    if (values.some((v) => v === undefined)) return undefined;
    const pathParameters = Object.fromEntries(route.params.map((name, i) => [name, values[i] ?? '']));
    return { route, pathParameters };
  }
  return undefined;
};

const gatewayAnswer = (
  res: ServerResponse,
  status: number,
  message: string,
  headers: Record<string, string> = {},
) => {
  res.writeHead(status, { 'content-type': 'application/json', ...headers });
  res.end(JSON.stringify({ message }));
};

const corsHeaders = {
  'access-control-allow-origin': '*',
  'access-control-allow-headers': 'authorization,content-type,idempotency-key,if-match',
  'access-control-allow-methods': 'GET,POST,PUT,PATCH,DELETE,OPTIONS',
  'access-control-expose-headers': 'etag,location,idempotent-replayed',
};

/** API Gateway hands the authorizer's claims to Lambda as strings; arrays become `[a b]`. */
const stringifyClaims = (claims: Record<string, unknown>): Record<string, string> =>
  Object.fromEntries(
    Object.entries(claims).map(([k, v]) => [
      k,
      Array.isArray(v) ? `[${v.join(' ')}]` : typeof v === 'string' ? v : JSON.stringify(v),
    ]),
  );

/**
 * Which bodies an HTTP API hands to Lambda as text: text/*, JSON, XML and JavaScript. Every other body
 * (a form post, a missing Content-Type) arrives base64-encoded with `isBase64Encoded: true`, as AWS
 * does (payload format 2.0; observed behaviour, the documentation says only "binary").
 */
export const isTextBody = (contentType: string | undefined): boolean => {
  const type = (contentType ?? '').split(';')[0]?.trim().toLowerCase() ?? '';
  return (
    type.startsWith('text/') ||
    ['application/json', 'application/xml', 'application/javascript'].includes(type)
  );
};

export interface ApiGatewayDeps {
  readonly runtime: LocalLambdaRuntime;
  readonly keys: LocalKeys;
  readonly now: () => number;
  readonly accessLog?: (line: string) => void;
}

/** Serves one request if it is an API route; returns false when no route matches (the caller decides). */
export const serveApiRequest = async (
  req: IncomingMessage,
  res: ServerResponse,
  deps: ApiGatewayDeps,
): Promise<void> => {
  const started = Date.now();
  const url = new URL(req.url ?? '/', 'http://localhost');
  const method = req.method ?? 'GET';
  const finish = (status: number) =>
    deps.accessLog?.(`${method} ${url.pathname}${url.search} ${status} ${Date.now() - started}ms`);

  if (method === 'OPTIONS') {
    res.writeHead(204, corsHeaders);
    res.end();
    return finish(204);
  }
  const matched = matchRoute(method, url.pathname);
  if (!matched) {
    gatewayAnswer(res, 404, 'Not Found', corsHeaders);
    return finish(404);
  }
  const { route, pathParameters } = matched;

  let claims: Record<string, string> | undefined;
  let scopes: string[] | undefined;
  if (route.spec.roles !== null) {
    const header = req.headers.authorization ?? '';
    const token = /^Bearer\s+(.+)$/i.exec(header)?.[1];
    try {
      if (!token) throw new Error('no token');
      const payload = await verifyLocalToken(deps.keys, token);
      claims = stringifyClaims(payload as Record<string, unknown>);
      scopes = typeof payload.scope === 'string' ? payload.scope.split(' ').filter(Boolean) : [];
    } catch {
      gatewayAnswer(res, 401, 'Unauthorized', { ...corsHeaders, 'www-authenticate': 'Bearer' });
      return finish(401);
    }
    const allowed = route.spec.roles.map(scopeOf);
    if (!scopes.some((s) => allowed.includes(s))) {
      gatewayAnswer(res, 403, 'Forbidden', corsHeaders);
      return finish(403);
    }
  }

  const bytes = await readBodyBytes(req);
  const headers = Object.fromEntries(
    Object.entries(req.headers).flatMap(([k, v]) =>
      v === undefined ? [] : [[k.toLowerCase(), Array.isArray(v) ? v.join(',') : v]],
    ),
  );
  const textual = isTextBody(headers['content-type']);
  const body = bytes.length === 0 ? '' : textual ? bytes.toString('utf8') : bytes.toString('base64');
  const query: Record<string, string> = {};
  for (const [k, v] of url.searchParams) query[k] = k in query ? `${query[k]},${v}` : v;
  const now = deps.now();
  const event: APIGatewayProxyEventV2WithJWTAuthorizer = {
    version: '2.0',
    routeKey: routeKeyOf(route.spec),
    rawPath: url.pathname,
    rawQueryString: url.search.replace(/^\?/, ''),
    headers,
    ...(Object.keys(query).length > 0 ? { queryStringParameters: query } : {}),
    ...(route.params.length > 0 ? { pathParameters } : {}),
    requestContext: {
      accountId: '000000000000',
      apiId: 'local',
      domainName: headers.host ?? 'localhost',
      domainPrefix: 'local',
      http: {
        method,
        path: url.pathname,
        protocol: `HTTP/${req.httpVersion}`,
        sourceIp: req.socket.remoteAddress ?? '127.0.0.1',
        userAgent: headers['user-agent'] ?? '',
      },
      requestId: randomUUID(),
      routeKey: routeKeyOf(route.spec),
      stage: '$default',
      time: new Date(now).toUTCString(),
      timeEpoch: now,
      authorizer: {
        principalId: '',
        integrationLatency: 0,
        jwt: { claims: claims ?? {}, scopes: scopes ?? [] },
      },
    },
    ...(body ? { body } : {}),
    isBase64Encoded: body !== '' && !textual,
  };

  try {
    const result = (await deps.runtime.invoke(route.spec.function, event)) as
      | { statusCode?: number; headers?: Record<string, string>; body?: string }
      | string
      | undefined;
    // Payload format 2.0: a result without statusCode is a 200 JSON body.
    const structured = typeof result === 'object' && result !== null && 'statusCode' in result;
    const status = structured ? (result.statusCode ?? 200) : 200;
    const responseHeaders = structured ? (result.headers ?? {}) : { 'content-type': 'application/json' };
    const responseBody = structured ? (result.body ?? '') : JSON.stringify(result ?? null);
    res.writeHead(status, { ...corsHeaders, ...responseHeaders });
    res.end(responseBody);
    return finish(status);
  } catch (error) {
    console.error(`Handler ${route.spec.function} failed:`, error);
    gatewayAnswer(res, 500, 'Internal Server Error', corsHeaders);
    return finish(500);
  }
};
