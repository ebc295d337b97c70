import type * as z from 'zod';
import { callbackAnswerSchema } from '#domain/callback.ts';
import { topicChoiceSchema } from '#domain/insights.ts';
import { newOrderSchema } from '#domain/order-input.ts';
import { assessmentActionBodies, orderActionBodies } from './action-bodies.ts';
import type { ErrorCodeName } from './error-codes.ts';
import * as open311 from './open311.ts';
import * as q from './requests.ts';
import * as r from './responses.ts';

/**
 * What each route of the wiring table (wiring/wiring.ts `httpRoutes`) takes and answers, keyed by its
 * route key. openapi.ts turns it into the API document; a test holds the two tables to each other, so
 * a route cannot be added without its contract. `errors` are the codes the route itself may answer
 * beyond those every route of its kind may (validation, authorization, INTERNAL_ERROR: openapi.ts).
 */
export type Tag =
  | 'Health'
  | 'Reference data'
  | 'Orders'
  | 'Order actions'
  | 'Requester privacy'
  | 'Call-backs'
  | 'Surveys'
  | 'Dispatch catalogue'
  | 'Assessment'
  | 'Insights'
  | 'Open311 GeoReport v2'
  | 'Open311 keys'
  | 'Push subscriptions'
  | 'API document';

export interface RouteContract {
  readonly summary: string;
  readonly description?: string;
  readonly tag: Tag;
  readonly query?: z.ZodType;
  /** A JSON body (application/json). */
  readonly body?: z.ZodType;
  /** Each `{param}` of the path: its description (and schema when the handler checks one). */
  readonly params?: Readonly<Record<string, { readonly description: string; readonly schema?: z.ZodType }>>;
  readonly ok: {
    readonly status: 200 | 201;
    readonly description: string;
    readonly schema: z.ZodType;
    /** Response headers the answer carries. */
    readonly headers?: readonly ('ETag' | 'Location' | 'Idempotent-Replayed')[];
  };
  readonly errors: readonly ErrorCodeName[];
  /** Request headers the route reads. */
  readonly headers?: readonly ('Idempotency-Key' | 'If-Match')[];
  /** A route whose answers are not the API's JSON (Open311, the survey page): its own media types. */
  readonly special?: 'open311' | 'survey';
}

const orderId = { id: { description: 'The order id' } };
const idempotent = ['Idempotency-Key'] as const;
const replayable = ['Idempotent-Replayed'] as const;

/** Every action on an order answers the order as its caller sees it, with its ETag. */
const actionContract = (
  summary: string,
  body: z.ZodType,
  errors: readonly ErrorCodeName[],
): RouteContract => ({
  summary,
  tag: 'Order actions',
  body,
  params: orderId,
  ok: {
    status: 200,
    description: 'The order after the action',
    schema: r.orderView,
    headers: ['ETag', ...replayable],
  },
  errors: [
    'ORDER_NOT_FOUND',
    'UNKNOWN_ACTION',
    'VERSION_CONFLICT',
    'IDEMPOTENCY_KEY_REUSED',
    'ACTION_NOT_ALLOWED',
    ...errors,
  ],
  headers: ['Idempotency-Key', 'If-Match'],
});

const insightRead = (summary: string, query: z.ZodType): RouteContract => ({
  summary,
  tag: 'Insights',
  query,
  ok: { status: 200, description: 'The insight as the last mining run stored it', schema: r.insight },
  errors: ['INSIGHT_NOT_COMPUTED'],
});

const unitActionErrors = ['NOT_LEAD_UNIT', 'OTHER_UNIT'] as const;
const subscriptionPath = {
  id: { description: 'The unit id' },
  subscriptionId: { description: 'The subscription id (SUB…)', schema: q.subscriptionIdParam },
};
const subscriptionErrors = [
  'UNIT_NOT_FOUND',
  'OTHER_UNIT',
  'SUBSCRIPTION_NOT_FOUND',
  'IDEMPOTENCY_KEY_REUSED',
  'VERSION_CONFLICT',
] as const;
const b = orderActionBodies;
const a = assessmentActionBodies;

