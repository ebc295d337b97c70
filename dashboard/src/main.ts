import './styles.css';
import { createApi } from './api.ts';
import { createAuth } from './auth.ts';
import { disposeCharts } from './charts.ts';
import { loadConfig } from './config.ts';
import { h, notice } from './dom.ts';
import { lang, setLang, t, tryT } from './i18n.ts';
import { loadReference } from './reference.ts';
import { alertsView } from './views/alerts.ts';
import type { View, ViewContext } from './views/common.ts';
import { heatmapView } from './views/heatmap.ts';
import { hotspotsView } from './views/hotspots.ts';
import { outlookView } from './views/outlook.ts';
import { ratesView } from './views/rates.ts';
import { timelineView } from './views/timeline.ts';
import { topicsView } from './views/topics.ts';
import { townshipsView } from './views/townships.ts';

/**
 * The dashboard: one view at a time, chosen by the address (`#topics?month=2026-11`), so a view can be
 * bookmarked and sent. `main[data-ready]` names the view once it is drawn.
 */
const views: readonly View[] = [
  ratesView,
  heatmapView,
  topicsView,
  outlookView,
  alertsView,
  hotspotsView,
  townshipsView,
  timelineView,
];

const byId = (id: string) => document.getElementById(id) as HTMLElement;
const main = byId('view');

const route = (): { view: View; params: URLSearchParams } => {
  const [id = '', query = ''] = location.hash.replace(/^#/, '').split('?');
  return { view: views.find((v) => v.id === id) ?? ratesView, params: new URLSearchParams(query) };
};

const start = async () => {
  setLang(lang());
  const config = await loadConfig();
  const auth = createAuth(config);
  const api = createApi(config.apiUrl, auth);
  const session = await auth.session();
  const ref = await loadReference(api);
  let generation = 0;

  const shell = () => {
    document.title = t('title');
    byId('title').textContent = t('title');
    byId('lang-toggle').textContent = t('language.switch');
    byId('refresh').textContent = t('refresh');
    const signOut = byId('sign-out');
    signOut.textContent = t('signOut');
    signOut.hidden = config.auth !== 'cognito';
    const who = byId('who');
    who.replaceChildren();
    if (auth.roles && auth.setRole && auth.role) {
      const roleSelect = h('select', { 'aria-label': t('role'), id: 'role' });
      for (const r of auth.roles) {
        const option = h('option', { value: r }, tryT(`role.${r}`, r));
        option.selected = r === auth.role();
        roleSelect.appendChild(option);
      }
      roleSelect.addEventListener('change', () => {
        auth.setRole?.(roleSelect.value);
        api.clear();
        void draw();
      });
      who.append(`${t('role')}: `, roleSelect);
    } else {
      who.textContent = `${t('role')}: ${tryT(`role.${session.role ?? ''}`, session.role ?? '—')}`;
    }
    const current = route().view.id;
    byId('tabs').replaceChildren(
      ...views.map((v) =>
        h(
          'a',
          { href: `#${v.id}`, 'data-view': v.id, ...(v.id === current ? { 'aria-current': 'page' } : {}) },
          t(v.label),
        ),
      ),
    );
  };

  const draw = async () => {
    const mine = ++generation;
    const { view, params } = route();
    shell();
    disposeCharts();
    delete main.dataset.ready;
    const root = h('div', { 'data-view': view.id });
    main.replaceChildren(root);
    const ctx: ViewContext = {
      api,
      ref,
      params,
      navigate: (next) => {
        const merged = new URLSearchParams(params);
        for (const [k, v] of Object.entries(next)) {
          if (v === undefined || v === '') merged.delete(k);
          else merged.set(k, v);
        }
        const query = merged.toString();
        location.hash = `${view.id}${query ? `?${query}` : ''}`;
      },
    };
    try {
      await view.render(ctx, root);
    } catch (error) {
      root.append(notice(t('loadFailed', { what: t(view.label), message: String(error) }), 'error'));
    }
    if (mine === generation) main.dataset.ready = view.id;
  };

  byId('lang-toggle').addEventListener('click', () => {
    setLang(lang() === 'zh' ? 'en' : 'zh');
    void draw();
  });
  byId('refresh').addEventListener('click', () => {
    api.clear();
    void draw();
  });
  byId('sign-out').addEventListener('click', () => auth.signOut());
  addEventListener('hashchange', () => void draw());
  await draw();
};

start().catch((error: unknown) => {
  main.replaceChildren(
    notice(t('startFailed', { message: error instanceof Error ? error.message : String(error) }), 'error'),
  );
  main.dataset.ready = 'error';
});
