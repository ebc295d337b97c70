import * as z from 'zod';
import { exclusionReasons } from '#domain/assessment.ts';
import { callbackAnswerSchema } from '#domain/callback.ts';
import { meaningfulText } from '#domain/text.ts';
import { EXTENSION_DAYS } from '#domain/unit-actions.ts';
import { contactWays, replyResults } from '#domain/work-order.ts';

/**
 * The body of every action on an order (POST /orders/{id}/<action>), by the route's last segment. The
 * actions (application/order-actions.ts, assessment-actions.ts) parse with these very schemas, and the
 * API document (openapi.ts) is generated from them: what is documented is what is checked.
 */
const unitId = z.string().min(1).max(64);
// Free text is never blank nor carries control characters (domain/text.ts).
const text = meaningfulText(4000);
const note = meaningfulText(1000);

export const orderActionBodies = {
  dispatch: z.strictObject({ unitId, coUnitIds: z.array(unitId).max(10).default([]), note: note.optional() }),
  accept: z.strictObject({ note: note.optional() }),
  objection: z.strictObject({ reason: note }),
  'objection-decision': z.discriminatedUnion('decision', [
    z.strictObject({
      decision: z.literal('redispatch'),
      unitId,
      coUnitIds: z.array(unitId).max(10).default([]),
      note: note.optional(),
    }),
    z.strictObject({ decision: z.literal('confirm'), note }),
  ]),
  contact: z.strictObject({
    at: z.iso.datetime({ offset: true }).optional(),
    way: z.enum(contactWays),
    note: note.optional(),
  }),
  progress: z.strictObject({ text }),
  'co-handling': z.strictObject({ unitIds: z.array(unitId).min(1).max(10), note }),
  'co-handling-report': z.strictObject({ text }),
  summon: z.strictObject({ unitIds: z.array(unitId).min(1).max(10), note }),
  // The domain's bounds, so that a request out of them is refused with the field named, before any read.
  extension: z.strictObject({
    days: z.number().int().min(EXTENSION_DAYS.min).max(EXTENSION_DAYS.max),
    reason: note,
  }),
  'extension-decision': z.strictObject({ approve: z.boolean(), note: note.optional() }),
  escalation: z.strictObject({ to: z.enum(['district', 'city', 'regulator']), reason: note }),
  reply: z.strictObject({ result: z.enum(replyResults), text }),
  'reply-review': z.discriminatedUnion('decision', [
    z.strictObject({ decision: z.literal('accept') }),
    z.strictObject({ decision: z.literal('reject'), reason: note }),
  ]),
  // 回访: the operator called the requester back — their answers, or that nobody answered this time.
  callback: z.discriminatedUnion('reached', [
    callbackAnswerSchema.extend({ reached: z.literal(true) }),
    z.strictObject({ reached: z.literal(false), note }),
  ]),
} as const;

const reason = z.enum(exclusionReasons);

export const assessmentActionBodies = {
  'assessment-exclusion': z.strictObject({ reason, note }),
  'assessment-appeal': z.strictObject({ reason: note }),
  'assessment-appeal-decision': z.discriminatedUnion('decision', [
    z.strictObject({ decision: z.literal('exclude'), reason, note }),
    z.strictObject({ decision: z.literal('keep'), note }),
  ]),
} as const;
