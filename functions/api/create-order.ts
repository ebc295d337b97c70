import { HotlineError } from '#domain/errors.ts';
import { checkAgainstReferenceData } from '#domain/intake-rules.ts';
import { newOrderSchema } from '#domain/order-input.ts';
import { viewOrder } from '#domain/order-view.ts';
import { dispatchDeadline } from '#domain/time-limits.ts';
import { receiveOrder } from '#domain/work-order.ts';
import { startLifecycle } from '#shared/gateways/lifecycle.ts';
import { actorOf } from '#shared/platform/auth.ts';
import { clock } from '#shared/platform/clock.ts';
import { json, withJsonBody } from '#shared/platform/http.ts';
import { claimOf, claimPut, idempotent, replayedHeader } from '#shared/platform/idempotency.ts';
import { newOrderId } from '#shared/platform/ids.ts';
import { logger } from '#shared/platform/logger.ts';
import { referenceData } from '#shared/platform/reference.ts';
import { retryOnConcurrentUpdate } from '#shared/platform/retry.ts';
import { possibleDuplicatesField } from '#shared/stores/nearby-orders.ts';
import { insertOrder, readOrder } from '#shared/stores/order-store.ts';

/**
 * POST /orders: every contact becomes one work order (Art. 10), and its lifecycle starts. The 201 also
 * lists the order's possible duplicates (nearby open orders of its category), for a `repeat` (Art. 11).
 */
export const handler = withJsonBody(newOrderSchema, async (event, input) => {
  const actor = actorOf(event);
  // Keys are per caller (shared/platform/idempotency.ts), so two operators can never collide on the same key.
  const claim = claimOf(event, { caller: actor.sub, place: {}, request: input, nowMs: clock.now() });
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
    idempotent(claim, {
      act: async (claim) => {
        const nowMs = clock.now();
        const change = receiveOrder({
          id: newOrderId(),
          input,
          nowMs,
          actor,
          dispatchBy: dispatchDeadline(nowMs),
        });
        const stored = await insertOrder(
          change.order,
          change.events,
          claim && claimPut(claim, { orderId: change.order.id }),
        );
        await startInline(stored.order.id);
        return created(stored.order, actor, false);
      },
      replay: async ({ orderId }) => {
        const original = await readOrder(String(orderId));
        if (!original) throw new Error(`Idempotency record points at missing order ${orderId}`);
        // The first attempt may have died between saving and starting: starting again heals it.
        await startInline(original.order.id);
        return created(original.order, actor, true);
      },
    }),
  );
});

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

const created = async (order: Parameters<typeof viewOrder>[0], actor: { role: string }, replayed: boolean) =>
  json(
    201,
    { ...viewOrder(order, actor), ...(await possibleDuplicatesField(order, actor, clock.now())) },
    {
      location: `/orders/${order.id}`,
      etag: `"${order.version}"`,
      ...(replayed ? replayedHeader : {}),
    },
  );
