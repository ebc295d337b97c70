import { describe, expect, it } from 'vitest';
import { isHotlineError } from '#domain/errors.ts';
import { authorizeRoute } from '#shared/platform/auth.ts';
import type { ApiEvent } from '#shared/platform/http.ts';
import { httpRoutes, type Role, roles, routeKeyOf, scopeOf } from '#wiring/wiring.ts';
import apiEventJson from '../fixtures/api-event.json' with { type: 'json' };

/** An event as the gateway passes it on: a route, the token's claims and the authorizer's scopes. */
const eventFor = (
  routeKey: string,
  claims: Record<string, string>,
  scopes: string[] | null = claims.role ? [scopeOf(claims.role as Role)] : [],
): ApiEvent => {
  const event = structuredClone(apiEventJson) as unknown as ApiEvent;
  event.routeKey = routeKey;
  event.requestContext.routeKey = routeKey;
  event.requestContext.authorizer.jwt = {
    claims,
    // API Gateway may pass null; the `scope` claim then still tells.
    scopes: scopes as string[],
  };
  return event;
};

/** The code of the refusal, or undefined when the route lets the caller through. */
const refusal = (event: ApiEvent): string | undefined => {
  try {
    authorizeRoute(event);
    return undefined;
  } catch (error) {
    if (!isHotlineError(error) || error.kind !== 'forbidden') throw error;
    return error.code;
  }
};

const claimsOf = (role: Role): Record<string, string> => ({
  sub: `${role}-1`,
  role,
  ...(role === 'unit' ? { unit_id: 'st-110101001' } : {}),
});

describe('authorizeRoute', () => {
  it('returns for every route and every one of its roles, and refuses every other role', () => {
    for (const route of httpRoutes) {
      const key = routeKeyOf(route);
      for (const role of roles) {
        // Act
        const code = refusal(eventFor(key, claimsOf(role)));

        // Assess
        const allowed = route.roles === null || route.roles.includes(role);
        expect(code, `${key} as ${role}`).toBe(allowed ? undefined : 'ROLE_NOT_ALLOWED');
      }
    }
  });

  it('rejects a token whose scope says supervisor and whose role claim says unit, on PUT /catalogue/lines', () => {
    // Prepare
    const forged = eventFor('PUT /catalogue/lines', claimsOf('unit'), [scopeOf('supervisor')]);

    // Act / Assess
    expect(refusal(forged)).toBe('ROLE_NOT_ALLOWED');
  });

  it('rejects a role claim allowed on the route when the scope is another role, with ROLE_SCOPE_MISMATCH', () => {
    // Prepare: the route admits both roles, but one token carries the scope of one and the claim of the other
    const mixed = eventFor('PUT /catalogue/lines', claimsOf('dispatcher'), [scopeOf('supervisor')]);
    const mixedClaim = eventFor(
      'PUT /catalogue/lines',
      { ...claimsOf('dispatcher'), scope: scopeOf('supervisor') },
      null,
    );

    // Act / Assess
    expect(refusal(mixed)).toBe('ROLE_SCOPE_MISMATCH');
    expect(refusal(mixedClaim)).toBe('ROLE_SCOPE_MISMATCH');
  });

  it('rejects a token with two role scopes, or none, with ROLE_SCOPE_MISMATCH', () => {
    // Prepare
    const two = eventFor('PUT /catalogue/lines', claimsOf('supervisor'), [
      scopeOf('supervisor'),
      scopeOf('unit'),
    ]);
    const twoInClaim = eventFor(
      'PUT /catalogue/lines',
      { ...claimsOf('supervisor'), scope: `${scopeOf('supervisor')} ${scopeOf('dispatcher')}` },
      null,
    );
    const none = eventFor('PUT /catalogue/lines', claimsOf('supervisor'), null);

    // Act / Assess
    expect(refusal(two)).toBe('ROLE_SCOPE_MISMATCH');
    expect(refusal(twoInClaim)).toBe('ROLE_SCOPE_MISMATCH');
    expect(refusal(none)).toBe('ROLE_SCOPE_MISMATCH');
  });

  it('returns for a scope given only as the `scope` claim, beside scopes that are not roles', () => {
    // Prepare: Cognito's access token writes its scopes space-separated in `scope`
    const event = eventFor(
      'PUT /catalogue/lines',
      { ...claimsOf('supervisor'), scope: `openid ${scopeOf('supervisor')} aws.cognito.signin.user.admin` },
      null,
    );

    // Act / Assess
    expect(refusal(event)).toBeUndefined();
  });

  it('rejects a token without a role claim, or with an unknown one, with NO_ROLE', () => {
    // Act / Assess
    expect(refusal(eventFor('GET /orders', { sub: 'someone' }, [scopeOf('auditor')]))).toBe('NO_ROLE');
    expect(refusal(eventFor('GET /orders', { sub: 'someone', role: 'mayor' }, [scopeOf('auditor')]))).toBe(
      'NO_ROLE',
    );
  });

  it('returns for an open route whatever the token says', () => {
    // Act / Assess
    expect(refusal(eventFor('GET /health', {}, null))).toBeUndefined();
    expect(refusal(eventFor('POST /surveys/{token}', { sub: 'x', role: 'mayor' }, null))).toBeUndefined();
  });

  it('rejects a route that the routes table does not have with ROUTE_UNKNOWN', () => {
    // Act / Assess
    expect(refusal(eventFor('POST /orders/{id}/teleport', claimsOf('unit')))).toBe('ROUTE_UNKNOWN');
    expect(refusal(eventFor('$default', claimsOf('supervisor')))).toBe('ROUTE_UNKNOWN');
  });
});
