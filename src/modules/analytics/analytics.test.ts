import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { createPressroom, type Pressroom } from '../../app.js';
import { loadConfig } from '../../platform/config.js';
import { recordMemberEvent } from '../members/index.js';
import {
  createTestApp,
  ownerClient,
  staffClient,
  type TestApp,
  type TestClient,
} from '../../../test/support/app.js';
import { createTestDatabase, engines, type TestDatabase } from '../../../test/support/database.js';
import {
  DAY,
  HOUR,
  ManualClock,
  createPost,
  expectError,
  json,
} from '../../../test/support/fixtures.js';
import type { Dashboard } from './index.js';

const BROWSER =
  'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0 Safari/537.36';
const PAGE = { 'user-agent': BROWSER, accept: 'text/html,application/xhtml+xml' };

type Row = { day: string; path: string; post_id: string | null; views: number };

const tables = (p: Pressroom) => p.db.withTables<{ page_views: Row }>();
const storedViews = async (p: Pressroom): Promise<Row[]> =>
  (await tables(p).selectFrom('page_views').selectAll().orderBy('path').execute()).map((r) => ({
    ...r,
    views: Number(r.views),
  }));

const getDashboard = async (client: TestClient, query = '') => {
  const res = await client.get(`/api/admin/dashboard${query}`);
  const body = await json<{ dashboard: Dashboard }>(res);
  expect(res.status, JSON.stringify(body)).toBe(200);
  return body.dashboard;
};

