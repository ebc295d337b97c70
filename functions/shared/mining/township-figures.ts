import * as z from 'zod';
import type { TownshipFigures } from '#domain/mining/townships.ts';
import type { AnalyticsEngine, SqlRow } from '#shared/gateways/analytics-engine.ts';
import { rateCountsRowSchema } from './rates.ts';

/** The rows of township_figures.sql as the domain's TownshipFigures. */
const count = z.number().int().min(0);
const townshipRowSchema = z.object({
  street_code: z.string().min(1),
  orders: count,
  overdue_orders: count,
  orders_prev1: count.nullable(),
  orders_prev2: count.nullable(),
  orders_prev3: count.nullable(),
});

export const townshipFiguresOf = (rows: readonly SqlRow[]): TownshipFigures[] =>
  rows.map((row) => {
    const r = townshipRowSchema.parse(row);
    return {
      streetCode: r.street_code,
      orders: r.orders,
      overdueOrders: r.overdue_orders,
      previousOrders: [r.orders_prev1, r.orders_prev2, r.orders_prev3],
      counts: rateCountsRowSchema.parse(row),
    };
  });

/** A month's township figures from the store. */
export const queryTownshipFigures = async (
  engine: Pick<AnalyticsEngine, 'queryFile'>,
  month: string,
): Promise<TownshipFigures[]> => townshipFiguresOf(await engine.queryFile('township_figures', { month }));
