import type { ReferenceData } from './reference-data.ts';
import { type HandlingDeadlines, handlingDeadlines, limitsFor, type TimeLimits } from './time-limits.ts';
import type { WorkOrder } from './work-order.ts';
import type { WorkingCalendar } from './working-calendar.ts';

export interface DeadlineRules {
  readonly referenceData: ReferenceData;
  readonly timeLimits: TimeLimits;
  readonly calendar: WorkingCalendar;
}

/** The contact and resolution deadlines of an order dispatched at `nowMs` (Art. 13). */
export const deadlinesAtDispatch = (
  order: Pick<WorkOrder, 'categoryCode' | 'urgency'>,
  nowMs: number,
  rules: DeadlineRules,
): HandlingDeadlines => {
  const categoryPath = rules.referenceData.categoryPath(order.categoryCode);
  // Stryker disable next-line OptionalChaining: equivalent, categoryPath holds only codes it found with category(), so the lookup never misses
  const utility = categoryPath.some((code) => rules.referenceData.category(code)?.utility === true);
  return handlingDeadlines(
    nowMs,
    limitsFor(rules.timeLimits, { urgency: order.urgency, categoryPath, utility }),
    rules.calendar,
  );
};