describe.each(engines)('page views on %s', (dialect) => {
  let t: TestApp | undefined;
  let second: Pressroom | undefined;
  let server: Server | undefined;
  afterEach(async () => {
    await new Promise((resolve) => (server ? server.close(resolve) : resolve(undefined)));
    server = undefined;
    await second?.close(100);
    second = undefined;
    await t?.close();
    t = undefined;
  });

  it('counts site pages per day and path, and keeps nothing about the reader', async () => {
    const clock = new ManualClock('2026-03-02T10:00:00.000Z');
    t = await createTestApp(dialect, { clock, env: { PRESSROOM_DEMO_CONTENT: 'false' } });
    const owner = await ownerClient(t);
    const post = await createPost(owner, { title: 'Counted', status: 'published' });
    const reader = t.client();
    reader.ip = '203.0.113.77';

    for (let i = 0; i < 3; i++)
      expect((await reader.get(`/p/${post.slug}`, PAGE)).status).toBe(200);
    const home = await reader.get('/', PAGE);
    expect(home.status).toBe(200);
    // No cookie is set to tell readers apart.
    expect(home.headers.getSetCookie()).toEqual([]);
    // The next day, another view: a new row.
    clock.advance(DAY);
    await reader.get(`/p/${post.slug}?utm_source=newsletter`, PAGE);

    // Counted in memory until flushed.
    expect(await storedViews(t.pressroom)).toEqual([]);
    expect(t.pressroom.services.pageViews.pendingViews).toBe(5);
    await t.pressroom.services.pageViews.flush();
    expect(t.pressroom.services.pageViews.pendingViews).toBe(0);

    const rows = await storedViews(t.pressroom);
    expect(rows).toEqual([
      { day: '2026-03-02', path: '/', post_id: null, views: 1 },
      { day: '2026-03-02', path: `/p/${post.slug}`, post_id: post.id, views: 3 },
      { day: '2026-03-03', path: `/p/${post.slug}`, post_id: post.id, views: 1 },
    ]);
    // The whole record: a day, a path, a post, a number. No address, agent or identifier.
    expect(Object.keys(rows[0]!).sort()).toEqual(['day', 'path', 'post_id', 'views']);
    const stored = JSON.stringify(
      await tables(t.pressroom).selectFrom('page_views').selectAll().execute(),
    );
    expect(stored).not.toContain('203.0.113.77');
    expect(stored).not.toContain('Chrome');
  });

  it('leaves out HEAD, bots, scripts, prefetches, assets, feeds, the admin and errors', async () => {
    t = await createTestApp(dialect, { env: { PRESSROOM_DEMO_CONTENT: 'false' } });
    const owner = await ownerClient(t);
    const post = await createPost(owner, { title: 'Not counted', status: 'published' });
    const c = t.client();
    const asset = /href="(\/assets\/[^"]+\.css)"/.exec(await (await c.get('/', PAGE)).text())?.[1];
    expect(asset).toBeDefined();
    await t.pressroom.services.pageViews.flush();
    await tables(t.pressroom).deleteFrom('page_views').execute();

    const answers = [
      await c.request('HEAD', `/p/${post.slug}`, undefined, PAGE),
      await c.get(`/p/${post.slug}`, {
        ...PAGE,
        'user-agent': 'Mozilla/5.0 (compatible; Googlebot/2.1)',
      }),
      await c.get(`/p/${post.slug}`, { ...PAGE, 'user-agent': 'curl/8.5.0' }),
      await c.get(`/p/${post.slug}`, { accept: 'text/html' }),
      await c.get(`/p/${post.slug}`, { ...PAGE, 'sec-purpose': 'prefetch' }),
      await c.get(asset!, PAGE),
      await c.get('/rss.xml', PAGE),
      await c.get('/sitemap.xml', PAGE),
      await c.get('/admin/signin', PAGE),
      await owner.get('/api/admin/posts', PAGE),
      await c.get('/p/no-such-post', PAGE),
    ];
    expect(answers.map((r) => r.status)).toEqual([
      200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 404,
    ]);
    expect(t.pressroom.services.pageViews.pendingViews).toBe(0);
    await t.pressroom.services.pageViews.flush();
    expect(await storedViews(t.pressroom)).toEqual([]);

    // …and the same reader with a browser is counted.
    await c.get(`/p/${post.slug}`, PAGE);
    expect(t.pressroom.services.pageViews.pendingViews).toBe(1);
  });

  it('counts pages the page cache answers without the app, and not its HEADs', async () => {
    t = await createTestApp(dialect, { env: { PRESSROOM_DEMO_CONTENT: 'false' } });
    const owner = await ownerClient(t);
    const post = await createPost(owner, { title: 'Cached', status: 'published' });
    server = createServer(t.pressroom.requestListener);
    await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
    const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

    const first = await fetch(`${base}/p/${post.slug}`, { headers: PAGE });
    expect(first.status).toBe(200);
    await first.text();
    // From the cache, straight from memory: the app never sees these.
    const again = await fetch(`${base}/p/${post.slug}`, { headers: PAGE });
    await again.text();
    const revisit = await fetch(`${base}/p/${post.slug}`, {
      headers: { ...PAGE, 'if-none-match': first.headers.get('etag')! },
    });
    expect(revisit.status).toBe(304);
    const head = await fetch(`${base}/p/${post.slug}`, { method: 'HEAD', headers: PAGE });
    expect(head.status).toBe(200);
    const feed = await fetch(`${base}/rss.xml`, { headers: PAGE });
    await feed.text();
    const feedAgain = await fetch(`${base}/rss.xml`, { headers: PAGE });
    await feedAgain.text();

    await t.pressroom.services.pageViews.flush();
    expect((await storedViews(t.pressroom)).map((r) => [r.path, r.views])).toEqual([
      [`/p/${post.slug}`, 3],
    ]);
  });

  it('adds up the counts of two processes sharing one database', async () => {
    const database: TestDatabase = await createTestDatabase(dialect);
    const config = loadConfig({
      NODE_ENV: 'test',
      PRESSROOM_URL: 'http://pressroom.test',
      PRESSROOM_DATA_DIR: '/nonexistent-test-data',
      PRESSROOM_DEMO_CONTENT: 'false',
    });
    const start = async (handle: TestDatabase | Awaited<ReturnType<TestDatabase['reopen']>>) =>
      createPressroom({ config, database: handle, logger: pino({ level: 'silent' }), env: {} });
    const one = await start(database);
    t = { pressroom: one, client: () => ({}) as never, close: () => one.close(100) };
    second = await start(await database.reopen());
    const owner = await one.services.staff.createOwner({
      email: 'o@example.com',
      name: 'O',
      password: 'a long password 123',
    });
    const post = await one.services.posts.create(owner, { title: 'Shared', status: 'published' });
    const view = (p: Pressroom, path: string) =>
      p.app.request(`http://pressroom.test${path}`, { headers: PAGE });

    for (let i = 0; i < 4; i++) await view(one, `/p/${post.slug}`);
    for (let i = 0; i < 3; i++) await view(second, `/p/${post.slug}`);
    await view(second, '/');
    // Interleaved flushes, as the processes' timers would make them.
    await one.services.pageViews.flush();
    await second.services.pageViews.flush();
    await view(one, `/p/${post.slug}`);
    await view(second, `/p/${post.slug}`);
    await Promise.all([one.services.pageViews.flush(), second.services.pageViews.flush()]);
    // Closing flushes what is left.
    await view(second, '/');
    await second.close(100);
    second = undefined;

    expect((await storedViews(one)).map((r) => [r.path, r.post_id, r.views])).toEqual([
      ['/', null, 2],
      [`/p/${post.slug}`, post.id, 9],
    ]);
  });
});

