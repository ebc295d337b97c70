import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { decodeJwt, decodeProtectedHeader, SignJWT } from 'jose';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import type { Role } from '#wiring/wiring.ts';
import {
  LOCAL_CLIENT_ID,
  LOCAL_ISSUER,
  type LocalKeys,
  loadOrCreateKeys,
  signLocalToken,
  verifyLocalToken,
} from '../../../local/local-auth.ts';

let dir: string;
let keys: LocalKeys;
let otherKeys: LocalKeys;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'hotline-auth-'));
  keys = await loadOrCreateKeys(join(dir, 'keys'));
  otherKeys = await loadOrCreateKeys(join(dir, 'other-keys'));
});

afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

afterEach(() => {
  vi.useRealTimers();
});

describe('loadOrCreateKeys', () => {
  it('returns keys created in the folder, in a file readable only by its owner', () => {
    // Act
    const mode = statSync(join(dir, 'keys', 'jwt-signing-key.json')).mode & 0o777;

    // Assess
    expect(mode).toBe(0o600);
  });

  it('returns the same key pair when the folder already has one', async () => {
    // Prepare
    const token = await signLocalToken(keys, { role: 'operator' });

    // Act
    const reloaded = await loadOrCreateKeys(join(dir, 'keys'));

    // Assess
    await expect(verifyLocalToken(reloaded, token)).resolves.toMatchObject({ role: 'operator' });
  });
});

