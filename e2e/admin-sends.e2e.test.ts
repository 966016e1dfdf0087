/**
 * The Sends screen in a real browser, against a real server whose worker sends newsletters
 * over SMTP to a loopback sink that refuses one address for good, at two messages a second so
 * that a send can be watched and paused. A post published with its email is followed from
 * the list to its page, its progress moving until it is sent; the report gives the figures
 * and the refused address with the server's reply. A second send is paused, resumed and
 * cancelled. The screens fit a phone. Screenshots go to test-output/screenshots
 * (admin-sends-*.png).
 */
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { insertMember } from '../test/support/fixtures.js';
import { startSmtpSink } from '../test/support/smtp-sink.js';
import { accessibilityProblems, overflowsSideways } from './support/a11y.js';
import { startAdminBrowserRig, type AdminBrowserRig } from './support/admin.js';
import { chromiumAvailable, TEST_TIMEOUT } from './support/browser.js';

const haveChromium = chromiumAvailable('the sends browser tests');

/** Readers who get the email; the sink refuses the last of them. */
const READERS = Array.from({ length: 11 }, (_, i) => `reader${i}@example.com`);
const REFUSED = 'gone@example.com';
/** Suppressed before the send (a complaint last month): counted, never sent to. */
const SUPPRESSED = 'complained@example.com';
/** The digest's readers: enough, at two a second, to pause, resume and cancel in time. */
const DIGEST_READERS = Array.from({ length: 40 }, (_, i) => `digest${i}@example.com`);

