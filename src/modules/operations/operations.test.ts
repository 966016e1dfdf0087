import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPressroom } from '../../app.js';
import { loadConfig } from '../../platform/config.js';
import {
  createTestApp,
  OWNER,
  ownerClient,
  type TestApp,
  type TestClient,
} from '../../../test/support/app.js';
import { createTestDatabase, engines } from '../../../test/support/database.js';
import {
  addStaff,
  createPost,
  DAY,
  expectError,
  HOUR,
  json,
  ManualClock,
  MINUTE,
  signInAs,
  visitor,
} from '../../../test/support/fixtures.js';
import { CLEANUP_JOB, scheduleCleanup } from './index.js';

interface JobList {
  jobs: { id: string; name: string; status: string; run_at: string; payload: unknown }[];
  meta: { page: number; limit: number; pages: number; total: number };
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

describe.each(engines)('operations on %s', (dialect) => {
  let t: TestApp;
  let clock: ManualClock;
  let owner: TestClient;

  beforeAll(async () => {
    clock = new ManualClock();
    t = await createTestApp(dialect, { clock });
    owner = await ownerClient(t);
  });
  afterAll(async () => {
    await t.close();
  });

  describe('/healthz', () => {
    it('answers 200 {status: "ok"} without credentials', async () => {
      const res = await t.client().get('/healthz');
      expect(res.status).toBe(200);
      expect(res.headers.get('cache-control')).toBe('no-store');
      expect(await res.json()).toEqual({ status: 'ok', database: 'ok' });
    });

    it('answers 503 when the database is gone', async () => {
      const database = await createTestDatabase(dialect);
      const second = await database.reopen();
      const pressroom = await createPressroom({
        config: loadConfig({ NODE_ENV: 'test', PRESSROOM_URL: 'http://pressroom.test' }),
        database: second,
        logger: pino({ level: 'silent' }),
      });
      try {
        await second.destroy();
        const res = await pressroom.app.request('http://pressroom.test/healthz');
        expect(res.status).toBe(503);
        expect(await res.json()).toEqual({ status: 'error', database: 'unreachable' });
      } finally {
        await database.destroy();
      }
    });
  });

  describe('request ids', () => {
    it('echoes a valid X-Request-Id and makes one up otherwise', async () => {
      const client = t.client();
      const echoed = await client.get('/healthz', { 'x-request-id': 'lb-7f3a.42' });
      expect(echoed.headers.get('x-request-id')).toBe('lb-7f3a.42');

      const a = (await client.get('/healthz')).headers.get('x-request-id');
      const b = (await client.get('/healthz')).headers.get('x-request-id');
      expect(a).toMatch(UUID);
      expect(b).toMatch(UUID);
      expect(a).not.toBe(b);

      for (const bad of ['has spaces in it', 'x'.repeat(101), '<script>']) {
        const res = await client.get('/healthz', { 'x-request-id': bad });
        expect(res.headers.get('x-request-id')).toMatch(UUID);
      }
    });

    it('sets X-Request-Id on every kind of response, errors included', async () => {
      const anon = t.client();
      const responses = [
        await anon.get('/', { 'x-request-id': 'req-home' }),
        await anon.get('/p/nope', { 'x-request-id': 'req-404' }),
        await anon.get('/api/admin/posts', { 'x-request-id': 'req-401' }),
        await owner.request('POST', '/api/admin/posts', '{', {
          'content-type': 'application/json',
          'x-request-id': 'req-400',
        }),
        await owner.request('GET', '/api/admin/posts/none', undefined, {
          'x-request-id': 'req-api-404',
        }),
        await anon.request(
          'POST',
          '/api/admin/posts',
          { title: 'x' },
          { 'x-request-id': 'req-403' },
        ),
      ];
      expect(responses.map((r) => r.status)).toEqual([200, 404, 401, 400, 404, 403]);
      expect(responses.map((r) => r.headers.get('x-request-id'))).toEqual([
        'req-home',
        'req-404',
        'req-401',
        'req-400',
        'req-api-404',
        'req-403',
      ]);
    });
  });

  describe('/api/admin/jobs', () => {
    it('shows queued and finished jobs to admins, with filters and pagination meta', async () => {
      const runAt = new Date(clock.now().getTime() + HOUR).toISOString();
      const post = await createPost(owner, {
        title: 'Job Watch',
        status: 'scheduled',
        published_at: runAt,
      });
      await t.pressroom.services.jobs.enqueue('test.other', { n: 1 });
      await t.pressroom.services.jobs.enqueue('test.other', { n: 2 });

      const res = await owner.get('/api/admin/jobs?name=posts.publish-scheduled');
      expect(res.status).toBe(200);
      const list = await json<JobList>(res);
      expect(list.jobs).toHaveLength(1);
      expect(list.jobs[0]).toMatchObject({
        name: 'posts.publish-scheduled',
        status: 'queued',
        run_at: runAt,
        payload: { postId: post.id },
      });

      const others = await json<JobList>(
        await owner.get('/api/admin/jobs?name=test.other&limit=1&page=2'),
      );
      expect(others.meta).toEqual({ page: 2, limit: 1, pages: 2, total: 2 });
      expect(others.jobs).toHaveLength(1);

      const queued = await json<JobList>(
        await owner.get('/api/admin/jobs?status=queued&limit=200'),
      );
      expect(queued.jobs.every((j) => j.status === 'queued')).toBe(true);
      expect(queued.meta.total).toBeGreaterThanOrEqual(3);
      expect((await json<JobList>(await owner.get('/api/admin/jobs?status=done'))).jobs).toEqual(
        [],
      );

      await expectError(await owner.get('/api/admin/jobs?status=exploded'), 400, {
        field: 'status',
      });
      await expectError(await owner.get('/api/admin/jobs?limit=201'), 400, { field: 'limit' });
    });

    it('is for admins only', async () => {
      for (const role of ['editor', 'author', 'contributor']) {
        const { client } = await addStaff(t, owner, role);
        await expectError(await client.get('/api/admin/jobs'), 403, { code: 'forbidden' });
      }
      await expectError(await t.client().get('/api/admin/jobs'), 401, { code: 'unauthorized' });
      const admin = await addStaff(t, owner, 'admin');
      expect((await admin.client.get('/api/admin/jobs')).status).toBe(200);
    });
  });

  describe('maintenance', () => {
    it('purges expired sessions and spent rate-limit windows, then schedules its next run', async () => {
      const { client } = await addStaff(t, owner, 'author');
      // A failed sign-in leaves rate-limit windows behind.
      const attempt = await (
        await visitor(t, '10.6.6.6')
      ).post('/api/admin/session', {
        email: 'x@example.com',
        password: 'nope nope',
      });
      expect(attempt.status).toBe(401);
      expect(await t.pressroom.db.selectFrom('rate_limits').select('key').execute()).not.toEqual(
        [],
      );

      clock.advance(31 * DAY);
      await scheduleCleanup({ jobs: t.pressroom.services.jobs }, clock.now());
      await t.pressroom.worker().drain();

      expect(await t.pressroom.db.selectFrom('staff_sessions').select('id').execute()).toEqual([]);
      expect(await t.pressroom.db.selectFrom('rate_limits').select('key').execute()).toEqual([]);
      await expectError(await client.get('/api/admin/session'), 401);

      // Every session expired, the owner's too.
      const admin = await signInAs(t, OWNER.email, OWNER.password);
      const next = await json<JobList>(
        await admin.get(`/api/admin/jobs?name=${CLEANUP_JOB}&status=queued`),
      );
      expect(next.jobs).toHaveLength(1);
      const nextHour = new Date(
        (Math.floor(clock.now().getTime() / HOUR) + 1) * HOUR,
      ).toISOString();
      expect(next.jobs[0]!.run_at).toBe(nextHour);
      expect(Date.parse(next.jobs[0]!.run_at) - clock.now().getTime()).toBeLessThanOrEqual(
        60 * MINUTE,
      );
    });
  });
});
