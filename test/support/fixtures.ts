import { expect } from 'vitest';
import type { Post } from '../../src/modules/posts/index.js';
import type { DocNode, PostDocument } from '../../src/modules/posts/document/index.js';
import type { Insertable } from 'kysely';
import type { Clock } from '../../src/platform/clock.js';
import type { Db } from '../../src/platform/db/index.js';
import type { MemberRow } from '../../src/platform/db/schema.js';
import type { TestApp, TestClient } from './app.js';

export const STAFF_PASSWORD = 'a long password 123';

/** A clock that moves only when told to, so expiry, windows and schedules need no sleeping. */
export class ManualClock implements Clock {
  private t: number;

  constructor(start: string | number = '2026-03-02T10:00:00.000Z') {
    this.t = typeof start === 'number' ? start : Date.parse(start);
  }

  now(): Date {
    return new Date(this.t);
  }

  advance(ms: number): void {
    this.t += ms;
  }
}

export const MINUTE = 60_000;
export const HOUR = 60 * MINUTE;
export const DAY = 24 * HOUR;

// --- documents ------------------------------------------------------------------------

export const paragraph = (text: string): DocNode => ({
  type: 'paragraph',
  content: [{ type: 'text', text }],
});

export const heading = (text: string, level = 2): DocNode => ({
  type: 'heading',
  attrs: { level },
  content: [{ type: 'text', text }],
});

export const paywall: DocNode = { type: 'paywall' };

export const doc = (...content: DocNode[]): PostDocument => ({ type: 'doc', content });

// --- HTTP -----------------------------------------------------------------------------

export interface ErrorBody {
  error: { code: string; message: string; field?: string };
}

/**
 * Asserts the one error shape and its status, and that nothing internal leaked; returns
 * the body for further checks.
 */
export async function expectError(
  res: Response,
  status: number,
  expected: { code?: string; field?: string; message?: RegExp } = {},
): Promise<ErrorBody> {
  const text = await res.text();
  expect(res.status, text).toBe(status);
  expect(res.headers.get('content-type')).toMatch(/^application\/json/);
  expectNoInternals(text);
  const body = JSON.parse(text) as ErrorBody;
  expect(typeof body.error.code).toBe('string');
  expect(typeof body.error.message).toBe('string');
  if (expected.code !== undefined) expect(body.error.code).toBe(expected.code);
  if (expected.field !== undefined) expect(body.error.field).toBe(expected.field);
  if (expected.message !== undefined) expect(body.error.message).toMatch(expected.message);
  return body;
}

/** No stack frames, file paths or driver messages in what a client sees. */
export function expectNoInternals(text: string): void {
  expect(text).not.toMatch(/\n\s+at /);
  expect(text).not.toMatch(/node_modules|\/src\/|\.ts:\d+/);
  expect(text).not.toMatch(/SQLITE_|sqlite3|relation "|syntax error at/i);
}

export async function json<T = Record<string, unknown>>(res: Response): Promise<T> {
  const text = await res.text();
  try {
    return JSON.parse(text) as T;
  } catch {
    throw new Error(`expected JSON, got ${res.status}: ${text.slice(0, 300)}`);
  }
}

/** Creates a post through the API and returns it; fails the test on anything but 201. */
export async function createPost(
  client: TestClient,
  input: Record<string, unknown>,
): Promise<Post> {
  const res = await client.post('/api/admin/posts', input);
  const body = await json<{ post: Post }>(res);
  expect(res.status, JSON.stringify(body)).toBe(201);
  return body.post;
}

export async function updatePost(
  client: TestClient,
  id: string,
  patch: Record<string, unknown>,
): Promise<Post> {
  const res = await client.patch(`/api/admin/posts/${id}`, patch);
  const body = await json<{ post: Post }>(res);
  expect(res.status, JSON.stringify(body)).toBe(200);
  return body.post;
}

/** A visitor who has loaded the sign-in page: has the CSRF cookie and token, no session. */
export async function visitor(t: TestApp, ip = '10.1.1.1'): Promise<TestClient> {
  const client = t.client();
  client.ip = ip;
  const page = await client.get('/admin/signin');
  const html = await page.text();
  client.csrf = /name="_csrf" value="([^"]+)"/.exec(html)?.[1];
  if (!client.csrf) throw new Error(`no CSRF token on the sign-in page (${page.status})`);
  return client;
}

