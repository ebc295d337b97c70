/**
 * The one table of how the system is wired: which Lambda functions exist, which HTTP routes reach them
 * with which scopes, and which `${...}` placeholder of each ASL file stands for which resource.
 *
 * Both the CDK app (infra/) and the local stack (local/) build themselves from this file, so a route,
 * function or placeholder cannot exist in one and be forgotten in the other. It is plain data: no CDK
 * or AWS imports, so the local stack can load it cheaply.
 */
import { pushedEventTypes } from '#domain/pushed-events.ts';

/** Roles carried in tokens. Each role is also an OAuth scope `hotline/<role>` granted by Cognito. */
export const roles = ['operator', 'dispatcher', 'unit', 'supervisor', 'auditor'] as const;
export type Role = (typeof roles)[number];

/** The resource server identifier in Cognito; scopes are `${scopePrefix}/<role>`. */
export const scopePrefix = 'hotline';
export const scopeOf = (role: Role): string => `${scopePrefix}/${role}`;

export interface LambdaFunctionSpec {
  /** Path from the repository root to the module exporting `handler`. */
  readonly entry: string;
  readonly description: string;
  /** What the function touches, so CDK grants exactly that and sets the matching variables. */
  readonly uses: readonly (
    | 'table'
    | 'tableRead'
    | 'stateMachine'
    | 'taskTokens'
    | 'executionHistory'
    | 'bus'
    | 'scheduler'
    | 'outbox'
    /** Put analytics rows to the Firehose delivery stream of the analytics store. */
    | 'analyticsDelivery'
    /** Read the secret key of the analytics store's keyed hashes (requester, address). */
    | 'analyticsKey'
    /** Run SQL on Athena over the analytics store: its workgroup, Glue tables and view, S3 buckets. */
    | 'analyticsQuery'
    /** Seal requesters' contact details (KMS GenerateDataKey) and hash them (the contact-hash secret). */
    | 'contactSeal'
    /** Open sealed contact details (KMS Decrypt): every opening is recorded (contact-read-store.ts). */
    | 'contactOpen'
    /** Hash a phone number to find a requester's orders (the contact-hash secret only). */
    | 'contactHash'
    /** Sign deliveries to the units' endpoints: read the push key (a secret) and put them on the bus. */
    | 'pushSigning'
    /** Make and remove each subscription's EventBridge connection, API destination and rule. */
    | 'pushDestinations'
  )[];
  readonly timeoutSeconds?: number;
  readonly memoryMb?: number;
}

