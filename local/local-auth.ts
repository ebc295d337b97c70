import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { exportJWK, generateKeyPair, importJWK, type JWK, type JWTPayload, jwtVerify, SignJWT } from 'jose';
import { type Role, roles, scopeOf } from '#wiring/wiring.ts';

/**
 * Local twin of Cognito + the API Gateway JWT authorizer: RS256 access tokens with the same claims the
 * pre-token-generation trigger puts in Cognito's (role, unit_id, scope `hotline/<role>`), signed by a
 * development key kept in the local folder (never committed).
 */
export const LOCAL_ISSUER = 'https://hotline.local/auth';
export const LOCAL_CLIENT_ID = 'hotline-local';
const KID = 'hotline-local-dev';

type Key = Awaited<ReturnType<typeof importJWK>>;

export interface LocalKeys {
  readonly privateKey: Key;
  readonly publicKey: Key;
}

export const loadOrCreateKeys = async (keysDir: string): Promise<LocalKeys> => {
  const file = join(keysDir, 'jwt-signing-key.json');
  if (!existsSync(file)) {
    const { privateKey } = await generateKeyPair('RS256', { extractable: true });
    mkdirSync(keysDir, { recursive: true });
    writeFileSync(file, JSON.stringify(await exportJWK(privateKey)), { mode: 0o600 });
  }
  const jwk = JSON.parse(readFileSync(file, 'utf8')) as JWK;
  const { d: _d, p: _p, q: _q, dp: _dp, dq: _dq, qi: _qi, ...publicJwk } = jwk;
  return {
    privateKey: await importJWK(jwk, 'RS256'),
    publicKey: await importJWK(publicJwk, 'RS256'),
  };
};

export interface TokenRequest {
  readonly role: Role;
  readonly unitId?: string;
  readonly sub?: string;
  readonly ttlSeconds?: number;
  /**
   * Claims that replace or add to the ones above, for tests of odd or forged tokens (a role claim that
   * disagrees with the scope): signed by the same key, so only the API's own checks can refuse them.
   */
  readonly claims?: Readonly<Record<string, unknown>>;
}

export const signLocalToken = async (keys: LocalKeys, request: TokenRequest): Promise<string> => {
  if (!roles.includes(request.role))
    throw new Error(`Unknown role ${request.role}; one of ${roles.join(', ')}`);
  if (request.role === 'unit' && !request.unitId) throw new Error('A unit token needs a unit id (--unit).');
  return new SignJWT({
    role: request.role,
    ...(request.role === 'unit' ? { unit_id: request.unitId } : {}),
    scope: scopeOf(request.role),
    client_id: LOCAL_CLIENT_ID,
    token_use: 'access',
    username: request.sub ?? `local-${request.role}`,
    ...request.claims,
  })
    .setProtectedHeader({ alg: 'RS256', kid: KID })
    .setIssuer(LOCAL_ISSUER)
    .setSubject(request.sub ?? `local-${request.role}${request.unitId ? `-${request.unitId}` : ''}`)
    .setIssuedAt()
    .setExpirationTime(`${request.ttlSeconds ?? 12 * 60 * 60}s`)
    .sign(keys.privateKey);
};

/** What API Gateway's JWT authorizer checks: signature, issuer, expiry, and audience (`client_id` for access tokens). */
export const verifyLocalToken = async (keys: LocalKeys, token: string): Promise<JWTPayload> => {
  const { payload } = await jwtVerify(token, keys.publicKey, { issuer: LOCAL_ISSUER, algorithms: ['RS256'] });
  const audience = [payload.aud ?? []].flat();
  if (payload.client_id !== LOCAL_CLIENT_ID && !audience.includes(LOCAL_CLIENT_ID))
    throw new Error('wrong audience');
  return payload;
};
