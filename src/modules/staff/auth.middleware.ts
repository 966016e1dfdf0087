import type { Context, MiddlewareHandler } from 'hono';
import { deleteCookie, getCookie, setCookie } from 'hono/cookie';
import type { BaseVariables } from '../../platform/http/index.js';
import { forbidden, unauthorized } from '../../platform/errors.js';
import { atLeast, type Role } from './roles.js';
import { SESSION_DAYS, type StaffIdentity, type StaffService } from './staff.service.js';

export const SESSION_COOKIE = 'pr_session';

export interface AuthVariables extends BaseVariables {
  staff: (StaffIdentity & { sessionId?: string }) | undefined;
  authMethod: 'session' | 'token' | undefined;
}

export interface AdminEnv {
  Variables: AuthVariables;
}

export function setSessionCookie(c: Context, token: string, secure: boolean): void {
  setCookie(c, SESSION_COOKIE, token, {
    httpOnly: true,
    sameSite: 'Lax',
    secure,
    path: '/',
    maxAge: SESSION_DAYS * 86_400,
  });
}

export function clearSessionCookie(c: Context): void {
  deleteCookie(c, SESSION_COOKIE, { path: '/' });
}

export const sessionToken = (c: Context) => getCookie(c, SESSION_COOKIE);

/** Resolves who is calling, from a Bearer API token or the session cookie; never throws. */
export function authenticate(staff: StaffService): MiddlewareHandler<AdminEnv> {
  return async (c, next) => {
    const header = c.req.header('authorization');
    if (header?.startsWith('Bearer ')) {
      const identity = await staff.authenticateApiToken(header.slice(7).trim());
      if (!identity) throw unauthorized('Invalid or revoked API token');
      c.set('staff', identity);
      c.set('authMethod', 'token');
    } else {
      const token = sessionToken(c);
      const identity = token ? await staff.authenticateSession(token) : undefined;
      c.set('staff', identity);
      c.set('authMethod', identity ? 'session' : undefined);
    }
    await next();
  };
}

/** 401 unless signed in; 403 unless the role is at least `minimum`. */
export function requireStaff(minimum: Role = 'contributor'): MiddlewareHandler<AdminEnv> {
  return async (c, next) => {
    const identity = c.get('staff');
    if (!identity) throw unauthorized();
    if (!atLeast(identity.role, minimum))
      throw forbidden(`This needs the ${minimum} role or higher`);
    await next();
  };
}

export function currentStaff(c: Context<AdminEnv>): StaffIdentity & { sessionId?: string } {
  const identity = c.get('staff');
  if (!identity) throw unauthorized();
  return identity;
}
