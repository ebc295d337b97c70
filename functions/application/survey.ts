import { settleCallback } from '#application/callback-settlement.ts';
import {
  answerCallback,
  type CallbackAnswer,
  satisfiedAnswers,
  solvedAnswers,
  validLink,
} from '#domain/callback.ts';
import { HotlineError } from '#domain/errors.ts';
import { applyLimit } from '#domain/time-limits.ts';
import type { WorkOrder } from '#domain/work-order.ts';
import { clock } from '#shared/platform/clock.ts';
import { type Claim, claimPut, idempotent } from '#shared/platform/idempotency.ts';
import { callbackRules, referenceData, timeLimits, workingCalendar } from '#shared/platform/reference.ts';
import { retryOnConcurrentUpdate } from '#shared/platform/retry.ts';
import { hashSurveyToken, parseSurveyToken } from '#shared/platform/survey-links.ts';
import { readOrder, type StoredOrder, saveChange } from '#shared/stores/order-store.ts';

/**
 * The requester's call-back by link (回访), without a login: the link's token is the credential, valid
 * while its round is open and until it expires, and once — the first answer ends the round. A link we
 * never sent (404) and one that ended (410) are told apart. What is shown is what the order was about
 * and the questions, nothing personal: the requester knows it, and whoever else holds the link does not
 * need it.
 */
export interface SurveyView {
  readonly receivedOn: string;
  readonly category: string;
  readonly unit: string | null;
  readonly reply: { readonly result: string; readonly text: string } | null;
  readonly questions: {
    readonly contactedInTime: readonly boolean[];
    readonly solved: readonly string[];
    readonly satisfied: readonly string[];
    readonly comment: string;
  };
}

const linkExpiredOrUsed = () =>
  new HotlineError(
    'gone',
    'SURVEY_LINK_USED_OR_EXPIRED',
    'This survey link was already used or has expired. Call 12345 if the problem is not solved.',
  );
const unknownLink = () =>
  new HotlineError('notFound', 'SURVEY_LINK_UNKNOWN', 'There is no survey at this link.');

/** The order a link names, as stored (undefined for a link that is not one of ours). */
const readSurvey = async (token: string): Promise<StoredOrder | undefined> => {
  const parsed = parseSurveyToken(token);
  return parsed ? readOrder(parsed.orderId) : undefined;
};

/** The order of a valid link, or the 404 / 410 that tells why it is not. */
const validSurvey = (stored: StoredOrder | undefined, token: string, nowMs: number): StoredOrder => {
  const hash = hashSurveyToken(token);
  const ours = stored?.order.callback?.links?.some((l) => l.hash === hash);
  if (!stored || !ours) throw unknownLink();
  if (!validLink(stored.order, hash, nowMs)) throw linkExpiredOrUsed();
  return stored;
};

const viewOf = (order: WorkOrder): SurveyView => ({
  receivedOn: order.receivedAt.slice(0, 10),
  category: referenceData.category(order.categoryCode)?.name ?? order.categoryCode,
  unit: order.unitId ? (referenceData.unit(order.unitId)?.name ?? order.unitId) : null,
  reply: order.reply ? { result: order.reply.result, text: order.reply.text } : null,
  questions: {
    contactedInTime: [true, false],
    solved: solvedAnswers,
    satisfied: satisfiedAnswers,
    comment: 'optional, at most 1000 characters',
  },
});

/** What a valid link shows. */
export const surveyOf = async (token: string): Promise<SurveyView> =>
  viewOf(validSurvey(await readSurvey(token), token, clock.now()).order);

/** The order a token names (to key an Idempotency-Key's claim by), if it is one of ours in shape. */
export const surveyOrderIdOf = (token: string): string | undefined => parseSurveyToken(token)?.orderId;

/**
 * The answer saved (an unhappy one reopens the order), then the round settled; `replayed` when a claim
 * for the same answer was made before (a resent answer is a replay, not a 410).
 */
export const answerSurvey = async (
  token: string,
  answer: CallbackAnswer,
  claim: Claim | undefined,
): Promise<{ readonly replayed: boolean }> => {
  // The operator may answer at the same moment, or the workflow move the order: read again.
  const saved = await retryOnConcurrentUpdate(() =>
    idempotent<WorkOrder | undefined, StoredOrder | undefined>(claim, {
      load: () => readSurvey(token),
      act: async (claim, read) => {
        const nowMs = clock.now();
        const stored = validSurvey(read, token, nowMs);
        const change = answerCallback(stored.order, {
          answer,
          via: 'link',
          actor: { kind: 'requester', via: 'survey_link' },
          nowMs,
          maxReopenings: callbackRules.maxReopenings,
          resolveBy: applyLimit(nowMs, timeLimits.reopened.resolve, workingCalendar),
        });
        const claimed = claim ? { claim: claimPut(claim, { version: change.order.version }) } : {};
        return (await saveChange(stored, change, claimed)).order;
      },
      replay: async () => undefined,
    }),
  );
  // Once the answer is saved (idempotent, and run again by the round's remaining schedules).
  if (saved) await settleCallback(saved);
  return { replayed: saved === undefined };
};
