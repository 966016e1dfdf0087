/**
 * The Settings screen in a real browser against a real server (SQLite in a temporary folder,
 * newsletters going by what staff set, to a loopback SMTP sink). The owner saves the
 * publication (title, accent colour, navigation reordered from the keyboard, a logo uploaded)
 * and sees it on the public site; a bad colour gets the server's error beside its field; a
 * plan with monthly and yearly prices is created; pledges are turned off; a newsletter is
 * added; SMTP settings pointing at the sink are saved and a test message arrives; a DKIM key
 * is made and its DNS record shown. The screen fits a phone. Screenshots go to
 * test-output/screenshots (admin-settings-*.png).
 */
import type { Locator } from 'playwright-core';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startAdminBrowserRig, type AdminBrowserRig } from './support/admin.js';
import { ADMIN_OWNER } from './support/admin.js';
import { chromiumAvailable, TEST_TIMEOUT, watchForProblems } from './support/browser.js';

const haveChromium = chromiumAvailable('the settings browser tests');

describe.skipIf(!haveChromium)('the Settings screen in Chromium', () => {
  let rig: AdminBrowserRig;

  /** Expects exactly the failed answers a step provoked on purpose, and nothing else. */
  async function expectOnlyProblems(expected: RegExp[]): Promise<void> {
    await rig.page.waitForLoadState('networkidle');
    const seen = rig.problems.splice(0);
    const unexplained = seen.filter((p) => !expected.some((e) => e.test(p)));
    expect(unexplained).toEqual([]);
    for (const e of expected)
      expect(
        seen.some((p) => e.test(p)),
        String(e),
      ).toBe(true);
  }

  const hasFocus = (target: Locator) => target.evaluate((e) => e === e.ownerDocument.activeElement);

  /** Nothing of the Settings screen sticks out past the right edge of the viewport. */
  const overflowing = () =>
    rig.page.evaluate(`[...document.querySelectorAll('.pr-set, .pr-set *')]
      .filter((e) => e.getBoundingClientRect().right > document.documentElement.clientWidth + 0.5)
      .map((e) => e.tagName + '.' + e.className + ' ' + Math.round(e.getBoundingClientRect().right))`);

  beforeAll(async () => {
    rig = await startAdminBrowserRig({
      name: 'settings',
      // Sign-in mail keeps SMTP_URL; newsletters go by what is set on this screen.
      env: { PRESSROOM_NEWSLETTER_TRANSPORT: 'settings' },
    });
    await rig.signIn();
  }, 120_000);

  afterAll(async () => {
    await rig?.close();
  });

  it(
    'shows the server’s error beside a bad accent colour, then saves the publication',
    async () => {
      const { page } = rig;
      await page.getByRole('link', { name: 'Settings', exact: true }).click();
      await page.waitForURL(/\/admin\/settings$/);
      await page.getByRole('heading', { name: 'Publication' }).waitFor();
      const nav = page.getByRole('navigation', { name: 'Settings sections' });
      await expect
        .poll(() => nav.getByRole('link', { name: 'Publication' }).getAttribute('aria-current'))
        .toBe('page');

      await page.getByLabel('Title', { exact: true }).fill('The Ledger');
      const accent = page.getByLabel('Accent colour', { exact: true });
      await accent.fill('blue');
      await page.getByRole('button', { name: 'Save', exact: true }).click();
      await page.getByText('must be a colour like #1a5fb4').waitFor();
      // Beside the field, tied to it, and the field has the focus to fix it.
      expect(await accent.getAttribute('aria-invalid')).toBe('true');
      const described = (await accent.getAttribute('aria-describedby')) ?? '';
      const errorText = await page.evaluate(
        `${JSON.stringify(described)}.split(' ').map((id) => document.getElementById(id)?.textContent ?? '').join(' ')`,
      );
      expect(errorText).toContain('must be a colour like #1a5fb4');
      expect(await hasFocus(accent)).toBe(true);
      await rig.screenshot('admin-settings-publication-error.png');
      await expectOnlyProblems([/\b400\b.*\/api\/admin\/settings\b/]);
      const stored = await rig.server.pressroom.services.settings.get();
      expect(stored.title).not.toBe('The Ledger');

      await accent.fill('#b3261e');

      // Navigation: drop Archive, add a Subscribe link and move it to the top by keyboard.
      await page.getByRole('button', { name: 'Remove Archive' }).click();
      await page.getByRole('button', { name: 'Add a link' }).click();
      const added = page.locator('.pr-set-nav-items li').last();
      const label = added.getByLabel('Label');
      // The new row's first field takes the focus.
      await expect.poll(() => hasFocus(label)).toBe(true);
      await label.fill('Subscribe');
      await added.getByLabel('Address').fill('/subscribe');
      const up = page.getByRole('button', { name: 'Move Subscribe up' });
      await up.focus();
      await page.keyboard.press('Enter');
      // At the top its Up button is disabled: the focus goes to its Down button.
      const down = page.getByRole('button', { name: 'Move Subscribe down' });
      await expect.poll(() => hasFocus(down)).toBe(true);
      expect(await up.isDisabled()).toBe(true);

      // A logo, uploaded through the media endpoint.
      const png = await sharp({
        create: { width: 240, height: 60, channels: 3, background: '#b3261e' },
      })
        .png()
        .toBuffer();
      await page
        .getByLabel('Logo: upload an image')
        .setInputFiles({ name: 'logo.png', mimeType: 'image/png', buffer: png });
      const preview = page.getByRole('img', { name: 'The logo now chosen' });
      await preview.waitFor();
      const logoUrl = await preview.getAttribute('src');
      expect(logoUrl).toMatch(/^\/content\/images\/\d{4}\/\d{2}\/[0-9a-f-]{36}\.png$/);
      await page.getByText('Unsaved changes').waitFor();

      await page.getByRole('button', { name: 'Save', exact: true }).click();
      await page.getByText('Publication settings saved.').waitFor();
      expect(await page.getByText('Unsaved changes').count()).toBe(0);
      expect(await accent.getAttribute('aria-invalid')).toBeNull();
      await rig.screenshot('admin-settings-publication.png');
      await rig.expectNoProblems();

      const settings = await rig.server.pressroom.services.settings.get();
      expect(settings).toMatchObject({
        title: 'The Ledger',
        accent_color: '#b3261e',
        logo: logoUrl,
        navigation: [
          { label: 'Subscribe', url: '/subscribe' },
          { label: 'Home', url: '/' },
        ],
      });

      // The public site shows it at once.
      await page.goto('/');
      const logo = page.locator('.site-title img.site-logo');
      expect(await logo.getAttribute('src')).toBe(logoUrl);
      expect(await logo.getAttribute('alt')).toBe('The Ledger');
      expect(
        await logo.evaluate((img) => (img as unknown as { naturalWidth: number }).naturalWidth),
      ).toBe(240);
      expect(await page.locator('.site-nav a').allTextContents()).toEqual(['Subscribe', 'Home']);
      expect(
        await page.evaluate(
          `getComputedStyle(document.documentElement).getPropertyValue('--accent').trim()`,
        ),
      ).toBe('#b3261e');
      await rig.expectNoProblems();
    },
    TEST_TIMEOUT,
  );

  it(
    'creates a plan with a monthly and a yearly price',
    async () => {
      const { page } = rig;
      await page.goto('/admin/settings');
      await page
        .getByRole('navigation', { name: 'Settings sections' })
        .getByRole('link', { name: 'Plans and prices' })
        .click();
      await page.waitForURL(/\/admin\/settings\/plans$/);
      // The section's heading takes the focus, as after a page load.
      const heading = page.getByRole('heading', { name: 'Plans and prices' });
      await expect.poll(() => hasFocus(heading)).toBe(true);
      await page.getByText('No plans yet').waitFor();

      await page.getByRole('button', { name: 'New plan' }).click();
      await page.getByLabel('Name').fill('Gold');
      await page.getByLabel('Monthly price (USD)').fill('eight');
      await page.getByLabel('Yearly price (USD)').fill('80');
      await page.getByRole('button', { name: 'Create plan' }).click();
      // Caught before sending: the server counts cents, the form speaks dollars.
      await page.getByText('must be an amount such as 8 or 8.50').waitFor();
      await page.getByLabel('Monthly price (USD)').fill('8.50');
      await page.getByRole('button', { name: 'Create plan' }).click();
      await page.getByText('Gold is created.').waitFor();
      const row = page.getByRole('row').filter({ hasText: 'Gold' });
      await row.getByText('$8.50 a month or $80.00 a year').waitFor();
      // No Stripe keys here: the plan waits for them.
      await row.getByText('Not in Stripe yet').waitFor();
      await rig.screenshot('admin-settings-plans.png');

      // Archived, it leaves the offer; brought back, it returns.
      await row.getByRole('button', { name: 'Archive Gold' }).click();
      await page.getByText('Gold is archived').waitFor();
      await row.getByText('Archived').waitFor();
      expect(await rig.server.pressroom.services.payments.tiers.list({ activeOnly: true })).toEqual(
        [],
      );
      await row.getByRole('button', { name: 'Unarchive Gold' }).click();
      await page.getByText('Gold is back on offer.').waitFor();
      await rig.expectNoProblems();

      const tiers = await rig.server.pressroom.services.payments.tiers.list({ activeOnly: true });
      expect(tiers).toMatchObject([
        { name: 'Gold', currency: 'usd', monthly_amount: 850, yearly_amount: 8000, open: true },
      ]);
    },
    TEST_TIMEOUT,
  );

  it(
    'turns pledges off and shows Stripe keys as not set',
    async () => {
      const { page } = rig;
      await page.goto('/admin/settings/payments');
      await page.getByRole('heading', { name: 'Payments and pledges' }).waitFor();
      await page.getByText('Closed: readers cannot pay yet.').waitFor();
      expect(await page.getByRole('button', { name: 'Open paid subscriptions' }).isDisabled()).toBe(
        true,
      );
      await page.getByLabel('Secret key').waitFor();
      expect(await page.getByText('Not set.').count()).toBe(2);

      const pledges = page.getByRole('switch', { name: 'Readers can pledge' });
      expect(await pledges.isChecked()).toBe(true);
      await pledges.press('Space');
      await page.getByText('Pledges are off').waitFor();
      expect(await pledges.isChecked()).toBe(false);
      expect(await rig.server.pressroom.services.pledges.enabled()).toBe(false);
      await rig.screenshot('admin-settings-payments.png');
      await rig.expectNoProblems();

      // Still off after a reload: it is stored, not just shown.
      await page.reload();
      await expect
        .poll(() => page.getByRole('switch', { name: 'Readers can pledge' }).isChecked())
        .toBe(false);
      await rig.expectNoProblems();
    },
    TEST_TIMEOUT,
  );

  it(
    'adds a newsletter',
    async () => {
      const { page } = rig;
      await page.goto('/admin/settings/newsletters');
      await page.getByRole('heading', { name: 'Newsletters' }).waitFor();
      await page.getByRole('button', { name: 'New newsletter' }).click();
      await page.getByLabel('Name').fill('Weekly digest');
      await page.getByLabel('Description').fill('The week in one email, on Fridays.');
      await page.getByLabel('New members get it unless they choose otherwise').uncheck();
      await page.getByRole('button', { name: 'Create newsletter' }).click();
      await page.getByText('Weekly digest is created.').waitFor();
      const row = page.getByRole('row').filter({ hasText: 'Weekly digest' });
      await row.getByText('Opt in').waitFor();
      // The editor closed: the focus is back on the button that opened it.
      await expect
        .poll(() => hasFocus(page.getByRole('button', { name: 'New newsletter' })))
        .toBe(true);
      await rig.screenshot('admin-settings-newsletters.png');
      await rig.expectNoProblems();

      const list = await rig.server.pressroom.services.newsletters.list();
      expect(list.find((n) => n.name === 'Weekly digest')).toMatchObject({
        slug: 'weekly-digest',
        description: 'The week in one email, on Fridays.',
        subscribe_on_signup: false,
        status: 'active',
      });
    },
    TEST_TIMEOUT,
  );

  it(
    'saves SMTP settings, sends a test that arrives, and makes a DKIM key with its DNS record',
    async () => {
      const { page, sink } = rig;
      await page.goto('/admin/settings/email');
      await page.getByRole('heading', { name: 'Email', exact: true }).waitFor();
      await page.getByText('No way to send newsletters is set up yet.').waitFor();

      await page.getByLabel('An SMTP server').check();
      await page.getByLabel('Server', { exact: true }).fill('127.0.0.1');
      // Out of range, which the browser lets through and the server refuses.
      await page.getByLabel('Port').fill('70000');
      await page.getByLabel('Encryption').selectOption('none');
      await page.getByRole('button', { name: 'Save sending settings' }).click();
      // The server names smtp.port; the error sits by the Port field.
      const port = page.getByLabel('Port');
      await expect.poll(() => port.getAttribute('aria-invalid')).toBe('true');
      await expectOnlyProblems([/\b400\b.*\/api\/admin\/email\/transport\b/]);

      await port.fill(String(sink.port));
      await page.getByRole('button', { name: 'Save sending settings' }).click();
      await page.getByText('Saved: newsletters go out through an SMTP server.').waitFor();
      await page.getByText(`(127.0.0.1:${sink.port})`).waitFor();

      const before = sink.received.length;
      await page.getByLabel('Send a test message to').fill('olga@example.com');
      await page.getByRole('button', { name: 'Send test' }).click();
      await page.getByText('A test message went to olga@example.com.').waitFor();
      await expect.poll(() => sink.received.length).toBe(before + 1);
      const mail = sink.received[before]!;
      expect(mail.envelope.to).toEqual(['olga@example.com']);
      expect(mail.parsed.subject).toBe('Pressroom test email');

      await page.getByLabel('Domain').fill('pressroom.test');
      await page.getByLabel('Selector').fill('news');
      await page.getByRole('button', { name: 'Make a key' }).click();
      await page.getByText('A new key is made.').waitFor();
      const dkimRow = page.getByRole('row').filter({ hasText: 'news._domainkey.pressroom.test' });
      await dkimRow.getByText(/^v=DKIM1; k=rsa; p=/).waitFor();
      await dkimRow
        .getByRole('button', {
          name: 'Copy the value of the TXT record news._domainkey.pressroom.test',
        })
        .waitFor();
      await page.getByText('Signing as pressroom.test with the selector news.').waitFor();
      await rig.screenshot('admin-settings-email.png');
      await rig.expectNoProblems();
    },
    TEST_TIMEOUT,
  );

  it(
    'tells an editor what only admins may see, and shows the publication read-only',
    async () => {
      const { staff } = rig.server.pressroom.services;
      const owner = (await staff.list()).find((s) => s.email === ADMIN_OWNER.email)!;
      const editor = await staff.create(
        { id: owner.id, role: 'owner' },
        { email: 'eddie@example.com', name: 'Eddie Editor', role: 'editor' },
      );
      const { token } = await staff.createSession(editor.id, null);
      const context = await rig.browser.newContext({ baseURL: rig.server.url });
      await context.addCookies([{ name: 'pr_session', value: token, url: rig.server.url }]);
      const page = await context.newPage();
      const problems: string[] = [];
      watchForProblems(page, problems);
      try {
        await page.goto('/admin/settings/publication');
        await page.getByText('Only the owner and admins change settings.').waitFor();
        const title = page.getByLabel('Title', { exact: true });
        expect(await title.inputValue()).toBe('The Ledger');
        expect(await title.isDisabled()).toBe(true);
        expect(await page.getByRole('button', { name: 'Save', exact: true }).count()).toBe(0);

        await page.getByRole('link', { name: 'Plans and prices' }).click();
        await page
          .getByText('Only the owner and admins can see and change plans and prices.')
          .waitFor();
        await page.getByRole('link', { name: 'Email' }).click();
        await page.getByText('Only the owner and admins can see and change the email').waitFor();
        // Editors may read the newsletters, not change them.
        await page.getByRole('link', { name: 'Newsletters' }).click();
        await page.getByRole('row').filter({ hasText: 'Weekly digest' }).waitFor();
        expect(await page.getByRole('button', { name: 'New newsletter' }).count()).toBe(0);
        await page.waitForLoadState('networkidle');
        // The refusals are the server's 403s, and nothing else went wrong.
        expect(problems.filter((p) => !/\b403\b/.test(p))).toEqual([]);
      } finally {
        await context.close();
      }
    },
    TEST_TIMEOUT,
  );

  it(
    'fits a phone',
    async () => {
      const { page } = rig;
      await page.setViewportSize({ width: 390, height: 844 });
      for (const section of ['publication', 'plans', 'email'] as const) {
        await page.goto(`/admin/settings/${section}`);
        await page.locator('.pr-set-body h2').waitFor();
        await page.locator('.pr-loading').waitFor({ state: 'detached' });
        await rig.screenshot(`admin-settings-${section}-phone.png`);
        expect(await overflowing(), section).toEqual([]);
      }
      await rig.expectNoProblems();
      await page.setViewportSize({ width: 1280, height: 900 });
    },
    TEST_TIMEOUT,
  );
});
