import { Duration, Validations } from 'aws-cdk-lib';
import { AccessLogFormat } from 'aws-cdk-lib/aws-apigateway';
import {
  type CfnStage,
  CorsHttpMethod,
  HttpApi,
  HttpMethod,
  HttpNoneAuthorizer,
  type HttpRoute,
  HttpStage,
  LogGroupLogDestination,
} from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpJwtAuthorizer } from 'aws-cdk-lib/aws-apigatewayv2-authorizers';
import { HttpLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import {
  type FunctionName,
  type HttpRouteSpec,
  lambdaFunctions,
  routeKeyOf,
  scopeOf,
} from '#wiring/wiring.ts';
import type { HotlineFunction } from './hotline-function.ts';

/** Routes under this prefix exist only in the local stack (clock control, test helpers); never deployed. */
export const localOnlyPrefix = '/_local';

/** One JSON line per request, with the fields an on-call engineer filters by. */
const accessLogFormat = AccessLogFormat.custom(
  JSON.stringify({
    requestId: '$context.requestId',
    requestTime: '$context.requestTime',
    routeKey: '$context.routeKey',
    status: '$context.status',
    sourceIp: '$context.identity.sourceIp',
    userAgent: '$context.identity.userAgent',
    sub: '$context.authorizer.claims.sub',
    role: '$context.authorizer.claims.role',
    authorizerError: '$context.authorizer.error',
    integrationError: '$context.integrationErrorMessage',
    integrationLatency: '$context.integrationLatency',
    responseLatency: '$context.responseLatency',
    responseLength: '$context.responseLength',
  }),
);

/**
 * Public routes (`roles: null`) reach functions that touch nothing, such as /health. A function listed
 * here may be public although it touches data, because it authorizes each request by other means; the
 * reason is what cdk-nag's APIG4 acknowledgement records.
 */
const authorizedByOwnToken: Partial<Record<FunctionName, string>> = {
  survey: 'the survey link carries its own single-use, expiring token (requesters have no login)',
  open311:
    "an Open311 app's own api_key (stored hashed, revocable, rate-limited per key) is required to file; " +
    'reads without a key publish only what Open311 makes public (no requester, free text redacted)',
};

/** Each public route's own limit, below the stage's default: nobody signs in to call it. */
const publicRouteThrottle = { rateLimit: 10, burstLimit: 20 } as const;

export interface HotlineHttpApiProps {
  readonly apiName: string;
  readonly routes: readonly HttpRouteSpec[];
  readonly functions: Readonly<Record<FunctionName, HotlineFunction>>;
  /** Token issuer (the user pool) and audience (its app client) checked by the JWT authorizer. */
  readonly issuerUrl: string;
  readonly audience: readonly string[];
  readonly allowedOrigins: readonly string[];
}

/**
 * The HTTP API: exactly the routes of `httpRoutes`, each checked by the JWT authorizer against the
 * scopes of its roles (any of them), or open when its roles are `null`. One Lambda integration per
 * function, shared by that function's routes.
 */
export class HotlineHttpApi extends Construct {
  readonly api: HttpApi;
  readonly stage: HttpStage;

  constructor(scope: Construct, id: string, props: HotlineHttpApiProps) {
    super(scope, id);
    this.api = new HttpApi(this, 'Api', {
      apiName: props.apiName,
      // The default stage is made below, with access logs and throttling.
      createDefaultStage: false,
      corsPreflight: {
        allowOrigins: [...props.allowedOrigins],
        allowMethods: [CorsHttpMethod.GET, CorsHttpMethod.POST, CorsHttpMethod.OPTIONS],
        // If-Match carries the order version an action was decided on; ETag returns it to the browser.
        allowHeaders: ['Authorization', 'Content-Type', 'Idempotency-Key', 'If-Match'],
        exposeHeaders: ['ETag'],
        maxAge: Duration.hours(1),
      },
    });
    const accessLogs = new LogGroup(this, 'AccessLogs', { retention: RetentionDays.THREE_MONTHS });
    this.stage = new HttpStage(this, 'DefaultStage', {
      httpApi: this.api,
      stageName: '$default',
      autoDeploy: true,
      accessLogSettings: { destination: new LogGroupLogDestination(accessLogs), format: accessLogFormat },
      // Far above a city call centre's peak; a runaway client hits this before it hits Lambda concurrency.
      throttle: { rateLimit: 50, burstLimit: 100 },
    });

    const staffJwt = new HttpJwtAuthorizer('StaffJwt', props.issuerUrl, {
      authorizerName: 'staff-jwt',
      jwtAudience: [...props.audience],
    });
    const open = new HttpNoneAuthorizer();
    const integrations = new Map<FunctionName, HttpLambdaIntegration>();
    const integrationOf = (name: FunctionName): HttpLambdaIntegration => {
      let integration = integrations.get(name);
      if (integration === undefined) {
        integration = new HttpLambdaIntegration(`${name}Integration`, props.functions[name].lambda);
        integrations.set(name, integration);
      }
      return integration;
    };

    const publicRoutes: [string, HttpRoute][] = [];
    for (const route of props.routes) {
      if (route.path.startsWith(localOnlyPrefix)) {
        throw new Error(`${routeKeyOf(route)} is a local-only route and must not be deployed.`);
      }
      const ownToken = authorizedByOwnToken[route.function];
      if (route.roles === null && lambdaFunctions[route.function].uses.length > 0 && ownToken === undefined) {
        throw new Error(
          `${routeKeyOf(route)} has no authorization but reaches ${route.function}, which touches data.`,
        );
      }
      const [created] = this.api.addRoutes({
        path: route.path,
        methods: [HttpMethod[route.method]],
        integration: integrationOf(route.function),
        authorizer: route.roles === null ? open : staffJwt,
        authorizationScopes: route.roles?.map(scopeOf),
      });
      if (route.roles === null && created !== undefined) {
        Validations.of(created).acknowledge({
          id: 'AwsSolutions-APIG4',
          reason:
            ownToken === undefined
              ? `${routeKeyOf(route)} is public by design (roles: null in wiring/wiring.ts) for callers without a ` +
                'token, such as uptime probes; its function touches no table, bus or workflow, which this construct ' +
                `enforces. (${lambdaFunctions[route.function].description})`
              : `${routeKeyOf(route)} is public by design (roles: null in wiring/wiring.ts): ${ownToken}. ` +
                `(${lambdaFunctions[route.function].description})`,
        });
        publicRoutes.push([routeKeyOf(route), created]);
      }
    }
    this.throttlePublicRoutes(publicRoutes);
  }

  /**
   * Route settings name routes by key, and a stage that names a route not yet created fails to deploy:
   * the stage waits for them.
   */
  private throttlePublicRoutes(publicRoutes: readonly [string, HttpRoute][]): void {
    const stage = this.stage.node.defaultChild as CfnStage;
    stage.routeSettings = Object.fromEntries(
      publicRoutes.map(([routeKey]) => [
        routeKey,
        {
          ThrottlingRateLimit: publicRouteThrottle.rateLimit,
          ThrottlingBurstLimit: publicRouteThrottle.burstLimit,
        },
      ]),
    );
    for (const [, route] of publicRoutes) this.stage.node.addDependency(route);
  }
}
