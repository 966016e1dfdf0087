import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createTestApp,
  ownerClient,
  staffClient,
  type TestApp,
  type TestClient,
} from '../../../../test/support/app.js';
import { engines } from '../../../../test/support/database.js';
import {
  createPost,
  expectError,
  insertMember,
  json,
  ManualClock,
  MINUTE,
} from '../../../../test/support/fixtures.js';
import { startSmtpSink } from '../../../../test/support/smtp-sink.js';
import { insertTier } from './sends.fixtures.js';
import type { SendSummary } from './sends.service.js';

type ListBody = {
  sends: SendSummary[];
  meta: { page: number; limit: number; pages: number; total: number };
};
type FailuresBody = {
  failures: {
    member_id: string;
    email: string;
    name: string | null;
    attempts: number;
    last_error: string | null;
  }[];
  meta: { page: number; limit: number; pages: number; total: number };
};

/**
 * The admin's list of sends and a send's report, through the whole app: a real SMTP sink
 * that refuses two addresses for good, the worker draining the batch jobs, a clock that moves
 * a minute between sends so "newest first" is unambiguous.
 */
describe.each(engines)('listing sends and their failures on %s', (dialect) => {
  let sink: Awaited<ReturnType<typeof startSmtpSink>>;
  let t: TestApp;
  let owner: TestClient;
  const clock = new ManualClock();
  let newsletterId: string;
  let tierId: string;
  /** The send delivered to everyone but the refused addresses. */
  let delivered: SendSummary;
  let cancelled: SendSummary;
  let scheduled: SendSummary;
  let toTier: SendSummary;
  const refused = ['zed@example.com', 'yan@example.com'];

  const startSend = async (postId: string, extra: Record<string, unknown> = {}) => {
    clock.advance(MINUTE);
    const res = await owner.post('/api/admin/sends', {
      post_id: postId,
      newsletter_id: newsletterId,
      segment: 'all',
      ...extra,
    });
    const body = await json<{ send: SendSummary }>(res);
    expect(res.status, JSON.stringify(body)).toBe(201);
    return body.send;
  };
  const list = async (query = '') => {
    const res = await owner.get(`/api/admin/sends${query}`);
    const body = await json<ListBody>(res);
    expect(res.status, JSON.stringify(body)).toBe(200);
    return body;
  };

  beforeAll(async () => {
    sink = await startSmtpSink({
      failures: (rcpt) => (refused.includes(rcpt) ? 'permanent' : 'accept'),
    });
    t = await createTestApp(dialect, {
      clock,
      env: { SMTP_URL: sink.url, PRESSROOM_URL: 'https://news.example.com' },
    });
    owner = await ownerClient(t);
    const { pressroom } = t;
    await pressroom.services.newsletters.ensureDefault();
    newsletterId = (
      await pressroom.db.selectFrom('newsletters').select(['id']).executeTakeFirstOrThrow()
    ).id;
    tierId = await insertTier(pressroom.db, 'patrons');
    const readers = ['ana@example.com', 'ben@example.com', ...refused];
    for (const [i, email] of readers.entries()) {
      await insertMember(pressroom.db, {
        id: `m-${i}`,
        email,
        name: `Reader ${i}`,
        newsletters: [newsletterId],
      });
    }
    await insertMember(
      pressroom.db,
      { id: 'm-patron', email: 'pat@example.com', newsletters: [newsletterId] },
      { status: 'paid', tier_id: tierId },
    );

    const first = await createPost(owner, {
      title: 'What the minister said',
      markdown: 'Opening remarks.',
      status: 'published',
    });
    const second = await createPost(owner, {
      title: 'Grain, a week on',
      markdown: 'A follow-up.',
      status: 'published',
    });
    delivered = await startSend(first.id);
    await pressroom.worker().drain();
    cancelled = await startSend(second.id);
    // Cancelled before the worker saw it: nothing of it goes out.
    expect((await owner.post(`/api/admin/sends/${cancelled.id}/cancel`)).status).toBe(200);
    toTier = await startSend(second.id, { segment: `tier:${tierId}` });
    await pressroom.worker().drain();
    scheduled = await startSend(second.id, {
      scheduled_at: new Date(clock.now().getTime() + 86_400_000).toISOString(),
    });
  });
  afterAll(async () => {
    await t?.close();
    await sink?.close();
  });

  it('lists sends newest first with their post, newsletter, segment, counters and progress', async () => {
    const { sends, meta } = await list();
    expect(meta).toEqual({ page: 1, limit: 20, pages: 1, total: 4 });
    expect(sends.map((s) => s.id)).toEqual([scheduled.id, toTier.id, cancelled.id, delivered.id]);
    const done = sends[3]!;
    expect(done).toMatchObject({
      id: delivered.id,
      post_title: 'What the minister said',
      subject: 'What the minister said',
      newsletter_id: newsletterId,
      newsletter_name: expect.any(String) as string,
      segment: 'all',
      tier_name: null,
      status: 'sent',
      total: 5,
      sent: 3,
      failed: 2,
      suppressed: 0,
      remaining: 0,
      eta_seconds: null,
    });
    expect(done.started_at).not.toBeNull();
    expect(done.finished_at).not.toBeNull();
    expect(sends[1]).toMatchObject({ status: 'sent', segment: `tier:${tierId}` });
    expect(sends[1]!.tier_name).toBe('patrons');
    expect(sends[1]).toMatchObject({ total: 1, sent: 1, failed: 0 });
    expect(sends[2]).toMatchObject({
      status: 'cancelled',
      post_title: 'Grain, a week on',
      sent: 0,
    });
    expect(sends[0]).toMatchObject({ status: 'scheduled', total: 0, started_at: null });
    expect(sends[0]!.scheduled_at).not.toBeNull();
  });

  it('pages the list with a total, and filters it by status', async () => {
    const first = await list('?limit=3');
    expect(first.meta).toEqual({ page: 1, limit: 3, pages: 2, total: 4 });
    expect(first.sends).toHaveLength(3);
    const second = await list('?limit=3&page=2');
    expect(second.sends.map((s) => s.id)).toEqual([delivered.id]);
    expect((await list('?limit=3&page=3')).sends).toEqual([]);

    const sent = await list('?status=sent');
    expect(sent.meta.total).toBe(2);
    expect(sent.sends.map((s) => s.id)).toEqual([toTier.id, delivered.id]);
    expect((await list('?status=cancelled')).sends.map((s) => s.id)).toEqual([cancelled.id]);
    expect((await list('?status=paused')).meta).toEqual({ page: 1, limit: 20, pages: 1, total: 0 });
  });

  it('shows one send with its post and newsletter', async () => {
    const res = await owner.get(`/api/admin/sends/${delivered.id}`);
    expect(res.status).toBe(200);
    const { send } = await json<{ send: SendSummary }>(res);
    const listed = (await list()).sends.find((s) => s.id === delivered.id);
    expect(send).toEqual(listed);
  });

  it('keeps a send in the list after its post is deleted, without a title', async () => {
    const doomed = await createPost(owner, { title: 'Withdrawn', markdown: 'Soon gone.' });
    const send = await startSend(doomed.id, {
      scheduled_at: new Date(clock.now().getTime() + 86_400_000).toISOString(),
    });
    expect((await owner.delete(`/api/admin/posts/${doomed.id}`)).status).toBe(204);
    const listed = (await list()).sends.find((s) => s.id === send.id);
    expect(listed).toMatchObject({ post_id: null, post_title: null, subject: 'Withdrawn' });
    expect((await owner.post(`/api/admin/sends/${send.id}/cancel`)).status).toBe(200);
  });

  it('reports the recipients a send failed to reach, with the last error, by address', async () => {
    const res = await owner.get(`/api/admin/sends/${delivered.id}/failures`);
    const body = await json<FailuresBody>(res);
    expect(res.status, JSON.stringify(body)).toBe(200);
    expect(body.meta).toEqual({ page: 1, limit: 20, pages: 1, total: 2 });
    expect(body.failures.map((f) => f.email)).toEqual(['yan@example.com', 'zed@example.com']);
    for (const f of body.failures) {
      expect(f.last_error).toMatch(/550|No such user/);
      expect(f.attempts).toBe(1);
    }
    expect(body.failures[0]).toMatchObject({ member_id: 'm-3', name: 'Reader 3' });

    const paged = await json<FailuresBody>(
      await owner.get(`/api/admin/sends/${delivered.id}/failures?limit=1&page=2`),
    );
    expect(paged.meta).toEqual({ page: 2, limit: 1, pages: 2, total: 2 });
    expect(paged.failures.map((f) => f.email)).toEqual(['zed@example.com']);

    const none = await json<FailuresBody>(
      await owner.get(`/api/admin/sends/${toTier.id}/failures`),
    );
    expect(none).toEqual({ failures: [], meta: { page: 1, limit: 20, pages: 1, total: 0 } });
  });

  it('answers 404 for the failures of a send that does not exist', async () => {
    await expectError(await owner.get('/api/admin/sends/nope/failures'), 404, {
      code: 'not_found',
    });
  });

  it.each([
    ['status', '?status=done'],
    ['status', '?status='],
    ['limit', '?limit=0'],
    ['limit', '?limit=101'],
    ['limit', '?limit=many'],
    ['page', '?page=0'],
    ['page', '?page=1.5'],
  ])('answers 400 naming %s for a bad list query (%s)', async (field, query) => {
    await expectError(await owner.get(`/api/admin/sends${query}`), 400, {
      code: 'invalid_input',
      field,
    });
  });

  it.each([
    ['limit', '?limit=0'],
    ['page', '?page=-1'],
  ])('answers 400 naming %s for a bad failures query (%s)', async (field, query) => {
    await expectError(await owner.get(`/api/admin/sends/${delivered.id}/failures${query}`), 400, {
      field,
    });
  });

  it('is for editors and above: an author gets 403, a stranger 401', async () => {
    const { client: author } = await staffClient(t, owner, 'author');
    await expectError(await author.get('/api/admin/sends'), 403, { code: 'forbidden' });
    await expectError(await author.get(`/api/admin/sends/${delivered.id}/failures`), 403);
    await expectError(await t.client().get('/api/admin/sends'), 401);
    const { client: editor } = await staffClient(t, owner, 'editor');
    expect((await editor.get('/api/admin/sends')).status).toBe(200);
  });
});
