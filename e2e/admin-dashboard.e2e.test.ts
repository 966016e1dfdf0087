/**
 * The Dashboard in a real browser against a real server (SQLite in a temporary folder). A
 * reader in their own browser reads the home page and two posts, some pages coming straight
 * from the page cache; once the server has flushed its counts, the owner's dashboard shows
 * those views per post and in all, the members by category, and the figures behind each
 * chart; the period changes from the keyboard; the screen fits a phone. Screenshots go to
 * test-output/screenshots (admin-dashboard-*.png).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startAdminBrowserRig, ADMIN_OWNER, type AdminBrowserRig } from './support/admin.js';
import { chromiumAvailable, TEST_TIMEOUT } from './support/browser.js';

const haveChromium = chromiumAvailable('the dashboard browser tests');

describe.skipIf(!haveChromium)('the Dashboard in Chromium', () => {
  let rig: AdminBrowserRig;
  const posts: { id: string; slug: string; title: string }[] = [];

  /**
   * Nothing on the screen sticks out past the right edge of the viewport. (The shared top bar
   * is the shell's, not this screen's.)
   */
  const overflowing = () =>
    rig.page.evaluate(`[...document.querySelectorAll('#main *')]
      .filter((e) => e.getBoundingClientRect().right > document.documentElement.clientWidth + 0.5)
      .map((e) => e.tagName + '.' + e.className + ' ' + Math.round(e.getBoundingClientRect().right))`);

  beforeAll(async () => {
    rig = await startAdminBrowserRig({
      name: 'dashboard',
      env: { PRESSROOM_DEMO_CONTENT: 'false' },
    });
    const { services } = rig.server.pressroom;
    const owner = (await services.staff.list()).find((s) => s.email === ADMIN_OWNER.email)!;
    for (const title of ['Budget night, line by line', 'The harbour vote']) {
      const post = await services.posts.create(owner, { title, status: 'published' });
      posts.push({ id: post.id, slug: post.slug, title });
    }
    await services.membersAdmin.create(owner, { email: 'free.reader@example.com' });
    await services.membersAdmin.create(owner, {
      email: 'comped.reader@example.com',
      comp: { until: null },
    });
  }, 120_000);

  afterAll(async () => {
    await rig?.close();
  });

  it(
    'shows the views a reader made, once counted, with members by category',
    async () => {
      // The reader: another browser, no session, nothing shared with the owner's.
      const readerContext = await rig.browser.newContext({ baseURL: rig.server.url });
      const reader = await readerContext.newPage();
      const [budget, harbour] = posts as [(typeof posts)[0], (typeof posts)[0]];
      await reader.goto('/');
      await reader.getByRole('link', { name: budget.title }).first().click();
      await reader.waitForURL(new RegExp(`/p/${budget.slug}$`));
      // Twice more: from the page cache, which answers without the app.
      await reader.reload();
      await reader.goto(`/p/${budget.slug}?utm_source=newsletter`);
      await reader.goto(`/p/${harbour.slug}`);
      // Files, feeds and HEAD requests are not page views.
      await reader.goto('/rss.xml');
      await reader.request.head(`/p/${harbour.slug}`);
      await readerContext.close();

      await rig.server.pressroom.services.pageViews.flush();

      await rig.signIn();
      const { page } = rig;
      await page.getByRole('link', { name: 'Dashboard', exact: true }).click();
      await page.waitForURL(/\/admin\/dashboard$/);
      await page.getByRole('heading', { name: 'Dashboard', level: 1 }).waitFor();
      await page.getByRole('heading', { name: 'Latest posts' }).waitFor();

      const totals = page.getByRole('list', { name: 'Now' });
      await expect.poll(() => totals.innerText()).toContain('2 members');
      const text = (await totals.innerText()).replace(/\s+/g, ' ');
      expect(text).toContain('2 members');
      expect(text).toContain('1 free');
      expect(text).toContain('0 pledged');
      expect(text).toContain('1 paid');
      expect(text).toContain('5 page views in the last 30 days');
      await expect
        .poll(() => page.getByRole('button', { name: '30 days' }).getAttribute('aria-pressed'))
        .toBe('true');

      // The latest posts, newest first, with their views.
      const rows = page.locator('.pr-dashboard-posts tbody tr');
      await expect.poll(() => rows.count()).toBe(2);
      const cells = async (i: number) =>
        (await rows.nth(i).locator('th, td').allInnerTexts()).map((s) => s.trim());
      const [harbourRow, budgetRow] = [await cells(0), await cells(1)];
      expect(harbourRow[0]).toBe(harbour.title);
      expect(harbourRow.slice(2)).toEqual(['1', '1', 'Not emailed']);
      expect(budgetRow[0]).toBe(budget.title);
      expect(budgetRow.slice(2)).toEqual(['3', '3', 'Not emailed']);

      // The charts are images with names; their figures are there as text too.
      await page.getByRole('img', { name: /Members over the last 30 days/ }).waitFor();
      await page.getByRole('img', { name: /Page views per day over the last 30 days/ }).waitFor();
      // Folded figures open from the keyboard.
      await page.locator('summary', { hasText: 'Page views by day' }).focus();
      await page.keyboard.press('Enter');
      const viewsTable = page.getByRole('table', { name: /Page views by day/ });
      const today = await viewsTable.locator('tbody tr').first().locator('th, td').allInnerTexts();
      expect(today[1]).toBe('5');
      await page.locator('summary', { hasText: 'Members by day' }).click();
      const membersTable = page.getByRole('table', { name: /Members by day/ });
      expect(await membersTable.locator('tbody tr').first().locator('td').allInnerTexts()).toEqual([
        '1',
        '0',
        '1',
      ]);
      await rig.screenshot('admin-dashboard-desktop.png');
      await rig.expectNoProblems();

      // The period, from the keyboard.
      await page.getByRole('button', { name: '90 days' }).focus();
      await page.keyboard.press('Enter');
      await expect
        .poll(() => page.getByRole('button', { name: '90 days' }).getAttribute('aria-pressed'))
        .toBe('true');
      await page.getByRole('img', { name: /Members over the last 90 days/ }).waitFor();
      await expect.poll(() => totals.innerText()).toContain('page views in the last 90 days');
      await page.keyboard.press('Tab');
      await expect
        .poll(() => page.evaluate('document.activeElement?.textContent'))
        .toBe('365 days');
      await rig.expectNoProblems();

      // A phone: everything fits, each post is a card of labelled figures.
      await page.setViewportSize({ width: 390, height: 844 });
      await page.getByRole('button', { name: '30 days' }).click();
      await page.getByRole('img', { name: /Members over the last 30 days/ }).waitFor();
      expect(await overflowing()).toEqual([]);
      const label = await page.evaluate(`getComputedStyle(
        document.querySelectorAll('.pr-dashboard-posts tbody tr')[1].querySelectorAll('td')[1],
        '::before',
      ).content`);
      expect(label).toBe('"Web views: "');
      await rig.screenshot('admin-dashboard-phone.png');
      await rig.expectNoProblems();
    },
    TEST_TIMEOUT * 2,
  );
});
