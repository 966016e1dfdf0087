/**
 * Membership in a real browser: Debian's Chromium driven by playwright-core against a real
 * server (SQLite in a temporary directory) that sends its mail over SMTP to a real sink on
 * loopback. A reader subscribes, confirms from the emailed link, signs out, signs in again
 * from another emailed link and pledges. Screenshots go to test-output/screenshots.
 *
 * Without /usr/bin/chromium the suite is skipped locally, but fails in CI (CI=true), where
 * .ci/run installs it and nothing may be skipped.
 */
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSmtpSink, type ReceivedMail } from '../test/support/smtp-sink.js';
import { startServer, type RunningServer } from '../src/cli/serve.js';
import { LINK_PER_ADDRESS } from '../src/modules/members/members.service.js';
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

const READER = { email: 'ada.reader@example.com', name: 'Ada Reader' };

const haveChromium = chromiumAvailable('the members browser tests');

describe.skipIf(!haveChromium)('membership in Chromium', () => {
  let dataDir: string;
  let sink: Awaited<ReturnType<typeof startSmtpSink>>;
  let server: RunningServer;
  let browser: Browser;
  let context: BrowserContext;
  /** One reader's browser, its cookies kept from step to step. */
  let page: Page;

  /** Console errors, uncaught exceptions, failed requests and error answers. */
  const problems: string[] = [];

  /** Checks that nothing went wrong since the last call, once late requests have settled. */
  async function expectNoProblems(): Promise<void> {
    await page.waitForLoadState('networkidle');
    expect(problems.splice(0)).toEqual([]);
  }

  async function screenshot(name: string): Promise<void> {
    await page.screenshot({ path: path.join(SCREENSHOTS, name), fullPage: true });
  }

  /** The `index`th message (from 1) to the reader, waiting for it to arrive. */
  async function mailNumber(index: number): Promise<ReceivedMail> {
    await sink.waitFor(index);
    const mails = sink.received.filter((m) => m.envelope.to.includes(READER.email));
    expect(mails).toHaveLength(index);
    return mails[index - 1]!;
  }

  /** The emailed link to `linkPath`, as the reader's mail program shows it. */
  function linkIn(mail: ReceivedMail, linkPath: string): string {
    const text = mail.parsed.text ?? '';
    const link = new RegExp(`https?://\\S+${linkPath.replaceAll('/', '\\/')}\\?token=[\\w-]+`).exec(
      text,
    )?.[0];
    if (!link) throw new Error(`no ${linkPath} link in: ${text}`);
    expect(link.startsWith(`${server.url}/`)).toBe(true);
    return link;
  }

  beforeAll(async () => {
    mkdirSync(SCREENSHOTS, { recursive: true });
    dataDir = mkdtempSync(path.join(tmpdir(), 'pressroom-e2e-members-'));
    sink = await startSmtpSink();
    const port = await freePort();
    const config = loadConfig({
      NODE_ENV: 'production',
      HOST: '127.0.0.1',
      PORT: String(port),
      PRESSROOM_URL: `http://127.0.0.1:${port}`,
      PRESSROOM_DATA_DIR: dataDir,
      SMTP_URL: sink.url,
      PRESSROOM_MAIL_FROM: 'Pressroom <news@pressroom.test>',
      LOG_LEVEL: 'silent',
    });
    server = await startServer(config, { worker: false });
    // Tiers to show in the Plans section; without Stripe keys they take pledges only.
    const { payments } = server.pressroom.services;
    await payments.tiers.create({
      name: 'Supporter',
      description: 'Every analysis and the full transcripts.',
      currency: 'usd',
      monthly_amount: 800,
      yearly_amount: 8000,
      trial_days: 14,
      open: true,
      sort_order: 0,
    });
    await payments.tiers.create({
      name: 'Founding member',
      currency: 'usd',
      founding_min_amount: 15000,
      trial_days: 0,
      open: true,
      sort_order: 1,
    });

    browser = await launchChromium();
    context = await browser.newContext({
      baseURL: server.url,
      viewport: { width: 1280, height: 800 },
    });
    context.setDefaultTimeout(NAV_TIMEOUT);
    page = await context.newPage();
    watchForProblems(page, problems);
  });

  afterAll(async () => {
    await context?.close().catch(() => undefined);
    await browser?.close();
    await server?.shutdown(1000);
    await sink?.close();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  });

  it(
    'subscribes from the site and confirms with the emailed link',
    async () => {
      expect((await page.goto('/'))?.status()).toBe(200);
      expect(await page.locator('h1').count()).toBe(1);

      await page.goto('/subscribe');
      await page.getByLabel('Email address').fill(READER.email);
      await page.getByLabel('Name').fill(READER.name);
      await screenshot('members-subscribe.png');
      await page.locator('main').getByRole('button', { name: 'Subscribe' }).click();
      await page.getByRole('heading', { name: 'Check your inbox' }).waitFor();
      expect(await page.locator('main').textContent()).toContain(READER.email);
      await expectNoProblems();

      const mail = await mailNumber(1);
      expect(mail.parsed.subject).toContain('Confirm your subscription');
      await page.goto(linkIn(mail, '/members/confirm'));
      expect(await page.locator('h1').textContent()).toBe('Confirm your subscription');
      const confirm = page.getByRole('button', { name: 'Confirm subscription' });
      expect(await confirm.isVisible()).toBe(true);
      await screenshot('members-confirm.png');
      await Promise.all([page.waitForURL(/\/account\?welcome=1$/), confirm.click()]);

      expect(await page.locator('h1').textContent()).toBe('Your account');
      expect(await page.getByRole('status').textContent()).toContain(
        'Welcome! Your subscription is confirmed.',
      );
      expect(await page.locator('main').textContent()).toContain(
        `You are signed in as ${READER.email}`,
      );
      expect(await page.getByLabel('Your name').inputValue()).toBe(READER.name);
      await expectNoProblems();
    },
    TEST_TIMEOUT,
  );

  it(
    'signs out, and back in with an emailed sign-in link',
    async () => {
      await Promise.all([
        page.waitForURL(/\/$/),
        page.getByRole('button', { name: 'Sign out' }).click(),
      ]);
      await page.goto('/account');
      expect(new URL(page.url()).pathname).toBe('/signin');
      await expectNoProblems();

      // One emailed link per address per five minutes: the confirmation was the last one,
      // moments ago. Let those five minutes pass.
      await server.pressroom.services.rateLimiter.reset(LINK_PER_ADDRESS, READER.email);

      await page.getByLabel('Email address').fill(READER.email);
      await page.getByRole('button', { name: 'Send me a link' }).click();
      await page.getByRole('heading', { name: 'Check your inbox' }).waitFor();

      const mail = await mailNumber(2);
      await page.goto(linkIn(mail, '/members/signin'));
      expect(await page.locator('main').textContent()).toContain(`Sign in as ${READER.email}`);
      await Promise.all([
        page.waitForURL(/\/account$/),
        page.getByRole('button', { name: 'Sign in' }).click(),
      ]);
      expect(await page.locator('h1').textContent()).toBe('Your account');
      expect(await page.locator('main').textContent()).toContain(
        `You are signed in as ${READER.email}`,
      );
      await screenshot('members-account.png');
      await expectNoProblems();
    },
    TEST_TIMEOUT,
  );

  it(
    'shows the plans and takes a pledge, since paid subscriptions are not open',
    async () => {
      await page.goto('/account#plans');
      const plans = page.locator('#plans');
      expect(await plans.getByRole('heading', { name: 'Plans' }).isVisible()).toBe(true);
      const supporter = plans.getByRole('listitem').filter({ hasText: 'Supporter' });
      expect(await supporter.textContent()).toMatch(/\$8\.00\s+a month or\s+\$80\.00\s+a year/);
      expect(await supporter.textContent()).toContain('14 days free');
      expect(
        await plans.getByRole('listitem').filter({ hasText: 'Founding' }).textContent(),
      ).toMatch(/From\s+\$150\.00\s+a year/);
      // No Stripe keys: nothing to buy, so no checkout buttons; the cards lead to the pledge.
      expect(await plans.getByRole('button', { name: /Subscribe/ }).count()).toBe(0);
      await supporter.getByRole('link', { name: 'Pledge what you would pay' }).click();
      expect(new URL(page.url()).hash).toBe('#pledge');

      await page.getByLabel('Amount (USD)').fill('5');
      await page.getByLabel('Every').selectOption('month');
      await Promise.all([
        page.waitForURL(/\/account\?saved=pledge$/),
        plans.getByRole('button', { name: 'Pledge', exact: true }).click(),
      ]);
      expect(await page.getByRole('status').textContent()).toContain(
        'Thank you: your pledge is saved.',
      );
      expect(await page.locator('#plans').textContent()).toMatch(
        /You have pledged\s+\$5\.00\s+a\s+month/,
      );
      expect(await page.getByRole('button', { name: 'Change pledge' }).isVisible()).toBe(true);
      expect(await page.getByRole('button', { name: 'Withdraw my pledge' }).isVisible()).toBe(true);
      await page.locator('#plans').scrollIntoViewIfNeeded();
      await screenshot('members-pledge.png');
      await expectNoProblems();
    },
    TEST_TIMEOUT,
  );

  it(
    'offers Checkout buttons once paid subscriptions open, and fits a phone screen',
    async () => {
      // Keys stored and the switch on; only the page is looked at, so Stripe is never called.
      const { payments } = server.pressroom.services;
      await payments.storeKeys({
        stripe_secret_key: 'sk_test_pressroom',
        stripe_webhook_secret: 'whsec_test_pressroom',
      });
      await payments.openPaidSubscriptions();

      await page.goto('/account#plans');
      const plans = page.locator('#plans');
      const supporter = plans.getByRole('listitem').filter({ hasText: 'Supporter' });
      expect(await supporter.getByRole('button', { name: 'Subscribe monthly' }).isVisible()).toBe(
        true,
      );
      expect(await supporter.getByRole('button', { name: 'Subscribe yearly' }).isVisible()).toBe(
        true,
      );
      const founding = plans.getByRole('listitem').filter({ hasText: 'Founding' });
      expect(await founding.getByLabel('Your yearly amount (USD)').inputValue()).toBe('150');
      expect(await founding.getByRole('button', { name: 'Subscribe yearly' }).isVisible()).toBe(
        true,
      );
      // Every tier can be bought: the pledge made earlier is shown, to honour or withdraw.
      expect(await plans.textContent()).toMatch(
        /You have pledged\s+\$5\.00\s+a\s+month\.\s+Paid subscriptions are open/,
      );
      expect(await plans.getByLabel('Amount (USD)', { exact: true }).count()).toBe(0);
      expect(await plans.getByRole('button', { name: 'Withdraw my pledge' }).isVisible()).toBe(
        true,
      );
      await plans.scrollIntoViewIfNeeded();
      await screenshot('members-plans.png');

      await page.setViewportSize({ width: 390, height: 844 });
      // A string, not a function: this project compiles without the DOM types.
      const widths = await page.evaluate<{ scrollWidth: number; innerWidth: number }>(
        '({ scrollWidth: document.scrollingElement.scrollWidth, innerWidth: window.innerWidth })',
      );
      expect(widths.scrollWidth).toBeLessThanOrEqual(widths.innerWidth);
      await screenshot('members-plans-phone.png');
      await expectNoProblems();
    },
    TEST_TIMEOUT,
  );
});
