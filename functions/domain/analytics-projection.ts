import { latLngToCell } from 'h3-js';
import { normaliseAddress } from '#domain/normalise.ts';
import type { AnalyticsRow } from './analytics-row.ts';
import {
  type AssessmentEvent,
  contributionOf,
  type ExclusionReason,
  exclusionFact,
  factsFromCallback,
  factsFromClosedOrder,
  mergeFact,
  type OrderFacts,
} from './assessment.ts';
import { CST_OFFSET_MS, chinaDateOf, chinaMonthOf, HOUR_MS, weekdayOf } from './china-time.ts';
import type { OrderEvent } from './order-events.ts';
import type { ReferenceData } from './reference-data.ts';
import type { OrderFlag, WorkOrder } from './work-order.ts';

/**
 * An order as the analytics store sees it (functions/domain/analytics-row.ts): one row for the order's
 * current version, built from the order item and its event log. Pure: the keyed hash (HMAC with the
 * deployment's secret) is given by the caller.
 *
 * No personal data leaves here in clear: the requester and the address only as keyed hashes, and none
 * of the free texts (description, notes, replies, call-back comments) is copied.
 *
 * The assessment columns are not a second set of rules: the order's events become the very
 * `AssessmentEvent`s that the live aggregate applies (factsFromClosedOrder at each closing,
 * factsFromCallback at each ended call-back round, exclusionFact at each exclusion), folded with
 * `mergeFact`, and `contributionOf` says whether and how the order counts.
 */
export interface ProjectionContext {
  readonly reference: ReferenceData;
  /** HMAC-SHA-256 (hex) of a text with the deployment's analytics key. */
  readonly keyedHash: (text: string) => string;
}

// The texts hashed (normalise.ts): re-exported where the analytics projection has always offered them.
export { normaliseAddress, normalisePhone } from '#domain/normalise.ts';

/**
 * What identifies a requester across orders, as the text that is hashed: the contact hash the intake
 * made of the phone, else the credit code, else the name (requester-privacy.ts), so the analytics path
 * never needs the contact in clear; hashed again with the analytics key, the analytics store cannot be
 * joined with the table's hashes without both keys. Undefined when anonymous or nothing identifies them.
 */
export const requesterIdentity = (requester: WorkOrder['requester']): string | undefined =>
  requester.anonymous || !requester.contact?.requesterHash
    ? undefined
    : `requester:${requester.contact.requesterHash}`;

/** The text an address is hashed as (its kind in front, like the requester's). */
export const addressIdentity = (address: string | undefined): string | undefined =>
  address && normaliseAddress(address) ? `address:${normaliseAddress(address)}` : undefined;

const str = (value: unknown): string | undefined => (typeof value === 'string' ? value : undefined);

/**
 * The assessment events of an order's log, in log order, exactly as the live path derives them:
 * `WorkOrder Closed` (with the round, unit and flags of that moment), each call-back round's end, and
 * each exclusion. The flags of a moment are replayed from the log (missed deadlines and supervision
 * steps add theirs; a re-dispatch keeps only dispatch_overdue; a reopening keeps the lateness that
 * counts for response), so a reopened order's first closing is judged as it was then.
 */
