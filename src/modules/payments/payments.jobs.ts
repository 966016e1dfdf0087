import type { JobWorker } from '../../platform/jobs/index.js';
import { INVITE_PLEDGERS_JOB, type PaymentsService } from './payments.service.js';

/** The payments module's background jobs, registered on whichever worker runs them. */
export function registerPaymentJobs(worker: JobWorker, deps: { service: PaymentsService }): void {
  worker.register(INVITE_PLEDGERS_JOB, async () => {
    await deps.service.invitations.inviteAll();
  });
}
