/**
 * Staff accounts in a real browser: Debian's Chromium driven by playwright-core against a real
 * server (SQLite in a temporary directory) that mails over SMTP to a loopback sink. The owner
 * invites an editor from the Staff screen; the invitee follows the emailed link in their own
 * browser and lands in the admin; the owner changes their role; the invitee, signed out by
 * that, resets their password through the emailed link; the screen fits a phone; an invitation
 * is withdrawn and a staff member removed. Screenshots go to test-output/screenshots
 * (admin-staff-*.png).
 *
 * The admin is built first when its build is missing or stale (as `npm start` does).
 */
import path from 'node:path';
import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningServer } from '../src/cli/serve.js';
import type { ReceivedMail } from '../test/support/smtp-sink.js';
import {
  ADMIN_OWNER as OWNER,
  startAdminBrowserRig,
  type AdminBrowserRig,
} from './support/admin.js';
import {
  chromiumAvailable,
  NAV_TIMEOUT,
  SCREENSHOTS,
  TEST_TIMEOUT,
  watchForProblems,
} from './support/browser.js';
const INVITEE = {
  name: 'Ed Itor',
  email: 'ed@example.com',
  password: 'eds first passphrase',
  newPassword: 'eds second passphrase',
};

const haveChromium = chromiumAvailable('the staff browser tests');

