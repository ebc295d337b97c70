import { chart, palette } from '../charts.ts';
import { card, h, table } from '../dom.ts';
import { count, DASH, decimal, percent, signedPercent } from '../format.ts';
import { t, tryT } from '../i18n.ts';
import { topicCandidates } from '../shapes.ts';
import { controls, monthInput, type View, withInsight } from './common.ts';

/** 每月一题 candidates of a month (GET /insights/topics), each with the figures behind its score. */

/** An evidence figure as written: shares and growth as percentages, counts as counts. */
export const evidenceValue = (key: string, value: unknown): string => {
  if (value === null || value === undefined) return DASH;
  if (typeof value === 'number') {
    if (/growth|trend|change/i.test(key)) return signedPercent(value);
    if (/share|rate|ratio/i.test(key)) return percent(value);
    return Number.isInteger(value) ? count(value) : decimal(value);
  }
  if (typeof value === 'boolean') return value ? '✓' : '✗';
  if (Array.isArray(value))
    return value.map((v) => (typeof v === 'object' ? JSON.stringify(v) : String(v))).join(', ');
  if (typeof value === 'object')
    return Object.entries(value as Record<string, unknown>)
      .map(([k, v]) => `${tryT(`evidence.${k}`, k)} ${evidenceValue(k, v)}`)
      .join(' · ');
  return String(value);
};

/**
 * A component's raw figure: counts for volume, spread and recurrence; shares as percentages; a rise as
 * its bounded index (x − b)/(x + b), from 0 (no rise) to 1 (from nothing).
 */
const componentRaw = (component: string, raw: number | null): string => {
  if (component === 'volume' || component === 'spread' || component === 'recurrence') return count(raw);
  return component.startsWith('growth') ? decimal(raw, 3) : percent(raw);
};

export const topicsView: View = {
  id: 'topics',
  label: 'tab.topics',
  render: async (ctx, root) => {
    const month = ctx.params.get('month') ?? undefined;
    root.append(controls(ctx, [['control.month', monthInput(month ?? null)]]));
    root.append(
      card(
        t('topics.title'),
        ...(await withInsight(ctx.api, '/insights/topics', { month }, t('tab.topics'), (insight) => {
          const candidates = topicCandidates(insight.result);
          if (candidates.length === 0) return [h('p', {}, t('topics.none'))];
          const names = candidates.map((c) => ctx.ref.category(c.categoryCode));
          const parts = [...new Set(candidates.flatMap((c) => c.components.map((e) => e.component)))];
          const contribution = (c: (typeof candidates)[number], part: string) =>
            c.components.find((e) => e.component === part)?.contribution ?? 0;
          const series =
            parts.length > 0
              ? parts.map((p, i) => ({
                  name: tryT(`evidence.${p}`, p),
                  type: 'bar',
                  stack: 'score',
                  color: palette[i % palette.length],
                  data: candidates.map((c) => contribution(c, p)).reverse(),
                }))
              : [{ name: t('col.score'), type: 'bar', data: candidates.map((c) => c.score).reverse() }];
          return [
            chart(
              {
                tooltip: { trigger: 'axis' },
                legend: parts.length > 0 ? { top: 0, type: 'scroll' } : { show: false },
                grid: { left: 150, right: 30, top: parts.length > 0 ? 40 : 10, bottom: 30 },
                xAxis: { type: 'value' },
                yAxis: { type: 'category', data: [...names].reverse() },
                series,
              },
              { 'data-chart': 'topics' },
            ),
            ...candidates.map((c) =>
              h(
                'article',
                { class: 'candidate', 'data-category': c.categoryCode },
                h(
                  'h3',
                  {},
                  `${c.rank}. ${ctx.ref.category(c.categoryCode)} `,
                  h('span', { class: 'badge' }, c.categoryCode),
                  c.level !== null
                    ? h('span', { class: 'badge' }, t('topics.level', { level: c.level }))
                    : null,
                  ...c.chosenBefore.map((m) =>
                    h('span', { class: 'badge hot' }, t('topics.chosenBefore', { month: m })),
                  ),
                ),
                h(
                  'div',
                  { class: 'grid2' },
                  h(
                    'dl',
                    { class: 'evidence' },
                    h('dt', {}, t('col.score')),
                    h('dd', { 'data-field': 'score' }, decimal(c.score, 3)),
                    h('dt', {}, t('col.orders')),
                    h('dd', { 'data-field': 'orders' }, count(c.orders)),
                    h('dt', {}, t('col.townships')),
                    h('dd', { 'data-field': 'townships' }, count(c.townships)),
                    ...c.figures
                      .filter(([k]) => k !== 'orders' && k !== 'townships')
                      .flatMap(([k, v]) => [
                        h('dt', {}, tryT(`evidence.${k}`, k)),
                        h('dd', { 'data-field': k }, evidenceValue(k, v)),
                      ]),
                  ),
                  c.components.length > 0
                    ? table(
                        [
                          { label: t('topics.component') },
                          { label: t('topics.raw'), numeric: true },
                          { label: t('topics.weight'), numeric: true },
                          { label: t('topics.contribution'), numeric: true },
                        ],
                        c.components.map((e) => [
                          tryT(`evidence.${e.component}`, e.component),
                          componentRaw(e.component, e.raw),
                          percent(e.weight),
                          decimal(e.contribution, 3),
                        ]),
                        (i) => ({ 'data-component': c.components[i]?.component ?? '' }),
                        { 'data-table': 'components' },
                      )
                    : null,
                ),
              ),
            ),
          ];
        })),
      ),
    );
  },
};
