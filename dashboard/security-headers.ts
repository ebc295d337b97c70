/**
 * The dashboard's security headers, one definition for both places that serve it: the local stack
 * (local/dashboard-site.ts) and CloudFront's response headers policy (infra/constructs/dashboard-site.ts).
 * The page loads only its own script and styles; it talks to the API and, in AWS, Cognito's token
 * endpoint. ECharts sets inline styles on the elements it draws, hence 'unsafe-inline' for styles only.
 */
export const contentSecurityPolicy = (connectSources: readonly string[]): string =>
  [
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data: blob:",
    "font-src 'self'",
    `connect-src ${["'self'", ...connectSources].join(' ')}`,
    "object-src 'none'",
    "base-uri 'self'",
    "form-action 'self'",
    "frame-ancestors 'none'",
  ].join('; ');

export const referrerPolicy = 'strict-origin-when-cross-origin';
/** Two years, with subdomains (HSTS); only meaningful over HTTPS, so CloudFront sends it, not the local stack. */
export const strictTransportSecondsMax = 63_072_000;
