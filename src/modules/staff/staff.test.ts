import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createTestApp,
  OWNER,
  ownerClient,
  type TestApp,
  type TestClient,
} from '../../../test/support/app.js';
import { engines } from '../../../test/support/database.js';
import {
  addStaff,
  bearerClient,
  expectError,
  json,
  ManualClock,
  MINUTE,
  sessionCookie,
  setCookieFor,
  signInAs,
  STAFF_PASSWORD,
  visitor,
  withoutCsrf,
} from '../../../test/support/fixtures.js';

import { adminScreen } from './staff.routes.js';

const NEW_PASSWORD = 'an entirely new passphrase';
const DAY = 24 * 60 * MINUTE;

function setupForm(csrf: string | undefined, values: typeof OWNER = OWNER): URLSearchParams {
  const form = new URLSearchParams(values);
  if (csrf !== undefined) form.set('_csrf', csrf);
  return form;
}

/** Loads the setup page the way a browser does and returns its CSRF token. */
async function openSetup(client: TestClient): Promise<string> {
  const res = await client.get('/admin/setup');
  expect(res.status).toBe(200);
  const token = /name="_csrf" value="([^"]+)"/.exec(await res.text())?.[1];
  expect(token).toBeDefined();
  return token!;
}

const whoAmI = (client: TestClient) => client.get('/api/admin/session');

const signInBody = (email: string, password: string) => ({ email, password });