export const assessmentEventsOf = (
  order: Pick<WorkOrder, 'id' | 'unitId'>,
  events: readonly OrderEvent[],
  reference: ReferenceData,
): AssessmentEvent[] => {
  const facts: AssessmentEvent[] = [];
  let unitId: string | null = null;
  let round = 1;
  let flags = new Set<OrderFlag>();
  for (const event of [...events].sort((a, b) => a.seq - b.seq)) {
    const data = event.data;
    switch (event.type) {
      // Stryker disable next-line ConditionalExpression: falling through to the re-dispatch keeps only dispatch_overdue, the one flag an order can have before its dispatch
      case 'dispatched':
        unitId = str(data.unitId) ?? unitId;
        break;
      case 'redispatched':
        unitId = str(data.unitId) ?? unitId;
        // Stryker disable next-line ArrayDeclaration,ArrowFunction,StringLiteral: these drop dispatch_overdue too, which no fact reads (factsFromClosedOrder reads contact_overdue only)
        flags = new Set([...flags].filter((f) => f === 'dispatch_overdue'));
        break;
      case 'deadline_missed':
      // Stryker disable next-line StringLiteral: supervision steps raise only urged, supervised, notified (supervision.ts ladderFlag), which no fact reads
      case 'supervision':
        // Stryker disable next-line ConditionalExpression: a flag that is not a text cannot be contact_overdue, the only flag the facts read
        if (str(data.flag)) flags.add(data.flag as OrderFlag);
        break;
      case 'reopened':
        round = typeof data.round === 'number' ? data.round : round + 1;
        // Stryker disable next-line MethodExpression,ArrayDeclaration,ArrowFunction,ConditionalExpression,LogicalOperator,EqualityOperator,StringLiteral: a reopening starts round 2 or later, whose closings give no contact fact, so the flags kept here are never read
        flags = new Set([...flags].filter((f) => f === 'dispatch_overdue' || f === 'contact_overdue'));
        break;
      case 'closed': {
        const lead = unitId ?? order.unitId ?? null;
        facts.push(
          ...factsFromClosedOrder(
            {
              orderId: order.id,
              round,
              unitId: lead,
              // Stryker disable next-line StringLiteral: factsFromClosedOrder only tells 'disposed' from any other outcome
              outcome: str(data.outcome) ?? 'handled',
              flags: [...flags],
              closedAt: event.at,
            },
            lead ? reference.unit(lead)?.class : undefined,
          ),
        );
        break;
      }
      case 'callback_answered':
        facts.push(
          ...factsFromCallback(order.id, {
            round: typeof data.round === 'number' ? data.round : round,
            state: 'answered',
            answer: {
              contactedInTime: data.contactedInTime === true,
              solved: data.solved as 'solved' | 'partly' | 'not',
              satisfied: data.satisfied as 'satisfied' | 'basically' | 'not',
              at: event.at,
            },
          }),
        );
        break;
      case 'callback_unreachable':
        facts.push(
          ...factsFromCallback(order.id, {
            round: typeof data.round === 'number' ? data.round : round,
            state: 'unreachable',
            endedAt: event.at,
          }),
        );
        break;
      case 'assessment_excluded':
      case 'assessment_appeal_upheld':
        if (str(data.reason))
          facts.push(exclusionFact(order.id, data.reason as ExclusionReason, Date.parse(event.at)));
        break;
    }
  }
  return facts;
};

/** The order's assessment facts, folded as the aggregate folds them (duplicates by id count once). */
export const assessmentFactsOf = (events: readonly AssessmentEvent[]): OrderFacts => {
  const unique = new Map(events.map((e) => [e.eventId, e]));
  return [...unique.values()].reduce<OrderFacts>((facts, e) => mergeFact(facts, e), {});
};

const hoursBetween = (from: string, to: string): number => (Date.parse(to) - Date.parse(from)) / HOUR_MS;

/** The categories of `code` from level 1 down: the taxonomy's path, else the code's own prefixes. */
const categoryLevels = (code: string, reference: ReferenceData) => {
  const path = reference.categoryPath(code);
  const levels =
    path.length > 0 ? path : [code.slice(0, 2), code.slice(0, 4), code.slice(0, 6)].slice(0, code.length / 2);
  // Stryker disable next-line MethodExpression: levels is empty only for a code shorter than 2 characters, whose slice(0, 2) is itself
  return { l1: levels[0] ?? code.slice(0, 2), l2: levels[1] ?? null, l3: levels[2] ?? null };
};

/** The latest reply of the unit: on the order while it stands, else (rejected, reopened) in the log. */
const latestReply = (order: WorkOrder, events: readonly OrderEvent[]) => {
  const replied = events.filter((e) => e.type === 'replied').sort((a, b) => b.seq - a.seq)[0];
  const fromLog = replied ? { at: replied.at, result: str(replied.data.result) ?? null } : undefined;
  const onOrder = order.reply ? { at: order.reply.at, result: order.reply.result } : undefined;
  if (!fromLog) return onOrder;
  if (!onOrder) return fromLog;
  return Date.parse(onOrder.at) >= Date.parse(fromLog.at) ? onOrder : fromLog;
};

