import { sealRequesterContact } from '#application/requester-contact.ts';
import { HotlineError } from '#domain/errors.ts';
import { checkAgainstReferenceData } from '#domain/intake-rules.ts';
import type { NewOrderInput } from '#domain/order-input.ts';
import { dispatchDeadline } from '#domain/time-limits.ts';
import { receiveOrder } from '#domain/work-order.ts';
import { startLifecycle } from '#shared/gateways/lifecycle.ts';
import type { PersonActor } from '#shared/platform/auth.ts';
import { clock } from '#shared/platform/clock.ts';
import { type Claim, claimPut, idempotent } from '#shared/platform/idempotency.ts';
import { newOrderId } from '#shared/platform/ids.ts';
import { logger } from '#shared/platform/logger.ts';
import { referenceData } from '#shared/platform/reference.ts';
import { retryOnConcurrentUpdate } from '#shared/platform/retry.ts';
import { insertOrder, readOrder, type StoredOrder } from '#shared/stores/order-store.ts';

/**
 * Every contact becomes one work order (Art. 10), and its lifecycle starts: the one intake behind
 * POST /orders and Open311's POST requests. With an idempotency claim, a retry gets the first order
 * back (`replayed`) instead of a second one.
 */
export const receiveContact = async (args: {
  input: NewOrderInput;
  actor: PersonActor | { kind: 'person'; sub: string; role: string };
  claim: Claim | undefined;
  /** The client application of an Open311 order. */
  app?: string;
}): Promise<{ stored: StoredOrder; replayed: boolean }> => {
  const { input, actor, claim } = args;
  checkAgainstReferenceData(input, referenceData);
  if (input.disposition?.kind === 'repeat' && !(await readOrder(input.disposition.originalOrderId))) {
    throw new HotlineError(
      'unprocessable',
      'ORIGINAL_ORDER_NOT_FOUND',
      `A repeat must link an existing order; ${input.disposition.originalOrderId} does not exist.`,
    );
  }
  // Retried only when a duplicate's claim met the first one's in flight (shared/platform/idempotency.ts).
  return retryOnConcurrentUpdate(() =>
    idempotent<{ stored: StoredOrder; replayed: boolean }>(claim, {
      act: async (claim) => {
        const nowMs = clock.now();
        const id = newOrderId();
        // Sealed before anything is written (docs/privacy.md): the table never holds the contact in clear.
        const contact = await sealRequesterContact(id, input.requester);
        const change = receiveOrder({
          id,
          input,
          ...(contact ? { contact } : {}),
          nowMs,
          actor,
          dispatchBy: dispatchDeadline(nowMs),
          ...(args.app ? { app: args.app } : {}),
        });
        const stored = await insertOrder(
          change.order,
          change.events,
          claim && claimPut(claim, { orderId: change.order.id }),
        );
        await startInline(stored.order.id);
        return { stored, replayed: false };
      },
      replay: async ({ orderId }) => {
        const original = await readOrder(String(orderId));
        if (!original) throw new Error(`Idempotency record points at missing order ${orderId}`);
        // The first attempt may have died between saving and starting: starting again heals it.
        await startInline(original.order.id);
        return { stored: original, replayed: true };
      },
    }),
  );
};

/**
 * The lifecycle's fast start. The order is saved by then, so a start that fails must not turn the 201
 * into a 500 (a caller without an Idempotency-Key would record the contact twice): the table stream's
 * FollowOrderLogs trigger starts the lifecycle of every saved order this did not (docs/design.md).
 */
const startInline = async (orderId: string): Promise<void> => {
  try {
    await startLifecycle(orderId);
  } catch (error) {
    logger.warn('Lifecycle not started by the intake: the stream trigger will start it', { orderId, error });
  }
};
