import * as z from 'zod';
import { endOfChinaDay, HOUR_MS } from './china-time.ts';
import type { WorkingCalendar } from './working-calendar.ts';

/**
 * Time limits (办理时限) as configuration. The defaults in data/time-limits.json are practice figures
 * from the brief, never constants in code: a city changes them per urgency and per category.
 */
export const limitSpecSchema = z.union([
  z.strictObject({ hours: z.number().positive() }),
  z.strictObject({ calendarDays: z.number().int().positive() }),
  z.strictObject({ workingDays: z.number().int().positive() }),
]);
export type LimitSpec = z.infer<typeof limitSpecSchema>;

const phaseLimitsSchema = z.strictObject({ contact: limitSpecSchema, resolve: limitSpecSchema });
export type PhaseLimits = z.infer<typeof phaseLimitsSchema>;

export const timeLimitsSchema = z.strictObject({
  version: z.string(),
  byUrgency: z.strictObject({
    emergency: phaseLimitsSchema,
    urgent: phaseLimitsSchema,
    normal: phaseLimitsSchema,
  }),
  /** Water, power, gas, heat, drainage: urgent limits whatever the stated urgency (Art. 19). */
  utility: phaseLimitsSchema,
  /** Overrides per category code; the most specific code of the order's category path wins. */
  byCategory: z.record(z.string(), phaseLimitsSchema.partial()),
  /** A reopened order, and a reply the centre rejected, get this much time again. */
  reopened: z.strictObject({ resolve: limitSpecSchema }),
});
export type TimeLimits = z.infer<typeof timeLimitsSchema>;

export type Urgency = 'emergency' | 'urgent' | 'normal';

/** Adds a limit to an instant: hours and calendar days exactly, working days by the official calendar. */
export const applyLimit = (fromMs: number, limit: LimitSpec, calendar: WorkingCalendar): number => {
  if ('hours' in limit) return fromMs + limit.hours * HOUR_MS;
  if ('calendarDays' in limit) return fromMs + limit.calendarDays * 24 * HOUR_MS;
  return calendar.endOfNthWorkingDayAfter(fromMs, limit.workingDays);
};

/** The limits that apply to an order: category override, else utility, else its urgency. */
export const limitsFor = (
  limits: TimeLimits,
  order: { urgency: Urgency; categoryPath: readonly string[]; utility: boolean },
): PhaseLimits => {
  const base =
    order.utility && order.urgency !== 'emergency' ? limits.utility : limits.byUrgency[order.urgency];
  const override = [...order.categoryPath].reverse().find((code) => limits.byCategory[code] !== undefined);
  return override ? { ...base, ...limits.byCategory[override] } : base;
};

/** Same-day dispatch (当天转办): the deadline is the end of the CST day the order was received. */
export const dispatchDeadline = (receivedAtMs: number): number => endOfChinaDay(receivedAtMs);

export interface HandlingDeadlines {
  /** First contact with the requester (首次联系). */
  readonly contactBy: string;
  /** Resolve and feed back (办结反馈). */
  readonly resolveBy: string;
}

/** Deadlines of a dispatched order, counted from the moment of dispatch. */
export const handlingDeadlines = (
  dispatchedAtMs: number,
  phase: PhaseLimits,
  calendar: WorkingCalendar,
): HandlingDeadlines => ({
  contactBy: new Date(applyLimit(dispatchedAtMs, phase.contact, calendar)).toISOString(),
  resolveBy: new Date(applyLimit(dispatchedAtMs, phase.resolve, calendar)).toISOString(),
});

/**
 * Seconds from now until a deadline, as Step Functions' `TimeoutSecondsPath` needs them: a positive
 * integer, rounded up so that the timeout never fires before the deadline.
 */
export const secondsUntil = (deadlineIso: string, nowMs: number): number => {
  const deadline = Date.parse(deadlineIso);
  // A NaN here would fail the execution at TimeoutSecondsPath, far from the cause: fail at the cause.
  if (Number.isNaN(deadline)) throw new RangeError(`Not a deadline: ${JSON.stringify(deadlineIso)}`);
  return Math.max(1, Math.ceil((deadline - nowMs) / 1000));
};
