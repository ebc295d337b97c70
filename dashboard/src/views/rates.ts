import { chart, palette } from '../charts.ts';
import { card, h, table } from '../dom.ts';
import { count, monthCst, percent, signedPoints } from '../format.ts';
import { t } from '../i18n.ts';
import type { MessageKey } from '../messages.ts';
import { rankedUnits, type UnitRates } from '../shapes.ts';
import {
  arrow,
  controls,
  monthInput,
  problem,
  select,
  type View,
  type ViewContext,
  withInsight,
} from './common.ts';

/**
 * 三率 rankings of a unit class: the mined month (GET /insights/rates, with each unit's trend over the
 * months) and the live month as the assessment aggregates stand now (GET /assessment/rankings).
 */
export const unitClasses = ['street', 'district', 'department', 'enterprise'] as const;

const rateColumns = () => [
  { label: t('col.rank'), numeric: true },
  { label: t('col.unit') },
  { label: t('col.composite'), numeric: true },
  { label: t('col.response'), numeric: true },
  { label: t('col.resolution'), numeric: true },
  { label: t('col.satisfaction'), numeric: true },
  { label: t('col.assessed'), numeric: true },
];

const rateCells = (ctx: ViewContext, u: UnitRates) => [
  u.rank && u.rank > 0 ? String(u.rank) : '—',
  u.name ?? ctx.ref.unit(u.unitId),
  percent(u.composite),
  percent(u.response),
  percent(u.resolution),
  percent(u.satisfaction),
  count(u.assessed),
];

/** Composite change against the month before, from the unit's trend. */
const lastChange = (u: UnitRates): number | null => {
  const [prev, last] = u.trend.slice(-2);
  return prev?.composite != null && last?.composite != null ? last.composite - prev.composite : null;
};

const trendChart = (ctx: ViewContext, units: readonly UnitRates[]) => {
  const months = [...new Set(units.flatMap((u) => u.trend.map((p) => p.month)))].sort();
  if (months.length < 2) return undefined;
  const mean = months.map((m) => {
    const values = units.flatMap((u) => u.trend.filter((p) => p.month === m && p.composite !== null));
    return values.length ? values.reduce((s, p) => s + (p.composite ?? 0), 0) / values.length : null;
  });
  // The class mean and the five weakest units of the month: where a leader looks first.
  const weakest = units.filter((u) => u.composite !== null).slice(-5);
  const series = [
    { name: t('rates.classMean'), type: 'line', data: mean, lineStyle: { width: 3 }, color: '#1d2733' },
    ...weakest.map((u, i) => ({
      name: u.name ?? ctx.ref.unit(u.unitId),
      type: 'line',
      data: months.map((m) => u.trend.find((p) => p.month === m)?.composite ?? null),
      color: palette[i % palette.length],
    })),
  ];
  return chart(
    {
      tooltip: { trigger: 'axis', valueFormatter: (v: number) => percent(v) },
      legend: { type: 'scroll', top: 0 },
      grid: { left: 50, right: 20, top: 40, bottom: 30 },
      xAxis: { type: 'category', data: months },
      yAxis: {
        type: 'value',
        // Rates sit high: start the axis near the lowest, so differences show.
        min: (extent: { min: number }) => Math.max(0, Math.floor(extent.min * 10) / 10),
        max: 1,
        axisLabel: { formatter: (v: number) => `${Math.round(v * 100)}%` },
      },
      series,
    },
    { 'data-chart': 'rates-trend' },
  );
};

const extremesChart = (ctx: ViewContext, units: readonly UnitRates[]) => {
  const rated = units.filter((u) => u.composite !== null);
  const shown = rated.length > 20 ? [...rated.slice(0, 10), ...rated.slice(-10)] : rated;
  if (shown.length === 0) return undefined;
  const names = shown.map((u) => u.name ?? ctx.ref.unit(u.unitId)).reverse();
  return chart(
    {
      tooltip: { trigger: 'axis', valueFormatter: (v: number) => percent(v) },
      grid: { left: 170, right: 30, top: 10, bottom: 30 },
      xAxis: { type: 'value', max: 1, axisLabel: { formatter: (v: number) => `${Math.round(v * 100)}%` } },
      yAxis: { type: 'category', data: names },
      series: [
        {
          name: t('col.composite'),
          type: 'bar',
          data: [...shown].reverse().map((u, i, all) => ({
            value: u.composite,
            itemStyle: { color: i < all.length / 2 && rated.length > 20 ? '#c62f2f' : '#2f6fb3' },
          })),
        },
      ],
    },
    { class: 'chart tall', 'data-chart': 'rates-extremes' },
  );
};

const mined = async (ctx: ViewContext, unitClass: string, month: string | undefined) =>
  card(
    t('rates.mined'),
    ...(await withInsight(
      ctx.api,
      '/insights/rates',
      { month, class: unitClass },
      t('tab.rates'),
      (insight) => {
        const units = rankedUnits(insight.result);
        return [
          h('div', { class: 'grid2' }, extremesChart(ctx, units), trendChart(ctx, units)),
          table(
            [...rateColumns(), { label: t('col.change'), numeric: true }],
            units.map((u) => {
              const change = lastChange(u);
              return [...rateCells(ctx, u), h('span', {}, signedPoints(change), arrow(change, true))];
            }),
            (i) => ({ 'data-unit': units[i]?.unitId ?? '' }),
            { 'data-table': 'rates-mined' },
          ),
        ];
      },
    )),
  );

const live = async (ctx: ViewContext, unitClass: string, month: string) => {
  try {
    const body = await ctx.api.get('/assessment/rankings', { month, class: unitClass });
    const units = rankedUnits(body);
    const assessed = units.filter((u) => (u.assessed ?? 0) > 0);
    const proposals = ((body as { governance?: { proposals?: unknown[] } }).governance?.proposals ?? [])
      .length;
    return card(
      t('rates.live', { month }),
      h(
        'p',
        { class: 'meta' },
        t('rates.liveMeta', { assessed: assessed.length, others: units.length - assessed.length, proposals }),
      ),
      table(
        rateColumns(),
        assessed.map((u) => rateCells(ctx, u)),
        (i) => ({ 'data-unit': assessed[i]?.unitId ?? '' }),
        { 'data-table': 'rates-live' },
      ),
    );
  } catch (error) {
    return card(t('rates.live', { month }), problem(error, t('rates.live', { month })));
  }
};

export const ratesView: View = {
  id: 'rates',
  label: 'tab.rates',
  render: async (ctx, root) => {
    const unitClass = ctx.params.get('class') ?? 'street';
    const month = ctx.params.get('month') ?? undefined;
    const liveMonth = ctx.params.get('live') ?? monthCst();
    root.append(
      controls(ctx, [
        [
          'control.class',
          select(
            'class',
            unitClasses.map((c) => [c, t(`class.${c}` as MessageKey)] as const),
            unitClass,
          ),
        ],
        ['control.month', monthInput(month ?? null)],
        ['control.liveMonth', monthInput(liveMonth, 'live')],
      ]),
    );
    const [a, b] = await Promise.all([mined(ctx, unitClass, month), live(ctx, unitClass, liveMonth)]);
    root.append(a, b);
  },
};
