import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createTestApp,
  ownerClient,
  type TestApp,
  type TestClient,
} from '../../../../test/support/app.js';
import { engines } from '../../../../test/support/database.js';
import { startFakePostmark, type PostmarkMessage } from '../../../../test/support/fake-postmark.js';
import { createPost, insertMember, json } from '../../../../test/support/fixtures.js';
import { POSTMARK_WEBHOOK_PATH } from '../feedback/index.js';
import type { SendProgress } from './index.js';

/**
 * A newsletter through the app's Postmark path: the batch API for sending, and what Postmark
 * reports back, per message in the batch reply and later by webhook, ending in suppression.
 */

const TOKEN = 'postmark-server-token-7';
const INBOUND_SECRET = 'inbound secret shared with postmark';
const SITE = 'https://news.example.com';

const READERS = {
  ana: 'ana@example.com',
  ben: 'ben@example.com', // hard-bounces, reported by webhook
  cy: 'cy@example.com', // marks the issue as spam
  dee: 'dee@example.com', // inactive at Postmark: refused in the batch reply
  eve: 'eve@example.com',
  fay: 'fay@example.com',
};
const everyone = Object.values(READERS).sort();

type Figures = { id: string } & SendProgress;

const header = (m: PostmarkMessage, name: string) =>
  m.Headers?.find((h) => h.Name.toLowerCase() === name.toLowerCase())?.Value;

/** How Postmark authenticates to a webhook URL with credentials in it. */
const basicAuth = (password: string) => ({
  authorization: `Basic ${Buffer.from(`postmark:${password}`).toString('base64')}`,
});

