import middy from '@middy/core';
import * as z from 'zod';
import { callbackUnreachable, mayOpenAttempt, openCallbackAttempt } from '#domain/callback.ts';
import { surveyMessage } from '#domain/survey-message.ts';
import { applyLimit } from '#domain/time-limits.ts';
import type { WorkOrder } from '#domain/work-order.ts';
import { type AttemptInput, attemptMoment, scheduleAttempt } from '#shared/callback-schedules.ts';
import { settleCallback } from '#shared/callback-settlement.ts';
import { putCallbackTask } from '#shared/callback-task-store.ts';
import { clock } from '#shared/clock.ts';
import { logger } from '#shared/logger.ts';
import { senderFromEnv } from '#shared/message-senders.ts';
import { readOrder, type StoredOrder, saveChange } from '#shared/order-store.ts';
import {
  type Channel,
  markMessage,
  messageIdOf,
  type OutboxMessage,
  queueMessage,
  readMessage,
} from '#shared/outbox.ts';
import { callbackRules, referenceData, workingCalendar } from '#shared/reference.ts';
import { retryOnConcurrentUpdate } from '#shared/retry.ts';
import { hashSurveyToken, newSurveyToken, surveyLinkOf } from '#shared/survey-links.ts';

/**
 * Target of the call-back schedules (EventBridge Scheduler): attempt n of a round.
 *   n ≤ attempts: the attempt opens — the operators' task, and a survey link by SMS and/or e-mail where
 *                 the requester gave a phone or an address (through the outbox) — and attempt n + 1 is
 *                 scheduled for when this one runs out;
 *   n > attempts: the last attempt ran out without an answer: the requester is unreachable.
 * A round that ended meanwhile (answered) is only settled again; a firing delivered twice finds its
 * attempt open and its message in the outbox, and sends nothing twice.
 */
const inputSchema = z.strictObject({
  orderId: z.string().min(1),
  round: z.number().int().min(1),
  attempt: z.number().int().min(1),
});

const sender = senderFromEnv();

type Outcome = 'superseded' | 'settled' | 'opened' | 'unreachable';

export const handler = middy<unknown, { outcome: Outcome }>().handler(async (event) => {
  const input = inputSchema.parse(event);
  return { outcome: await retryOnConcurrentUpdate(() => runAttempt(input)) };
});

const runAttempt = async (input: AttemptInput): Promise<Outcome> => {
  const stored = await readOrder(input.orderId);
  const callback = stored?.order.callback;
  if (!stored || callback?.round !== input.round) {
    // A later round (after a reopening) has the order's call-back now: this firing is obsolete.
    logger.info('Call-back attempt of an earlier round: nothing to do', { ...input });
    return 'superseded';
  }
  if (callback.state === 'answered' || callback.state === 'unreachable') {
    await settleCallback(stored.order);
    return 'settled';
  }
  const nowMs = clock.now();
  if (input.attempt > callbackRules.attempts) {
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
  await sendQueued(input);
  if (open.openedAt && open.lastAttemptAt && open.nextCheckAt) {
    await putCallbackTask({
      orderId: input.orderId,
      round: input.round,
      attempt: open.attempts,
      openedAt: open.openedAt,
      lastAttemptAt: open.lastAttemptAt,
      nextCheckAt: open.nextCheckAt,
      reason: open.reason,
      unitId: opened.order.unitId ?? null,
      categoryCode: opened.order.categoryCode,
      linkSent: (open.links ?? []).length > 0,
    });
  }
  await scheduleAttempt({ ...input, attempt: input.attempt + 1 }, Date.parse(open.nextCheckAt ?? ''));
  return 'opened';
};

/** Queues the attempt's messages (reusing a link a first try already queued), saves, then sends. */
const openAttempt = async (
  stored: StoredOrder,
  input: AttemptInput,
  nowMs: number,
  nextCheckAt: number,
): Promise<StoredOrder> => {
  const { order } = stored;
  const messages = await queueMessages(order, input, nowMs, nextCheckAt);
  const link = messages[0]?.link;
  const change = openCallbackAttempt(order, {
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
  if (!change) return stored;
  return saveChange(stored, change);
};

/** Sends the attempt's messages still queued (the first try's, or a crashed try's), each once. */
const sendQueued = async (input: AttemptInput): Promise<void> => {
  for (const channel of ['sms', 'email'] as const) {
    const message = await readMessage(messageIdOf(input.orderId, input.round, input.attempt, channel));
    if (message?.status === 'queued') await send(message, clock.now());
  }
};

const queueMessages = async (
  order: WorkOrder,
  input: AttemptInput,
  nowMs: number,
  expiresAt: number,
): Promise<OutboxMessage[]> => {
  const targets: [Channel, string][] = [
    ...(order.requester.phone ? [['sms', order.requester.phone] as [Channel, string]] : []),
    ...(order.requester.email ? [['email', order.requester.email] as [Channel, string]] : []),
  ];
  let link = surveyLinkOf(newSurveyToken(order.id).token);
  const queued: OutboxMessage[] = [];
  for (const [channel, to] of targets) {
    const text = surveyMessage({
      receivedAt: order.receivedAt,
      categoryName: referenceData.category(order.categoryCode)?.name ?? order.categoryCode,
      reason: order.callback?.reason ?? 'handled',
      link,
      expiresAt,
    });
    const message = await queueMessage({
      id: messageIdOf(order.id, input.round, input.attempt, channel),
      orderId: order.id,
      round: input.round,
      attempt: input.attempt,
      channel,
      to,
      ...text,
      link,
      status: 'queued',
      createdAt: new Date(nowMs).toISOString(),
      expiresAt: Math.ceil(expiresAt / 1000) + 7 * 24 * 3600,
    });
    // A message a first try already queued keeps its link: the requester gets one link per attempt.
    link = message.link;
    queued.push(message);
  }
  return queued;
};

const send = async (message: OutboxMessage, nowMs: number): Promise<void> => {
  try {
    const result = await sender.send(message);
    await markMessage(message.id, {
      status: result.status,
      ...(result.status === 'sent' ? { sentAt: new Date(nowMs).toISOString() } : {}),
      ...(result.providerMessageId ? { providerMessageId: result.providerMessageId } : {}),
    });
  } catch (error) {
    // The operator's call is the way that never fails this way: the attempt stays open regardless.
    logger.error('Survey message not sent', { messageId: message.id, error: error as Error });
    await markMessage(message.id, { status: 'failed', error: (error as Error).message.slice(0, 500) });
  }
};
