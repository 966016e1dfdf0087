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
import { atLeast } from './roles.js';
import { adminHomePage, setupPage, signInPage } from './staff.views.js';

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

/** `/api/admin/session`, `/sessions`, `/staff`, `/tokens` */
export function createStaffApi({ staff, secureCookies }: Deps) {
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
  const present = (viewer: StaffIdentity, s: PublicStaff) =>
    atLeast(viewer.role, 'admin') || viewer.id === s.id ? s : { ...s, email: null };
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

/** `/admin/setup` (only while there is no owner), `/admin/signin`, `/admin/signout`, `/admin`. */
export function createAdminPages({
  staff,
  secureCookies,
  shell,
}: Deps & {
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
    if (c.get('staff')) return c.redirect('/admin', 302);
    return c.html(signInPage(csrfToken(c, secureCookies)));
  });

  pages.post('/signin', async (c) => {
    const form = await c.req.parseBody();
    const email = formString(form, 'email');
    try {
      const result = await staff.signIn({
        email,
        password: formString(form, 'password'),
        ip: c.get('clientIp'),
        userAgent: c.req.header('user-agent') ?? '',
        previousSessionToken: sessionToken(c),
      });
      setSessionCookie(c, result.token, secureCookies);
      return c.redirect('/admin', 303);
    } catch (error) {
      if (!(error instanceof AppError) || error.status >= 500) throw error;
      return c.html(signInPage(csrfToken(c, secureCookies), email, error.message), error.status);
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
    if (!me) return c.redirect((await staff.hasOwner()) ? '/admin/signin' : '/admin/setup', 302);
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