const isoOf = (ms: number): string => new Date(ms).toISOString();

/** The analytics row of the order's current version: every column of analytics-row.ts. */
export const analyticsRowOf = (
  order: WorkOrder,
  events: readonly OrderEvent[],
  context: ProjectionContext,
): AnalyticsRow => {
  const { reference, keyedHash } = context;
  const receivedMs = Date.parse(order.receivedAt);
  const receivedDate = chinaDateOf(receivedMs);
  const category = categoryLevels(order.categoryCode, reference);
  const { lat, long } = order.location;
  const cells =
    lat !== undefined && long !== undefined
      ? { r9: latLngToCell(lat, long, 9), r7: latLngToCell(lat, long, 7) }
      : undefined;
  const requester = requesterIdentity(order.requester);
  const address = addressIdentity(order.location.address);
  const reply = latestReply(order, events);
  const closedAt = order.status === 'closed' ? (order.closedAt ?? null) : null;
  const facts = assessmentFactsOf(assessmentEventsOf(order, events, reference));
  const contribution = contributionOf(facts);
  const answer = facts.callback && 'solved' in facts.callback ? facts.callback : undefined;
  const flag = (f: OrderFlag) => order.flags.includes(f);
  return {
    order_id: order.id,
    version: order.version,
    updated_at: order.updatedAt,
    source: 'live',
    received_at: order.receivedAt,
    received_date: receivedDate,
    received_month: chinaMonthOf(receivedMs),
    received_hour: new Date(receivedMs + CST_OFFSET_MS).getUTCHours(),
    received_weekday: weekdayOf(receivedDate),
    appeal_type: order.appealType,
    channel: order.channel,
    urgency: order.urgency,
    requester_kind: order.requester.kind,
    anonymous: order.requester.anonymous,
    requester_hash: requester ? keyedHash(requester) : null,
    category_code: order.categoryCode,
    category_l1: category.l1,
    category_l2: category.l2,
    category_l3: category.l3,
    district_code: order.location.districtCode,
    street_code: order.location.streetCode ?? null,
    address_hash: address ? keyedHash(address) : null,
    lat: lat ?? null,
    lng: long ?? null,
    h3_r9: cells?.r9 ?? null,
    h3_r7: cells?.r7 ?? null,
    disposition: order.disposition?.kind ?? null,
    repeat_of: order.disposition?.kind === 'repeat' ? order.disposition.originalOrderId : null,
    status: order.status,
    unit_id: order.unitId ?? null,
    unit_class: order.unitId ? (reference.unit(order.unitId)?.class ?? null) : null,
    dispatched_at: order.dispatchedAt ?? null,
    contact_by: order.deadlines.contactBy ?? null,
    resolve_by: order.deadlines.resolveBy ?? null,
    contacted_at: order.contact?.at ?? null,
    replied_at: reply?.at ?? null,
    reply_result: reply?.result ?? null,
    closed_at: closedAt,
    closed_date: closedAt ? chinaDateOf(Date.parse(closedAt)) : null,
    closed_month: closedAt ? chinaMonthOf(Date.parse(closedAt)) : null,
    outcome: closedAt ? (order.closure?.outcome ?? null) : null,
    hours_to_close: closedAt ? hoursBetween(order.receivedAt, closedAt) : null,
    dispatch_overdue: flag('dispatch_overdue'),
    contact_overdue: flag('contact_overdue'),
    overdue: flag('overdue'),
    urged: flag('urged'),
    supervised: flag('supervised'),
    notified: flag('notified'),
    round: order.round ?? 1,
    reopenings: order.reopenings ?? 0,
    callback_state: order.callback?.state ?? null,
    answer_solved: answer?.solved ?? null,
    answer_satisfied: answer?.satisfied ?? null,
    answered_at: answer ? isoOf(answer.seq) : null,
    unreachable: facts.callback !== undefined && 'unreachable' in facts.callback,
    assessed: contribution?.counts.assessed === 1,
    assessed_month: facts.unit?.month ?? null,
    contacted_in_time: facts.contact?.withinLimit ?? null,
    excluded: Boolean(facts.exclusion?.reason),
    exclusion_reason: facts.exclusion?.reason ?? null,
  };
};
