import { settleCallback } from '#application/callback-settlement.ts';
import { attemptStep, callbackUnreachable, mayOpenAttempt, openCallbackAttempt } from '#domain/callback.ts';
import { applyLimit } from '#domain/time-limits.ts';
import { type AttemptInput, attemptMoment, scheduleAttempt } from '#shared/gateways/callback-schedules.ts';
import type { MessageSender } from '#shared/gateways/message-senders.ts';
import { clock } from '#shared/platform/clock.ts';
import { logger } from '#shared/platform/logger.ts';
import { callbackRules, workingCalendar } from '#shared/platform/reference.ts';
import { retryOnConcurrentUpdate } from '#shared/platform/retry.ts';
import { hashSurveyToken } from '#shared/platform/survey-links.ts';
import { callbackTaskOf, putCallbackTask } from '#shared/stores/callback-task-store.ts';
import { readOrder, type StoredOrder, saveChange } from '#shared/stores/order-store.ts';
import { queueSurveyMessages, sendQueuedSurveyMessages } from './survey-messages.ts';

/**
 * Attempt n of a round's call-back, as its schedule fires (domain/callback.ts `attemptStep` says which
 * step it is): it opens — the operators' task, the survey messages, and the schedule of attempt n + 1
 * for when this one runs out —, or it is the final check and the requester is unreachable, or the
 * round ended and is only settled again. A firing delivered twice finds its attempt open and its
 * messages in the outbox, and sends nothing twice.
 */
export type AttemptOutcome = 'superseded' | 'settled' | 'opened' | 'unreachable';

export const runCallbackAttempt = (input: AttemptInput, sender: MessageSender): Promise<AttemptOutcome> =>
  retryOnConcurrentUpdate(() => attempt(input, sender));

const attempt = async (input: AttemptInput, sender: MessageSender): Promise<AttemptOutcome> => {
  const stored = await readOrder(input.orderId);
  const callback = stored?.order.callback;
  const step = attemptStep(callback, input, callbackRules);
  if (!stored || !callback || step === 'superseded') {
    // A later round (after a reopening) has the order's call-back now: this firing is obsolete.
    logger.info('Call-back attempt of an earlier round: nothing to do', { ...input });
    return 'superseded';
  }
  if (step === 'settle') {
    await settleCallback(stored.order);
    return 'settled';
  }
  const nowMs = clock.now();
  if (step === 'unreachable') {
    const change = callbackUnreachable(stored.order, { round: input.round, nowMs });
    if (!change) {
      logger.warn('Final check of a round that never opened', { ...input, state: callback.state });
      return 'superseded';
    }
    await settleCallback((await saveChange(stored, change)).order);
    return 'unreachable';
  }

  const nextCheckAt = attemptMoment(applyLimit(nowMs, callbackRules.retryAfter, workingCalendar), nowMs);
  const opened = mayOpenAttempt(callback, input.attempt)
    ? await openAttempt(stored, input, nowMs, nextCheckAt)
    : stored;
  const open = opened.order.callback;
  if (open?.state !== 'open' || open.attempts !== input.attempt) {
    // A late replay of an earlier attempt: the later one already runs, with its own schedule.
    return 'superseded';
  }
  // A replay after a crash: whatever this attempt queued and did not send goes out now.
  await sendQueuedSurveyMessages(input, sender, clock.now);
  const task = callbackTaskOf(opened.order);
  if (task) await putCallbackTask(task);
  await scheduleAttempt({ ...input, attempt: input.attempt + 1 }, Date.parse(open.nextCheckAt ?? ''));
  return 'opened';
};

/** Queues the attempt's messages (reusing a link a first try already queued), then saves it open. */
const openAttempt = async (
  stored: StoredOrder,
  input: AttemptInput,
  nowMs: number,
  nextCheckAt: number,
): Promise<StoredOrder> => {
  const messages = await queueSurveyMessages(stored.order, input, nowMs, nextCheckAt);
  const link = messages[0]?.link;
  const change = openCallbackAttempt(stored.order, {
    ...input,
    nowMs,
    nextCheckAt,
    ...(link
      ? {
          link: {
            hash: hashSurveyToken(link.split('/').at(-1) ?? ''),
            channels: messages.map((m) => m.channel),
          },
        }
      : {}),
  });
  return change ? saveChange(stored, change) : stored;
};
