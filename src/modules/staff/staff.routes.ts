import { Hono, type Context } from 'hono';
import { z } from 'zod';
import { AppError } from '../../platform/errors.js';
import { csrfToken, parseWith, readJson } from '../../platform/http/index.js';
import {
  authenticate,
  clearSessionCookie,
  currentStaff,
  requireStaff,
  sessionToken,
  setSessionCookie,
  type AdminEnv,
} from './auth.middleware.js';
import {
  emailSchema,
  nameSchema,
  passwordSchema,
  roleSchema,
  type PublicStaff,
  type StaffIdentity,
  type StaffService,
} from './staff.service.js';
import type { AdminShell } from '../admin-app/index.js';
import type { InvitationsService } from './invitations.service.js';
import type { PasswordResetService } from './password-reset.service.js';
import { atLeast, canAssignRole, canManageStaffMember, ROLES } from './roles.js';
import {
  acceptInvitationPage,
  adminHomePage,
  forgotPasswordPage,
  resetLinkSentPage,
  resetPasswordPage,
  setupPage,
  signInPage,
  staffLinkProblemPage,
} from './staff.views.js';

interface Deps {
  staff: StaffService;
  secureCookies: boolean;
}

const signInSchema = z.object({
  email: z.string().trim().min(1, 'is required').max(254),
  password: z.string().min(1, 'is required').max(256),
});
const ownerSchema = z.object({ email: emailSchema, name: nameSchema, password: passwordSchema });
const staffCreateSchema = z
  .object({
    email: emailSchema,
    name: nameSchema,
    role: roleSchema,
    password: passwordSchema.optional(),
  })
  .strict();
const staffPatchSchema = z
  .object({
    email: emailSchema,
    name: nameSchema,
    role: roleSchema,
    password: passwordSchema,
    bio: z.string().trim().max(2000).nullable(),
  })
  .partial()
  .strict();
const tokenCreateSchema = z.object({ name: nameSchema }).strict();
const invitationSchema = z.object({ email: emailSchema, role: roleSchema }).strict();
const forgotSchema = z.object({ email: emailSchema });
const resetSchema = z.object({ password: passwordSchema });
const acceptSchema = z.object({ name: nameSchema, password: passwordSchema });

