import { chart } from '../charts.ts';
import { card, h, table } from '../dom.ts';
import { addDays, count, decimal, todayCst } from '../format.ts';
import { t, tryT } from '../i18n.ts';
import { alertRows } from '../shapes.ts';
import { controls, dayInput, problem, type View } from './common.ts';

/** Early-warning alerts (Art. 29; GET /insights/alerts?from=&to=): a spike per category and area. */
const DEFAULT_DAYS = 30;

export const alertsView: View = {
  id: 'alerts',
  label: 'tab.alerts',
  render: async (ctx, root) => {
    const to = ctx.params.get('to') ?? todayCst();
    const from = ctx.params.get('from') ?? addDays(to, -(DEFAULT_DAYS - 1));
    root.append(
      controls(ctx, [
        ['control.from', dayInput(from, 'from')],
        ['control.to', dayInput(to, 'to')],
      ]),
    );
    try {
      const alerts = alertRows(await ctx.api.get('/insights/alerts', { from, to }));
      const days: string[] = [];
      for (let d = from; d <= to && days.length < 400; d = addDays(d, 1)) days.push(d);
      const perDay = (level: string) =>
        days.map((d) => alerts.filter((a) => a.day === d && a.areaLevel === level).length);
      root.append(
        card(
          t('alerts.title', { from, to }),
          h('p', { class: 'meta', 'data-field': 'alert-count' }, t('alerts.count', { n: alerts.length })),
          chart(
            {
              tooltip: { trigger: 'axis' },
              legend: { top: 0 },
              grid: { left: 40, right: 20, top: 40, bottom: 30 },
              xAxis: { type: 'category', data: days },
              yAxis: { type: 'value', minInterval: 1 },
              series: [
                {
                  name: t('area.district'),
                  type: 'bar',
                  stack: 'a',
                  data: perDay('district'),
                  color: '#c62f2f',
                },
                { name: t('area.street'), type: 'bar', stack: 'a', data: perDay('street'), color: '#2f6fb3' },
              ],
            },
            { 'data-chart': 'alerts' },
          ),
          alerts.length === 0
            ? h('p', {}, t('alerts.none'))
            : table(
                [
                  { label: t('col.day') },
                  { label: t('col.category') },
                  { label: t('col.area') },
                  { label: t('col.method') },
                  { label: t('col.observed'), numeric: true },
                  { label: t('col.expected'), numeric: true },
                  { label: t('col.statistic'), numeric: true },
                  { label: t('col.threshold'), numeric: true },
                ],
                alerts.map((a) => [
                  a.day,
                  `${ctx.ref.category(a.categoryCode)} (${a.categoryCode})`,
                  `${ctx.ref.area(a.areaCode)} · ${tryT(`area.${a.areaLevel}`, a.areaLevel)}`,
                  a.method,
                  count(a.observed),
                  decimal(a.expected, 1),
                  decimal(a.statistic),
                  decimal(a.threshold),
                ]),
                (i) => ({ 'data-alert': alerts[i]?.id ?? '' }),
                { 'data-table': 'alerts' },
              ),
        ),
      );
    } catch (error) {
      root.append(card(t('alerts.title', { from, to }), problem(error, t('tab.alerts'))));
    }
  },
};
