import type { Clock } from '../../platform/clock.js';
import type { JobQueue, JobWorker } from '../../platform/jobs/index.js';
import type { RateLimiter } from '../../platform/security/rate-limit.js';

export const CLEANUP_JOB = 'maintenance.cleanup';
const HOUR = 3_600_000;

interface Deps {
  jobs: JobQueue;
  clock: Clock;
  rateLimiter: RateLimiter;
  /** Each module's own expiry sweeps (sessions, tokens), run in order. */
  sweeps: (() => Promise<void>)[];
}

/** One cleanup per clock hour across all workers: the hour is in the job's unique key. */
export async function scheduleCleanup(deps: Pick<Deps, 'jobs'>, at: Date): Promise<void> {
  const hour = Math.floor(at.getTime() / HOUR);
  await deps.jobs.enqueue(CLEANUP_JOB, null, { runAt: at, uniqueKey: `${CLEANUP_JOB}:${hour}` });
}

/**
 * Housekeeping as a durable job that schedules its own next run, so it survives restarts
 * like any other job: finished jobs older than a week, spent rate-limit windows, and what
 * each module sweeps (expired sessions and tokens).
 */
export function registerMaintenanceJobs(worker: JobWorker, deps: Deps): void {
  worker.register(CLEANUP_JOB, async () => {
    const now = deps.clock.now().getTime();
    await deps.jobs.purgeFinished(new Date(now - 7 * 24 * HOUR));
    await deps.rateLimiter.purgeBefore(Math.floor((now - 24 * HOUR) / 1000));
    for (const sweep of deps.sweeps) await sweep();
    await scheduleCleanup(deps, new Date((Math.floor(now / HOUR) + 1) * HOUR));
  });
}