/** `/api/admin/session`, `/sessions`, `/staff`, `/invitations`, `/tokens` */
export function createStaffApi({
  staff,
  invitations,
  secureCookies,
}: Deps & { invitations: InvitationsService }) {
  const api = new Hono<AdminEnv>();
  api.use('*', authenticate(staff));

  api.get('/session', requireStaff(), (c) =>
    c.json({ staff: currentStaff(c), csrf_token: csrfToken(c, secureCookies) }),
  );

  api.post('/session', async (c) => {
    const body = await readJson(c, signInSchema);
    const result = await staff.signIn({
      ...body,
      ip: c.get('clientIp'),
      userAgent: c.req.header('user-agent') ?? '',
      previousSessionToken: sessionToken(c),
    });
    setSessionCookie(c, result.token, secureCookies);
    return c.json({ staff: result.staff, csrf_token: csrfToken(c, secureCookies) }, 201);
  });

  api.delete('/session', async (c) => {
    const token = sessionToken(c);
    if (token) await staff.signOut(token);
    clearSessionCookie(c);
    return c.body(null, 204);
  });

  api.get('/sessions', requireStaff(), async (c) => {
    const me = currentStaff(c);
    const sessions = await staff.listSessions(me.id);
    return c.json({ sessions: sessions.map((s) => ({ ...s, current: s.id === me.sessionId })) });
  });

  api.delete('/sessions/:id', requireStaff(), async (c) => {
    await staff.revokeSession(currentStaff(c), c.req.param('id'));
    return c.body(null, 204);
  });

  // Everyone on staff sees who is on staff (to credit co-authors); only admins see addresses.
  // What the viewer may do to each person comes along, so the admin need not know the rules.
  const present = (viewer: StaffIdentity, s: PublicStaff) => ({
    ...s,
    email: atLeast(viewer.role, 'admin') || viewer.id === s.id ? s.email : null,
    assignable_roles: ROLES.filter(
      (role) => role !== s.role && canAssignRole(viewer, s.role, role),
    ),
    removable: viewer.id !== s.id && canManageStaffMember(viewer, s.role),
  });
  api.get('/staff', requireStaff(), async (c) => {
    const me = currentStaff(c);
    return c.json({ staff: (await staff.list()).map((s) => present(me, s)) });
  });
  api.get('/staff/:id', requireStaff(), async (c) =>
    c.json({ staff: present(currentStaff(c), await staff.get(c.req.param('id'))) }),
  );
  api.post('/staff', requireStaff('admin'), async (c) => {
    const body = await readJson(c, staffCreateSchema);
    return c.json({ staff: await staff.create(currentStaff(c), body) }, 201);
  });
  api.patch('/staff/:id', requireStaff(), async (c) => {
    const body = await readJson(c, staffPatchSchema);
    return c.json({ staff: await staff.update(currentStaff(c), c.req.param('id'), body) });
  });
  api.delete('/staff/:id', requireStaff('admin'), async (c) => {
    await staff.remove(currentStaff(c), c.req.param('id'));
    return c.body(null, 204);
  });

  api.get('/invitations', requireStaff('admin'), async (c) => {
    const me = currentStaff(c);
    return c.json({ invitations: await invitations.list(me), roles: invitations.rolesFor(me) });
  });
  api.post('/invitations', requireStaff('admin'), async (c) => {
    const body = await readJson(c, invitationSchema);
    return c.json({ invitation: await invitations.invite(currentStaff(c), body) }, 201);
  });
  api.delete('/invitations/:id', requireStaff('admin'), async (c) => {
    await invitations.revoke(currentStaff(c), c.req.param('id'));
    return c.body(null, 204);
  });

  api.get('/tokens', requireStaff('admin'), async (c) =>
    c.json({ tokens: await staff.listApiTokens() }),
  );
  api.post('/tokens', requireStaff('admin'), async (c) => {
    const body = await readJson(c, tokenCreateSchema);
    const created = await staff.createApiToken({ name: body.name, staffId: currentStaff(c).id });
    return c.json({ id: created.id, token: created.token }, 201);
  });
  api.delete('/tokens/:id', requireStaff('admin'), async (c) => {
    await staff.revokeApiToken(c.req.param('id'));
    return c.body(null, 204);
  });

  return api;
}

function formString(form: Record<string, unknown>, key: string): string {
  const v = form[key];
  return typeof v === 'string' ? v : '';
}

/** Errors a person can fix are shown on the form; anything else goes to the error handler. */
function isUserError(error: unknown): error is AppError {
  return error instanceof AppError && error.status < 500;
}

/**
 * `/admin/setup` (only while there is no owner), `/admin/signin`, `/admin/signout`, the
 * emailed-link pages `/admin/forgot`, `/admin/reset` and `/admin/accept`, and `/admin`.
 */
