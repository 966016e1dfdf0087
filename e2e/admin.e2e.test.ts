/**
 * The admin web app in a real browser: Debian's Chromium driven by playwright-core against a
 * real server (SQLite in a temporary directory, newsletters over SMTP to a loopback sink).
 * First-run setup, then a post written in the editor with formatting, an image and a
 * footnote, a long pasted transcript, autosave across reloads, scheduling, the email preview
 * and publishing with the email. Screenshots go to test-output/screenshots.
 *
 * The admin is built first when its build is missing or stale (as `npm start` does).
 */
import path from 'node:path';
import type { Page } from 'playwright-core';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningServer } from '../src/cli/serve.js';
import { insertMember } from '../test/support/fixtures.js';
import {
  ADMIN_OWNER as OWNER,
  startAdminBrowserRig,
  type AdminBrowserRig,
} from './support/admin.js';
import { chromiumAvailable, SCREENSHOTS, TEST_TIMEOUT } from './support/browser.js';

/** A press conference as our first user pastes it: turns of Question and the minister. */
function transcriptHtml(words: number): string {
  const paragraphs: string[] = ['<p>Good afternoon. Let me begin with a few remarks.</p>'];
  let count = 9;
  let turn = 0;
  while (count < words) {
    const speaker = turn % 2 === 0 ? 'Question' : 'Sergey Lavrov';
    const sentence = Array.from({ length: 58 }, (_, i) => `word${(turn * 58 + i) % 997}`).join(' ');
    paragraphs.push(`<p><strong>${speaker}:</strong> ${sentence}.</p>`);
    count += 58 + (speaker === 'Question' ? 1 : 2);
    turn++;
  }
  // What Word adds around a copy: conditional comments and o:p elements.
  return `<!--[if gte mso 9]><xml><o:OfficeDocumentSettings/></xml><![endif]--><div class="WordSection1">${paragraphs.join('')}<p class="MsoNormal">End of transcript<o:p></o:p></p></div>`;
}

const haveChromium = chromiumAvailable('the admin browser tests');

