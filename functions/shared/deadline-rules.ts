import type { DeadlineRules } from '#domain/dispatch-deadlines.ts';
import { referenceData, timeLimits, workingCalendar } from './reference.ts';

/** The deadline rules of this deployment: its reference data, time limits and holiday calendar. */
export const deadlineRules: DeadlineRules = { referenceData, timeLimits, calendar: workingCalendar };
