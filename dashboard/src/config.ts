/**
 * config.json, next to index.html: where the API is and how to sign in.
 *   locally  { "apiUrl": "http://localhost:3000", "auth": "local" }
 *   in AWS   { "apiUrl": "https://….execute-api….amazonaws.com/", "auth": "cognito",
 *              "domain": "https://<prefix>.auth.<region>.amazoncognito.com", "clientId": "…",
 *              "redirectUri": "https://d….cloudfront.net/" }
 */
export type DashboardConfig =
  | { readonly apiUrl: string; readonly auth: 'local' }
  | {
      readonly apiUrl: string;
      readonly auth: 'cognito';
      readonly domain: string;
      readonly clientId: string;
      readonly redirectUri: string;
    };

const text = (value: unknown, name: string): string => {
  if (typeof value !== 'string' || value.trim() === '') throw new Error(`config.json: ${name} is missing`);
  return value.trim();
};

/** `https://host` without a trailing slash, so paths can be appended. */
const origin = (value: string): string =>
  (/^https?:\/\//.test(value) ? value : `https://${value}`).replace(/\/+$/, '');

export const parseConfig = (raw: unknown): DashboardConfig => {
  const c = (raw ?? {}) as Record<string, unknown>;
  const apiUrl = origin(text(c.apiUrl, 'apiUrl'));
  if (c.auth === 'local') return { apiUrl, auth: 'local' };
  if (c.auth === 'cognito')
    return {
      apiUrl,
      auth: 'cognito',
      domain: origin(text(c.domain, 'domain')),
      clientId: text(c.clientId, 'clientId'),
      redirectUri: text(c.redirectUri, 'redirectUri'),
    };
  throw new Error('config.json: auth is "local" or "cognito"');
};

export const loadConfig = async (): Promise<DashboardConfig> => {
  const response = await fetch('./config.json', { cache: 'no-store' });
  if (!response.ok) throw new Error(`config.json: HTTP ${response.status}`);
  return parseConfig(await response.json());
};
