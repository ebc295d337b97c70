import { openSealedContact } from '#application/requester-contact.ts';
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
  // Which ways the requester gave, from the masked contact: nothing is opened to queue a message.
  const contact = order.requester.contact;
  const targets: [Channel, string][] = [
    ...(contact?.masked.phone ? [['sms', contact.masked.phone] as [Channel, string]] : []),
    ...(contact?.masked.email ? [['email', contact.masked.email] as [Channel, string]] : []),
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
      toSealed: contact?.sealed ?? '',
      toMasked: to,
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

/** The message's address in clear: the order's contact opened, the read recorded (a system read). */
const addressOf = async (message: OutboxMessage, nowMs: number): Promise<string> => {
  const { details } = await openSealedContact(
    { orderId: message.orderId, sealed: message.toSealed },
    { by: { kind: 'system', name: 'callbacks' }, purpose: 'callback_message' },
    nowMs,
  );
  const to = message.channel === 'sms' ? details.phone : details.email;
  if (!to) throw new Error(`The contact of order ${message.orderId} has no ${message.channel} address.`);
  return to;
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
    const result = await sender.send(message, sender.needsAddress ? await addressOf(message, nowMs) : '');
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
