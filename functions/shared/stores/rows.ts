import * as z from 'zod';
import { exclusionReasons, type OrderFacts, type RateCounts } from '#domain/assessment.ts';
import {
  type CallbackReason,
  type CallbackRound,
  type CallbackState,
  satisfiedAnswers,
  solvedAnswers,
} from '#domain/callback.ts';
import type { CatalogueEdit } from '#domain/dispatch-catalogue.ts';
import { type Insight, insightKinds, type SpikeAlert, type TopicChoice } from '#domain/insights.ts';
import type { LifecycleFailure } from '#domain/lifecycle-failure.ts';
import type { Actor, OrderEvent } from '#domain/order-events.ts';
import {
  appealTypes,
  channels,
  type Disposition,
  type dispositionKinds,
  type OrderLocation,
  urgencies,
} from '#domain/order-input.ts';
import type { OrderSummary } from '#domain/order-view.ts';
import type { DuplicateCandidate } from '#domain/possible-duplicates.ts';
import type { PushSubscription } from '#domain/push-subscriptions.ts';
import { pushedEventTypes } from '#domain/pushed-events.ts';
import { unitClasses } from '#domain/reference-data.ts';
import {
  contactPurposes,
  type MaskedContact,
  type SealedContact,
  type StoredRequester,
} from '#domain/requester-privacy.ts';
import {
  type ClosureOutcome,
  contactWays,
  orderFlags,
  orderStatuses,
  replyResults,
  type WorkOrder,
} from '#domain/work-order.ts';
import type { ApiKeyRecord } from '#shared/stores/api-key-store.ts';
import type { CallbackTask } from '#shared/stores/callback-task-store.ts';
import type { ContactRead, ContactReader } from '#shared/stores/contact-read-store.ts';
import type { PendingTask } from '#shared/stores/order-store.ts';
import type { Channel, MessageStatus, OutboxMessage } from '#shared/stores/outbox.ts';

/**
 * What the stores read back from DynamoDB, checked before the rest of the code relies on it: one schema
 * per kind of row, each tied to the type it yields (`z.ZodType<T>`), so a type that drifts from its
 * schema fails type-checking here. Payloads are loose objects: an attribute a schema does not list
 * passes through untouched, so a read-modify-write never drops what a newer writer added. What is
 * checked is what the code relies on: ids and codes as strings, versions and sequence numbers as
 * non-negative integers, statuses, flags and kinds as the domain's lists, times as strings, arrays as
 * arrays, required nested objects present. A row that fails is a CorruptRowError (an internal fault,
 * a 500), never coerced. Every schema is built once, when the module loads.
 */

/** A row that does not have the shape its kind requires: named by its key, with zod's issues. */
export class CorruptRowError extends Error {
  override readonly name = 'CorruptRowError';
  constructor(
    readonly kind: string,
    readonly key: Readonly<Record<string, unknown>>,
    readonly issues: readonly z.core.$ZodIssue[],
    options?: { cause?: unknown },
  ) {
    super(
      `Corrupt ${kind} row ${JSON.stringify(key)}: ${issues
        .map((i) => `${i.path.length > 0 ? i.path.map(String).join('.') : '(row)'}: ${i.message}`)
        .join('; ')}`,
      options,
    );
  }
}

export const isCorruptRowError = (error: unknown): error is CorruptRowError =>
  error instanceof CorruptRowError;

/** The row as its kind, or a CorruptRowError naming `key` (the row's key, or where it was read). */
export const parseRow = <T>(
  schema: z.ZodType<T>,
  kind: string,
  key: Readonly<Record<string, unknown>>,
  row: unknown,
): T => {
  const parsed = schema.safeParse(row);
  if (!parsed.success) throw new CorruptRowError(kind, key, parsed.error.issues, { cause: parsed.error });
  return parsed.data;
};

/** The table key of a row read, for the error (whatever the row holds there). */
export const tableKeyOf = (row: Readonly<Record<string, unknown>>): Record<string, unknown> => ({
  pk: row.pk,
  sk: row.sk,
});

/**
 * A zod enum of every member of the union `T` (a domain type without an exported list): a member the
 * domain adds, and the list misses, fails type-checking here rather than refusing rows at run time.
 */
