import type { PreTokenGenerationV2TriggerEvent } from 'aws-lambda';
import units from '#data/units.json' with { type: 'json' };
import { type Role, roles, scopeOf } from '#wiring/wiring.ts';

/** Unit ids of this deployment: a unit claim must name one of them. */
const knownUnits = new Set(units.items.map((u) => u.id));

/**
 * Cognito pre-token-generation (V2) trigger: turns the user's groups into what the API reads on the
 * access token. Groups named after a role become `hotline/<role>` scopes (the JWT authorizer checks
 * them per route); the first such group in the order of `roles` becomes the `role` claim; a unit's
 * staff also carry their unit (`unit_id`, from the user's `custom:unit_id`).
 *
 * Role scopes the user was not given are removed even if the client asked for them: the app client
 * is allowed every role scope, so a scope must never come from the request alone.
 */

const roleScopes = new Set(roles.map(scopeOf));

/** The user's roles, in the order of `roles` (which is also the groups' precedence). */
export const rolesOf = (groups: readonly string[]): Role[] => roles.filter((role) => groups.includes(role));

export const handler = async (
  event: PreTokenGenerationV2TriggerEvent,
): Promise<PreTokenGenerationV2TriggerEvent> => {
  const granted = rolesOf(event.request.groupConfiguration.groupsToOverride ?? []);
  // One role per token: the scope is the role's, so the routes the gateway admits and the role the
  // handlers check can never disagree (a user in two groups acts as the first, by precedence).
  const grantedScopes = granted.slice(0, 1).map(scopeOf);
  const requestedRoleScopes = (event.request.scopes ?? []).filter((scope) => roleScopes.has(scope));

  const role = granted[0];
  const claims: Record<string, string> = {};
  if (role !== undefined) claims.role = role;
  const unitId = event.request.userAttributes['custom:unit_id'];
  // A unit id that names no unit gives no unit claim: the API then refuses the token (NO_UNIT).
  if (role === 'unit' && unitId !== undefined && knownUnits.has(unitId)) claims.unit_id = unitId;

  event.response = {
    claimsAndScopeOverrideDetails: {
      accessTokenGeneration: {
        claimsToAddOrOverride: claims,
        scopesToAdd: grantedScopes,
        scopesToSuppress: requestedRoleScopes.filter((scope) => !grantedScopes.includes(scope)),
      },
    },
  };
  return event;
};
