import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { TestClient } from '../../../test/support/app.js';
import { engines } from '../../../test/support/database.js';
import {
  addStaff,
  DAY,
  expectError,
  json,
  MINUTE,
  normalizeHtml,
  setCookieFor,
  signInAs,
  withoutCsrf,
} from '../../../test/support/fixtures.js';
import { suppress } from '../email/sends/sends.fixtures.js';
import type { PublicInvitation } from './invitations.service.js';
import { invitationEmail } from './staff.emails.js';
import {
  createStaffLinksTestApp,
  csrfIn,
  form,
  sha256,
  submitLinkForm,
  tokenOf,
  type StaffLinksTestApp,
} from './staff-links.fixtures.js';

const PASSWORD = 'the invitee passphrase';

interface ListedStaff {
  id: string;
  email: string | null;
  role: string;
  assignable_roles: string[];
  removable: boolean;
}

let counter = 0;
const newAddress = (label = 'invitee') => `${label}-${++counter}@example.com`;

describe.each(engines)('staff invitations on %s', (dialect) => {
  let a: StaffLinksTestApp;
  beforeAll(async () => {
    a = await createStaffLinksTestApp(dialect);
  });
  afterAll(async () => {
    await a.close();
  });

  const invite = (by: TestClient, email: string, role: string) =>
    by.post('/api/admin/invitations', { email, role });
  const invited = async (by: TestClient, email: string, role: string) => {
    const res = await invite(by, email, role);
    const body = await json<{ invitation: PublicInvitation }>(res);
    expect(res.status, JSON.stringify(body)).toBe(201);
    return body.invitation;
  };
  const listed = async (by: TestClient) =>
    json<{ invitations: PublicInvitation[]; roles: string[] }>(
      await by.get('/api/admin/invitations'),
    );
  const staffRow = (email: string) =>
    a.db.selectFrom('staff').selectAll().where('email', '=', email).executeTakeFirst();

  it('emails a single-use link; the invitee chooses a name and password and is signed in with the role', async () => {
    const email = newAddress();
    const invitation = await invited(a.owner, email, 'editor');
    expect(invitation).toMatchObject({
      email,
      role: 'editor',
      expired: false,
      invited_by: { name: 'Olga Owner' },
    });
    expect(Date.parse(invitation.expires_at) - a.clock.now().getTime()).toBe(7 * DAY);
    expect((await listed(a.owner)).invitations.map((i) => i.email)).toContain(email);

    const [mail] = a.mailer.to(email);
    expect(mail!.subject).toBe('Olga Owner invited you to Pressroom');
    expect(mail!.headers?.['X-Pressroom-Purpose']).toBe('staff_invitation');
    expect(mail!.text).toContain('as an editor');
    const link = await a.linkMailedTo(email, '/admin/accept');

    // Only the hash is stored.
    const token = tokenOf(link);
    const rows = await a.db
      .selectFrom('staff_invitations')
      .selectAll()
      .where('email', '=', email)
      .execute();
    expect(rows.map((r) => r.token_hash)).toEqual([sha256(token)]);
    expect(JSON.stringify(rows)).not.toContain(token);

    // Opening the link (a mail scanner, twice) creates nothing.
    for (let i = 0; i < 2; i++) {
      const page = await a.browser().get(link);
      expect(page.status).toBe(200);
      expect(page.headers.get('referrer-policy')).toBe('no-referrer');
      const text = await page.text();
      expect(text).toMatch(/Olga Owner invited you to join as <strong>editor<\/strong>/);
      const html = normalizeHtml(text);
      expect(html).toContain('<form method="post" action="/admin/accept">');
      expect(html).toContain(`value="${email}"`);
    }
    expect(await staffRow(email)).toBeUndefined();

    const browser = a.browser();
    const done = await submitLinkForm(browser, link, { name: 'Ed Itor', password: PASSWORD });
    expect(done.status).toBe(303);
    expect(done.headers.get('location')).toBe('/admin');
    expect(setCookieFor(done, 'pr_session')).toMatch(/;\s*HttpOnly/i);
    const me = await json<{ staff: { email: string; name: string; role: string } }>(
      await browser.get('/api/admin/session'),
    );
    expect(me.staff).toMatchObject({ email, name: 'Ed Itor', role: 'editor' });
    expect((await staffRow(email))?.role).toBe('editor');
    expect((await listed(a.owner)).invitations.map((i) => i.email)).not.toContain(email);
    // The password chosen works for signing in later.
    await signInAs(a.t, email, PASSWORD);

    const again = await a.browser().get(link);
    expect(again.status).toBe(410);
    expect(await again.text()).toContain('This link has already been used.');
  });

  it('refuses to invite an address mail can no longer go to, saying why, and keeps nothing', async () => {
    const email = newAddress('bounced');
    await suppress(a.db, email);
    const res = await invite(a.owner, email, 'editor');
    await expectError(res, 409, { field: 'email', message: /bounced or was reported as spam/ });
    expect(await a.mailsTo(email)).toEqual([]);
    expect((await listed(a.owner)).invitations.map((i) => i.email)).not.toContain(email);
  });

  it('refuses the acceptance form without the CSRF token, creating nothing', async () => {
    const email = newAddress();
    await invited(a.owner, email, 'author');
    const link = await a.linkMailedTo(email, '/admin/accept');
    const forged = await a
      .browser()
      .post('/admin/accept', form({ token: tokenOf(link), name: 'Mallory', password: PASSWORD }));
    expect(forged.status).toBe(403);
    expect(await staffRow(email)).toBeUndefined();
    expect(
      (await submitLinkForm(a.browser(), link, { name: 'A', password: PASSWORD })).status,
    ).toBe(303);
  });

  it('shows the form again for a refused name or password, keeping what was typed and the link', async () => {
    const email = newAddress();
    await invited(a.owner, email, 'contributor');
    const link = await a.linkMailedTo(email, '/admin/accept');
    const short = await submitLinkForm(a.browser(), link, { name: 'Cora', password: 'short' });
    expect(short.status).toBe(400);
    const html = await short.text();
    expect(html).toContain('password: must be at least 10 characters');
    expect(html).toContain('value="Cora"');
    const nameless = await submitLinkForm(a.browser(), link, { name: '  ', password: PASSWORD });
    expect(nameless.status).toBe(400);
    expect(await nameless.text()).toContain('name: is required');
    expect(await staffRow(email)).toBeUndefined();
    expect(
      (await submitLinkForm(a.browser(), link, { name: 'Cora', password: PASSWORD })).status,
    ).toBe(303);
    expect((await staffRow(email))?.role).toBe('contributor');
  });

  it('expires after 7 days; the list says so', async () => {
    const email = newAddress();
    const invitation = await invited(a.owner, email, 'author');
    const link = await a.linkMailedTo(email, '/admin/accept');
    const browser = a.browser();
    const csrf = csrfIn(await (await browser.get(link)).text());
    a.clock.advance(7 * DAY + MINUTE);
    const page = await a.browser().get(link);
    expect(page.status).toBe(410);
    expect(await page.text()).toContain('This link has expired.');
    const posted = await browser.post(
      '/admin/accept',
      form({ _csrf: csrf, token: tokenOf(link), name: 'Late', password: PASSWORD }),
    );
    expect(posted.status).toBe(410);
    expect(await staffRow(email)).toBeUndefined();
    const entry = (await listed(a.owner)).invitations.find((i) => i.id === invitation.id);
    expect(entry?.expired).toBe(true);
  });

  it('is withdrawn with DELETE; the link then says so', async () => {
    const email = newAddress();
    const invitation = await invited(a.owner, email, 'editor');
    const link = await a.linkMailedTo(email, '/admin/accept');
    expect((await a.owner.delete(`/api/admin/invitations/${invitation.id}`)).status).toBe(204);
    const page = await a.browser().get(link);
    expect(page.status).toBe(410);
    expect(await page.text()).toContain('This invitation has been withdrawn.');
    expect((await listed(a.owner)).invitations.map((i) => i.id)).not.toContain(invitation.id);
    await expectError(await a.owner.delete(`/api/admin/invitations/${invitation.id}`), 404, {
      code: 'not_found',
    });
    await expectError(await a.owner.delete('/api/admin/invitations/no-such-id'), 404);
  });

  it('replaces an open invitation to the same address: only the newest link works', async () => {
    const email = newAddress();
    await invited(a.owner, email, 'contributor');
    await invited(a.owner, email, 'author');
    const mails = a.mailer.to(email);
    expect(mails).toHaveLength(2);
    const [older, newer] = mails.map((m) => /\/admin\/accept\?token=[\w-]+/.exec(m.text)![0]);
    expect((await a.browser().get(older!)).status).toBe(410);
    expect((await listed(a.owner)).invitations.filter((i) => i.email === email)).toHaveLength(1);
    expect(
      (await submitLinkForm(a.browser(), newer!, { name: 'N', password: PASSWORD })).status,
    ).toBe(303);
    expect((await staffRow(email))?.role).toBe('author');
  });

  it('answers an address already on staff with 409 naming the field, and bad input with 400', async () => {
    const existing = await addStaff(a.t, a.owner, 'author');
    await expectError(await invite(a.owner, existing.email.toUpperCase(), 'editor'), 409, {
      code: 'conflict',
      field: 'email',
    });
    await expectError(await invite(a.owner, 'not-an-address', 'editor'), 400, { field: 'email' });
    await expectError(await invite(a.owner, newAddress(), 'boss'), 400, { field: 'role' });
    await expectError(
      await a.owner.post('/api/admin/invitations', { email: newAddress(), role: 'editor', x: 1 }),
      400,
      { field: 'x' },
    );
    expect(a.mailer.to(existing.email)).toEqual([]);
  });

  it('does not create a second account when the address joined staff meanwhile', async () => {
    const email = newAddress();
    await invited(a.owner, email, 'editor');
    const link = await a.linkMailedTo(email, '/admin/accept');
    const browser = a.browser();
    const csrf = csrfIn(await (await browser.get(link)).text());
    await a.owner.post('/api/admin/staff', {
      email,
      name: 'Added Directly',
      role: 'author',
      password: PASSWORD,
    });
    const page = await a.browser().get(link);
    expect(page.status).toBe(409);
    expect(await page.text()).toContain('An account with this email address already exists');
    const posted = await browser.post(
      '/admin/accept',
      form({ _csrf: csrf, token: tokenOf(link), name: 'Second', password: PASSWORD }),
    );
    expect(posted.status).toBe(409);
    expect(setCookieFor(posted, 'pr_session')).toBeUndefined();
    expect((await staffRow(email))?.name).toBe('Added Directly');
  });

  it('sends nothing, keeps nothing and answers 502 when the mail cannot go', async () => {
    const email = newAddress();
    const send = vi.spyOn(a.mailer, 'send').mockRejectedValueOnce(new Error('SMTP down'));
    try {
      await expectError(await invite(a.owner, email, 'editor'), 502, { code: 'mail_failed' });
    } finally {
      send.mockRestore();
    }
    expect((await listed(a.owner)).invitations.map((i) => i.email)).not.toContain(email);
    const rows = await a.db
      .selectFrom('staff_invitations')
      .select('id')
      .where('email', '=', email)
      .execute();
    expect(rows).toEqual([]);
  });

  describe('roles', () => {
    it('lets only admins and the owner invite, list and withdraw', async () => {
      for (const role of ['editor', 'author', 'contributor']) {
        const { client } = await addStaff(a.t, a.owner, role);
        await expectError(await invite(client, newAddress(), 'contributor'), 403);
        await expectError(await client.get('/api/admin/invitations'), 403);
      }
      const anonymous = a.browser();
      await expectError(await anonymous.get('/api/admin/invitations'), 401);
    });

    it('lets the owner invite an admin; an admin only roles below admin; nobody an owner', async () => {
      const admin = await addStaff(a.t, a.owner, 'admin');
      expect((await listed(a.owner)).roles).toEqual(['admin', 'editor', 'author', 'contributor']);
      expect((await listed(admin.client)).roles).toEqual(['editor', 'author', 'contributor']);

      await invited(a.owner, newAddress(), 'admin');
      await expectError(await invite(admin.client, newAddress(), 'admin'), 403, {
        code: 'forbidden',
      });
      await expectError(await invite(admin.client, newAddress(), 'owner'), 403);
      await expectError(await invite(a.owner, newAddress(), 'owner'), 403);
      await invited(admin.client, newAddress(), 'editor');
    });

    it('lets an admin withdraw an editor’s invitation but not the owner’s invitation of an admin', async () => {
      const admin = await addStaff(a.t, a.owner, 'admin');
      const forAdmin = await invited(a.owner, newAddress(), 'admin');
      const forEditor = await invited(a.owner, newAddress(), 'editor');
      const seen = (await listed(admin.client)).invitations;
      expect(seen.find((i) => i.id === forAdmin.id)?.revocable).toBe(false);
      expect(seen.find((i) => i.id === forEditor.id)?.revocable).toBe(true);
      await expectError(await admin.client.delete(`/api/admin/invitations/${forAdmin.id}`), 403);
      expect((await admin.client.delete(`/api/admin/invitations/${forEditor.id}`)).status).toBe(
        204,
      );
      expect((await a.owner.delete(`/api/admin/invitations/${forAdmin.id}`)).status).toBe(204);
    });

    it('stops working when its inviter can no longer give the role, or has left', async () => {
      const admin = await addStaff(a.t, a.owner, 'admin');
      const demotedEmail = newAddress();
      await invited(admin.client, demotedEmail, 'editor');
      const demotedLink = await a.linkMailedTo(demotedEmail, '/admin/accept');
      const leftEmail = newAddress();
      const other = await addStaff(a.t, a.owner, 'admin');
      await invited(other.client, leftEmail, 'author');
      const leftLink = await a.linkMailedTo(leftEmail, '/admin/accept');

      expect((await a.owner.patch(`/api/admin/staff/${admin.id}`, { role: 'editor' })).status).toBe(
        200,
      );
      const demoted = await a.browser().get(demotedLink);
      expect(demoted.status).toBe(410);
      expect(await demoted.text()).toContain('This invitation has been withdrawn.');

      expect((await a.owner.delete(`/api/admin/staff/${other.id}`)).status).toBe(204);
      expect((await a.browser().get(leftLink)).status).toBe(400);
      expect(await staffRow(leftEmail)).toBeUndefined();
    });

    it('needs the CSRF token on the API like every other cookie-authenticated write', async () => {
      const email = newAddress();
      const res = await withoutCsrf(a.owner, () => invite(a.owner, email, 'author'));
      await expectError(res, 403, { code: 'csrf_failed' });
      expect(a.mailer.to(email)).toEqual([]);
    });
  });

  describe('role changes and what the staff list offers', () => {
    it('tells each viewer which roles they may give and whom they may remove', async () => {
      const admin = await addStaff(a.t, a.owner, 'admin');
      const editor = await addStaff(a.t, a.owner, 'editor');
      const ownerId = (
        await json<{ staff: { id: string } }>(await a.owner.get('/api/admin/session'))
      ).staff.id;
      const view = async (client: TestClient) =>
        new Map(
          (await json<{ staff: ListedStaff[] }>(await client.get('/api/admin/staff'))).staff.map(
            (s) => [s.id, s],
          ),
        );

      const byOwner = await view(a.owner);
      expect(byOwner.get(editor.id)).toMatchObject({
        assignable_roles: ['admin', 'author', 'contributor'],
        removable: true,
      });
      expect(byOwner.get(admin.id)).toMatchObject({
        assignable_roles: ['editor', 'author', 'contributor'],
        removable: true,
      });
      expect(byOwner.get(ownerId)).toMatchObject({ assignable_roles: [], removable: false });

      const byAdmin = await view(admin.client);
      expect(byAdmin.get(editor.id)).toMatchObject({
        assignable_roles: ['author', 'contributor'],
        removable: true,
      });
      expect(byAdmin.get(ownerId)).toMatchObject({ assignable_roles: [], removable: false });
      expect(byAdmin.get(admin.id)).toMatchObject({ assignable_roles: [], removable: false });

      const byEditor = await view(editor.client);
      for (const s of byEditor.values()) {
        expect(s).toMatchObject({ assignable_roles: [], removable: false });
      }
    });

    it('changes a role through PATCH within those rules; the owner stays the owner', async () => {
      const admin = await addStaff(a.t, a.owner, 'admin');
      const editor = await addStaff(a.t, a.owner, 'editor');
      const patchRole = (by: TestClient, id: string, role: string) =>
        by.patch(`/api/admin/staff/${id}`, { role });
      const ownerId = (
        await json<{ staff: { id: string } }>(await a.owner.get('/api/admin/session'))
      ).staff.id;

      expect((await patchRole(admin.client, editor.id, 'author')).status).toBe(200);
      await expectError(await patchRole(admin.client, editor.id, 'admin'), 403);
      await expectError(await patchRole(admin.client, ownerId, 'editor'), 403);
      // The one owner cannot be demoted, not even by themselves.
      await expectError(await patchRole(a.owner, ownerId, 'admin'), 403);
      expect((await staffRowById(a, ownerId))?.role).toBe('owner');
      expect((await patchRole(a.owner, editor.id, 'admin')).status).toBe(200);
      expect((await staffRowById(a, editor.id))?.role).toBe('admin');
    });
  });
});

const staffRowById = (a: StaffLinksTestApp, id: string) =>
  a.db.selectFrom('staff').selectAll().where('id', '=', id).executeTakeFirst();

describe('the invitation email', () => {
  const ctx = { publicationTitle: 'Notes & <Sources>', publicUrl: 'https://news.example.com' };
  const link = 'https://news.example.com/admin/accept?token=abc_DEF-123';
  const email = invitationEmail(ctx, { inviterName: 'Olga <O>', role: 'author', link });

  it('names the inviter, the publication and the role, and says it lasts 7 days', () => {
    expect(email.subject).toBe('Olga <O> invited you to Notes & <Sources>');
    expect(email.text).toContain('Olga <O> invited you to join Notes & <Sources> as an author.');
    expect(email.text).toContain(`\n${link}\n`);
    expect(email.text).toContain('expires in 7 days');
    expect(email.html).toContain(`href="${link}"`);
  });

  it('escapes what staff typed in the HTML', () => {
    expect(email.html).toContain('Olga &lt;O&gt;');
    expect(email.html).not.toContain('<O>');
    expect(email.html).not.toContain('<Sources>');
  });
});