export function createAdminPages({
  staff,
  invitations,
  passwordResets,
  secureCookies,
  shell,
}: Deps & {
  invitations: InvitationsService;
  passwordResets: PasswordResetService;
  /** The built admin app; without it, /admin shows a page saying how to build it. */
  shell?: AdminShell;
}) {
  const pages = new Hono<AdminEnv>();
  pages.use('*', authenticate(staff));
  pages.use('*', async (c, next) => {
    await next();
    c.header('Cache-Control', 'no-store');
    c.header('X-Frame-Options', 'DENY');
  });

  pages.get('/setup', async (c) => {
    if (await staff.hasOwner()) return c.notFound();
    return c.html(setupPage(csrfToken(c, secureCookies)));
  });

  pages.post('/setup', async (c) => {
    if (await staff.hasOwner()) return c.notFound();
    const form = await c.req.parseBody();
    const values = {
      email: formString(form, 'email'),
      name: formString(form, 'name'),
      password: formString(form, 'password'),
    };
    try {
      const input = parseWith(ownerSchema, values);
      await staff.createOwner(input);
      const session = await staff.signIn({
        email: input.email,
        password: input.password,
        ip: c.get('clientIp'),
        userAgent: c.req.header('user-agent') ?? '',
      });
      setSessionCookie(c, session.token, secureCookies);
      return c.redirect('/admin', 303);
    } catch (error) {
      if (!(error instanceof AppError) || error.status >= 500) throw error;
      return c.html(setupPage(csrfToken(c, secureCookies), values, error.message), error.status);
    }
  });

  pages.get('/signin', async (c) => {
    if (!(await staff.hasOwner())) return c.redirect('/admin/setup', 302);
    const next = adminScreen(c.req.query('next'));
    if (c.get('staff')) return c.redirect(next, 302);
    return c.html(signInPage(csrfToken(c, secureCookies), '', undefined, next));
  });

  pages.post('/signin', async (c) => {
    const form = await c.req.parseBody();
    const email = formString(form, 'email');
    const next = adminScreen(formString(form, 'next'));
    try {
      const result = await staff.signIn({
        email,
        password: formString(form, 'password'),
        ip: c.get('clientIp'),
        userAgent: c.req.header('user-agent') ?? '',
        previousSessionToken: sessionToken(c),
      });
      setSessionCookie(c, result.token, secureCookies);
      return c.redirect(next, 303);
    } catch (error) {
      if (!(error instanceof AppError) || error.status >= 500) throw error;
      return c.html(
        signInPage(csrfToken(c, secureCookies), email, error.message, next),
        error.status,
      );
    }
  });

  // --- password reset and invitations: emailed links -----------------------------------
  // Their pages carry a token in the address: it must not leak to another site as a Referer.
  const linkPage = (c: Context<AdminEnv>, body: string, status: AppError['status'] = 200) => {
    c.header('Referrer-Policy', 'no-referrer');
    if (status === 429) c.header('Retry-After', '60');
    return c.html(body, status);
  };
  /** A link that cannot be used (or an invitee who already has an account): say what to do. */
  const linkTrouble = (c: Context<AdminEnv>, kind: 'reset' | 'invitation', error: unknown) => {
    if (!isUserError(error)) throw error;
    return linkPage(c, staffLinkProblemPage(kind, error.message), error.status);
  };
  const signedIn = (c: Context<AdminEnv>, session: { token: string }) => {
    setSessionCookie(c, session.token, secureCookies);
    return c.redirect('/admin', 303);
  };
  // Only a refused name or password sends the person back to the form; anything else is
  // about the link itself.
  const isInvalidInput = (error: unknown): error is AppError =>
    error instanceof AppError && error.code === 'invalid_input';

  pages.get('/forgot', (c) => linkPage(c, forgotPasswordPage(csrfToken(c, secureCookies))));

  pages.post('/forgot', async (c) => {
    const email = formString(await c.req.parseBody(), 'email');
    try {
      const input = parseWith(forgotSchema, { email });
      await passwordResets.requestReset({ email: input.email, ip: c.get('clientIp') });
      return linkPage(c, resetLinkSentPage());
    } catch (error) {
      if (!isUserError(error)) throw error;
      const form = forgotPasswordPage(csrfToken(c, secureCookies), email, error.message);
      return linkPage(c, form, error.status);
    }
  });

  pages.get('/reset', async (c) => {
    const token = c.req.query('token') ?? '';
    try {
      const { email } = await passwordResets.checkLink(token);
      return linkPage(c, resetPasswordPage(csrfToken(c, secureCookies), token, email));
    } catch (error) {
      return linkTrouble(c, 'reset', error);
    }
  });

  pages.post('/reset', async (c) => {
    const form = await c.req.parseBody();
    const token = formString(form, 'token');
    try {
      const { password } = parseWith(resetSchema, { password: formString(form, 'password') });
      const session = await passwordResets.completeReset({
        token,
        password,
        ip: c.get('clientIp'),
        userAgent: c.req.header('user-agent') ?? '',
        previousSessionToken: sessionToken(c),
      });
      return signedIn(c, session);
    } catch (error) {
      if (!isInvalidInput(error)) return linkTrouble(c, 'reset', error);
      try {
        const { email } = await passwordResets.checkLink(token);
        const again = resetPasswordPage(csrfToken(c, secureCookies), token, email, error.message);
        return linkPage(c, again, error.status);
      } catch (linkError) {
        return linkTrouble(c, 'reset', linkError);
      }
    }
  });

  pages.get('/accept', async (c) => {
    const token = c.req.query('token') ?? '';
    try {
      const invitation = await invitations.checkLink(token);
      return linkPage(c, acceptInvitationPage(csrfToken(c, secureCookies), token, invitation));
    } catch (error) {
      return linkTrouble(c, 'invitation', error);
    }
  });

  pages.post('/accept', async (c) => {
    const form = await c.req.parseBody();
    const token = formString(form, 'token');
    const values = { name: formString(form, 'name') };
    try {
      const input = parseWith(acceptSchema, { ...values, password: formString(form, 'password') });
      const session = await invitations.accept({
        token,
        ...input,
        ip: c.get('clientIp'),
        userAgent: c.req.header('user-agent') ?? '',
        previousSessionToken: sessionToken(c),
      });
      return signedIn(c, session);
    } catch (error) {
      if (!isInvalidInput(error)) return linkTrouble(c, 'invitation', error);
      try {
        const invitation = await invitations.checkLink(token);
        const csrf = csrfToken(c, secureCookies);
        const again = acceptInvitationPage(csrf, token, invitation, values, error.message);
        return linkPage(c, again, error.status);
      } catch (linkError) {
        return linkTrouble(c, 'invitation', linkError);
      }
    }
  });

  pages.post('/signout', async (c) => {
    const token = sessionToken(c);
    if (token) await staff.signOut(token);
    clearSessionCookie(c);
    return c.redirect('/admin/signin', 303);
  });

  // The admin app's files: hashed names, so they never change and can be cached for good.
  pages.get('/assets/:name', (c) => {
    const file = shell?.asset(c.req.param('name'));
    if (!file) return c.notFound();
    c.header('Content-Type', file.type);
    c.header('Cache-Control', 'public, max-age=31536000, immutable');
    return c.body(new Uint8Array(file.body));
  });

  // Every other path under /admin is a screen of the admin app, which routes in the browser.
  const app = async (c: Context<AdminEnv>) => {
    const me = c.get('staff');
    if (!me) {
      if (!(await staff.hasOwner())) return c.redirect('/admin/setup', 302);
      // Back to this screen after signing in (a bookmarked send, a link from a colleague).
      const url = new URL(c.req.url);
      const here = `${url.pathname}${url.search}`;
      return c.redirect(
        here === '/admin' ? '/admin/signin' : `/admin/signin?next=${encodeURIComponent(here)}`,
        302,
      );
    }
    const csrf = csrfToken(c, secureCookies);
    if (shell?.built) {
      return c.html(
        shell.page({ csrfToken: csrf, staff: { id: me.id, name: me.name, role: me.role } }),
      );
    }
    return c.html(adminHomePage(csrf, me));
  };
  pages.get('/', app);
  pages.get('/*', app);

  return pages;
}

/**
 * Where to go after signing in: an admin screen on this site, never elsewhere. A `next`
 * that is not a plain path under /admin (another host, `//evil`, a scheme) opens /admin.
 */
export function adminScreen(next: string | undefined): string {
  if (!next || !/^\/admin(\/[\w\-./%?=&]*)?$/.test(next) || next.includes('//')) return '/admin';
  if (/^\/admin\/(signin|signout|setup)\b/.test(next)) return '/admin';
  return next;
}
