import { sql } from 'kysely';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { pino } from 'pino';
import {
  createTestDatabase,
  engines,
  hasPostgres,
  type TestDatabase,
} from '../../../test/support/database.js';
import { systemClock, type Clock } from '../clock.js';
import { JobQueue, JobWorker, retryDelayMs } from './index.js';

const logger = pino({ level: 'silent' });

class ManualClock implements Clock {
  constructor(private t: number) {}
  now() {
    return new Date(this.t);
  }
  advance(ms: number) {
    this.t += ms;
  }
}

describe('retryDelayMs', () => {
  it.each([
    [1, 1000, 500, 1000],
    [2, 1000, 1000, 2000],
    [3, 1000, 2000, 4000],
    [20, 1000, 30_000, 60_000],
  ])('attempt %i with base %i lies in [%i, %i]', (attempt, base, lo, hi) => {
    const policy = { baseDelayMs: base, maxDelayMs: 60_000 };
    expect(retryDelayMs(attempt, policy, () => 0)).toBe(lo);
    expect(retryDelayMs(attempt, policy, () => 1)).toBe(hi);
  });
});

describe.each(engines)('durable jobs on %s', (dialect) => {
  let t: TestDatabase;
  beforeEach(async () => {
    t = await createTestDatabase(dialect);
  });
  afterEach(async () => {
    await t.destroy();
  });

  it('runs a due job once and records it done', async () => {
    const queue = new JobQueue({ db: t.db, clock: systemClock });
    const seen: unknown[] = [];
    const worker = new JobWorker({
      db: t.db,
      dialect,
      clock: systemClock,
      logger,
      concurrency: 2,
    }).register('echo', async (payload) => {
      seen.push(payload);
    });
    const job = await queue.enqueue('echo', { hello: 'world' });
    await worker.drain();
    expect(seen).toEqual([{ hello: 'world' }]);
    expect((await queue.get(job.id))?.status).toBe('done');
    await worker.drain();
    expect(seen).toHaveLength(1);
  });

  it('does not run a job before its time, and runs it after', async () => {
    const clock = new ManualClock(Date.parse('2026-01-01T00:00:00Z'));
    const queue = new JobQueue({ db: t.db, clock });
    let runs = 0;
    const worker = new JobWorker({ db: t.db, dialect, clock, logger, concurrency: 1 }).register(
      'later',
      async () => {
        runs++;
      },
    );
    await queue.enqueue('later', null, { runAt: new Date(Date.parse('2026-01-01T01:00:00Z')) });
    await worker.drain();
    expect(runs).toBe(0);
    clock.advance(60 * 60_000);
    await worker.drain();
    expect(runs).toBe(1);
  });

  it('retries with backoff, keeps the last error, and gives up after max attempts', async () => {
    const clock = new ManualClock(Date.parse('2026-01-01T00:00:00Z'));
    const queue = new JobQueue({ db: t.db, clock });
    let attempts = 0;
    const worker = new JobWorker({
      db: t.db,
      dialect,
      clock,
      logger,
      concurrency: 1,
      retry: { baseDelayMs: 1000, maxDelayMs: 10_000 },
    }).register('flaky', async () => {
      attempts++;
      throw new Error(`boom ${attempts}`);
    });
    const job = await queue.enqueue('flaky', null, { maxAttempts: 3 });
    await worker.drain();
    let state = await queue.get(job.id);
    expect(state).toMatchObject({ status: 'queued', attempts: 1, last_error: 'boom 1' });
    expect(Date.parse(state!.run_at)).toBeGreaterThan(clock.now().getTime());
    await worker.drain(); // not due yet
    expect(attempts).toBe(1);
    clock.advance(10_000);
    await worker.drain();
    clock.advance(10_000);
    await worker.drain();
    state = await queue.get(job.id);
    expect(attempts).toBe(3);
    expect(state).toMatchObject({ status: 'failed', attempts: 3, last_error: 'boom 3' });
    clock.advance(60_000);
    await worker.drain();
    expect(attempts).toBe(3);
  });

  it('re-runs a job whose worker died (lease expired) and survives a reopen', async () => {
    const clock = new ManualClock(Date.parse('2026-01-01T00:00:00Z'));
    const queue = new JobQueue({ db: t.db, clock });
    const job = await queue.enqueue('work', { n: 1 });
    // A worker claims the job and "dies": it never finishes or releases it.
    const dead = new JobWorker({
      db: t.db,
      dialect,
      clock,
      logger,
      concurrency: 1,
      leaseMs: 30_000,
    }).register('work', () => new Promise<void>(() => undefined));
    dead.wake();
    await vi_waitFor(async () => (await queue.get(job.id))?.status === 'running');

    const other = await t.reopen();
    try {
      let runs = 0;
      const survivor = new JobWorker({
        db: other.db,
        dialect,
        clock,
        logger,
        concurrency: 1,
      }).register('work', async () => {
        runs++;
      });
      await survivor.drain();
      expect(runs).toBe(0); // lease still valid
      clock.advance(31_000);
      await survivor.drain();
      expect(runs).toBe(1);
      expect((await queue.get(job.id))?.status).toBe('done');
    } finally {
      await other.destroy();
    }
  });

  it('tells a stalled run that its lease was lost, once another worker has the job', async () => {
    const queue = new JobQueue({ db: t.db, clock: systemClock });
    const job = await queue.enqueue('long', null);
    let aborted: unknown;
    // Renewal runs every second with a 3 s lease.
    const stalled = new JobWorker({
      db: t.db,
      dialect,
      clock: systemClock,
      logger,
      concurrency: 1,
      leaseMs: 3000,
    }).register('long', (_payload, _job, { signal }) => {
      return new Promise<void>((resolve) => {
        signal.addEventListener('abort', () => {
          aborted = signal.reason;
          resolve();
        });
      });
    });
    stalled.start();
    try {
      await vi_waitFor(async () => (await queue.get(job.id))?.status === 'running');
      // As if the lease had run out while the process stood still and another took the job.
      await t.db
        .updateTable('jobs')
        .set({ locked_by: 'another-worker' })
        .where('id', '=', job.id)
        .execute();
      await vi_waitFor(() => Promise.resolve(aborted !== undefined), 5000);
      expect(String(aborted)).toContain('lease lost');
      // The job is the other worker's: this one neither finishes nor fails it.
      expect(await queue.get(job.id)).toMatchObject({
        status: 'running',
        locked_by: 'another-worker',
      });
    } finally {
      await stalled.stop(100);
    }
  });

  it('keeps one queued job per unique key and moves it when enqueued again', async () => {
    const queue = new JobQueue({ db: t.db, clock: systemClock });
    const first = await queue.enqueue(
      'publish',
      { v: 1 },
      { uniqueKey: 'post:1', runAt: new Date(Date.now() + 60_000) },
    );
    const second = await queue.enqueue(
      'publish',
      { v: 2 },
      { uniqueKey: 'post:1', runAt: new Date(Date.now() + 120_000) },
    );
    expect(second.id).toBe(first.id);
    expect(JSON.parse(second.payload)).toEqual({ v: 2 });
    const { total } = await queue.list({ limit: 10, offset: 0, status: 'queued' });
    expect(total).toBe(1);
    expect(await queue.cancel('post:1')).toBe(1);
    expect((await queue.list({ limit: 10, offset: 0, status: 'queued' })).total).toBe(0);
  });

  it('queues a new job for a key whose job is running (rescheduled mid-run)', async () => {
    const queue = new JobQueue({ db: t.db, clock: systemClock });
    const first = await queue.enqueue('publish', { v: 1 }, { uniqueKey: 'post:9' });
    const worker = new JobWorker({
      db: t.db,
      dialect,
      clock: systemClock,
      logger,
      concurrency: 1,
    }).register('publish', () => new Promise<void>(() => undefined));
    worker.wake();
    await vi_waitFor(async () => (await queue.get(first.id))?.status === 'running');
    const second = await queue.enqueue(
      'publish',
      { v: 2 },
      { uniqueKey: 'post:9', runAt: new Date(Date.now() + 60_000) },
    );
    expect(second.id).not.toBe(first.id);
    expect(second.status).toBe('queued');
    // Inside a transaction too: no error aborts it when the key is already queued.
    await t.db.transaction().execute(async (trx) => {
      const again = await queue.enqueue(
        'publish',
        { v: 3 },
        { uniqueKey: 'post:9', executor: trx },
      );
      expect(again.id).toBe(second.id);
    });
  });

  it('cancels queued jobs as cancelled, not failed', async () => {
    const queue = new JobQueue({ db: t.db, clock: systemClock });
    const job = await queue.enqueue('publish', null, {
      uniqueKey: 'post:c',
      runAt: new Date(Date.now() + 60_000),
    });
    expect(await queue.cancel('post:c')).toBe(1);
    expect(await queue.get(job.id)).toMatchObject({ status: 'cancelled', last_error: null });
  });

  it('graceful stop hands unfinished jobs back to the queue', async () => {
    const queue = new JobQueue({ db: t.db, clock: systemClock });
    const job = await queue.enqueue('slow', null);
    const worker = new JobWorker({
      db: t.db,
      dialect,
      clock: systemClock,
      logger,
      concurrency: 1,
    }).register('slow', () => new Promise<void>(() => undefined));
    worker.wake();
    await vi_waitFor(async () => (await queue.get(job.id))?.status === 'running');
    await worker.stop(50);
    expect(await queue.get(job.id)).toMatchObject({
      status: 'queued',
      attempts: 0,
      locked_by: null,
    });
  });
});