const everyOf =
  <T extends string>() =>
  <const L extends readonly [T, ...T[]]>(list: L & ([T] extends [L[number]] ? unknown : never)) =>
    z.enum(list);

/**
 * A loose object listing exactly the fields of `T`, optional ones too: a field the type gains or loses
 * fails type-checking here until the schema follows. (Declare the result `z.ZodType<T>` so that the
 * fields' schemas are checked against the type's fields.)
 */
const rowOf =
  <T>() =>
  <const S extends z.ZodRawShape>(
    shape: S & { readonly [K in keyof T]-?: z.ZodType } & {
      readonly [K in Exclude<keyof S, keyof T>]: never;
    },
  ) =>
    z.looseObject(shape as S);

/** A type-level check: it compiles only while `Listed` has every member of `Wanted`. */
type Covers<Listed, Wanted extends Listed> = [Listed, Wanted];

const text = z.string();
const id = z.string().min(1);
const instant = z.string();
const count = z.number().int().nonnegative();
const loose = z.looseObject;

// ---- orders (order-store.ts) ----

const maskedContactRow: z.ZodType<MaskedContact> = rowOf<MaskedContact>()({
  name: text.optional(),
  phone: text.optional(),
  email: text.optional(),
  creditCode: text.optional(),
});

const requesterRow: z.ZodType<StoredRequester> = rowOf<StoredRequester>()({
  kind: everyOf<StoredRequester['kind']>()(['person', 'enterprise']),
  anonymous: z.boolean(),
  declinesCallback: z.boolean(),
  contact: rowOf<SealedContact>()({
    sealed: id,
    requesterHash: z
      .string()
      .regex(/^[0-9a-f]{64}$/)
      .optional(),
    masked: maskedContactRow,
  }).optional(),
  contactErasedAt: instant.optional(),
});

const locationRow: z.ZodType<OrderLocation> = rowOf<OrderLocation>()({
  districtCode: id,
  streetCode: id.optional(),
  address: text.optional(),
  lat: z.number().optional(),
  long: z.number().optional(),
});

type DispositionOf<K extends Disposition['kind']> = Extract<Disposition, { kind: K }>;
const dispositionVariants = z.discriminatedUnion('kind', [
  rowOf<DispositionOf<'emergency_transfer'>>()({
    kind: z.literal('emergency_transfer'),
    transferredTo: everyOf<DispositionOf<'emergency_transfer'>['transferredTo']>()([
      '110',
      '119',
      '120',
      '122',
    ]),
    note: text.optional(),
  }),
  rowOf<DispositionOf<'legal_channel'>>()({
    kind: z.literal('legal_channel'),
    channel: everyOf<DispositionOf<'legal_channel'>['channel']>()([
      'litigation',
      'arbitration',
      'discipline',
      'administrative_review',
      'petition',
    ]),
    note: text.optional(),
  }),
  rowOf<DispositionOf<'repeat'>>()({ kind: z.literal('repeat'), originalOrderId: id, note: text.optional() }),
  rowOf<DispositionOf<'confidential'>>()({ kind: z.literal('confidential'), note: text.optional() }),
  rowOf<DispositionOf<'outside_duty'>>()({ kind: z.literal('outside_duty'), note: text.optional() }),
  rowOf<DispositionOf<'unlawful'>>()({ kind: z.literal('unlawful'), note: text.optional() }),
  rowOf<DispositionOf<'answered'>>()({ kind: z.literal('answered'), answer: text }),
]);
const dispositionRow: z.ZodType<Disposition> = dispositionVariants;
/** Compiles only while every kind of disposition has its variant above. */
type _EveryDisposition = Covers<
  z.output<typeof dispositionVariants>['kind'],
  (typeof dispositionKinds)[number]
>;