export const lambdaFunctions = {
  health: {
    entry: 'functions/api/health.ts',
    description: 'GET /health: liveness, no auth',
    uses: [],
  },
  apiDocument: {
    entry: 'functions/api/api-document.ts',
    description: 'GET /openapi.json: the OpenAPI 3.1 document, generated from the schemas the handlers use',
    uses: [],
  },
  referenceData: {
    entry: 'functions/api/reference-data.ts',
    description: 'GET /areas, /categories, /units: the demo city reference data',
    uses: [],
  },
  createOrder: {
    entry: 'functions/api/create-order.ts',
    description: 'POST /orders: every contact becomes a work order; starts its lifecycle',
    uses: ['table', 'stateMachine', 'contactSeal'],
  },
  open311: {
    entry: 'functions/api/open311.ts',
    description:
      'Open311 GeoReport v2 under /open311/v2/ (.xml and .json): discovery, services, POST and GET requests, ' +
      "tokens; an app's api_key files orders (channel open311) and is rate-limited",
    uses: ['table', 'stateMachine', 'contactSeal'],
    // GET requests may read up to 10 000 summaries and 1 000 orders: room below API Gateway's 30 s.
    timeoutSeconds: 29,
  },
  open311Keys: {
    entry: 'functions/api/open311-keys.ts',
    description:
      "POST, GET /open311/keys and DELETE /open311/keys/{keyId}: the Open311 apps' API keys (supervisors)",
    uses: ['table'],
  },
  pushSubscriptions: {
    entry: 'functions/api/push-subscriptions.ts',
    description:
      "/units/{id}/subscriptions: a unit's endpoints told of its orders (each an EventBridge connection, API " +
      'destination and rule), listed, removed, their secrets rotated',
    // The push key derives each subscription's secret, shown when it is made.
    uses: ['table', 'pushDestinations', 'pushSigning'],
  },
  orderContact: {
    entry: 'functions/api/order-contact.ts',
    description:
      "GET /orders/{id}/contact: the requester's contact in clear for the centre and the handling lead unit, " +
      'with a purpose; every read recorded first',
    uses: ['table', 'contactOpen'],
  },
  requesterOrders: {
    entry: 'functions/api/requester-orders.ts',
    description:
      "GET /requester-orders?phone=: a caller's earlier orders, found by the contact hash of the number " +
      '(nothing is opened)',
    uses: ['tableRead', 'contactHash'],
  },
  contactReads: {
    entry: 'functions/api/contact-reads.ts',
    description:
      "GET /orders/{id}/contact-reads, GET /contact-reads: who read which requester's contact, when and why",
    uses: ['tableRead'],
  },
  eraseContacts: {
    entry: 'functions/events/erase-contacts.ts',
    description:
      "Scheduler target, nightly: erases the requester's contact of orders closed longer than the retention " +
      'period (contact_erased), the order and its hash chain kept',
    uses: ['table'],
    timeoutSeconds: 300,
  },
  getOrder: {
    entry: 'functions/api/get-order.ts',
    description: 'GET /orders/{id}',
    uses: ['tableRead'],
  },
  possibleDuplicates: {
    entry: 'functions/api/possible-duplicates.ts',
    description: 'GET /possible-duplicates: open orders of a category near a place, before recording one',
    uses: ['tableRead'],
  },
  listOrders: {
    entry: 'functions/api/list-orders.ts',
    description: 'GET /orders with filters and cursor paging',
    uses: ['tableRead'],
  },
  catalogue: {
    entry: 'functions/api/catalogue.ts',
    description:
      'GET /catalogue, PUT and DELETE /catalogue/lines: the dispatch catalogue, edited by the centre',
    uses: ['table'],
  },
  assessmentReport: {
    entry: 'functions/api/assessment.ts',
    description: "GET /assessment/units/{id}: a unit's three rates for a month, with the counts behind them",
    uses: ['tableRead'],
  },
  assessmentExclusions: {
    entry: 'functions/api/assessment-exclusions.ts',
    description:
      'POST /orders/{id}/assessment-exclusion, -appeal, -appeal-decision: who counts in assessment',
    uses: ['table'],
    // Contended writes are retried until they land (shared/platform/retry.ts): room below API Gateway's 30 s.
    timeoutSeconds: 29,
  },
  assessmentRankings: {
    entry: 'functions/api/assessment-rankings.ts',
    description: 'GET /assessment/rankings: units of a class ranked for a month, and the 治理类 proposals',
    uses: ['tableRead'],
  },
  insights: {
    entry: 'functions/api/insights.ts',
    description:
      'GET /insights/*: the stored results of the mining (每月一题, 治理类街乡镇, 三率 trends, heatmap, ' +
      'outlook, hot spots, alerts); PUT /insights/topics/{month}/choice',
    uses: ['table'],
  },
  assessOrders: {
    entry: 'functions/events/assess-orders.ts',
    description: 'Bus consumer: a closed order becomes assessment facts, applied exactly once',
    uses: ['table'],
  },
  orderTimeline: {
    entry: 'functions/api/order-timeline.ts',
    description: 'GET /orders/{id}/timeline: the event log in order, with hash-chain verification',
    uses: ['tableRead'],
  },
  executionHistory: {
    entry: 'functions/api/execution-history.ts',
    description: "GET /orders/{id}/execution-history: the lifecycle's Step Functions history, paged",
    uses: ['tableRead', 'executionHistory'],
  },
  orderActions: {
    entry: 'functions/api/order-actions.ts',
    description: 'POST /orders/{id}/<action>: validates an action, records it, completes the waiting task',
    // The bus for a call-back that falls due on the way; the state machine for a reopened order's round.
    uses: ['table', 'taskTokens', 'bus', 'stateMachine'],
    // Contended writes are retried until they land (shared/platform/retry.ts): room below API Gateway's 30 s.
    timeoutSeconds: 29,
  },
  callbackTasks: {
    entry: 'functions/api/callback-tasks.ts',
    description: "GET /callbacks: the operators' open call-back (回访) tasks, oldest first",
    uses: ['tableRead'],
  },
  survey: {
    entry: 'functions/api/survey.ts',
    description:
      "GET and POST /surveys/{token}: the requester's single-use, expiring call-back link (no login)",
    uses: ['table', 'stateMachine'],
  },
  scheduleCallbacks: {
    entry: 'functions/events/schedule-callbacks.ts',
    description: 'Bus consumer: a call-back that fell due gets its first one-time schedule (回访)',
    uses: ['table', 'scheduler'],
  },
  callbackAttempt: {
    entry: 'functions/events/callback-attempt.ts',
    description:
      'Scheduler target: opens a call-back attempt (operator task, outbox message), schedules the next, ' +
      'or marks the requester unreachable',
    uses: ['table', 'scheduler', 'outbox', 'stateMachine', 'contactOpen'],
    timeoutSeconds: 30,
  },
  analyticsRows: {
    entry: 'functions/events/analytics-rows.ts',
    description:
      "Table-stream consumer: an order's milestone (received, closed, reopened, call-back ended, " +
      'excluded) becomes its analytics row, without personal data, delivered to the analytics store',
    uses: ['tableRead', 'analyticsDelivery', 'analyticsKey'],
    timeoutSeconds: 60,
  },
  followOrderLogs: {
    entry: 'functions/events/follow-order-logs.ts',
    description:
      'Table-stream consumer: starts lifecycles the intake did not start, brings unit counters up to the ' +
      "order's log, schedules call-backs that fell due, signs the units' push deliveries onto the bus",
    // DescribeExecution (executionHistory) tells an order the intake started from one it did not.
    uses: ['table', 'stateMachine', 'executionHistory', 'scheduler', 'pushSigning'],
    // It may wait out the intake's own start (lifecycleHealing.inlineStartGraceSeconds) first.
    timeoutSeconds: 60,
  },
  reconcileLifecycles: {
    entry: 'functions/events/reconcile-lifecycles.ts',
    description:
      'Scheduler target, every 5 minutes: orders still received a minute after intake whose lifecycle ' +
      'never started get it started (lifecycle_healed); ended or failed ones are reported, not restarted',
    uses: ['table', 'stateMachine', 'executionHistory'],
    timeoutSeconds: 120,
  },
  reconcileCallbacks: {
    entry: 'functions/events/reconcile-callbacks.ts',
    description:
      'Scheduler target, every 5 minutes: a call-back round whose first schedule or next attempt is a quarter ' +
      'of an hour overdue (its firing lost) is scheduled again (callback_rescheduled)',
    uses: ['table', 'scheduler'],
    timeoutSeconds: 120,
  },
  mineInsights: {
    entry: 'functions/events/mine-insights.ts',
    description:
      'Scheduler target, nightly: runs the mining SQL on the analytics store (Athena) and stores the ' +
      'insights (每月一题, outlook, alerts, hot spots, 治理类街乡镇); a spike goes on the bus',
    uses: ['table', 'bus', 'analyticsQuery'],
    // Several Athena queries over years of orders, one after the other: Lambda's longest run.
    timeoutSeconds: 900,
    memoryMb: 1024,
  },
  dispatchOrder: {
    entry: 'functions/workflow/dispatch-order.ts',
    description: 'Workflow task: routes an order by the dispatch catalogue and computes its deadlines',
    uses: ['table'],
  },
  awaitAction: {
    entry: 'functions/workflow/await-action.ts',
    description: 'Workflow callback task: keeps the task token beside the order until a person acts',
    uses: ['table', 'taskTokens'],
  },
  checkpoint: {
    entry: 'functions/workflow/checkpoint.ts',
    description: 'Workflow task: reminders, missed deadlines and the supervision ladder due at a checkpoint',
    uses: ['table', 'bus'],
  },
  closeOrder: {
    entry: 'functions/workflow/close-order.ts',
    description: 'Workflow task: closes the order and records how it ended',
    uses: ['table'],
  },
  lifecycleFailure: {
    entry: 'functions/workflow/lifecycle-failure.ts',
    description:
      'Workflow task: a state failed past its retries: records it on the order and the bus and fails the ' +
      'execution; redriven, clears it so the failed state runs again',
    // executionHistory: DescribeExecution, whose redrive count tells a redrive from a new failure.
    uses: ['table', 'bus', 'executionHistory'],
  },
} as const satisfies Record<string, LambdaFunctionSpec>;

