export { createHealthRoutes, createJobsApi } from './operations.routes.js';
export { registerMaintenanceJobs, scheduleCleanup, CLEANUP_JOB } from './maintenance.js';
