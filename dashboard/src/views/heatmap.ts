import { chart } from '../charts.ts';
import { card, h, table } from '../dom.ts';
import { count, signedPercent } from '../format.ts';
import { t } from '../i18n.ts';
import { heatCells } from '../shapes.ts';
import { arrow, controls, monthInput, type View, withInsight } from './common.ts';

/** Category × month order counts (GET /insights/heatmap): what rises, in which season. */
const MAX_ROWS = 30;

export const heatmapView: View = {
  id: 'heatmap',
  label: 'tab.heatmap',
  render: async (ctx, root) => {
    const month = ctx.params.get('month') ?? undefined;
    root.append(controls(ctx, [['control.month', monthInput(month ?? null)]]));
    root.append(
      card(
        t('heatmap.title'),
        ...(await withInsight(ctx.api, '/insights/heatmap', { month }, t('tab.heatmap'), (insight) => {
          const cells = heatCells(insight.result);
          const months = [...new Set(cells.map((c) => c.month))].sort();
          const totals = new Map<string, number>();
          for (const c of cells) totals.set(c.category, (totals.get(c.category) ?? 0) + c.orders);
          const categories = [...totals]
            .sort(([ca, a], [cb, b]) => b - a || ca.localeCompare(cb))
            .slice(0, MAX_ROWS)
            .map(([c]) => c);
          const at = (category: string, m: string) =>
            cells.filter((c) => c.category === category && c.month === m).reduce((s, c) => s + c.orders, 0);
          const max = Math.max(1, ...cells.map((c) => c.orders));
          const rowNames = categories.map((c) => `${ctx.ref.category(c)} ${c}`);
          const last = months.at(-1) ?? '';
          const previous = months.at(-2) ?? '';
          return [
            chart(
              {
                tooltip: { position: 'top' },
                grid: { left: 190, right: 30, top: 10, bottom: 70 },
                xAxis: {
                  type: 'category',
                  data: months,
                  splitArea: { show: true },
                  // Many months: labels are thinned, but the first and the last are always shown.
                  axisLabel: { showMinLabel: true, showMaxLabel: true },
                },
                yAxis: { type: 'category', data: [...rowNames].reverse(), splitArea: { show: true } },
                visualMap: {
                  min: 0,
                  max,
                  calculable: true,
                  orient: 'horizontal',
                  left: 'center',
                  bottom: 0,
                  inRange: { color: ['#fff7ec', '#fdbb84', '#d7301f', '#7f0000'] },
                },
                series: [
                  {
                    name: t('col.orders'),
                    type: 'heatmap',
                    data: categories.flatMap((c, row) =>
                      months.map((m, col) => [col, categories.length - 1 - row, at(c, m)]),
                    ),
                  },
                ],
              },
              { class: 'chart tall', 'data-chart': 'heatmap' },
            ),
            h('h3', {}, t('heatmap.totals', { from: months[0] ?? '—', to: last || '—' })),
            table(
              [
                { label: t('col.category') },
                { label: t('col.total'), numeric: true },
                { label: t('heatmap.lastMonth', { month: last || '—' }), numeric: true },
                { label: t('col.changeOnPrevious'), numeric: true },
              ],
              categories.map((c) => {
                const now = at(c, last);
                const before = at(c, previous);
                const change = before > 0 ? now / before - 1 : null;
                return [
                  `${ctx.ref.category(c)} (${c})`,
                  count(totals.get(c)),
                  count(now),
                  h('span', {}, signedPercent(change), arrow(change, false)),
                ];
              }),
              (i) => ({ 'data-category': categories[i] ?? '' }),
              { 'data-table': 'heatmap' },
            ),
          ];
        })),
      ),
    );
  },
};
