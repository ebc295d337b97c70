import * as z from 'zod';
import { type ActionKind, type ActionSpec, actOnOrder } from '#application/act-on-order.ts';
import { HotlineError } from '#domain/errors.ts';
import { viewOrder } from '#domain/order-view.ts';
import { actorOf } from '#shared/platform/auth.ts';
import { clock } from '#shared/platform/clock.ts';
import { expectedVersionOf, json, withJsonBody } from '#shared/platform/http.ts';
import { claimOf, replayedHeader } from '#shared/platform/idempotency.ts';

/**
 * The HTTP side of an action on an order, shared by the action handlers: the action is the route's
 * last segment, its body is parsed by its schema, `If-Match` names the version to act on and an
 * `Idempotency-Key` (the caller's own, per order and action) makes a retry answer the first request.
 * The answer is the order as the caller may see it, with its ETag.
 */
export const actionRoute = (registry: Readonly<Record<string, ActionSpec<z.ZodType>>>, kind: ActionKind) =>
  withJsonBody(z.unknown(), async (event, body) => {
    const actor = actorOf(event);
    const name = event.routeKey.split('/').at(-1) ?? '';
    const spec = registry[name];
    if (!spec) throw new HotlineError('notFound', 'UNKNOWN_ACTION', `No action ${name}.`);
    const input = spec.schema.parse(body);
    const orderId = event.pathParameters?.id ?? '';
    const expectedVersion = expectedVersionOf(event);
    const claim = claimOf(event, {
      caller: actor.sub,
      place: { withOrder: orderId, name },
      request: { name, input },
      nowMs: clock.now(),
    });
    const { order, replayed } = await actOnOrder(spec, kind, {
      orderId,
      name,
      input,
      actor,
      ...(expectedVersion !== undefined ? { expectedVersion } : {}),
      ...(claim ? { claim } : {}),
    });
    return json(200, viewOrder(order, actor), {
      etag: `"${order.version}"`,
      ...(replayed ? replayedHeader : {}),
    });
  });