describe.each(engines)('staff on %s', (dialect) => {
  describe('first-run setup', () => {
    it('offers the form until an owner exists, needs CSRF, signs the owner in, then is gone', async () => {
      const t = await createTestApp(dialect, { clock: new ManualClock() });
      try {
        const browser = t.client();
        const form = await browser.get('/admin/setup');
        expect(form.status).toBe(200);
        expect(form.headers.get('content-type')).toMatch(/^text\/html/);
        expect(form.headers.get('cache-control')).toBe('no-store');
        const html = await form.text();
        expect(html).toContain('<form method="post" action="/admin/setup">');
        const csrf = /name="_csrf" value="([\w-]{43})"/.exec(html)?.[1];
        expect(csrf).toBeDefined();

        // No token: refused, nothing created.
        expect((await browser.post('/admin/setup', setupForm(undefined))).status).toBe(403);
        // A token without the matching cookie (another site's form): refused.
        expect((await t.client().post('/admin/setup', setupForm(csrf))).status).toBe(403);
        expect(await t.pressroom.services.staff.hasOwner()).toBe(false);

        // Invalid input: the form again, with the problem and what was typed.
        const invalid = await browser.post(
          '/admin/setup',
          setupForm(csrf, { ...OWNER, password: 'short' }),
        );
        expect(invalid.status).toBe(400);
        const invalidHtml = await invalid.text();
        expect(invalidHtml).toContain('password: must be at least 10 characters');
        expect(invalidHtml).toContain(`value="${OWNER.email}"`);
        expect(await t.pressroom.services.staff.hasOwner()).toBe(false);

        const res = await browser.post('/admin/setup', setupForm(csrf));
        expect(res.status).toBe(303);
        expect(res.headers.get('location')).toBe('/admin');
        const cookie = setCookieFor(res, 'pr_session');
        expect(cookie).toMatch(/;\s*HttpOnly/i);
        expect(cookie).toMatch(/;\s*SameSite=Lax/i);
        expect(cookie).toMatch(/;\s*Path=\//i);
        expect(cookie).not.toMatch(/;\s*Secure/i);

        const me = await json<{ staff: { email: string; role: string } }>(await whoAmI(browser));
        expect(me.staff).toMatchObject({ email: OWNER.email, role: 'owner' });
        const admin = await browser.get('/admin');
        expect(admin.status).toBe(200);
        expect(await admin.text()).toContain(OWNER.name);

        // Setup is over, for this browser and any other.
        expect((await browser.get('/admin/setup')).status).toBe(404);
        const stranger = await visitor(t);
        const again = await stranger.post(
          '/admin/setup',
          setupForm(stranger.csrf, {
            email: 'intruder@example.com',
            name: 'Intruder',
            password: 'intruder password',
          }),
        );
        expect(again.status).toBe(404);
        expect(again.headers.get('content-type')).toMatch(/^text\/html/);
        const staff = await t.pressroom.services.staff.list();
        expect(staff.map((s) => s.email)).toEqual([OWNER.email]);
      } finally {
        await t.close();
      }
    });

    it('marks the cookies Secure when the site is served over https', async () => {
      const t = await createTestApp(dialect, {
        clock: new ManualClock(),
        env: { PRESSROOM_URL: 'https://x.test' },
      });
      try {
        const browser = t.client();
        const csrf = await openSetup(browser);
        const res = await browser.post('/admin/setup', setupForm(csrf));
        expect(res.status).toBe(303);
        expect(setCookieFor(res, 'pr_session')).toMatch(/;\s*Secure/i);
        expect(setCookieFor(res, 'pr_session')).toMatch(/;\s*HttpOnly/i);
        expect(setCookieFor(res, 'pr_session')).toMatch(/;\s*SameSite=Lax/i);

        const api = t.client();
        const signIn = await api.signIn(OWNER.email, OWNER.password);
        expect(signIn.status).toBe(201);
        expect(setCookieFor(signIn, 'pr_session')).toMatch(/;\s*Secure/i);
        expect(api.cookies.has('pr_csrf')).toBe(true);
      } finally {
        await t.close();
      }
    });

    it('expires a session after 30 days', async () => {
      const clock = new ManualClock();
      const t = await createTestApp(dialect, { clock });
      try {
        const owner = await ownerClient(t);
        clock.advance(29 * DAY);
        expect((await whoAmI(owner)).status).toBe(200);
        clock.advance(2 * DAY);
        await expectError(await whoAmI(owner), 401, { code: 'unauthorized' });
      } finally {
        await t.close();
      }
    });
  });

  // The rest share one app; every test uses its own accounts and client addresses.
  describe('with an owner', () => {
    let t: TestApp;
    let clock: ManualClock;
    let owner: TestClient;
    let ownerId: string;

    beforeAll(async () => {
      clock = new ManualClock();
      t = await createTestApp(dialect, { clock });
      owner = await ownerClient(t);
      ownerId = (await json<{ staff: { id: string } }>(await whoAmI(owner))).staff.id;
    });
    afterAll(async () => {
      await t.close();
    });

    describe('signing in', () => {
      it('returns a signed-out visitor to the admin screen they asked for, and only there', async () => {
        const { email } = await addStaff(t, owner, 'editor');
        const browser = await visitor(t, '10.1.0.9');
        const asked = await browser.get('/admin/sends/s-123?tab=report');
        expect(asked.status).toBe(302);
        const location = asked.headers.get('location')!;
        expect(location).toBe('/admin/signin?next=%2Fadmin%2Fsends%2Fs-123%3Ftab%3Dreport');
        const formPage = await (await browser.get(location)).text();
        expect(formPage).toContain('name="next" value="/admin/sends/s-123?tab=report"');
        const csrf = /name="_csrf" value="([^"]+)"/.exec(formPage)![1]!;
        const signIn = (next: string) =>
          browser.post(
            '/admin/signin',
            new URLSearchParams({ _csrf: csrf, email, password: STAFF_PASSWORD, next }),
          );
        const wrong = await browser.post(
          '/admin/signin',
          new URLSearchParams({ _csrf: csrf, email, password: 'wrong', next: '/admin/members' }),
        );
        expect(await wrong.text()).toContain('name="next" value="/admin/members"');
        const res = await signIn('/admin/sends/s-123?tab=report');
        expect(res.status).toBe(303);
        expect(res.headers.get('location')).toBe('/admin/sends/s-123?tab=report');
        // Signed in, the sign-in page sends them straight on.
        const again = await browser.get('/admin/signin?next=%2Fadmin%2Fsettings');
        expect(again.headers.get('location')).toBe('/admin/settings');
      });

      it.each([
        ['https://evil.example/admin', '/admin'],
        ['//evil.example/admin', '/admin'],
        ['/admin//evil.example', '/admin'],
        ['/adminx', '/admin'],
        ['/api/admin/tokens', '/admin'],
        ['/admin/signout', '/admin'],
        ['/admin/posts/p1', '/admin/posts/p1'],
        ['/admin', '/admin'],
        [undefined, '/admin'],
      ])('opens a safe screen after signing in for next=%s', (next, expected) => {
        expect(adminScreen(next)).toBe(expected);
      });

      it('gives a wrong password and an unknown email the same 401', async () => {
        const { email } = await addStaff(t, owner, 'author');
        const wrongPassword = await (
          await visitor(t, '10.1.0.1')
        ).post('/api/admin/session', signInBody(email, 'not the password'));
        const unknownEmail = await (
          await visitor(t, '10.1.0.2')
        ).post('/api/admin/session', signInBody('nobody@example.com', STAFF_PASSWORD));
        const a = await expectError(wrongPassword, 401, { code: 'invalid_credentials' });
        const b = await expectError(unknownEmail, 401);
        expect(b).toEqual(a);
        expect(setCookieFor(wrongPassword, 'pr_session')).toBeUndefined();
        expect(setCookieFor(unknownEmail, 'pr_session')).toBeUndefined();
      });

      it('sets an httpOnly, SameSite=Lax session cookie and returns the CSRF token', async () => {
        const { email } = await addStaff(t, owner, 'editor');
        const client = await visitor(t, '10.1.0.3');
        const res = await client.post('/api/admin/session', signInBody(email, STAFF_PASSWORD));
        expect(res.status).toBe(201);
        const cookie = setCookieFor(res, 'pr_session');
        expect(cookie).toMatch(/;\s*HttpOnly/i);
        expect(cookie).toMatch(/;\s*SameSite=Lax/i);
        expect(cookie).not.toMatch(/;\s*Secure/i);
        const body = await json<{ staff: { email: string; role: string }; csrf_token: string }>(
          res,
        );
        expect(body.staff).toMatchObject({ email, role: 'editor' });
        expect(body.csrf_token).toBe(client.cookies.get('pr_csrf'));
        expect(JSON.stringify(body)).not.toMatch(/password|hash/);
      });

      it('accepts the email in any case and with spaces around it', async () => {
        const { email } = await addStaff(t, owner, 'author');
        const res = await (
          await visitor(t, '10.1.0.4')
        ).post('/api/admin/session', signInBody(`  ${email.toUpperCase()} `, STAFF_PASSWORD));
        expect(res.status).toBe(201);
      });

      it('rotates the session: signing in again invalidates the old token', async () => {
        const { client, id, email } = await addStaff(t, owner, 'author');
        const before = sessionCookie(client)!;
        expect((await client.signIn(email, STAFF_PASSWORD)).status).toBe(201);
        const after = sessionCookie(client)!;
        expect(after).not.toBe(before);
        expect((await whoAmI(client)).status).toBe(200);

        const replay = t.client();
        replay.cookies.set('pr_session', before);
        await expectError(await whoAmI(replay), 401);
        expect(await t.pressroom.services.staff.listSessions(id)).toHaveLength(1);
      });

      it('signing out revokes the session token, not just the cookie', async () => {
        const { client } = await addStaff(t, owner, 'author');
        const token = sessionCookie(client)!;
        const res = await client.delete('/api/admin/session');
        expect(res.status).toBe(204);
        expect(sessionCookie(client)).toBeUndefined();
        await expectError(await whoAmI(client), 401);

        const replay = t.client();
        replay.cookies.set('pr_session', token);
        await expectError(await whoAmI(replay), 401);
      });

      it('signing out through the admin page form revokes the session too', async () => {
        const { client } = await addStaff(t, owner, 'author');
        const token = sessionCookie(client)!;
        const res = await client.post(
          '/admin/signout',
          new URLSearchParams({ _csrf: client.csrf! }),
        );
        expect(res.status).toBe(303);
        const replay = t.client();
        replay.cookies.set('pr_session', token);
        await expectError(await whoAmI(replay), 401);
      });

      it('lists one’s own sessions and revokes another of them', async () => {
        const { client: laptop, email } = await addStaff(t, owner, 'editor');
        const phone = await signInAs(t, email);

        const res = await laptop.get('/api/admin/sessions');
        expect(res.status).toBe(200);
        const { sessions } = await json<{
          sessions: { id: string; current: boolean; ip: string }[];
        }>(res);
        expect(sessions).toHaveLength(2);
        expect(sessions.filter((s) => s.current)).toHaveLength(1);
        const other = sessions.find((s) => !s.current)!;
        expect(other.ip).toBe(phone.ip);
        expect(JSON.stringify(sessions)).not.toMatch(/token|hash/);

        expect((await laptop.delete(`/api/admin/sessions/${other.id}`)).status).toBe(204);
        await expectError(await whoAmI(phone), 401);
        expect((await whoAmI(laptop)).status).toBe(200);
        await expectError(await laptop.delete(`/api/admin/sessions/${other.id}`), 404, {
          code: 'not_found',
        });
      });

      it('does not let a staff member revoke someone else’s session', async () => {
        const victim = await addStaff(t, owner, 'editor');
        const { client: author } = await addStaff(t, owner, 'author');
        const [session] = await t.pressroom.services.staff.listSessions(victim.id);
        await expectError(await author.delete(`/api/admin/sessions/${session!.id}`), 404);
        expect((await whoAmI(victim.client)).status).toBe(200);
      });

      it('limits attempts per account: the 9th in the window is 429 even with the right password', async () => {
        const { email } = await addStaff(t, owner, 'author');
        for (let i = 1; i <= 8; i++) {
          // From different addresses, so only the account's limit can apply.
          const res = await (
            await visitor(t, `10.3.0.${i}`)
          ).post('/api/admin/session', signInBody(email, `wrong password ${i}`));
          await expectError(res, 401, { code: 'invalid_credentials' });
        }
        const ninth = await (
          await visitor(t, '10.3.0.99')
        ).post('/api/admin/session', signInBody(email, STAFF_PASSWORD));
        await expectError(ninth, 429, { code: 'rate_limited' });
        expect(ninth.headers.get('retry-after')).toBe('60');
        expect(setCookieFor(ninth, 'pr_session')).toBeUndefined();

        // A fixed window: the next one starts at most 15 minutes later.
        clock.advance(15 * MINUTE);
        const later = await (
          await visitor(t, '10.3.0.99')
        ).post('/api/admin/session', signInBody(email, STAFF_PASSWORD));
        expect(later.status).toBe(201);
      });

      it('limits attempts per address: after 20 from one IP it is 429, whatever the account', async () => {
        const { email } = await addStaff(t, owner, 'author');
        const client = await visitor(t, '10.4.4.4');
        for (let i = 1; i <= 20; i++) {
          const res = await client.post(
            '/api/admin/session',
            signInBody(`person${i}@example.com`, 'guessing 123'),
          );
          expect(res.status, `attempt ${i}`).toBe(401);
        }
        const res = await client.post('/api/admin/session', signInBody(email, STAFF_PASSWORD));
        await expectError(res, 429, { code: 'rate_limited' });

        // Another address is not affected.
        const elsewhere = await (
          await visitor(t, '10.5.5.5')
        ).post('/api/admin/session', signInBody(email, STAFF_PASSWORD));
        expect(elsewhere.status).toBe(201);
      });

      it('a changed password ends the other sessions but keeps the current one', async () => {
        const { client: laptop, id, email } = await addStaff(t, owner, 'author');
        const phone = await signInAs(t, email);

        const res = await laptop.patch(`/api/admin/staff/${id}`, { password: NEW_PASSWORD });
        expect(res.status).toBe(200);
        expect(await res.text()).not.toMatch(/password|hash/);
        await expectError(await whoAmI(phone), 401);
        expect((await whoAmI(laptop)).status).toBe(200);

        const old = await (
          await visitor(t, '10.1.0.5')
        ).post('/api/admin/session', signInBody(email, STAFF_PASSWORD));
        await expectError(old, 401);
        const fresh = await (
          await visitor(t, '10.1.0.6')
        ).post('/api/admin/session', signInBody(email, NEW_PASSWORD));
        expect(fresh.status).toBe(201);
      });

      it('an admin resetting someone’s password ends all of that person’s sessions', async () => {
        const { client: editor, id } = await addStaff(t, owner, 'editor');
        expect(
          (await owner.patch(`/api/admin/staff/${id}`, { password: NEW_PASSWORD })).status,
        ).toBe(200);
        await expectError(await whoAmI(editor), 401);
        expect((await whoAmI(owner)).status).toBe(200);
      });

      it('validates the sign-in body', async () => {
        const client = await visitor(t, '10.1.0.7');
        await expectError(await client.post('/api/admin/session', { email: OWNER.email }), 400, {
          code: 'invalid_input',
          field: 'password',
        });
        await expectError(
          await client.post('/api/admin/session', '{"email":', {
            'content-type': 'application/json',
          }),
          400,
          { code: 'malformed_json' },
        );
      });
    });

    describe('on the public site', () => {
      // Bylines are rendered into cached pages: renaming staff must clear the cache.
      it('shows a renamed author’s new name on cached pages', async () => {
        const author = await addStaff(t, owner, 'author');
        const res = await author.client.post('/api/admin/posts', {
          title: 'Byline Check',
          status: 'published',
        });
        const { post } = await json<{ post: { slug: string } }>(res);
        const reader = t.client();
        expect(await (await reader.get(`/p/${post.slug}`)).text()).toContain(author.name);
        await author.client.patch(`/api/admin/staff/${author.id}`, { name: 'Renamed Byline' });
        expect(await (await reader.get(`/p/${post.slug}`)).text()).toContain('Renamed Byline');
      });
    });

    describe('CSRF protection', () => {
      const postTitled = async (title: string) =>
        t.pressroom.db.selectFrom('posts').select('id').where('title', '=', title).execute();

      it('refuses cookie-authenticated writes without the token header, changing nothing', async () => {
        const editor = await addStaff(t, owner, 'editor');
        const tokensBefore = (await t.pressroom.services.staff.listApiTokens()).length;
        await withoutCsrf(owner, async () => {
          await expectError(await owner.post('/api/admin/posts', { title: 'Forged 1' }), 403, {
            code: 'csrf_failed',
          });
          await expectError(await owner.patch('/api/admin/settings', { title: 'Forged' }), 403, {
            code: 'csrf_failed',
          });
          await expectError(await owner.delete(`/api/admin/staff/${editor.id}`), 403, {
            code: 'csrf_failed',
          });
          await expectError(await owner.post('/api/admin/tokens', { name: 'forged' }), 403, {
            code: 'csrf_failed',
          });
          await expectError(await owner.delete('/api/admin/session'), 403, { code: 'csrf_failed' });
        });
        expect(await postTitled('Forged 1')).toEqual([]);
        expect((await t.pressroom.services.settings.get()).title).toBe('Pressroom');
        expect((await t.pressroom.services.staff.get(editor.id)).role).toBe('editor');
        expect(await t.pressroom.services.staff.listApiTokens()).toHaveLength(tokensBefore);
        expect((await whoAmI(owner)).status).toBe(200);
      });

      it('refuses a token that does not match the cookie', async () => {
        const res = await owner.request(
          'POST',
          '/api/admin/posts',
          { title: 'Forged 2' },
          { 'x-csrf-token': 'A'.repeat(43) },
        );
        await expectError(res, 403, { code: 'csrf_failed' });
        expect(await postTitled('Forged 2')).toEqual([]);
      });

      it('refuses a request from a foreign Origin even with the right token', async () => {
        const editor = await addStaff(t, owner, 'editor');
        const evil = { origin: 'https://evil.test' };
        await expectError(
          await owner.request('POST', '/api/admin/posts', { title: 'Cross-site' }, evil),
          403,
          { code: 'csrf_failed' },
        );
        await expectError(
          await owner.request('DELETE', `/api/admin/staff/${editor.id}`, undefined, evil),
          403,
          { code: 'csrf_failed' },
        );
        expect(await postTitled('Cross-site')).toEqual([]);
        expect((await t.pressroom.services.staff.get(editor.id)).role).toBe('editor');

        const ours = await owner.request(
          'POST',
          '/api/admin/posts',
          { title: 'Same origin' },
          { origin: 'http://pressroom.test' },
        );
        expect(ours.status).toBe(201);
      });

      it('does not ask Bearer-token requests for a CSRF token', async () => {
        const editor = await addStaff(t, owner, 'editor');
        const { token } = await json<{ token: string }>(
          await owner.post('/api/admin/tokens', { name: 'CI' }),
        );
        const api = bearerClient(t, token);
        expect(api.cookies.size).toBe(0);
        expect((await api.post('/api/admin/posts', { title: 'From a script' })).status).toBe(201);
        expect(
          (await api.patch(`/api/admin/staff/${editor.id}`, { name: 'Scripted' })).status,
        ).toBe(200);
        expect((await api.delete(`/api/admin/staff/${editor.id}`)).status).toBe(204);
      });

      it('does not let a bogus Bearer header ride on a session cookie', async () => {
        const res = await owner.request(
          'POST',
          '/api/admin/posts',
          { title: 'Sneaky' },
          { authorization: 'Bearer nonsense' },
        );
        await expectError(res, 401, { code: 'unauthorized' });
        expect(await postTitled('Sneaky')).toEqual([]);
      });
    });

    describe('API tokens', () => {
      it('shows the token once and stores only its hash', async () => {
        const res = await owner.post('/api/admin/tokens', { name: 'Deploy script' });
        expect(res.status).toBe(201);
        const { id, token } = await json<{ id: string; token: string }>(res);
        expect(token).toMatch(/^pr_[\w-]{43}$/);

        const row = await t.pressroom.db
          .selectFrom('api_tokens')
          .selectAll()
          .where('id', '=', id)
          .executeTakeFirstOrThrow();
        expect(row.token_hash).toBe(createHash('sha256').update(token).digest('hex'));
        expect(JSON.stringify(row)).not.toContain(token.slice(3));
        expect(row.staff_id).toBe(ownerId);

        const list = await owner.get('/api/admin/tokens');
        expect(list.status).toBe(200);
        const text = await list.text();
        expect(text).toContain('Deploy script');
        expect(text).not.toContain(token.slice(3));
        expect(text).not.toContain(row.token_hash);
      });

      it('authenticates as its creator with Authorization: Bearer', async () => {
        const admin = await addStaff(t, owner, 'admin');
        const { token } = await json<{ token: string }>(
          await admin.client.post('/api/admin/tokens', { name: 'CLI' }),
        );
        const api = bearerClient(t, token);
        const me = await json<{ staff: { email: string; role: string } }>(await whoAmI(api));
        expect(me.staff).toMatchObject({ email: admin.email, role: 'admin' });
        const created = await json<{ post: { authors: { id: string }[] } }>(
          await api.post('/api/admin/posts', { title: 'Via token' }),
        );
        expect(created.post.authors.map((a) => a.id)).toEqual([admin.id]);
      });

      it('stops working once revoked; unknown tokens never work', async () => {
        const { id, token } = await json<{ id: string; token: string }>(
          await owner.post('/api/admin/tokens', { name: 'Temp' }),
        );
        const api = bearerClient(t, token);
        expect((await api.get('/api/admin/posts')).status).toBe(200);

        expect((await owner.delete(`/api/admin/tokens/${id}`)).status).toBe(204);
        await expectError(await api.get('/api/admin/posts'), 401, { code: 'unauthorized' });
        await expectError(await api.post('/api/admin/posts', { title: 'After revoke' }), 401);
        await expectError(await owner.delete(`/api/admin/tokens/${id}`), 404, {
          code: 'not_found',
        });

        const list = await json<{ tokens: { id: string; revoked_at: string | null }[] }>(
          await owner.get('/api/admin/tokens'),
        );
        expect(list.tokens.find((x) => x.id === id)?.revoked_at).toBe(clock.now().toISOString());

        await expectError(
          await bearerClient(t, `pr_${'x'.repeat(43)}`).get('/api/admin/posts'),
          401,
        );
        await expectError(await bearerClient(t, '').get('/api/admin/posts'), 401);
      });

      it('stops working when its staff member is removed', async () => {
        const admin = await addStaff(t, owner, 'admin');
        const { token } = await json<{ token: string }>(
          await admin.client.post('/api/admin/tokens', { name: 'leaving' }),
        );
        expect((await owner.delete(`/api/admin/staff/${admin.id}`)).status).toBe(204);
        await expectError(await bearerClient(t, token).get('/api/admin/posts'), 401);
      });

      it('is refused to anyone below admin', async () => {
        const { client: editor } = await addStaff(t, owner, 'editor');
        await expectError(await editor.post('/api/admin/tokens', { name: 'mine' }), 403, {
          code: 'forbidden',
        });
        await expectError(await editor.get('/api/admin/tokens'), 403);
      });
    });

    describe('roles on the staff, settings, token and job routes', () => {
      const ADMIN_ONLY: [string, string, unknown?][] = [
        [
          'POST',
          '/api/admin/staff',
          { email: 'new@example.com', name: 'New', role: 'contributor' },
        ],
        ['DELETE', '/api/admin/staff/:owner'],
        ['GET', '/api/admin/tokens'],
        ['POST', '/api/admin/tokens', { name: 'x' }],
        ['DELETE', '/api/admin/tokens/some-id'],
        ['PATCH', '/api/admin/settings', { title: 'Mine now' }],
        ['GET', '/api/admin/jobs'],
      ];

      it('answers 401 to every admin route without credentials', async () => {
        const anon = await visitor(t, '10.1.0.8');
        const routes: [string, string, unknown?][] = [
          ...ADMIN_ONLY,
          ['GET', '/api/admin/session'],
          ['GET', '/api/admin/sessions'],
          ['DELETE', '/api/admin/sessions/some-id'],
          ['GET', '/api/admin/staff'],
          ['GET', '/api/admin/staff/:owner'],
          ['PATCH', '/api/admin/staff/:owner', { name: 'x' }],
          ['GET', '/api/admin/posts'],
          ['POST', '/api/admin/posts', { title: 'x' }],
          ['POST', '/api/admin/posts/import', { markdown: '# x' }],
          ['GET', '/api/admin/posts/some-id'],
          ['PATCH', '/api/admin/posts/some-id', { title: 'x' }],
          ['DELETE', '/api/admin/posts/some-id'],
          ['GET', '/api/admin/posts/some-id/revisions'],
          ['GET', '/api/admin/tags'],
          ['POST', '/api/admin/tags', { name: 'x' }],
          ['PATCH', '/api/admin/tags/some-id', { name: 'x' }],
          ['DELETE', '/api/admin/tags/some-id'],
          ['GET', '/api/admin/settings'],
        ];
        for (const [method, path, body] of routes) {
          const res = await anon.request(method, path.replace(':owner', ownerId), body);
          expect(res.status, `${method} ${path}`).toBe(401);
          await expectError(res, 401, { code: 'unauthorized' });
        }
        // /admin itself sends a browser to the sign-in page.
        const page = await anon.get('/admin');
        expect(page.status).toBe(302);
        expect(page.headers.get('location')).toBe('/admin/signin');
      });

      it.each(['editor', 'author', 'contributor'])(
        'refuses the %s on every admin-only route',
        async (role) => {
          const { client } = await addStaff(t, owner, role);
          const staffBefore = (await t.pressroom.services.staff.list()).length;
          for (const [method, path, body] of ADMIN_ONLY) {
            const res = await client.request(method, path.replace(':owner', ownerId), body);
            expect(res.status, `${role} ${method} ${path}`).toBe(403);
          }
          expect((await t.pressroom.services.settings.get()).title).toBe('Pressroom');
          expect(await t.pressroom.services.staff.list()).toHaveLength(staffBefore);
          // Reading settings and the staff list is for all staff.
          expect((await client.get('/api/admin/settings')).status).toBe(200);
          expect((await client.get('/api/admin/staff')).status).toBe(200);
        },
      );

      it('lets an admin manage staff, settings, tokens and jobs', async () => {
        const { client: admin } = await addStaff(t, owner, 'admin');
        const created = await admin.post('/api/admin/staff', {
          email: 'made-by-admin@example.com',
          name: 'Made By Admin',
          role: 'editor',
        });
        expect(created.status).toBe(201);
        const { staff } = await json<{ staff: { id: string } }>(created);
        expect((await admin.patch(`/api/admin/staff/${staff.id}`, { role: 'author' })).status).toBe(
          200,
        );
        expect((await admin.delete(`/api/admin/staff/${staff.id}`)).status).toBe(204);
        const settings = await admin.patch('/api/admin/settings', {
          description: 'Admin was here',
        });
        expect(settings.status).toBe(200);
        expect((await admin.post('/api/admin/tokens', { name: 'admin token' })).status).toBe(201);
        expect((await admin.get('/api/admin/jobs')).status).toBe(200);
      });

      it('lets only the owner create an admin', async () => {
        const { client: admin } = await addStaff(t, owner, 'admin');
        const input = { email: 'second-admin@example.com', name: 'Second Admin', role: 'admin' };
        await expectError(await admin.post('/api/admin/staff', input), 403, { code: 'forbidden' });
        expect((await t.pressroom.services.staff.list()).some((s) => s.email === input.email)).toBe(
          false,
        );
        expect((await owner.post('/api/admin/staff', input)).status).toBe(201);
      });

      it('lets an admin promote no one to admin', async () => {
        const { client: admin } = await addStaff(t, owner, 'admin');
        const editor = await addStaff(t, owner, 'editor');
        await expectError(
          await admin.patch(`/api/admin/staff/${editor.id}`, { role: 'admin' }),
          403,
        );
        expect((await t.pressroom.services.staff.get(editor.id)).role).toBe('editor');
        expect((await owner.patch(`/api/admin/staff/${editor.id}`, { role: 'admin' })).status).toBe(
          200,
        );
      });

      it('lets no one create a second owner or promote anyone to owner', async () => {
        const { id } = await addStaff(t, owner, 'editor');
        const input = { email: 'owner2@example.com', name: 'Owner Two', role: 'owner' };
        await expectError(await owner.post('/api/admin/staff', input), 403);
        await expectError(await owner.patch(`/api/admin/staff/${id}`, { role: 'owner' }), 403);
        const owners = (await t.pressroom.services.staff.list()).filter((s) => s.role === 'owner');
        expect(owners.map((s) => s.id)).toEqual([ownerId]);
      });

      it('lets no one delete the owner, or an admin change the owner', async () => {
        const { client: admin } = await addStaff(t, owner, 'admin');
        await expectError(await admin.delete(`/api/admin/staff/${ownerId}`), 403);
        await expectError(await owner.delete(`/api/admin/staff/${ownerId}`), 403);
        await expectError(
          await admin.patch(`/api/admin/staff/${ownerId}`, { role: 'editor' }),
          403,
        );
        await expectError(
          await admin.patch(`/api/admin/staff/${ownerId}`, { email: 'admin@evil.test' }),
          403,
        );
        await expectError(
          await admin.patch(`/api/admin/staff/${ownerId}`, { password: NEW_PASSWORD }),
          403,
        );
        await expectError(await owner.patch(`/api/admin/staff/${ownerId}`, { role: 'admin' }), 403);
        expect(await t.pressroom.services.staff.get(ownerId)).toMatchObject({
          role: 'owner',
          email: OWNER.email,
        });
        expect((await whoAmI(owner)).status).toBe(200);
      });

      it('lets an admin remove an editor but not another admin; the owner may', async () => {
        const { client: admin } = await addStaff(t, owner, 'admin');
        const otherAdmin = await addStaff(t, owner, 'admin');
        const editor = await addStaff(t, owner, 'editor');
        await expectError(await admin.delete(`/api/admin/staff/${otherAdmin.id}`), 403);
        await expectError(
          await admin.patch(`/api/admin/staff/${otherAdmin.id}`, { role: 'contributor' }),
          403,
        );
        expect((await admin.delete(`/api/admin/staff/${editor.id}`)).status).toBe(204);
        await expectError(await whoAmI(editor.client), 401);
        expect((await owner.delete(`/api/admin/staff/${otherAdmin.id}`)).status).toBe(204);
        await expectError(await owner.get(`/api/admin/staff/${editor.id}`), 404, {
          code: 'not_found',
        });
      });

      it('lets only someone ranked above change a staff member’s email or password', async () => {
        const { client: admin } = await addStaff(t, owner, 'admin');
        const otherAdmin = await addStaff(t, owner, 'admin');
        const author = await addStaff(t, owner, 'author');
        await expectError(
          await admin.patch(`/api/admin/staff/${otherAdmin.id}`, {
            email: 'taken-over@example.com',
          }),
          403,
        );
        await expectError(
          await admin.patch(`/api/admin/staff/${otherAdmin.id}`, {
            password: 'new long password 1',
          }),
          403,
        );
        expect((await whoAmI(otherAdmin.client)).status).toBe(200);
        expect(
          (await admin.patch(`/api/admin/staff/${author.id}`, { name: 'Renamed Author' })).status,
        ).toBe(200);
        expect(
          (
            await owner.patch(`/api/admin/staff/${otherAdmin.id}`, {
              email: `moved-${otherAdmin.email}`,
            })
          ).status,
        ).toBe(200);
      });

      it('does not let an admin sign the owner out', async () => {
        const { client: admin } = await addStaff(t, owner, 'admin');
        const sessions = await json<{ sessions: { id: string; current: boolean }[] }>(
          await owner.get('/api/admin/sessions'),
        );
        const current = sessions.sessions.find((x) => x.current)!;
        await expectError(await admin.delete(`/api/admin/sessions/${current.id}`), 404);
        expect((await whoAmI(owner)).status).toBe(200);
      });

      it('shows staff email addresses to admins and to each person, not to the rest', async () => {
        const author = await addStaff(t, owner, 'author');
        const seenByAuthor = await json<{ staff: { id: string; email: string | null }[] }>(
          await author.client.get('/api/admin/staff'),
        );
        expect(seenByAuthor.staff.find((x) => x.id === ownerId)?.email).toBeNull();
        expect(seenByAuthor.staff.find((x) => x.id === author.id)?.email).toBe(author.email);
        const seenByOwner = await json<{ staff: { id: string; email: string | null }[] }>(
          await owner.get('/api/admin/staff'),
        );
        expect(seenByOwner.staff.find((x) => x.id === author.id)?.email).toBe(author.email);
      });

      it('gives staff a public author page only once they have published', async () => {
        const author = await addStaff(t, owner, 'author');
        const reader = t.client();
        expect((await reader.get(`/author/${author.slug}`)).status).toBe(404);
        await author.client.post('/api/admin/posts', {
          title: `By ${author.name}`,
          status: 'published',
        });
        expect((await reader.get(`/author/${author.slug}`)).status).toBe(200);
      });

      it('lets staff edit their own profile but not their own role', async () => {
        const { client, id } = await addStaff(t, owner, 'contributor');
        const res = await client.patch(`/api/admin/staff/${id}`, {
          name: 'Renamed Person',
          bio: 'Writes things.',
        });
        expect(res.status).toBe(200);
        expect((await json<{ staff: { name: string; bio: string } }>(res)).staff).toMatchObject({
          name: 'Renamed Person',
          bio: 'Writes things.',
        });
        await expectError(await client.patch(`/api/admin/staff/${id}`, { role: 'admin' }), 403);
        await expectError(
          await client.patch(`/api/admin/staff/${ownerId}`, { name: 'Hacked' }),
          403,
        );
        expect((await t.pressroom.services.staff.get(id)).role).toBe('contributor');
        expect((await t.pressroom.services.staff.get(ownerId)).name).toBe(OWNER.name);
      });

      it('ends a demoted member’s sessions', async () => {
        const editor = await addStaff(t, owner, 'editor');
        expect(
          (await owner.patch(`/api/admin/staff/${editor.id}`, { role: 'contributor' })).status,
        ).toBe(200);
        await expectError(await whoAmI(editor.client), 401);
      });

      it('answers a duplicate email with 409 naming the field', async () => {
        const editor = await addStaff(t, owner, 'editor');
        const res = await owner.post('/api/admin/staff', {
          email: editor.email.toUpperCase(),
          name: 'Duplicate',
          role: 'author',
        });
        await expectError(res, 409, { code: 'conflict', field: 'email' });
        const other = await addStaff(t, owner, 'author');
        await expectError(
          await owner.patch(`/api/admin/staff/${other.id}`, { email: editor.email }),
          409,
          {
            field: 'email',
          },
        );
      });

      it('answers bad staff input with 400 naming the field', async () => {
        await expectError(
          await owner.post('/api/admin/staff', {
            email: 'not-an-email',
            name: 'X',
            role: 'author',
          }),
          400,
          { code: 'invalid_input', field: 'email' },
        );
        await expectError(
          await owner.post('/api/admin/staff', {
            email: 'x@example.com',
            name: 'X',
            role: 'emperor',
          }),
          400,
          { field: 'role' },
        );
        await expectError(
          await owner.post('/api/admin/staff', {
            email: 'x@example.com',
            name: 'X',
            role: 'author',
            password: 'short',
          }),
          400,
          { field: 'password' },
        );
        const unknown = await expectError(
          await owner.post('/api/admin/staff', {
            email: 'x@example.com',
            name: 'X',
            role: 'author',
            is_admin: true,
          }),
          400,
        );
        expect(unknown.error.message).toContain('is_admin');
        await expectError(await owner.get('/api/admin/staff/no-such-id'), 404, {
          code: 'not_found',
        });
      });
    });
  });
});
