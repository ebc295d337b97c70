import { HotlineError } from '#domain/errors.ts';
import { checkAgainstReferenceData } from '#domain/intake-rules.ts';
import { canonicalJson } from '#domain/order-events.ts';
import { newOrderSchema } from '#domain/order-input.ts';
import { viewOrder } from '#domain/order-view.ts';
import { dispatchDeadline } from '#domain/time-limits.ts';
import { receiveOrder } from '#domain/work-order.ts';
import { actorOf } from '#shared/auth.ts';
import { clock } from '#shared/clock.ts';
import { idempotencyKeyOf, json, sha256, withJsonBody } from '#shared/http.ts';
import { newOrderId } from '#shared/ids.ts';
import { startLifecycle } from '#shared/lifecycle.ts';
import { possibleDuplicatesField } from '#shared/nearby-orders.ts';
import { IdempotentReplay, insertOrder, readOrder } from '#shared/order-store.ts';
import { referenceData } from '#shared/reference.ts';

/**
 * POST /orders: every contact becomes one work order (Art. 10), and its lifecycle starts. The 201 also
 * lists the order's possible duplicates (nearby open orders of its category), for a `repeat` (Art. 11).
 */
const IDEMPOTENCY_TTL_SECONDS = 24 * 60 * 60;

export const handler = withJsonBody(newOrderSchema, async (event, input) => {
  const actor = actorOf(event);
  const key = idempotencyKeyOf(event);
  checkAgainstReferenceData(input, referenceData);
  if (input.disposition?.kind === 'repeat' && !(await readOrder(input.disposition.originalOrderId))) {
    throw new HotlineError(
      'unprocessable',
      'ORIGINAL_ORDER_NOT_FOUND',
      `A repeat must link an existing order; ${input.disposition.originalOrderId} does not exist.`,
    );
  }

  const nowMs = clock.now();
  const requestHash = sha256(canonicalJson(input));
  const change = receiveOrder({ id: newOrderId(), input, nowMs, actor, dispatchBy: dispatchDeadline(nowMs) });
  try {
    const stored = await insertOrder(
      change.order,
      change.events,
      // Keys are per caller, so two operators can never collide on the same key.
      key
        ? {
            key: sha256(`${actor.sub}\n${key}`),
            requestHash,
            nowEpochSeconds: Math.floor(nowMs / 1000),
            expiresAtEpochSeconds: Math.floor(nowMs / 1000) + IDEMPOTENCY_TTL_SECONDS,
          }
        : undefined,
    );
    await startLifecycle(stored.order.id);
    return created(stored.order, actor, false);
  } catch (error) {
    if (!(error instanceof IdempotentReplay)) throw error;
    if (error.requestHash !== requestHash) {
      throw new HotlineError(
        'unprocessable',
        'IDEMPOTENCY_KEY_REUSED',
        'This Idempotency-Key was used for a different request.',
      );
    }
    const original = await readOrder(error.orderId);
    if (!original) throw new Error(`Idempotency record points at missing order ${error.orderId}`);
    // The first attempt may have died between saving and starting: starting again heals it.
    await startLifecycle(original.order.id);
    return created(original.order, actor, true);
  }
});

const created = async (order: Parameters<typeof viewOrder>[0], actor: { role: string }, replayed: boolean) =>
  json(
    201,
    { ...viewOrder(order, actor), ...(await possibleDuplicatesField(order, actor, clock.now())) },
    {
      location: `/orders/${order.id}`,
      etag: `"${order.version}"`,
      ...(replayed ? { 'idempotent-replayed': 'true' } : {}),
    },
  );
