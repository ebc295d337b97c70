import { exclusionReasons } from '../../functions/domain/assessment.ts';
import { satisfiedAnswers, solvedAnswers } from '../../functions/domain/callback.ts';
import { appealTypes, channels, dispositionKinds, urgencies } from '../../functions/domain/order-input.ts';
import { unitClasses } from '../../functions/domain/reference-data.ts';
import { orderStatuses, replyResults } from '../../functions/domain/work-order.ts';

/**
 * A month of generated orders as columns of small integer codes and doubles (no strings, no
 * objects): what the model writes and the Parquet writer reads. Code 0 of every coded column means
 * NULL; code k is entry k of its list below (the same lists as the schema's vocabulary). Instants are
 * milliseconds since the epoch, −1 for NULL.
 */
const withNull = <T extends string>(values: readonly T[]): readonly ('' | T)[] => ['', ...values];

export const codeLists = {
  appeal_type: withNull(appealTypes),
  channel: withNull(channels),
  urgency: withNull(urgencies),
  requester_kind: withNull(['person', 'enterprise'] as const),
  disposition: withNull(dispositionKinds),
  status: withNull(orderStatuses),
  unit_class: withNull(unitClasses),
  reply_result: withNull(replyResults),
  outcome: withNull(['handled', 'expired', 'disposed'] as const),
  callback_state: withNull(['due', 'scheduled', 'open', 'answered', 'unreachable'] as const),
  answer_solved: withNull(solvedAnswers),
  answer_satisfied: withNull(satisfiedAnswers),
  exclusion_reason: withNull(exclusionReasons),
} as const;

/** The code of a value in its list (build-time lookups; hot paths use the constants below). */
export const codeOf = <K extends keyof typeof codeLists>(
  list: K,
  value: (typeof codeLists)[K][number],
): number => {
  const i = (codeLists[list] as readonly string[]).indexOf(value);
  if (i <= 0) throw new Error(`No code for ${String(value)} in ${list}.`);
  return i;
};

export const STATUS = {
  received: codeOf('status', 'received'),
  awaiting_dispatch: codeOf('status', 'awaiting_dispatch'),
  dispatched: codeOf('status', 'dispatched'),
  accepted: codeOf('status', 'accepted'),
  replied: codeOf('status', 'replied'),
  closed: codeOf('status', 'closed'),
};
export const OUTCOME = {
  handled: codeOf('outcome', 'handled'),
  expired: codeOf('outcome', 'expired'),
  disposed: codeOf('outcome', 'disposed'),
};
export const CALLBACK = {
  scheduled: codeOf('callback_state', 'scheduled'),
  open: codeOf('callback_state', 'open'),
  answered: codeOf('callback_state', 'answered'),
  unreachable: codeOf('callback_state', 'unreachable'),
};
export const REPLY = {
  resolved: codeOf('reply_result', 'resolved'),
  partly_resolved: codeOf('reply_result', 'partly_resolved'),
  unresolved: codeOf('reply_result', 'unresolved'),
  explained: codeOf('reply_result', 'explained'),
};
export const SOLVED = { solved: 1, partly: 2, not: 3 };
export const SATISFIED = { satisfied: 1, basically: 2, not: 3 };
export const DISPOSITION = Object.fromEntries(
  dispositionKinds.map((k) => [k, codeOf('disposition', k)]),
) as Record<(typeof dispositionKinds)[number], number>;
export const EXCLUSION = Object.fromEntries(
  exclusionReasons.map((k) => [k, codeOf('exclusion_reason', k)]),
) as Record<(typeof exclusionReasons)[number], number>;

/** Bits of `flags`. */
export const FLAG = {
  dispatch_overdue: 1,
  contact_overdue: 2,
  overdue: 4,
  urged: 8,
  supervised: 16,
  notified: 32,
  unreachable: 64,
  assessed: 128,
  excluded: 256,
} as const;

export const allocateBatch = (n: number) => ({
  size: n,
  received: new Float64Array(n),
  /** 80 "random" bits of the ULID: 32 + 32 + 16. */
  idA: new Uint32Array(n),
  idB: new Uint32Array(n),
  idC: new Uint16Array(n),
  dayOfMonth: new Uint8Array(n),
  hour: new Uint8Array(n),
  weekday: new Uint8Array(n),
  appeal: new Uint8Array(n),
  channel: new Uint8Array(n),
  urgency: new Uint8Array(n),
  kind: new Uint8Array(n),
  anonymous: new Uint8Array(n),
  declines: new Uint8Array(n),
  /** Requester id (−1: anonymous); hashed only when written. */
  requester: new Float64Array(n),
  leaf: new Uint16Array(n),
  street: new Uint16Array(n),
  place: new Int32Array(n),
  disposition: new Uint8Array(n),
  /** Row (in this month) of the original of a repeat disposition, −1. */
  repeatOf: new Int32Array(n),
  status: new Uint8Array(n),
  unit: new Int32Array(n),
  dispatched: new Float64Array(n),
  contactBy: new Float64Array(n),
  resolveBy: new Float64Array(n),
  contacted: new Float64Array(n),
  replied: new Float64Array(n),
  closed: new Float64Array(n),
  answered: new Float64Array(n),
  updated: new Float64Array(n),
  /** When it last closed (its assessment month), even if reopened since; −1. */
  lastClosed: new Float64Array(n),
  replyResult: new Uint8Array(n),
  outcome: new Uint8Array(n),
  flags: new Uint16Array(n),
  round: new Uint8Array(n),
  callbackState: new Uint8Array(n),
  answerSolved: new Uint8Array(n),
  answerSatisfied: new Uint8Array(n),
  /** 0 NULL, 1 false, 2 true. */
  contactedInTime: new Uint8Array(n),
  exclusion: new Uint8Array(n),
  version: new Uint8Array(n),
  /** Planted fact of the row (its index), −1 for the base model: for the summary only, not written. */
  fact: new Int8Array(n),
});
export type MonthBatch = ReturnType<typeof allocateBatch>;

/** An order's handling fields back to "never handled": before a life is played, or after a disposition. */
export const clearHandling = (b: MonthBatch, i: number): void => {
  b.unit[i] = -1;
  b.dispatched[i] = -1;
  b.contactBy[i] = -1;
  b.resolveBy[i] = -1;
  b.contacted[i] = -1;
  b.replied[i] = -1;
  b.closed[i] = -1;
  b.lastClosed[i] = -1;
  b.answered[i] = -1;
  b.replyResult[i] = 0;
  b.outcome[i] = 0;
  b.flags[i] = 0;
  b.round[i] = 1;
  b.callbackState[i] = 0;
  b.answerSolved[i] = 0;
  b.answerSatisfied[i] = 0;
  b.contactedInTime[i] = 0;
  b.exclusion[i] = 0;
};
