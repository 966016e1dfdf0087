/**
 * The post editor in a real browser (Debian's Chromium, playwright-core, a real server on
 * SQLite): a bookmark card from the toolbar to the published page, the web preview of a
 * draft, a second author, an uploaded feature image, and the never-lose-work cases: the
 * network gone mid-edit, the session gone mid-edit, and the same post open in two tabs.
 * Screenshots go to test-output/screenshots (admin-editor-*.png).
 */
import type { Page } from 'playwright-core';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN_OWNER, startAdminBrowserRig, type AdminBrowserRig } from './support/admin.js';
import { chromiumAvailable, TEST_TIMEOUT } from './support/browser.js';

const haveChromium = chromiumAvailable('the editor browser tests');

const CARD = {
  url: 'https://example.org/reports/grain-2026',
  title: 'Grain exports in 2026',
  description: 'The ministry’s yearly report, with tables by port.',
  image: 'https://example.org/cover.png',
};

describe.skipIf(!haveChromium)('the post editor in Chromium', () => {
  let rig: AdminBrowserRig;
  let page: Page;
  let png: Buffer;
  /** What the next window.prompt is answered with. */
  const answers: string[] = [];
  /** The post most tests work on, as /admin/posts/<id>. */
  let postPath = '';

  const saveState = (target: Page = page) => target.locator('.pr-save-state');
  const body = (target: Page = page) => target.locator('.ProseMirror');
  const postId = () => postPath.split('/').pop()!;
  const stored = () => rig.server.pressroom.services.posts.get(postId());
  const waitSaved = (target: Page = page) =>
    expect.poll(() => saveState(target).textContent(), { timeout: 15_000 }).toBe('Saved');
  /** Problems the test caused on purpose, checked to be only those. */
  const expectOnlyProblems = (pattern: RegExp) => {
    const seen = rig.problems.splice(0);
    expect(seen.filter((p) => !pattern.test(p))).toEqual([]);
    return seen;
  };

  beforeAll(async () => {
    rig = await startAdminBrowserRig({ name: 'editor' });
    page = rig.page;
    png = await sharp({
      create: { width: 1200, height: 630, channels: 3, background: '#a5633b' },
    })
      .png()
      .toBuffer();
    // The bookmarked site is not on this machine: its image is served from here.
    await rig.context.route('https://example.org/**', (route) =>
      route.fulfill({ status: 200, contentType: 'image/png', body: png }),
    );
    // A second staff member to choose as author.
    const { staff } = rig.server.pressroom.services;
    const owner = (await staff.list()).find((s) => s.email === ADMIN_OWNER.email)!;
    await staff.create(
      { id: owner.id, role: 'owner' },
      {
        email: 'ed@example.com',
        name: 'Ed Editor',
        role: 'editor',
        password: 'eds passphrase 123',
      },
    );

    page.on('dialog', (dialog) => {
      void dialog.accept(dialog.type() === 'prompt' ? (answers.shift() ?? '') : undefined);
    });
  });

  afterAll(async () => {
    await rig?.close();
  });

  it(
    'inserts a bookmark card and shows it on the published page',
    async () => {
      await rig.signIn();
      await page.getByRole('button', { name: 'New post' }).click();
      await page.getByLabel('Title').fill('Further reading on grain');
      await body().click();
      await page.keyboard.type('The report everyone is quoting:');
      answers.push('javascript:alert(1)', CARD.url);
      await page.getByRole('button', { name: 'Bookmark card' }).click();
      // The unsafe address was refused and asked for again; the card has the second one.
      const card = body().locator('.pr-bookmark-card');
      await card.waitFor();
      expect(await card.getByLabel('Bookmark address').inputValue()).toBe(CARD.url);
      await card.getByLabel('Bookmark title').fill(CARD.title);
      await card.getByLabel('Bookmark description').fill(CARD.description);
      await card.getByLabel('Bookmark image URL').fill(CARD.image);
      await card.locator('.pr-bookmark-preview img').waitFor();
      await waitSaved();
      postPath = new URL(page.url()).pathname;
      await rig.screenshot('admin-editor-bookmark.png');

      const saved = await stored();
      expect(saved.body.content.find((n) => n.type === 'bookmark')).toEqual({
        type: 'bookmark',
        attrs: { ...CARD },
      });

      await page.getByRole('button', { name: 'Publish' }).click();
      await page.getByRole('dialog').getByRole('button', { name: 'Publish', exact: true }).click();
      await page.locator('.pr-editor-bar .pr-status', { hasText: 'published' }).waitFor();
      await rig.expectNoProblems();

      const site = await rig.context.newPage();
      await site.goto(`/p/${(await stored()).slug}`);
      const link = site.locator('.post-content figure.bookmark-card a.bookmark');
      expect(await link.getAttribute('href')).toBe(CARD.url);
      expect(await link.getAttribute('rel')).toBe('noopener noreferrer');
      expect(await link.locator('.bookmark-title').textContent()).toBe(CARD.title);
      expect(await link.locator('.bookmark-description').textContent()).toBe(CARD.description);
      expect(await link.locator('.bookmark-url').textContent()).toBe('example.org');
      expect(await link.locator('img.bookmark-image').getAttribute('src')).toBe(CARD.image);
      // The card is laid out by the site's stylesheet: text beside the image, in a border.
      const box = await link.boundingBox();
      const image = await link.locator('img').boundingBox();
      expect(image!.x).toBeGreaterThan(box!.x + box!.width / 2);
      await rig.screenshot('admin-editor-bookmark-site.png', site);
      await site.close();
    },
    TEST_TIMEOUT,
  );

  it(
    'previews a draft as its readers will see it, in a new tab',
    async () => {
      await page.getByRole('link', { name: '← Posts' }).click();
      await page.getByRole('button', { name: 'New post' }).click();
      await page.getByLabel('Title').fill('A draft to look at');
      await body().click();
      await page.keyboard.type('Before the cut.');
      // Changes not yet saved when Preview is pressed: the preview waits for the save.
      const [tab] = await Promise.all([
        rig.context.waitForEvent('page'),
        page.getByRole('button', { name: 'Preview', exact: true }).click(),
      ]);
      await tab.waitForURL(/\/api\/admin\/posts\/[0-9a-f-]{36}\/preview$/);
      await tab.locator('.preview-banner').waitFor();
      expect(await tab.locator('.preview-banner p').textContent()).toMatch(
        /Preview\.\s+This draft is not published\./,
      );
      expect(await tab.locator('h1.post-title').textContent()).toBe('A draft to look at');
      expect(await tab.locator('.post-content').textContent()).toBe('Before the cut.');
      expect(await tab.locator('meta[name="robots"]').getAttribute('content')).toBe('noindex');
      // The draft is not on the site.
      const slug = (await rig.server.pressroom.services.posts.list({
        page: 1,
        limit: 1,
        order: 'created_desc',
      }))!.items[0]!.slug;
      expect((await tab.request.get(`/p/${slug}`)).status()).toBe(404);
      await rig.screenshot('admin-editor-preview.png', tab);
      await tab.getByRole('link', { name: 'Visitor' }).click();
      await tab.waitForURL(/\?as=visitor$/);
      expect(await tab.locator('[aria-current="page"]', { hasText: 'Visitor' }).count()).toBe(1);
      await tab.close();
      await rig.expectNoProblems();
      // Back to the post with the bookmark for the rest.
      await page.goto(postPath);
      await body().locator('.pr-bookmark-card').waitFor();
    },
    TEST_TIMEOUT,
  );

  it(
    'adds a second author in post settings',
    async () => {
      await page.getByRole('button', { name: 'Settings' }).click();
      const authors = page.getByRole('list', { name: 'Authors, in byline order' });
      await expect
        .poll(() => authors.locator('li').allTextContents())
        .toEqual([expect.stringContaining(ADMIN_OWNER.name)]);
      await page.getByLabel('Add an author').selectOption({ label: 'Ed Editor' });
      await page.getByRole('button', { name: 'Move Ed Editor up' }).click();
      await page.getByRole('button', { name: 'Save settings' }).click();
      await expect
        .poll(async () => (await stored()).authors.map((a) => a.name))
        .toEqual(['Ed Editor', ADMIN_OWNER.name]);
      expect(await authors.locator('li > span:first-child').allTextContents()).toEqual([
        'Ed Editor',
        ADMIN_OWNER.name,
      ]);
      const site = await page.request.get(`/p/${(await stored()).slug}`);
      const byline = (await site.text()).replace(/<[^>]*>/g, '').replace(/\s+/g, ' ');
      expect(byline).toContain(`By Ed Editor and ${ADMIN_OWNER.name} ·`);
      await rig.screenshot('admin-editor-authors.png');
      await rig.expectNoProblems();
    },
    TEST_TIMEOUT,
  );

  it(
    'uploads a feature image with its alt text and shows it',
    async () => {
      await page.getByLabel('Feature image file').setInputFiles({
        name: 'harbour.png',
        mimeType: 'image/png',
        buffer: png,
      });
      const thumb = page.locator('.pr-feature-thumb');
      await thumb.waitFor();
      expect(await thumb.getAttribute('src')).toMatch(
        /^\/content\/images\/\d{4}\/\d{2}\/[^/]+\.png$/,
      );
      // Loaded, not a broken image.
      await expect
        .poll(() => thumb.evaluate((img: { naturalWidth: number }) => img.naturalWidth))
        .toBeGreaterThan(0);
      await expect.poll(async () => (await stored()).feature_image).toMatch(/^\/content\/images\//);
      await page.getByLabel('Feature image alt text').fill('The harbour at Novorossiysk');
      await page.getByRole('button', { name: 'Save settings' }).click();
      await expect
        .poll(async () => (await stored()).feature_image_alt)
        .toBe('The harbour at Novorossiysk');
      const saved = await stored();
      const site = await page.request.get(`/p/${saved.slug}`);
      expect(await site.text()).toContain(`src="${saved.feature_image}"`);
      await rig.screenshot('admin-editor-feature-image.png');
      await page.getByRole('button', { name: 'Close' }).click();
      await rig.expectNoProblems();
    },
    TEST_TIMEOUT,
  );

  it(
    'keeps working offline, says so, and saves once back online',
    async () => {
      await body().locator('p').first().click();
      await page.keyboard.press('End');
      await rig.context.setOffline(true);
      try {
        await page.keyboard.type(' Written on a train.');
        await expect
          .poll(() => saveState().textContent(), { timeout: 15_000 })
          .toBe('Offline: your changes are kept in this browser');
        // Still an editor: more typing goes in.
        await page.keyboard.type(' And more.');
        expect(await body().locator('p').first().textContent()).toBe(
          'The report everyone is quoting: Written on a train. And more.',
        );
        await rig.screenshot('admin-editor-offline.png');
        expect(JSON.stringify((await stored()).body)).not.toContain('Written on a train');
      } finally {
        await rig.context.setOffline(false);
      }
      await waitSaved();
      expect(JSON.stringify((await stored()).body)).toContain(
        'The report everyone is quoting: Written on a train. And more.',
      );
      await page.waitForLoadState('networkidle');
      expectOnlyProblems(/ERR_INTERNET_DISCONNECTED/);
    },
    TEST_TIMEOUT,
  );

  it(
    'asks to sign in again when the session ends mid-edit, and then saves the draft',
    async () => {
      // The session ends on the server (expired, or signed out elsewhere).
      await rig.server.pressroom.db.deleteFrom('staff_sessions').execute();
      await body().locator('p').first().click();
      await page.keyboard.press('End');
      await page.keyboard.type(' Typed after the session ended.');
      const dialog = page.getByRole('dialog', { name: 'Sign in again' });
      await dialog.waitFor({ timeout: 15_000 });
      expect(await saveState().textContent()).toBe('Signed out: sign in to save');
      expect(await body().locator('p').first().textContent()).toContain(
        'Typed after the session ended.',
      );
      await rig.screenshot('admin-editor-signed-out.png');
      expect(JSON.stringify((await stored()).body)).not.toContain('Typed after the session');

      await dialog.getByLabel('Email').fill(ADMIN_OWNER.email);
      await dialog.getByLabel('Password').fill(ADMIN_OWNER.password);
      await dialog.getByRole('button', { name: 'Sign in' }).click();
      await dialog.waitFor({ state: 'detached' });
      await waitSaved();
      expect(JSON.stringify((await stored()).body)).toContain('Typed after the session ended.');
      await page.waitForLoadState('networkidle');
      expectOnlyProblems(/\b401\b/);
    },
    TEST_TIMEOUT,
  );

  it(
    'warns when the same post is open in two tabs',
    async () => {
      const warning = (target: Page) =>
        target.getByRole('alert').filter({ hasText: 'This post is open in another tab' });
      expect(await warning(page).count()).toBe(0);
      const second = await rig.context.newPage();
      await second.goto(postPath);
      await body(second).waitFor();
      await warning(second).waitFor();
      await warning(page).waitFor();
      await rig.screenshot('admin-editor-two-tabs.png', second);
      // The other tab closed: the warning goes.
      await second.close();
      await expect.poll(() => warning(page).count()).toBe(0);
      await rig.expectNoProblems();
    },
    TEST_TIMEOUT,
  );
});