type RouteBasis = NonNullable<WorkOrder['routeBasis']>;
type RouteBasisOf<R extends RouteBasis['rule']> = Extract<RouteBasis, { rule: R }>;
const routeBasisVariants = z.discriminatedUnion('rule', [
  rowOf<RouteBasisOf<'catalogue'>>()({ rule: z.literal('catalogue'), categoryCode: id, areaCode: id }),
  rowOf<RouteBasisOf<'district_fallback'>>()({ rule: z.literal('district_fallback'), districtCode: id }),
  rowOf<RouteBasisOf<'dispatcher'>>()({ rule: z.literal('dispatcher') }),
]);
const routeBasisRow: z.ZodType<RouteBasis> = routeBasisVariants;
/** Compiles only while every rule of a route has its variant above. */
type _EveryRouteBasis = Covers<z.output<typeof routeBasisVariants>['rule'], RouteBasis['rule']>;

type Answer = NonNullable<CallbackRound['answer']>;
const callbackState = everyOf<CallbackState>()(['due', 'scheduled', 'open', 'answered', 'unreachable']);
const callbackRoundFields = rowOf<CallbackRound>()({
  round: z.number().int().positive(),
  reason: everyOf<CallbackReason>()(['handled', 'limit_expired']),
  state: callbackState,
  dueAt: instant,
  firstAttemptAt: instant.optional(),
  attempts: count,
  openedAt: instant.optional(),
  lastAttemptAt: instant.optional(),
  nextCheckAt: instant.optional(),
  links: z
    .array(rowOf<NonNullable<CallbackRound['links']>[number]>()({ hash: id, expiresAt: instant }))
    .optional(),
  answer: rowOf<Answer>()({
    contactedInTime: z.boolean(),
    solved: z.enum(solvedAnswers),
    satisfied: z.enum(satisfiedAnswers),
    comment: text.optional(),
    at: instant,
    via: everyOf<Answer['via']>()(['operator', 'link']),
  }).optional(),
  endedAt: instant.optional(),
  reschedules: count.optional(),
});
const callbackRoundRow: z.ZodType<CallbackRound> = callbackRoundFields;

const lifecycleFailureRow: z.ZodType<LifecycleFailure> = rowOf<LifecycleFailure>()({
  state: text,
  error: text,
  cause: text.optional(),
  at: instant,
  execution: id,
  redriveCount: count,
});

/** The fields of a WorkOrder field's object (of an array's element for an array). */
type Part<K extends keyof WorkOrder> =
  NonNullable<WorkOrder[K]> extends readonly (infer E)[] ? E : NonNullable<WorkOrder[K]>;

const deadlinesRow = rowOf<Part<'deadlines'>>()({
  dispatchBy: instant,
  contactBy: instant.optional(),
  resolveBy: instant.optional(),
});
const closureRow = rowOf<Part<'closure'>>()({
  outcome: everyOf<ClosureOutcome>()(['handled', 'disposed', 'expired']),
});

const workOrderFields = rowOf<WorkOrder>()({
  id,
  version: count,
  status: z.enum(orderStatuses),
  flags: z.array(z.enum(orderFlags)),
  appealType: z.enum(appealTypes),
  categoryCode: id,
  description: text,
  channel: z.enum(channels),
  urgency: z.enum(urgencies),
  requester: requesterRow,
  location: locationRow,
  disposition: dispositionRow.optional(),
  mediaUrl: text.optional(),
  receivedAt: instant,
  receivedBy: rowOf<Part<'receivedBy'>>()({ sub: id, role: id, app: text.optional() }),
  unitId: id.optional(),
  coUnitIds: z.array(id),
  copiedUnitIds: z.array(id),
  routeBasis: routeBasisRow.optional(),
  dispatchedAt: instant.optional(),
  redispatchCount: count.optional(),
  objectionCount: count.optional(),
  pendingObjection: rowOf<Part<'pendingObjection'>>()({ reason: text, at: instant, by: id }).optional(),
  acceptedAt: instant.optional(),
  contact: rowOf<Part<'contact'>>()({
    at: instant,
    way: z.enum(contactWays),
    note: text.optional(),
  }).optional(),
  pendingExtension: rowOf<Part<'pendingExtension'>>()({
    days: z.number(),
    reason: text,
    at: instant,
    by: id,
    proposedResolveBy: instant,
  }).optional(),
  coReports: z.array(rowOf<Part<'coReports'>>()({ unitId: id, at: instant })).optional(),
  escalations: z.array(rowOf<Part<'escalations'>>()({ to: id, at: instant })).optional(),
  extensionRequests: count.optional(),
  deadlines: deadlinesRow,
  reply: rowOf<Part<'reply'>>()({ result: z.enum(replyResults), text, at: instant, by: id }).optional(),
  replyRejections: count.optional(),
  pendingAppeal: rowOf<Part<'pendingAppeal'>>()({ reason: text, at: instant, by: id }).optional(),
  checkpointsDone: z.array(text).optional(),
  actionCount: count.optional(),
  idleWaits: count.optional(),
  closedAt: instant.optional(),
  closure: closureRow.optional(),
  round: z.number().int().positive().optional(),
  reopenings: count.optional(),
  callback: callbackRoundRow.optional(),
  lifecycleFailure: lifecycleFailureRow.optional(),
  updatedAt: instant,
});
export const workOrderRow: z.ZodType<WorkOrder> = workOrderFields;

