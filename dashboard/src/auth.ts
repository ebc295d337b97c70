import type { DashboardConfig } from './config.ts';

/**
 * Sign-in. Locally the stack hands out a token for a role (`GET /_local/token?role=`, a route only the
 * local stack has). In AWS: the OAuth 2.0 authorization-code flow with PKCE (RFC 7636) against the
 * Cognito hosted UI — the app client is public (a browser keeps no secret), the verifier never leaves
 * this tab, and the access token is kept in sessionStorage (gone when the tab closes), sent as
 * `Authorization: Bearer`. The role comes from the user's group (the pre-token-generation trigger),
 * so the page asks only for `openid email`.
 */
export interface Session {
  readonly token: string;
  readonly role: string | undefined;
  readonly expiresAt: number;
}

export interface Auth {
  /** A valid session; in AWS, without one it sends the browser to the hosted UI (and never resolves). */
  session(): Promise<Session>;
  /** The token was refused (expired, revoked): forget it so the next `session()` gets a new one. */
  forget(): void;
  signOut(): void;
  /** Locally a reader picks the role to read as. */
  readonly roles?: readonly string[];
  setRole?(role: string): void;
  readonly role?: () => string;
}

const TOKEN_KEY = 'hotline.dashboard.session';
const PKCE_KEY = 'hotline.dashboard.pkce';
const ROLE_KEY = 'hotline.dashboard.role';
/** Renew a minute before expiry rather than fail a request on the edge. */
const MARGIN_MS = 60_000;

const base64Url = (bytes: Uint8Array): string =>
  btoa(String.fromCharCode(...bytes))
    .replace(/\+/g, '-')
    .replace(/\//g, '_')
    .replace(/=+$/, '');

const randomString = (bytes = 32): string => base64Url(crypto.getRandomValues(new Uint8Array(bytes)));

/** The claims of a JWT, unverified (only to show who is signed in; the API verifies). */
const claimsOf = (token: string): Record<string, unknown> => {
  try {
    const payload = token.split('.')[1] ?? '';
    const json = atob(payload.replace(/-/g, '+').replace(/_/g, '/'));
    return JSON.parse(new TextDecoder().decode(Uint8Array.from(json, (c) => c.charCodeAt(0))));
  } catch {
    return {};
  }
};

const sessionOf = (token: string, expiresInSeconds: number): Session => {
  const claims = claimsOf(token);
  const exp = typeof claims.exp === 'number' ? claims.exp * 1000 : Date.now() + expiresInSeconds * 1000;
  return { token, role: typeof claims.role === 'string' ? claims.role : undefined, expiresAt: exp };
};

const storedSession = (): Session | undefined => {
  try {
    const s = JSON.parse(sessionStorage.getItem(TOKEN_KEY) ?? 'null') as Session | null;
    return s && typeof s.token === 'string' && s.expiresAt - MARGIN_MS > Date.now() ? s : undefined;
  } catch {
    return undefined;
  }
};

const keep = (s: Session): Session => {
  sessionStorage.setItem(TOKEN_KEY, JSON.stringify(s));
  return s;
};

const forget = () => sessionStorage.removeItem(TOKEN_KEY);

const localAuth = (apiUrl: string): Auth => {
  const roles = ['auditor', 'supervisor', 'operator', 'dispatcher'] as const;
  const role = () => localStorage.getItem(ROLE_KEY) ?? 'auditor';
  return {
    roles,
    role,
    setRole: (next) => {
      localStorage.setItem(ROLE_KEY, next);
      forget();
    },
    forget,
    signOut: forget,
    session: async () => {
      const stored = storedSession();
      if (stored && stored.role === role()) return stored;
      const response = await fetch(`${apiUrl}/_local/token?role=${encodeURIComponent(role())}`);
      if (!response.ok) throw new Error(`/_local/token: HTTP ${response.status}`);
      const body = (await response.json()) as { token: string; expiresIn: number };
      return keep(sessionOf(body.token, body.expiresIn));
    },
  };
};

interface PendingSignIn {
  readonly state: string;
  readonly verifier: string;
  /** The view the reader was on, restored after the round trip. */
  readonly hash: string;
}

const cognitoAuth = (config: Extract<DashboardConfig, { auth: 'cognito' }>): Auth => {
  const redirectToSignIn = async (): Promise<never> => {
    const pending: PendingSignIn = { state: randomString(), verifier: randomString(48), hash: location.hash };
    sessionStorage.setItem(PKCE_KEY, JSON.stringify(pending));
    const digest = await crypto.subtle.digest('SHA-256', new TextEncoder().encode(pending.verifier));
    const query = new URLSearchParams({
      response_type: 'code',
      client_id: config.clientId,
      redirect_uri: config.redirectUri,
      scope: 'openid email',
      state: pending.state,
      code_challenge: base64Url(new Uint8Array(digest)),
      code_challenge_method: 'S256',
    });
    location.assign(`${config.domain}/oauth2/authorize?${query}`);
    return new Promise<never>(() => undefined);
  };

  /** Back from the hosted UI with `?code=&state=`: trade the code (and our verifier) for tokens. */
  const completeSignIn = async (code: string, state: string): Promise<Session> => {
    const pending = JSON.parse(sessionStorage.getItem(PKCE_KEY) ?? 'null') as PendingSignIn | null;
    sessionStorage.removeItem(PKCE_KEY);
    if (!pending || pending.state !== state) throw new Error('The sign-in answer does not match this tab.');
    const response = await fetch(`${config.domain}/oauth2/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({
        grant_type: 'authorization_code',
        client_id: config.clientId,
        code,
        redirect_uri: config.redirectUri,
        code_verifier: pending.verifier,
      }),
    });
    if (!response.ok) throw new Error(`Cognito token endpoint: HTTP ${response.status}`);
    const tokens = (await response.json()) as { access_token: string; expires_in: number };
    history.replaceState(null, '', `${location.pathname}${pending.hash}`);
    return keep(sessionOf(tokens.access_token, tokens.expires_in));
  };

  return {
    forget,
    session: async () => {
      const params = new URLSearchParams(location.search);
      const code = params.get('code');
      const state = params.get('state');
      if (code && state) return completeSignIn(code, state);
      return storedSession() ?? redirectToSignIn();
    },
    signOut: () => {
      forget();
      const query = new URLSearchParams({ client_id: config.clientId, logout_uri: config.redirectUri });
      location.assign(`${config.domain}/logout?${query}`);
    },
  };
};

export const createAuth = (config: DashboardConfig): Auth =>
  config.auth === 'local' ? localAuth(config.apiUrl) : cognitoAuth(config);