export const routeContracts: Readonly<Record<string, RouteContract>> = {
  'GET /health': {
    summary: 'Liveness',
    description: 'Answers without touching any dependency: the function runs, nothing more.',
    tag: 'Health',
    ok: { status: 200, description: 'Alive', schema: r.health },
    errors: [],
  },
  'GET /openapi.json': {
    summary: 'This document',
    description: 'The OpenAPI 3.1 document, generated from the schemas the handlers parse with.',
    tag: 'API document',
    ok: { status: 200, description: 'The OpenAPI document', schema: r.openApiDocument },
    errors: [],
  },
  'GET /surveys/{token}': {
    summary: "A requester's call-back link: what the order was about and the questions",
    description:
      'No login: the link carries its own single-use, expiring token. HTML for a browser (Accept: text/html), JSON otherwise.',
    tag: 'Surveys',
    params: { token: { description: 'The token of the link', schema: q.surveyTokenParam } },
    ok: { status: 200, description: 'The survey', schema: r.surveyView },
    errors: ['SURVEY_LINK_UNKNOWN', 'SURVEY_LINK_USED_OR_EXPIRED'],
    special: 'survey',
  },
  'POST /surveys/{token}': {
    summary: "The requester's answers by link",
    description:
      "JSON, or the page's HTML form (application/x-www-form-urlencoded). An unhappy answer reopens the order.",
    tag: 'Surveys',
    body: callbackAnswerSchema,
    params: { token: { description: 'The token of the link', schema: q.surveyTokenParam } },
    ok: { status: 200, description: 'Answered', schema: r.surveyAnswered, headers: replayable },
    errors: [
      'SURVEY_LINK_UNKNOWN',
      'SURVEY_LINK_USED_OR_EXPIRED',
      'CALLBACK_NOT_OPEN',
      'IDEMPOTENCY_KEY_REUSED',
      'VERSION_CONFLICT',
    ],
    headers: idempotent,
    special: 'survey',
  },
  'GET /callbacks': {
    summary: "The operators' open call-back tasks (回访), oldest first",
    tag: 'Call-backs',
    query: q.callbackTasksQuery,
    ok: { status: 200, description: 'A page of tasks', schema: r.callbackTasks },
    errors: ['INVALID_CURSOR'],
  },
  'GET /areas': {
    summary: "The city's districts and streets",
    tag: 'Reference data',
    ok: { status: 200, description: 'Every area', schema: r.areas },
    errors: [],
  },
  'GET /categories': {
    summary: 'The three-level category taxonomy',
    tag: 'Reference data',
    ok: { status: 200, description: 'Every category', schema: r.categories },
    errors: [],
  },
  'GET /units': {
    summary: 'The units orders are dispatched to',
    tag: 'Reference data',
    ok: { status: 200, description: 'Every unit', schema: r.units },
    errors: [],
  },
  'GET /catalogue': {
    summary: 'The dispatch catalogue (派单目录) in force',
    tag: 'Dispatch catalogue',
    query: q.catalogueQuery,
    ok: { status: 200, description: 'Its lines', schema: r.catalogue },
    errors: [],
  },
  'PUT /catalogue/lines': {
    summary: 'Add or replace the line of a category and place',
    tag: 'Dispatch catalogue',
    body: q.catalogueLineBody,
    ok: {
      status: 200,
      description: 'The line saved, and the catalogue version it made',
      schema: r.catalogueLineSaved,
      headers: replayable,
    },
    errors: [
      'VERSION_CONFLICT',
      'IDEMPOTENCY_KEY_REUSED',
      'UNKNOWN_CATEGORY',
      'MANUAL_CATEGORY',
      'UNKNOWN_AREA',
      'UNKNOWN_UNIT',
      'DUPLICATE_CO_HANDLER',
      'LEAD_AS_CO_HANDLER',
      'INVALID_CATALOGUE_ENTRY',
    ],
    headers: idempotent,
  },
  'DELETE /catalogue/lines/{categoryCode}/{areaCode}': {
    summary: 'Remove a catalogue line',
    tag: 'Dispatch catalogue',
    params: {
      categoryCode: { description: 'The category code' },
      areaCode: { description: 'The area code' },
    },
    ok: {
      status: 200,
      description: 'The line removed, and the catalogue version it made',
      schema: r.catalogueLineRemoved,
      headers: replayable,
    },
    errors: ['CATALOGUE_LINE_NOT_FOUND', 'VERSION_CONFLICT', 'IDEMPOTENCY_KEY_REUSED'],
    headers: idempotent,
  },
  'GET /assessment/units/{id}': {
    summary: "A unit's three rates (三率) and composite for a month, with the counts behind them",
    tag: 'Assessment',
    query: q.assessmentReportQuery,
    params: { id: { description: 'The unit id' } },
    ok: { status: 200, description: 'The report', schema: r.assessmentReport },
    errors: ['UNIT_NOT_FOUND', 'OTHER_UNIT'],
  },
  'GET /assessment/rankings': {
    summary: 'The units of a class ranked for a month, and the 治理类街乡镇 proposals',
    tag: 'Assessment',
    query: q.assessmentRankingsQuery,
    ok: { status: 200, description: 'The ranking', schema: r.assessmentRankings },
    errors: [],
  },
  'POST /orders/{id}/assessment-exclusion': actionContract(
    "Take the order out of its unit's rates, with a reason (Art. 32)",
    a['assessment-exclusion'],
    ['NOT_ASSESSED', 'SUPERVISOR_ONLY'],
  ),
  'POST /orders/{id}/assessment-appeal': actionContract(
    "The unit appeals the order's inclusion in its rates (申诉)",
    a['assessment-appeal'],
    ['NOT_ASSESSED', 'NOT_LEAD_UNIT', 'APPEAL_PENDING'],
  ),
  'POST /orders/{id}/assessment-appeal-decision': actionContract(
    'A supervisor upholds the appeal (the order is excluded) or keeps the order in the rates',
    a['assessment-appeal-decision'],
    ['NO_APPEAL_PENDING', 'SUPERVISOR_ONLY'],
  ),
  'GET /insights/topics': insightRead('每月一题: the candidate topics of a month', q.insightQueries.topics),
  'GET /insights/townships': insightRead(
    '治理类街乡镇: the townships that need help, with their reasons',
    q.insightQueries.townships,
  ),
  'GET /insights/rates': insightRead(
    "三率 rankings of a unit class, with each unit's trend",
    q.insightQueries.rates,
  ),
  'GET /insights/heatmap': insightRead('Category × month counts up to the month', q.insightQueries.heatmap),
  'GET /insights/outlook': insightRead(
    'The seasonal outlook and what to prepare now (冬病夏治)',
    q.insightQueries.outlook,
  ),
  'GET /insights/hotspots': insightRead(
    'Hot spots and repeated places in the window ending that day',
    q.insightQueries.hotspots,
  ),
  'GET /insights/alerts': {
    summary: 'Early-warning alerts of a range of days (Art. 29)',
    tag: 'Insights',
    query: q.insightAlertsQuery,
    ok: { status: 200, description: 'The alerts', schema: r.alerts },
    errors: [],
  },
  'PUT /insights/topics/{month}/choice': {
    summary: "The centre's pick of the month's topic (每月一题)",
    tag: 'Insights',
    body: topicChoiceSchema,
    params: { month: { description: 'The month, YYYY-MM' } },
    ok: { status: 200, description: 'The choice as recorded', schema: r.topicChoice, headers: replayable },
    errors: ['SUPERVISOR_ONLY', 'VERSION_CONFLICT', 'IDEMPOTENCY_KEY_REUSED'],
    headers: idempotent,
  },
  'POST /orders': {
    summary: 'Every contact becomes a work order (Art. 10); its lifecycle starts',
    description:
      'Out-of-scope contacts get a `disposition` (Art. 11), never a refusal. The answer lists possible duplicates (nearby open orders of the category).',
    tag: 'Orders',
    body: newOrderSchema,
    ok: {
      status: 201,
      description: 'The order as received',
      schema: r.orderView,
      headers: ['ETag', 'Location', ...replayable],
    },
    errors: [
      'IDEMPOTENCY_KEY_REUSED',
      'UNKNOWN_CATEGORY',
      'UNKNOWN_DISTRICT',
      'UNKNOWN_STREET',
      'STREET_NOT_IN_DISTRICT',
      'INVALID_REFERENCES',
      'ORIGINAL_ORDER_NOT_FOUND',
    ],
    headers: idempotent,
  },
  ...open311.routeContracts,
  'POST /open311/keys': {
    summary: 'A new API key for an Open311 client application',
    description:
      'The key is in this answer and nowhere else, ever (only its hash is kept). A repeat with the same Idempotency-Key answers the record without the key.',
    tag: 'Open311 keys',
    body: q.newApiKeyBody,
    ok: {
      status: 201,
      description: 'The key and its record',
      schema: r.apiKeyCreated,
      headers: ['Location', ...replayable],
    },
    errors: ['IDEMPOTENCY_KEY_REUSED', 'VERSION_CONFLICT'],
    headers: idempotent,
  },
  'POST /units/{id}/subscriptions': {
    summary: "Subscribe an HTTPS endpoint of the unit's own system to its orders' events",
    description:
      'Each delivery is a signed POST (docs/push-deliveries.md) through an EventBridge API destination. The signing secret is in this answer (and its replay under the same Idempotency-Key) and never in a listing. A supervisor, or the unit itself.',
    tag: 'Push subscriptions',
    body: q.newSubscriptionBody,
    params: { id: { description: 'The unit id' } },
    ok: {
      status: 201,
      description: 'The subscription, active, and its secret',
      schema: r.subscriptionCreated,
      headers: ['Location', ...replayable],
    },
    errors: [
      'UNIT_NOT_FOUND',
      'OTHER_UNIT',
      'INVALID_ENDPOINT',
      'TOO_MANY_SUBSCRIPTIONS',
      'IDEMPOTENCY_KEY_REUSED',
      'VERSION_CONFLICT',
    ],
    headers: idempotent,
  },
  'GET /units/{id}/subscriptions': {
    summary: "The unit's push subscriptions (never their secrets)",
    tag: 'Push subscriptions',
    params: { id: { description: 'The unit id' } },
    ok: { status: 200, description: 'Every subscription of the unit, oldest first', schema: r.subscriptions },
    errors: ['UNIT_NOT_FOUND', 'OTHER_UNIT'],
  },
  'DELETE /units/{id}/subscriptions/{subscriptionId}': {
    summary: 'Stop a push subscription (its EventBridge rule, API destination and connection go with it)',
    tag: 'Push subscriptions',
    params: subscriptionPath,
    ok: { status: 200, description: 'Removed', schema: r.subscriptionRemoved, headers: replayable },
    errors: subscriptionErrors,
    headers: idempotent,
  },
  'POST /units/{id}/subscriptions/{subscriptionId}/secret': {
    summary: 'A new signing secret for a push subscription',
    description:
      "For 24 hours the deliveries carry two signatures (the new secret's first), so the unit's system can take the new secret while the old one still verifies. The secret is in this answer (and its replay under the same Idempotency-Key) only.",
    tag: 'Push subscriptions',
    params: subscriptionPath,
    ok: {
      status: 200,
      description: 'The subscription and its new secret',
      schema: r.subscriptionCreated,
      headers: replayable,
    },
    errors: subscriptionErrors,
    headers: idempotent,
  },
  'GET /open311/keys': {
    summary: "The Open311 applications' keys (records, never the keys)",
    tag: 'Open311 keys',
    ok: { status: 200, description: 'Every key record', schema: r.apiKeys },
    errors: [],
  },
  'DELETE /open311/keys/{keyId}': {
    summary: 'Revoke an Open311 key',
    tag: 'Open311 keys',
    params: { keyId: { description: 'The key id (16 hex digits)', schema: q.apiKeyIdParam } },
    ok: { status: 200, description: 'The record, revoked', schema: r.apiKeyRevoked, headers: replayable },
    errors: ['KEY_NOT_FOUND', 'IDEMPOTENCY_KEY_REUSED', 'VERSION_CONFLICT'],
    headers: idempotent,
  },
  'GET /possible-duplicates': {
    summary: 'Open orders of a category near a place, before recording one (a `repeat`, Art. 11)',
    tag: 'Orders',
    query: q.possibleDuplicatesQuery,
    ok: { status: 200, description: 'The candidates, nearest first', schema: r.possibleDuplicates },
    errors: ['UNKNOWN_CATEGORY'],
  },
  'GET /orders': {
    summary: 'Order summaries, newest first, filtered and paged',
    description:
      "A unit's staff see their own unit's orders. No requester details (GET /orders/{id} has the order).",
    tag: 'Orders',
    query: q.listOrdersQuery,
    ok: { status: 200, description: 'A page of summaries', schema: r.orderPage },
    errors: ['OTHER_UNIT', 'INVALID_RANGE', 'RANGE_TOO_LONG', 'INVALID_CURSOR'],
  },
  'GET /orders/{id}': {
    summary: 'One order, as its caller may see it',
    description: "A unit's staff asking for another unit's order get 404, as if it did not exist.",
    tag: 'Orders',
    params: orderId,
    ok: { status: 200, description: 'The order', schema: r.orderView, headers: ['ETag'] },
    errors: ['ORDER_NOT_FOUND'],
  },
  'GET /orders/{id}/timeline': {
    summary: "The order's event log, oldest first, with hash-chain verification",
    tag: 'Orders',
    query: q.orderTimelineQuery,
    params: orderId,
    ok: { status: 200, description: 'The events', schema: r.timeline },
    errors: ['ORDER_NOT_FOUND'],
  },
  'GET /orders/{id}/contact': {
    summary: "The requester's contact in clear, with a purpose; the read is recorded first",
    description:
      'For the centre, and the lead unit while it handles the order; never a unit for a 举报 (docs/privacy.md).',
    tag: 'Requester privacy',
    query: q.orderContactQuery,
    params: orderId,
    ok: { status: 200, description: 'The contact, and the record of this read', schema: r.orderContact },
    errors: ['ORDER_NOT_FOUND', 'NO_CONTACT', 'CONTACT_NOT_READABLE'],
  },
  'GET /orders/{id}/contact-reads': {
    summary: "Who read this order's requester contact, when and why",
    tag: 'Requester privacy',
    query: q.orderContactReadsQuery,
    params: orderId,
    ok: { status: 200, description: 'A page of reads, oldest first', schema: r.contactReads },
    errors: ['ORDER_NOT_FOUND', 'INVALID_CURSOR'],
  },
  'GET /contact-reads': {
    summary: "Every read of a requester's contact on a day",
    tag: 'Requester privacy',
    query: q.dayContactReadsQuery,
    ok: { status: 200, description: 'A page of reads, oldest first', schema: r.contactReads },
    errors: ['INVALID_CURSOR'],
  },
  'GET /requester-orders': {
    summary: "A caller's earlier orders, found by the contact hash of the number (nothing is opened)",
    tag: 'Requester privacy',
    query: q.requesterOrdersQuery,
    ok: { status: 200, description: 'Summaries, newest first', schema: r.requesterOrders },
    errors: [],
  },
  'GET /orders/{id}/execution-history': {
    summary: "The lifecycle's Step Functions history, paged with Step Functions' own token",
    tag: 'Orders',
    query: q.executionHistoryQuery,
    params: orderId,
    ok: { status: 200, description: 'A page of history events', schema: r.executionHistory },
    errors: ['ORDER_NOT_FOUND', 'ROUND_NOT_FOUND', 'EXECUTION_NOT_FOUND', 'INVALID_NEXT_TOKEN'],
  },
  'POST /orders/{id}/dispatch': actionContract(
    '派单: dispatch the order to a lead unit and co-handlers',
    b.dispatch,
    ['CENTRE_ONLY', 'UNKNOWN_UNIT'],
  ),
  'POST /orders/{id}/objection-decision': actionContract(
    "Decide a unit's objection to its dispatch: redispatch or confirm",
    b['objection-decision'],
    ['CENTRE_ONLY', 'UNKNOWN_UNIT', 'SAME_UNIT'],
  ),
  'POST /orders/{id}/extension-decision': actionContract(
    'Approve or refuse an extension request',
    b['extension-decision'],
    ['CENTRE_ONLY', 'NO_EXTENSION_PENDING'],
  ),
  'POST /orders/{id}/reply-review': actionContract(
    "Accept the unit's reply (the order closes) or reject it",
    b['reply-review'],
    ['CENTRE_ONLY'],
  ),
  'POST /orders/{id}/callback': actionContract(
    "回访: the requester's answers on the phone, or that nobody answered",
    b.callback,
    ['CALLBACK_NOT_OPEN'],
  ),
  'POST /orders/{id}/accept': actionContract(
    '签收: the lead unit accepts the order',
    b.accept,
    unitActionErrors,
  ),
  'POST /orders/{id}/objection': actionContract(
    '派单异议: the lead unit objects to its dispatch',
    b.objection,
    unitActionErrors,
  ),
  'POST /orders/{id}/contact': actionContract('首次联系: the first contact with the requester', b.contact, [
    ...unitActionErrors,
    'ALREADY_CONTACTED',
    'CONTACT_BEFORE_DISPATCH',
    'CONTACT_IN_FUTURE',
  ]),
  'POST /orders/{id}/progress': actionContract('A note of progress', b.progress, [
    'NOT_HANDLING_UNIT',
    'OTHER_UNIT',
  ]),
  'POST /orders/{id}/co-handling': actionContract('协办: ask other units to co-handle', b['co-handling'], [
    ...unitActionErrors,
    'UNKNOWN_UNIT',
    'NO_NEW_CO_HANDLER',
  ]),
  'POST /orders/{id}/co-handling-report': actionContract("A co-handler's report", b['co-handling-report'], [
    'NOT_CO_HANDLER',
    'OTHER_UNIT',
  ]),
  'POST /orders/{id}/summon': actionContract('吹哨报到: a street summons departments', b.summon, [
    ...unitActionErrors,
    'NOT_A_STREET',
    'UNKNOWN_UNIT',
    'NO_NEW_CO_HANDLER',
  ]),
  'POST /orders/{id}/extension': actionContract('延期: ask for more days', b.extension, [
    ...unitActionErrors,
    'EXTENSION_DAYS',
    'EXTENSION_PENDING',
    'EXTENSION_LIMIT',
    'NO_DEADLINE',
  ]),
  'POST /orders/{id}/escalation': actionContract(
    '上报: escalate to the district, the city or a regulator',
    b.escalation,
    unitActionErrors,
  ),
  'POST /orders/{id}/reply': actionContract(
    '办结反馈: the lead unit replies with its result',
    b.reply,
    unitActionErrors,
  ),
};