export type FunctionName = keyof typeof lambdaFunctions;

export interface HttpRouteSpec {
  readonly method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  /** API Gateway path syntax: `/orders/{id}`. */
  readonly path: string;
  readonly function: FunctionName;
  /** Roles allowed by the JWT authorizer (any of); `null` means no authorization at all. */
  readonly roles: readonly Role[] | null;
}

const everyone = roles;
const centre = ['operator', 'dispatcher', 'supervisor'] as const satisfies readonly Role[];

export const httpRoutes: readonly HttpRouteSpec[] = [
  { method: 'GET', path: '/health', function: 'health', roles: null },
  { method: 'GET', path: '/openapi.json', function: 'apiDocument', roles: null },
  // The requester's survey link carries its own single-use, expiring token instead of a login.
  { method: 'GET', path: '/surveys/{token}', function: 'survey', roles: null },
  { method: 'POST', path: '/surveys/{token}', function: 'survey', roles: null },
  { method: 'GET', path: '/callbacks', function: 'callbackTasks', roles: ['operator', 'supervisor'] },
  { method: 'GET', path: '/areas', function: 'referenceData', roles: everyone },
  { method: 'GET', path: '/categories', function: 'referenceData', roles: everyone },
  { method: 'GET', path: '/units', function: 'referenceData', roles: everyone },
  {
    method: 'GET',
    path: '/catalogue',
    function: 'catalogue',
    roles: ['operator', 'dispatcher', 'supervisor', 'auditor'],
  },
  { method: 'PUT', path: '/catalogue/lines', function: 'catalogue', roles: ['dispatcher', 'supervisor'] },
  {
    method: 'DELETE',
    path: '/catalogue/lines/{categoryCode}/{areaCode}',
    function: 'catalogue',
    roles: ['dispatcher', 'supervisor'],
  },
  { method: 'GET', path: '/assessment/units/{id}', function: 'assessmentReport', roles: everyone },
  {
    method: 'GET',
    path: '/assessment/rankings',
    function: 'assessmentRankings',
    roles: ['operator', 'dispatcher', 'supervisor', 'auditor'],
  },
  {
    method: 'POST',
    path: '/orders/{id}/assessment-exclusion',
    function: 'assessmentExclusions',
    roles: ['supervisor'],
  },
  {
    method: 'POST',
    path: '/orders/{id}/assessment-appeal',
    function: 'assessmentExclusions',
    roles: ['unit'],
  },
  {
    method: 'POST',
    path: '/orders/{id}/assessment-appeal-decision',
    function: 'assessmentExclusions',
    roles: ['supervisor'],
  },
  ...insightRoutes(),
  { method: 'POST', path: '/orders', function: 'createOrder', roles: centre },
  // Open311: no token; the app's api_key is checked by the function (functions/api/open311.ts).
  { method: 'GET', path: '/open311/v2/{document}', function: 'open311', roles: null },
  { method: 'POST', path: '/open311/v2/{document}', function: 'open311', roles: null },
  { method: 'GET', path: '/open311/v2/services/{file}', function: 'open311', roles: null },
  { method: 'GET', path: '/open311/v2/requests/{file}', function: 'open311', roles: null },
  { method: 'GET', path: '/open311/v2/tokens/{file}', function: 'open311', roles: null },
  { method: 'POST', path: '/open311/keys', function: 'open311Keys', roles: ['supervisor'] },
  { method: 'GET', path: '/open311/keys', function: 'open311Keys', roles: ['supervisor'] },
  { method: 'DELETE', path: '/open311/keys/{keyId}', function: 'open311Keys', roles: ['supervisor'] },
  {
    method: 'POST',
    path: '/units/{id}/subscriptions',
    function: 'pushSubscriptions',
    roles: ['supervisor', 'unit'],
  },
  {
    method: 'GET',
    path: '/units/{id}/subscriptions',
    function: 'pushSubscriptions',
    roles: ['supervisor', 'unit'],
  },
  {
    method: 'DELETE',
    path: '/units/{id}/subscriptions/{subscriptionId}',
    function: 'pushSubscriptions',
    roles: ['supervisor', 'unit'],
  },
  {
    method: 'POST',
    path: '/units/{id}/subscriptions/{subscriptionId}/secret',
    function: 'pushSubscriptions',
    roles: ['supervisor', 'unit'],
  },
  { method: 'GET', path: '/possible-duplicates', function: 'possibleDuplicates', roles: centre },
  { method: 'GET', path: '/orders', function: 'listOrders', roles: everyone },
  { method: 'GET', path: '/orders/{id}', function: 'getOrder', roles: everyone },
  { method: 'GET', path: '/orders/{id}/timeline', function: 'orderTimeline', roles: everyone },
  {
    method: 'GET',
    path: '/orders/{id}/contact',
    function: 'orderContact',
    roles: ['operator', 'dispatcher', 'supervisor', 'unit'],
  },
  {
    method: 'GET',
    path: '/orders/{id}/contact-reads',
    function: 'contactReads',
    roles: ['auditor', 'supervisor'],
  },
  { method: 'GET', path: '/contact-reads', function: 'contactReads', roles: ['auditor', 'supervisor'] },
  { method: 'GET', path: '/requester-orders', function: 'requesterOrders', roles: centre },
  {
    method: 'GET',
    path: '/orders/{id}/execution-history',
    function: 'executionHistory',
    roles: ['auditor', 'supervisor'],
  },
  ...orderActionRoutes(),
];

