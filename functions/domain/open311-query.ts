import { CST_OFFSET_MS, DAY_MS } from '#domain/china-time.ts';
import type { Open311Problem } from '#domain/open311-intake.ts';

/**
 * GET requests (GeoReport v2): the filters, read as the spec says.
 * - `service_request_id`: a comma list of ids, which overrides every other filter (at most 100).
 * - `service_code`, `status` (open, closed): comma lists; all when absent.
 * - `start_date`/`end_date`: W3C times with their offset (a date alone is that day at CST midnight),
 *   at most 90 days apart; one alone spans 90 days from it; neither is the most recent 90 days.
 * - At most 1000 requests, newest first (the spec's default volume).
 */
export const OPEN311_MAX_DAYS = 90;
export const OPEN311_MAX_REQUESTS = 1000;
export const OPEN311_MAX_IDS = 100;

export type Open311Query =
  | { readonly kind: 'ids'; readonly ids: readonly string[] }
  | {
      readonly kind: 'range';
      readonly fromMs: number;
      readonly toMs: number;
      readonly serviceCodes?: ReadonlySet<string>;
      readonly statuses?: ReadonlySet<'open' | 'closed'>;
    };

const listOf = (raw: string | undefined): string[] =>
  (raw ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '');

const w3cTime = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:\d{2})$/;
const w3cDate = /^\d{4}-\d{2}-\d{2}$/;

/** Milliseconds of a W3C time, or undefined when it is not one (a time without its offset is not). */
export const parseW3cTime = (raw: string): number | undefined => {
  if (w3cDate.test(raw)) {
    const ms = Date.parse(`${raw}T00:00:00Z`);
    return Number.isNaN(ms) ? undefined : ms - CST_OFFSET_MS;
  }
  if (!w3cTime.test(raw)) return undefined;
  const ms = Date.parse(raw);
  return Number.isNaN(ms) ? undefined : ms;
};

const bad = (code: string, description: string): Open311Problem => ({ status: 400, code, description });

export const open311Query = (
  params: Readonly<Record<string, string | undefined>>,
  nowMs: number,
): { ok: true; query: Open311Query } | { ok: false; problems: Open311Problem[] } => {
  const ids = listOf(params.service_request_id);
  if (ids.length > OPEN311_MAX_IDS) {
    return {
      ok: false,
      problems: [bad('TOO_MANY_IDS', `At most ${OPEN311_MAX_IDS} service_request_id at once.`)],
    };
  }
  if (ids.length > 0) return { ok: true, query: { kind: 'ids', ids: [...new Set(ids)] } };

  const problems: Open311Problem[] = [];
  const timeOf = (name: 'start_date' | 'end_date'): number | undefined => {
    const raw = params[name]?.trim();
    if (!raw) return undefined;
    const ms = parseW3cTime(raw);
    if (ms === undefined)
      problems.push(
        bad('INVALID_DATE', `${name} must be a W3C time with its offset, e.g. 2026-12-01T00:00:00+08:00.`),
      );
    return ms;
  };
  const [start, end] = [timeOf('start_date'), timeOf('end_date')];
  const span = OPEN311_MAX_DAYS * DAY_MS;
  // A start alone reaches 90 days on, but not into the future (a start in the future finds nothing).
  const toMs = end ?? (start !== undefined ? Math.max(start, Math.min(start + span, nowMs)) : nowMs);
  const fromMs = start ?? toMs - span;
  if (fromMs > toMs) problems.push(bad('INVALID_RANGE', 'start_date is after end_date.'));
  else if (toMs - fromMs > span)
    problems.push(
      bad('RANGE_TOO_LONG', `start_date and end_date may be at most ${OPEN311_MAX_DAYS} days apart.`),
    );

  const statuses = listOf(params.status);
  for (const s of statuses)
    if (s !== 'open' && s !== 'closed')
      problems.push(bad('INVALID_STATUS', `status is open or closed, not ${s}.`));
  if (problems.length > 0) return { ok: false, problems };
  const serviceCodes = listOf(params.service_code);
  return {
    ok: true,
    query: {
      kind: 'range',
      fromMs,
      toMs,
      ...(serviceCodes.length > 0 ? { serviceCodes: new Set(serviceCodes) } : {}),
      ...(statuses.length > 0 ? { statuses: new Set(statuses as ('open' | 'closed')[]) } : {}),
    },
  };
};