const lastEventRow = loose({ seq: count, hash: text });

/** The order's item (sk #ORDER): the order, its version and the head of its event log. */
export const orderItemRow = loose({ order: workOrderRow, version: count, lastEvent: lastEventRow });

/** The waiting task of an order's execution (sk #TASK); its token is never shown to callers. */
const pendingTaskShape: z.ZodType<PendingTask> = rowOf<PendingTask>()({
  awaiting: z.literal('action'),
  token: id,
  since: instant,
});
export const pendingTaskRow = loose({ task: pendingTaskShape });

const actorRow: z.ZodType<Actor> = z.discriminatedUnion('kind', [
  loose({ kind: z.literal('person'), sub: id, role: id, unitId: id.optional() }),
  loose({
    kind: z.literal('system'),
    name: everyOf<Extract<Actor, { kind: 'system' }>['name']>()([
      'workflow',
      'intake',
      'callbacks',
      'retention',
    ]),
  }),
  loose({ kind: z.literal('requester'), via: z.literal('survey_link') }),
]);

export const orderEventRow: z.ZodType<OrderEvent> = rowOf<OrderEvent>()({
  orderId: id,
  seq: z.number().int().positive(),
  type: id,
  at: instant,
  actor: actorRow,
  data: z.record(z.string(), z.unknown()),
  prevHash: text,
  hash: text,
});

/** An event of an order's log (sk EVENT#<seq>). */
export const eventItemRow = loose({ event: orderEventRow });

type SummaryPart<K extends keyof OrderSummary> = NonNullable<OrderSummary[K]>;
export const orderSummaryRow: z.ZodType<OrderSummary> = rowOf<OrderSummary>()({
  id,
  version: count,
  status: z.enum(orderStatuses),
  flags: z.array(z.enum(orderFlags)),
  appealType: z.enum(appealTypes),
  categoryCode: id,
  urgency: z.enum(urgencies),
  channel: z.enum(channels),
  title: text,
  location: rowOf<SummaryPart<'location'>>()({ districtCode: id, streetCode: id.optional() }),
  unitId: id.optional(),
  coUnitIds: z.array(id),
  copiedUnitIds: z.array(id),
  deadlines: deadlinesRow,
  receivedAt: instant,
  updatedAt: instant,
  closure: closureRow.optional(),
  round: z.number().int().positive().optional(),
  callback: rowOf<SummaryPart<'callback'>>()({
    round: z.number().int().positive(),
    state: callbackState,
  }).optional(),
  lifecycleFailure: rowOf<SummaryPart<'lifecycleFailure'>>()({ state: text, at: instant }).optional(),
});

/** An order's item as a listing index (byUnit, byDistrict, byDay) projects it. */
export const summaryItemRow = loose({ pk: id, sk: id, summary: orderSummaryRow });

// ---- possible duplicates (nearby-orders.ts) ----

export const duplicateCandidateRow: z.ZodType<DuplicateCandidate> = rowOf<DuplicateCandidate>()({
  id,
  categoryCode: id,
  receivedAt: instant,
  status: z.enum(orderStatuses),
  title: text,
  lat: z.number(),
  long: z.number(),
});

/** An order's item as the byPlace index projects it (only `duplicateCandidate`, maybe absent). */
export const candidateItemRow = loose({ duplicateCandidate: duplicateCandidateRow.optional() });

