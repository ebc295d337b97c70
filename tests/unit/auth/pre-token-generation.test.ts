import type { PreTokenGenerationV2TriggerEvent } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import { handler } from '../../../functions/auth/pre-token-generation.ts';

const signIn = (
  groups: string[] | undefined,
  attributes: Record<string, string> = {},
  scopes: string[] = ['openid', 'email'],
): PreTokenGenerationV2TriggerEvent => ({
  version: '2',
  region: 'us-east-1',
  userPoolId: 'us-east-1_example',
  triggerSource: 'TokenGeneration_HostedAuth',
  userName: 'li.wei',
  callerContext: { awsSdkVersion: 'aws-sdk-unknown-unknown', clientId: 'client' },
  request: {
    userAttributes: { sub: 'a1b2', email: 'li.wei@example.org', ...attributes },
    groupConfiguration: { groupsToOverride: groups, iamRolesToOverride: [], preferredRole: undefined },
    scopes,
  },
  response: { claimsAndScopeOverrideDetails: {} },
});

const accessTokenOf = async (event: PreTokenGenerationV2TriggerEvent) =>
  (await handler(structuredClone(event))).response.claimsAndScopeOverrideDetails.accessTokenGeneration;

describe('pre-token-generation', () => {
  it('returns the role and its scope for a dispatcher', async () => {
    const token = await accessTokenOf(signIn(['dispatcher']));

    expect(token?.claimsToAddOrOverride).toEqual({ role: 'dispatcher' });
    expect(token?.scopesToAdd).toEqual(['hotline/dispatcher']);
  });

  it('returns the unit of a unit member', async () => {
    const token = await accessTokenOf(signIn(['unit'], { 'custom:unit_id': 'st-110105001' }));

    expect(token?.claimsToAddOrOverride).toEqual({ role: 'unit', unit_id: 'st-110105001' });
    expect(token?.scopesToAdd).toEqual(['hotline/unit']);
  });

  it('leaves out a unit_id that names no unit of this deployment', async () => {
    const token = await accessTokenOf(signIn(['unit'], { 'custom:unit_id': 'U-NO-SUCH-UNIT' }));

    expect(token?.claimsToAddOrOverride).toEqual({ role: 'unit' });
  });

  it('leaves out unit_id when the role is not unit, even if the attribute is set', async () => {
    const token = await accessTokenOf(signIn(['supervisor'], { 'custom:unit_id': 'U-CHY-WATER' }));

    expect(token?.claimsToAddOrOverride).toEqual({ role: 'supervisor' });
  });

  it('leaves out unit_id for a unit member whose attribute is missing', async () => {
    const token = await accessTokenOf(signIn(['unit']));

    expect(token?.claimsToAddOrOverride).toEqual({ role: 'unit' });
  });

  it('takes the first role in the order of roles, whatever the order of the groups', async () => {
    const token = await accessTokenOf(signIn(['auditor', 'supervisor', 'dispatcher']));

    expect(token?.claimsToAddOrOverride).toEqual({ role: 'dispatcher' });
    expect(token?.scopesToAdd).toEqual(['hotline/dispatcher']);
  });

  it("returns only the first role's scope for a user in several role groups: one role per token", async () => {
    // Prepare: a supervisor who is also an auditor; the client asks for both scopes
    const event = signIn(['auditor', 'supervisor'], {}, ['openid', 'hotline/supervisor', 'hotline/auditor']);

    // Act
    const token = await accessTokenOf(event);

    // Assess
    expect(token?.claimsToAddOrOverride).toEqual({ role: 'supervisor' });
    expect(token?.scopesToAdd).toEqual(['hotline/supervisor']);
    expect(token?.scopesToSuppress).toEqual(['hotline/auditor']);
  });

  it('ignores groups that are not roles', async () => {
    const token = await accessTokenOf(signIn(['night-shift', 'operator']));

    expect(token?.claimsToAddOrOverride).toEqual({ role: 'operator' });
    expect(token?.scopesToAdd).toEqual(['hotline/operator']);
  });

  it('gives no role and no scope to a user without a role group', async () => {
    const token = await accessTokenOf(signIn(undefined));

    expect(token?.claimsToAddOrOverride).toEqual({});
    expect(token?.scopesToAdd).toEqual([]);
  });

  it('removes role scopes the client asked for but the user does not hold', async () => {
    const token = await accessTokenOf(
      signIn(['operator'], {}, ['openid', 'hotline/operator', 'hotline/supervisor']),
    );

    expect(token?.scopesToSuppress).toEqual(['hotline/supervisor']);
  });

  it('keeps the scopes that are not role scopes', async () => {
    const token = await accessTokenOf(signIn(['operator'], {}, ['openid', 'email', 'profile']));

    expect(token?.scopesToSuppress).toEqual([]);
  });
});
