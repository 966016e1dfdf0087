import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestClient } from '../../../test/support/app.js';
import { engines } from '../../../test/support/database.js';
import {
  addStaff,
  HOUR,
  MINUTE,
  normalizeHtml,
  setCookieFor,
  signInAs,
  STAFF_PASSWORD,
} from '../../../test/support/fixtures.js';
import { passwordResetEmail } from './staff.emails.js';
import {
  createStaffLinksTestApp,
  csrfIn,
  form,
  requestReset,
  sha256,
  submitLinkForm,
  tokenOf,
  type StaffLinksTestApp,
} from './staff-links.fixtures.js';

const NEW_PASSWORD = 'a brand new passphrase';

describe.each(engines)('password reset by email on %s', (dialect) => {
  let a: StaffLinksTestApp;
  beforeAll(async () => {
    a = await createStaffLinksTestApp(dialect);
  });
  afterAll(async () => {
    await a.close();
  });

  const resets = (staffId: string) =>
    a.db.selectFrom('staff_password_resets').selectAll().where('staff_id', '=', staffId).execute();
  const whoAmI = (client: TestClient) => client.get('/api/admin/session');
  const signInStatus = async (email: string, password: string) => {
    const client = a.browser();
    return (await client.signIn(email, password)).status;
  };

  it('is offered on the sign-in page, and its form needs the CSRF token', async () => {
    const signin = await a.browser().get('/admin/signin');
    expect(normalizeHtml(await signin.text())).toContain(
      '<a href="/admin/forgot">Forgot your password?</a>',
    );

    const { email } = await addStaff(a.t, a.owner, 'author');
    const browser = a.browser();
    const page = await browser.get('/admin/forgot');
    expect(page.status).toBe(200);
    expect(page.headers.get('cache-control')).toBe('no-store');
    const html = await page.text();
    expect(html).toContain('<form method="post" action="/admin/forgot">');
    const csrf = csrfIn(html);

    // No token, or a token without its cookie (another site's form): refused, nothing sent.
    const bare = await browser.post('/admin/forgot', form({ email }));
    expect(bare.status).toBe(403);
    const foreign = await a.browser().post('/admin/forgot', form({ _csrf: csrf, email }));
    expect(foreign.status).toBe(403);
    expect(await a.mailsTo(email)).toEqual([]);

    const sent = await browser.post('/admin/forgot', form({ _csrf: csrf, email }));
    expect(sent.status).toBe(200);
    expect(await a.mailsTo(email)).toHaveLength(1);
  });

  it('gives a known and an unknown address the same answer, and mails only the known one', async () => {
    const { email, id } = await addStaff(a.t, a.owner, 'editor');
    const unknown = 'nobody-here@example.com';
    const known = await requestReset(a.browser(), email);
    const stranger = await requestReset(a.browser(), unknown);
    expect(known.status).toBe(200);
    expect(stranger.status).toBe(200);
    const knownHtml = await known.text();
    expect(knownHtml).toContain('If that address has a staff account, we sent it a link');
    expect(await stranger.text()).toBe(knownHtml);
    expect(knownHtml).not.toContain(email);

    expect(await a.mailsTo(unknown)).toEqual([]);
    const [mail] = await a.mailsTo(email);
    expect(mail!.subject).toBe('Reset your Pressroom password');
    expect(mail!.headers?.['X-Pressroom-Purpose']).toBe('staff_password_reset');
    const link = await a.linkMailedTo(email, '/admin/reset');
    expect(mail!.html).toContain(`href="http://pressroom.test${link}"`);

    // Only the token's hash is stored, and the link lasts an hour.
    const token = tokenOf(link);
    const rows = await resets(id);
    expect(rows).toHaveLength(1);
    expect(rows[0]!.token_hash).toBe(sha256(token));
    expect(JSON.stringify(rows)).not.toContain(token);
    expect(Date.parse(rows[0]!.expires_at) - a.clock.now().getTime()).toBe(HOUR);
  });

  it('sets the new password, ends every other session and signs this browser in', async () => {
    const person = await addStaff(a.t, a.owner, 'author');
    const elsewhere = await signInAs(a.t, person.email);
    expect((await whoAmI(person.client)).status).toBe(200);

    await requestReset(a.browser(), person.email);
    const link = await a.linkMailedTo(person.email, '/admin/reset');

    // A mail scanner fetching the link changes nothing.
    const scanned = await a.browser().get(link);
    expect(scanned.status).toBe(200);
    expect(scanned.headers.get('referrer-policy')).toBe('no-referrer');
    const page = normalizeHtml(await scanned.text());
    expect(page).toContain('<form method="post" action="/admin/reset">');
    expect(page).toContain(`name="token" value="${tokenOf(link)}"`);
    expect(page).toContain(`value="${person.email}"`);
    expect((await resets(person.id))[0]!.used_at).toBeNull();

    const browser = a.browser();
    // Too short: the form again, the link still good.
    const short = await submitLinkForm(browser, link, { password: 'short' });
    expect(short.status).toBe(400);
    expect(await short.text()).toContain('password: must be at least 10 characters');
    expect((await resets(person.id))[0]!.used_at).toBeNull();

    const done = await submitLinkForm(browser, link, { password: NEW_PASSWORD });
    expect(done.status).toBe(303);
    expect(done.headers.get('location')).toBe('/admin');
    expect(setCookieFor(done, 'pr_session')).toMatch(/;\s*HttpOnly/i);
    const me = await whoAmI(browser);
    expect(me.status).toBe(200);
    expect(((await me.json()) as { staff: { id: string } }).staff.id).toBe(person.id);

    // Every session that existed before is gone.
    expect((await whoAmI(person.client)).status).toBe(401);
    expect((await whoAmI(elsewhere)).status).toBe(401);
    const sessions = await a.db
      .selectFrom('staff_sessions')
      .select('token_hash')
      .where('staff_id', '=', person.id)
      .execute();
    expect(sessions.map((s) => s.token_hash)).toEqual([sha256(browser.cookies.get('pr_session')!)]);

    expect(await signInStatus(person.email, STAFF_PASSWORD)).toBe(401);
    expect(await signInStatus(person.email, NEW_PASSWORD)).toBe(201);

    // Single use: the page and the form both say so now.
    const again = await a.browser().get(link);
    expect(again.status).toBe(410);
    expect(await again.text()).toContain('This link has already been used.');
    const replay = await browser.post(
      '/admin/reset',
      form({
        _csrf: browser.cookies.get('pr_csrf')!,
        token: tokenOf(link),
        password: 'yet another passphrase',
      }),
    );
    expect(replay.status).toBe(410);
    expect(await signInStatus(person.email, NEW_PASSWORD)).toBe(201);
  });

  it('makes the person’s other outstanding reset links useless once one is used', async () => {
    const person = await addStaff(a.t, a.owner, 'contributor');
    await requestReset(a.browser(), person.email);
    await requestReset(a.browser(), person.email);
    const mails = await a.mailsTo(person.email);
    expect(mails).toHaveLength(2);
    const links = mails.map((m) => /\/admin\/reset\?token=[\w-]+/.exec(m.text)![0]);
    expect(new Set(links).size).toBe(2);

    expect((await submitLinkForm(a.browser(), links[1]!, { password: NEW_PASSWORD })).status).toBe(
      303,
    );
    const older = await a.browser().get(links[0]!);
    expect(older.status).toBe(410);
  });

  it('expires a link after one hour, leaving the password as it was', async () => {
    const person = await addStaff(a.t, a.owner, 'author');
    await requestReset(a.browser(), person.email);
    const link = await a.linkMailedTo(person.email, '/admin/reset');
    const browser = a.browser();
    const page = await browser.get(link);
    const csrf = csrfIn(await page.text());

    a.clock.advance(HOUR + MINUTE);
    const late = await a.browser().get(link);
    expect(late.status).toBe(410);
    const lateHtml = normalizeHtml(await late.text());
    expect(lateHtml).toContain('This link has expired.');
    expect(lateHtml).toContain('<a href="/admin/forgot">Ask for a new link</a>');
    const posted = await browser.post(
      '/admin/reset',
      form({ _csrf: csrf, token: tokenOf(link), password: NEW_PASSWORD }),
    );
    expect(posted.status).toBe(410);
    expect(setCookieFor(posted, 'pr_session')).toBeUndefined();
    expect(await signInStatus(person.email, STAFF_PASSWORD)).toBe(201);
  });

  it('refuses the new-password form without the CSRF token, and leaves the link usable', async () => {
    const person = await addStaff(a.t, a.owner, 'author');
    await requestReset(a.browser(), person.email);
    const link = await a.linkMailedTo(person.email, '/admin/reset');
    const forged = await a
      .browser()
      .post('/admin/reset', form({ token: tokenOf(link), password: NEW_PASSWORD }));
    expect(forged.status).toBe(403);
    expect(await signInStatus(person.email, STAFF_PASSWORD)).toBe(201);
    expect((await submitLinkForm(a.browser(), link, { password: NEW_PASSWORD })).status).toBe(303);
  });

  it('says a made-up or mangled token is not valid', async () => {
    for (const token of ['', 'abc', 'A'.repeat(43)]) {
      const res = await a.browser().get(`/admin/reset?token=${token}`);
      expect(res.status, token).toBe(400);
      expect(await res.text()).toContain('This link is not valid.');
    }
  });

  it('mails one address at most three times an hour, silently; the answer never changes', async () => {
    const person = await addStaff(a.t, a.owner, 'editor');
    const answers = new Set<string>();
    for (let i = 0; i < 5; i++) {
      const res = await requestReset(a.browser(), person.email);
      expect(res.status).toBe(200);
      answers.add(await res.text());
    }
    expect(answers.size).toBe(1);
    expect(await a.mailsTo(person.email)).toHaveLength(3);
    a.clock.advance(HOUR);
    await requestReset(a.browser(), person.email);
    expect(await a.mailsTo(person.email)).toHaveLength(4);
  });

  it('answers 429 after ten requests an hour from one network address', async () => {
    const client = a.browser();
    for (let i = 0; i < 10; i++) {
      expect((await requestReset(client, `flood-${i}@example.com`)).status).toBe(200);
    }
    const refused = await requestReset(client, 'flood-10@example.com');
    expect(refused.status).toBe(429);
    expect(refused.headers.get('retry-after')).toBe('60');
    expect(await refused.text()).toContain('Too many password reset requests');
    // Another address is not held back.
    expect((await requestReset(a.browser(), 'flood-11@example.com')).status).toBe(200);
  });

  it('lifts a sign-in lockout: proving the address is enough', async () => {
    const person = await addStaff(a.t, a.owner, 'author');
    for (let i = 0; i < 8; i++) expect(await signInStatus(person.email, 'wrong guess')).toBe(401);
    expect(await signInStatus(person.email, STAFF_PASSWORD)).toBe(429);
    await requestReset(a.browser(), person.email);
    const link = await a.linkMailedTo(person.email, '/admin/reset');
    expect((await submitLinkForm(a.browser(), link, { password: NEW_PASSWORD })).status).toBe(303);
    expect(await signInStatus(person.email, NEW_PASSWORD)).toBe(201);
  });
});

describe('the password reset email', () => {
  const ctx = { publicationTitle: 'Notes & <Sources>', publicUrl: 'https://news.example.com' };
  const link = 'https://news.example.com/admin/reset?token=abc_DEF-123';
  const email = passwordResetEmail(ctx, link);

  it('carries the absolute link in both parts and says it lasts an hour', () => {
    expect(email.subject).toBe('Reset your Notes & <Sources> password');
    expect(email.html).toContain(`href="${link}"`);
    expect(email.text).toContain(`\n${link}\n`);
    expect(email.text).toContain('expires in 1 hour');
  });

  it('escapes the publication title in the HTML', () => {
    expect(email.html).toContain('Notes &amp; &lt;Sources&gt;');
    expect(email.html).not.toContain('<Sources>');
  });
});
