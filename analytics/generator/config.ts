import * as z from 'zod';
import generatorJson from '#data/generator.json' with { type: 'json' };
import { appealTypes, channels, dispositionKinds, urgencies } from '../../functions/domain/order-input.ts';

/**
 * The generator's realism parameters (data/generator.json), one schema. Each is documented, with its
 * source or reasoning, in docs/generator.md. Codes of categories and districts are checked against
 * the city's reference data when the model is built (city.ts), not here.
 */
const share = z.number().min(0).max(1);
const positive = z.number().positive();
const monthDay = z.string().regex(/^(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])$/, 'MM-DD');
const range = z.tuple([z.number(), z.number()]).refine(([lo, hi]) => lo <= hi, 'lo ≤ hi');
const intRange = z
  .tuple([z.number().int().min(0), z.number().int().min(0)])
  .refine(([lo, hi]) => lo <= hi, 'lo ≤ hi');
const logNormal = z.strictObject({ median: positive, sigma: z.number().min(0) });
const categoryCode = z.string().regex(/^\d{2}(\d{2}){0,2}$/, 'a category code of 2, 4 or 6 digits');
/** Multiplicative tilts of a mix, per category code (the most specific code of an order's path wins). */
const tilts = <T extends readonly [string, ...string[]]>(keys: T) =>
  z.record(categoryCode, z.partialRecord(z.enum(keys), positive));
const mix = <T extends readonly [string, ...string[]]>(keys: T) =>
  z
    .partialRecord(z.enum(keys), share)
    .refine(
      (m) =>
        Math.abs((Object.values(m) as (number | undefined)[]).reduce((a: number, b) => a + (b ?? 0), 0) - 1) <
        1e-6,
      'the shares add up to 1',
    );

const rates = z.strictObject({
  /** The resolution rate (解决率) the city reached that year, with partial credit. */
  solved: share,
  /** The satisfaction rate (满意率), with partial credit. */
  satisfied: share,
  contactedInTime: share,
  overdue: share,
  expired: share,
  unreachable: share,
});
export type YearRates = z.infer<typeof rates>;

const season = z.strictObject({
  name: z.string(),
  codes: z.array(categoryCode).min(1),
  from: monthDay,
  to: monthDay,
  shape: z.enum(['plateau', 'front']),
  peak: positive,
  /** front: the level the peak decays to, as a share of (peak − 1). */
  floor: share.optional(),
  decayDays: positive.optional(),
  rampDays: z.number().min(0).default(0),
});
export type Season = z.infer<typeof season>;

const weatherKind = z.strictObject({
  window: z.tuple([monthDay, monthDay]),
  daysPerYear: intRange.optional(),
  spellsPerYear: intRange.optional(),
  wavesPerYear: intRange.optional(),
  days: intRange.optional(),
  intensity: range,
  nextDayShare: share.optional(),
  /** Category code → how much of the intensity it gets (1 = all of it). */
  effects: z.record(categoryCode, z.number().min(0)),
});
export type WeatherKind = z.infer<typeof weatherKind>;

