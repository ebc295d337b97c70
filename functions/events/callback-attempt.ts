import middy from '@middy/core';
import * as z from 'zod';
import { type AttemptOutcome, runCallbackAttempt } from '#application/callback-attempt.ts';
import { senderFromEnv } from '#shared/gateways/message-senders.ts';

/**
 * Target of the call-back schedules (EventBridge Scheduler): attempt n of a round
 * (application/callback-attempt.ts). n ≤ the configured attempts opens the attempt — the operators'
 * task, a survey link by SMS and/or e-mail through the outbox, the schedule of attempt n + 1 —;
 * n = attempts + 1 is the final check: the requester was unreachable.
 */
const inputSchema = z.strictObject({
  orderId: z.string().min(1),
  round: z.number().int().min(1),
  attempt: z.number().int().min(1),
});

const sender = senderFromEnv();

export const handler = middy<unknown, { outcome: AttemptOutcome }>().handler(async (event) => ({
  outcome: await runCallbackAttempt(inputSchema.parse(event), sender),
}));
