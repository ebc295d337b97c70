import { SESv2Client, SendEmailCommand } from '@aws-sdk/client-sesv2';
import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import { optionalEnv, requireEnv } from '#shared/platform/config.ts';
import type { OutboxMessage } from '#shared/stores/outbox.ts';
import { envNames } from '#wiring/wiring.ts';

/**
 * Who delivers the outbox's messages — a pluggable adapter chosen by `MESSAGE_SENDER`:
 *   hold  messages stay in the outbox (status `held`) for an external SMS/e-mail gateway to pick up;
 *         the local stack uses it and shows the outbox at GET /_local/outbox;
 *   aws   SMS by Amazon SNS (Publish to the phone number), e-mail by Amazon SES v2 (SendEmail from
 *         SENDER_EMAIL).
 * A city with its own gateway adds an adapter here; nothing else changes.
 */
export interface MessageSender {
  readonly name: string;
  /** Whether it needs the address: `hold` does not, so nothing is opened for it. */
  readonly needsAddress: boolean;
  /** `to` is the opened address: it lives in memory only, for this call. */
  send(message: OutboxMessage, to: string): Promise<{ status: 'sent' | 'held'; providerMessageId?: string }>;
}

export const holdInOutbox: MessageSender = {
  name: 'hold',
  needsAddress: false,
  send: async () => ({ status: 'held' }),
};

export const awsMessaging = (
  clients = { sns: new SNSClient({}), ses: new SESv2Client({}) },
): MessageSender => ({
  name: 'aws',
  needsAddress: true,
  send: async (message, to) => {
    if (message.channel === 'sms') {
      const result = await clients.sns.send(
        new PublishCommand({
          PhoneNumber: to.startsWith('+') ? to : `+86${to}`,
          Message: message.text,
          MessageAttributes: {
            'AWS.SNS.SMS.SMSType': { DataType: 'String', StringValue: 'Transactional' },
          },
        }),
      );
      return { status: 'sent', ...(result.MessageId ? { providerMessageId: result.MessageId } : {}) };
    }
    const result = await clients.ses.send(
      new SendEmailCommand({
        FromEmailAddress: requireEnv(envNames.senderEmail),
        Destination: { ToAddresses: [to] },
        Content: {
          Simple: {
            Subject: { Data: message.subject, Charset: 'UTF-8' },
            Body: { Text: { Data: message.text, Charset: 'UTF-8' } },
          },
        },
      }),
    );
    return { status: 'sent', ...(result.MessageId ? { providerMessageId: result.MessageId } : {}) };
  },
});

export const senderFromEnv = (): MessageSender => {
  const name = optionalEnv(envNames.messageSender, 'hold');
  if (name === 'hold') return holdInOutbox;
  if (name === 'aws') return awsMessaging();
  throw new Error(`${envNames.messageSender} is "${name}": use hold or aws.`);
};