export const generatorConfigSchema = z.strictObject({
  version: z.string(),
  note: z.string(),
  /** The default key of the keyed hashes in generated data: public, so generated hashes hide nothing. */
  hashKey: z.string().min(8),
  volume: z.strictObject({
    annual: z.record(z.string().regex(/^\d{4}$/), positive).refine((a) => Object.keys(a).length > 0),
    growthBeforeFirst: z.number().min(-0.5).max(1),
    growthAfterLast: z.number().min(-0.5).max(1),
  }),
  weekly: z.strictObject({ factors: z.array(positive).length(7) }),
  holidays: z.strictObject({ factor: positive, byName: z.record(z.string(), positive) }),
  intraday: z.strictObject({ hourWeights: z.array(z.number().min(0)).length(24) }),
  appealTypes: z.strictObject({ mix: mix(appealTypes), tilt: tilts(appealTypes) }),
  channels: mix(channels),
  urgency: z.strictObject({ mix: mix(urgencies), tilt: tilts(urgencies) }),
  requesters: z.strictObject({
    enterpriseShare: share,
    enterpriseTilt: z.record(categoryCode, positive),
    anonymousShare: share,
    declinesCallbackShare: share,
    generalPoolPerResident: positive,
    enterprisesPerResident: positive,
    frequentCallers: z.strictObject({
      shareOfOrders: share,
      residentsPerCaller: positive,
      zipfExponent: z.number().min(0),
      homePlaceShare: share,
    }),
    followUps: z.strictObject({
      share,
      lookbackOrders: z.number().int().positive(),
      repeatDispositionShare: share,
      duplicateExclusionShare: share,
    }),
  }),
  dispositions: z.strictObject({
    consultationAnsweredOnSpot: share,
    emergencyTransferShare: share,
    other: z.partialRecord(z.enum(dispositionKinds), share),
  }),
  places: z.strictObject({
    residentsPerPlace: positive,
    minPerTownship: z.number().int().positive(),
    maxPerTownship: z.number().int().positive(),
    zipfExponent: z.number().min(0),
    radiusShareOfNeighbourDistance: positive,
    minRadiusKm: positive,
    maxRadiusKm: positive,
    withoutAddress: z.strictObject({ consultation: share, other: share }),
  }),
  townships: z.strictObject({
    multiplierSigma: z.number().min(0),
    troubledShare: share,
    troubledMultiplier: range,
    troubledQualityPenalty: z.number().min(0),
  }),
  categories: z.strictObject({
    weights: z.record(categoryCode, z.number().min(0)),
    defaultLeafWeight: z.number().min(0),
    /** Probit shift of the chance of solving and satisfying, per code: negative is harder. */
    difficulty: z.record(categoryCode, z.number()),
  }),
  seasons: z.array(season),
  weather: z.strictObject({
    heavyRain: weatherKind,
    coldSpell: weatherKind,
    snow: weatherKind,
    heatWave: weatherKind,
  }),
  units: z.strictObject({
    qualitySigma: z.number().min(0),
    classOffset: z.strictObject({
      district: z.number(),
      street: z.number(),
      department: z.number(),
      enterprise: z.number(),
    }),
  }),
  outcomes: z.strictObject({
    byYear: z.record(z.string().regex(/^\d{4}$/), rates).refine((a) => Object.keys(a).length > 0),
    partlyShareOfUnsolved: share,
    basicallyShareOfUnsatisfied: share,
    answerCorrelation: z.number().min(0).max(0.99),
    expiredSolvedPenalty: z.number().min(0),
    requesterConfirmsTimelyContact: share,
    reopenShareOfUnhappy: share,
    reopenedImprovement: z.number().min(0),
    exclusions: z.strictObject({ unreasonable_demand: share, malicious: share, unreachableShare: share }),
  }),
  timing: z.strictObject({
    dispatchMinutes: logNormal,
    dispatcherExtraMinutes: logNormal,
    acceptHours: logNormal,
    reviewHours: logNormal,
    onSpotMinutes: logNormal,
    replyShareOfLimit: z.strictObject({ exponent: positive }),
  }),
  planted: z.strictObject({
    rising: z.strictObject({
      code: categoryCode,
      months: z.number().int().positive(),
      monthlyGrowth: positive,
    }),
    spike: z.strictObject({
      code: categoryCode,
      leafShares: z.record(categoryCode, positive),
      districtCode: z.string().regex(/^\d{6}$/),
      factor: z.number().gt(1),
      days: z.number().int().positive(),
      startDay: z.number().int().min(1).max(28),
      minExtraPerDay: z.number().int().min(0),
    }),
    hotspot: z.strictObject({
      code: categoryCode,
      districtCode: z.string().regex(/^\d{6}$/),
      lat: z.number().min(39).max(42),
      lng: z.number().min(115).max(118),
      startDay: z.number().int().min(1).max(28),
      days: z.number().int().positive().max(28),
      shareOfCityDaily: share,
      minPerDay: z.number().int().min(0),
      maxPerDay: z.number().int().min(0),
    }),
    seasonal: z.strictObject({
      code: categoryCode,
      peaks: z.array(
        z.strictObject({ name: z.string(), date: monthDay, halfWidthDays: positive, peak: z.number().gt(1) }),
      ),
    }),
  }),
  output: z.strictObject({ maxRowsPerFile: z.number().int().positive() }),
});
export type GeneratorConfig = z.infer<typeof generatorConfigSchema>;

/** data/generator.json, validated. */
export const loadGeneratorConfig = (): GeneratorConfig => generatorConfigSchema.parse(generatorJson);
