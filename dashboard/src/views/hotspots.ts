import { BEIJING_MAP, chart } from '../charts.ts';
import { districtAt, mapAttribution } from '../districts.ts';
import { card, h, table } from '../dom.ts';
import { count, decimal } from '../format.ts';
import { t } from '../i18n.ts';
import { hotspotsOf } from '../shapes.ts';
import { controls, dayInput, type View, withInsight } from './common.ts';

/**
 * Hot spots (Getis-Ord Gi* over H3 cells; GET /insights/hotspots) on a map of Beijing's districts, and
 * the places where the same problem keeps being reported.
 */
const MAX_ROWS = 50;

export const hotspotsView: View = {
  id: 'hotspots',
  label: 'tab.hotspots',
  render: async (ctx, root) => {
    const day = ctx.params.get('day') ?? undefined;
    root.append(controls(ctx, [['control.windowEnd', dayInput(day ?? null, 'day')]]));
    root.append(
      card(
        t('hotspots.title'),
        ...(await withInsight(ctx.api, '/insights/hotspots', { day }, t('tab.hotspots'), (insight) => {
          const { hotspots, repeats } = hotspotsOf(insight.result);
          const ranked = [...hotspots].sort(
            (a, b) => (b.z ?? 0) - (a.z ?? 0) || (b.orders ?? 0) - (a.orders ?? 0),
          );
          const perDistrict = new Map<string, number>();
          const districtOf = ranked.map((s) => districtAt(s.lat, s.lng));
          for (const d of districtOf) if (d) perDistrict.set(d.name, (perDistrict.get(d.name) ?? 0) + 1);
          const maxOrders = Math.max(1, ...hotspots.map((s) => s.orders ?? 0));
          const map = chart(
            {
              tooltip: {
                trigger: 'item',
                formatter: (p: { data?: { value: number[]; name: string } }) =>
                  p.data
                    ? `${p.data.name}<br/>${t('col.orders')}: ${count(p.data.value[2])}<br/>z: ${decimal(p.data.value[3])}`
                    : '',
              },
              geo: {
                map: BEIJING_MAP,
                roam: true,
                label: { show: true, fontSize: 11, color: '#5b6775' },
                itemStyle: { areaColor: '#f3f5f8', borderColor: '#9aa5b1' },
                emphasis: { itemStyle: { areaColor: '#e4e8ee' } },
                regions: [...perDistrict].map(([name, n]) => ({
                  name,
                  itemStyle: { areaColor: n >= 3 ? '#f7c6c6' : '#fbe3e3' },
                })),
              },
              series: [
                {
                  name: t('tab.hotspots'),
                  type: 'scatter',
                  coordinateSystem: 'geo',
                  symbolSize: (v: number[]) => 6 + 18 * Math.sqrt((v[2] ?? 0) / maxOrders),
                  itemStyle: { color: 'rgba(198,47,47,0.8)', borderColor: '#fff' },
                  data: ranked.map((s) => ({
                    name: `${ctx.ref.category(s.category)} · ${s.cell}`,
                    value: [s.lng, s.lat, s.orders ?? 0, s.z ?? 0],
                  })),
                },
              ],
            },
            { class: 'chart tall', 'data-chart': 'hotspots-map' },
          );
          return [
            h(
              'div',
              { class: 'map-box' },
              map,
              h('div', { class: 'attribution', 'data-field': 'attribution' }, mapAttribution),
            ),
            h('h3', {}, t('hotspots.cells', { n: hotspots.length })),
            table(
              [
                { label: t('col.category') },
                { label: t('col.district') },
                { label: t('hotspots.cell') },
                { label: t('col.orders'), numeric: true },
                { label: t('hotspots.neighbourhood'), numeric: true },
                { label: 'z', numeric: true },
                { label: 'p', numeric: true },
              ],
              ranked
                .slice(0, MAX_ROWS)
                .map((s, i) => [
                  `${ctx.ref.category(s.category)} (${s.category})`,
                  districtOf[i]?.name ?? '—',
                  s.cell,
                  count(s.orders),
                  count(s.neighbourhoodOrders),
                  decimal(s.z),
                  s.p === null ? '—' : s.p.toExponential(1),
                ]),
              (i) => ({ 'data-cell': ranked[i]?.cell ?? '' }),
              { 'data-table': 'hotspots' },
            ),
            h('h3', {}, t('hotspots.repeats', { n: repeats.length })),
            repeats.length === 0
              ? h('p', {}, t('hotspots.noRepeats'))
              : table(
                  [
                    { label: t('hotspots.place') },
                    { label: t('col.category') },
                    { label: t('col.township') },
                    { label: t('col.orders'), numeric: true },
                    { label: t('hotspots.requesters'), numeric: true },
                    { label: t('hotspots.spanDays'), numeric: true },
                    { label: t('hotspots.open'), numeric: true },
                  ],
                  repeats
                    .slice(0, MAX_ROWS)
                    .map((r) => [
                      r.address.slice(0, 12),
                      `${ctx.ref.category(r.category)} (${r.category})`,
                      r.street ? ctx.ref.area(r.street) : '—',
                      count(r.orders),
                      count(r.requesters),
                      count(r.spanDays),
                      count(r.open),
                    ]),
                  () => ({}),
                  { 'data-table': 'repeats' },
                ),
          ];
        })),
      ),
    );
  },
};
