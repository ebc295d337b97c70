import * as z from 'zod';
import open311Config from '#data/open311.json' with { type: 'json' };
import { daySchema, monthSchema } from '#domain/insights.ts';
import { MAX_ENDPOINT_LENGTH, subscriptionIdPattern } from '#domain/push-subscriptions.ts';
import { pushedEventTypes } from '#domain/pushed-events.ts';
import { unitClasses } from '#domain/reference-data.ts';
import { contactPurposeSchema } from '#domain/requester-privacy.ts';
import { meaningfulText } from '#domain/text.ts';
import { orderStatuses } from '#domain/work-order.ts';

/**
 * The query strings and bodies of the API's routes, as the handlers parse them (functions/api/) and as
 * the API document describes them (openapi.ts): one schema for both, so the document cannot promise a
 * parameter the handler refuses, nor miss one it takes. (Bodies of the actions on an order:
 * action-bodies.ts; of a new order and a call-back answer: the domain's own schemas.)
 */
const limit = (max: number, fallback: number) => z.coerce.number().int().min(1).max(max).default(fallback);
const cursor = (max: number) => z.string().min(1).max(max).optional();
const catalogueCode = z.string().regex(/^\d{2,12}$/);
const categoryCode = z.string().regex(/^\d{2}(\d{2}){0,2}$/, 'a category code of 2, 4 or 6 digits');
const trueOrFalse = z.enum(['true', 'false']);

export const listOrdersQuery = z.strictObject({
  status: z.enum(orderStatuses).optional(),
  unitId: z.string().min(1).max(64).optional(),
  districtCode: z
    .string()
    .regex(/^\d{6}$/)
    .optional(),
  createdFrom: z.iso.datetime({ offset: true }).optional(),
  createdTo: z.iso.datetime({ offset: true }).optional(),
  limit: limit(100, 20),
  cursor: cursor(2048),
});

export const assessmentReportQuery = z.strictObject({ month: monthSchema });
export const assessmentRankingsQuery = z.strictObject({ month: monthSchema, class: z.enum(unitClasses) });

export const callbackTasksQuery = z.strictObject({ limit: limit(100, 20), cursor: cursor(2048) });

export const catalogueQuery = z.strictObject({
  categoryCode: catalogueCode.optional(),
  areaCode: catalogueCode.optional(),
});
export const catalogueLineBody = z.strictObject({
  categoryCode: catalogueCode,
  areaCode: catalogueCode,
  leadUnitId: z.string().min(1).max(64),
  coUnitIds: z.array(z.string().min(1).max(64)).max(10).default([]),
  note: meaningfulText(500).optional(),
});

const contactReadsPage = { limit: limit(100, 50), cursor: cursor(512) };
export const orderContactReadsQuery = z.strictObject(contactReadsPage);
export const dayContactReadsQuery = z.strictObject({ day: z.iso.date(), ...contactReadsPage });

export const executionHistoryQuery = z.strictObject({
  round: z.coerce.number().int().min(1).max(10).optional(),
  maxResults: limit(1000, 100),
  nextToken: z.string().min(1).max(3096).optional(),
  reverseOrder: trueOrFalse.default('false'),
});

const optionalMonth = z.strictObject({ month: monthSchema.optional() });
/** GET /insights/<kind>, by kind; alerts take a range of days (insightAlertsQuery). */
export const insightQueries = {
  topics: optionalMonth,
  townships: optionalMonth,
  heatmap: optionalMonth,
  outlook: optionalMonth,
  rates: z.strictObject({ month: monthSchema.optional(), class: z.enum(unitClasses).default('street') }),
  hotspots: z.strictObject({ day: daySchema.optional() }),
} as const;
export const insightAlertsQuery = z
  .strictObject({ from: daySchema, to: daySchema })
  .refine((q) => q.from <= q.to, { message: 'from is not after to', path: ['from'] })
  .refine((q) => Date.parse(q.to) - Date.parse(q.from) <= 366 * 86_400_000, {
    message: 'at most a year of alerts at a time',
    path: ['to'],
  });

export const newApiKeyBody = z.strictObject({
  app: meaningfulText(100),
  ratePerMinute: z
    .number()
    .int()
    .min(1)
    .max(open311Config.maxRatePerMinute)
    .default(open311Config.defaultRatePerMinute),
});
export const apiKeyIdParam = z.string().regex(/^[0-9a-f]{16}$/);

/** POST /units/{id}/subscriptions: an endpoint of the unit's own system, and what it is told of. */
export const newSubscriptionBody = z.strictObject({
  url: z
    .string()
    .min(1)
    .max(MAX_ENDPOINT_LENGTH)
    .meta({ description: "An https:// URL of the unit's system" }),
  events: z
    .array(z.enum(pushedEventTypes))
    .min(1)
    .optional()
    .meta({ description: 'The order events delivered; all of them when left out' }),
  description: meaningfulText(200).optional(),
});
export const subscriptionIdParam = z.string().regex(subscriptionIdPattern);

export const orderContactQuery = z.strictObject({
  purpose: contactPurposeSchema,
  note: meaningfulText(200).optional(),
});

export const orderTimelineQuery = z.strictObject({ verify: trueOrFalse.optional() });

const coordinate = (min: number, max: number) => z.coerce.number().min(min).max(max);
export const possibleDuplicatesQuery = z.strictObject({
  categoryCode,
  lat: coordinate(-90, 90),
  long: coordinate(-180, 180),
});

export const requesterOrdersQuery = z.strictObject({
  phone: z.string().regex(/^\+?[0-9][0-9 -]{4,19}$/, 'a phone number: digits, spaces or dashes, 5 to 20'),
  limit: limit(50, 20),
});

export const surveyTokenParam = z.string().min(1).max(200);
