import { randomUUID } from 'node:crypto';
import os from 'node:os';
import type { Clock } from '../clock.js';
import type { Db, Dialect } from '../db/index.js';
import type { Logger } from '../logger.js';
import * as repo from './jobs.repository.js';
import type { Job } from './jobs.repository.js';

/**
 * `signal` aborts when this worker loses the job's lease (it stalled past the lease and
 * another worker may have taken the job): a long handler checks it between steps and stops.
 */
export type JobHandler = (
  payload: unknown,
  job: Job,
  context: { signal: AbortSignal },
) => Promise<void>;

export interface EnqueueOptions {
  runAt?: Date;
  /** At most one queued or running job per key; enqueueing again moves the queued one. */
  uniqueKey?: string;
  maxAttempts?: number;
  /** Run inside the caller's transaction, so the job exists if and only if it commits. */
  executor?: Db;
}

export interface RetryPolicy {
  baseDelayMs: number;
  maxDelayMs: number;
}

export const defaultRetryPolicy: RetryPolicy = { baseDelayMs: 10_000, maxDelayMs: 3_600_000 };

/** Exponential backoff with "full jitter", so a burst of failures does not retry in lockstep. */
export function retryDelayMs(attempt: number, policy: RetryPolicy, random = Math.random): number {
  const ceiling = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** Math.max(0, attempt - 1));
  return Math.round(ceiling / 2 + (random() * ceiling) / 2);
}

/** Enqueues durable jobs. Any process (web or worker) may enqueue; workers run them. */
export class JobQueue {
  private readonly listeners = new Set<() => void>();

  constructor(private readonly deps: { db: Db; clock: Clock }) {}

  async enqueue(name: string, payload: unknown, options: EnqueueOptions = {}): Promise<Job> {
    const db = options.executor ?? this.deps.db;
    const now = this.deps.clock.now().toISOString();
    const runAt = (options.runAt ?? this.deps.clock.now()).toISOString();
    if (options.uniqueKey) {
      const moved = await repo.rescheduleQueued(db, options.uniqueKey, runAt, payload, now);
      if (moved) return this.notify(moved);
    }
    const job = await repo.insertJob(
      db,
      {
        name,
        payload,
        runAt,
        maxAttempts: options.maxAttempts ?? 5,
        ...(options.uniqueKey ? { uniqueKey: options.uniqueKey } : {}),
      },
      now,
    );
    if (job) return this.notify(job);
    // Another process queued the same key between our update and insert: that one stands.
    const queued = await repo.findQueuedByKey(db, options.uniqueKey!);
    if (!queued) throw new Error(`Could not enqueue ${name} (${options.uniqueKey})`);
    return queued;
  }

  async purgeFinished(before: Date): Promise<number> {
    return repo.deleteFinishedBefore(this.deps.db, before.toISOString());
  }

  async cancel(uniqueKey: string, executor: Db = this.deps.db): Promise<number> {
    return repo.cancelQueued(executor, uniqueKey, this.deps.clock.now().toISOString());
  }

  get(id: string) {
    return repo.findJob(this.deps.db, id);
  }

  list(filter: Parameters<typeof repo.listJobs>[1]) {
    return repo.listJobs(this.deps.db, filter);
  }

  /** Lets an in-process worker wake at once instead of at its next poll. */
  onEnqueue(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private notify(job: Job): Job {
    for (const l of this.listeners) l();
    return job;
  }
}

export interface JobWorkerOptions {
  db: Db;
  dialect: Dialect;
  clock: Clock;
  logger: Logger;
  queue?: JobQueue;
  concurrency: number;
  pollIntervalMs?: number;
  leaseMs?: number;
  retry?: RetryPolicy;
}

/**
 * Claims due jobs and runs them with at most `concurrency` at a time. Leases are renewed
 * while a job runs; a worker that dies leaves leases that expire, and the jobs run again
 * elsewhere (so handlers must be idempotent: run at least once, rarely twice).
 */
export class JobWorker {
  readonly id = `${os.hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`;
  private readonly handlers = new Map<string, JobHandler>();
  private readonly running = new Map<string, Promise<void>>();
  private readonly leases = new Map<string, AbortController>();
  private timer: NodeJS.Timeout | undefined;
  private leaseTimer: NodeJS.Timeout | undefined;
  private stopping = false;
  private started = false;
  private polling: Promise<void> | undefined;
  private pollAgain = false;
  private unsubscribe: (() => void) | undefined;
  private readonly pollIntervalMs: number;
  private readonly leaseMs: number;
  private readonly retry: RetryPolicy;

  constructor(private readonly opts: JobWorkerOptions) {
    this.pollIntervalMs = opts.pollIntervalMs ?? 1000;
    this.leaseMs = opts.leaseMs ?? 5 * 60_000;
    this.retry = opts.retry ?? defaultRetryPolicy;
  }

  register(name: string, handler: JobHandler): this {
    this.handlers.set(name, handler);
    return this;
  }

