import { type MessageKey, messages } from './messages.ts';

/**
 * The page's language: Chinese by default, English on request, the choice kept in localStorage. Every
 * label comes from the dictionary in messages.ts; data (place and unit names) is shown as it is.
 */
export type Lang = 'zh' | 'en';
const STORAGE_KEY = 'hotline.dashboard.lang';

const stored = (): Lang => {
  try {
    return localStorage.getItem(STORAGE_KEY) === 'en' ? 'en' : 'zh';
  } catch {
    return 'zh';
  }
};

let current: Lang = stored();

export const lang = (): Lang => current;

export const setLang = (next: Lang): void => {
  current = next;
  try {
    localStorage.setItem(STORAGE_KEY, next);
  } catch {
    // private mode: the choice lasts for this page only
  }
  document.documentElement.lang = next === 'zh' ? 'zh-CN' : 'en';
};

/** The label for `key` in the current language, `{name}` placeholders filled from `values`. */
export const t = (key: MessageKey, values: Readonly<Record<string, string | number>> = {}): string =>
  messages[current][key].replace(/\{(\w+)\}/g, (_m, name: string) => String(values[name] ?? `{${name}}`));

/** A label looked up by a key made at run time (an event type, a criterion); `fallback` when absent. */
export const tryT = (key: string, fallback: string): string => {
  const table = messages[current] as Readonly<Record<string, string>>;
  return table[key] ?? fallback;
};