describe('signLocalToken / verifyLocalToken', () => {
  it('returns the claims of a centre role: role, scope, client id, issuer, subject, twelve hours of life', async () => {
    // Act
    const token = await signLocalToken(keys, { role: 'dispatcher' });
    const payload = await verifyLocalToken(keys, token);

    // Assess
    expect(payload).toMatchObject({
      role: 'dispatcher',
      scope: 'hotline/dispatcher',
      client_id: LOCAL_CLIENT_ID,
      token_use: 'access',
      iss: LOCAL_ISSUER,
      sub: 'local-dispatcher',
    });
    expect(payload).not.toHaveProperty('unit_id');
    expect((payload.exp ?? 0) - (payload.iat ?? 0)).toBe(12 * 60 * 60);
    expect(decodeProtectedHeader(token)).toMatchObject({ alg: 'RS256', kid: 'hotline-local-dev' });
  });

  it('returns a token whose given claims replace the role claim, the scope staying that of the role', async () => {
    // Act: a forged token for tests: the scope of a supervisor, the role claim of a unit
    const token = await signLocalToken(keys, {
      role: 'supervisor',
      claims: { role: 'unit', unit_id: 'st-110101001' },
    });
    const payload = await verifyLocalToken(keys, token);

    // Assess
    expect(payload).toMatchObject({ role: 'unit', unit_id: 'st-110101001', scope: 'hotline/supervisor' });
  });

  it('returns a unit token carrying unit_id and a subject naming the unit', async () => {
    // Act
    const token = await signLocalToken(keys, { role: 'unit', unitId: 'st-110101001' });
    const payload = await verifyLocalToken(keys, token);

    // Assess
    expect(payload).toMatchObject({
      role: 'unit',
      unit_id: 'st-110101001',
      scope: 'hotline/unit',
      sub: 'local-unit-st-110101001',
    });
  });

  it('returns the given subject and lifetime', async () => {
    // Act
    const token = await signLocalToken(keys, { role: 'auditor', sub: 'auditor-7', ttlSeconds: 600 });
    const payload = await verifyLocalToken(keys, token);

    // Assess
    expect(payload.sub).toBe('auditor-7');
    expect(payload.username).toBe('auditor-7');
    expect((payload.exp ?? 0) - (payload.iat ?? 0)).toBe(600);
  });

  it('rejects a unit token without a unit id', async () => {
    // Act / Assess
    await expect(signLocalToken(keys, { role: 'unit' })).rejects.toThrow(/unit id/);
  });

  it('rejects an unknown role', async () => {
    // Act / Assess
    await expect(signLocalToken(keys, { role: 'mayor' as Role })).rejects.toThrow(/Unknown role/);
  });

  it('rejects a token signed by another key', async () => {
    // Prepare
    const token = await signLocalToken(otherKeys, { role: 'operator' });

    // Act / Assess
    await expect(verifyLocalToken(keys, token)).rejects.toThrow();
  });

  it('rejects an expired token', async () => {
    // Prepare: a token of 60 seconds, checked 61 seconds later
    vi.useFakeTimers({ now: Date.parse('2026-12-01T02:00:00.000Z'), toFake: ['Date'] });
    const token = await signLocalToken(keys, { role: 'operator', ttlSeconds: 60 });
    vi.setSystemTime(Date.parse('2026-12-01T02:01:01.000Z'));

    // Act / Assess
    await expect(verifyLocalToken(keys, token)).rejects.toThrow(/exp/);
  });

  it('returns the payload of a token still within its lifetime', async () => {
    // Prepare
    vi.useFakeTimers({ now: Date.parse('2026-12-01T02:00:00.000Z'), toFake: ['Date'] });
    const token = await signLocalToken(keys, { role: 'operator', ttlSeconds: 60 });
    vi.setSystemTime(Date.parse('2026-12-01T02:00:59.000Z'));

    // Act / Assess
    await expect(verifyLocalToken(keys, token)).resolves.toMatchObject({ role: 'operator' });
  });

  it('rejects a token with a wrong issuer, even signed by the right key', async () => {
    // Prepare
    const token = await new SignJWT({
      role: 'operator',
      scope: 'hotline/operator',
      client_id: LOCAL_CLIENT_ID,
    })
      .setProtectedHeader({ alg: 'RS256' })
      .setIssuer('https://elsewhere.example/auth')
      .setSubject('intruder')
      .setIssuedAt()
      .setExpirationTime('1h')
      .sign(keys.privateKey);

    // Act / Assess
    await expect(verifyLocalToken(keys, token)).rejects.toThrow(/iss/);
  });

  it('rejects a token for another client (wrong audience)', async () => {
    // Prepare
    const token = await new SignJWT({
      role: 'operator',
      scope: 'hotline/operator',
      client_id: 'someone-else',
    })
      .setProtectedHeader({ alg: 'RS256' })
      .setIssuer(LOCAL_ISSUER)
      .setSubject('intruder')
      .setIssuedAt()
      .setExpirationTime('1h')
      .sign(keys.privateKey);

    // Act / Assess
    await expect(verifyLocalToken(keys, token)).rejects.toThrow(/audience/);
  });

  it('returns the payload of a token whose audience names the client instead of client_id', async () => {
    // Prepare
    const token = await new SignJWT({ role: 'supervisor', scope: 'hotline/supervisor' })
      .setProtectedHeader({ alg: 'RS256' })
      .setIssuer(LOCAL_ISSUER)
      .setAudience(LOCAL_CLIENT_ID)
      .setSubject('sup-1')
      .setIssuedAt()
      .setExpirationTime('1h')
      .sign(keys.privateKey);

    // Act / Assess
    await expect(verifyLocalToken(keys, token)).resolves.toMatchObject({ role: 'supervisor' });
  });

  it('rejects a token whose payload was changed after signing', async () => {
    // Prepare: turn an operator token into a supervisor one without re-signing
    const token = await signLocalToken(keys, { role: 'operator' });
    const [header, , signature] = token.split('.');
    const forgedPayload = Buffer.from(
      JSON.stringify({ ...decodeJwt(token), role: 'supervisor', scope: 'hotline/supervisor' }),
    ).toString('base64url');

    // Act / Assess
    await expect(verifyLocalToken(keys, `${header}.${forgedPayload}.${signature}`)).rejects.toThrow();
  });
});