/**
 * The actions people take on an order (functions/api/order-actions.ts), each its own route so that the
 * authorizer checks its roles: the unit's (签收, 首次联系, 协办, 吹哨报到, 延期, 派单异议, 上报, 办结反馈)
 * and the centre's decisions (派单, objection and extension decisions, reply review).
 */
function orderActionRoutes(): HttpRouteSpec[] {
  const byRoles: [readonly Role[], readonly string[]][] = [
    [
      ['dispatcher', 'supervisor'],
      ['dispatch', 'objection-decision', 'extension-decision'],
    ],
    [['operator', 'dispatcher', 'supervisor'], ['reply-review']],
    [['operator'], ['callback']],
    [
      ['unit'],
      [
        'accept',
        'objection',
        'contact',
        'progress',
        'co-handling',
        'co-handling-report',
        'summon',
        'extension',
        'escalation',
        'reply',
      ],
    ],
  ];
  return byRoles.flatMap(([allowed, actions]) =>
    actions.map((action) => ({
      method: 'POST' as const,
      path: `/orders/{id}/${action}`,
      function: 'orderActions' as const,
      roles: allowed,
    })),
  );
}

/** Proactive governance (主动治理): what the centre, supervisors and auditors (city leaders) read. */
function insightRoutes(): HttpRouteSpec[] {
  const readers = ['operator', 'dispatcher', 'supervisor', 'auditor'] as const satisfies readonly Role[];
  return [
    ...['topics', 'townships', 'rates', 'heatmap', 'outlook', 'hotspots', 'alerts'].map((kind) => ({
      method: 'GET' as const,
      path: `/insights/${kind}`,
      function: 'insights' as const,
      roles: readers,
    })),
    { method: 'PUT', path: '/insights/topics/{month}/choice', function: 'insights', roles: ['supervisor'] },
  ];
}

/** `routeKey` as API Gateway writes it: `GET /orders/{id}`. */
export const routeKeyOf = (route: Pick<HttpRouteSpec, 'method' | 'path'>): string =>
  `${route.method} ${route.path}`;

/** The state machines, each one ASL file in statemachines/. */
export const stateMachines = {
  workOrder: {
    file: 'statemachines/work-order.asl.json',
    description: 'One Standard execution per work order, named by the order id',
  },
} as const;

/** Source of the events the work-order lifecycle puts on the bus. */
export const workOrderEventSource = 'hotline.work-orders';

