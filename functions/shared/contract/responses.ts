import * as z from 'zod';
import { insightKinds } from '#domain/insights.ts';
import { unitClasses } from '#domain/reference-data.ts';
import { contactFields } from '#domain/requester-privacy.ts';
import { orderStatuses } from '#domain/work-order.ts';
import {
  apiKeyRecordRow,
  callbackTaskShape,
  contactReadRow,
  countsItemRow,
  orderEventRow,
  orderSummaryRow,
  orderViewBases,
  pushSubscriptionShape,
  spikeAlertRow,
  topicChoiceRow,
} from '#shared/stores/rows.ts';
import { catalogueLineBody } from './requests.ts';

/**
 * What the API answers, as zod schemas the API document is generated from (openapi.ts). Where the
 * table's row schemas describe a thing (an order, its events, a summary, a call-back task, an alert,
 * a contact read), the answer is built on them, so a field the domain adds shows in the document as
 * soon as the row schema has it. Objects are open (`looseObject`): a client must accept fields it does
 * not know, and the document lists those it may rely on. The integration tests check every answer they
 * receive against the generated document (tests/integration/contract-check.ts).
 *
 * Where no schema of ours pins a part down — the mining's results, the assessment rules, Step
 * Functions' history events — the document says what it is and leaves its inside open.
 */
const text = z.string();
const instant = z.string().meta({ description: 'An ISO 8601 instant (UTC, `Z`)' });
const count = z.number().int().nonnegative();
const page = <T extends z.ZodType>(item: T) =>
  z.looseObject({
    items: z.array(item),
    cursor: z.string().optional().meta({ description: 'Pass it back as `cursor` for the next page' }),
  });

export const errorResponse = z
  .strictObject({
    error: z.strictObject({
      code: z.string().meta({ description: 'Machine-readable and stable; the error codes are listed below' }),
      message: z.string().meta({ description: 'For people; may change' }),
      details: z.unknown().optional().meta({
        description: 'For VALIDATION_FAILED: the problems, each `{ path, message, code }`',
      }),
    }),
  })
  .meta({ id: 'Error' });

export const health = z.strictObject({ status: z.literal('ok'), service: text });

export const areas = z.looseObject({
  items: z.array(
    z.looseObject({
      code: text,
      name: text,
      level: z.enum(['district', 'street']),
      parentCode: text.nullable(),
    }),
  ),
});
export const categories = z.looseObject({
  items: z.array(
    z.looseObject({
      code: text,
      name: text,
      level: z.union([z.literal(1), z.literal(2), z.literal(3)]),
      parentCode: text.nullable(),
      utility: z.boolean(),
      manualDispatch: z.boolean(),
    }),
  ),
});
export const units = z.looseObject({
  items: z.array(
    z.looseObject({
      id: text,
      name: text,
      class: z.enum(unitClasses),
      areaCode: text,
      alwaysOn: z.boolean(),
    }),
  ),
});

// ---- orders ----

/** The requester as a caller sees them (domain/requester-privacy.ts viewRequester): never in clear. */
const requesterView = z
  .looseObject({
    kind: z.enum(['person', 'enterprise']),
    anonymous: z.boolean(),
    declinesCallback: z.boolean().optional(),
    contact: z
      .looseObject(Object.fromEntries(contactFields.map((f) => [f, text.optional()])))
      .optional()
      .meta({ description: 'Masked (138****8000); the clear details: GET /orders/{id}/contact' }),
    contactReadable: z.literal(true).optional().meta({ description: 'The caller may read it in clear' }),
    protected: z.literal(true).optional().meta({ description: 'There is a contact this caller may not see' }),
    contactErasedAt: instant.optional(),
  })
  .meta({ id: 'RequesterView' });

const possibleDuplicate = z.looseObject({
  id: text,
  distanceMeters: count,
  receivedAt: instant,
  status: z.enum(orderStatuses),
  categoryCode: text,
  title: text,
});

/** GET /orders/{id} and every action's answer (domain/order-view.ts viewOrder). */
export const orderView = orderViewBases.order
  .extend({
    requester: requesterView,
    callback: orderViewBases.callbackRound
      .omit({ links: true })
      .extend({ linksSent: count.optional().meta({ description: 'Survey links sent (not the links)' }) })
      .optional(),
    possibleDuplicates: z.array(possibleDuplicate).nullable().optional().meta({
      description:
        'For the centre and auditors: nearby open orders of its category; null if the lookup failed',
    }),
  })
  .meta({ id: 'Order' });

export const orderSummary = orderSummaryRow.meta({ id: 'OrderSummary' });
export const orderPage = page(orderSummary);
export const requesterOrders = z.looseObject({ items: z.array(orderSummary) });

const orderEvent = orderEventRow.meta({ id: 'OrderEvent' });
export const timeline = z.looseObject({
  orderId: text,
  status: z.enum(orderStatuses),
  items: z.array(orderEvent),
  verification: z
    .looseObject({
      valid: z.boolean(),
      count,
      brokenAt: z.number().int().optional(),
      reason: text.optional(),
    })
    .optional(),
});

