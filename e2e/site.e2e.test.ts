/**
 * The public site in a real browser: Debian's Chromium driven by playwright-core against a
 * real server (SQLite in a temporary directory) that seeded its sample post on first run.
 * Screenshots go to test-output/screenshots for a human to look at.
 *
 * Without /usr/bin/chromium the suite is skipped locally, but fails in CI (CI=true), where
 * .ci/run installs it and nothing may be skipped.
 */
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Browser, BrowserContext, BrowserContextOptions, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, type RunningServer } from '../src/cli/serve.js';
import { loadConfig } from '../src/platform/config.js';
import {
  chromiumAvailable,
  launchChromium,
  NAV_TIMEOUT,
  SCREENSHOTS,
  TEST_TIMEOUT,
  watchForProblems,
} from './support/browser.js';
import { freePort } from './support/net.js';

const DEMO_TITLE = 'Welcome to Pressroom';
const PHONE = { width: 390, height: 844 };

const haveChromium = chromiumAvailable('the browser tests');

describe.skipIf(!haveChromium)('public site in Chromium', () => {
  let dataDir: string;
  let server: RunningServer;
  let browser: Browser;
  const contexts: BrowserContext[] = [];

  /** Console errors and uncaught exceptions of every page opened through `newPage`. */
  const problems: string[] = [];

  async function newPage(options: BrowserContextOptions = {}): Promise<Page> {
    const context = await browser.newContext({ baseURL: server.url, ...options });
    context.setDefaultTimeout(NAV_TIMEOUT);
    contexts.push(context);
    const page = await context.newPage();
    watchForProblems(page, problems);
    return page;
  }

  /**
   * Checks that no page has had console errors or failed requests since the last call,
   * after letting late requests (the browser's own /favicon.ico, say) finish.
   */
  async function expectNoProblems(page: Page): Promise<void> {
    await page.waitForLoadState('networkidle');
    const seen = problems.splice(0);
    expect(seen).toEqual([]);
  }

  async function screenshot(page: Page, name: string): Promise<void> {
    await page.screenshot({ path: path.join(SCREENSHOTS, name), fullPage: true });
  }

  beforeAll(async () => {
    mkdirSync(SCREENSHOTS, { recursive: true });
    dataDir = mkdtempSync(path.join(tmpdir(), 'pressroom-e2e-'));
    const port = await freePort();
    const config = loadConfig({
      NODE_ENV: 'production',
      HOST: '127.0.0.1',
      PORT: String(port),
      PRESSROOM_URL: `http://127.0.0.1:${port}`,
      PRESSROOM_DATA_DIR: dataDir,
      LOG_LEVEL: 'silent',
    });
    server = await startServer(config, { worker: false });
    browser = await launchChromium();
  });

  afterAll(async () => {
    for (const context of contexts) await context.close().catch(() => undefined);
    await browser?.close();
    await server?.shutdown(1000);
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  });

  it(
    'home page lists the sample post',
    async () => {
      const page = await newPage({ viewport: { width: 1280, height: 800 } });
      const response = await page.goto('/');
      expect(response?.status()).toBe(200);

      await expect.poll(() => page.locator('h1').count()).toBe(1);
      expect(await page.locator('main').count()).toBe(1);
      expect(await page.locator('nav').count()).toBeGreaterThanOrEqual(1);
      expect(await page.getByRole('navigation', { name: 'Main' }).isVisible()).toBe(true);
      const postLink = page.locator('main a', { hasText: DEMO_TITLE });
      expect(await postLink.count()).toBe(1);
      expect(await postLink.isVisible()).toBe(true);

      await screenshot(page, 'home-desktop.png');
      await expectNoProblems(page);
    },
    TEST_TIMEOUT,
  );

  it(
    'the post page shows the post, its source and its notes',
    async () => {
      const page = await newPage({ viewport: { width: 1280, height: 800 } });
      await page.goto('/');
      await Promise.all([
        page.waitForURL(/\/p\/[a-z0-9-]+$/),
        page.locator('main a', { hasText: DEMO_TITLE }).click(),
      ]);

      const h1 = page.locator('h1');
      expect(await h1.count()).toBe(1);
      expect(await h1.textContent()).toContain(DEMO_TITLE);
      expect(await page.locator('main').count()).toBe(1);
      expect(await page.locator('main blockquote').first().isVisible()).toBe(true);
      expect(await page.locator('main section.footnotes').isVisible()).toBe(true);
      expect(await page.locator('main .footnote-ref a').first().getAttribute('href')).toMatch(
        /^#fn-/,
      );
      const notice = page.locator('main .notice-demo');
      expect(await notice.isVisible()).toBe(true);
      expect(await notice.textContent()).toContain('sample post');

      await screenshot(page, 'post-desktop.png');
      await expectNoProblems(page);
    },
    TEST_TIMEOUT,
  );

  it(
    'the post page fits a phone screen without sideways scrolling',
    async () => {
      const page = await newPage({
        viewport: PHONE,
        isMobile: true,
        hasTouch: true,
        deviceScaleFactor: 2,
      });
      await page.goto('/');
      const href = await page.locator('main a', { hasText: DEMO_TITLE }).getAttribute('href');
      expect(href).toMatch(/^\/p\//);
      await page.goto(href!);
      expect(await page.locator('h1').textContent()).toContain(DEMO_TITLE);

      // A string, not a function: this project compiles without the DOM types.
      const widths = await page.evaluate<{ scrollWidth: number; innerWidth: number }>(
        '({ scrollWidth: document.scrollingElement.scrollWidth, innerWidth: window.innerWidth })',
      );
      expect(widths.innerWidth).toBe(PHONE.width);
      expect(widths.scrollWidth).toBeLessThanOrEqual(widths.innerWidth);

      await screenshot(page, 'post-phone.png');
      await expectNoProblems(page);
    },
    TEST_TIMEOUT,
  );

  it(
    'works with JavaScript disabled',
    async () => {
      const page = await newPage({
        javaScriptEnabled: false,
        viewport: { width: 1280, height: 800 },
      });
      const response = await page.goto('/');
      expect(response?.status()).toBe(200);
      expect(await page.locator('h1').count()).toBe(1);
      const postLink = page.locator('main a', { hasText: DEMO_TITLE });
      expect(await postLink.isVisible()).toBe(true);
      // The stylesheet applied: the masthead's border is the theme's, not the browser's none.
      const border = await page.evaluate<string>(
        "getComputedStyle(document.querySelector('.site-header')).borderTopStyle",
      );
      expect(border).toBe('solid');
      await Promise.all([page.waitForURL(/\/p\//), postLink.click()]);
      expect(await page.locator('h1').textContent()).toContain(DEMO_TITLE);
      await expectNoProblems(page);
    },
    TEST_TIMEOUT,
  );
});