/**
 * Work pushed to the units' own systems (functions/domain/push-deliveries.ts): the stream consumer
 * signs each delivery and puts it on the bus; each subscription is a rule matching its id whose
 * target is an EventBridge API destination (its connection adds `apiKeyHeader: <subscription id>`).
 * The signature's timestamp is made when the delivery is put on the bus and receivers refuse one
 * older than 5 minutes, so EventBridge stops retrying before that (`maximumEventAgeSeconds`); what
 * it gave up on is in the dead-letter queue, to be signed again and put back (docs/push-deliveries.md).
 */
export const pushDeliveries = {
  source: 'hotline.push',
  detailType: 'Order Event Delivery',
  /** EventBridge API destinations' own names, and their rules': `<prefix>-<subscription id>`. */
  resourcePrefix: 'hotline-push',
  apiKeyHeader: 'Hotline-Subscription',
  rateLimitPerSecond: 10,
  retry: { maximumRetryAttempts: 10, maximumEventAgeSeconds: 240 },
} as const;

/** Source of the events the mining puts on the bus (`Insight Spike Detected`, Art. 29). */
export const insightEventSource = 'hotline.insights';

/** What a `${Placeholder}` in an ASL file stands for. */
export type AslSubstitution =
  | { readonly kind: 'lambdaArn'; readonly function: FunctionName }
  | { readonly kind: 'eventBusName' }
  | { readonly kind: 'tableName' }
  | { readonly kind: 'literal'; readonly value: string };

/** Every placeholder used by any ASL file; CDK supplies each, the local stack binds each. */
export const aslSubstitutions: Readonly<Record<string, AslSubstitution>> = {
  DispatchOrderFunctionArn: { kind: 'lambdaArn', function: 'dispatchOrder' },
  AwaitActionFunctionArn: { kind: 'lambdaArn', function: 'awaitAction' },
  CheckpointFunctionArn: { kind: 'lambdaArn', function: 'checkpoint' },
  CloseOrderFunctionArn: { kind: 'lambdaArn', function: 'closeOrder' },
  LifecycleFailureFunctionArn: { kind: 'lambdaArn', function: 'lifecycleFailure' },
  EventBusName: { kind: 'eventBusName' },
  EventSource: { kind: 'literal', value: workOrderEventSource },
};

/**
 * Rules on the bus: which events go to which consumer. CDK makes each an EventBridge rule with a
 * retry policy and a dead-letter queue; the local bus matches the same patterns (local/eventbridge/).
 */
export interface BusRuleSpec {
  readonly description: string;
  readonly pattern: Readonly<Record<string, unknown>>;
  readonly target: FunctionName;
}

export const busRules: Readonly<Record<string, BusRuleSpec>> = {
  AssessClosedOrders: {
    description: 'Closed orders that a unit handled (or let expire) count in its assessment',
    pattern: {
      source: [workOrderEventSource],
      'detail-type': ['WorkOrder Closed'],
      detail: { outcome: ['handled', 'expired'] },
    },
    target: 'assessOrders',
  },
  ScheduleCallbacks: {
    description:
      'A reply accepted, or a limit run out without one (Art. 23): the call-back is scheduled — never for ' +
      'anonymous requesters or those who declined it',
    pattern: {
      source: [workOrderEventSource],
      'detail-type': ['WorkOrder Closed', 'WorkOrder Limit Expired'],
      detail: { outcome: ['handled', 'limit_expired'], anonymous: [false], declinesCallback: [false] },
    },
    target: 'scheduleCallbacks',
  },
};

/**
 * Consumers of the table's stream (DynamoDB Streams → Lambda event source mapping in CDK; the local
 * stack polls DynamoDB Local's stream the same way). `filter` is a Lambda filter-criteria pattern (the
 * EventBridge pattern language, applied to the stream record), so only the records it matches invoke
 * the function; failures are retried, the batch split, and a batch that still fails goes to a queue.
 */
export interface StreamTriggerSpec {
  readonly description: string;
  readonly target: FunctionName;
  readonly filter: Readonly<Record<string, unknown>>;
  readonly batchSize: number;
  readonly maximumBatchingWindowSeconds: number;
  readonly retryAttempts: number;
  readonly maximumRecordAgeSeconds: number;
  readonly bisectBatchOnError: boolean;
}

/**
 * The events of an order's log that give assessment facts (domain/analytics-projection.ts
 * `assessmentEventsOf` reads only these): after each, the unit counters are brought up to the log.
 */
export const assessmentMilestones = [
  'closed',
  'callback_answered',
  'callback_unreachable',
  'assessment_excluded',
  'assessment_appeal_upheld',
] as const;

/** The events of an order's log after which its analytics row changes. */
export const analyticsMilestones = ['received', 'disposed', 'reopened', ...assessmentMilestones] as const;

