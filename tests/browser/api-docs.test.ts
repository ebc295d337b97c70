import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { type Browser, chromium } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { httpRoutes } from '#wiring/wiring.ts';
import { type StackProcess, startStackProcess } from '../integration/local-stack-process.ts';
import { CHROMIUM, CHROMIUM_ARGS, screenshotDir } from './browser.ts';

/**
 * The API docs page (dashboard/api-docs/) in headless Chromium: Swagger UI, self-hosted, draws every
 * operation of the document the stack serves, under the dashboard's CSP, with no request leaving the
 * stack (no CDN) and no console error.
 */
let stack: StackProcess;
let browser: Browser;

beforeAll(async () => {
  stack = await startStackProcess({});
  mkdirSync(screenshotDir, { recursive: true });
  browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await stack?.stop();
});

describe('the API docs page', () => {
  it('shows every route of the API from /openapi.json, offline', async () => {
    const page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
    const errors: string[] = [];
    const elsewhere: string[] = [];
    page.on('console', (message) => {
      if (message.type() === 'error') errors.push(message.text());
    });
    page.on('pageerror', (error) => errors.push(error.message));
    page.on('request', (request) => {
      if (!request.url().startsWith(stack.url) && !request.url().startsWith('data:'))
        elsewhere.push(request.url());
    });
    await page.goto(`${stack.url}/dashboard/api-docs.html`);
    await page
      .waitForSelector('body[data-ready="api-docs"] .opblock-tag', { timeout: 30_000 })
      .catch((error: Error) => {
        throw new Error(`${error.message}\nconsole: ${errors.join('\n')}`);
      });
    // Tags start collapsed (docExpansion: none): open each to count the operations drawn.
    for (const tag of await page.locator('.opblock-tag').all()) await tag.click();
    await page.waitForFunction(`document.querySelectorAll('.opblock').length >= ${httpRoutes.length}`);
    expect(await page.locator('.opblock').count()).toBe(httpRoutes.length);
    expect(await page.locator('.info .title').first().textContent()).toContain(
      'Hotline 12345 work-order API',
    );
    await page.screenshot({ path: join(screenshotDir, 'api-docs.png') });
    expect(errors).toEqual([]);
    expect(elsewhere).toEqual([]);
  }, 60_000);
});
