import type { Context, MiddlewareHandler } from 'hono';
import { deleteCookie, getCookie, setCookie } from 'hono/cookie';
import { unauthorized } from '../../platform/errors.js';
import type { BaseVariables } from '../../platform/http/index.js';
import { ANONYMOUS, type Viewer } from './access.js';
import type { Member } from './members.types.js';
import { SESSION_DAYS, type MembersService, type SessionMember } from './members.service.js';

/** Not the staff cookie: a reader's session and a staff session are separate things. */
export const MEMBER_COOKIE = 'pr_member';

export interface MemberVariables extends BaseVariables {
  member: SessionMember | undefined;
}

export interface MemberEnv {
  Variables: MemberVariables;
}

export function setMemberCookie(c: Context, token: string, secure: boolean): void {
  setCookie(c, MEMBER_COOKIE, token, {
    httpOnly: true,
    sameSite: 'Lax',
    secure,
    path: '/',
    maxAge: SESSION_DAYS * 86_400,
  });
}

export function clearMemberCookie(c: Context): void {
  deleteCookie(c, MEMBER_COOKIE, { path: '/' });
}

export const memberCookie = (c: Context): string | undefined => getCookie(c, MEMBER_COOKIE);

/**
 * Sets `c.var.member` to the signed-in member, or undefined; never refuses a request. A
 * cookie that no longer opens a session is removed, so the browser stops sending it.
 */
export function memberSession(service: MembersService): MiddlewareHandler<MemberEnv> {
  return async (c, next) => {
    const token = memberCookie(c);
    const member = token ? await service.authenticateSession(token) : undefined;
    if (token && !member) clearMemberCookie(c);
    c.set('member', member);
    await next();
  };
}

/** 401 for the JSON API when nobody is signed in. */
export function requireMember(c: Context<MemberEnv>): SessionMember {
  const member = c.get('member');
  if (!member) throw unauthorized('Sign in first');
  return member;
}

/** The paywall's view of a reader (see access.ts): the one input to `canRead`. */
export function viewerOf(member: Member | undefined): Viewer {
  if (!member) return ANONYMOUS;
  return {
    kind: 'member',
    status: member.status,
    tierId: member.tier_id,
    compUntil: member.comp_until,
    accessUntil: member.access_until,
  };
}