// ---- call-back tasks (callback-task-store.ts) ----

export const callbackTaskShape: z.ZodType<CallbackTask> = rowOf<CallbackTask>()({
  orderId: id,
  round: z.number().int().positive(),
  attempt: count,
  openedAt: instant,
  lastAttemptAt: instant,
  nextCheckAt: instant,
  reason: text,
  unitId: id.nullable(),
  categoryCode: id,
  linkSent: z.boolean(),
});

/** The task of an open call-back round (pk CALLBACK#OPEN). */
export const callbackTaskItemRow = loose({ task: callbackTaskShape });

// ---- assessment (assessment-store.ts) ----

type Fact<K extends keyof OrderFacts> = NonNullable<OrderFacts[K]>;
const orderFactsRow: z.ZodType<OrderFacts> = rowOf<OrderFacts>()({
  unit: rowOf<Fact<'unit'>>()({
    unitId: id,
    unitClass: z.enum(unitClasses),
    month: id,
    seq: count,
  }).optional(),
  contact: rowOf<Fact<'contact'>>()({
    withinLimit: z.boolean(),
    seq: count,
    source: everyOf<NonNullable<Fact<'contact'>['source']>>()(['unit', 'requester']).optional(),
  }).optional(),
  // Unreachable first: an answer has no `unreachable`, so it never matches that variant.
  callback: z
    .union([
      rowOf<Extract<Fact<'callback'>, { unreachable: true }>>()({ unreachable: z.literal(true), seq: count }),
      rowOf<Extract<Fact<'callback'>, { solved: unknown }>>()({
        solved: z.enum(solvedAnswers),
        satisfied: z.enum(satisfiedAnswers),
        seq: count,
      }),
    ])
    .optional(),
  exclusion: rowOf<Fact<'exclusion'>>()({
    reason: z.enum(exclusionReasons).nullable(),
    seq: count,
  }).optional(),
});

/** An order's assessment facts (sk #FACTS): the facts, the event ids applied, and a version. */
export const factsItemRow = loose({ facts: orderFactsRow, applied: z.array(id), version: count });

const counter = z.number().int().default(0);
/** A unit-month's counters; a counter never written reads as zero. Only the counters are kept. */
export const countsItemRow: z.ZodType<RateCounts> = z.object({
  assessed: counter,
  respondedInTime: counter,
  answered: counter,
  solved: counter,
  partlySolved: counter,
  satisfied: counter,
  basicallySatisfied: counter,
  unreachable: counter,
  excluded: counter,
});

// ---- dispatch catalogue (catalogue-store.ts) ----

/** The catalogue's version (sk #VERSION). */
export const catalogueVersionRow = loose({ version: count });

const catalogueEditRow: z.ZodType<CatalogueEdit> = rowOf<CatalogueEdit>()({
  categoryCode: id,
  areaCode: id,
  leadUnitId: id,
  coUnitIds: z.array(id),
  note: text.optional(),
  removed: z.boolean().optional(),
});

/** An edit of one catalogue line (sk LINE#<category>|<area>). */
export const catalogueEditItemRow = loose({ edit: catalogueEditRow });

// ---- insights (insight-store.ts) ----

/** An insight's item without its key: how it was made, and its result as gzip'd JSON. */
type StoredInsight = Omit<Insight, 'result'> & { readonly result: Uint8Array };
export const insightItemRow: z.ZodType<StoredInsight> = rowOf<StoredInsight>()({
  kind: z.enum(insightKinds),
  period: id,
  computedAt: instant,
  runId: id,
  stats: z.record(z.string(), z.unknown()),
  result: z.instanceof(Uint8Array),
});

export const spikeAlertRow: z.ZodType<SpikeAlert> = rowOf<SpikeAlert>()({
  id,
  day: id,
  categoryCode: id,
  areaLevel: everyOf<SpikeAlert['areaLevel']>()(['district', 'street']),
  areaCode: id,
  method: id,
  observed: z.number(),
  expected: z.number(),
  statistic: z.number(),
  threshold: z.number(),
  detectedAt: instant,
  runId: id,
});