describe.skipIf(!haveChromium)('staff accounts in Chromium', () => {
  let rig: AdminBrowserRig;
  let sink: AdminBrowserRig['sink'];
  let server: RunningServer;
  /** The owner's browser and the invitee's: separate cookies, as on two machines. */
  let inviteeContext: BrowserContext;
  let owner: Page;
  let invitee: Page;
  let problems: string[];

  async function expectNoProblems(): Promise<void> {
    await Promise.all([owner, invitee].map((p) => p.waitForLoadState('networkidle')));
    expect(problems.splice(0)).toEqual([]);
  }
  const screenshot = (page: Page, name: string) =>
    page.screenshot({ path: path.join(SCREENSHOTS, name), fullPage: true });

  /** The `count`th message (from 1) to `address`, waiting for it to arrive. */
  async function mailNumber(address: string, count: number): Promise<ReceivedMail> {
    const to = () => sink.received.filter((m) => m.envelope.to.includes(address));
    await expect.poll(() => to().length, { timeout: 10_000 }).toBe(count);
    return to()[count - 1]!;
  }

  /** The emailed link to `linkPath`, as the mail program shows it. */
  function linkIn(mail: ReceivedMail, linkPath: string): string {
    const text = mail.parsed.text ?? '';
    const link = new RegExp(`https?://\\S+${linkPath.replaceAll('/', '\\/')}\\?token=[\\w-]+`).exec(
      text,
    )?.[0];
    if (!link) throw new Error(`no ${linkPath} link in: ${text}`);
    expect(link.startsWith(`${server.url}/`)).toBe(true);
    return link;
  }

  const staffRole = async (email: string) =>
    (await server.pressroom.services.staff.list()).find((s) => s.email === email)?.role;

  beforeAll(async () => {
    rig = await startAdminBrowserRig({ name: 'staff' });
    ({ server, sink, problems, page: owner } = rig);
    inviteeContext = await rig.browser.newContext({
      baseURL: server.url,
      viewport: { width: 1280, height: 900 },
    });
    inviteeContext.setDefaultTimeout(NAV_TIMEOUT);
    invitee = await inviteeContext.newPage();
    watchForProblems(invitee, problems);
  });

  afterAll(async () => {
    await inviteeContext?.close().catch(() => undefined);
    await rig?.close();
  });

  it(
    'lets the owner invite an editor from the Staff screen',
    async () => {
      await owner.goto('/admin');
      expect(owner.url()).toMatch(/\/admin\/signin$/);
      await owner.getByLabel('Email').fill(OWNER.email);
      await owner.getByLabel('Password').fill(OWNER.password);
      await owner.getByRole('button', { name: 'Sign in' }).click();
      await owner.getByRole('heading', { name: 'Posts' }).waitFor();

      await owner.getByRole('link', { name: 'Staff' }).click();
      await owner.getByRole('heading', { name: 'Staff', level: 1 }).waitFor();
      expect(owner.url()).toMatch(/\/admin\/staff$/);
      const rows = owner.locator('.pr-staff-list tbody tr');
      await expect.poll(() => rows.count()).toBe(1);
      expect(await rows.first().textContent()).toContain(OWNER.email);
      await owner.getByText('No open invitations.').waitFor();
      // The owner may hand out admin, never owner.
      const roleChoices = await owner
        .getByRole('combobox', { name: 'Role', exact: true })
        .locator('option')
        .allTextContents();
      expect(roleChoices).toEqual(['Admin', 'Editor', 'Author', 'Contributor']);

      await owner.getByLabel('Email address').fill(INVITEE.email);
      await owner.getByRole('combobox', { name: 'Role', exact: true }).selectOption('editor');
      await owner.getByRole('button', { name: 'Send invitation' }).click();
      await owner
        .getByRole('status')
        .filter({ hasText: `Invitation sent to ${INVITEE.email}.` })
        .waitFor();
      const invitations = owner.locator('.pr-invitations tbody tr');
      await expect.poll(() => invitations.count()).toBe(1);
      const invited = (await invitations.first().textContent()) ?? '';
      expect(invited).toContain(INVITEE.email);
      expect(invited).toContain('Editor');
      expect(invited).toContain(OWNER.name);

      // Inviting a staff member's address again is refused, next to the field.
      await owner.getByLabel('Email address').fill(OWNER.email);
      await owner.getByRole('button', { name: 'Send invitation' }).click();
      await owner.getByText(`A staff member with email ${OWNER.email} already exists`).waitFor();
      expect(await owner.getByLabel('Email address').getAttribute('aria-invalid')).toBe('true');
      await screenshot(owner, 'admin-staff-invited.png');
      // That 409 was the point: the browser reports the answer (and logs it); nothing else.
      await owner.waitForLoadState('networkidle');
      const conflictAnswer = (p: string) => p.includes('/api/admin/invitations') && /409/.test(p);
      const seen = problems.splice(0);
      expect(seen.filter(conflictAnswer).length).toBeGreaterThan(0);
      expect(seen.filter((p) => !conflictAnswer(p))).toEqual([]);
      await owner.getByLabel('Email address').fill('');
    },
    TEST_TIMEOUT,
  );

  it(
    'lets the invitee accept through the emailed link and land in the admin',
    async () => {
      const mail = await mailNumber(INVITEE.email, 1);
      expect(mail.parsed.subject).toBe(`${OWNER.name} invited you to Pressroom`);
      const link = linkIn(mail, '/admin/accept');

      await invitee.goto(link);
      await invitee.getByRole('heading', { name: 'Accept your invitation' }).waitFor();
      expect(await invitee.locator('main').textContent()).toContain(
        `${OWNER.name} invited you to join as editor`,
      );
      expect(await invitee.getByLabel('Email').inputValue()).toBe(INVITEE.email);
      await invitee.getByLabel('Your name').fill(INVITEE.name);
      await invitee.getByLabel('Password').fill(INVITEE.password);
      await screenshot(invitee, 'admin-staff-accept.png');
      await invitee.getByRole('button', { name: 'Create my account' }).click();
      await invitee.getByRole('heading', { name: 'Posts' }).waitFor();
      expect(new URL(invitee.url()).pathname).toBe('/admin');
      await expect.poll(() => invitee.locator('.pr-who').textContent()).toBe(INVITEE.name);
      expect(await staffRole(INVITEE.email)).toBe('editor');

      // The link has done its work.
      const again = await inviteeContext.request.get(link, { maxRedirects: 0 });
      expect(again.status()).toBe(410);

      await owner.reload();
      await owner.getByText('No open invitations.').waitFor();
      const row = owner.locator('.pr-staff-list tbody tr', { hasText: INVITEE.name });
      expect(await row.textContent()).toContain(INVITEE.email);
      expect(await owner.getByLabel(`Role of ${INVITEE.name}`).inputValue()).toBe('editor');
      await screenshot(owner, 'admin-staff-list.png');
      await expectNoProblems();
    },
    TEST_TIMEOUT,
  );

  it(
    'lets the owner change their role, which signs them out',
    async () => {
      await owner.getByLabel(`Role of ${INVITEE.name}`).selectOption('author');
      await owner
        .getByRole('status')
        .filter({ hasText: `${INVITEE.name}’s role is now Author` })
        .waitFor();
      expect(await owner.getByLabel(`Role of ${INVITEE.name}`).inputValue()).toBe('author');
      expect(await staffRole(INVITEE.email)).toBe('author');
      await screenshot(owner, 'admin-staff-role.png');

      // A changed role ends the person's sessions: their next visit asks them to sign in.
      await invitee.goto('/admin');
      expect(new URL(invitee.url()).pathname).toBe('/admin/signin');
      await expectNoProblems();
    },
    TEST_TIMEOUT,
  );

  it(
    'lets someone who forgot their password reset it through the emailed link',
    async () => {
      await invitee.getByRole('link', { name: 'Forgot your password?' }).click();
      await invitee.getByRole('heading', { name: 'Reset your password' }).waitFor();
      await invitee.getByLabel('Email').fill(INVITEE.email);
      await invitee.getByRole('button', { name: 'Send the link' }).click();
      await invitee.getByRole('heading', { name: 'Check your inbox' }).waitFor();
      await screenshot(invitee, 'admin-staff-forgot.png');

      const mail = await mailNumber(INVITEE.email, 2);
      expect(mail.parsed.subject).toBe('Reset your Pressroom password');
      await invitee.goto(linkIn(mail, '/admin/reset'));
      await invitee.getByRole('heading', { name: 'Choose a new password' }).waitFor();
      expect(await invitee.getByLabel('Email').inputValue()).toBe(INVITEE.email);
      await invitee.getByLabel('New password').fill(INVITEE.newPassword);
      await screenshot(invitee, 'admin-staff-reset.png');
      await invitee.getByRole('button', { name: 'Save the new password' }).click();
      await invitee.getByRole('heading', { name: 'Posts' }).waitFor();
      await expect.poll(() => invitee.locator('.pr-who').textContent()).toBe(INVITEE.name);

      // Signed out and back in with the new password, through the sign-in page.
      await invitee.getByRole('button', { name: 'Sign out' }).click();
      await invitee.getByRole('heading', { name: 'Sign in' }).waitFor();
      await invitee.getByLabel('Email').fill(INVITEE.email);
      await invitee.getByLabel('Password').fill(INVITEE.newPassword);
      await invitee.getByRole('button', { name: 'Sign in' }).click();
      await invitee.getByRole('heading', { name: 'Posts' }).waitFor();

      // An author sees who is on staff, but no invitations and no controls.
      await invitee.getByRole('link', { name: 'Staff' }).click();
      await invitee.getByRole('heading', { name: 'Staff', level: 1 }).waitFor();
      await expect.poll(() => invitee.locator('.pr-staff-list tbody tr').count()).toBe(2);
      expect(await invitee.getByRole('heading', { name: 'Invite someone' }).count()).toBe(0);
      expect(await invitee.locator('.pr-staff-list select').count()).toBe(0);
      expect(await invitee.getByRole('button', { name: /^Remove/ }).count()).toBe(0);
      await expectNoProblems();
    },
    TEST_TIMEOUT,
  );

  it(
    'fits the Staff screen on a phone',
    async () => {
      await owner.setViewportSize({ width: 390, height: 844 });
      await owner.reload();
      await owner.getByRole('heading', { name: 'Invite someone' }).waitFor();
      await owner.getByText('No open invitations.').waitFor();
      await owner.getByLabel(`Role of ${INVITEE.name}`).waitFor();
      await screenshot(owner, 'admin-staff-phone.png');
      const wide = await owner.evaluate(`[...document.querySelectorAll('body *')]
        .filter((e) => e.getBoundingClientRect().right > document.documentElement.clientWidth + 0.5)
        .map((e) => e.tagName + '.' + e.className + ' ' + Math.round(e.getBoundingClientRect().right))`);
      expect(wide).toEqual([]);
      await expectNoProblems();
    },
    TEST_TIMEOUT,
  );

  it(
    'withdraws an invitation and removes a staff member, after asking',
    async () => {
      await owner.setViewportSize({ width: 1280, height: 900 });
      await owner.getByLabel('Email address').fill('late@example.com');
      await owner.getByRole('button', { name: 'Send invitation' }).click();
      const withdraw = owner.getByRole('button', {
        name: 'Withdraw the invitation to late@example.com',
      });
      await withdraw.click();
      await owner.getByText('No open invitations.').waitFor();
      const late = await mailNumber('late@example.com', 1);
      const refused = await inviteeContext.request.get(linkIn(late, '/admin/accept'));
      expect(refused.status()).toBe(410);

      const questions: string[] = [];
      owner.once('dialog', (dialog) => {
        questions.push(dialog.message());
        void dialog.accept();
      });
      await owner.getByRole('button', { name: `Remove ${INVITEE.name}` }).click();
      await owner
        .getByRole('status')
        .filter({ hasText: `${INVITEE.name} was removed from staff.` })
        .waitFor();
      expect(questions).toHaveLength(1);
      expect(questions[0]).toContain(`Remove ${INVITEE.name} from staff?`);
      await expect.poll(() => owner.locator('.pr-staff-list tbody tr').count()).toBe(1);
      expect(await staffRole(INVITEE.email)).toBeUndefined();

      await invitee.goto('/admin');
      expect(new URL(invitee.url()).pathname).toBe('/admin/signin');
      await expectNoProblems();
    },
    TEST_TIMEOUT,
  );
});
