import { createHash, randomBytes } from 'node:crypto';
import { requireEnv } from '#shared/platform/config.ts';
import { envNames } from '#wiring/wiring.ts';

/**
 * Survey links (回访链接) for requesters, who have no login: `<base>/<order id>.<secret>`. The secret is
 * 192 random bits; the order keeps only its SHA-256, so neither the table nor its backups can answer
 * for anyone. A link is valid while its round is open and until its expiry, and once: the first answer
 * ends the round.
 */
export interface SurveyToken {
  readonly orderId: string;
  readonly token: string;
}

const TOKEN = /^(WO[0-9A-HJKMNP-TV-Z]{26})\.([A-Za-z0-9_-]{32})$/;

export const newSurveyToken = (orderId: string): SurveyToken => ({
  orderId,
  token: `${orderId}.${randomBytes(24).toString('base64url')}`,
});

/** The order a token names, or nothing when it is not one of ours (never an exception: it is input). */
export const parseSurveyToken = (token: string): SurveyToken | undefined => {
  const match = TOKEN.exec(token);
  return match?.[1] ? { orderId: match[1], token } : undefined;
};

export const hashSurveyToken = (token: string): string => createHash('sha256').update(token).digest('hex');

/** The requester's link: read when sending, so the local stack can set its address after starting. */
export const surveyLinkOf = (token: string): string => {
  const base = requireEnv(envNames.surveyBaseUrl);
  return `${base.endsWith('/') ? base : `${base}/`}${token}`;
};
