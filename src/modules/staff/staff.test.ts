import { createHash } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createTestApp, OWNER, ownerClient, staffClient, type TestApp, type TestClient } from '../../../test/support/app.js';
import { engines } from '../../../test/support/database.js';
import {
  bearerClient,
  expectError,
  json,
  ManualClock,
  MINUTE,
  sessionCookie,
  setCookieFor,
  visitor,
  withoutCsrf,
} from '../../../test/support/fixtures.js';

const NEW_PASSWORD = 'an entirely new passphrase';

function setupForm(csrf: string | undefined, values: Partial<typeof OWNER> = OWNER): URLSearchParams {
  const form = new URLSearchParams({
    email: values.email ?? '',
    name: values.name ?? '',
    password: values.password ?? '',
  });
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

describe.each(engines)('staff on %s', (dialect) => {
  let t: TestApp;
  let clock: ManualClock;

  beforeEach(async () => {
    clock = new ManualClock();
    t = await createTestApp(dialect, { clock });
  });
  afterEach(async () => {
    await t.close();
  });

  describe('first-run setup', () => {
    it('shows the setup form only while there is no owner', async () => {
      const browser = t.client();
      const res = await browser.get('/admin/setup');
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toMatch(/^text\/html/);
      expect(res.headers.get('cache-control')).toBe('no-store');
      const html = await res.text();
      expect(html).toContain('<form method="post" action="/admin/setup">');
      expect(html).toMatch(/name="_csrf" value="[\w-]{43}"/);

      await t.pressroom.services.staff.createOwner(OWNER);
      const after = await t.client().get('/admin/setup');
      expect(after.status).toBe(404);
      expect(after.headers.get('content-type')).toMatch(/^text\/html/);
      expect(await after.text()).not.toContain('action="/admin/setup"');
    });

    it('refuses a setup form without the CSRF token and creates nothing', async () => {
      const browser = t.client();
      await openSetup(browser);
      const res = await browser.post('/admin/setup', setupForm(undefined));
      expect(res.status).toBe(403);
      expect(await t.pressroom.services.staff.hasOwner()).toBe(false);

      // A token with no cookie to match (another site's form) is refused too.
      const stranger = t.client();
      const forged = await stranger.post('/admin/setup', setupForm('x'.repeat(43)));
      expect(forged.status).toBe(403);
      expect(await t.pressroom.services.staff.hasOwner()).toBe(false);
    });

    it('creates the owner, signs them in with a Lax httpOnly cookie and redirects', async () => {
      const browser = t.client();
      const csrf = await openSetup(browser);
      const res = await browser.post('/admin/setup', setupForm(csrf));
      expect(res.status).toBe(303);
      expect(res.headers.get('location')).toBe('/admin');

      const cookie = setCookieFor(res, 'pr_session');
      expect(cookie).toBeDefined();
      expect(cookie).toMatch(/;\s*HttpOnly/i);
      expect(cookie).toMatch(/;\s*SameSite=Lax/i);
      expect(cookie).toMatch(/;\s*Path=\//i);
      expect(cookie).not.toMatch(/;\s*Secure/i);

      const me = await json<{ staff: { email: string; role: string } }>(await whoAmI(browser));
      expect(me.staff).toMatchObject({ email: OWNER.email, role: 'owner' });
      const admin = await browser.get('/admin');
      expect(admin.status).toBe(200);
      expect(await admin.text()).toContain(OWNER.name);
    });

    it('marks the session cookie Secure when the site is served over https', async () => {
      const secure = await createTestApp(dialect, { clock, env: { PRESSROOM_URL: 'https://x.test' } });
      try {
        const browser = secure.client();
        const csrf = await openSetup(browser);
        const res = await browser.post('/admin/setup', setupForm(csrf));
        expect(res.status).toBe(303);
        expect(setCookieFor(res, 'pr_session')).toMatch(/;\s*Secure/i);
        expect(setCookieFor(res, 'pr_session')).toMatch(/;\s*HttpOnly/i);

        const api = await secure.client().signIn(OWNER.email, OWNER.password);
        expect(api.status).toBe(201);
        expect(setCookieFor(api, 'pr_session')).toMatch(/;\s*Secure/i);
      } finally {
        await secure.close();
      }
    });

    it('re-shows the form with the problem when the input is invalid', async () => {
      const browser = t.client();
      const csrf = await openSetup(browser);
      const res = await browser.post('/admin/setup', setupForm(csrf, { ...OWNER, password: 'short' }));
      expect(res.status).toBe(400);
      const html = await res.text();
      expect(html).toContain('password');
      expect(html).toContain('at least 10 characters');
      expect(html).toContain(`value="${OWNER.email}"`);
      expect(await t.pressroom.services.staff.hasOwner()).toBe(false);
    });

    it('answers a second setup with 404 and keeps the first owner', async () => {
      const first = t.client();
      expect((await first.post('/admin/setup', setupForm(await openSetup(first)))).status).toBe(303);

      const second = t.client();
      const page = await second.get('/admin/signin');
      const csrf = /name="_csrf" value="([^"]+)"/.exec(await page.text())?.[1];
      const res = await second.post(
        '/admin/setup',
        setupForm(csrf, { email: 'intruder@example.com', name: 'Intruder', password: 'intruder password' }),
      );
      expect(res.status).toBe(404);
      const staff = await t.pressroom.services.staff.list();
      expect(staff.map((s) => s.email)).toEqual([OWNER.email]);
    });
  });

  describe('signing in', () => {
    let owner: TestClient;
    beforeEach(async () => {
      owner = await ownerClient(t);
    });

    it('gives a wrong password and an unknown email the same 401', async () => {
      const wrongPassword = await (await visitor(t)).post('/api/admin/session', {
        email: OWNER.email,
        password: 'not the password',
      });
      const unknownEmail = await (await visitor(t)).post('/api/admin/session', {
        email: 'nobody@example.com',
        password: OWNER.password,
      });
      const a = await expectError(wrongPassword, 401, { code: 'invalid_credentials' });
      const b = await expectError(unknownEmail, 401);
      expect(b).toEqual(a);
      expect(wrongPassword.headers.getSetCookie().some((c) => c.startsWith('pr_session='))).toBe(false);
    });

    it('sets an httpOnly, SameSite=Lax session cookie (not Secure over http)', async () => {
      const client = await visitor(t);
      const res = await client.post('/api/admin/session', { email: OWNER.email, password: OWNER.password });
      expect(res.status).toBe(201);
      const cookie = setCookieFor(res, 'pr_session');
      expect(cookie).toMatch(/;\s*HttpOnly/i);
      expect(cookie).toMatch(/;\s*SameSite=Lax/i);
      expect(cookie).not.toMatch(/;\s*Secure/i);
      const body = await json<{ staff: { role: string }; csrf_token: string }>(res);
      expect(body.staff.role).toBe('owner');
      expect(body.csrf_token).toBe(client.cookies.get('pr_csrf'));
    });

    it('accepts the email in any case and with spaces around it', async () => {
      const res = await (await visitor(t)).post('/api/admin/session', {
        email: `  ${OWNER.email.toUpperCase()} `,
        password: OWNER.password,
      });
      expect(res.status).toBe(201);
    });

    it('rotates the session: signing in again invalidates the old token', async () => {
      const client = owner;
      const before = sessionCookie(client)!;
      expect((await client.signIn(OWNER.email, OWNER.password)).status).toBe(201);
      const after = sessionCookie(client)!;
      expect(after).not.toBe(before);
      expect((await whoAmI(client)).status).toBe(200);

      const replay = t.client();
      replay.cookies.set('pr_session', before);
      await expectError(await whoAmI(replay), 401);
      expect(await t.pressroom.services.staff.listSessions((await json<{ staff: { id: string } }>(await whoAmI(client))).staff.id)).toHaveLength(1);
    });

    it('signing out revokes the session token, not just the cookie', async () => {
      const client = owner;
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
      const client = owner;
      const token = sessionCookie(client)!;
      const res = await client.post('/admin/signout', new URLSearchParams({ _csrf: client.csrf! }));
      expect(res.status).toBe(303);
      const replay = t.client();
      replay.cookies.set('pr_session', token);
      await expectError(await whoAmI(replay), 401);
    });

    it('lists one’s sessions and revokes another one', async () => {
      const laptop = owner;
      const phone = t.client();
      phone.ip = '10.2.2.2';
      expect((await phone.signIn(OWNER.email, OWNER.password)).status).toBe(201);

      const res = await laptop.get('/api/admin/sessions');
      expect(res.status).toBe(200);
      const { sessions } = await json<{ sessions: { id: string; current: boolean; ip: string }[] }>(res);
      expect(sessions).toHaveLength(2);
      expect(sessions.filter((s) => s.current)).toHaveLength(1);
      const other = sessions.find((s) => !s.current)!;
      expect(other.ip).toBe('10.2.2.2');
      expect(JSON.stringify(sessions)).not.toMatch(/token/);

      expect((await laptop.delete(`/api/admin/sessions/${other.id}`)).status).toBe(204);
      await expectError(await whoAmI(phone), 401);
      expect((await whoAmI(laptop)).status).toBe(200);
      await expectError(await laptop.delete(`/api/admin/sessions/${other.id}`), 404, { code: 'not_found' });
    });

    it('does not let a staff member revoke someone else’s session', async () => {
      const { client: author } = await staffClient(t, owner, 'author');
      const ownerSessions = await json<{ sessions: { id: string }[] }>(await owner.get('/api/admin/sessions'));
      const target = ownerSessions.sessions[0]!.id;
      await expectError(await author.delete(`/api/admin/sessions/${target}`), 404);
      expect((await whoAmI(owner)).status).toBe(200);
    });

    it('limits attempts per account: the 9th in the window is 429 even with the right password', async () => {
      for (let i = 1; i <= 8; i++) {
        // From different addresses, so only the account limit can apply.
        const res = await (await visitor(t, `10.3.0.${i}`)).post('/api/admin/session', {
          email: OWNER.email,
          password: `wrong password ${i}`,
        });
        await expectError(res, 401, { code: 'invalid_credentials' });
      }
      const ninth = await (await visitor(t, '10.3.0.99')).post('/api/admin/session', {
        email: OWNER.email,
        password: OWNER.password,
      });
      await expectError(ninth, 429, { code: 'rate_limited' });
      expect(ninth.headers.get('retry-after')).toBe('60');
      expect(setCookieFor(ninth, 'pr_session')).toBeUndefined();

      clock.advance(15 * MINUTE);
      const later = await (await visitor(t, '10.3.0.99')).post('/api/admin/session', {
        email: OWNER.email,
        password: OWNER.password,
      });
      expect(later.status).toBe(201);
    });

    it('limits attempts per address: more than 20 from one IP is 429, whatever the account', async () => {
      const client = await visitor(t, '10.4.4.4');
      for (let i = 1; i <= 20; i++) {
        const res = await client.post('/api/admin/session', { email: `person${i}@example.com`, password: 'guessing 123' });
        expect(res.status, `attempt ${i}`).toBe(401);
      }
      const res = await client.post('/api/admin/session', { email: OWNER.email, password: OWNER.password });
      await expectError(res, 429, { code: 'rate_limited' });

      // Another address is not affected.
      const elsewhere = await (await visitor(t, '10.5.5.5')).post('/api/admin/session', {
        email: OWNER.email,
        password: OWNER.password,
      });
      expect(elsewhere.status).toBe(201);
    });

    it('a changed password ends the other sessions but keeps the current one', async () => {
      const laptop = owner;
      const phone = t.client();
      phone.ip = '10.2.2.2';
      expect((await phone.signIn(OWNER.email, OWNER.password)).status).toBe(201);
      const me = (await json<{ staff: { id: string } }>(await whoAmI(laptop))).staff;

      const res = await laptop.patch(`/api/admin/staff/${me.id}`, { password: NEW_PASSWORD });
      expect(res.status).toBe(200);
      expect(JSON.stringify(await json(res))).not.toMatch(/password/);
      await expectError(await whoAmI(phone), 401);
      expect((await whoAmI(laptop)).status).toBe(200);

      await expectError(await (await visitor(t)).post('/api/admin/session', { email: OWNER.email, password: OWNER.password }), 401);
      expect((await (await visitor(t)).post('/api/admin/session', { email: OWNER.email, password: NEW_PASSWORD })).status).toBe(201);
    });

    it('an admin resetting someone’s password ends all of that person’s sessions', async () => {
      const { client: editor, id } = await staffClient(t, owner, 'editor');
      expect((await whoAmI(editor)).status).toBe(200);
      expect((await owner.patch(`/api/admin/staff/${id}`, { password: NEW_PASSWORD })).status).toBe(200);
      await expectError(await whoAmI(editor), 401);
      expect((await whoAmI(owner)).status).toBe(200);
    });

    it('expires a session after 30 days', async () => {
      const client = owner;
      clock.advance(29 * 24 * 60 * MINUTE);
      expect((await whoAmI(client)).status).toBe(200);
      clock.advance(2 * 24 * 60 * MINUTE);
      await expectError(await whoAmI(client), 401);
    });

    it('validates the sign-in body', async () => {
      const client = await visitor(t);
      await expectError(await client.post('/api/admin/session', { email: OWNER.email }), 400, { field: 'password' });
      await expectError(await client.post('/api/admin/session', '{"email":', { 'content-type': 'application/json' }), 400, { code: 'malformed_json' });
    });
  });

  describe('CSRF protection', () => {
    let owner: TestClient;
    let editorId: string;

    beforeEach(async () => {
      owner = await ownerClient(t);
      editorId = (await staffClient(t, owner, 'editor')).id;
    });

    it('refuses cookie-authenticated writes without the token header, changing nothing', async () => {
      await withoutCsrf(owner, async () => {
        await expectError(await owner.post('/api/admin/posts', { title: 'Forged' }), 403, { code: 'csrf_failed' });
        await expectError(await owner.patch('/api/admin/settings', { title: 'Forged' }), 403, { code: 'csrf_failed' });
        await expectError(await owner.delete(`/api/admin/staff/${editorId}`), 403, { code: 'csrf_failed' });
        await expectError(await owner.post('/api/admin/tokens', { name: 'forged' }), 403, { code: 'csrf_failed' });
      });
      expect(await t.pressroom.services.posts.count()).toBe(0);
      expect((await t.pressroom.services.settings.get()).title).toBe('Pressroom');
      expect((await t.pressroom.services.staff.get(editorId)).role).toBe('editor');
      expect(await t.pressroom.services.staff.listApiTokens()).toHaveLength(0);
    });

    it('refuses a token that does not match the cookie', async () => {
      const res = await owner.request('POST', '/api/admin/posts', { title: 'Forged' }, { 'x-csrf-token': 'A'.repeat(43) });
      await expectError(res, 403, { code: 'csrf_failed' });
      expect(await t.pressroom.services.posts.count()).toBe(0);
    });

    it('refuses a request from a foreign Origin even with the right token', async () => {
      const res = await owner.request('POST', '/api/admin/posts', { title: 'Cross-site' }, { origin: 'https://evil.test' });
      await expectError(res, 403, { code: 'csrf_failed' });
      const del = await owner.request('DELETE', `/api/admin/staff/${editorId}`, undefined, { origin: 'https://evil.test' });
      await expectError(del, 403, { code: 'csrf_failed' });
      expect(await t.pressroom.services.posts.count()).toBe(0);
      expect((await t.pressroom.services.staff.get(editorId)).role).toBe('editor');

      const sameSite = await owner.request('POST', '/api/admin/posts', { title: 'Ours' }, { origin: 'http://pressroom.test' });
      expect(sameSite.status).toBe(201);
    });

    it('does not ask Bearer-token requests for a CSRF token', async () => {
      const created = await json<{ token: string }>(await owner.post('/api/admin/tokens', { name: 'CI' }));
      const api = bearerClient(t, created.token);
      expect(api.cookies.size).toBe(0);
      expect((await api.post('/api/admin/posts', { title: 'From a script' })).status).toBe(201);
      expect((await api.patch('/api/admin/settings', { title: 'Scripted' })).status).toBe(200);
      expect((await api.delete(`/api/admin/staff/${editorId}`)).status).toBe(204);
    });

    it('does not let a bogus Bearer header ride on a session cookie', async () => {
      const res = await owner.request('POST', '/api/admin/posts', { title: 'Sneaky' }, { authorization: 'Bearer nonsense' });
      await expectError(res, 401);
      expect(await t.pressroom.services.posts.count()).toBe(0);
    });
  });

  describe('API tokens', () => {
    let owner: TestClient;
    beforeEach(async () => {
      owner = await ownerClient(t);
    });

    it('shows the token once and stores only its hash', async () => {
      const res = await owner.post('/api/admin/tokens', { name: 'Deploy script' });
      expect(res.status).toBe(201);
      const { id, token } = await json<{ id: string; token: string }>(res);
      expect(token).toMatch(/^pr_[\w-]{43}$/);

      const rows = await t.pressroom.db.selectFrom('api_tokens').selectAll().execute();
      expect(rows).toHaveLength(1);
      const row = rows[0]!;
      expect(row.id).toBe(id);
      expect(row.token_hash).toBe(createHash('sha256').update(token).digest('hex'));
      expect(JSON.stringify(row)).not.toContain(token);
      expect(JSON.stringify(row)).not.toContain(token.slice(3));

      const list = await owner.get('/api/admin/tokens');
      expect(list.status).toBe(200);
      const text = await list.text();
      expect(text).toContain('Deploy script');
      expect(text).not.toContain(token.slice(3));
      expect(text).not.toContain(row.token_hash);
    });

    it('authenticates as its creator with Authorization: Bearer', async () => {
      const { token } = await json<{ token: string }>(await owner.post('/api/admin/tokens', { name: 'CLI' }));
      const api = bearerClient(t, token);
      const me = await json<{ staff: { email: string; role: string } }>(await api.get('/api/admin/session'));
      expect(me.staff).toMatchObject({ email: OWNER.email, role: 'owner' });
      const created = await json<{ post: { authors: { name: string }[] } }>(
        await api.post('/api/admin/posts', { title: 'Via token' }),
      );
      expect(created.post.authors.map((a) => a.name)).toEqual([OWNER.name]);
    });

    it('stops working once revoked; unknown tokens never work', async () => {
      const { id, token } = await json<{ id: string; token: string }>(await owner.post('/api/admin/tokens', { name: 'Temp' }));
      const api = bearerClient(t, token);
      expect((await api.get('/api/admin/posts')).status).toBe(200);

      expect((await owner.delete(`/api/admin/tokens/${id}`)).status).toBe(204);
      await expectError(await api.get('/api/admin/posts'), 401, { code: 'unauthorized' });
      await expectError(await api.post('/api/admin/posts', { title: 'After revoke' }), 401);
      await expectError(await owner.delete(`/api/admin/tokens/${id}`), 404);

      const list = await json<{ tokens: { id: string; revoked_at: string | null }[] }>(await owner.get('/api/admin/tokens'));
      expect(list.tokens.find((x) => x.id === id)?.revoked_at).toBe(clock.now().toISOString());

      await expectError(await bearerClient(t, `pr_${'x'.repeat(43)}`).get('/api/admin/posts'), 401);
      await expectError(await bearerClient(t, '').get('/api/admin/posts'), 401);
    });

    it('is refused to anyone below admin', async () => {
      const { client: editor } = await staffClient(t, owner, 'editor');
      await expectError(await editor.post('/api/admin/tokens', { name: 'mine' }), 403, { code: 'forbidden' });
      await expectError(await editor.get('/api/admin/tokens'), 403);
    });
  });

  describe('roles on the staff, settings, token and job routes', () => {
    let owner: TestClient;
    beforeEach(async () => {
      owner = await ownerClient(t);
    });

    const ADMIN_ONLY: [string, string, unknown?][] = [
      ['POST', '/api/admin/staff', { email: 'new@example.com', name: 'New', role: 'contributor' }],
      ['DELETE', '/api/admin/staff/OWNER_ID'],
      ['GET', '/api/admin/tokens'],
      ['POST', '/api/admin/tokens', { name: 'x' }],
      ['DELETE', '/api/admin/tokens/some-id'],
      ['PATCH', '/api/admin/settings', { title: 'Mine now' }],
      ['GET', '/api/admin/jobs'],
    ];

    it('answers 401 to every admin route without credentials', async () => {
      const anon = await visitor(t);
      const routes: [string, string, unknown?][] = [
        ...ADMIN_ONLY,
        ['GET', '/api/admin/session'],
        ['GET', '/api/admin/sessions'],
        ['GET', '/api/admin/staff'],
        ['PATCH', '/api/admin/staff/OWNER_ID', { name: 'x' }],
        ['GET', '/api/admin/posts'],
        ['POST', '/api/admin/posts', { title: 'x' }],
        ['GET', '/api/admin/tags'],
        ['POST', '/api/admin/tags', { name: 'x' }],
        ['GET', '/api/admin/settings'],
      ];
      for (const [method, path, body] of routes) {
        const res = await anon.request(method, path, body);
        expect(res.status, `${method} ${path}`).toBe(401);
        await expectError(res, 401, { code: 'unauthorized' });
      }
    });

    it.each(['editor', 'author', 'contributor'])('refuses the %s on every admin-only route', async (role) => {
      const { client } = await staffClient(t, owner, role);
      const ownerId = (await t.pressroom.services.staff.list())[0]!.id;
      for (const [method, path, body] of ADMIN_ONLY) {
        const res = await client.request(method, path.replace('OWNER_ID', ownerId), body);
        expect(res.status, `${role} ${method} ${path}`).toBe(403);
      }
      expect((await t.pressroom.services.settings.get()).title).toBe('Pressroom');
      expect(await t.pressroom.services.staff.list()).toHaveLength(2);
      // Reading is for all staff.
      expect((await client.get('/api/admin/settings')).status).toBe(200);
      expect((await client.get('/api/admin/staff')).status).toBe(200);
    });

    it('lets an admin manage staff, settings, tokens and jobs', async () => {
      const { client: admin } = await staffClient(t, owner, 'admin');
      expect((await admin.post('/api/admin/staff', { email: 'ed@example.com', name: 'Ed', role: 'editor' })).status).toBe(201);
      expect((await admin.patch('/api/admin/settings', { title: 'Admin was here' })).status).toBe(200);
      expect((await admin.post('/api/admin/tokens', { name: 'admin token' })).status).toBe(201);
      expect((await admin.get('/api/admin/jobs')).status).toBe(200);
    });

    it('lets only the owner create an admin', async () => {
      const { client: admin } = await staffClient(t, owner, 'admin');
      const input = { email: 'second-admin@example.com', name: 'Second Admin', role: 'admin' };
      await expectError(await admin.post('/api/admin/staff', input), 403, { code: 'forbidden' });
      expect(await t.pressroom.services.staff.list()).toHaveLength(2);
      expect((await owner.post('/api/admin/staff', input)).status).toBe(201);
    });

    it('lets no one create a second owner or promote anyone to owner', async () => {
      const { id } = await staffClient(t, owner, 'editor');
      const input = { email: 'owner2@example.com', name: 'Owner Two', role: 'owner' };
      await expectError(await owner.post('/api/admin/staff', input), 403);
      await expectError(await owner.patch(`/api/admin/staff/${id}`, { role: 'owner' }), 403);
      expect((await t.pressroom.services.staff.list()).filter((s) => s.role === 'owner')).toHaveLength(1);
    });

    it('lets no one delete the owner, or an admin change the owner', async () => {
      const { client: admin } = await staffClient(t, owner, 'admin');
      const ownerId = (await t.pressroom.services.staff.list()).find((s) => s.role === 'owner')!.id;
      await expectError(await admin.delete(`/api/admin/staff/${ownerId}`), 403);
      await expectError(await owner.delete(`/api/admin/staff/${ownerId}`), 403);
      await expectError(await admin.patch(`/api/admin/staff/${ownerId}`, { role: 'editor' }), 403);
      await expectError(await admin.patch(`/api/admin/staff/${ownerId}`, { email: 'admin@evil.test' }), 403);
      await expectError(await admin.patch(`/api/admin/staff/${ownerId}`, { password: NEW_PASSWORD }), 403);
      const stillOwner = await t.pressroom.services.staff.get(ownerId);
      expect(stillOwner).toMatchObject({ role: 'owner', email: OWNER.email });
    });

    it('lets an admin remove an editor but not another admin', async () => {
      const { client: admin } = await staffClient(t, owner, 'admin');
      const { id: otherAdmin } = await staffClient(t, owner, 'admin', 'admin2@example.com');
      const { id: editor } = await staffClient(t, owner, 'editor');
      await expectError(await admin.delete(`/api/admin/staff/${otherAdmin}`), 403);
      await expectError(await admin.patch(`/api/admin/staff/${otherAdmin}`, { role: 'contributor' }), 403);
      expect((await admin.delete(`/api/admin/staff/${editor}`)).status).toBe(204);
      expect((await owner.delete(`/api/admin/staff/${otherAdmin}`)).status).toBe(204);
      await expectError(await owner.get(`/api/admin/staff/${editor}`), 404, { code: 'not_found' });
    });

    it('lets staff edit their own profile but not their own role', async () => {
      const { client, id } = await staffClient(t, owner, 'contributor');
      const res = await client.patch(`/api/admin/staff/${id}`, { name: 'Renamed', bio: 'Writes things.' });
      expect(res.status).toBe(200);
      expect((await json<{ staff: { name: string; bio: string } }>(res)).staff).toMatchObject({ name: 'Renamed', bio: 'Writes things.' });
      await expectError(await client.patch(`/api/admin/staff/${id}`, { role: 'admin' }), 403);
      const ownerId = (await t.pressroom.services.staff.list()).find((s) => s.role === 'owner')!.id;
      await expectError(await client.patch(`/api/admin/staff/${ownerId}`, { name: 'Hacked' }), 403);
      expect((await t.pressroom.services.staff.get(id)).role).toBe('contributor');
    });

    it('ends a demoted member’s sessions', async () => {
      const { client: editor, id } = await staffClient(t, owner, 'editor');
      expect((await owner.patch(`/api/admin/staff/${id}`, { role: 'contributor' })).status).toBe(200);
      await expectError(await whoAmI(editor), 401);
    });

    it('answers a duplicate email with 409 naming the field', async () => {
      await staffClient(t, owner, 'editor');
      const res = await owner.post('/api/admin/staff', { email: 'EDITOR@example.com', name: 'Dup', role: 'author' });
      await expectError(res, 409, { code: 'conflict', field: 'email' });
    });
  });
});
