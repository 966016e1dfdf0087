import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, ownerClient, type TestApp } from '../../../../test/support/app.js';
import { engines } from '../../../../test/support/database.js';
import { insertMember } from '../../../../test/support/fixtures.js';
import { startSmtpSink } from '../../../../test/support/smtp-sink.js';

/**
 * A newsletter send through the whole app: the SMTP server from SMTP_URL, the shared secret,
 * the worker's jobs, and the one-click unsubscribe link that arrived in the email.
 */
describe.each(engines)('a send through the app on %s', (dialect) => {
  let sink: Awaited<ReturnType<typeof startSmtpSink>>;
  let t: TestApp;

  beforeAll(async () => {
    sink = await startSmtpSink();
    t = await createTestApp(dialect, {
      env: { SMTP_URL: sink.url, PRESSROOM_URL: 'https://news.example.com' },
    });
  });
  afterAll(async () => {
    await t.close();
    await sink.close();
  });

  it('reaches every subscriber once, and the emailed one-click link unsubscribes', async () => {
    const { pressroom } = t;
    const owner = await ownerClient(t);
    const created = await owner.post('/api/admin/posts', {
      title: 'What the minister said',
      markdown: 'Opening remarks.\n\n> **Question:** Will you meet?',
      status: 'published',
    });
    const { post } = (await created.json()) as { post: { id: string } };
    await pressroom.services.newsletters.ensureDefault();
    const newsletter = await pressroom.db
      .selectFrom('newsletters')
      .select('id')
      .executeTakeFirstOrThrow();
    const readers = ['ana@example.com', 'ben@example.com', 'cy@example.com'];
    for (const [i, email] of readers.entries()) {
      await insertMember(pressroom.db, {
        id: `m-${i}`,
        email,
        name: `Reader ${i}`,
        newsletters: [newsletter.id],
      });
    }

    const sends = pressroom.services.sends;
    if (!sends) throw new Error('SMTP_URL is set, so sends must exist');
    const send = await sends.createSend({
      postId: post.id,
      newsletterId: newsletter.id,
      segment: 'all',
    });
    await pressroom.worker().drain();
    const mails = await sink.waitFor(3);
    expect(mails.map((m) => m.envelope.to[0]).sort()).toEqual(readers);
    expect((await sends.progress(send.id)).status).toBe('sent');

    const first = mails.find((m) => m.envelope.to[0] === 'ana@example.com')!;
    expect(first.parsed.subject).toBe('What the minister said');
    expect(String(first.raw)).toMatch(/^List-Unsubscribe-Post: List-Unsubscribe=One-Click\r?$/im);
    const listUnsubscribe = String(first.raw).match(
      /List-Unsubscribe:\s*<https:\/\/news\.example\.com(\/unsubscribe\?token=[^>]+)>/i,
    )?.[1];
    expect(listUnsubscribe).toBeDefined();
    const oneClick = await t
      .client()
      .post(listUnsubscribe!, new URLSearchParams({ 'List-Unsubscribe': 'One-Click' }));
    expect(oneClick.status).toBe(200);
    const left = await pressroom.db
      .selectFrom('member_newsletters')
      .select('member_id')
      .where('member_id', '=', 'm-0')
      .execute();
    expect(left).toEqual([]);
  });
});
