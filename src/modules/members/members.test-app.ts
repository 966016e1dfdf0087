import { createHash } from 'node:crypto';
import { pino } from 'pino';
import { expect } from 'vitest';
import { createTestApp, type TestClient } from '../../../test/support/app.js';
import { ManualClock } from '../../../test/support/fixtures.js';
import { startSmtpSink, type ReceivedMail } from '../../../test/support/smtp-sink.js';
import type { Dialect } from '../../platform/db/index.js';
import { createMailer } from '../../platform/mailer/index.js';
import type { Role } from '../staff/index.js';

export const PUBLIC_URL = 'http://pressroom.test';

/**
 * The whole app on a real database of either engine, with a real SMTP server on loopback
 * catching the mail, so tests read the messages that arrived and follow their links.
 */
export async function createMembersTestApp(dialect: Dialect) {
  const sink = await startSmtpSink();
  const clock = new ManualClock();
  const mailer = createMailer(
    {
      smtpUrl: sink.url,
      from: 'Pressroom <news@pressroom.test>',
      outboxDir: '/nonexistent',
      messageIdDomain: 'pressroom.test',
    },
    pino({ level: 'silent' }),
  );
  const t = await createTestApp(dialect, { clock, mailer });
  const { services } = t.pressroom;
  const members = {
    service: services.members,
    newsletters: services.newsletters,
    pledges: services.pledges,
  };

  let ipCounter = 0;
  let owner: { id: string; role: Role } | undefined;

  /** A browser (keeps cookies) from its own address, so per-IP limits stay out of the way. */
  const client = (ip?: string): TestClient => {
    const c = t.client();
    ipCounter++;
    c.ip = ip ?? `10.20.${(ipCounter >> 8) & 255}.${ipCounter & 255}`;
    return c;
  };

  /** Every message delivered so far to `address` (after all sends in flight have finished). */
  const mailsTo = async (address: string): Promise<ReceivedMail[]> => {
    await members.service.settled();
    return sink.received.filter((m) => m.envelope.to.includes(address));
  };

  return {
    app: t.pressroom.app,
    db: t.pressroom.db,
    dialect,
    clock,
    members,
    staff: services.staff,
    settings: services.settings,
    sink,
    client,
    mailsTo,

    /** The one new message to `address` since `before` messages; fails the test otherwise. */
    async onlyMailTo(address: string, before = 0): Promise<ReceivedMail> {
      const mails = await mailsTo(address);
      expect(mails.length, `mails to ${address}`).toBe(before + 1);
      return mails[before]!;
    },

    /** An API client for a staff member of this role (a Bearer token: no cookies, no CSRF). */
    async staffClient(role: Role): Promise<TestClient> {
      owner ??= await services.staff.createOwner({
        email: 'owner@example.com',
        name: 'Olga Owner',
        password: 'correct horse battery',
      });
      const id =
        role === 'owner'
          ? owner.id
          : (
              await services.staff.create(owner, {
                email: `${role}-${++ipCounter}@example.com`,
                name: `${role} ${ipCounter}`,
                role,
              })
            ).id;
      const { token } = await services.staff.createApiToken({ name: `${role} token`, staffId: id });
      const c = client();
      c.bearer = token;
      return c;
    },

    async close() {
      await t.close();
      await sink.close();
    },
  };
}

export type MembersTestApp = Awaited<ReturnType<typeof createMembersTestApp>>;

export const sha256 = (token: string) => createHash('sha256').update(token).digest('hex');

/** The emailed link to `path` (from the plain-text part), as a site path with its query. */
export function linkIn(mail: ReceivedMail, path: string): string {
  const text = mail.parsed.text ?? '';
  const escaped = path.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
  const match = new RegExp(`https?://[^\\s<>"]+${escaped}\\?token=[\\w-]+`).exec(text);
  if (!match) throw new Error(`no ${path} link in: ${text}`);
  const url = new URL(match[0]);
  return `${url.pathname}${url.search}`;
}

export const tokenOf = (link: string) => new URL(link, PUBLIC_URL).searchParams.get('token')!;

/** A form body; arrays become repeated fields, as checkboxes send them. */
export function form(values: Record<string, string | string[]>): URLSearchParams {
  const body = new URLSearchParams();
  for (const [key, value] of Object.entries(values)) {
    for (const v of Array.isArray(value) ? value : [value]) body.append(key, v);
  }
  return body;
}

/** The CSRF token a page's forms carry. */
export function csrfIn(html: string): string {
  const match = /name="_csrf" value="([^"]+)"/.exec(html);
  if (!match?.[1]) throw new Error('no CSRF field on the page');
  return match[1];
}

/** What a person does with an emailed link: open the page, press its button. */
export async function followLink(client: TestClient, link: string): Promise<Response> {
  const page = await client.get(link);
  const html = await page.text();
  const action = /<form method="post" action="([^"]+)"/.exec(html)?.[1];
  if (!action) throw new Error(`no form on ${link} (status ${page.status})`);
  return client.post(action, form({ _csrf: csrfIn(html), token: tokenOf(link) }));
}

let emailCounter = 0;
export const uniqueEmail = (label = 'reader') => `${label}-${++emailCounter}@example.com`;

/** Lets a signed-in client call the JSON API: the token from a page it can open. */
export async function withCsrf(client: TestClient): Promise<TestClient> {
  client.csrf = csrfIn(await (await client.get('/account')).text());
  return client;
}

/** Signs up through the form and the confirmation email; returns the signed-in browser. */
export async function signedUpMember(
  t: MembersTestApp,
  email = uniqueEmail(),
  options: { name?: string } = {},
): Promise<{ client: TestClient; id: string; email: string }> {
  const client = t.client();
  const res = await client.post(
    '/subscribe',
    form({ email, ...(options.name ? { name: options.name } : {}) }),
  );
  expect(res.status).toBeLessThan(400);
  const before = (await t.mailsTo(email)).length - 1;
  const mail = await t.onlyMailTo(email, Math.max(0, before));
  const confirmed = await followLink(client, linkIn(mail, '/members/confirm'));
  expect(confirmed.status).toBe(303);
  const row = await t.db
    .selectFrom('members')
    .select('id')
    .where('email', '=', email)
    .executeTakeFirstOrThrow();
  return { client, id: row.id, email };
}
