export { JobQueue, JobWorker, retryDelayMs, defaultRetryPolicy } from './jobs.service.js';
export type { JobHandler, EnqueueOptions, RetryPolicy, JobWorkerOptions } from './jobs.service.js';
export type { Job, JobStatus } from './jobs.repository.js';
