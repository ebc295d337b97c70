import type { Node } from 'constructs';

/**
 * The CDK context that decides how survey messages leave the outbox, e.g.
 * `cdk deploy -c messageSender=aws -c senderEmail=callback@example.gov.cn`.
 */
export const messageContext = {
  /** `hold` (default) or `aws`. */
  sender: 'messageSender',
  /** The SES identity (a verified address) e-mails are sent from; required with `messageSender=aws`. */
  senderEmail: 'senderEmail',
} as const;

/**
 * `hold`: messages wait in the outbox for an external SMS / e-mail gateway, which reads and marks them.
 * `aws`: the function sends them itself, SMS with SNS Publish and e-mail with SES v2 SendEmail.
 */
export const messageSenders = ['hold', 'aws'] as const;
export type MessageSender = (typeof messageSenders)[number];

export type MessageSending =
  | { readonly sender: 'hold' }
  | { readonly sender: 'aws'; readonly senderEmail: string };

const isMessageSender = (value: string): value is MessageSender =>
  (messageSenders as readonly string[]).includes(value);

/** Reads `messageContext` from the construct tree; a value it does not know fails synthesis. */
export const messageSendingOf = (node: Node): MessageSending => {
  const sender = String(node.tryGetContext(messageContext.sender) ?? 'hold');
  if (!isMessageSender(sender)) {
    throw new Error(
      `Context ${messageContext.sender} must be one of ${messageSenders.join(', ')}; got "${sender}".`,
    );
  }
  if (sender === 'hold') return { sender };
  const senderEmail = node.tryGetContext(messageContext.senderEmail);
  if (typeof senderEmail !== 'string' || !/^[^@\s]+@[^@\s]+$/.test(senderEmail)) {
    throw new Error(
      `Context ${messageContext.sender}=aws sends e-mail through SES: give the verified sender address as ` +
        `context ${messageContext.senderEmail} (got ${JSON.stringify(senderEmail)}).`,
    );
  }
  return { sender, senderEmail };
};
