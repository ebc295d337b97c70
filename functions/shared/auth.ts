import { HotlineError } from '#domain/errors.ts';
import type { Actor } from '#domain/order-events.ts';
import { type Role, roles } from '#wiring/wiring.ts';
import type { ApiEvent } from './http.ts';

/**
 * Who is calling. The API Gateway JWT authorizer (or the local stack's twin of it) has already checked
 * the token's signature, expiry, audience and the route's scopes; here we read the claims it passed on.
 */
export type PersonActor = Extract<Actor, { kind: 'person' }> & { readonly role: Role };

export const actorOf = (event: ApiEvent): PersonActor => {
  const claims = event.requestContext.authorizer?.jwt?.claims ?? {};
  const sub = claims.sub;
  const role = claims.role;
  if (typeof sub !== 'string' || typeof role !== 'string' || !(roles as readonly string[]).includes(role)) {
    throw new HotlineError('forbidden', 'NO_ROLE', 'The token carries no known role.');
  }
  if (role === 'unit') {
    const unitId = claims.unit_id;
    if (typeof unitId !== 'string' || unitId === '') {
      throw new HotlineError('forbidden', 'NO_UNIT', 'A unit token must name its unit (claim unit_id).');
    }
    return { kind: 'person', sub, role, unitId };
  }
  return { kind: 'person', sub, role: role as Role };
};

/** A unit's staff see only orders their unit leads, co-handles or is copied on. */
export const canRead = (
  actor: PersonActor,
  order: { unitId?: string; coUnitIds: readonly string[]; copiedUnitIds: readonly string[] },
): boolean =>
  actor.role !== 'unit' ||
  (actor.unitId !== undefined &&
    (order.unitId === actor.unitId ||
      order.coUnitIds.includes(actor.unitId) ||
      order.copiedUnitIds.includes(actor.unitId)));
