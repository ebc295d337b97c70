import { randomUUID } from 'node:crypto';
import {
  API_DESTINATION_ARN,
  AUTH_HEADER,
  alreadyExists,
  CONNECTION_ARN,
  Constraints,
  HEADER_KEY,
  HEADER_VALUE,
  HTTPS_ENDPOINT,
  limitExceeded,
  NAME,
  notFound,
  QUERY_KEY,
  QUERY_VALUE,
  validation,
} from './validation.ts';

/**
 * EventBridge's connections and API destinations (CreateConnection, DescribeConnection,
 * DeleteConnection, CreateApiDestination, DescribeApiDestination, DeleteApiDestination), validated as
 * the API reference and the service model say: names `^[\.\-_A-Za-z0-9]+$` of 1 to 64 characters,
 * ARNs as AWS returns them (`arn:aws:events:<region>:<account>:connection/<name>/<uuid>`,
 * `.../api-destination/<name>/<uuid>`), ResourceAlreadyExistsException for a second resource of a
 * name, ResourceNotFoundException for one that does not exist, LimitExceededException past the
 * quotas (3,000 connections and 3,000 API destinations per account and Region), a connection
 * AUTHORIZED as soon as it is created, an API destination ACTIVE while its connection is.
 *
 * A connection carries its credentials: for API_KEY the header name and value EventBridge adds to
 * every request, for BASIC the user name and password of an `Authorization: Basic` header, and its
 * InvocationHttpParameters (headers, query string and body parameters added to every request,
 * winning over the target's HttpParameters). Describe answers without the secrets, as AWS does.
 *
 * Unlike AWS (on purpose):
 * - InvocationEndpoint must use HTTPS, as AWS requires, except for a loopback host (`http://127.0.0.1`,
 *   `http://localhost`, `http://[::1]`), so that tests and local receivers can run a plain HTTP server;
 *   this is the one documented deviation of the endpoint rule;
 * - OAUTH_CLIENT_CREDENTIALS connections and private APIs (InvocationConnectivityParameters) are
 *   refused with a ValidationException that says the local stack does not support them (their
 *   parameters are still checked first, as AWS checks them);
 * - the secrets stay in the stack's data folder (AWS keeps them in a Secrets Manager secret, whose ARN
 *   DescribeConnection returns; the local ARN names no secret that can be read).
 */
export const LOCAL_EVENTS_REGION = 'local';
export const LOCAL_EVENTS_ACCOUNT = '000000000000';

/** Quotas ("Amazon EventBridge quotas"): per account and Region. */
export const MAX_CONNECTIONS = 3_000;
export const MAX_API_DESTINATIONS = 3_000;
/** "Rate of invocations per API destination": 300 per second by default. */
export const MAX_INVOCATION_RATE = 300;

const AUTHORIZATION_TYPES = ['BASIC', 'OAUTH_CLIENT_CREDENTIALS', 'API_KEY'] as const;
const HTTP_METHODS = ['POST', 'GET', 'HEAD', 'OPTIONS', 'PUT', 'PATCH', 'DELETE'] as const;
const AUTH_PARAMETER_OF = {
  API_KEY: 'ApiKeyAuthParameters',
  BASIC: 'BasicAuthParameters',
  OAUTH_CLIENT_CREDENTIALS: 'OAuthParameters',
} as const;

export type AuthorizationType = (typeof AUTHORIZATION_TYPES)[number];
export type ApiDestinationHttpMethod = (typeof HTTP_METHODS)[number];

export interface ConnectionParameter {
  readonly Key: string;
  readonly Value: string;
  readonly IsValueSecret: boolean;
}

export interface ConnectionHttpParameters {
  readonly HeaderParameters: readonly ConnectionParameter[];
  readonly QueryStringParameters: readonly ConnectionParameter[];
  readonly BodyParameters: readonly ConnectionParameter[];
}

export interface StoredConnection {
  readonly ConnectionArn: string;
  readonly Name: string;
  readonly Description?: string;
  readonly AuthorizationType: AuthorizationType;
  readonly ApiKey?: { readonly Name: string; readonly Value: string };
  readonly Basic?: { readonly Username: string; readonly Password: string };
  readonly InvocationHttpParameters?: ConnectionHttpParameters;
  readonly KmsKeyIdentifier?: string;
  /** Epoch ms on the stack clock. */
  readonly CreationTime: number;
  readonly LastModifiedTime: number;
  readonly LastAuthorizedTime: number;
}

