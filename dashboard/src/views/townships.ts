import { card, h, table } from '../dom.ts';
import { count, decimal, percent, signedPercent } from '../format.ts';
import { t, tryT } from '../i18n.ts';
import type { MessageKey } from '../messages.ts';
import { type GovernanceCheck, type TownshipRow, townshipsOf } from '../shapes.ts';
import { controls, monthInput, type View, type ViewContext, withInsight } from './common.ts';

/**
 * 治理类街乡镇 (GET /insights/townships): the townships the governance rule proposes for extra support,
 * each with every criterion in numbers, then every township in the rule's order.
 */
const formatOf: Readonly<Record<string, (x: number) => string>> = {
  assessed: (x) => count(x),
  composite: (x) => percent(x),
  ordersPer10k: (x) => decimal(x, 1),
  overdueShare: (x) => percent(x),
  trend: (x) => signedPercent(x),
};

/** One criterion as a sentence in the page's language (the API's `text` is English only). */
export const reasonText = (check: GovernanceCheck): string => {
  const format = formatOf[check.criterion];
  if (!format) return check.text;
  const name = tryT(`criterion.${check.criterion}`, check.criterion);
  if (check.figure === null) return t('criterion.notEvaluated', { name });
  const limit =
    check.limit.atLeast !== undefined
      ? t('criterion.atLeast', { limit: format(check.limit.atLeast) })
      : check.limit.atMost !== undefined
        ? t('criterion.atMost', { limit: format(check.limit.atMost) })
        : '';
  return t('criterion.sentence', { name, figure: format(check.figure), limit });
};

const reasons = (row: TownshipRow) =>
  h(
    'ul',
    { class: 'reasons' },
    ...row.reasons.map((r) =>
      h(
        'li',
        { class: r.met ? 'met' : '', 'data-criterion': r.criterion },
        `${r.met ? '✓ ' : r.met === false ? '✗ ' : '· '}${reasonText(r)}`,
      ),
    ),
  );

const proposalCard = (ctx: ViewContext, row: TownshipRow) =>
  h(
    'article',
    { class: 'candidate', 'data-street': row.streetCode },
    h(
      'h3',
      {},
      `${ctx.ref.area(row.streetCode)} `,
      h('span', { class: 'badge' }, row.streetCode),
      h(
        'span',
        { class: 'badge hot' },
        t('townships.criteria', { met: count(row.criteriaMet), needed: count(row.criteriaNeeded) }),
      ),
    ),
    reasons(row),
  );

export const townshipsView: View = {
  id: 'townships',
  label: 'tab.townships',
  render: async (ctx, root) => {
    const month = ctx.params.get('month') ?? undefined;
    root.append(controls(ctx, [['control.month', monthInput(month ?? null)]]));
    root.append(
      card(
        t('townships.title'),
        ...(await withInsight(ctx.api, '/insights/townships', { month }, t('tab.townships'), (insight) => {
          const { townships, proposals } = townshipsOf(insight.result);
          const column = (key: MessageKey, numeric = true) => ({ label: t(key), numeric });
          return [
            h('h3', {}, t('townships.proposals', { n: proposals.length })),
            ...(proposals.length > 0
              ? proposals.map((p) => proposalCard(ctx, p))
              : [h('p', {}, t('townships.none'))]),
            h('h3', {}, t('townships.all', { n: townships.length })),
            table(
              [
                column('col.rank'),
                column('col.township', false),
                column('townships.proposed', false),
                column('col.composite'),
                column('col.orders'),
                column('criterion.ordersPer10k'),
                column('criterion.overdueShare'),
                column('criterion.trend'),
              ],
              townships.map((row) => [
                count(row.rank),
                ctx.ref.area(row.streetCode),
                row.proposed ? h('span', { class: 'badge hot' }, t('townships.yes')) : '',
                percent(row.composite),
                count(row.orders),
                decimal(row.figure('ordersPer10k'), 1),
                percent(row.figure('overdueShare')),
                signedPercent(row.figure('trend')),
              ]),
              (i) => ({ 'data-street': townships[i]?.streetCode ?? '' }),
              { 'data-table': 'townships' },
            ),
          ];
        })),
      ),
    );
  },
};