export const executionHistory = z.looseObject({
  executionArn: text,
  round: z.number().int().positive(),
  executions: z.array(z.looseObject({ round: z.number().int().positive(), executionArn: text })),
  events: z
    .array(z.looseObject({ id: z.number().int(), type: text, timestamp: instant }))
    .meta({ description: "Step Functions' history events (GetExecutionHistory), task tokens redacted" }),
  nextToken: text.optional(),
});

export const orderContact = z.looseObject({
  orderId: text,
  contact: z.looseObject(Object.fromEntries(contactFields.map((f) => [f, text.optional()]))),
  read: z.looseObject({ readId: text, at: instant, purpose: text }),
});
export const contactReads = page(contactReadRow.meta({ id: 'ContactRead' }));

export const possibleDuplicates = z.looseObject({
  categoryCode: text,
  lat: z.number(),
  long: z.number(),
  items: z.array(possibleDuplicate),
});

export const callbackTasks = page(callbackTaskShape.meta({ id: 'CallbackTask' }));

export const surveyView = z.looseObject({
  receivedOn: text,
  category: text,
  unit: text.nullable(),
  reply: z.looseObject({ result: text, text }).nullable(),
  questions: z.looseObject({
    contactedInTime: z.array(z.boolean()),
    solved: z.array(text),
    satisfied: z.array(text),
    comment: text,
  }),
});
export const surveyAnswered = z.looseObject({ answered: z.literal(true) });

// ---- the dispatch catalogue ----

const catalogueLine = catalogueLineBody.meta({ id: 'CatalogueLine' });
export const catalogue = z.looseObject({ items: z.array(catalogueLine), count });
export const catalogueLineSaved = z.looseObject({ ...catalogueLineBody.shape, catalogueVersion: count });
export const catalogueLineRemoved = z.looseObject({ removed: catalogueLine, catalogueVersion: count });

// ---- assessment ----

const rates = z
  .looseObject({
    response: z.number().nullable(),
    resolution: z.number().nullable(),
    satisfaction: z.number().nullable(),
    composite: z.number().nullable(),
  })
  .meta({ id: 'ThreeRates' });
const counts = countsItemRow.meta({ id: 'RateCounts' });
const classRules = z
  .looseObject({})
  .meta({ description: "The class's factors and weights (data/assessment.json)" });

export const assessmentReport = z.looseObject({
  unitId: text,
  name: text,
  class: z.enum(unitClasses),
  month: text,
  counts,
  rates,
  rules: classRules,
});
export const assessmentRankings = z.looseObject({
  month: text,
  class: z.enum(unitClasses),
  rules: classRules,
  items: z.array(
    z.looseObject({
      rank: z.number().int().nullable(),
      unitId: text,
      name: text.optional(),
      counts,
      rates,
    }),
  ),
  governance: z
    .looseObject({ rule: z.looseObject({}), proposals: z.array(z.looseObject({ unitId: text })) })
    .optional()
    .meta({ description: '治理类街乡镇 proposals, for the class the governance rule names' }),
});

// ---- insights ----

export const insight = z
  .looseObject({
    kind: z.enum(insightKinds),
    period: text,
    computedAt: instant,
    runId: text,
    stats: z.looseObject({}),
    result: z.looseObject({}).meta({ description: "The mining's result for this kind (docs/mining.md)" }),
  })
  .meta({ id: 'Insight' });
export const alerts = z.looseObject({
  from: text,
  to: text,
  items: z.array(spikeAlertRow.meta({ id: 'SpikeAlert' })),
});
export const topicChoice = topicChoiceRow;

// ---- Open311 keys ----

const apiKeyRecord = apiKeyRecordRow.meta({ id: 'Open311Key' });
export const apiKeyCreated = apiKeyRecord.extend({
  apiKey: text.optional().meta({ description: 'The key: in this answer only, never again' }),
  apiKeyShown: z.boolean().meta({ description: 'false for a replay: the key is not kept' }),
});
export const apiKeys = z.looseObject({ items: z.array(apiKeyRecord) });
export const apiKeyRevoked = apiKeyRecord;

// ---- push subscriptions ----

const pushSubscription = pushSubscriptionShape.meta({ id: 'PushSubscription' });
export const subscriptionCreated = pushSubscription.extend({
  secret: text.meta({
    description: 'The signing secret (whsec_…): in this answer and its replay only, never in a listing',
  }),
});
export const subscriptions = z.looseObject({ items: z.array(pushSubscription) });
export const subscriptionRemoved = z.looseObject({
  unitId: text,
  subscriptionId: text,
  removed: z.literal(true),
});

// ---- this document ----

export const openApiDocument = z.looseObject({
  openapi: z.string().regex(/^3\.1\.\d+$/),
  info: z.looseObject({ title: text, version: text }),
  paths: z.looseObject({}),
});
