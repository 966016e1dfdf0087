import { randomUUID } from 'node:crypto';
import { sql, type Selectable } from 'kysely';
import type { Db, Dialect } from '../db/index.js';
import type { JobRow } from '../db/schema.js';

export type Job = Selectable<JobRow>;
export type JobStatus = 'queued' | 'running' | 'done' | 'failed' | 'cancelled';

export interface NewJob {
  name: string;
  payload: unknown;
  runAt: string;
  maxAttempts: number;
  uniqueKey?: string;
}

/**
 * Inserts a job; with a unique key that already has a queued job, inserts nothing and
 * returns undefined (no error, so a caller's PostgreSQL transaction stays usable).
 */
export async function insertJob(db: Db, job: NewJob, now: string): Promise<Job | undefined> {
  return (
    db
      .insertInto('jobs')
      .values({
        id: randomUUID(),
        name: job.name,
        payload: JSON.stringify(job.payload ?? null),
        status: 'queued',
        unique_key: job.uniqueKey ?? null,
        run_at: job.runAt,
        attempts: 0,
        max_attempts: job.maxAttempts,
        created_at: now,
        updated_at: now,
      })
      // The target must repeat the partial index's predicate word for word (a literal, not
      // a bound parameter) for SQLite and PostgreSQL to match it to that index.
      .onConflict((oc) =>
        oc
          .column('unique_key')
          .where(sql<boolean>`status = 'queued'`)
          .doNothing(),
      )
      .returningAll()
      .executeTakeFirst()
  );
}

/** Moves a still-queued job with this key to a new time; returns it, or undefined if none. */
export async function rescheduleQueued(
  db: Db,
  uniqueKey: string,
  runAt: string,
  payload: unknown,
  now: string,
): Promise<Job | undefined> {
  return db
    .updateTable('jobs')
    .set({ run_at: runAt, payload: JSON.stringify(payload ?? null), updated_at: now })
    .where('unique_key', '=', uniqueKey)
    .where('status', '=', 'queued')
    .returningAll()
    .executeTakeFirst();
}

export async function cancelQueued(db: Db, uniqueKey: string, now: string): Promise<number> {
  const result = await db
    .updateTable('jobs')
    .set({ status: 'cancelled', updated_at: now, finished_at: now })
    .where('unique_key', '=', uniqueKey)
    .where('status', '=', 'queued')
    .executeTakeFirst();
  return Number(result.numUpdatedRows);
}

/**
 * Claims up to `limit` due jobs for one worker. A running job whose lease ran out (its
 * worker died) is due again. On PostgreSQL, SKIP LOCKED lets concurrent workers take
 * disjoint sets without waiting on each other; SQLite serialises writers, and the claim
 * is one statement, so two processes can never take the same row there either.
 */
export async function claimJobs(
  db: Db,
  dialect: Dialect,
  args: { workerId: string; limit: number; now: string; leaseUntil: string; names: string[] },
): Promise<Job[]> {
  if (args.limit <= 0 || args.names.length === 0) return [];
  let due = db
    .selectFrom('jobs')
    .select('id')
    .where('name', 'in', args.names)
    .where((eb) =>
      eb.or([
        eb.and([eb('status', '=', 'queued'), eb('run_at', '<=', args.now)]),
        eb.and([eb('status', '=', 'running'), eb('locked_until', '<', args.now)]),
      ]),
    )
    .orderBy('run_at')
    .limit(args.limit);
  if (dialect === 'postgres') due = due.forUpdate().skipLocked();

  return db
    .updateTable('jobs')
    .set((eb) => ({
      status: 'running',
      locked_by: args.workerId,
      locked_until: args.leaseUntil,
      attempts: eb('attempts', '+', 1),
      updated_at: args.now,
    }))
    .where('id', 'in', due)
    .returningAll()
    .execute();
}

export async function markDone(db: Db, id: string, workerId: string, now: string): Promise<void> {
  await db
    .updateTable('jobs')
    .set({
      status: 'done',
      locked_by: null,
      locked_until: null,
      last_error: null,
      updated_at: now,
      finished_at: now,
    })
    .where('id', '=', id)
    .where('locked_by', '=', workerId)
    .execute();
}

export async function markFailed(
  db: Db,
  id: string,
  workerId: string,
  args: { error: string; retryAt: string | null; now: string },
): Promise<void> {
  await db
    .updateTable('jobs')
    .set({
      status: args.retryAt === null ? 'failed' : 'queued',
      run_at: args.retryAt ?? undefined,
      last_error: args.error.slice(0, 4000),
      locked_by: null,
      locked_until: null,
      updated_at: args.now,
      finished_at: args.retryAt === null ? args.now : null,
    })
    .where('id', '=', id)
    .where('locked_by', '=', workerId)
    .execute();
}

/** Hands jobs back at shutdown so another worker takes them now, not when the lease ends. */
export async function releaseJobs(
  db: Db,
  ids: string[],
  workerId: string,
  now: string,
): Promise<void> {
  if (ids.length === 0) return;
  await db
    .updateTable('jobs')
    .set((eb) => ({
      status: 'queued',
      locked_by: null,
      locked_until: null,
      attempts: eb('attempts', '-', 1),
      updated_at: now,
    }))
    .where('id', 'in', ids)
    .where('locked_by', '=', workerId)
    .where('status', '=', 'running')
    .execute();
}

export async function extendLease(
  db: Db,
  ids: string[],
  workerId: string,
  leaseUntil: string,
): Promise<string[]> {
  if (ids.length === 0) return [];
  const rows = await db
    .updateTable('jobs')
    .set({ locked_until: leaseUntil })
    .where('id', 'in', ids)
    .where('locked_by', '=', workerId)
    .where('status', '=', 'running')
    .returning('id')
    .execute();
  return rows.map((r) => r.id);
}

export async function findQueuedByKey(db: Db, uniqueKey: string): Promise<Job | undefined> {
  return db
    .selectFrom('jobs')
    .selectAll()
    .where('unique_key', '=', uniqueKey)
    .where('status', '=', 'queued')
    .executeTakeFirst();
}

export async function findJob(db: Db, id: string): Promise<Job | undefined> {
  return db.selectFrom('jobs').selectAll().where('id', '=', id).executeTakeFirst();
}

export async function listJobs(
  db: Db,
  filter: { status?: JobStatus; name?: string; limit: number; offset: number },
): Promise<{ jobs: Job[]; total: number }> {
  let q = db.selectFrom('jobs');
  if (filter.status) q = q.where('status', '=', filter.status);
  if (filter.name) q = q.where('name', '=', filter.name);
  const [jobs, count] = await Promise.all([
    q
      .selectAll()
      .orderBy('created_at', 'desc')
      .orderBy('id')
      .limit(filter.limit)
      .offset(filter.offset)
      .execute(),
    q.select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow(),
  ]);
  return { jobs, total: Number(count.n) };
}

export async function deleteFinishedBefore(db: Db, before: string): Promise<number> {
  const result = await db
    .deleteFrom('jobs')
    .where('status', '=', 'done')
    .where('finished_at', '<', before)
    .executeTakeFirst();
  return Number(result.numDeletedRows);
}
