import { type Api, ApiError, isNotComputed, type Query } from '../api.ts';
import { type Child, h, labelled, notice } from '../dom.ts';
import { dateTime } from '../format.ts';
import { t } from '../i18n.ts';
import type { MessageKey } from '../messages.ts';
import type { Reference } from '../reference.ts';
import { envelope, type InsightEnvelope } from '../shapes.ts';

/** What a view gets: the API, the city's names, and its own part of the address (`#rates?month=…`). */
export interface ViewContext {
  readonly api: Api;
  readonly ref: Reference;
  readonly params: URLSearchParams;
  /** Changes the view's parameters (the address follows, so a view can be bookmarked and shared). */
  navigate(params: Readonly<Record<string, string | undefined>>): void;
}

export interface View {
  readonly id: string;
  readonly label: MessageKey;
  render(ctx: ViewContext, root: HTMLElement): Promise<void>;
}

/** An error as the reader should see it: "not computed yet" is a plain notice, others say what failed. */
export const problem = (error: unknown, what: string): HTMLElement => {
  if (isNotComputed(error))
    return notice(t('notComputed', { what }), 'info', { 'data-state': 'not-computed' });
  if (error instanceof ApiError && error.status === 403)
    return notice(t('forbidden', { what }), 'error', { 'data-state': 'error' });
  if (error instanceof ApiError && error.status === 404)
    return notice(t('notFound', { what, message: error.message }), 'info', { 'data-state': 'not-found' });
  const message = error instanceof Error ? error.message : String(error);
  return notice(t('loadFailed', { what, message }), 'error', { 'data-state': 'error' });
};

/** "Computed 2026-12-01 03:00:12 · run 01J…" under an insight's heading. */
export const insightMeta = (insight: InsightEnvelope): HTMLElement =>
  h(
    'p',
    { class: 'meta', 'data-period': insight.period ?? '' },
    t('insightMeta', {
      // Rates are stored per month and class (2026-11#street): the class is on the page already.
      period: insight.period?.split('#')[0] ?? '—',
      computedAt: dateTime(insight.computedAt),
      runId: insight.runId ?? '—',
    }),
  );

/** Reads an insight and draws it; a missing insight or a failure is drawn in its place. */
export const withInsight = async (
  api: Api,
  path: string,
  query: Query,
  what: string,
  draw: (insight: InsightEnvelope) => readonly Child[],
): Promise<readonly Child[]> => {
  try {
    const insight = envelope(await api.get(path, query));
    return [insightMeta(insight), ...draw(insight)];
  } catch (error) {
    return [problem(error, what)];
  }
};

/** A month input (YYYY-MM); empty means "the latest computed". */
export const monthInput = (value: string | null, name = 'month'): HTMLInputElement =>
  h('input', { type: 'month', name, value: value ?? '' });

export const dayInput = (value: string | null, name: string): HTMLInputElement =>
  h('input', { type: 'date', name, value: value ?? '' });

/** A form of controls with a "show" button that writes them into the address. */
export const controls = (
  ctx: ViewContext,
  fields: readonly [MessageKey, HTMLInputElement | HTMLSelectElement][],
) => {
  const form = h('form', { class: 'controls' });
  for (const [label, control] of fields) form.appendChild(labelled(t(label), control));
  form.appendChild(h('button', { type: 'submit' }, t('show')));
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    ctx.navigate(Object.fromEntries(fields.map(([, c]) => [c.name, c.value || undefined])));
  });
  return form;
};

export const select = (
  name: string,
  options: readonly (readonly [string, string])[],
  value: string | null,
): HTMLSelectElement => {
  const element = h('select', { name });
  for (const [v, label] of options) {
    const option = h('option', { value: v }, label);
    if (v === value) option.selected = true;
    element.appendChild(option);
  }
  return element;
};

/** A trend arrow: ↑ red (more problems or a worse rate is what leaders look for), ↓ green. */
export const arrow = (delta: number | null, goodWhenUp: boolean): HTMLElement | string => {
  // Below what the page shows (0.1 percentage point) is no change.
  if (delta === null || Math.abs(delta) < 0.0005) return '';
  const up = delta > 0;
  return h('span', { class: up === goodWhenUp ? 'good' : 'bad' }, up ? ' ↑' : ' ↓');
};