describe.skipIf(!haveChromium)('the admin app in Chromium', () => {
  let rig: AdminBrowserRig;
  let sink: AdminBrowserRig['sink'];
  let server: RunningServer;
  let page: Page;
  let postUrl = '';
  let problems: string[];

  async function expectNoProblems(): Promise<void> {
    await page.waitForLoadState('networkidle');
    expect(problems.splice(0)).toEqual([]);
  }
  // A full-page shot resizes the viewport for a moment; over a dialog that is a fixed layer
  // anyway, so dialogs are shot as the viewport shows them, and the next click lands true.
  const screenshot = (name: string, fullPage = true) =>
    page.screenshot({ path: path.join(SCREENSHOTS, name), fullPage });
  const saveState = () => page.locator('.pr-save-state');
  const body = () => page.locator('.ProseMirror');

  beforeAll(async () => {
    rig = await startAdminBrowserRig({ name: 'admin', owner: false });
    ({ server, sink, page, problems } = rig);
    const { newsletters } = server.pressroom.services;
    await newsletters.ensureDefault();
    const { id } = await server.pressroom.db
      .selectFrom('newsletters')
      .select('id')
      .executeTakeFirstOrThrow();
    for (const [i, email] of ['ana@example.com', 'ben@example.com'].entries()) {
      await insertMember(server.pressroom.db, { id: `m-${i}`, email, newsletters: [id] });
    }
    page.on('dialog', (dialog) => {
      // The image's alt text prompt.
      void dialog.accept(dialog.type() === 'prompt' ? 'A chart of grain exports' : undefined);
    });
  });

  afterAll(async () => {
    await rig?.close();
  });

  it(
    'sets up the publication on first run and opens the posts list',
    async () => {
      await page.goto('/admin');
      expect(page.url()).toMatch(/\/admin\/setup$/);
      await page.getByLabel('Your name').fill(OWNER.name);
      await page.getByLabel('Email').fill(OWNER.email);
      await page.getByLabel('Password').fill(OWNER.password);
      await screenshot('admin-setup.png');
      await page.getByRole('button', { name: 'Create owner account' }).click();
      await page.getByRole('heading', { name: 'Posts' }).waitFor();
      await expect.poll(() => page.locator('.pr-who').textContent()).toBe(OWNER.name);
      // The demo post is there, and the status filter narrows the list.
      await page.getByLabel('Status').selectOption('draft');
      await expect.poll(() => page.locator('.pr-table tbody tr').count()).toBe(0);
      await page.getByLabel('Status').selectOption('');
      await expect.poll(() => page.locator('.pr-table tbody tr').count()).toBeGreaterThan(0);
      await screenshot('admin-posts.png');
      await expectNoProblems();
    },
    TEST_TIMEOUT,
  );

  it(
    'writes a post with formatting, an image and a footnote, saved as it goes',
    async () => {
      await page.getByRole('button', { name: 'New post' }).click();
      await page.getByLabel('Title').fill('The minister on grain');
      await body().click();
      // Markdown shortcuts: "## " makes a heading.
      await page.keyboard.type('## What was said');
      await page.keyboard.press('Enter');
      await page.keyboard.type('The minister spoke for an hour. ');
      await page.keyboard.press('Control+b');
      await page.keyboard.type('This matters');
      await page.keyboard.press('Control+b');
      await page.keyboard.type('.');
      await page.getByRole('button', { name: 'Footnote' }).click();
      await page.keyboard.type('Transcript published by the ministry the same day.');

      const png = await sharp({
        create: { width: 1600, height: 900, channels: 3, background: '#3b6ea5' },
      })
        .png()
        .toBuffer();
      await body().locator('h2').click();
      await page.keyboard.press('End');
      await page.locator('input[type="file"]').setInputFiles({
        name: 'chart.png',
        mimeType: 'image/png',
        buffer: png,
      });
      await body().locator('img[alt="A chart of grain exports"]').waitFor();

      await expect.poll(() => saveState().textContent(), { timeout: 15_000 }).toBe('Saved');
      postUrl = new URL(page.url()).pathname;
      expect(postUrl).toMatch(/^\/admin\/posts\/[0-9a-f-]{36}$/);
      await screenshot('admin-editor.png');

      // What reached the server is the document model, footnote and image included.
      const id = postUrl.split('/').pop()!;
      const post = await server.pressroom.services.posts.get(id);
      const json = JSON.stringify(post.body);
      expect(post.title).toBe('The minister on grain');
      expect(json).toContain('"type":"heading"');
      expect(json).toContain('"type":"bold"');
      expect(json).toContain('"type":"footnoteReference"');
      expect(json).toContain('Transcript published by the ministry');
      expect(json).toMatch(/"src":"\/content\/images\/\d{4}\/\d{2}\/[0-9a-f-]+\.png"/);

      await page.reload();
      await body().locator('img[alt="A chart of grain exports"]').waitFor();
      expect(await body().locator('strong').first().textContent()).toBe('This matters');
      expect(await body().locator('sup[data-footnote-ref]').count()).toBe(1);
      await expectNoProblems();
    },
    TEST_TIMEOUT,
  );

  it(
    'takes a pasted 5,000-word transcript from Word, and keeps unsaved work across a reload',
    async () => {
      await body().locator('p').last().click();
      await page.keyboard.press('End');
      // A paste as the browser delivers it (the test's tsconfig has no DOM types: a string).
      await page.evaluate(`(() => {
        const data = new DataTransfer();
        data.setData('text/html', ${JSON.stringify(transcriptHtml(5000))});
        data.setData('text/plain', 'transcript');
        document.querySelector('.ProseMirror').dispatchEvent(
          new ClipboardEvent('paste', { clipboardData: data, bubbles: true, cancelable: true }),
        );
      })()`);
      await expect
        .poll(() => page.locator('.pr-editor-foot').textContent())
        .toMatch(/^5,\d{3} words/);
      const html = await body().innerHTML();
      expect(html).toContain('<strong>Sergey Lavrov:</strong>');
      expect(html).not.toContain('o:p');
      expect(html).not.toContain('mso');
      await expect.poll(() => saveState().textContent(), { timeout: 15_000 }).toBe('Saved');

      // Typed, then reloaded before the server save: the copy in this browser comes back.
      await body().locator('h2').click();
      await page.keyboard.press('End');
      await page.keyboard.type(' today');
      await page.reload();
      await page.getByText('Unsaved changes from this browser were restored.').waitFor();
      expect(await body().locator('h2').textContent()).toBe('What was said today');
      await expect.poll(() => saveState().textContent(), { timeout: 15_000 }).toBe('Saved');
      await screenshot('admin-transcript.png');
      await expectNoProblems();
    },
    TEST_TIMEOUT,
  );

  it(
    'says so inline when the slug is taken',
    async () => {
      const demo = (
        await server.pressroom.services.posts.list({
          page: 1,
          limit: 1,
          order: 'created_desc',
          status: 'published',
        })
      ).items[0]!;
      await page.getByRole('button', { name: 'Settings' }).click();
      await page.getByLabel('URL slug').fill(demo.slug);
      await page.getByRole('button', { name: 'Save settings' }).click();
      const error = page.locator('#slug-error');
      await error.waitFor();
      expect(await error.textContent()).toContain('already used');
      expect(await page.getByLabel('URL slug').getAttribute('aria-invalid')).toBe('true');
      await page.getByLabel('URL slug').fill('minister-on-grain');
      await page.getByRole('button', { name: 'Save settings' }).click();
      await expect.poll(() => error.count()).toBe(0);
      await page.getByRole('button', { name: 'Close' }).click();
      problems.splice(0); // the 409 of the clash was expected
    },
    TEST_TIMEOUT,
  );

  it(
    'schedules, then publishes with the email after previewing it',
    async () => {
      await page.getByRole('button', { name: 'Publish' }).click();
      await page.getByLabel('Later').check();
      await page.getByRole('button', { name: /^Schedule/ }).click();
      await page.locator('.pr-editor-bar .pr-status', { hasText: 'scheduled' }).waitFor();

      await page.getByRole('button', { name: 'Publish' }).click();
      await page.getByLabel('Now').check();
      await page.getByLabel('Send it by email too').check();
      await page.getByText('It will be sent to 2 people.').waitFor();
      await page.getByRole('button', { name: 'Preview the email' }).click();
      const preview = page.frameLocator('iframe[title="Email preview"]');
      await preview.getByText('Sergey Lavrov:').first().waitFor();
      await page.getByLabel('Width').selectOption('phone');
      await screenshot('admin-email-preview.png', false);
      await page.getByRole('button', { name: 'Publish and email 2 people' }).click();
      await page
        .locator('.pr-editor-bar .pr-status', { hasText: 'published' })
        .waitFor()
        .catch(async (error: unknown) => {
          throw new Error(
            `not published; the page says: ${await page.locator('.pr-modal').innerText()}`,
            { cause: error },
          );
        });

      for (let i = 0; i < 4; i++) await server.pressroom.worker().drain();
      const mails = await sink.waitFor(2);
      expect(mails.map((m) => m.envelope.to[0]).sort()).toEqual([
        'ana@example.com',
        'ben@example.com',
      ]);
      expect(mails[0]!.parsed.subject).toBe('The minister on grain');
      const site = await page.request.get('/p/minister-on-grain');
      expect(site.status()).toBe(200);
      expect(await site.text()).toContain('Sergey Lavrov:');
      await expectNoProblems();
    },
    TEST_TIMEOUT,
  );
  it(
    'compares with an earlier version and restores it',
    async () => {
      const id = postUrl.split('/').pop()!;
      // An earlier session's version (today's saves all fall in one session).
      await server.pressroom.db
        .insertInto('post_revisions')
        .values({
          post_id: id,
          title: 'Grain: first notes',
          body: JSON.stringify({
            type: 'doc',
            content: [{ type: 'paragraph', content: [{ type: 'text', text: 'Notes first.' }] }],
          }),
          staff_id: null,
          created_at: '2026-01-01T09:00:00.000Z',
        })
        .execute();
      await page.reload();
      await page.getByRole('button', { name: 'Revisions' }).click();
      const earlier = page.locator('.pr-revisions select').locator('option', {
        hasText: 'Grain: first notes',
      });
      await page
        .locator('.pr-revisions select')
        .selectOption((await earlier.getAttribute('value')) ?? '');
      const diff = page.getByRole('list', { name: /Differences/ });
      await diff.getByText('Notes first.').waitFor();
      expect(await diff.locator('.pr-diff-added').count()).toBeGreaterThan(50);
      await screenshot('admin-revisions.png');
      await page.getByRole('button', { name: 'Restore this version' }).click();
      await page.getByText('The earlier version was restored.').waitFor();
      expect(await page.getByLabel('Title').inputValue()).toBe('Grain: first notes');
      expect(await body().textContent()).toBe('Notes first.');
      await expect.poll(() => saveState().textContent(), { timeout: 15_000 }).toBe('Saved');
      expect((await server.pressroom.services.posts.get(id)).title).toBe('Grain: first notes');
      await expectNoProblems();
    },
    TEST_TIMEOUT,
  );
});
