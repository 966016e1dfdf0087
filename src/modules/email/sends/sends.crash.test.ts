import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { sql } from 'kysely';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createTestDatabase,
  engines,
  postgresUrl,
  type TestDatabase,
} from '../../../../test/support/database.js';
import { doc, paragraph } from '../../../../test/support/fixtures.js';
import { createPressroom, type Pressroom } from '../../../app.js';
import { loadConfig } from '../../../platform/config.js';
import type { Db, Dialect } from '../../../platform/db/index.js';
import { createSmtpTransport } from '../transport/index.js';
import { SEND_BATCH_JOB, type SendProgress } from './index.js';
import {
  startCountingSink,
  WorkerFleet,
  type CountingSink,
  type SinkDelivery,
  type WorkerProcess,
} from './sends-crash.fixtures.js';
import { insertMembers, insertNewsletter, insertPost } from './sends.fixtures.js';

/**
 * A 20,000-recipient send through real `pressroom worker` processes, SIGKILLed early, midway
 * and inside a batch, and started again: every address gets its copy, and the copies sent
 * twice are no more than the send reports as resent, which is no more than what the killed
 * workers could have had in flight. SQLite runs one worker at a time; PostgreSQL two at once.
 */

const RECIPIENTS = 20_000;
const CONCURRENCY = 4;
// Short, so a killed worker's batches run again within seconds. Leases are renewed every
// second, so a live worker keeps its jobs unless its event loop stalls for two.
const LEASE_SECONDS = 3;
const EARLY = 300;
const MIDDLE = RECIPIENTS / 2;

interface Kill {
  point: string;
  victim: string;
  trigger: SinkDelivery;
  receivedAtKill: number;
  /** Seconds since the send was created. */
  at: number;
  /** Addresses the killed worker had handed to its transport without recording the outcome. */
  inFlight: string[];
  /** The most it can have had in flight: jobs at once × messages per transport call. */
  limit: number;
}

function databaseUrl(dialect: Dialect, database: TestDatabase): string {
  if (dialect === 'sqlite') return `sqlite:${database.location}`;
  const options = encodeURIComponent(`-c search_path=${database.location}`);
  return `${postgresUrl}${postgresUrl.includes('?') ? '&' : '?'}options=${options}`;
}

/** Worker ids are `host:pid:random`; the batches a process was running when it died. */
async function batchesHeldBy(db: Db, sendId: string, pid: number): Promise<number[]> {
  const running = await db
    .selectFrom('jobs')
    .select(['payload', 'locked_by'])
    .where('name', '=', SEND_BATCH_JOB)
    .where('status', '=', 'running')
    .execute();
  return running
    .filter((job) => job.locked_by?.split(':').at(-2) === String(pid))
    .map((job) => JSON.parse(job.payload) as { sendId: string; batch: number })
    .filter((p) => p.sendId === sendId)
    .map((p) => p.batch);
}

async function inFlightOf(db: Db, sendId: string, pid: number): Promise<string[]> {
  const batches = await batchesHeldBy(db, sendId, pid);
  if (batches.length === 0) return [];
  const rows = await db
    .selectFrom('email_send_recipients')
    .select('email')
    .where('send_id', '=', sendId)
    .where('state', '=', 'sending')
    .where('batch', 'in', batches)
    .execute();
  return rows.map((r) => r.email);
}

async function statesOf(db: Db, sendId: string, batch?: number): Promise<Record<string, number>> {
  let query = db
    .selectFrom('email_send_recipients')
    .select((eb) => ['state', eb.fn.countAll<number>().as('n')])
    .where('send_id', '=', sendId);
  if (batch !== undefined) query = query.where('batch', '=', batch);
  const rows = await query.groupBy('state').execute();
  return Object.fromEntries(rows.map((r) => [r.state, Number(r.n)]));
}

/** A batch no worker has touched yet, from the middle of those, and its middle recipient. */
async function middleOfAnUntouchedBatch(db: Db, sendId: string) {
  const untouched = await db
    .selectFrom('email_send_recipients')
    .select((eb) => ['batch', eb.fn.countAll<number>().as('n')])
    .where('send_id', '=', sendId)
    .groupBy('batch')
    .having(sql<number>`sum(case when state = 'pending' then 0 else 1 end)`, '=', 0)
    .orderBy('batch')
    .execute();
  const chosen = untouched[Math.floor(untouched.length / 2)];
  if (!chosen) throw new Error('every batch has started: the kill points are too late');
  const batch = Number(chosen.batch);
  const size = Number(chosen.n);
  // The order a batch job sends in.
  const target = await db
    .selectFrom('email_send_recipients')
    .select('email')
    .where('send_id', '=', sendId)
    .where('batch', '=', batch)
    .orderBy('member_id')
    .limit(1)
    .offset(Math.floor(size / 2))
    .executeTakeFirstOrThrow();
  return { batch, size, email: target.email };
}

const pause = () => new Promise((r) => setTimeout(r, 250));

