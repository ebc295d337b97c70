import type { DeadlineRules } from '#domain/dispatch-deadlines.ts';
import { nextStep } from '#domain/supervision.ts';
import type { WorkOrder } from '#domain/work-order.ts';
import { referenceData, supervisionRules, timeLimits, workingCalendar } from '#shared/platform/reference.ts';

/** The deadline rules of this deployment: its reference data, time limits and holiday calendar. */
export const deadlineRules: DeadlineRules = { referenceData, timeLimits, calendar: workingCalendar };

/** What the lifecycle does next with this order (close, or wait until its next checkpoint). */
export const lifecycleStep = (order: WorkOrder, nowMs: number) =>
  nextStep(order, nowMs, supervisionRules, workingCalendar);
