import { surveyMessage } from '#domain/survey-message.ts';
import type { WorkOrder } from '#domain/work-order.ts';
import type { AttemptInput } from '#shared/gateways/callback-schedules.ts';
import type { MessageSender } from '#shared/gateways/message-senders.ts';
import { logger } from '#shared/platform/logger.ts';
import { referenceData } from '#shared/platform/reference.ts';
import { newSurveyToken, surveyLinkOf } from '#shared/platform/survey-links.ts';
import {
  type Channel,
  markMessage,
  messageIdOf,
  type OutboxMessage,
  queueMessage,
  readMessage,
} from '#shared/stores/outbox.ts';

/**
 * The survey link of a call-back attempt, by SMS and/or e-mail where the requester gave a phone or an
 * address, through the outbox: queued before the attempt is saved, sent after, so a crash in between
 * leaves a queued message that the attempt's replay sends, once (its id is the attempt's and channel's).
 */

/** Kept in the outbox a week past the link's expiry (DynamoDB TTL, epoch seconds). */
const KEEP_AFTER_EXPIRY_SECONDS = 7 * 24 * 3600;

/** Queues the attempt's messages; a message a first try already queued keeps its link (one per attempt). */
export const queueSurveyMessages = async (
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
      expiresAt: Math.ceil(expiresAt / 1000) + KEEP_AFTER_EXPIRY_SECONDS,
    });
    link = message.link;
    queued.push(message);
  }
  return queued;
};

/** Sends the attempt's messages still queued (the first try's, or a crashed try's), each once. */
export const sendQueuedSurveyMessages = async (
  input: AttemptInput,
  sender: MessageSender,
  now: () => number,
): Promise<void> => {
  for (const channel of ['sms', 'email'] as const) {
    const message = await readMessage(messageIdOf(input.orderId, input.round, input.attempt, channel));
    if (message?.status === 'queued') await send(message, sender, now());
  }
};

const send = async (message: OutboxMessage, sender: MessageSender, nowMs: number): Promise<void> => {
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