export const streamTriggers: Readonly<Record<string, StreamTriggerSpec>> = {
  AnalyticsRows: {
    description: "Each milestone event appended to an order's log refreshes the order's analytics row",
    target: 'analyticsRows',
    filter: {
      eventName: ['INSERT'],
      dynamodb: {
        NewImage: { type: { S: ['event'] }, event: { M: { type: { S: [...analyticsMilestones] } } } },
      },
    },
    batchSize: 100,
    maximumBatchingWindowSeconds: 5,
    retryAttempts: 10,
    maximumRecordAgeSeconds: 24 * 3600,
    bisectBatchOnError: true,
  },
  FollowOrderLogs: {
    description:
      "Each order saved (its received event) has its lifecycle started, if the intake's own start did not; " +
      "each event that gives assessment facts brings the unit counters up to the order's log, and each " +
      'call-back that fell due gets its first attempt scheduled (the path that cannot miss one when the ' +
      'bus delivery or the handler failed); each event the units are told of is signed and put on the bus ' +
      'for the subscriptions of the units it concerns',
    target: 'followOrderLogs',
    filter: {
      eventName: ['INSERT'],
      dynamodb: {
        NewImage: {
          type: { S: ['event'] },
          event: {
            M: {
              type: {
                S: [...new Set(['received', 'callback_due', ...assessmentMilestones, ...pushedEventTypes])],
              },
            },
          },
        },
      },
    },
    batchSize: 25,
    maximumBatchingWindowSeconds: 1,
    retryAttempts: 10,
    maximumRecordAgeSeconds: 24 * 3600,
    bisectBatchOnError: true,
  },
};

/**
 * The analytics store: Firehose delivers the rows (JSON) converted to Parquet by the Glue table's
 * schema (functions/domain/analytics-row.ts), partitioned by the CST month of receipt.
 */
export const analyticsDelivery = {
  /** The delivery stream's name (after the stack's prefix): `<prefix>-analytics-orders`. */
  streamSuffix: 'analytics-orders',
  /** Glue database and table; Athena queries run in this database. */
  database: 'hotline_analytics',
  table: 'orders',
  /** The row field Firehose partitions by, and the partition's name in S3 keys. */
  partitionField: 'received_month',
  partitionName: 'month',
} as const;

/**
 * Call-backs run on EventBridge Scheduler one-time schedules in their own group: each attempt of a
 * round is one schedule (`at(...)`, deleted after it ran) that invokes `target`.
 *
 * `retry` is Scheduler's, for an invocation it could not hand to Lambda (then its dead-letter queue).
 * Scheduler invokes the function asynchronously, so an attempt that fails is Lambda's to retry
 * (`invocation`: a minute, then two minutes later; the attempt is idempotent) and then lands in a
 * failure queue of its own. An attempt hours late would call people outside the hour it was meant
 * for: after two hours it goes to that queue (and its alarm) rather than run.
 */
export const callbackSchedules = {
  groupName: 'hotline-callbacks',
  target: 'callbackAttempt',
  retry: { maximumRetryAttempts: 4, maximumEventAgeSeconds: 6 * 3600 },
  invocation: { maximumRetryAttempts: 2, maximumEventAgeSeconds: 2 * 3600 },
} as const satisfies {
  groupName: string;
  target: FunctionName;
  retry: { maximumRetryAttempts: number; maximumEventAgeSeconds: number };
  invocation: { maximumRetryAttempts: number; maximumEventAgeSeconds: number };
};

/**
 * A function run on an EventBridge Scheduler recurring schedule in a group of its own (the mining, the
 * lifecycle reconciler). `retry` is Scheduler's, for an invocation it could not hand to Lambda (then its
 * dead-letter queue); Scheduler invokes the function asynchronously, so a run that fails is Lambda's to
 * retry (`invocation`) and then lands in a failure queue of its own. `input` is the event it receives.
 */
export interface RecurringScheduleSpec {
  readonly groupName: string;
  readonly scheduleName: string;
  readonly expression: string;
  readonly timeZone: string;
  readonly target: FunctionName;
  readonly input: Readonly<Record<string, string>>;
  readonly retry: { readonly maximumRetryAttempts: number; readonly maximumEventAgeSeconds: number };
  readonly invocation: { readonly maximumRetryAttempts: number; readonly maximumEventAgeSeconds: number };
}

/**
 * The mining (主动治理) runs nightly on an EventBridge Scheduler recurring schedule in a group of its own.
 * 02:30 Beijing time: the CST day closed at midnight and Firehose's buffer (at most 15 minutes) has
 * delivered its last rows, so the night mines a whole day; and a run that takes its retries still ends
 * long before the centre's working day, whose dashboards and alerts then show last night's figures.
 * (Asia/Shanghai has no daylight saving: the run is never skipped or doubled.)
 *
 * `retry` is Scheduler's, for an invocation it could not hand to Lambda (then its dead-letter queue).
 * Scheduler invokes the function asynchronously, so a run that fails is Lambda's to retry (`invocation`)
 * and then lands in a failure queue of its own. `input` is the event the function receives.
 */
export const miningSchedule = {
  groupName: 'hotline-mining',
  scheduleName: 'nightly-mining',
  expression: 'cron(30 2 * * ? *)',
  timeZone: 'Asia/Shanghai',
  target: 'mineInsights',
  input: { job: 'nightly-mining' },
  retry: { maximumRetryAttempts: 5, maximumEventAgeSeconds: 3 * 3600 },
  invocation: { maximumRetryAttempts: 2, maximumEventAgeSeconds: 6 * 3600 },
} as const satisfies RecurringScheduleSpec;