describe.runIf(hasPostgres)('two workers on PostgreSQL', () => {
  it('share 1,000 jobs and run each exactly once', async () => {
    const t = await createTestDatabase('postgres');
    const second = await t.reopen();
    try {
      const queue = new JobQueue({ db: t.db, clock: systemClock });
      await t.db
        .insertInto('jobs')
        .values(
          Array.from({ length: 1000 }, (_, i) => ({
            id: `job-${i}`,
            name: 'count',
            payload: JSON.stringify(i),
            status: 'queued',
            run_at: new Date(0).toISOString(),
            attempts: 0,
            max_attempts: 3,
            created_at: new Date().toISOString(),
            updated_at: new Date().toISOString(),
          })),
        )
        .execute();
      const runs = new Map<number, number>();
      const byWorker = [0, 0];
      const make = (db: typeof t.db, index: number) =>
        new JobWorker({
          db,
          dialect: 'postgres',
          clock: systemClock,
          logger,
          concurrency: 8,
        }).register('count', async (payload) => {
          runs.set(payload as number, (runs.get(payload as number) ?? 0) + 1);
          byWorker[index]!++;
          // A job takes a moment, as real ones do, so the two workers interleave.
          await new Promise((r) => setTimeout(r, 1));
        });
      const a = make(t.db, 0);
      const b = make(second.db, 1);
      // Both pools connected before the race starts: on a loaded machine a cold second pool
      // could otherwise find the queue already empty.
      await Promise.all([sql`select 1`.execute(t.db), sql`select 1`.execute(second.db)]);
      await Promise.all([a.drain(), b.drain(), a.drain(), b.drain()]);
      expect(runs.size).toBe(1000);
      expect([...runs.values()].every((n) => n === 1)).toBe(true);
      expect(byWorker[0]! + byWorker[1]!).toBe(1000);
      expect(byWorker[0]).toBeGreaterThan(0);
      expect(byWorker[1]).toBeGreaterThan(0);
      expect((await queue.list({ limit: 1, offset: 0, status: 'done' })).total).toBe(1000);
    } finally {
      await second.destroy();
      await t.destroy();
    }
  });
});

async function vi_waitFor(check: () => Promise<boolean>, timeoutMs = 5000): Promise<void> {
  const start = Date.now();
  while (!(await check())) {
    if (Date.now() - start > timeoutMs) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 10));
  }
}
