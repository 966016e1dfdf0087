import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { engines } from '../../../test/support/database.js';
import {
  DAY,
  expectError,
  HOUR,
  json,
  MINUTE,
  normalizeHtml,
  setCookieFor,
  withoutCsrf,
} from '../../../test/support/fixtures.js';
import {
  createMembersTestApp,
  csrfIn,
  followLink,
  form,
  linkIn,
  sha256,
  signedUpMember,
  tokenOf,
  uniqueEmail,
  withCsrf,
  type MembersTestApp,
} from './members.test-app.js';

const events = (t: MembersTestApp, memberId: string | null) => {
  let q = t.db.selectFrom('member_events').select(['type', 'data', 'member_id']).orderBy('id');
  q = memberId === null ? q.where('member_id', 'is', null) : q.where('member_id', '=', memberId);
  return q.execute();
};
const eventTypes = async (t: MembersTestApp, memberId: string) =>
  (await events(t, memberId)).map((e) => e.type);

const memberByEmail = (t: MembersTestApp, email: string) =>
  t.db.selectFrom('members').selectAll().where('email', '=', email).executeTakeFirst();

/** Both answers to a link request, with the address typed taken out. */
const sameAnswer = (html: string, email: string) => normalizeHtml(html.replaceAll(email, 'EMAIL'));

