import { createHash } from 'node:crypto';
import { expect } from 'vitest';
import { createTestApp, ownerClient, type TestClient } from '../../../test/support/app.js';
import { CaptureMailer } from '../../../test/support/capture-mailer.js';
import { ManualClock, nextIp } from '../../../test/support/fixtures.js';
import type { Dialect } from '../../platform/db/index.js';
import type { OutgoingMessage } from '../../platform/mailer/index.js';

/**
 * The whole app on either engine with mail kept in memory and a clock that moves only when
 * told, plus a signed-in owner: for the emailed staff links (invitations, password resets).
 */
export async function createStaffLinksTestApp(dialect: Dialect) {
  const clock = new ManualClock();
  const mailer = new CaptureMailer();
  const t = await createTestApp(dialect, { clock, mailer });
  const owner = await ownerClient(t);
  const { services, db } = t.pressroom;

  /** Every message sent to `address` so far, once the ones on their way have gone. */
  const mailsTo = async (address: string): Promise<OutgoingMessage[]> => {
    await services.passwordResets.settled();
    return mailer.to(address);
  };

  return {
    t,
    db,
    clock,
    mailer,
    owner,
    services,
    mailsTo,
    /** A browser from its own address with no cookies yet. */
    browser(): TestClient {
      const client = t.client();
      client.ip = nextIp();
      return client;
    },
    /** The link to `path` in the one new message to `address` since `before` messages. */
    async linkMailedTo(address: string, path: string, before = 0): Promise<string> {
      const mails = await mailsTo(address);
      expect(mails.length, `mails to ${address}`).toBe(before + 1);
      return linkIn(mails[before]!, path);
    },
    close: () => t.close(),
  };
}

export type StaffLinksTestApp = Awaited<ReturnType<typeof createStaffLinksTestApp>>;

export const sha256 = (token: string) => createHash('sha256').update(token).digest('hex');

/** The emailed link to `path` (from the plain-text part), as a site path with its query. */
export function linkIn(mail: OutgoingMessage, path: string): string {
  const escaped = path.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
  const match = new RegExp(`https?://[^\\s<>"]+${escaped}\\?token=[\\w-]+`).exec(mail.text);
  if (!match) throw new Error(`no ${path} link in: ${mail.text}`);
  const url = new URL(match[0]);
  return `${url.pathname}${url.search}`;
}

export const tokenOf = (link: string) =>
  new URL(link, 'http://pressroom.test').searchParams.get('token')!;

export function form(values: Record<string, string>): URLSearchParams {
  return new URLSearchParams(values);
}

/** The CSRF token a page's forms carry. */
export function csrfIn(html: string): string {
  const match = /name="_csrf" value="([^"]+)"/.exec(html);
  if (!match?.[1]) throw new Error(`no CSRF field on the page: ${html.slice(0, 300)}`);
  return match[1];
}

/**
 * What a person does with an emailed link: opens the page, fills in its form and sends it,
 * with the token the page carries (as a browser does: a form field, no header).
 */
export async function submitLinkForm(
  client: TestClient,
  link: string,
  fields: Record<string, string>,
): Promise<Response> {
  const page = await client.get(link);
  const html = await page.text();
  expect(page.status, html.slice(0, 500)).toBe(200);
  const action = /<form method="post" action="([^"]+)"/.exec(html)?.[1];
  if (!action) throw new Error(`no form on ${link}`);
  return client.post(action, form({ _csrf: csrfIn(html), token: tokenOf(link), ...fields }));
}

/** Asks for a reset link the way the form does; returns the answer. */
export async function requestReset(client: TestClient, email: string): Promise<Response> {
  const page = await client.get('/admin/forgot');
  const html = await page.text();
  return client.post('/admin/forgot', form({ _csrf: csrfIn(html), email }));
}