  start(): void {
    if (this.started) return;
    this.started = true;
    this.unsubscribe = this.opts.queue?.onEnqueue(() => this.wake());
    this.timer = setInterval(() => this.wake(), this.pollIntervalMs);
    this.leaseTimer = setInterval(() => void this.renewLeases(), Math.max(1000, this.leaseMs / 3));
    this.wake();
  }

  /** Runs one claim-and-run round and waits for it; for tests and the CLI. */
  async drain(): Promise<void> {
    for (;;) {
      await this.polling;
      const claimed = await this.claimAndRun();
      await Promise.all([...this.running.values()]);
      if (claimed === 0 && this.running.size === 0 && !this.polling) return;
    }
  }

  wake(): void {
    if (this.stopping) return;
    if (this.polling) {
      this.pollAgain = true;
      return;
    }
    this.polling = (async () => {
      do {
        this.pollAgain = false;
        try {
          await this.claimAndRun();
        } catch (error) {
          this.opts.logger.error({ err: error }, 'job claim failed');
        }
      } while (this.pollAgain && !this.stopping);
    })().finally(() => {
      this.polling = undefined;
    });
  }

  private async claimAndRun(): Promise<number> {
    const free = this.opts.concurrency - this.running.size;
    if (free <= 0 || this.stopping) return 0;
    const now = this.opts.clock.now();
    const jobs = await repo.claimJobs(this.opts.db, this.opts.dialect, {
      workerId: this.id,
      limit: free,
      now: now.toISOString(),
      leaseUntil: new Date(now.getTime() + this.leaseMs).toISOString(),
      names: [...this.handlers.keys()],
    });
    for (const job of jobs) {
      // Our own job again, its lease run out while it was still running here (the process
      // stalled): the old run must stop, as it no longer holds the job.
      this.leases.get(job.id)?.abort(new Error('lease lost'));
      const lease = new AbortController();
      this.leases.set(job.id, lease);
      const run = this.run(job, lease.signal).finally(() => {
        if (this.leases.get(job.id) === lease) {
          this.leases.delete(job.id);
          this.running.delete(job.id);
        }
        // A slot freed up: there may be more due work. Only a started worker polls by
        // itself; a drained one must not claim jobs behind drain()'s back.
        if (this.started && !this.stopping) this.wake();
      });
      this.running.set(job.id, run);
    }
    return jobs.length;
  }

  private async run(job: Job, signal: AbortSignal): Promise<void> {
    const handler = this.handlers.get(job.name);
    const log = this.opts.logger.child({ job: job.id, jobName: job.name, attempt: job.attempts });
    try {
      if (!handler) throw new Error(`No handler for job ${job.name}`);
      await handler(JSON.parse(job.payload) as unknown, job, { signal });
      await repo.markDone(this.opts.db, job.id, this.id, this.opts.clock.now().toISOString());
      log.debug('job done');
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      const now = this.opts.clock.now();
      const retryAt =
        job.attempts >= job.max_attempts
          ? null
          : new Date(now.getTime() + retryDelayMs(job.attempts, this.retry)).toISOString();
      log.warn({ err: error, retryAt }, retryAt ? 'job failed; will retry' : 'job failed for good');
      await repo
        .markFailed(this.opts.db, job.id, this.id, {
          error: message,
          retryAt,
          now: now.toISOString(),
        })
        .catch((e: unknown) => log.error({ err: e }, 'could not record job failure'));
    }
  }

  private async renewLeases(): Promise<void> {
    const ids = [...this.running.keys()];
    if (ids.length === 0) return;
    const until = new Date(this.opts.clock.now().getTime() + this.leaseMs).toISOString();
    let renewed: Set<string>;
    try {
      renewed = new Set(await repo.extendLease(this.opts.db, ids, this.id, until));
    } catch (error) {
      this.opts.logger.warn({ err: error }, 'lease renewal failed');
      return;
    }
    for (const id of ids) {
      if (renewed.has(id)) continue;
      // Another worker holds it now (or it was released): this run must not go on.
      this.opts.logger.warn({ job: id }, 'job lease lost; stopping its run here');
      this.leases.get(id)?.abort(new Error('lease lost'));
    }
  }

  /**
   * Stops claiming, gives running jobs `graceMs` to finish, then hands the rest back to
   * the queue so another worker can take them without waiting for the lease to expire.
   */
  async stop(graceMs = 10_000): Promise<void> {
    this.stopping = true;
    clearInterval(this.timer);
    clearInterval(this.leaseTimer);
    this.unsubscribe?.();
    await this.polling;
    const all = Promise.all([...this.running.values()]);
    let timeout: NodeJS.Timeout | undefined;
    await Promise.race([all, new Promise((r) => (timeout = setTimeout(r, graceMs)))]);
    clearTimeout(timeout);
    const unfinished = [...this.running.keys()];
    if (unfinished.length > 0) {
      this.opts.logger.info({ jobs: unfinished.length }, 'releasing unfinished jobs');
      await repo.releaseJobs(
        this.opts.db,
        unfinished,
        this.id,
        this.opts.clock.now().toISOString(),
      );
    }
  }
}
