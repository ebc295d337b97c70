import { chart } from '../charts.ts';
import { card, h, table } from '../dom.ts';
import { count, decimal, percent, signedPercent } from '../format.ts';
import { t } from '../i18n.ts';
import { type CategoryForecast, envelope, heatCells, num, obj, outlookOf } from '../shapes.ts';
import { controls, monthInput, select, type View, type ViewContext, withInsight } from './common.ts';

/**
 * The seasonal outlook (冬病夏治, 未诉先办; GET /insights/outlook): each category's expected orders for
 * the next months with 80 % and 95 % intervals drawn as bands, the seasonal naive baseline beside it,
 * and the "prepare now" list of problems whose season is about to start.
 */
const band = (
  name: string,
  stack: string,
  lower: (number | null)[],
  upper: (number | null)[],
  color: string,
) => [
  {
    name: `${name}-base`,
    type: 'line',
    stack,
    data: lower,
    lineStyle: { opacity: 0 },
    symbol: 'none',
    tooltip: { show: false },
  },
  {
    name,
    type: 'line',
    stack,
    data: upper.map((u, i) => (u === null || lower[i] == null ? null : u - (lower[i] as number))),
    lineStyle: { opacity: 0 },
    symbol: 'none',
    color,
    areaStyle: { color },
  },
];

const forecastChart = (c: CategoryForecast) => {
  const months = [...new Set([...c.history.map((p) => p.month), ...c.forecast.map((f) => f.month)])].sort();
  const of = <T>(points: readonly { month: string }[], month: string, value: (p: never) => T) => {
    const p = points.find((x) => x.month === month);
    return p ? value(p as never) : null;
  };
  const lower95 = months.map((m) =>
    of(c.forecast, m, (f: CategoryForecast['forecast'][number]) => f.i95.lower),
  );
  const upper95 = months.map((m) =>
    of(c.forecast, m, (f: CategoryForecast['forecast'][number]) => f.i95.upper),
  );
  const lower80 = months.map((m) =>
    of(c.forecast, m, (f: CategoryForecast['forecast'][number]) => f.i80.lower),
  );
  const upper80 = months.map((m) =>
    of(c.forecast, m, (f: CategoryForecast['forecast'][number]) => f.i80.upper),
  );
  return chart(
    {
      tooltip: {
        trigger: 'axis',
        formatter: (items: { dataIndex: number }[]) => {
          const i = items[0]?.dataIndex ?? 0;
          const month = months[i] ?? '';
          const f = c.forecast.find((x) => x.month === month);
          const actual = c.history.find((x) => x.month === month);
          return [
            month,
            actual ? `${t('outlook.actual')}: ${count(actual.orders)}` : '',
            f ? `${t('outlook.point')}: ${count(f.point)}` : '',
            f ? `80%: ${count(f.i80.lower)} – ${count(f.i80.upper)}` : '',
            f ? `95%: ${count(f.i95.lower)} – ${count(f.i95.upper)}` : '',
          ]
            .filter(Boolean)
            .join('<br/>');
        },
      },
      legend: {
        top: 0,
        data: [
          t('outlook.actual'),
          t('outlook.point'),
          t('outlook.naive'),
          t('outlook.band95'),
          t('outlook.band80'),
        ],
      },
      grid: { left: 60, right: 20, top: 40, bottom: 30 },
      xAxis: {
        type: 'category',
        data: months,
        boundaryGap: false,
        axisLabel: { showMinLabel: true, showMaxLabel: true },
      },
      yAxis: { type: 'value', min: 0 },
      series: [
        ...band(t('outlook.band95'), 'b95', lower95, upper95, 'rgba(198,47,47,0.15)'),
        ...band(t('outlook.band80'), 'b80', lower80, upper80, 'rgba(198,47,47,0.3)'),
        {
          name: t('outlook.actual'),
          type: 'line',
          data: months.map((m) => of(c.history, m, (p: { orders: number }) => p.orders)),
          color: '#1d2733',
        },
        {
          name: t('outlook.point'),
          type: 'line',
          data: months.map((m) => of(c.forecast, m, (f: CategoryForecast['forecast'][number]) => f.point)),
          color: '#c62f2f',
          lineStyle: { width: 3 },
        },
        {
          name: t('outlook.naive'),
          type: 'line',
          data: months.map((m) =>
            of(c.seasonalNaive, m, (f: CategoryForecast['forecast'][number]) => f.point),
          ),
          color: '#5b6775',
          lineStyle: { type: 'dashed' },
        },
      ],
    },
    { 'data-chart': 'outlook' },
  );
};

const interval = (i: { lower: number | null; upper: number | null }) =>
  `${count(i.lower)} – ${count(i.upper)}`;

