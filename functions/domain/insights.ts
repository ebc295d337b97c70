import * as z from 'zod';
import { meaningfulText } from './text.ts';

/**
 * The insights of proactive governance (主动治理), as the mining computes them and the API serves them:
 * each kind is computed for a period and stored whole, so a reader sees one consistent run.
 *   topics     每月一题 candidates of a CST month                 period YYYY-MM
 *   townships  治理类街乡镇 of a CST month                         period YYYY-MM
 *   rates      三率 of a unit class in a CST month, with trends   period YYYY-MM#<class>
 *   heatmap    category × month counts up to a month              period YYYY-MM
 *   outlook    seasonal outlook from a month on (冬病夏治, 未诉先办) period YYYY-MM
 *   hotspots   hot spots and repeated places in a window          period YYYY-MM-DD (its last day)
 * Alerts (Art. 29) are kept one by one (insight-store.ts), since each is published once on the bus.
 */
export const insightKinds = ['topics', 'townships', 'rates', 'heatmap', 'outlook', 'hotspots'] as const;
export type InsightKind = (typeof insightKinds)[number];

export const monthSchema = z.string().regex(/^\d{4}-(0[1-9]|1[0-2])$/, 'a month, YYYY-MM');
export const daySchema = z.iso.date();

/** A stored insight: the result of one mining run for one period, with how it was made. */
export interface Insight<T = unknown> {
  readonly kind: InsightKind;
  readonly period: string;
  readonly computedAt: string;
  /** The mining run that computed it (one id per run, for the audit of what was shown when). */
  readonly runId: string;
  /** Which engine, how long each query took and how many bytes it scanned. */
  readonly stats: Readonly<Record<string, unknown>>;
  readonly result: T;
}

/** An early-warning alert: one series (category × area) on one day by one method. */
export interface SpikeAlert {
  readonly id: string;
  readonly day: string;
  readonly categoryCode: string;
  readonly areaLevel: 'district' | 'street';
  readonly areaCode: string;
  readonly method: string;
  readonly observed: number;
  readonly expected: number;
  readonly statistic: number;
  readonly threshold: number;
  readonly detectedAt: string;
  readonly runId: string;
}

/** The id of an alert is fixed by what it is about, so a mining run done twice finds it again. */
export const alertIdOf = (
  a: Pick<SpikeAlert, 'day' | 'categoryCode' | 'areaLevel' | 'areaCode' | 'method'>,
) => `${a.day}#${a.areaLevel}:${a.areaCode}#${a.categoryCode}#${a.method}`;

/** The centre's pick of a month's topic (每月一题), recorded so later months can mark it. */
export const topicChoiceSchema = z.strictObject({
  categoryCode: z.string().regex(/^\d{2}(\d{2}){0,2}$/, 'a category code of 2, 4 or 6 digits'),
  note: meaningfulText(1000).optional(),
});
export type TopicChoice = z.infer<typeof topicChoiceSchema> & {
  readonly month: string;
  readonly by: string;
  readonly at: string;
};