async function untilFinished(progress: () => Promise<SendProgress>): Promise<SendProgress> {
  for (;;) {
    const now = await progress();
    if (now.status !== 'sending') return now;
    await pause();
  }
}

/** Until every one of these recipients has its outcome recorded. */
async function untilRecorded(db: Db, sendId: string, emails: string[]): Promise<void> {
  while (emails.length > 0) {
    const open = await db
      .selectFrom('email_send_recipients')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('send_id', '=', sendId)
      .where('email', 'in', emails)
      .where('state', '!=', 'sent')
      .executeTakeFirstOrThrow();
    if (Number(open.n) === 0) return;
    await pause();
  }
}

describe.each(engines)('a 20,000-recipient send with SIGKILLed workers on %s', (dialect) => {
  const parallel = dialect === 'postgres' ? 2 : 1;
  let database: TestDatabase | undefined;
  let pressroom: Pressroom | undefined;
  let sink: CountingSink | undefined;
  let fleet: WorkerFleet | undefined;
  let dataDir: string | undefined;
  let emails: string[] = [];
  let ids: { newsletterId: string; postId: string };

  beforeAll(async () => {
    sink = await startCountingSink();
    database = await createTestDatabase(dialect);
    dataDir = mkdtempSync(path.join(tmpdir(), 'pressroom-crash-'));
    const { db } = database;
    const newsletter = await insertNewsletter(db);
    emails = Array.from({ length: RECIPIENTS }, (_, i) => `reader${i}@crash.example`);
    await db.transaction().execute((trx) =>
      insertMembers(
        trx,
        emails.map((email) => ({ email, newsletters: [newsletter.id] })),
      ),
    );
    const postId = await insertPost(db, {
      title: 'Reading the minutes',
      body: doc(paragraph('Short, so that the time goes into sending, not rendering.')),
    });
    ids = { newsletterId: newsletter.id, postId };
  }, 120_000);

  afterAll(async () => {
    await fleet?.killAll();
    await pressroom?.close(100);
    await sink?.close();
    await database?.destroy();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  });

  const title = `reaches everyone; duplicates ≤ resent ≤ kills × in-flight (${parallel} at a time)`;
  // The timeout is a backstop: a stuck send fails within a minute (see `within`), and a busy
  // machine may take minutes over 20,000 SMTP transactions.
  it(title, { timeout: 600_000 }, async () => {
    const { db } = database!;
    const env = {
      PATH: process.env.PATH ?? '',
      ...(process.env.HOME ? { HOME: process.env.HOME } : {}),
      ...(process.env.TMPDIR ? { TMPDIR: process.env.TMPDIR } : {}),
      DATABASE_URL: databaseUrl(dialect, database!),
      PRESSROOM_URL: 'https://crash.example',
      PRESSROOM_DATA_DIR: dataDir!,
      PRESSROOM_JOB_LEASE_SECONDS: String(LEASE_SECONDS),
      LOG_LEVEL: 'warn',
    };
    // The send is made here, as the web process makes it; only the workers send.
    const config = loadConfig({ ...env, NODE_ENV: 'test', SMTP_URL: sink!.urlFor('web') });
    pressroom = await createPressroom({
      config,
      database: await database!.reopen(),
      logger: pino({ level: 'silent' }),
      env: {},
    });
    const sends = pressroom.services.sends;
    if (!sends) throw new Error('SMTP_URL is set, so sends must exist');
    // Built as the workers build theirs, so that whatever the default is, is what is tested.
    const probe = createSmtpTransport({ connection: { url: sink!.urlFor('probe') } });
    const maxBatch = probe.maxBatch;
    await probe.close();

    const workers = new WorkerFleet(env, sink!);
    fleet = workers;
    const generation = new Map<string, number>();
    const start = (slot: string): WorkerProcess => {
      const n = (generation.get(slot) ?? 0) + 1;
      generation.set(slot, n);
      return workers.spawn(`${slot}${n}`, CONCURRENCY);
    };
    const kills: Kill[] = [];
    const summary = () =>
      kills
        .map(
          (k) =>
            `${k.point}: killed ${k.victim} after ${k.at} s at ${k.receivedAtKill} received, ` +
            `${k.inFlight.length} in flight (limit ${k.limit}), ` +
            `${k.inFlight.filter((a) => (sink!.counts.get(a) ?? 0) > 1).length} of them received twice`,
        )
        .join('\n');

    try {
      const started = Date.now();
      const { id: sendId } = await sends.createSend({ ...ids, segment: 'all' });
      expect(await sends.progress(sendId)).toMatchObject({
        status: 'sending',
        total: RECIPIENTS,
        sent: 0,
      });
      for (const slot of parallel === 2 ? ['a', 'b'] : ['a']) start(slot);

      /**
       * Waits for the delivery that matches, SIGKILLs the worker that made it while the sink
       * holds every reply, and notes what that worker left in flight. `resume` lets the sink
       * answer again and starts a worker in the dead one's place.
       */
      const killAt = async (point: string, match: (d: SinkDelivery) => boolean) => {
        const trigger = await workers.within(sink!.holdWhen(match), `the ${point} kill`);
        const victim = workers.all.find((w) => w.label === trigger.worker);
        if (!victim?.alive()) throw new Error(`${trigger.to} came from ${trigger.worker}?`);
        await workers.kill(victim);
        const kill: Kill = {
          point,
          victim: victim.label,
          trigger,
          receivedAtKill: sink!.received,
          at: Math.round((Date.now() - started) / 1000),
          inFlight: await inFlightOf(db, sendId, victim.pid),
          limit: victim.concurrency * maxBatch,
        };
        kills.push(kill);
        // Its DATA arrived and was never answered: as far as the worker knew, it may not have.
        expect(kill.inFlight).toContain(trigger.to);
        expect(kill.inFlight.length).toBeLessThanOrEqual(kill.limit);
        return () => {
          sink!.release();
          start(victim.label.replace(/\d+$/, ''));
        };
      };
      /**
       * The next kill waits until what this one left in flight has gone out again: `resent`
       * counts a recipient once however many attempts die with it in flight, so a kill that
       * lands on a resend could leave more duplicates than `resent` says.
       */
      const settle = async () => {
        const last = kills.at(-1)!;
        await workers.within(
          untilRecorded(db, sendId, last.inFlight),
          `what the ${last.point} kill left in flight to be sent again`,
        );
      };

      const afterEarly = await killAt('early', (d) => d.received >= EARLY && d.worker === 'a1');
      afterEarly();
      await settle();

      // With two workers, the one not killed yet.
      const second = parallel === 2 ? 'b1' : 'a2';
      const afterMiddle = await killAt(
        'middle',
        (d) => d.received >= MIDDLE && d.worker === second,
      );
      afterMiddle();
      await settle();

      const target = await middleOfAnUntouchedBatch(db, sendId);
      const afterInBatch = await killAt(
        `inside batch ${target.batch}`,
        (d) => d.to === target.email,
      );
      const batch = await statesOf(db, sendId, target.batch);
      // Part of the batch recorded as sent, part handed over, the rest not yet.
      expect(batch.sent ?? 0).toBeGreaterThan(0);
      expect(batch.sending ?? 0).toBeGreaterThan(0);
      expect((batch.sent ?? 0) + (batch.sending ?? 0) + (batch.pending ?? 0)).toBe(target.size);
      afterInBatch();

      const finished = await workers.within(
        untilFinished(() => sends.progress(sendId)),
        'the send to finish',
      );
      // Stopped before counting, so that anything sent after `sent` would be seen.
      await workers.stopAll();
      const progress = await sends.progress(sendId);
      expect(progress).toEqual(finished);

      const received = sink!.received;
      const duplicates = received - RECIPIENTS;
      const limit = kills.reduce((sum, k) => sum + k.limit, 0);
      console.log(
        `[${dialect}] sent in ${Math.round((Date.now() - started) / 1000)} s: ` +
          `received ${received}, duplicates ${duplicates}, resent ${progress.resent}, ` +
          `in-flight limit ${limit} (${kills.length} kills × ${CONCURRENCY} jobs × ${maxBatch})\n${summary()}`,
      );

      expect(progress).toMatchObject({
        status: 'sent',
        total: RECIPIENTS,
        sent: RECIPIENTS,
        failed: 0,
        suppressed: 0,
        remaining: 0,
      });
      expect(await statesOf(db, sendId)).toEqual({ sent: RECIPIENTS });
      const missing = emails.filter((e) => !sink!.counts.has(e));
      expect(missing.length, `never received: ${missing.slice(0, 5).join(', ')}`).toBe(0);
      expect(sink!.counts.size).toBe(RECIPIENTS);

      expect(duplicates).toBeLessThanOrEqual(progress.resent);
      expect(progress.resent).toBeLessThanOrEqual(limit);
      // Every held copy went out again: the kills did interrupt sending.
      for (const k of kills) expect(sink!.counts.get(k.trigger.to)).toBeGreaterThanOrEqual(2);
      // And no one got a copy too many who was not in flight at a kill, once per extra copy.
      const timesInFlight = new Map<string, number>();
      for (const address of kills.flatMap((k) => k.inFlight)) {
        timesInFlight.set(address, (timesInFlight.get(address) ?? 0) + 1);
      }
      const unexplained = [...sink!.counts]
        .filter(([address, n]) => n - 1 > (timesInFlight.get(address) ?? 0))
        .map(([address, n]) => `${address} ×${n}`);
      expect(unexplained).toEqual([]);

      const jobs = await db
        .selectFrom('jobs')
        .select('status')
        .distinct()
        .where('name', '=', SEND_BATCH_JOB)
        .execute();
      expect(jobs.map((j) => j.status)).toEqual(['done']);
    } catch (error) {
      if (error instanceof Error) {
        error.message += `\n\nkills:\n${summary() || '(none)'}\n\n${workers.logs()}`;
      }
      throw error;
    }
  });
});
