import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createTestApp,
  ownerClient,
  type TestApp,
  type TestClient,
} from '../../../../test/support/app.js';
import { engines } from '../../../../test/support/database.js';
import { insertMember, ManualClock } from '../../../../test/support/fixtures.js';
import { startSmtpSink } from '../../../../test/support/smtp-sink.js';

interface PostJson {
  id: string;
  status: string;
  email_newsletter_id: string | null;
  email_segment: string;
  email_subject: string | null;
  email_send_id: string | null;
}

/**
 * Publishing emails a post: the newsletter, segment and subject chosen on the post, sent once
 * when it goes live (now or at its scheduled time), through the worker's jobs.
 */
describe.each(engines)('publishing a post with an email on %s', (dialect) => {
  let sink: Awaited<ReturnType<typeof startSmtpSink>>;
  let t: TestApp;
  let owner: TestClient;
  const clock = new ManualClock('2026-05-04T09:00:00.000Z');
  let newsletterId: string;
  let otherNewsletterId: string;

  const post = async (res: Response) => {
    const json = (await res.json()) as { post: PostJson };
    return json.post;
  };
  const drain = async () => {
    // The publish job snapshots and queues batches; the batches need another round.
    for (let i = 0; i < 4; i++) await t.pressroom.worker().drain();
  };
  const receivedBy = (email: string) =>
    sink.received.filter((m) => m.envelope.to[0] === email).map((m) => m.parsed.subject);

  beforeAll(async () => {
    sink = await startSmtpSink();
    t = await createTestApp(dialect, {
      clock,
      env: { SMTP_URL: sink.url, PRESSROOM_URL: 'https://news.example.com' },
    });
    owner = await ownerClient(t);
    const { newsletters } = t.pressroom.services;
    await newsletters.ensureDefault();
    const rows = await t.pressroom.db.selectFrom('newsletters').select('id').execute();
    newsletterId = rows[0]!.id;
    const other = await owner.post('/api/admin/newsletters', { name: 'Transcripts only' });
    expect(other.status).toBe(201);
    otherNewsletterId = ((await other.json()) as { newsletter: { id: string } }).newsletter.id;
    await insertMember(t.pressroom.db, {
      id: 'm-ana',
      email: 'ana@example.com',
      name: 'Ana',
      newsletters: [newsletterId],
    });
    await insertMember(t.pressroom.db, {
      id: 'm-ben',
      email: 'ben@example.com',
      name: 'Ben',
      newsletters: [newsletterId, otherNewsletterId],
    });
    await insertMember(t.pressroom.db, {
      id: 'm-cy',
      email: 'cy@example.com',
      name: 'Cy',
      newsletters: [],
    });
  });
  afterAll(async () => {
    await t.close();
    await sink.close();
  });

  it('sends once when published, with the chosen subject, and never again', async () => {
    const created = await owner.post('/api/admin/posts', {
      title: 'Press conference, 3 May',
      markdown: 'Opening remarks.\n\n**Question:** Will you meet?',
      status: 'published',
      email_newsletter_id: newsletterId,
      email_subject: 'What the minister said on Friday',
    });
    expect(created.status).toBe(201);
    const p = await post(created);
    expect(p.email_newsletter_id).toBe(newsletterId);
    expect(p.email_segment).toBe('all');
    await drain();

    expect(receivedBy('ana@example.com')).toEqual(['What the minister said on Friday']);
    expect(receivedBy('ben@example.com')).toEqual(['What the minister said on Friday']);
    expect(receivedBy('cy@example.com')).toEqual([]);

    const after = await post(await owner.get(`/api/admin/posts/${p.id}`));
    expect(after.email_send_id).not.toBeNull();
    const report = await owner.get(`/api/admin/sends/${after.email_send_id}`);
    expect(((await report.json()) as { send: { status: string; sent: number } }).send).toEqual(
      expect.objectContaining({ status: 'sent', sent: 2 }),
    );

    // Unpublishing and publishing again changes nothing in anyone's inbox.
    await owner.patch(`/api/admin/posts/${p.id}`, { status: 'draft' });
    await owner.patch(`/api/admin/posts/${p.id}`, { status: 'published' });
    await drain();
    expect(receivedBy('ana@example.com')).toHaveLength(1);

    // What was sent is a record: the email settings of an emailed post stay as they were.
    const change = await owner.patch(`/api/admin/posts/${p.id}`, {
      email_newsletter_id: otherNewsletterId,
    });
    expect(change.status).toBe(409);
  });

  it('sends a scheduled post at its time, not before', async () => {
    const at = new Date(clock.now().getTime() + 60 * 60_000).toISOString();
    const created = await owner.post('/api/admin/posts', {
      title: 'Scheduled analysis',
      markdown: 'Later.',
      status: 'scheduled',
      published_at: at,
      email_newsletter_id: otherNewsletterId,
    });
    expect(created.status).toBe(201);
    const p = await post(created);
    await drain();
    expect(receivedBy('ben@example.com')).not.toContain('Scheduled analysis');

    clock.advance(61 * 60_000);
    await drain();
    expect(receivedBy('ben@example.com')).toContain('Scheduled analysis');
    expect(receivedBy('ana@example.com')).not.toContain('Scheduled analysis');
    expect((await post(await owner.get(`/api/admin/posts/${p.id}`))).status).toBe('published');
  });

  it('sends nothing for a post published without an email, or unpublished before its send', async () => {
    const before = sink.received.length;
    await owner.post('/api/admin/posts', {
      title: 'Web only',
      markdown: 'No email.',
      status: 'published',
    });
    const created = await owner.post('/api/admin/posts', {
      title: 'Pulled at once',
      markdown: 'Oops.',
      status: 'published',
      email_newsletter_id: newsletterId,
    });
    const p = await post(created);
    // Unpublished before any worker picked up the send.
    await owner.patch(`/api/admin/posts/${p.id}`, { status: 'draft' });
    await drain();
    expect(sink.received.length).toBe(before);
    expect((await post(await owner.get(`/api/admin/posts/${p.id}`))).email_send_id).toBeNull();
  });

  it('names the field when the newsletter or segment is wrong', async () => {
    const badNewsletter = await owner.post('/api/admin/posts', {
      title: 'Bad newsletter',
      status: 'published',
      email_newsletter_id: 'no-such-newsletter',
    });
    expect(badNewsletter.status).toBe(400);
    expect(JSON.stringify(await badNewsletter.json())).toContain('email_newsletter_id');

    const badSegment = await owner.post('/api/admin/posts', {
      title: 'Bad segment',
      email_newsletter_id: newsletterId,
      email_segment: 'everyone!',
    });
    expect(badSegment.status).toBe(400);
    expect(JSON.stringify(await badSegment.json())).toContain('email_segment');

    const unknownTier = await owner.post('/api/admin/posts', {
      title: 'Unknown tier',
      email_newsletter_id: newsletterId,
      email_segment: 'tier:nope',
    });
    expect(unknownTier.status).toBe(400);
    expect(JSON.stringify(await unknownTier.json())).toContain('email_segment');

    const list = await owner.get('/api/admin/posts?search=Bad');
    expect(((await list.json()) as { posts: unknown[] }).posts).toEqual([]);
  });
});

describe('publishing with an email and no transport', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp('sqlite');
  });
  afterAll(() => t.close());

  it('is refused with a message that says what to configure', async () => {
    const owner = await ownerClient(t);
    await t.pressroom.services.newsletters.ensureDefault();
    const { id } = await t.pressroom.db
      .selectFrom('newsletters')
      .select('id')
      .executeTakeFirstOrThrow();
    const res = await owner.post('/api/admin/posts', {
      title: 'Nowhere to send',
      status: 'published',
      email_newsletter_id: id,
    });
    expect(res.status).toBe(400);
    const body = JSON.stringify(await res.json());
    expect(body).toContain('email_newsletter_id');
    expect(body).toContain('SMTP_URL');
  });
});