/** An alert (pk INSIGHT#ALERT) and whether it has been published. */
export const alertItemRow = loose({ alert: spikeAlertRow, published: z.boolean() });

export const topicChoiceRow: z.ZodType<TopicChoice> = rowOf<TopicChoice>()({
  categoryCode: id,
  note: text.optional(),
  month: id,
  by: id,
  at: instant,
});

/** A month's topic choice (pk INSIGHT#TOPIC-CHOICE). */
export const topicChoiceItemRow = loose({ choice: topicChoiceRow });

// ---- idempotency claims (platform/idempotency.ts) ----

/** A claim: the request's hash, its expiry when kept on its own, and what repeats are answered from. */
export const claimItemRow = loose({ requestHash: id, expiresAt: z.number().optional() });

// ---- Open311 keys (api-key-store.ts) ----

/** An app's key (pk OPEN311#KEYS): its record and the SHA-256 of the key, never the key. */
const apiKeyFields = rowOf<ApiKeyRecord & { keyHash: string }>()({
  keyId: id,
  app: text,
  ratePerMinute: z.number().int().positive(),
  createdAt: instant,
  createdBy: id,
  revokedAt: instant.optional(),
  revokedBy: id.optional(),
  keyHash: z.string().regex(/^[0-9a-f]{64}$/),
});
export const apiKeyItemRow: z.ZodType<ApiKeyRecord & { keyHash: string }> = apiKeyFields;

// ---- push subscriptions (push-subscription-store.ts) ----

/** A unit's subscription (pk PUSH#UNIT#<unit id>): no secret, it is derived (push-subscriptions.ts). */
const pushSubscriptionFields = rowOf<PushSubscription>()({
  subscriptionId: id,
  unitId: id,
  url: text,
  events: z.array(z.enum(pushedEventTypes)),
  description: text.optional(),
  state: z.enum(['provisioning', 'active']),
  generation: z.number().int().positive(),
  previousSecretUntil: instant.optional(),
  createdAt: instant,
  createdBy: id,
});
export const pushSubscriptionRow: z.ZodType<PushSubscription> = pushSubscriptionFields;
/** The same, for the API document, which extends it. */
export const pushSubscriptionShape = pushSubscriptionFields;

// ---- contact reads (contact-read-store.ts) ----

const contactReaderRow: z.ZodType<ContactReader> = z.discriminatedUnion('kind', [
  loose({ kind: z.literal('person'), sub: id, role: id, unitId: id.optional() }),
  loose({ kind: z.literal('system'), name: z.literal('callbacks') }),
]);

/** One opening of a sealed contact (pk ORDER#<id> or CONTACTREADS#<day>). */
export const contactReadRow: z.ZodType<ContactRead> = rowOf<ContactRead>()({
  readId: id,
  orderId: id,
  at: instant,
  by: contactReaderRow,
  purpose: everyOf<ContactRead['purpose']>()([...contactPurposes, 'callback_message']),
  note: text.optional(),
});
export const contactReadItemRow = loose({ read: contactReadRow });

// ---- outbox (outbox.ts, its own table) ----

/** A message to a requester (key `id`): the item is the message. */
export const outboxMessageRow: z.ZodType<OutboxMessage> = rowOf<OutboxMessage>()({
  id,
  orderId: id,
  round: z.number().int().positive(),
  attempt: count,
  channel: everyOf<Channel>()(['sms', 'email']),
  toSealed: id,
  toMasked: text,
  subject: text,
  text,
  link: text,
  status: everyOf<MessageStatus>()(['queued', 'sent', 'held', 'failed']),
  createdAt: instant,
  sentAt: instant.optional(),
  providerMessageId: text.optional(),
  error: text.optional(),
  expiresAt: z.number().int(),
});

// ---- the API's views (shared/contract/responses.ts builds on the rows) ----

/** The order's and its call-back round's fields as zod objects, which the API's order view extends. */
export const orderViewBases = { order: workOrderFields, callbackRound: callbackRoundFields } as const;

/** An Open311 key's record as the API shows it: the row without the key's hash. */
export const apiKeyRecordRow = apiKeyFields.omit({ keyHash: true });