describe.skipIf(!haveChromium)('the Sends screen in Chromium', () => {
  let sink: Awaited<ReturnType<typeof startSmtpSink>>;
  let rig: AdminBrowserRig;
  let page: Page;
  let newsletterId: string;
  let digestId: string;
  /** How the cancel confirmation is answered. */
  let confirmAnswer = false;

  /** A write to the Admin API with the page's own session and CSRF token. */
  async function apiPost<T>(path: string, data: unknown): Promise<T> {
    const csrf = (await rig.context.cookies()).find((c) => c.name === 'pr_csrf')?.value ?? '';
    const res = await page.request.post(path, { data, headers: { 'x-csrf-token': csrf } });
    const body = (await res.json()) as T;
    expect(res.status(), JSON.stringify(body)).toBeLessThan(300);
    return body;
  }

  const publishWithEmail = (title: string, newsletter = newsletterId) =>
    apiPost<{ post: { id: string } }>('/api/admin/posts', {
      title,
      markdown: `${title}: what was said, and what it means.`,
      status: 'published',
      email_newsletter_id: newsletter,
      email_segment: 'all',
    });

  /** The send the worker made for a post, once it has made it. */
  async function sendOf(postId: string): Promise<string> {
    let sendId: string | null = null;
    await expect
      .poll(
        async () => {
          sendId = (await rig.server.pressroom.services.posts.get(postId)).email_send_id;
          return sendId;
        },
        { timeout: 15_000 },
      )
      .not.toBeNull();
    return sendId!;
  }

  const status = () => page.locator('.pr-send-head .pr-status');
  const figure = (name: string) => page.locator(`[data-figure="${name}"] dd`).first();

  beforeAll(async () => {
    sink = await startSmtpSink({
      failures: (rcpt) => (rcpt === REFUSED ? 'permanent' : 'accept'),
      keepMessages: false,
    });
    rig = await startAdminBrowserRig({
      name: 'sends',
      worker: true,
      env: { SMTP_URL: sink.url, PRESSROOM_SEND_RATE: '2' },
    });
    page = rig.page;
    const { db, services } = rig.server.pressroom;
    await services.newsletters.ensureDefault();
    newsletterId = (await db.selectFrom('newsletters').select('id').executeTakeFirstOrThrow()).id;
    for (const [i, email] of [...READERS, REFUSED, SUPPRESSED].entries()) {
      await insertMember(db, {
        id: `m-${String(i).padStart(2, '0')}`,
        email,
        name: `Reader ${i}`,
        newsletters: [newsletterId],
      });
    }
    digestId = 'digest';
    const now = new Date().toISOString();
    await db
      .insertInto('newsletters')
      .values({
        id: digestId,
        slug: 'digest',
        name: 'The Digest',
        description: null,
        subscribe_on_signup: 0,
        sort_order: 1,
        status: 'active',
        created_at: now,
        updated_at: now,
      })
      .execute();
    for (const [i, email] of DIGEST_READERS.entries()) {
      await insertMember(db, {
        id: `d-${String(i).padStart(2, '0')}`,
        email,
        newsletters: [digestId],
      });
    }
    await db
      .insertInto('email_suppressions')
      .values({
        email: SUPPRESSED,
        reason: 'complaint',
        detail: null,
        send_id: null,
        created_at: now,
      })
      .execute();
    page.on('dialog', (dialog) => {
      // The cancel confirmation: declined once, then accepted (see the pause test).
      void (confirmAnswer ? dialog.accept() : dialog.dismiss());
    });
    await rig.signIn();
  });

  afterAll(async () => {
    await rig?.close();
    await sink?.close();
  });

  it(
    'follows a send from the list to its page, live, until it is sent, then shows its report',
    async () => {
      const { post } = await publishWithEmail('The minister on grain');
      const sendId = await sendOf(post.id);

      await page.getByRole('link', { name: 'Sends', exact: true }).click();
      await page.getByRole('heading', { name: 'Sends', level: 1 }).waitFor();
      const row = page.locator(`tr[data-send="${sendId}"]`);
      await row.waitFor();
      expect(await row.locator('.pr-status').textContent()).toMatch(/Sending|Sent/);
      expect(await row.getByRole('progressbar').getAttribute('aria-valuetext')).toMatch(
        /of 13 sent/,
      );

      await row.getByRole('link', { name: 'The minister on grain' }).click();
      expect(page.url()).toMatch(new RegExp(`/admin/sends/${sendId}$`));
      await page.getByRole('heading', { name: 'The minister on grain', level: 1 }).waitFor();
      // Focus moves to the page's heading, where a screen reader starts reading.
      expect(await page.locator(':focus').getAttribute('id')).toBe('send-title');
      // At two a second the send is still going out: progress, rate and time left show.
      await expect.poll(() => status().textContent()).toBe('Sending');
      await page.getByRole('heading', { name: 'Progress' }).waitFor();
      await expect
        .poll(() => page.locator('.pr-send-rate').textContent(), { timeout: 10_000 })
        .toMatch(/Messages a second\s*\d/);
      const bar = page.getByRole('progressbar', { name: 'Progress' });
      expect(await bar.getAttribute('aria-valuemax')).toBe('13');
      await rig.screenshot('admin-sends-progress.png');
      expect(await accessibilityProblems(page)).toEqual([]);

      // The page asks again every 2 s and turns into the report when the send is done.
      await expect.poll(() => status().textContent(), { timeout: 30_000 }).toBe('Sent');
      await page.getByRole('heading', { name: 'Report' }).waitFor();
      expect(await figure('recipients').textContent()).toBe('13');
      expect(await figure('sent').textContent()).toBe('11');
      expect(await figure('failed').textContent()).toBe('1');
      expect(await figure('suppressed').textContent()).toBe('1');
      expect(await figure('resent').textContent()).toBe('0');
      expect(await bar.getAttribute('aria-valuenow')).toBe('13');
      expect(await bar.getAttribute('aria-valuetext')).toBe(
        '11 of 13 sent, 1 failed, 1 suppressed',
      );
      // The change was said aloud, politely, once the send finished.
      expect(await page.locator('.pr-send-head + [aria-live="polite"]').textContent()).toBe(
        'The send has finished: 11 of 13 sent, 1 failed, 1 suppressed.',
      );
      expect(sink.envelopes.map((e) => e.to[0]).sort()).toEqual([...READERS].sort());

      const failures = page.getByRole('table', { name: 'Failed recipients, by address' });
      await failures.waitFor();
      const rows = failures.locator('tbody tr');
      expect(await rows.count()).toBe(1);
      expect(await rows.first().locator('td').first().textContent()).toBe(REFUSED);
      expect(await rows.first().locator('td').nth(1).textContent()).toMatch(/550|No such user/);

      // The send's page leads to the post.
      const postLink = page.getByRole('link', { name: 'The minister on grain' });
      expect(await postLink.getAttribute('href')).toBe(`/admin/posts/${post.id}`);
      await rig.screenshot('admin-sends-report.png');
      expect(await accessibilityProblems(page)).toEqual([]);
      await rig.expectNoProblems();
    },
    TEST_TIMEOUT,
  );

  it(
    'pauses, resumes and, once confirmed, cancels a send',
    async () => {
      const { post } = await publishWithEmail('Grain, a week on', digestId);
      const sendId = await sendOf(post.id);
      await page.goto(`/admin/sends/${sendId}`);
      await expect.poll(() => status().textContent()).toBe('Sending');

      await page.getByRole('button', { name: 'Pause' }).click();
      await expect.poll(() => status().textContent()).toBe('Paused');
      await page.getByText('Paused. Nothing more goes out until you resume.').waitFor();
      // The Pause button gave way to Resume, and the keyboard is there.
      await expect.poll(() => page.locator(':focus').textContent()).toBe('Resume');
      // Paused means paused: after the chunk in flight, nothing more arrives.
      await new Promise((r) => setTimeout(r, 1500));
      const settled = sink.envelopes.length;
      await new Promise((r) => setTimeout(r, 2500));
      expect(sink.envelopes.length).toBe(settled);
      expect((await rig.server.pressroom.services.sends.progress(sendId)).status).toBe('paused');
      await rig.screenshot('admin-sends-paused.png');

      await page.getByRole('button', { name: 'Resume' }).click();
      await expect.poll(() => status().textContent()).toBe('Sending');
      await expect.poll(() => sink.envelopes.length, { timeout: 10_000 }).toBeGreaterThan(settled);

      // Asked first: declining leaves it sending.
      confirmAnswer = false;
      await page.getByRole('button', { name: 'Cancel send' }).click();
      expect(await status().textContent()).toBe('Sending');
      expect((await rig.server.pressroom.services.sends.progress(sendId)).status).toBe('sending');
      confirmAnswer = true;
      await page.getByRole('button', { name: 'Cancel send' }).click();
      await expect.poll(() => status().textContent()).toBe('Cancelled');
      await page.getByRole('heading', { name: 'Report' }).waitFor();
      const progress = await rig.server.pressroom.services.sends.progress(sendId);
      expect(progress.status).toBe('cancelled');
      expect(progress.sent).toBeLessThan(DIGEST_READERS.length);
      expect(await figure('sent').textContent()).toBe(String(progress.sent));
      expect(await page.getByRole('button', { name: 'Resume' }).count()).toBe(0);
      await rig.expectNoProblems();
    },
    TEST_TIMEOUT,
  );

  it(
    'filters the list by status, and fits a phone',
    async () => {
      await page.getByRole('link', { name: '← All sends' }).click();
      await page.getByRole('heading', { name: 'Sends', level: 1 }).waitFor();
      const rows = page.locator('.pr-sends-table tbody tr');
      await expect.poll(() => rows.count()).toBe(2);
      await page.getByLabel('Status').selectOption('cancelled');
      await expect.poll(() => rows.count()).toBe(1);
      expect(await rows.first().textContent()).toContain('Grain, a week on');
      expect(page.url()).toMatch(/\/admin\/sends\?status=cancelled$/);
      await page.getByLabel('Status').selectOption('paused');
      await page.getByText('No paused sends.').waitFor();
      await page.getByLabel('Status').selectOption('');
      await expect.poll(() => rows.count()).toBe(2);
      await rig.screenshot('admin-sends-list.png');
      expect(await accessibilityProblems(page)).toEqual([]);

      await page.setViewportSize({ width: 390, height: 844 });
      expect(await overflowsSideways(page)).toBe(false);
      expect(await accessibilityProblems(page)).toEqual([]);
      await rig.screenshot('admin-sends-list-phone.png');
      await rows.first().getByRole('link').click();
      await page.getByRole('heading', { name: 'Report' }).waitFor();
      expect(await overflowsSideways(page)).toBe(false);
      expect(await accessibilityProblems(page)).toEqual([]);
      await rig.screenshot('admin-sends-report-phone.png');
      await page.setViewportSize({ width: 1280, height: 900 });
      await rig.expectNoProblems();
    },
    TEST_TIMEOUT,
  );
});
