/**
 * The admin's accessibility and phone pass, in a real browser against one real server whose
 * worker sends newsletters to a loopback sink. Every screen, with real content in it (posts,
 * one of them published with its email so there is a send, members, a newsletter, a plan),
 * and the editor with its side panels and publish dialog, at a desktop and a phone width:
 * no WCAG 2.1 A/AA problem that axe-core finds, nothing wider than the screen, no console
 * error or failed request. Then the keyboard: the skip link, the navigation, the dialogs
 * (focus in, kept in, Escape, focus back) and a visible focus outline.
 */
import type { Locator, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { accessibilityProblems, overflowsSideways } from './support/a11y.js';
import { ADMIN_OWNER, startAdminBrowserRig, type AdminBrowserRig } from './support/admin.js';
import { chromiumAvailable, TEST_TIMEOUT } from './support/browser.js';

const haveChromium = chromiumAvailable('the admin accessibility browser tests');

const WIDTHS = [
  { name: 'desktop', width: 1280, height: 900 },
  { name: 'phone', width: 390, height: 844 },
] as const;

describe.skipIf(!haveChromium)('the admin for keyboards, screen readers and phones', () => {
  let rig: AdminBrowserRig;
  let page: Page;

  /**
   * What is wrong with the page as it is once `ready` shows, at a desktop and then a phone
   * width: axe's findings, sideways scrolling, and console errors or failed requests so far.
   * The page is only resized between the two, not reloaded: the layouts are CSS, and this
   * keeps the whole pass quick.
   */
  async function problemsAtEachWidth(ready: Locator): Promise<Record<string, string[]>> {
    const found: Record<string, string[]> = {};
    for (const size of WIDTHS) {
      await page.setViewportSize({ width: size.width, height: size.height });
      await ready.first().waitFor();
      const problems = await accessibilityProblems(page);
      if (await overflowsSideways(page)) problems.push('the page scrolls sideways');
      problems.push(...rig.problems.splice(0));
      found[size.name] = problems;
    }
    await page.setViewportSize({ width: WIDTHS[0].width, height: WIDTHS[0].height });
    return found;
  }

  const clean = { desktop: [], phone: [] };

  /**
   * Goes to an admin screen as its own links do, without reloading the app (nor axe, which
   * takes a moment to load into each new page).
   */
  async function show(path: string): Promise<void> {
    if (!new URL(page.url()).pathname.startsWith('/admin')) {
      await page.goto(path);
      return;
    }
    await page.evaluate(`window.history.pushState(null, '', ${JSON.stringify(path)});
      window.dispatchEvent(new PopStateEvent('popstate'));`);
  }

  /** A write to the Admin API with the page's own session and CSRF token. */
  async function apiPost<T>(path: string, data: unknown): Promise<T> {
    const csrf = (await rig.context.cookies()).find((c) => c.name === 'pr_csrf')?.value ?? '';
    const res = await page.request.post(path, { data, headers: { 'x-csrf-token': csrf } });
    const body = (await res.json()) as T;
    expect(res.status(), JSON.stringify(body)).toBeLessThan(300);
    return body;
  }

  const hasFocus = (target: Locator) => target.evaluate((e) => e === e.ownerDocument.activeElement);
  /** Whether the focus is in (or on) the element `selector` finds around it. */
  const focusWithin = (selector: string) =>
    page.evaluate(`Boolean(document.activeElement?.closest(${JSON.stringify(selector)}))`);
  const insideDialog = () => focusWithin('[role="dialog"]');

  beforeAll(async () => {
    rig = await startAdminBrowserRig({
      name: 'a11y',
      owner: false,
      worker: true,
      env: { PRESSROOM_DEMO_CONTENT: 'false' },
    });
    page = rig.page;
  }, 120_000);

  afterAll(async () => {
    await rig?.close();
  });

  it(
    'sets up the publication from an accessible first-run page',
    async () => {
      await page.goto('/admin/setup');
      expect(
        await problemsAtEachWidth(page.getByRole('heading', { name: 'Set up your publication' })),
      ).toEqual(clean);
      await page.getByLabel('Your name').fill(ADMIN_OWNER.name);
      await page.getByLabel('Email').fill(ADMIN_OWNER.email);
      await page.getByLabel('Password').fill(ADMIN_OWNER.password);
      await page.getByRole('button', { name: 'Create owner account' }).press('Enter');
      await page.waitForURL(/\/admin(\/(posts)?)?$/);
      await rig.expectNoProblems();
    },
    TEST_TIMEOUT,
  );

  it(
    'has accessible sign-in and forgotten-password pages',
    async () => {
      await rig.context.clearCookies();
      await page.goto('/admin/signin');
      expect(await problemsAtEachWidth(page.getByRole('heading', { name: 'Sign in' }))).toEqual(
        clean,
      );
      await page.goto('/admin/forgot');
      expect(await problemsAtEachWidth(page.getByRole('heading', { level: 1 }))).toEqual(clean);
      await rig.signIn();
      await rig.expectNoProblems();
    },
    TEST_TIMEOUT,
  );

  describe('signed in, with content', () => {
    /** Published, and emailed: the post of the one send. */
    let postId = '';
    let draftId = '';
    let sendId = '';
    let memberId = '';

    beforeAll(async () => {
      const { db, services } = rig.server.pressroom;
      const owner = (await services.staff.list()).find((s) => s.email === ADMIN_OWNER.email)!;
      await services.newsletters.ensureDefault();
      const newsletterId = (
        await db.selectFrom('newsletters').select('id').executeTakeFirstOrThrow()
      ).id;
      await services.payments.tiers.create({
        name: 'Gold',
        currency: 'usd',
        monthly_amount: 800,
        yearly_amount: 8000,
        trial_days: 0,
        open: true,
        sort_order: 0,
      });
      for (const [i, name] of ['Ada Reader', 'Ben Reader', 'Cy Reader'].entries()) {
        const created = await services.membersAdmin.create(owner, {
          email: `reader${i}@example.com`,
          name,
          ...(i === 2 ? { comp: { until: null } } : {}),
        });
        memberId ||= created.member.id;
      }
      draftId = (await services.posts.create(owner, { title: 'A draft about ferries' })).id;
      await services.posts.create(owner, { title: 'The harbour vote', status: 'published' });
      const { post } = await apiPost<{ post: { id: string } }>('/api/admin/posts', {
        title: 'Budget night, line by line',
        markdown: 'What was said, and what it means.\n\nAnd a second paragraph.',
        status: 'published',
        email_newsletter_id: newsletterId,
        email_segment: 'all',
      });
      postId = post.id;
      // The worker makes the send shortly after; expect.poll is for tests, not hooks.
      for (let tries = 0; !sendId && tries < 150; tries++) {
        sendId = (await services.posts.get(postId)).email_send_id ?? '';
        if (!sendId) await new Promise((resolve) => setTimeout(resolve, 100));
      }
      expect(sendId).not.toBe('');
      // The list the sign-in showed was empty: start the screens from a fresh one.
      await page.goto('/admin/posts');
      await rig.expectNoProblems();
    }, 60_000);

    const screens: [string, () => string, (p: Page) => Locator][] = [
      ['Posts', () => '/admin/posts', (p) => p.getByRole('link', { name: 'The harbour vote' })],
      [
        'Dashboard',
        () => '/admin/dashboard',
        (p) => p.getByRole('heading', { name: 'Latest posts' }),
      ],
      ['Sends', () => '/admin/sends', (p) => p.getByRole('link', { name: /Budget night/ })],
      [
        'a send',
        () => `/admin/sends/${sendId}`,
        (p) => p.getByRole('heading', { name: /Report|Progress/ }),
      ],
      ['Members', () => '/admin/members', (p) => p.getByRole('link', { name: 'Ada Reader' })],
      [
        'a member',
        () => `/admin/members/${memberId}`,
        (p) => p.getByRole('heading', { name: 'History' }),
      ],
      [
        'Import members',
        () => '/admin/members/import',
        (p) => p.getByRole('heading', { name: 'Import members', level: 1 }),
      ],
      ['Staff', () => '/admin/staff', (p) => p.getByRole('heading', { name: 'Invite someone' })],
      [
        'Publication settings',
        () => '/admin/settings/publication',
        (p) => p.getByRole('heading', { name: 'Publication', exact: true }),
      ],
      [
        'Plans',
        () => '/admin/settings/plans',
        (p) => p.getByRole('row').filter({ hasText: 'Gold' }),
      ],
      [
        'Payments',
        () => '/admin/settings/payments',
        (p) => p.getByRole('switch', { name: 'Readers can pledge' }),
      ],
      [
        'Email settings',
        () => '/admin/settings/email',
        (p) => p.getByRole('heading', { name: 'Email', exact: true }),
      ],
      [
        'Newsletters',
        () => '/admin/settings/newsletters',
        (p) => p.getByRole('button', { name: 'New newsletter' }),
      ],
    ];

    it.each(screens)(
      '%s: no accessibility problem, fits a phone',
      async (_name, path, ready) => {
        await show(path());
        expect(await problemsAtEachWidth(ready(page))).toEqual(clean);
      },
      TEST_TIMEOUT,
    );

    // The screens above are checked as soon as they show; a request of theirs that failed
    // later would be caught here.
    it('left no failed request behind on those screens', () => rig.expectNoProblems());

    it(
      'the editor, alone and with each of its panels and its dialog open',
      async () => {
        await page.goto(`/admin/posts/${postId}`);
        expect(await problemsAtEachWidth(page.locator('.ProseMirror p'))).toEqual(clean);

        await page.getByRole('button', { name: 'Settings', exact: true }).click();
        const settings = page.getByRole('complementary', { name: 'Post settings' });
        expect(await problemsAtEachWidth(settings.getByLabel('Excerpt'))).toEqual(clean);
        await settings.getByRole('button', { name: 'Close' }).click();

        await page.getByRole('button', { name: 'Revisions', exact: true }).click();
        const revisions = page.getByRole('complementary', { name: 'Revisions' });
        expect(await problemsAtEachWidth(revisions.getByLabel('Version'))).toEqual(clean);
        await revisions.getByRole('button', { name: 'Close' }).click();

        // A published post's dialog, then a draft's, which has the email choices.
        await page.getByRole('button', { name: 'Update', exact: true }).click();
        expect(await problemsAtEachWidth(page.getByRole('dialog', { name: 'Published' }))).toEqual(
          clean,
        );
        await page.goto(`/admin/posts/${draftId}`);
        await page.getByRole('button', { name: 'Publish', exact: true }).click();
        const dialog = page.getByRole('dialog', { name: 'Publish' });
        await dialog.getByLabel('Send it by email too').check();
        expect(
          await problemsAtEachWidth(dialog.getByText(/It will be sent to \d+ people/)),
        ).toEqual(clean);
        await dialog.getByRole('button', { name: 'Preview the email' }).click();
        expect(await problemsAtEachWidth(dialog.locator('iframe[title="Email preview"]'))).toEqual(
          clean,
        );
        await dialog.getByRole('button', { name: 'Cancel' }).click();
        await dialog.waitFor({ state: 'detached' });
        // Not rig.expectNoProblems(): once the preview's sandboxed frame has been on the page,
        // Playwright never sees the network go idle, so its requests are awaited above.
        expect(rig.problems.splice(0)).toEqual([]);
      },
      TEST_TIMEOUT,
    );

    it(
      'has a skip link as the first Tab stop, which moves the focus to the main content',
      async () => {
        for (const path of ['/admin/posts', `/admin/posts/${postId}`]) {
          await page.goto(path);
          await page.locator('main h1, main .ProseMirror').first().waitFor();
          await page.keyboard.press('Tab');
          const skip = page.getByRole('link', { name: 'Skip to content' });
          expect(await hasFocus(skip), path).toBe(true);
          // Seen when focused, not just read out.
          const box = (await skip.boundingBox())!;
          expect(box.x, path).toBeGreaterThanOrEqual(0);
          expect(box.y, path).toBeGreaterThanOrEqual(0);
          await page.keyboard.press('Enter');
          expect(await hasFocus(page.locator('main')), path).toBe(true);
          // The next Tab goes on from there, into the screen itself.
          await page.keyboard.press('Tab');
          expect(await focusWithin('main'), path).toBe(true);
        }
        await rig.expectNoProblems();
      },
      TEST_TIMEOUT,
    );

    it(
      'lets the keyboard reach and use the navigation, at both widths',
      async () => {
        const nav = page.getByRole('navigation', { name: 'Admin' });
        for (const [size, target, heading] of [
          [WIDTHS[0], 'Members', 'Members'],
          [WIDTHS[1], 'Sends', 'Sends'],
        ] as const) {
          await page.setViewportSize({ width: size.width, height: size.height });
          await page.goto('/admin/posts');
          await page.getByRole('link', { name: 'The harbour vote' }).waitFor();
          expect(await nav.getByRole('link', { name: 'Posts' }).getAttribute('aria-current')).toBe(
            'page',
          );
          const link = nav.getByRole('link', { name: target });
          let presses = 0;
          while (!(await hasFocus(link))) {
            expect(++presses, `Tab presses to reach ${target}`).toBeLessThan(12);
            await page.keyboard.press('Tab');
          }
          await page.keyboard.press('Enter');
          await page.waitForURL(new RegExp(`/admin/${target.toLowerCase()}$`));
          await page.getByRole('heading', { name: heading, level: 1 }).waitFor();
          expect(await link.getAttribute('aria-current')).toBe('page');
          expect(await nav.getByRole('link', { name: 'Posts' }).getAttribute('aria-current')).toBe(
            null,
          );
        }
        await page.setViewportSize({ width: WIDTHS[0].width, height: WIDTHS[0].height });
        await rig.expectNoProblems();
      },
      TEST_TIMEOUT,
    );

    it(
      'shows where the focus is, on buttons and links alike',
      async () => {
        await page.goto('/admin/posts');
        await page.getByRole('link', { name: 'The harbour vote' }).waitFor();
        /** How the focused element shows it has the focus. */
        const outline = () =>
          page.evaluate(`(() => {
            const e = document.activeElement;
            const style = getComputedStyle(e);
            return {
              tag: e.tagName,
              outline: style.outlineStyle === 'none' ? 0 : parseFloat(style.outlineWidth),
              shadow: style.boxShadow,
            };
          })()`) as Promise<{ tag: string; outline: number; shadow: string }>;
        const seen = new Set<string>();
        // Tab through the top of the screen; every stop must show where it is.
        for (let i = 0; i < 14; i++) {
          await page.keyboard.press('Tab');
          const o = await outline();
          seen.add(o.tag);
          if (o.tag === 'MAIN') continue;
          expect(o.outline >= 2 || o.shadow !== 'none', `focus shown on a ${o.tag}`).toBe(true);
        }
        expect([...seen]).toEqual(expect.arrayContaining(['A', 'BUTTON', 'INPUT', 'SELECT']));
        await rig.expectNoProblems();
      },
      TEST_TIMEOUT,
    );

    it(
      'moves the focus into the publish dialog, keeps it there, and gives it back on Escape',
      async () => {
        await page.goto(`/admin/posts/${draftId}`);
        await page.locator('.ProseMirror').waitFor();
        const publish = page.getByRole('button', { name: 'Publish', exact: true });
        await publish.focus();
        await page.keyboard.press('Enter');
        const dialog = page.getByRole('dialog', { name: 'Publish' });
        await dialog.waitFor();
        await expect.poll(insideDialog).toBe(true);
        // Round and round inside it, both ways.
        for (let i = 0; i < 12; i++) {
          await page.keyboard.press('Tab');
          expect(await insideDialog(), `after ${i + 1} Tab`).toBe(true);
        }
        for (let i = 0; i < 12; i++) {
          await page.keyboard.press('Shift+Tab');
          expect(await insideDialog(), `after ${i + 1} Shift+Tab`).toBe(true);
        }
        await page.keyboard.press('Escape');
        await dialog.waitFor({ state: 'detached' });
        expect(await hasFocus(publish)).toBe(true);

        // Cancel gives it back too.
        await page.keyboard.press('Enter');
        await dialog.waitFor();
        await dialog.getByRole('button', { name: 'Cancel' }).press('Enter');
        await dialog.waitFor({ state: 'detached' });
        expect(await hasFocus(publish)).toBe(true);
        await rig.expectNoProblems();
      },
      TEST_TIMEOUT,
    );

    it(
      'gives the focus back after a confirmation',
      async () => {
        await page.goto('/admin/posts');
        const row = page.getByRole('row').filter({ hasText: 'The harbour vote' });
        await row.getByRole('checkbox').check();
        const remove = page.getByRole('button', { name: 'Delete', exact: true });
        await remove.focus();
        const asked: string[] = [];
        page.once('dialog', (d) => {
          asked.push(d.message());
          void d.dismiss();
        });
        await page.keyboard.press('Enter');
        await expect.poll(() => asked).toEqual(['Delete 1 post? This cannot be undone.']);
        expect(await hasFocus(remove)).toBe(true);
        await row.waitFor();
        await rig.expectNoProblems();
      },
      TEST_TIMEOUT,
    );

    it(
      'moves the focus into the sign-in dialog when the session ends, and back after',
      async () => {
        await page.goto(`/admin/posts/${draftId}`);
        const title = page.getByLabel('Title');
        await title.focus();
        await rig.server.pressroom.db.deleteFrom('staff_sessions').execute();
        await page.keyboard.press('End');
        await page.keyboard.type(', and the new timetable');
        const dialog = page.getByRole('dialog', { name: 'Sign in again' });
        await dialog.waitFor({ timeout: 15_000 });
        await expect.poll(() => hasFocus(dialog.getByLabel('Email'))).toBe(true);
        for (let i = 0; i < 6; i++) {
          await page.keyboard.press('Tab');
          expect(await insideDialog(), `after ${i + 1} Tab`).toBe(true);
        }
        // Nothing to go back to without signing in: Escape leaves it open.
        await page.keyboard.press('Escape');
        expect(await dialog.isVisible()).toBe(true);
        // The save the server refused (401) is expected; nothing else is.
        const found = await problemsAtEachWidth(dialog.getByLabel('Password'));
        const not401 = (list: string[]) => list.filter((p) => !/\b401\b/.test(p));
        expect({ desktop: not401(found.desktop!), phone: not401(found.phone!) }).toEqual(clean);

        await dialog.getByLabel('Email').fill(ADMIN_OWNER.email);
        await dialog.getByLabel('Password').fill(ADMIN_OWNER.password);
        await dialog.getByLabel('Password').press('Enter');
        await dialog.waitFor({ state: 'detached' });
        expect(await hasFocus(title)).toBe(true);
        await expect.poll(() => page.locator('.pr-save-state').textContent()).toBe('Saved');
        await rig.expectNoProblems();
      },
      TEST_TIMEOUT,
    );
  });
});
