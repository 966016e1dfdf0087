import { generateKeyPairSync } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createTestApp,
  ownerClient,
  staffClient,
  type TestApp,
  type TestClient,
} from '../../../../test/support/app.js';
import { engines } from '../../../../test/support/database.js';
import { createPost, expectError, json, insertMember } from '../../../../test/support/fixtures.js';
import { startSmtpSink } from '../../../../test/support/smtp-sink.js';
import type { SendProgress } from './sends.progress.js';

type SendBody = { send: { id: string } & SendProgress };

const privateKey = generateKeyPairSync('rsa', { modulusLength: 2048 })
  .privateKey.export({ type: 'pkcs8', format: 'pem' })
  .toString();

/**
 * The staff API for sends through the whole app: a real SMTP sink behind SMTP_URL, DKIM
 * signing from the environment, the worker draining the batch jobs.
 */
describe.each(engines)('the sends admin API on %s', (dialect) => {
  let sink: Awaited<ReturnType<typeof startSmtpSink>>;
  let t: TestApp;
  let owner: TestClient;
  let postId: string;
  let newsletterId: string;
  const readers = ['ana@example.com', 'ben@example.com'];

  beforeAll(async () => {
    sink = await startSmtpSink();
    t = await createTestApp(dialect, {
      env: {
        SMTP_URL: sink.url,
        PRESSROOM_URL: 'https://news.example.com',
        PRESSROOM_DKIM_DOMAIN: 'news.example.com',
        PRESSROOM_DKIM_SELECTOR: 'mail2025',
        PRESSROOM_DKIM_PRIVATE_KEY: privateKey,
      },
    });
    owner = await ownerClient(t);
    const post = await createPost(owner, {
      title: 'What the minister said',
      markdown: 'Opening remarks.\n\nThe whole transcript, for paying readers.',
      status: 'published',
      visibility: 'paid',
    });
    postId = post.id;
    const { pressroom } = t;
    await pressroom.services.newsletters.ensureDefault();
    newsletterId = (
      await pressroom.db.selectFrom('newsletters').select('id').executeTakeFirstOrThrow()
    ).id;
    for (const [i, email] of readers.entries()) {
      await insertMember(pressroom.db, {
        id: `m-${i}`,
        email,
        name: `Reader ${i}`,
        newsletters: [newsletterId],
      });
    }
  });
  afterAll(async () => {
    await t.close();
    await sink.close();
  });

  const startSend = (extra: Record<string, unknown> = {}) =>
    owner.post('/api/admin/sends', {
      post_id: postId,
      newsletter_id: newsletterId,
      segment: 'all',
      ...extra,
    });

  it('starts a send over HTTP that the worker delivers, DKIM-signed, and reports progress', async () => {
    const res = await startSend();
    const created = await json<SendBody>(res);
    expect(res.status, JSON.stringify(created)).toBe(201);
    expect(created.send).toMatchObject({ status: 'sending', total: 2, sent: 0, remaining: 2 });

    await t.pressroom.worker().drain();
    const mails = await sink.waitFor(2);
    expect(mails.map((m) => m.envelope.to[0]).sort()).toEqual(readers);

    const progress = await owner.get(`/api/admin/sends/${created.send.id}`);
    expect(progress.status).toBe(200);
    expect((await json<SendBody>(progress)).send).toMatchObject({
      id: created.send.id,
      status: 'sent',
      total: 2,
      sent: 2,
      failed: 0,
      remaining: 0,
      eta_seconds: null,
    });

    // Unfolded, the signature's tags: d= and s= from the environment, h= naming the headers.
    const raw = String(mails[0]!.raw).replace(/\r?\n[ \t]+/g, ' ');
    const signature = /^DKIM-Signature:(.*)$/im.exec(raw)?.[1];
    expect(signature).toBeDefined();
    expect(signature).toMatch(/\bd=news\.example\.com;/);
    expect(signature).toMatch(/\bs=mail2025;/);
    const signed = /\bh=([^;]+);/.exec(signature!)?.[1]?.replace(/\s+/g, '').toLowerCase();
    expect(signed?.split(':')).toEqual(
      expect.arrayContaining(['list-unsubscribe', 'list-unsubscribe-post', 'from', 'subject']),
    );
  });

  it('pauses, resumes and cancels, with 409 for a move the status does not allow', async () => {
    const before = sink.received.length;
    const { send } = await json<SendBody>(await startSend());
    const url = `/api/admin/sends/${send.id}`;
    const paused = await owner.post(`${url}/pause`);
    expect(paused.status).toBe(200);
    expect((await json<SendBody>(paused)).send.status).toBe('paused');
    expect((await owner.post(`${url}/pause`)).status).toBe(200);

    const resumed = await owner.post(`${url}/resume`);
    expect(resumed.status).toBe(200);
    expect((await json<SendBody>(resumed)).send.status).toBe('sending');

    const cancelled = await owner.post(`${url}/cancel`);
    expect(cancelled.status).toBe(200);
    expect((await json<SendBody>(cancelled)).send.status).toBe('cancelled');
    await expectError(await owner.post(`${url}/resume`), 409, { code: 'conflict' });
    await expectError(await owner.post(`${url}/pause`), 409, { code: 'conflict' });

    // A cancelled send's batch jobs send nothing.
    await t.pressroom.worker().drain();
    expect(sink.received.length).toBe(before);
  });

  it('schedules a send for later, which cannot be paused but can be cancelled', async () => {
    const later = new Date(Date.now() + 86_400_000).toISOString();
    const res = await startSend({ scheduled_at: later });
    expect(res.status).toBe(201);
    const { send } = await json<SendBody>(res);
    expect(send.status).toBe('scheduled');
    await expectError(await owner.post(`/api/admin/sends/${send.id}/pause`), 409);
    expect((await owner.post(`/api/admin/sends/${send.id}/cancel`)).status).toBe(200);
  });

  it('answers 404 for a send that does not exist', async () => {
    await expectError(await owner.get('/api/admin/sends/nope'), 404, { code: 'not_found' });
    await expectError(await owner.post('/api/admin/sends/nope/pause'), 404);
  });

  it('sends a test email to any address, as a paid reader would see the post', async () => {
    const before = sink.received.length;
    const res = await owner.post('/api/admin/sends/test', {
      post_id: postId,
      to: 'proofreader@elsewhere.example',
    });
    expect(res.status, await res.clone().text()).toBe(202);
    const mails = await sink.waitFor(before + 1);
    const mail = mails[before]!;
    expect(mail.envelope.to).toEqual(['proofreader@elsewhere.example']);
    expect(mail.parsed.subject).toBe('[Test] What the minister said');
    expect(mail.parsed.text).toContain('Hi Reader,');
    expect(mail.parsed.text).toContain('The whole transcript, for paying readers.');
    expect(mail.parsed.text).toContain('https://news.example.com/unsubscribe');
    expect(String(mail.raw)).toMatch(/^DKIM-Signature:/im);
  });

  it.each([
    ['post_id', { newsletter_id: 'x' }],
    ['newsletter_id', { post_id: 'x' }],
    ['scheduled_at', { post_id: 'x', newsletter_id: 'x', scheduled_at: 'tomorrow' }],
    ['colour', { post_id: 'x', newsletter_id: 'x', colour: 'red' }],
  ])('answers 400 naming %s for a bad send body', async (field, body) => {
    await expectError(await owner.post('/api/admin/sends', body), 400, { field });
  });

  it('answers 400 naming the field for a bad segment or test address', async () => {
    await expectError(await startSend({ segment: 'everyone' }), 400, { field: 'segment' });
    await expectError(
      await owner.post('/api/admin/sends/test', { post_id: postId, to: 'not an address' }),
      400,
      { field: 'to' },
    );
  });

  it('is for editors and above: an author gets 403, a stranger 401', async () => {
    const { client: author } = await staffClient(t, owner, 'author');
    await expectError(await author.get('/api/admin/sends/nope'), 403, { code: 'forbidden' });
    await expectError(
      await author.post('/api/admin/sends', { post_id: postId, newsletter_id: newsletterId }),
      403,
    );
    await expectError(await t.client().get('/api/admin/sends/nope'), 401);
  });
});

describe.each(engines)('the sends admin API without a transport on %s', (dialect) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp(dialect);
  });
  afterAll(() => t.close());

  it('answers 409 naming the settings to make', async () => {
    const owner = await ownerClient(t);
    const message = /Settings → Email.*SMTP_URL.*POSTMARK_SERVER_TOKEN/;
    await expectError(
      await owner.post('/api/admin/sends', { post_id: 'p', newsletter_id: 'n' }),
      409,
      { message },
    );
    await expectError(
      await owner.post('/api/admin/sends/test', { post_id: 'p', to: 'a@example.com' }),
      409,
      { message },
    );
  });
});