const prepareTable = (ctx: ViewContext, items: ReturnType<typeof outlookOf>['prepare']) =>
  table(
    [
      { label: t('col.category') },
      { label: t('outlook.seasonStart') },
      { label: t('outlook.leadMonths'), numeric: true },
      { label: t('outlook.expected'), numeric: true },
      { label: t('outlook.townships') },
    ],
    items.map((p) => [
      `${ctx.ref.category(p.category)} (${p.category})`,
      p.seasonStart,
      count(p.leadMonths),
      count(p.expectedOrders),
      p.townships.map((s) => `${ctx.ref.area(s.street)} ${count(s.expectedOrders)}`).join('、'),
    ]),
    (i) => ({ 'data-category': items[i]?.category ?? '' }),
    { 'data-table': 'prepare' },
  );

export const outlookView: View = {
  id: 'outlook',
  label: 'tab.outlook',
  render: async (ctx, root) => {
    const month = ctx.params.get('month') ?? undefined;
    // The months before the forecast: the outlook's own `history` when it has one, else the heatmap's
    // counts of the same month (orders received per category and month, at the same taxonomy level).
    const heat = await ctx.api.get('/insights/heatmap', { month }).then(
      (body) => heatCells(envelope(body).result),
      () => [],
    );
    const body = await withInsight(ctx.api, '/insights/outlook', { month }, t('tab.outlook'), (insight) => {
      const outlook = outlookOf(insight.result);
      const choices = [...outlook.categories].sort(
        (a, b) =>
          Number(b.status === 'ok') - Number(a.status === 'ok') ||
          (b.meanMonthlyOrders ?? 0) - (a.meanMonthlyOrders ?? 0),
      );
      const chosen =
        choices.find((c) => c.category === ctx.params.get('category')) ??
        choices.find((c) => c.category === outlook.prepare[0]?.category) ??
        choices[0];
      const summary = outlook.summary;
      const mase = obj(summary.meanMase);
      const coverage = obj(obj(summary.coverage).model);
      root.prepend(
        controls(ctx, [
          ['control.month', monthInput(month ?? null)],
          [
            'control.category',
            select(
              'category',
              choices.map((c) => [c.category, `${ctx.ref.category(c.category)} (${c.category})`] as const),
              chosen?.category ?? null,
            ),
          ],
        ]),
      );
      return [
        h(
          'p',
          { class: 'meta', 'data-field': 'backtest' },
          t('outlook.backtest', {
            beat: count(num(summary.beatBaseline)),
            backtested: count(num(summary.backtested)),
            mase: decimal(num(mase.model)),
            naive: decimal(num(mase.seasonalNaive)),
            c80: percent(num(coverage['0.8'])),
            c95: percent(num(coverage['0.95'])),
          }),
        ),
        chosen
          ? h(
              'div',
              { 'data-category': chosen.category },
              h(
                'h3',
                {},
                `${ctx.ref.category(chosen.category)} (${chosen.category})`,
                chosen.trendPerYear !== null
                  ? h(
                      'span',
                      { class: 'badge' },
                      t('outlook.trend', { trend: signedPercent(chosen.trendPerYear) }),
                    )
                  : null,
                chosen.status !== 'ok' ? h('span', { class: 'badge' }, t('outlook.insufficient')) : null,
              ),
              forecastChart(
                chosen.history.length > 0
                  ? chosen
                  : {
                      ...chosen,
                      history: heat
                        .filter((c) => c.category === chosen.category)
                        .sort((a, b) => a.month.localeCompare(b.month))
                        .slice(-24),
                    },
              ),
              table(
                [
                  { label: t('col.month') },
                  { label: t('outlook.point'), numeric: true },
                  { label: t('outlook.band80'), numeric: true },
                  { label: t('outlook.band95'), numeric: true },
                  { label: t('outlook.naive'), numeric: true },
                ],
                chosen.forecast.map((f) => [
                  f.month,
                  count(f.point),
                  interval(f.i80),
                  interval(f.i95),
                  count(chosen.seasonalNaive.find((n) => n.month === f.month)?.point),
                ]),
                (i) => ({ 'data-month': chosen.forecast[i]?.month ?? '' }),
                { 'data-table': 'forecast' },
              ),
            )
          : h('p', {}, t('outlook.none')),
        h('h3', {}, t('outlook.prepare')),
        outlook.prepare.length > 0
          ? prepareTable(ctx, outlook.prepare)
          : h('p', {}, t('outlook.prepareNone')),
      ];
    });
    // Without an outlook there is no category to choose, only another month.
    if (!root.querySelector('form'))
      root.prepend(controls(ctx, [['control.month', monthInput(month ?? null)]]));
    root.append(card(t('outlook.title'), ...body));
  },
};
