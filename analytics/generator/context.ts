import assessmentJson from '#data/assessment.json' with { type: 'json' };
import holidaysJson from '#data/holidays.json' with { type: 'json' };
import { type HolidayCalendarData, WorkingCalendar } from '../../functions/domain/working-calendar.ts';
import {
  callbackRules,
  referenceData,
  supervisionRules,
  timeLimits,
} from '../../functions/shared/platform/reference.ts';
import { buildPlan, type RunPlan } from './calendar.ts';
import { buildCity, type City } from './city.ts';
import { type GeneratorConfig, loadGeneratorConfig } from './config.ts';
import type { LifecycleRules } from './lifecycle.ts';
import { type PlantedPlan, plantFacts } from './planted.ts';

/** What a run is asked for: the same options give the same files. */
export interface RunOptions {
  readonly orders: number;
  readonly years: number;
  readonly endMonth: string;
  readonly seed: string;
  readonly plant: boolean;
  /** The key of the keyed hashes; the configuration's documented default when absent. */
  readonly hashKey?: string | undefined;
}

/** Everything a worker needs to make any month of the run, built the same way in every thread. */
export interface GeneratorContext {
  readonly options: RunOptions;
  readonly config: GeneratorConfig;
  readonly city: City;
  readonly plan: RunPlan;
  readonly planted: PlantedPlan;
  readonly lifecycle: LifecycleRules;
  readonly assessmentFactors: { readonly partly: number; readonly basically: number };
}

/**
 * The official calendar where the State Council's notices are known, and the plain weekly rhythm in
 * the other years (working-day limits must be computable for any year the generator covers).
 */
export const generatorCalendar = (): WorkingCalendar => {
  const data = holidaysJson as unknown as HolidayCalendarData;
  return new WorkingCalendar({
    years: {
      '1990': { holidays: [], makeupWorkdays: [] },
      ...data.years,
      '2100': { holidays: [], makeupWorkdays: [] },
    },
  });
};

/** The same calendar's knowledge of holidays (without the filler years). */
export const officialCalendar = (): WorkingCalendar =>
  new WorkingCalendar(holidaysJson as unknown as HolidayCalendarData);

export const createContext = (options: RunOptions): GeneratorContext => {
  const config = loadGeneratorConfig();
  const hashKey = options.hashKey ?? config.hashKey;
  const city = buildCity({ seed: options.seed, hashKey, config, ref: referenceData, timeLimits });
  const plan = buildPlan({
    config,
    city,
    calendar: officialCalendar(),
    seed: options.seed,
    endMonth: options.endMonth,
    years: options.years,
    orders: options.orders,
  });
  const planted = options.plant ? plantFacts(config, city, plan) : { facts: [], byDay: new Map() };
  const lastMonth = plan.months[plan.months.length - 1];
  if (!lastMonth) throw new Error('The range has no month.');
  const street = assessmentJson.rules.street;
  return {
    options,
    config,
    city,
    plan,
    planted,
    lifecycle: {
      config,
      city,
      calendar: generatorCalendar(),
      callback: callbackRules,
      supervision: supervisionRules,
      reopenedResolve: timeLimits.reopened.resolve,
      snapshotMs: lastMonth.endMs,
    },
    assessmentFactors: { partly: street.partlySolvedFactor, basically: street.basicallySatisfiedFactor },
  };
};
