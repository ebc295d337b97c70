import areas from '#data/areas.json' with { type: 'json' };
import callbackJson from '#data/callback.json' with { type: 'json' };
import catalogue from '#data/catalogue.json' with { type: 'json' };
import categories from '#data/categories.json' with { type: 'json' };
import holidays from '#data/holidays.json' with { type: 'json' };
import supervisionJson from '#data/supervision.json' with { type: 'json' };
import timeLimitsJson from '#data/time-limits.json' with { type: 'json' };
import units from '#data/units.json' with { type: 'json' };
import { callbackRulesSchema } from '#domain/callback.ts';
import { ReferenceData, type ReferenceDataSources } from '#domain/reference-data.ts';
import { supervisionRulesSchema } from '#domain/supervision.ts';
import { timeLimitsSchema } from '#domain/time-limits.ts';
import { type HolidayCalendarData, WorkingCalendar } from '#domain/working-calendar.ts';

/**
 * The city's reference data, bundled with each function from data/ (versioned JSON) and indexed once
 * per container. The casts only widen JSON literal types to the domain's interfaces; the demo-data
 * test checks the files' integrity.
 */
export const referenceData = new ReferenceData({
  areas,
  units,
  categories,
  catalogue,
} as unknown as ReferenceDataSources);
export const workingCalendar = new WorkingCalendar(holidays as HolidayCalendarData);
export const timeLimits = timeLimitsSchema.parse(timeLimitsJson);
const { version: _version, ...supervision } = supervisionJson;
export const supervisionRules = supervisionRulesSchema.parse(supervision);

/** When and how often the requester is called back, and how often an order may reopen (data/callback.json). */
export const callbackRules = callbackRulesSchema.parse(callbackJson);
