import * as z from 'zod';
import type { TopicFigures } from '#domain/mining/monthly-topics.ts';
import type { AnalyticsEngine, SqlRow } from '#shared/gateways/analytics-engine.ts';

/** The rows of topic_figures.sql as the domain's TopicFigures. */
const count = z.number().int().min(0);
const topicRowSchema = z.object({
  level: z.union([z.literal(1), z.literal(2), z.literal(3)]),
  category_code: z.string().min(1),
  parent_code: z.string().min(1).nullable(),
  orders: count,
  townships: count,
  answered: count,
  unsolved: count,
  dissatisfied: count,
  repeat_orders: count,
  last_year_orders: count.nullable(),
  trailing_orders: count.nullable(),
  comparable_years: count,
  elevated_years: count,
});

export const topicFiguresOf = (rows: readonly SqlRow[]): TopicFigures[] =>
  rows.map((row) => {
    const r = topicRowSchema.parse(row);
    return {
      categoryCode: r.category_code,
      level: r.level,
      parentCode: r.parent_code,
      orders: r.orders,
      townships: r.townships,
      answered: r.answered,
      unsolved: r.unsolved,
      dissatisfied: r.dissatisfied,
      repeatOrders: r.repeat_orders,
      lastYearOrders: r.last_year_orders,
      trailingOrders: r.trailing_orders,
      comparableYears: r.comparable_years,
      elevatedYears: r.elevated_years,
    };
  });

/** A month's figures from the store, with the repeat window and elevation factor of the config. */
export const queryTopicFigures = async (
  engine: Pick<AnalyticsEngine, 'queryFile'>,
  month: string,
  config: { readonly repeatDays: number; readonly elevation: number },
): Promise<TopicFigures[]> =>
  topicFiguresOf(
    await engine.queryFile('topic_figures', {
      month,
      repeat_days: config.repeatDays,
      elevation: config.elevation,
    }),
  );