describe.each(engines)('members on %s', (dialect) => {
  let t: MembersTestApp;
  beforeAll(async () => {
    t = await createMembersTestApp(dialect);
  });
  afterAll(async () => {
    await t.close();
  });

  describe('double opt-in signup', () => {
    it('emails a link whose page only shows a button; the POST confirms, signs in and lands on /account', async () => {
      const email = uniqueEmail();
      const browser = t.client();
      const res = await browser.post('/subscribe', form({ email, name: 'Ada Reader' }));
      expect(res.status).toBe(200);
      expect(res.headers.get('cache-control')).toBe('no-store');
      const page = await res.text();
      expect(page).toContain('Check your inbox');
      expect(page).toContain(email);

      const mail = await t.onlyMailTo(email);
      expect(mail.parsed.subject).toBe('Confirm your subscription to Pressroom');
      expect(mail.parsed.headers.get('x-pressroom-purpose')).toBe('signup');
      const link = linkIn(mail, '/members/confirm');
      expect(await memberByEmail(t, email)).toBeUndefined();

      // What a mail scanner does: fetch the link, even twice. Nothing is confirmed.
      for (let i = 0; i < 2; i++) {
        const scanned = await t.client().get(link);
        expect(scanned.status).toBe(200);
        const html = normalizeHtml(await scanned.text());
        expect(html).toContain('<form method="post" action="/members/confirm"');
        expect(html).toContain(`name="token" value="${tokenOf(link)}"`);
        expect(html).toContain('Confirm subscription</button>');
        expect(scanned.headers.get('referrer-policy')).toBe('no-referrer');
      }
      expect(await memberByEmail(t, email)).toBeUndefined();

      // The button's POST without the page's CSRF token (another site's form) does nothing.
      const forged = await t
        .client()
        .post('/members/confirm', form({ token: tokenOf(link) }), { accept: 'application/json' });
      await expectError(forged, 403, { code: 'csrf_failed' });
      expect(await memberByEmail(t, email)).toBeUndefined();

      const confirmed = await followLink(browser, link);
      expect(confirmed.status).toBe(303);
      expect(confirmed.headers.get('location')).toBe('/account?welcome=1');
      const cookie = setCookieFor(confirmed, 'pr_member');
      expect(cookie).toMatch(/;\s*HttpOnly/i);
      expect(cookie).toMatch(/;\s*SameSite=Lax/i);
      expect(cookie).toMatch(/;\s*Path=\//i);
      expect(cookie).toMatch(/;\s*Max-Age=2592000/i);
      expect(cookie).not.toMatch(/;\s*Secure/i);

      const member = (await memberByEmail(t, email))!;
      expect(member).toMatchObject({
        name: 'Ada Reader',
        status: 'free',
        source: 'signup',
        confirmed_at: t.clock.now().toISOString(),
      });
      expect(await eventTypes(t, member.id)).toEqual(['signed_up', 'confirmed']);
      const subscribed = await t.db
        .selectFrom('member_newsletters')
        .innerJoin('newsletters', 'newsletters.id', 'member_newsletters.newsletter_id')
        .select('newsletters.slug')
        .where('member_id', '=', member.id)
        .execute();
      expect(subscribed.map((s) => s.slug)).toEqual(['pressroom']);

      // Only the session token's hash is stored.
      const sessionToken = browser.cookies.get('pr_member')!;
      const sessions = await t.db
        .selectFrom('member_sessions')
        .selectAll()
        .where('member_id', '=', member.id)
        .execute();
      expect(sessions.map((s) => s.token_hash)).toEqual([sha256(sessionToken)]);
      expect(JSON.stringify(sessions)).not.toContain(sessionToken);

      const account = await browser.get('/account?welcome=1');
      expect(account.status).toBe(200);
      expect(account.headers.get('cache-control')).toBe('no-store');
      const html = await account.text();
      expect(html).toContain('Welcome! Your subscription is confirmed.');
      expect(html).toContain(email);
      expect(html).toContain('You are a free member.');
    });

    it('repeated signups make one member and at most one email per address per five minutes', async () => {
      const email = uniqueEmail();
      const answers: string[] = [];
      for (let i = 0; i < 4; i++) {
        const res = await t.client().post('/subscribe', form({ email }));
        expect(res.status).toBe(200);
        answers.push(await res.text());
      }
      expect(new Set(answers).size).toBe(1);
      const first = await t.onlyMailTo(email);

      t.clock.advance(5 * MINUTE);
      await t.client().post('/subscribe', form({ email }));
      const second = await t.onlyMailTo(email, 1);

      // Both links work: the first creates the member, the second just signs in.
      const a = await followLink(t.client(), linkIn(first, '/members/confirm'));
      const b = await followLink(t.client(), linkIn(second, '/members/confirm'));
      expect([a.status, b.status]).toEqual([303, 303]);
      expect([a.headers.get('location'), b.headers.get('location')]).toEqual([
        '/account?welcome=1',
        '/account',
      ]);
      const rows = await t.db
        .selectFrom('members')
        .select('id')
        .where('email', '=', email)
        .execute();
      expect(rows).toHaveLength(1);
      expect(await eventTypes(t, rows[0]!.id)).toEqual(['signed_up', 'confirmed', 'signed_in']);
    });

    it('answers a known address exactly as an unknown one, and mails it a sign-in link instead', async () => {
      const known = await signedUpMember(t);
      t.clock.advance(5 * MINUTE);
      const stranger = uniqueEmail();

      const toKnown = await t.client().post('/subscribe', form({ email: known.email }));
      const toStranger = await t.client().post('/subscribe', form({ email: stranger }));
      expect(toKnown.status).toBe(toStranger.status);
      expect(sameAnswer(await toKnown.text(), known.email)).toBe(
        sameAnswer(await toStranger.text(), stranger),
      );

      const api = [
        await t.client().post('/api/members/signup', { email: known.email }),
        await t.client().post('/api/members/signup', { email: uniqueEmail() }),
      ];
      expect(api.map((r) => r.status)).toEqual([202, 202]);
      expect(await api[0]!.text()).toBe(await api[1]!.text());

      const mail = await t.onlyMailTo(known.email, 1);
      expect(mail.parsed.subject).toBe('You are already subscribed to Pressroom');
      const signin = await followLink(t.client(), linkIn(mail, '/members/signin'));
      expect(signin.status).toBe(303);
      expect(signin.headers.get('location')).toBe('/account');
      expect(
        (await t.db.selectFrom('members').select('id').where('email', '=', known.email).execute())
          .length,
      ).toBe(1);
    });

    it('names the email field when the address is malformed: JSON 400, or the form again with the error', async () => {
      await expectError(
        await t.client().post('/api/members/signup', { email: 'not-an-address' }),
        400,
        { code: 'invalid_input', field: 'email' },
      );
      const res = await t.client().post('/subscribe', form({ email: 'nope', name: 'Ann' }));
      expect(res.status).toBe(400);
      const html = await res.text();
      expect(html).toContain('email: must be a valid email address');
      expect(html).toContain('value="nope"');
      expect(html).toContain('value="Ann"');
      expect(html).toContain('<form method="post" action="/subscribe"');
      await expectError(
        await t
          .client()
          .post('/api/members/signup', { email: uniqueEmail(), newsletters: ['nope'] }),
        400,
        { field: 'newsletters' },
      );
    });

    it('offers the form at GET /subscribe in the site layout', async () => {
      const res = await t.client().get('/subscribe');
      expect(res.status).toBe(200);
      const html = normalizeHtml(await res.text());
      expect(html).toContain('<form method="post" action="/subscribe"');
      expect(html).toContain('name="email"');
      expect(html).toContain('<link rel="canonical" href="http://pressroom.test/subscribe">');
      expect(html).not.toContain('name="_csrf"');
    });
  });

  describe('emailed links', () => {
    it('work once: a second use shows the fresh-link page', async () => {
      const email = uniqueEmail();
      await t.client().post('/subscribe', form({ email }));
      const link = linkIn(await t.onlyMailTo(email), '/members/confirm');
      const browser = t.client();
      const page = await browser.get(link);
      const csrf = csrfIn(await page.text());
      const body = form({ _csrf: csrf, token: tokenOf(link) });
      expect((await browser.post('/members/confirm', body)).status).toBe(303);

      const again = await browser.post('/members/confirm', body);
      expect(again.status).toBe(410);
      const html = normalizeHtml(await again.text());
      expect(html).toContain('This link has already been used');
      expect(html).toContain('<form method="post" action="/subscribe"');
      expect((await t.client().get(link)).status).toBe(410);
    });

    it('expire: 24 hours for signup, 1 hour for sign-in', async () => {
      const email = uniqueEmail();
      await t.client().post('/subscribe', form({ email }));
      const signupLink = linkIn(await t.onlyMailTo(email), '/members/confirm');
      const browser = t.client();
      const page = await browser.get(signupLink);
      t.clock.advance(DAY);
      const late = await browser.post(
        '/members/confirm',
        form({ _csrf: csrfIn(await page.text()), token: tokenOf(signupLink) }),
      );
      expect(late.status).toBe(410);
      expect(await late.text()).toContain('This link has expired');
      expect(await memberByEmail(t, email)).toBeUndefined();

      const member = await signedUpMember(t);
      t.clock.advance(5 * MINUTE);
      await t.client().post('/signin', form({ email: member.email }));
      const signinLink = linkIn(await t.onlyMailTo(member.email, 1), '/members/signin');
      expect((await t.client().get(signinLink)).status).toBe(200);
      t.clock.advance(HOUR);
      const expired = await t.client().get(signinLink);
      expect(expired.status).toBe(410);
      const html = normalizeHtml(await expired.text());
      expect(html).toContain('This link has expired');
      expect(html).toContain('<form method="post" action="/signin"');
    });

    it('reject unknown and mistyped tokens, and tokens meant for another purpose', async () => {
      for (const token of ['abc', 'A'.repeat(43), '']) {
        const res = await t.client().get(`/members/confirm?token=${token}`);
        expect(res.status).toBe(400);
        expect(await res.text()).toContain('This link does not work');
      }
      const member = await signedUpMember(t);
      t.clock.advance(5 * MINUTE);
      await t.client().post('/signin', form({ email: member.email }));
      const signin = linkIn(await t.onlyMailTo(member.email, 1), '/members/signin');
      const misused = await t.client().get(`/members/confirm?token=${tokenOf(signin)}`);
      expect(misused.status).toBe(400);
    });

    it('are stored only as SHA-256 hashes', async () => {
      const email = uniqueEmail();
      await t.client().post('/subscribe', form({ email, name: 'Hash Check' }));
      const token = tokenOf(linkIn(await t.onlyMailTo(email), '/members/confirm'));
      const rows = await t.db
        .selectFrom('member_tokens')
        .selectAll()
        .where('email', '=', email)
        .execute();
      expect(rows.map((r) => r.token_hash)).toEqual([sha256(token)]);
      expect(rows[0]).toMatchObject({ purpose: 'signup', used_at: null });
      const everything = JSON.stringify(
        await t.db.selectFrom('member_tokens').selectAll().execute(),
      );
      expect(everything).not.toContain(token);
    });
  });

  describe('rate limits', () => {
    it('refuse the 21st signup from one address within the hour with a 429 (page and JSON)', async () => {
      const ip = '192.0.2.50';
      for (let i = 0; i < 20; i++) {
        const res = await t.client(ip).post('/subscribe', form({ email: uniqueEmail('burst') }));
        expect(res.status).toBe(200);
      }
      const page = await t.client(ip).post('/subscribe', form({ email: uniqueEmail('burst') }));
      expect(page.status).toBe(429);
      expect(page.headers.get('retry-after')).toBe('60');
      expect(await page.text()).toContain('Too many signups');
      await expectError(
        await t.client(ip).post('/api/members/signup', { email: uniqueEmail('burst') }),
        429,
        { code: 'rate_limited' },
      );
      // Another network is not affected.
      expect((await t.client().post('/subscribe', form({ email: uniqueEmail() }))).status).toBe(
        200,
      );
    });

    it('refuse the 21st sign-in request from one address within the hour', async () => {
      const ip = '192.0.2.51';
      for (let i = 0; i < 20; i++)
        expect((await t.client(ip).post('/signin', form({ email: uniqueEmail() }))).status).toBe(
          200,
        );
      const res = await t.client(ip).post('/signin', form({ email: uniqueEmail() }));
      expect(res.status).toBe(429);
      expect(await res.text()).toContain('Too many sign-in requests');
    });
  });

  describe('sign-in and sign-out', () => {
    it('mails a link to members only, answers everyone alike, and signs in with the button', async () => {
      const member = await signedUpMember(t);
      t.clock.advance(5 * MINUTE);
      const stranger = uniqueEmail();

      const form1 = await t.client().get('/signin');
      expect(form1.status).toBe(200);
      expect(await form1.text()).toContain('<form method="post" action="/signin"');

      const browser = t.client();
      const known = await browser.post('/signin', form({ email: member.email }));
      const unknown = await t.client().post('/signin', form({ email: stranger }));
      expect([known.status, unknown.status]).toEqual([200, 200]);
      expect(sameAnswer(await known.text(), member.email)).toBe(
        sameAnswer(await unknown.text(), stranger),
      );
      expect(
        await (await t.client().post('/api/members/signin', { email: member.email })).text(),
      ).toBe(await (await t.client().post('/api/members/signin', { email: stranger })).text());

      expect(await t.mailsTo(stranger)).toHaveLength(0);
      const mail = await t.onlyMailTo(member.email, 1);
      expect(mail.parsed.subject).toBe('Sign in to Pressroom');
      const res = await followLink(browser, linkIn(mail, '/members/signin'));
      expect(res.status).toBe(303);
      expect(res.headers.get('location')).toBe('/account');
      expect(await eventTypes(t, member.id)).toEqual(['signed_up', 'confirmed', 'signed_in']);
      expect((await browser.get('/account')).status).toBe(200);
      const signinAgain = await browser.get('/signin');
      expect(signinAgain.status).toBe(302);
      expect(signinAgain.headers.get('location')).toBe('/account');
    });

    it('replaces the session the browser had when it signs in again', async () => {
      const member = await signedUpMember(t);
      const before = member.client.cookies.get('pr_member')!;
      t.clock.advance(5 * MINUTE);
      await t.client().post('/signin', form({ email: member.email }));
      const link = linkIn(await t.onlyMailTo(member.email, 1), '/members/signin');
      expect((await followLink(member.client, link)).status).toBe(303);
      const hashes = (
        await t.db
          .selectFrom('member_sessions')
          .select('token_hash')
          .where('member_id', '=', member.id)
          .execute()
      ).map((s) => s.token_hash);
      expect(hashes).toEqual([sha256(member.client.cookies.get('pr_member')!)]);
      expect(hashes).not.toContain(sha256(before));
    });

    it('signs out with a CSRF-protected POST that ends the session', async () => {
      const { client, id } = await signedUpMember(t);
      const csrf = csrfIn(await (await client.get('/account')).text());
      expect((await client.post('/signout', form({}))).status).toBe(403);
      const res = await client.post('/signout', form({ _csrf: csrf }));
      expect(res.status).toBe(303);
      expect(res.headers.get('location')).toBe('/');
      expect(client.cookies.has('pr_member')).toBe(false);
      expect(
        await t.db.selectFrom('member_sessions').select('id').where('member_id', '=', id).execute(),
      ).toEqual([]);
      const account = await client.get('/account');
      expect(account.status).toBe(302);
      expect(account.headers.get('location')).toBe('/signin');
      await expectError(await client.get('/api/members/me'), 401);
    });

    it('ends sessions after 30 days', async () => {
      const { client } = await signedUpMember(t);
      t.clock.advance(30 * DAY);
      expect((await client.get('/account')).status).toBe(302);
      expect(client.cookies.has('pr_member')).toBe(false);
    });
  });

  describe('the account', () => {
    it('needs the CSRF token on every form', async () => {
      const { client, id, email } = await signedUpMember(t);
      const attempts: [string, Record<string, string>][] = [
        ['/account/name', { name: 'Changed' }],
        ['/account/email', { email: uniqueEmail() }],
        ['/account/newsletters', { newsletters_shown: '1' }],
        ['/account/pledge', { amount: '5', interval: 'month' }],
        ['/account/delete', { confirm: 'DELETE' }],
      ];
      for (const [path, values] of attempts) {
        const res = await client.post(path, form(values));
        expect(res.status, path).toBe(403);
      }
      await withoutCsrf(client, async () => {
        expect((await client.patch('/api/members/me', { name: 'Changed' })).status).toBe(403);
        expect((await client.delete('/api/members/me')).status).toBe(403);
      });
      const member = (await memberByEmail(t, email))!;
      expect(member.name).toBeNull();
      expect(await eventTypes(t, id)).toEqual(['signed_up', 'confirmed']);
      expect(
        await t.db.selectFrom('pledges').select('id').where('member_id', '=', id).execute(),
      ).toEqual([]);
    });

    it('edits the name, by form and by JSON', async () => {
      const { client, email } = await signedUpMember(t);
      const csrf = csrfIn(await (await client.get('/account')).text());
      const res = await client.post('/account/name', form({ _csrf: csrf, name: '  Grace  ' }));
      expect(res.status).toBe(303);
      expect(res.headers.get('location')).toBe('/account?saved=name');
      expect((await memberByEmail(t, email))!.name).toBe('Grace');
      expect(await (await client.get('/account?saved=name')).text()).toContain(
        'Your name is saved.',
      );

      await withCsrf(client);
      const patched = await json<{ member: { name: string } }>(
        await client.patch('/api/members/me', { name: 'Grace Hopper' }),
      );
      expect(patched.member.name).toBe('Grace Hopper');
      const tooLong = await client.patch('/api/members/me', { name: 'x'.repeat(121) });
      await expectError(tooLong, 400, { field: 'name' });
    });

    it('changes newsletters and records what changed', async () => {
      const admin = await t.staffClient('admin');
      const created = await admin.post('/api/admin/newsletters', {
        name: 'Weekly digest',
        subscribe_on_signup: false,
      });
      expect(created.status).toBe(201);
      try {
        const { client, id } = await signedUpMember(t);
        const page = await (await client.get('/account')).text();
        expect(normalizeHtml(page)).toContain('value="weekly-digest"');
        const res = await client.post(
          '/account/newsletters',
          form({ _csrf: csrfIn(page), newsletters_shown: '1', newsletters: 'weekly-digest' }),
        );
        expect(res.status).toBe(303);
        await withCsrf(client);
        const none = await json<{ newsletters: { slug: string; subscribed: boolean }[] }>(
          await client.patch('/api/members/me', { newsletters: [] }),
        );
        expect(none.newsletters.every((n) => !n.subscribed)).toBe(true);
        const changes = (await events(t, id)).filter((e) => e.type === 'newsletters_changed');
        expect(changes.map((e) => JSON.parse(e.data))).toEqual([
          { subscribed: ['weekly-digest'], unsubscribed: ['pressroom'] },
          { subscribed: [], unsubscribed: ['weekly-digest'] },
        ]);
        await expectError(await client.patch('/api/members/me', { newsletters: ['nope'] }), 400, {
          field: 'newsletters',
        });
      } finally {
        const { newsletter } = await json<{ newsletter: { id: string } }>(created);
        await admin.delete(`/api/admin/newsletters/${newsletter.id}`);
      }
    });

    it('changes the email once the new address confirms it', async () => {
      const { client, id, email } = await signedUpMember(t);
      const newEmail = uniqueEmail('moved');
      const csrf = csrfIn(await (await client.get('/account')).text());
      const res = await client.post('/account/email', form({ _csrf: csrf, email: newEmail }));
      expect(res.status).toBe(303);
      expect(res.headers.get('location')).toBe('/account?saved=email_sent');
      expect((await memberByEmail(t, email))?.id).toBe(id);

      const mail = await t.onlyMailTo(newEmail);
      expect(mail.parsed.subject).toBe('Confirm your new email address for Pressroom');
      // Opened wherever the new address is read: another browser.
      const elsewhere = t.client();
      const done = await followLink(elsewhere, linkIn(mail, '/members/email'));
      expect(done.status).toBe(303);
      expect(done.headers.get('location')).toBe('/account?saved=email_changed');
      expect((await memberByEmail(t, newEmail))?.id).toBe(id);
      expect(await memberByEmail(t, email)).toBeUndefined();
      const changed = (await events(t, id)).filter((e) => e.type === 'email_changed');
      expect(changed).toHaveLength(1);
      expect(changed[0]!.data).toBe('{}');
      expect(await (await elsewhere.get('/account?saved=email_changed')).text()).toContain(
        newEmail,
      );
    });

    it('refuses an address another member has, when asked and when confirmed', async () => {
      const a = await signedUpMember(t);
      const b = await signedUpMember(t);
      const page = await (await a.client.get('/account')).text();
      const res = await a.client.post(
        '/account/email',
        form({ _csrf: csrfIn(page), email: b.email }),
      );
      expect(res.status).toBe(409);
      const html = await res.text();
      expect(html).toContain('Another account already uses that email address.');
      expect(html).toContain(`value="${b.email}"`);
      await withCsrf(a.client);
      await expectError(await a.client.post('/api/members/me/email', { email: b.email }), 409, {
        field: 'email',
      });

      // Free when asked, taken by the time the link is followed.
      const contested = uniqueEmail('contested');
      expect((await a.client.post('/api/members/me/email', { email: contested })).status).toBe(202);
      const link = linkIn(await t.onlyMailTo(contested), '/members/email');
      t.clock.advance(5 * MINUTE);
      await signedUpMember(t, contested);
      const late = await followLink(t.client(), link);
      expect(late.status).toBe(409);
      expect(await late.text()).toContain('Another account already uses that email address.');
      expect((await memberByEmail(t, a.email))?.id).toBe(a.id);
    });

    it('makes, changes and withdraws a pledge', async () => {
      const { client, id } = await signedUpMember(t);
      const page = await (await client.get('/account')).text();
      const created = await client.post(
        '/account/pledge',
        form({ _csrf: csrfIn(page), amount: '5', interval: 'month' }),
      );
      expect(created.status).toBe(303);
      expect(await (await client.get('/account')).text()).toContain('$5.00');

      await withCsrf(client);
      const changed = await client.post('/api/members/me/pledge', { amount: 60, interval: 'year' });
      expect(changed.status).toBe(200);
      expect((await json<{ pledge: object }>(changed)).pledge).toMatchObject({
        amount: 6000,
        currency: 'USD',
        interval: 'year',
        status: 'active',
      });
      const rows = await t.db
        .selectFrom('pledges')
        .selectAll()
        .where('member_id', '=', id)
        .execute();
      expect(rows).toHaveLength(1);

      await expectError(
        await client.post('/api/members/me/pledge', { amount: 0, interval: 'month' }),
        400,
        {
          field: 'amount',
        },
      );
      await expectError(
        await client.post('/api/members/me/pledge', { amount: 2.5, interval: 'month' }),
        400,
        {
          field: 'amount',
        },
      );
      const bad = await client.post(
        '/account/pledge',
        form({ _csrf: client.csrf!, amount: 'lots', interval: 'month' }),
      );
      expect(bad.status).toBe(400);
      expect(await bad.text()).toContain('amount: must be a whole number');

      expect((await client.delete('/api/members/me/pledge')).status).toBe(204);
      await expectError(await client.delete('/api/members/me/pledge'), 404);
      const after = await t.db
        .selectFrom('pledges')
        .selectAll()
        .where('member_id', '=', id)
        .execute();
      expect(after.map((p) => p.status)).toEqual(['withdrawn']);
      const pledgeEvents = (await events(t, id)).filter((e) => e.type.startsWith('pledge'));
      expect(pledgeEvents.map((e) => [e.type, JSON.parse(e.data)])).toEqual([
        ['pledged', { amount: 500, currency: 'USD', interval: 'month', tier: null }],
        [
          'pledged',
          {
            amount: 6000,
            currency: 'USD',
            interval: 'year',
            tier: null,
            changed_from: { amount: 500 },
          },
        ],
        ['pledge_withdrawn', { amount: 6000, currency: 'USD' }],
      ]);
    });

    it('deletes the account after a typed confirmation, keeping only anonymous history', async () => {
      const email = uniqueEmail('leaving');
      const { client, id } = await signedUpMember(t, email, { name: 'Leaving Reader' });
      const page = await (await client.get('/account')).text();
      const csrf = csrfIn(page);
      await client.post('/account/pledge', form({ _csrf: csrf, amount: '7', interval: 'month' }));
      const countsBefore = await t.db
        .selectFrom('member_events')
        .select(['type', (eb) => eb.fn.countAll<number>().as('n')])
        .groupBy('type')
        .execute();

      const wrong = await client.post('/account/delete', form({ _csrf: csrf, confirm: 'yes' }));
      expect(wrong.status).toBe(400);
      expect(await wrong.text()).toContain('confirm: type DELETE to confirm');
      expect(await memberByEmail(t, email)).toBeDefined();

      const res = await client.post('/account/delete', form({ _csrf: csrf, confirm: 'DELETE' }));
      expect(res.status).toBe(200);
      expect(await res.text()).toContain('Your account has been deleted');
      expect(client.cookies.has('pr_member')).toBe(false);

      expect(await memberByEmail(t, email)).toBeUndefined();
      for (const table of [
        'member_sessions',
        'member_tokens',
        'member_newsletters',
        'pledges',
      ] as const)
        expect(
          await t.db.selectFrom(table).selectAll().where('member_id', '=', id).execute(),
          table,
        ).toEqual([]);
      expect(await events(t, id)).toEqual([]);

      const countsAfter = await t.db
        .selectFrom('member_events')
        .select(['type', (eb) => eb.fn.countAll<number>().as('n')])
        .groupBy('type')
        .execute();
      const count = (rows: typeof countsAfter, type: string) =>
        Number(rows.find((r) => r.type === type)?.n ?? 0);
      for (const type of ['signed_up', 'confirmed', 'pledged'])
        expect(count(countsAfter, type), type).toBe(count(countsBefore, type));
      expect(count(countsAfter, 'deleted')).toBe(count(countsBefore, 'deleted') + 1);
      const anonymous = await events(t, null);
      expect(anonymous.map((e) => e.type)).toContain('deleted');
      expect(JSON.stringify(anonymous)).not.toContain(email);
      expect(JSON.stringify(anonymous)).not.toContain('Leaving Reader');
    });

    it('deletes by JSON too, and refuses while a paid subscription runs', async () => {
      const { client, id, email } = await signedUpMember(t);
      await withCsrf(client);
      await t.db.updateTable('members').set({ status: 'paid' }).where('id', '=', id).execute();
      await expectError(
        await client.request('DELETE', '/api/members/me', { confirm: 'DELETE' }),
        409,
      );
      await t.db.updateTable('members').set({ status: 'free' }).where('id', '=', id).execute();
      await expectError(await client.request('DELETE', '/api/members/me', { confirm: 'no' }), 400, {
        field: 'confirm',
      });
      expect(
        (await client.request('DELETE', '/api/members/me', { confirm: 'delete' })).status,
      ).toBe(204);
      expect(await memberByEmail(t, email)).toBeUndefined();
    });

    it('answers /api/members/me with the account and a CSRF token', async () => {
      const { client, email } = await signedUpMember(t);
      const me = await json<{
        member: { email: string; status: string };
        access: string;
        newsletters: { slug: string; subscribed: boolean }[];
        pledge: null;
        pledge_currency: string;
        csrf_token: string;
      }>(await client.get('/api/members/me'));
      expect(me.member).toMatchObject({ email, status: 'free' });
      expect(me.access).toBe('member');
      expect(me.newsletters).toContainEqual({
        slug: 'pressroom',
        name: 'Pressroom',
        description: null,
        subscribed: true,
      });
      expect(me.pledge).toBeNull();
      expect(me.pledge_currency).toBe('USD');
      expect(me.csrf_token).toMatch(/^[\w-]{43}$/);
    });
  });
});
