import { ApiError } from '../api.ts';
import { card, h, notice, table } from '../dom.ts';
import { dateTime } from '../format.ts';
import { t, tryT } from '../i18n.ts';
import { lifecycleDiagram, lifecycleOf } from '../lifecycle.ts';
import { arr, num, obj, str } from '../shapes.ts';
import { controls, problem, select, type View, type ViewContext } from './common.ts';

/**
 * An order for auditors: every event of its log (GET /orders/{id}/timeline?verify=true) with whether
 * the hash chain holds, and its lifecycle as Step Functions ran it (GET /orders/{id}/execution-history,
 * every page), drawn as a diagram.
 */
const MAX_PAGES = 25; // 25 × 1 000 events: Step Functions' own limit of a history

const actorText = (actor: unknown): string => {
  const a = obj(actor);
  if (a.kind === 'person') {
    const role = str(a.role) ?? '';
    return `${tryT(`role.${role}`, role)} · ${str(a.unitId) ?? str(a.sub) ?? ''}`;
  }
  if (a.kind === 'system')
    return t('actor.system', { name: tryT(`system.${str(a.name)}`, str(a.name) ?? '') });
  if (a.kind === 'requester') return t('actor.requester');
  return '—';
};

const dataText = (data: unknown): string =>
  Object.entries(obj(data))
    .map(([k, v]) => `${k}: ${typeof v === 'object' && v !== null ? JSON.stringify(v) : String(v)}`)
    .join(' · ')
    .slice(0, 240);

const verificationLine = (verification: unknown) => {
  const v = obj(verification);
  if (v.valid === true)
    return h(
      'p',
      { class: 'verified valid', 'data-field': 'verification' },
      t('timeline.valid', { n: num(v.count) ?? 0 }),
    );
  if (v.valid === false)
    return h(
      'p',
      { class: 'verified invalid', 'data-field': 'verification' },
      t('timeline.invalid', {
        at: num(v.brokenAt) ?? '?',
        reason: tryT(`chain.${str(v.reason)}`, str(v.reason) ?? ''),
      }),
    );
  return null;
};

const historyPages = async (ctx: ViewContext, id: string, round: string | undefined) => {
  let page = obj(
    await ctx.api.get(`/orders/${encodeURIComponent(id)}/execution-history`, { maxResults: '1000', round }),
  );
  const events = [...arr(page.events)];
  const first = page;
  for (let i = 1; i < MAX_PAGES && str(page.nextToken); i++) {
    page = obj(
      await ctx.api.get(`/orders/${encodeURIComponent(id)}/execution-history`, {
        maxResults: '1000',
        round,
        nextToken: str(page.nextToken),
      }),
    );
    events.push(...arr(page.events));
  }
  return { events, executions: arr(first.executions), round: num(first.round) };
};

const lifecycleCard = async (ctx: ViewContext, id: string) => {
  const round = ctx.params.get('round') ?? undefined;
  try {
    const history = await historyPages(ctx, id, round);
    const lifecycle = lifecycleOf(history.events);
    const rounds = history.executions.map((e) => String(num(obj(e).round) ?? ''));
    const roundPicker =
      rounds.length > 1
        ? controls(ctx, [
            [
              'timeline.round',
              select(
                'round',
                rounds.map((r) => [r, r] as const),
                String(history.round ?? ''),
              ),
            ],
          ])
        : null;
    return card(
      t('timeline.lifecycle'),
      roundPicker,
      h(
        'p',
        { class: 'meta' },
        t('timeline.lifecycleMeta', { steps: lifecycle.steps.length, events: history.events.length }),
      ),
      h(
        'div',
        { 'data-diagram': 'lifecycle' },
        lifecycleDiagram(lifecycle, {
          status: t('timeline.status', { status: tryT(`execution.${lifecycle.status}`, lifecycle.status) }),
        }),
      ),
    );
  } catch (error) {
    if (error instanceof ApiError && error.status === 404)
      return card(
        t('timeline.lifecycle'),
        notice(t('timeline.noExecution'), 'info', { 'data-state': 'no-execution' }),
      );
    return card(t('timeline.lifecycle'), problem(error, t('timeline.lifecycle')));
  }
};

export const timelineView: View = {
  id: 'timeline',
  label: 'tab.timeline',
  render: async (ctx, root) => {
    const id = ctx.params.get('order')?.trim() ?? '';
    const input = h('input', {
      type: 'text',
      name: 'order',
      value: id,
      size: '40',
      placeholder: 'WO…',
      'aria-label': t('timeline.orderId'),
    });
    root.append(controls(ctx, [['timeline.orderId', input]]));
    if (!id) {
      root.append(notice(t('timeline.enterId')));
      return;
    }
    const [events, lifecycle] = await Promise.all([
      (async () => {
        try {
          const body = obj(
            await ctx.api.get(`/orders/${encodeURIComponent(id)}/timeline`, { verify: 'true' }),
          );
          const items = arr(body.items).map(obj);
          return card(
            t('timeline.events', { id }),
            h(
              'p',
              { class: 'meta' },
              t('timeline.statusNow', {
                status: tryT(`status.${str(body.status)}`, str(body.status) ?? '—'),
              }),
            ),
            verificationLine(body.verification),
            table(
              [
                { label: '#', numeric: true },
                { label: t('col.time') },
                { label: t('col.event') },
                { label: t('col.actor') },
                { label: t('col.details') },
              ],
              items.map((e) => [
                String(num(e.seq) ?? ''),
                dateTime(e.at),
                tryT(`event.${str(e.type)}`, str(e.type) ?? ''),
                actorText(e.actor),
                dataText(e.data),
              ]),
              (i) => ({
                'data-seq': String(num(items[i]?.seq) ?? ''),
                'data-type': str(items[i]?.type) ?? '',
              }),
              { 'data-table': 'events' },
            ),
          );
        } catch (error) {
          return card(t('timeline.events', { id }), problem(error, t('timeline.order', { id })));
        }
      })(),
      lifecycleCard(ctx, id),
    ]);
    root.append(events, lifecycle);
  },
};