describe.each(engines)('newsletters through Postmark on %s', (dialect) => {
  let fake: Awaited<ReturnType<typeof startFakePostmark>>;
  let t: TestApp;
  let owner: TestClient;
  let postId: string;
  let newsletterId: string;
  let send: Figures;

  async function startSend(): Promise<Figures> {
    const res = await owner.post('/api/admin/sends', {
      post_id: postId,
      newsletter_id: newsletterId,
      segment: 'all',
    });
    const body = await json<{ send: Figures }>(res);
    expect(res.status, JSON.stringify(body)).toBe(201);
    return body.send;
  }

  async function figures(id: string): Promise<Figures> {
    const res = await owner.get(`/api/admin/sends/${id}`);
    const body = await json<{ send: Figures }>(res);
    expect(res.status, JSON.stringify(body)).toBe(200);
    return body.send;
  }

  const counters = (id: string) =>
    t.pressroom.db
      .selectFrom('email_sends')
      .select(['bounced', 'complained'])
      .where('id', '=', id)
      .executeTakeFirstOrThrow();

  const recipient = (email: string) =>
    t.pressroom.db
      .selectFrom('email_send_recipients')
      .selectAll()
      .where('send_id', '=', send.id)
      .where('email', '=', email)
      .executeTakeFirstOrThrow();

  const suppression = (email: string) =>
    t.pressroom.db
      .selectFrom('email_suppressions')
      .selectAll()
      .where('email', '=', email)
      .executeTakeFirst();

  const webhook = (record: Record<string, unknown>, headers: Record<string, string>) =>
    t.client().post(POSTMARK_WEBHOOK_PATH, record, headers);

  beforeAll(async () => {
    fake = await startFakePostmark({ token: TOKEN });
    fake.failRecipient(
      READERS.dee,
      406,
      'You tried to send to recipient(s) that have been marked as inactive.',
    );
    t = await createTestApp(dialect, {
      env: {
        POSTMARK_SERVER_TOKEN: TOKEN,
        POSTMARK_API_BASE: fake.url,
        PRESSROOM_URL: SITE,
        PRESSROOM_INBOUND_SECRET: INBOUND_SECRET,
      },
    });
    owner = await ownerClient(t);
    postId = (
      await createPost(owner, {
        title: 'The budget, line by line',
        markdown: 'Where the money goes.',
        status: 'published',
      })
    ).id;
    await t.pressroom.services.newsletters.ensureDefault();
    newsletterId = (
      await t.pressroom.db.selectFrom('newsletters').select('id').executeTakeFirstOrThrow()
    ).id;
    for (const [i, email] of everyone.entries()) {
      await insertMember(t.pressroom.db, {
        id: `m-${i}`,
        email,
        name: `Reader ${i}`,
        newsletters: [newsletterId],
      });
    }
    send = await startSend();
    await t.pressroom.worker().drain();
  });
  afterAll(async () => {
    await t?.close();
    await fake?.close();
  });

  it('posts each recipient once to the batch API, with one-click unsubscribe headers', async () => {
    expect(t.pressroom.config.mail.newsletter?.kind).toBe('postmark');
    const messages = fake.batches.flat();
    expect(messages.map((m) => m.To).sort()).toEqual(everyone);
    const tokens = new Set<string>();
    for (const m of messages) {
      expect(m).toMatchObject({
        From: t.pressroom.config.mail.from,
        Subject: 'The budget, line by line',
        MessageStream: 'broadcast',
      });
      // No bounce listener is configured, so no mailto: it would reach nobody.
      const link = /^<(https:\/\/news\.example\.com\/unsubscribe\?token=([\w-]+))>$/.exec(
        header(m, 'List-Unsubscribe') ?? '',
      );
      expect(link, m.To).not.toBeNull();
      expect(header(m, 'List-Unsubscribe-Post')).toBe('List-Unsubscribe=One-Click');
      expect(header(m, 'Message-ID')).toMatch(
        new RegExp(`^<${send.id}\\.m-\\d@news\\.example\\.com>$`),
      );
      // The link in the body is the recipient's own, the one the header names.
      expect(m.HtmlBody).toContain(link![1]);
      tokens.add(link![2]!);
    }
    expect(tokens.size).toBe(everyone.length);
  });

  it('marks a recipient Postmark refuses as inactive failed, and suppresses it', async () => {
    expect(await figures(send.id)).toMatchObject({
      status: 'sent',
      total: everyone.length,
      sent: everyone.length - 1,
      failed: 1,
      suppressed: 0,
      remaining: 0,
    });
    expect(await recipient(READERS.dee)).toMatchObject({
      state: 'failed',
      last_error: expect.stringMatching(/inactive/),
      provider_id: null,
    });
    expect(await suppression(READERS.dee)).toMatchObject({
      reason: 'permanent_failure',
      send_id: send.id,
    });
    expect(await t.pressroom.services.feedback.isSuppressed(READERS.dee)).toBe(true);
    // Postmark's MessageID is kept: it is how its webhooks name the copy they are about.
    expect((await recipient(READERS.ben)).provider_id).toMatch(/^fake-\d+$/);
  });

  it('counts a HardBounce and a SpamComplaint from the webhook and suppresses both', async () => {
    const ben = await recipient(READERS.ben);
    const cy = await recipient(READERS.cy);
    const bounce = {
      RecordType: 'Bounce',
      MessageStream: 'broadcast',
      ID: 4323372036,
      Type: 'HardBounce',
      TypeCode: 1,
      Name: 'Hard bounce',
      Tag: '',
      MessageID: ben.provider_id,
      ServerID: 23,
      Description:
        'The server was unable to deliver your message (ex: unknown user, mailbox not found).',
      Details: 'smtp;550 5.1.1 The email account that you tried to reach does not exist.',
      Email: READERS.ben,
      From: t.pressroom.config.mail.from,
      BouncedAt: new Date().toISOString(),
      DumpAvailable: true,
      Inactive: true,
      CanActivate: true,
      Subject: 'The budget, line by line',
    };
    const complaint = {
      RecordType: 'SpamComplaint',
      MessageStream: 'broadcast',
      ID: 42,
      Type: 'SpamComplaint',
      TypeCode: 512,
      Name: 'Spam complaint',
      MessageID: cy.provider_id,
      Description: 'The subscriber explicitly marked this email as spam.',
      Details: 'Test spam complaint details',
      Email: READERS.cy,
      From: t.pressroom.config.mail.from,
      BouncedAt: new Date().toISOString(),
      Inactive: true,
      CanActivate: false,
      Subject: 'The budget, line by line',
    };

    // Without the shared secret nothing is believed.
    expect((await webhook(bounce, {})).status).toBe(401);
    expect((await webhook(bounce, basicAuth('not the secret at all, no'))).status).toBe(401);
    expect(await suppression(READERS.ben)).toBeUndefined();

    const bounced = await webhook(bounce, basicAuth(INBOUND_SECRET));
    expect(bounced.status).toBe(200);
    expect(await bounced.json()).toEqual({
      recognised: true,
      results: [{ email: READERS.ben, kind: 'hard', outcome: 'suppressed', sendId: send.id }],
    });
    const complained = await webhook(complaint, { 'x-pressroom-inbound-secret': INBOUND_SECRET });
    expect(complained.status).toBe(200);
    expect(await complained.json()).toEqual({
      recognised: true,
      results: [{ email: READERS.cy, kind: 'complaint', outcome: 'suppressed', sendId: send.id }],
    });
    // Postmark delivers a webhook again when unsure it arrived; counters count recipients.
    expect((await webhook(bounce, basicAuth(INBOUND_SECRET))).status).toBe(200);
    expect((await webhook(complaint, basicAuth(INBOUND_SECRET))).status).toBe(200);

    expect(await counters(send.id)).toEqual({ bounced: 1, complained: 1 });
    expect(await suppression(READERS.ben)).toMatchObject({
      reason: 'hard_bounce',
      send_id: send.id,
    });
    expect(await suppression(READERS.cy)).toMatchObject({ reason: 'complaint', send_id: send.id });
    const { feedback } = t.pressroom.services;
    expect(await feedback.isSuppressed(READERS.ben)).toBe(true);
    expect(await feedback.isSuppressed(READERS.cy)).toBe(true);
    expect(await feedback.isSuppressed(READERS.ana)).toBe(false);

    // The next issue goes to nobody Postmark or its readers turned away.
    const before = fake.batches.length;
    const next = await startSend();
    expect(next).toMatchObject({ total: everyone.length, suppressed: 3 });
    await t.pressroom.worker().drain();
    expect(await figures(next.id)).toMatchObject({ status: 'sent', sent: 3, failed: 0 });
    const sentNext = fake.batches.slice(before).flat();
    expect(sentNext.map((m) => m.To).sort()).toEqual([READERS.ana, READERS.eve, READERS.fay]);
  });
});
