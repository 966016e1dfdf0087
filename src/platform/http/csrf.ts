import type { Context, MiddlewareHandler } from 'hono';
import { getCookie, setCookie } from 'hono/cookie';
import { AppError } from '../errors.js';
import { generateToken, safeEqual } from '../security/tokens.js';

export const CSRF_COOKIE = 'pr_csrf';
export const CSRF_FIELD = '_csrf';
export const CSRF_HEADER = 'x-csrf-token';

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/** The token a form or script must send back; sets the cookie that holds it if missing. */
export function csrfToken(c: Context, secureCookies: boolean): string {
  const existing = getCookie(c, CSRF_COOKIE);
  if (existing && /^[\w-]{43}$/.test(existing)) return existing;
  const token = generateToken();
  setCookie(c, CSRF_COOKIE, token, {
    httpOnly: true,
    sameSite: 'Lax',
    secure: secureCookies,
    path: '/',
  });
  return token;
}

/**
 * Double-submit protection on every state-changing request: the token in the form field or
 * the X-CSRF-Token header must equal the one in our cookie, which another site can neither
 * read nor set. A request from another origin is refused outright. Requests authenticated
 * by a Bearer token carry no ambient credentials and are exempt, as are the paths given
 * (signed webhooks, one-click unsubscribe).
 */
export function csrfProtection(options: {
  publicOrigin: string;
  exemptPaths?: (path: string) => boolean;
}): MiddlewareHandler {
  return async (c, next) => {
    if (SAFE_METHODS.has(c.req.method)) return next();
    if (c.req.header('authorization')?.startsWith('Bearer ')) return next();
    if (options.exemptPaths?.(c.req.path)) return next();

    const origin = c.req.header('origin');
    if (
      origin &&
      origin !== 'null' &&
      origin !== options.publicOrigin &&
      origin !== requestOrigin(c)
    ) {
      throw new AppError('csrf_failed', 'Cross-site request refused', { status: 403 });
    }
    const cookie = getCookie(c, CSRF_COOKIE);
    let sent = c.req.header(CSRF_HEADER);
    if (!sent) {
      const type = c.req.header('content-type') ?? '';
      if (
        type.includes('application/x-www-form-urlencoded') ||
        type.includes('multipart/form-data')
      ) {
        const value = (await c.req.parseBody())[CSRF_FIELD];
        sent = typeof value === 'string' ? value : undefined;
      }
    }
    if (!cookie || !sent || !safeEqual(cookie, sent)) {
      throw new AppError(
        'csrf_failed',
        'This form has expired or was not sent from this site. Reload the page and try again.',
        { status: 403 },
      );
    }
    return next();
  };
}

function requestOrigin(c: Context): string {
  const url = new URL(c.req.url);
  return url.origin;
}