/** Runs `fn` with the client not sending its CSRF header (its cookies still go). */
export async function withoutCsrf<T>(client: TestClient, fn: () => Promise<T>): Promise<T> {
  const saved = client.csrf;
  client.csrf = undefined;
  try {
    return await fn();
  } finally {
    client.csrf = saved;
  }
}

/** A client that authenticates only with an API token: no cookies, no CSRF token. */
export function bearerClient(t: TestApp, token: string): TestClient {
  const client = t.client();
  client.bearer = token;
  return client;
}

/** The session cookie's value as the client holds it. */
export const sessionCookie = (client: TestClient) => client.cookies.get('pr_session');

/** The Set-Cookie header that sets `name`, or undefined. */
export function setCookieFor(res: Response, name: string): string | undefined {
  return res.headers.getSetCookie().find((c) => c.startsWith(`${name}=`));
}

let ipCounter = 0;

/**
 * A fresh client address for each sign-in, so a file that shares one app across its tests
 * never trips the per-address sign-in limit by accident.
 */
export function nextIp(): string {
  ipCounter++;
  return `172.16.${(ipCounter >> 8) & 255}.${ipCounter & 255}`;
}

/** Signs in through the API from a fresh address; fails the test unless it works. */
export async function signInAs(
  t: TestApp,
  email: string,
  password = STAFF_PASSWORD,
): Promise<TestClient> {
  const client = t.client();
  client.ip = nextIp();
  const res = await client.signIn(email, password);
  if (res.status !== 201)
    throw new Error(`sign-in as ${email} failed: ${res.status} ${await res.text()}`);
  return client;
}

export interface Member {
  client: TestClient;
  id: string;
  email: string;
  name: string;
  slug: string;
}

let memberCounter = 0;

/**
 * Adds a staff member with a unique email through the owner's (or an admin's) client and
 * signs them in. Unique names keep tests that share an app out of each other's way.
 */
export async function addStaff(t: TestApp, by: TestClient, role: string): Promise<Member> {
  memberCounter++;
  const email = `${role}-${memberCounter}@example.com`;
  const name = `${role[0]!.toUpperCase()}${role.slice(1)} Number${memberCounter}`;
  const res = await by.post('/api/admin/staff', { email, name, role, password: STAFF_PASSWORD });
  const body = await json<{ staff: { id: string; slug: string } }>(res);
  expect(res.status, JSON.stringify(body)).toBe(201);
  return {
    client: await signInAs(t, email),
    id: body.staff.id,
    email,
    name,
    slug: body.staff.slug,
  };
}

/**
 * Markup with insignificant whitespace removed (`<a\n  href="x"\n>Text</a\n>` becomes
 * `<a href="x">Text</a>`, `<br />` becomes `<br>`), so assertions do not depend on how
 * the templates happen to be formatted.
 */
export function normalizeHtml(markup: string): string {
  return markup
    .replace(/\s+/g, ' ')
    .replace(/\s*\/>/g, '>')
    .replace(/\s+>/g, '>')
    .replace(/>\s+/g, '>')
    .replace(/\s+</g, '<');
}

/** GETs a page; fails on a 5xx. `html` is the normalised markup, `text` the raw body. */
export async function fetchPage(
  client: TestClient,
  path: string,
): Promise<{ status: number; type: string; text: string; html: string }> {
  const res = await client.get(path);
  const text = await res.text();
  expect(res.status, `${path}: ${text.slice(0, 200)}`).toBeLessThan(500);
  return {
    status: res.status,
    type: res.headers.get('content-type') ?? '',
    text,
    html: normalizeHtml(text),
  };
}

/**
 * A confirmed member straight into the database (no signup round trip), optionally
 * subscribed to newsletters; `overrides` set any column, e.g. `{ status: 'paid' }`.
 */
export async function insertMember(
  db: Db,
  member: { id: string; email: string; name?: string | null; newsletters?: readonly string[] },
  overrides: Partial<Insertable<MemberRow>> = {},
  at: Date = new Date(),
): Promise<void> {
  const now = at.toISOString();
  await db
    .insertInto('members')
    .values({
      id: member.id,
      email: member.email,
      name: member.name ?? null,
      status: 'free',
      tier_id: null,
      comp_until: null,
      access_until: null,
      stripe_customer_id: null,
      source: 'signup',
      note: null,
      confirmed_at: now,
      last_seen_at: null,
      created_at: now,
      updated_at: now,
      ...overrides,
    })
    .execute();
  for (const newsletterId of member.newsletters ?? []) {
    await db
      .insertInto('member_newsletters')
      .values({ member_id: member.id, newsletter_id: newsletterId, created_at: now })
      .execute();
  }
}