export interface StoredApiDestination {
  readonly ApiDestinationArn: string;
  readonly Name: string;
  readonly Description?: string;
  readonly ConnectionArn: string;
  readonly InvocationEndpoint: string;
  readonly HttpMethod: ApiDestinationHttpMethod;
  readonly InvocationRateLimitPerSecond: number;
  readonly CreationTime: number;
  readonly LastModifiedTime: number;
}

export interface ApiDestinationsState {
  readonly connections: readonly StoredConnection[];
  readonly apiDestinations: readonly StoredApiDestination[];
}

const seconds = (ms: number) => ms / 1000;

const LOOPBACK_HTTP = /^http:\/\/(127\.0\.0\.1|localhost|\[::1\])(:\d{1,5})?([/?#]|$)/i;

/** Checks InvocationEndpoint: the model's pattern, a URL, HTTPS (or HTTP to a loopback host, locally). */
const checkEndpoint = (endpoint: string): void => {
  let url: URL;
  try {
    url = new URL(endpoint);
  } catch {
    throw validation(`Parameter InvocationEndpoint is not valid. Reason: ${endpoint} is not a URL.`);
  }
  const loopback = LOOPBACK_HTTP.test(endpoint);
  if (url.protocol !== 'https:' && !loopback)
    throw validation(
      'Parameter InvocationEndpoint is not valid. Reason: The URL must use HTTPS (the local stack also takes http:// to 127.0.0.1, localhost or [::1]).',
    );
};

const checkHttpParameters = (c: Constraints, value: unknown, at: string): void => {
  if (!c.object(value, at)) return;
  const lists = [
    ['HeaderParameters', 'headerParameters', HEADER_KEY, HEADER_VALUE],
    ['QueryStringParameters', 'queryStringParameters', QUERY_KEY, QUERY_VALUE],
    ['BodyParameters', 'bodyParameters', undefined, undefined],
  ] as const;
  for (const [member, wire, keyPattern, valuePattern] of lists) {
    const list = value[member];
    if (!c.list(list, `${at}.${wire}`, { max: 100 })) continue;
    list.forEach((parameter, index) => {
      const where = `${at}.${wire}.${index + 1}.member`;
      if (!c.object(parameter, where, true)) return;
      c.string(parameter.Key, `${where}.key`, {
        max: 512,
        required: true,
        ...(keyPattern ? { pattern: keyPattern } : {}),
      });
      c.string(parameter.Value, `${where}.value`, {
        max: 512,
        required: true,
        sensitive: true,
        ...(valuePattern ? { pattern: valuePattern } : {}),
      });
    });
  }
};

const storedParameters = (value: unknown): ConnectionHttpParameters | undefined => {
  if (!value || typeof value !== 'object') return undefined;
  const v = value as Record<string, unknown>;
  const list = (items: unknown): ConnectionParameter[] =>
    Array.isArray(items)
      ? items.map((p: Record<string, unknown>) => ({
          Key: String(p.Key),
          Value: String(p.Value),
          IsValueSecret: p.IsValueSecret === true,
        }))
      : [];
  return {
    HeaderParameters: list(v.HeaderParameters),
    QueryStringParameters: list(v.QueryStringParameters),
    BodyParameters: list(v.BodyParameters),
  };
};

/** What DescribeConnection shows of a connection's parameters: secret values are left out. */
const publicParameters = (parameters: ConnectionHttpParameters) => {
  const list = (items: readonly ConnectionParameter[]) =>
    items.map((p) => ({
      Key: p.Key,
      ...(p.IsValueSecret ? {} : { Value: p.Value }),
      IsValueSecret: p.IsValueSecret,
    }));
  return {
    HeaderParameters: list(parameters.HeaderParameters),
    QueryStringParameters: list(parameters.QueryStringParameters),
    BodyParameters: list(parameters.BodyParameters),
  };
};

export class ApiDestinations {
  private readonly connections = new Map<string, StoredConnection>();
  private readonly destinations = new Map<string, StoredApiDestination>();

  constructor(
    private readonly options: {
      readonly now: () => number;
      readonly region: string;
      readonly account: string;
      /** Called after every change (the registry writes its file). */
      readonly onChange: () => void;
    },
  ) {}

  // ---- connections ------------------------------------------------------------------------------------

  createConnection(request: Record<string, unknown>) {
    const c = new Constraints();
    c.string(request.Name, 'name', { min: 1, max: 64, pattern: NAME, required: true });
    c.string(request.Description, 'description', { max: 512 });
    c.oneOf(request.AuthorizationType, 'authorizationType', AUTHORIZATION_TYPES, true);
    const auth = request.AuthParameters;
    if (c.object(auth, 'authParameters', true)) {
      const apiKey = auth.ApiKeyAuthParameters;
      if (c.object(apiKey, 'authParameters.apiKeyAuthParameters')) {
        c.string(apiKey.ApiKeyName, 'authParameters.apiKeyAuthParameters.apiKeyName', {
          min: 1,
          max: 512,
          pattern: AUTH_HEADER,
          required: true,
        });
        c.string(apiKey.ApiKeyValue, 'authParameters.apiKeyAuthParameters.apiKeyValue', {
          min: 1,
          max: 512,
          pattern: AUTH_HEADER,
          required: true,
          sensitive: true,
        });
      }
      const basic = auth.BasicAuthParameters;
      if (c.object(basic, 'authParameters.basicAuthParameters')) {
        c.string(basic.Username, 'authParameters.basicAuthParameters.username', {
          min: 1,
          max: 512,
          pattern: AUTH_HEADER,
          required: true,
        });
        c.string(basic.Password, 'authParameters.basicAuthParameters.password', {
          min: 1,
          max: 512,
          pattern: AUTH_HEADER,
          required: true,
          sensitive: true,
        });
      }
      const oauth = auth.OAuthParameters;
      if (c.object(oauth, 'authParameters.oAuthParameters')) {
        const client = oauth.ClientParameters;
        if (c.object(client, 'authParameters.oAuthParameters.clientParameters', true)) {
          c.string(client.ClientID, 'authParameters.oAuthParameters.clientParameters.clientID', {
            min: 1,
            max: 512,
            pattern: AUTH_HEADER,
            required: true,
          });
          c.string(client.ClientSecret, 'authParameters.oAuthParameters.clientParameters.clientSecret', {
            min: 1,
            max: 512,
            pattern: AUTH_HEADER,
            required: true,
            sensitive: true,
          });
        }
        c.string(oauth.AuthorizationEndpoint, 'authParameters.oAuthParameters.authorizationEndpoint', {
          min: 1,
          max: 2048,
          pattern: HTTPS_ENDPOINT,
          required: true,
        });
        c.oneOf(oauth.HttpMethod, 'authParameters.oAuthParameters.httpMethod', ['GET', 'POST', 'PUT'], true);
        checkHttpParameters(
          c,
          oauth.OAuthHttpParameters,
          'authParameters.oAuthParameters.oAuthHttpParameters',
        );
      }
      checkHttpParameters(c, auth.InvocationHttpParameters, 'authParameters.invocationHttpParameters');
    }
    c.string(request.KmsKeyIdentifier, 'kmsKeyIdentifier', { max: 2048, pattern: /^[a-zA-Z0-9_\-/:]*$/ });
    c.check();

    const name = request.Name as string;
    const type = request.AuthorizationType as AuthorizationType;
    const parameters = request.AuthParameters as Record<string, unknown>;
    // "You must include only authorization parameters for the AuthorizationType you specify."
    const given = Object.values(AUTH_PARAMETER_OF).filter((member) => parameters[member] !== undefined);
    const wanted = AUTH_PARAMETER_OF[type];
    if (!given.includes(wanted))
      throw validation(`${wanted} must be specified for AuthorizationType ${type}.`);
    if (given.length > 1) throw validation(`Only ${wanted} may be specified for AuthorizationType ${type}.`);
    if (type === 'OAUTH_CLIENT_CREDENTIALS')
      throw validation(
        'The local stack does not support OAUTH_CLIENT_CREDENTIALS connections (use API_KEY or BASIC).',
      );
    if (request.InvocationConnectivityParameters !== undefined)
      throw validation(
        'The local stack does not support connections to private APIs (InvocationConnectivityParameters).',
      );
    if (this.connections.has(name)) throw alreadyExists(`Connection ${name} already exists.`);
    if (this.connections.size >= MAX_CONNECTIONS)
      throw limitExceeded('The requested resource exceeds the maximum number allowed.');

    const now = this.options.now();
    const apiKey = parameters.ApiKeyAuthParameters as { ApiKeyName: string; ApiKeyValue: string } | undefined;
    const basic = parameters.BasicAuthParameters as { Username: string; Password: string } | undefined;
    const invocation = storedParameters(parameters.InvocationHttpParameters);
    const connection: StoredConnection = {
      ConnectionArn: `arn:aws:events:${this.options.region}:${this.options.account}:connection/${name}/${randomUUID()}`,
      Name: name,
      ...(request.Description !== undefined ? { Description: request.Description as string } : {}),
      AuthorizationType: type,
      ...(type === 'API_KEY' && apiKey
        ? { ApiKey: { Name: apiKey.ApiKeyName, Value: apiKey.ApiKeyValue } }
        : {}),
      ...(type === 'BASIC' && basic ? { Basic: { Username: basic.Username, Password: basic.Password } } : {}),
      ...(invocation ? { InvocationHttpParameters: invocation } : {}),
      ...(request.KmsKeyIdentifier !== undefined
        ? { KmsKeyIdentifier: request.KmsKeyIdentifier as string }
        : {}),
      CreationTime: now,
      LastModifiedTime: now,
      LastAuthorizedTime: now,
    };
    this.connections.set(name, connection);
    this.options.onChange();
    return {
      ConnectionArn: connection.ConnectionArn,
      ConnectionState: 'AUTHORIZED',
      CreationTime: seconds(now),
      LastModifiedTime: seconds(now),
    };
  }

  describeConnection(request: Record<string, unknown>) {
    const connection = this.requireConnection(request.Name, 'describe');
    return {
      ConnectionArn: connection.ConnectionArn,
      Name: connection.Name,
      ...(connection.Description !== undefined ? { Description: connection.Description } : {}),
      ConnectionState: 'AUTHORIZED',
      AuthorizationType: connection.AuthorizationType,
      SecretArn: `arn:aws:secretsmanager:${this.options.region}:${this.options.account}:secret:events!connection/${connection.Name}/${connection.ConnectionArn.split('/').at(-1)}`,
      ...(connection.KmsKeyIdentifier !== undefined ? { KmsKeyIdentifier: connection.KmsKeyIdentifier } : {}),
      AuthParameters: {
        ...(connection.ApiKey ? { ApiKeyAuthParameters: { ApiKeyName: connection.ApiKey.Name } } : {}),
        ...(connection.Basic ? { BasicAuthParameters: { Username: connection.Basic.Username } } : {}),
        ...(connection.InvocationHttpParameters
          ? { InvocationHttpParameters: publicParameters(connection.InvocationHttpParameters) }
          : {}),
      },
      CreationTime: seconds(connection.CreationTime),
      LastModifiedTime: seconds(connection.LastModifiedTime),
      LastAuthorizedTime: seconds(connection.LastAuthorizedTime),
    };
  }

  deleteConnection(request: Record<string, unknown>) {
    const connection = this.requireConnection(request.Name, 'delete');
    this.connections.delete(connection.Name);
    this.options.onChange();
    return {
      ConnectionArn: connection.ConnectionArn,
      ConnectionState: 'DELETING',
      CreationTime: seconds(connection.CreationTime),
      LastModifiedTime: seconds(connection.LastModifiedTime),
      LastAuthorizedTime: seconds(connection.LastAuthorizedTime),
    };
  }

  // ---- API destinations -------------------------------------------------------------------------------

  createApiDestination(request: Record<string, unknown>) {
    const c = new Constraints();
    c.string(request.Name, 'name', { min: 1, max: 64, pattern: NAME, required: true });
    c.string(request.Description, 'description', { max: 512 });
    c.string(request.ConnectionArn, 'connectionArn', {
      min: 1,
      max: 1600,
      pattern: CONNECTION_ARN,
      required: true,
    });
    c.string(request.InvocationEndpoint, 'invocationEndpoint', {
      min: 1,
      max: 2048,
      // The pattern has no brackets: an IPv6 loopback host is let through for the local deviation.
      required: true,
    });
    if (typeof request.InvocationEndpoint === 'string')
      c.string(
        request.InvocationEndpoint.replace(/^http:\/\/\[::1\]/i, 'http://localhost'),
        'invocationEndpoint',
        {
          pattern: HTTPS_ENDPOINT,
        },
      );
    c.oneOf(request.HttpMethod, 'httpMethod', HTTP_METHODS, true);
    c.integer(request.InvocationRateLimitPerSecond, 'invocationRateLimitPerSecond', { min: 1 });
    c.check();

    const name = request.Name as string;
    const endpoint = request.InvocationEndpoint as string;
    checkEndpoint(endpoint);
    const rate = (request.InvocationRateLimitPerSecond as number | undefined) ?? MAX_INVOCATION_RATE;
    if (rate > MAX_INVOCATION_RATE)
      throw validation(
        `Parameter InvocationRateLimitPerSecond is not valid. Reason: It must be between 1 and ${MAX_INVOCATION_RATE} (the quota "Rate of invocations per API destination").`,
      );
    if (this.destinations.has(name)) throw alreadyExists(`An api-destination '${name}' already exists.`);
    const connectionArn = request.ConnectionArn as string;
    const connectionName = connectionArn.split('/')[1] ?? '';
    const connection = this.connections.get(connectionName);
    if (!connection || connection.ConnectionArn !== connectionArn)
      throw notFound(`Failed to describe the connection(s). Connection '${connectionName}' does not exist.`);
    if (this.destinations.size >= MAX_API_DESTINATIONS)
      throw limitExceeded('The requested resource exceeds the maximum number allowed.');

    const now = this.options.now();
    const destination: StoredApiDestination = {
      ApiDestinationArn: `arn:aws:events:${this.options.region}:${this.options.account}:api-destination/${name}/${randomUUID()}`,
      Name: name,
      ...(request.Description !== undefined ? { Description: request.Description as string } : {}),
      ConnectionArn: connectionArn,
      InvocationEndpoint: endpoint,
      HttpMethod: request.HttpMethod as ApiDestinationHttpMethod,
      InvocationRateLimitPerSecond: rate,
      CreationTime: now,
      LastModifiedTime: now,
    };
    this.destinations.set(name, destination);
    this.options.onChange();
    return {
      ApiDestinationArn: destination.ApiDestinationArn,
      ApiDestinationState: 'ACTIVE',
      CreationTime: seconds(now),
      LastModifiedTime: seconds(now),
    };
  }

  describeApiDestination(request: Record<string, unknown>) {
    const d = this.requireDestination(request.Name, 'describe');
    return {
      ApiDestinationArn: d.ApiDestinationArn,
      Name: d.Name,
      ...(d.Description !== undefined ? { Description: d.Description } : {}),
      ApiDestinationState: this.stateOf(d),
      ConnectionArn: d.ConnectionArn,
      InvocationEndpoint: d.InvocationEndpoint,
      HttpMethod: d.HttpMethod,
      InvocationRateLimitPerSecond: d.InvocationRateLimitPerSecond,
      CreationTime: seconds(d.CreationTime),
      LastModifiedTime: seconds(d.LastModifiedTime),
    };
  }

  deleteApiDestination(request: Record<string, unknown>): Record<string, never> {
    const d = this.requireDestination(request.Name, 'delete');
    this.destinations.delete(d.Name);
    this.options.onChange();
    return {};
  }

  // ---- for delivery -----------------------------------------------------------------------------------

  /** The destination an API destination target names, with its connection (undefined: gone). */
  resolve(
    apiDestinationArn: string,
  ): { destination: StoredApiDestination; connection: StoredConnection } | undefined {
    const destination = this.destinations.get(apiDestinationArn.split('/')[1] ?? '');
    if (!destination || destination.ApiDestinationArn !== apiDestinationArn) return undefined;
    const connection = this.connections.get(destination.ConnectionArn.split('/')[1] ?? '');
    if (!connection || connection.ConnectionArn !== destination.ConnectionArn) return undefined;
    return { destination, connection };
  }

  state(): ApiDestinationsState {
    return { connections: [...this.connections.values()], apiDestinations: [...this.destinations.values()] };
  }

  load(state: Partial<ApiDestinationsState>): void {
    for (const connection of state.connections ?? []) this.connections.set(connection.Name, connection);
    for (const destination of state.apiDestinations ?? [])
      this.destinations.set(destination.Name, destination);
  }

  private stateOf(destination: StoredApiDestination): 'ACTIVE' | 'INACTIVE' {
    const connection = this.connections.get(destination.ConnectionArn.split('/')[1] ?? '');
    return connection?.ConnectionArn === destination.ConnectionArn ? 'ACTIVE' : 'INACTIVE';
  }

  private requireConnection(name: unknown, action: 'describe' | 'delete'): StoredConnection {
    const c = new Constraints();
    c.string(name, 'name', { min: 1, max: 64, pattern: NAME, required: true });
    c.check();
    const connection = this.connections.get(name as string);
    if (!connection)
      throw notFound(`Failed to ${action} the connection(s). Connection '${String(name)}' does not exist.`);
    return connection;
  }

  private requireDestination(name: unknown, action: 'describe' | 'delete'): StoredApiDestination {
    const c = new Constraints();
    c.string(name, 'name', { min: 1, max: 64, pattern: NAME, required: true });
    c.check();
    const destination = this.destinations.get(name as string);
    if (!destination)
      throw notFound(
        `Failed to ${action} the api-destination(s). An api-destination '${String(name)}' does not exist.`,
      );
    return destination;
  }
}

/** Whether a target's Arn names an API destination (the only targets the local bus delivers to at run time). */
export const isApiDestinationArn = (arn: string): boolean => API_DESTINATION_ARN.test(arn);
