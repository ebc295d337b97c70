import { HotlineError } from '#domain/errors.ts';
import type { Actor } from '#domain/order-events.ts';
import type { ApiEvent } from '#shared/platform/http.ts';
import { httpRoutes, type Role, roles, routeKeyOf, scopeOf } from '#wiring/wiring.ts';

/**
 * Who is calling. The API Gateway JWT authorizer (or the local stack's twin of it) has already checked
 * the token's signature, expiry, audience and the route's scopes; `authorizeRoute` (run by every API
 * handler's middleware, functions/shared/platform/http.ts) has checked the role claim against the route; here we
 * read the claims it passed on.
 */
export type PersonActor = Extract<Actor, { kind: 'person' }> & { readonly role: Role };

/** Each route's roles (wiring/wiring.ts), by the route key API Gateway puts in the event. */
const routeRoles = new Map(httpRoutes.map((route) => [routeKeyOf(route), route.roles] as const));
const roleScopes = new Set<string>(roles.map(scopeOf));

/**
 * The role scopes a token carries: the `scope` claim (space-separated, as Cognito writes it) and the
 * authorizer's `scopes` (API Gateway fills it in; it may be null), together.
 */
const roleScopesOf = (event: ApiEvent): Set<string> => {
  const jwt = event.requestContext.authorizer?.jwt;
  const claimed = typeof jwt?.claims?.scope === 'string' ? jwt.claims.scope.split(/\s+/) : [];
  const passed = Array.isArray(jwt?.scopes) ? jwt.scopes : [];
  return new Set([...claimed, ...passed].filter((scope) => roleScopes.has(scope)));
};

const refuse = (code: string, message: string) => new HotlineError('forbidden', code, message);

/**
 * The handler's own check of the route's roles, behind the gateway's check of scopes alone: the
 * token's role claim must be one of the route's roles, and its role scopes exactly that role's (the
 * pre-token-generation trigger issues one role and its one scope per token). A route this table does
 * not know is refused too: a handler is never reachable by a route without roles by mistake.
 */
export const authorizeRoute = (event: ApiEvent): void => {
  const allowed = routeRoles.get(event.routeKey);
  if (allowed === undefined) throw refuse('ROUTE_UNKNOWN', 'This route is not one of the API.');
  if (allowed === null) return;
  const role = event.requestContext.authorizer?.jwt?.claims?.role;
  if (typeof role !== 'string' || !(roles as readonly string[]).includes(role))
    throw refuse('NO_ROLE', 'The token carries no known role.');
  if (!(allowed as readonly string[]).includes(role))
    throw refuse('ROLE_NOT_ALLOWED', `The role ${role} may not call ${event.routeKey}.`);
  const scopes = roleScopesOf(event);
  if (scopes.size !== 1 || !scopes.has(scopeOf(role as Role)))
    throw refuse('ROLE_SCOPE_MISMATCH', "The token's scope and its role claim disagree.");
};

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
