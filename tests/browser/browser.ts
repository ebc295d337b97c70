import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { type Browser, type BrowserContext, chromium, type Page } from 'playwright-core';
import { expect } from 'vitest';

/**
 * Debian's Chromium driven by playwright-core (Playwright's own browser downloads do not work here),
 * and the few things the dashboard tests read from a view: its tables row by row, texts, the labels
 * ECharts' SVG renderer writes, and every console error the page logged.
 */
export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];
export const screenshotDir = resolve(import.meta.dirname, '../../.test-results/screenshots');

export interface Row {
  readonly key: string | null;
  readonly cells: readonly string[];
}

export interface View {
  readonly page: Page;
  /** The rows of `table[data-table=name]` (inside `within`), each keyed by its `keyAttr`. */
  rows(name: string, keyAttr: string, within?: string): Promise<Row[]>;
  attributes(selector: string, attr: string): Promise<(string | null)[]>;
  text(selector: string): Promise<string>;
  allTexts(selector: string): Promise<string[]>;
  count(selector: string): Promise<number>;
  /** The text elements ECharts drew in the chart `[data-chart=name]`. */
  svgTexts(chart: string): Promise<string[]>;
  /** Waits until every chart of the view is drawn; how many there are. */
  chartsDrawn(): Promise<number>;
  screenshot(name: string): Promise<void>;
  /** Saves a screenshot, closes the page and asserts it logged no error (but those `allow`ed). */
  finish(name: string, options?: { allow?: readonly RegExp[] }): Promise<void>;
}

export interface Dashboard {
  /**
   * Opens `/dashboard/#<hash>` and waits until the view `id` is drawn. `prepare` runs on the new page
   * first (e.g. to route requests); `fresh` gives the page a context of its own (its own storage, and
   * `bypassCSP` so a test can stand in for an outside origin).
   */
  open(
    hash: string,
    id: string,
    options?: { prepare?: (page: Page) => Promise<void>; fresh?: { bypassCSP?: boolean } },
  ): Promise<View>;
  close(): Promise<void>;
}

export const openBrowser = async (stackUrl: string): Promise<Dashboard> => {
  mkdirSync(screenshotDir, { recursive: true });
  const browser: Browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
  // One context for all views, as one reader's browser: the language choice carries from page to page.
  const contextOptions = {
    viewport: { width: 1400, height: 1000 },
    locale: 'zh-CN',
    timezoneId: 'Asia/Shanghai',
  };
  const context: BrowserContext = await browser.newContext(contextOptions);
  return {
    close: () => browser.close(),
    open: async (hash, id, options = {}) => {
      const own = options.fresh
        ? await browser.newContext({ ...contextOptions, bypassCSP: options.fresh.bypassCSP ?? false })
        : undefined;
      const page = await (own ?? context).newPage();
      page.on('close', () => void own?.close());
      await options.prepare?.(page);
      const errors: string[] = [];
      page.on('console', (message) => {
        if (message.type() === 'error') errors.push(message.text());
      });
      // The message, and where it was thrown (a failure in a busy run is then readable from its log).
      page.on('pageerror', (error) =>
        errors.push(`page error: ${error.message}${(error.stack ?? '').split('\n').slice(1, 4).join(' ')}`),
      );
      await page.goto(`${stackUrl}/dashboard/#${hash}`);
      await page.waitForSelector(`main[data-ready="${id}"]`, { timeout: 30_000 });
      const view: View = {
        page,
        rows: async (name, keyAttr, within) => {
          const rows = page.locator(`${within ? `${within} ` : ''}table[data-table="${name}"] tbody tr`);
          const texts = await rows.allInnerTexts();
          const keys: (string | null)[] = [];
          for (let i = 0; i < texts.length; i++) keys.push(await rows.nth(i).getAttribute(keyAttr));
          return texts.map((text, i) => ({
            key: keys[i] ?? null,
            cells: text.split('\t').map((c) => c.trim()),
          }));
        },
        attributes: async (selector, attr) => {
          const found = page.locator(selector);
          const values: (string | null)[] = [];
          for (let i = 0; i < (await found.count()); i++) values.push(await found.nth(i).getAttribute(attr));
          return values;
        },
        text: async (selector) => ((await page.locator(selector).first().textContent()) ?? '').trim(),
        allTexts: async (selector) => (await page.locator(selector).allTextContents()).map((t) => t.trim()),
        count: (selector) => page.locator(selector).count(),
        svgTexts: async (chart) => {
          await page.waitForSelector(`[data-chart="${chart}"][data-drawn="true"] svg`);
          return (await page.locator(`[data-chart="${chart}"] svg text`).allTextContents()).map((t) =>
            t.trim(),
          );
        },
        chartsDrawn: async () => {
          await page.waitForFunction(
            "[...document.querySelectorAll('main .chart')].every((c) => c.dataset.drawn === 'true' && c.querySelector('svg'))",
          );
          return page.locator('main .chart').count();
        },
        screenshot: async (name) => {
          await page.screenshot({ path: join(screenshotDir, `${name}.png`), fullPage: true });
        },
        finish: async (name, options = {}) => {
          await page.waitForFunction(
            "[...document.querySelectorAll('main .chart')].every((c) => c.dataset.drawn === 'true')",
          );
          await view.screenshot(name);
          await page.close();
          const unexpected = errors.filter((e) => !(options.allow ?? []).some((pattern) => pattern.test(e)));
          expect(unexpected, `console errors on ${name}`).toEqual([]);
        },
      };
      return view;
    },
  };
};