/**
 * Every acknowledged order gets its lifecycle (docs/design.md, "Every acknowledged order has a
 * lifecycle"). The intake starts it inline; the table stream's FollowOrderLogs trigger starts it when
 * that start did not happen; and a recurring schedule reconciles what both missed.
 *
 * `inlineStartGraceSeconds`: how long after an order's write the intake may still be starting its
 * lifecycle — createOrder's timeout (10 s, HotlineFunction's default; tests/infra checks it) and a margin.
 * Only past it does the stream trigger start a missing lifecycle itself, so the healing event is written
 * only where healing was needed, never in a race with the intake.
 *
 * The reconciler (`reconciler`, an EventBridge Scheduler `rate()` schedule in its own group, invoked
 * asynchronously like the mining): the orders still `received` (the lifecycle's first task moves every
 * order on within seconds) `olderThanSeconds` after intake, over the last `lookbackHours`, read from
 * the byDay index, at most `maxOrdersPerRun` of them per run, oldest first.
 */
export const lifecycleHealing = {
  inlineStartGraceSeconds: 15,
  reconciler: {
    groupName: 'hotline-lifecycles',
    scheduleName: 'reconcile-lifecycles',
    expression: 'rate(5 minutes)',
    timeZone: 'UTC',
    target: 'reconcileLifecycles',
    input: { job: 'reconcile-lifecycles' },
    retry: { maximumRetryAttempts: 2, maximumEventAgeSeconds: 300 },
    // A run that failed is retried once; the next run comes five minutes later anyway.
    invocation: { maximumRetryAttempts: 1, maximumEventAgeSeconds: 600 },
    olderThanSeconds: 60,
    lookbackHours: 48,
    maxOrdersPerRun: 500,
  },
} as const satisfies {
  inlineStartGraceSeconds: number;
  reconciler: RecurringScheduleSpec & {
    olderThanSeconds: number;
    lookbackHours: number;
    maxOrdersPerRun: number;
  };
};

/**
 * Every call-back round gets all its steps (docs/design.md, "Every call-back round runs to its end").
 * Each step is driven by something that can be lost past its retries — the first schedule by the stream
 * trigger and the bus rule, each attempt by a schedule Scheduler invokes asynchronously —, so a
 * recurring schedule finds the rounds whose awaited step is `overdueAfterSeconds` late and schedules it
 * again (application/reconcile-callbacks.ts). 15 minutes: past an attempt's own retries (Lambda's two, a
 * minute and two minutes apart) with a margin, and short against a call-back's hours-long attempts.
 * A round rescheduled `maxReschedules` times is left to the operators (its attempt keeps failing, and
 * its failure queue's alarm says so); steps awaited longer than `lookbackHours` are not looked at.
 */
export const callbackHealing = {
  reconciler: {
    groupName: 'hotline-callback-healing',
    scheduleName: 'reconcile-callbacks',
    expression: 'rate(5 minutes)',
    timeZone: 'UTC',
    target: 'reconcileCallbacks',
    input: { job: 'reconcile-callbacks' },
    retry: { maximumRetryAttempts: 2, maximumEventAgeSeconds: 300 },
    // A run that failed is retried once; the next run comes five minutes later anyway.
    invocation: { maximumRetryAttempts: 1, maximumEventAgeSeconds: 600 },
    overdueAfterSeconds: 15 * 60,
    lookbackHours: 48,
    maxOrdersPerRun: 500,
    maxReschedules: 3,
  },
} as const satisfies {
  reconciler: RecurringScheduleSpec & {
    overdueAfterSeconds: number;
    lookbackHours: number;
    maxOrdersPerRun: number;
    maxReschedules: number;
  };
};

/**
 * Retention of requesters' contacts (domain/contact-retention.ts, docs/privacy.md): every night the
 * contacts of orders closed `retentionDays` ago or more are erased (`contact_erased`), at most
 * `maxOrdersPerRun` a run; the rest wait for the next night. CDK context `contactRetentionDays`
 * replaces the period for a deployment.
 */
export const contactRetention = {
  groupName: 'hotline-retention',
  scheduleName: 'erase-contacts',
  expression: 'cron(15 3 * * ? *)',
  timeZone: 'Asia/Shanghai',
  target: 'eraseContacts',
  input: { job: 'erase-contacts' },
  retry: { maximumRetryAttempts: 5, maximumEventAgeSeconds: 6 * 3600 },
  invocation: { maximumRetryAttempts: 2, maximumEventAgeSeconds: 6 * 3600 },
  retentionDays: 365,
  maxOrdersPerRun: 2000,
} as const satisfies RecurringScheduleSpec & { retentionDays: number; maxOrdersPerRun: number };

/**
 * The outbox table: survey messages (SMS, e-mail) waiting for or handed to the sender. A table of its
 * own, not the order table: it holds the raw survey links (secrets) and is kept only a short while.
 */
export const outboxTableSpec = { partitionKey: 'id', timeToLiveAttribute: 'expiresAt' } as const;

