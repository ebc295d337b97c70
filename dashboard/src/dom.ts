/**
 * Small DOM helpers. Text always goes in as text nodes (never innerHTML), so nothing the API returns
 * can become markup.
 */
export type Child = Node | string | number | null | undefined | false;

export const h = <K extends keyof HTMLElementTagNameMap>(
  tag: K,
  attrs: Readonly<Record<string, string | undefined>> = {},
  ...children: readonly Child[]
): HTMLElementTagNameMap[K] => {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs))
    if (value !== undefined) element.setAttribute(name, value);
  append(element, children);
  return element;
};

export const append = (parent: Node, children: readonly Child[]): void => {
  for (const child of children) {
    if (child === null || child === undefined || child === false) continue;
    parent.appendChild(typeof child === 'object' ? child : document.createTextNode(String(child)));
  }
};

export interface Column {
  readonly label: string;
  readonly numeric?: boolean;
}

/** A table; `rowAttrs` lets a row say what it is about (e.g. `data-unit`), for readers and tests. */
export const table = (
  columns: readonly Column[],
  rows: readonly (readonly Child[])[],
  rowAttrs: (index: number) => Readonly<Record<string, string>> = () => ({}),
  attrs: Readonly<Record<string, string>> = {},
): HTMLElement =>
  h(
    'div',
    { class: 'scroll' },
    h(
      'table',
      attrs,
      h('thead', {}, h('tr', {}, ...columns.map((c) => h('th', c.numeric ? { class: 'num' } : {}, c.label)))),
      h(
        'tbody',
        {},
        ...rows.map((cells, i) =>
          h(
            'tr',
            rowAttrs(i),
            ...cells.map((cell, j) => h('td', columns[j]?.numeric ? { class: 'num' } : {}, cell)),
          ),
        ),
      ),
    ),
  );

export const card = (title: string, ...children: readonly Child[]): HTMLElement =>
  h('section', { class: 'card' }, h('h2', {}, title), ...children);

export const notice = (text: string, kind: 'info' | 'error' = 'info', attrs: Record<string, string> = {}) =>
  h('div', { class: kind === 'error' ? 'notice error' : 'notice', role: 'status', ...attrs }, text);

export const labelled = (label: string, control: HTMLElement): HTMLElement => h('label', {}, label, control);