describe.each(engines)('the dashboard on %s', (dialect) => {
  let t: TestApp | undefined;
  afterEach(async () => {
    await t?.close();
    t = undefined;
  });

  it('shows members over time as their status changes', async () => {
    const clock = new ManualClock('2026-03-02T10:00:00.000Z');
    t = await createTestApp(dialect, { clock, env: { PRESSROOM_DEMO_CONTENT: 'false' } });
    const owner = await ownerClient(t);
    const { db, services } = t.pressroom;
    const add = async (email: string, body: Record<string, unknown> = {}) => {
      const res = await owner.post('/api/admin/members', { email, ...body });
      const out = await json<{ member: { id: string } }>(res);
      expect(res.status, JSON.stringify(out)).toBe(201);
      return out.member.id;
    };
    const at = (days: number, hours = 0) =>
      new Date(Date.parse('2026-03-02T10:00:00.000Z') + days * DAY + hours * HOUR).toISOString();

    // Day 0: four free members.
    const a = await add('a@example.com');
    const b = await add('b@example.com');
    const c = await add('c@example.com');
    const d = await add('d@example.com');
    clock.advance(2 * DAY); // day 2: b pledges
    await services.pledges.pledge(b, { amount: 5, interval: 'month' });
    clock.advance(DAY); // day 3: c is comped until the middle of day 6
    expect((await owner.post(`/api/admin/members/${c}/comp`, { until: at(6, 2) })).status).toBe(
      200,
    );
    clock.advance(DAY); // day 4: a starts paying (as the Stripe webhook records it)
    await db
      .updateTable('members')
      .set({ status: 'paid', updated_at: at(4) })
      .where('id', '=', a)
      .execute();
    await recordMemberEvent(db, a, 'paid', { tier: null, interval: 'month' }, at(4));
    clock.advance(3 * DAY); // day 7: b withdraws the pledge
    await services.pledges.withdraw(b);
    clock.advance(DAY); // day 8: d is deleted
    expect((await owner.delete(`/api/admin/members/${d}`)).status).toBe(204);
    clock.advance(DAY); // day 9: e joins, comped for good
    await add('e@example.com', { comp: { until: null } });
    clock.advance(DAY); // day 10: today

    const dashboard = await getDashboard(owner);
    expect(dashboard.days).toBe(30);
    const days = dashboard.members.days;
    expect(days).toHaveLength(30);
    expect(days.at(-1)!.date).toBe('2026-03-12');
    const from = (date: string) => days.findIndex((x) => x.date === date);
    expect(days.slice(0, from('2026-03-02')).every((x) => x.free + x.pledged + x.paid === 0)).toBe(
      true,
    );
    expect(days.slice(from('2026-03-02')).map((x) => [x.free, x.pledged, x.paid])).toEqual([
      [4, 0, 0], // day 0
      [4, 0, 0],
      [3, 1, 0], // b pledged
      [2, 1, 1], // c comped
      [1, 1, 2], // a paid
      [1, 1, 2],
      [2, 1, 1], // c's comp ran out
      [3, 0, 1], // b withdrew
      [2, 0, 1], // d deleted
      [2, 0, 2], // e comped
      [2, 0, 2], // today
    ]);
    expect(dashboard.members.totals).toEqual({ free: 2, pledged: 0, paid: 2, total: 4 });
    // The rows agree with today's figure.
    expect(await db.selectFrom('members').select('id').execute()).toHaveLength(4);
  });

  it('lists the latest posts with their views and email figures, and views per day', async () => {
    const clock = new ManualClock('2026-03-02T10:00:00.000Z');
    t = await createTestApp(dialect, { clock, env: { PRESSROOM_DEMO_CONTENT: 'false' } });
    const owner = await ownerClient(t);
    const { db } = t.pressroom;
    const older = await createPost(owner, { title: 'Older', status: 'published' });
    clock.advance(HOUR);
    const emailed = await createPost(owner, { title: 'Emailed', status: 'published' });
    await createPost(owner, { title: 'Draft' });
    const now = clock.now().toISOString();
    await db
      .insertInto('email_sends')
      .values({
        id: 'send-1',
        post_id: emailed.id,
        newsletter_id: null,
        segment: 'all',
        status: 'sent',
        subject: 'Emailed',
        frozen: null,
        scheduled_at: null,
        started_at: now,
        finished_at: now,
        total: 120,
        sent: 117,
        failed: 1,
        suppressed: 2,
        resent: 0,
        bounced: 3,
        complained: 1,
        unsubscribed: 4,
        last_error: null,
        created_by: null,
        created_at: now,
        updated_at: now,
      })
      .execute();
    await db
      .updateTable('posts')
      .set({ email_send_id: 'send-1' })
      .where('id', '=', emailed.id)
      .execute();

    const reader = t.client();
    await reader.get(`/p/${older.slug}`, PAGE);
    clock.advance(9 * DAY);
    for (let i = 0; i < 2; i++) await reader.get(`/p/${older.slug}`, PAGE);
    for (let i = 0; i < 5; i++) await reader.get(`/p/${emailed.slug}`, PAGE);
    await reader.get('/', PAGE);
    // Not flushed: the dashboard adds this process's counts first.

    const dashboard = await getDashboard(owner, '?days=90');
    expect(dashboard.days).toBe(90);
    expect(dashboard.posts.map((p) => p.title)).toEqual(['Emailed', 'Older']);
    expect(dashboard.posts[0]).toEqual({
      id: emailed.id,
      title: 'Emailed',
      slug: emailed.slug,
      published_at: emailed.published_at,
      views: 5,
      views_last_7_days: 5,
      email: {
        status: 'sent',
        recipients: 120,
        sent: 117,
        bounced: 3,
        complained: 1,
        unsubscribed: 4,
      },
    });
    expect(dashboard.posts[1]).toMatchObject({ views: 3, views_last_7_days: 2, email: null });
    expect(dashboard.views.days).toHaveLength(90);
    expect(dashboard.views.days.filter((d) => d.views > 0)).toEqual([
      { date: '2026-03-02', views: 1 },
      { date: '2026-03-11', views: 8 },
    ]);
    expect(dashboard.views.total).toBe(9);
  });

  it('answers 400 naming days for a range it does not offer, and only to editors and up', async () => {
    t = await createTestApp(dialect, { env: { PRESSROOM_DEMO_CONTENT: 'false' } });
    const owner = await ownerClient(t);
    for (const bad of ['7', 'abc', '-30', '30.5']) {
      const body = await expectError(await owner.get(`/api/admin/dashboard?days=${bad}`), 400);
      expect(body.error.field).toBe('days');
    }
    expect((await getDashboard(owner, '?days=365')).members.days).toHaveLength(365);

    const editor = await staffClient(t, owner, 'editor');
    expect((await editor.client.get('/api/admin/dashboard')).status).toBe(200);
    const author = await staffClient(t, owner, 'author');
    await expectError(await author.client.get('/api/admin/dashboard'), 403);
    await expectError(await t.client().get('/api/admin/dashboard'), 401);
  });
});