/** Environment variable names shared by the functions, CDK and the local stack. */
export const envNames = {
  table: 'TABLE_NAME',
  stateMachineArn: 'STATE_MACHINE_ARN',
  eventBus: 'EVENT_BUS_NAME',
  scheduleGroup: 'SCHEDULE_GROUP',
  schedulerRoleArn: 'SCHEDULER_ROLE_ARN',
  callbackTargetArn: 'CALLBACK_TARGET_ARN',
  scheduleDeadLetterArn: 'SCHEDULE_DLQ_ARN',
  outboxTable: 'OUTBOX_TABLE_NAME',
  surveyBaseUrl: 'SURVEY_BASE_URL',
  messageSender: 'MESSAGE_SENDER',
  /** The SES sender address, set only when messages are sent through AWS (context messageSender=aws). */
  senderEmail: 'SENDER_EMAIL',
  /** The Firehose delivery stream of analytics rows. */
  analyticsStream: 'ANALYTICS_STREAM_NAME',
  /** The Secrets Manager secret holding the key of the analytics store's keyed hashes. */
  analyticsKeySecret: 'ANALYTICS_KEY_SECRET_ID',
  /** The customer-managed KMS key that seals requesters' contact details (AWS). */
  contactKeyArn: 'CONTACT_KMS_KEY_ARN',
  /** A file of 32 key bytes for a raw AES keyring instead of KMS (the local stack only). */
  contactKeyFile: 'CONTACT_KEY_FILE',
  /** The Secrets Manager secret holding the key of the contact hash (repeat callers, analytics). */
  contactHashSecret: 'CONTACT_HASH_SECRET_ID',
  /** Days a closed order keeps its requester's contact (contactRetention; CDK context contactRetentionDays). */
  contactRetentionDays: 'CONTACT_RETENTION_DAYS',
  /** The Athena workgroup the mining's queries run in (its result location and bytes-scanned cap apply). */
  athenaWorkGroup: 'ATHENA_WORK_GROUP',
  /** The Glue database of the analytics store: the queries' tables and the view `latest_orders`. */
  athenaDatabase: 'ATHENA_DATABASE',
  /** The Secrets Manager secret holding the push key: each subscription's signing secret derives from it. */
  pushKeySecret: 'PUSH_KEY_SECRET_ID',
  /** The role EventBridge assumes to invoke the subscriptions' API destinations. */
  pushInvokeRoleArn: 'PUSH_INVOKE_ROLE_ARN',
  /** The queue of deliveries EventBridge gave up on. */
  pushDeadLetterArn: 'PUSH_DLQ_ARN',
  /** `true` on the local stack only: a subscription may name an http:// endpoint on this machine. */
  pushAllowLoopbackHttp: 'PUSH_ALLOW_LOOPBACK_HTTP',
} as const;

/**
 * The `purpose` of every sealed contact's encryption context (functions/shared/gateways/contact-sealing.ts):
 * the KMS grants allow the contact key only for messages that carry it.
 */
export const contactEncryptionPurpose = 'hotline:requester-contact';

/**
 * The single DynamoDB table. Keys are generic strings so one table holds orders, their event logs and
 * idempotency records (see docs/design.md for the key design and why it has no hot
 * partition). The local stack creates exactly this table in DynamoDB Local.
 */
export const tableSpec = {
  partitionKey: 'pk',
  sortKey: 'sk',
  timeToLiveAttribute: 'expiresAt',
  /**
   * Each index projects its own attributes (`INCLUDE`). The listing indexes hold an order's summary
   * (about 1 KB), not the whole order (up to ~15 KB with a 4000-character description): each change of
   * an order rewrites its index entries, and the index partitions are the only shared keys of the
   * design. byPlace is sparse (only open orders with coordinates) and holds a small candidate (≤ ~350 B)
   * without version or time of change, so its entry is rewritten only when the status changes; a
   * projection cannot change once an index exists, hence one per index rather than one for all.
   */
  globalSecondaryIndexes: [
    { indexName: 'byUnit', partitionKey: 'gsi1pk', sortKey: 'gsi1sk', projection: ['summary', 'status'] },
    { indexName: 'byDistrict', partitionKey: 'gsi2pk', sortKey: 'gsi2sk', projection: ['summary', 'status'] },
    { indexName: 'byDay', partitionKey: 'gsi3pk', sortKey: 'gsi3sk', projection: ['summary', 'status'] },
    { indexName: 'byPlace', partitionKey: 'gsi4pk', sortKey: 'gsi4sk', projection: ['duplicateCandidate'] },
    // Sparse: only orders whose call-back round waits for a step (the reconciler reads the key alone).
    { indexName: 'byCallbackStep', partitionKey: 'gsi5pk', sortKey: 'gsi5sk', projection: ['status'] },
    // Sparse: only closed orders that still hold a contact, by when they closed (contact retention).
    { indexName: 'byContactHeld', partitionKey: 'gsi6pk', sortKey: 'gsi6sk', projection: ['status'] },
    // Sparse: orders whose requester has a contact hash, by that hash (a caller's earlier orders).
    { indexName: 'byRequester', partitionKey: 'gsi7pk', sortKey: 'gsi7sk', projection: ['status'] },
  ],
  /**
   * Every change of an item, before and after, for 24 hours: what the analytics path (and whatever
   * must follow each saved change) reads, so that nothing a transaction saved can be missed.
   */
  stream: 'NEW_AND_OLD_IMAGES',
} as const;
