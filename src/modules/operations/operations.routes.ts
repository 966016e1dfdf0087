import { Hono } from 'hono';
import { z } from 'zod';
import { ping, type Db } from '../../platform/db/index.js';
import { readQuery } from '../../platform/http/index.js';
import type { JobQueue } from '../../platform/jobs/index.js';
import { authenticate, requireStaff, type AdminEnv, type StaffService } from '../staff/index.js';

/** `/healthz`: 200 when the database answers, 503 when it does not. For load balancers. */
export function createHealthRoutes(deps: { db: Db }) {
  const app = new Hono();
  app.get('/healthz', async (c) => {
    c.header('Cache-Control', 'no-store');
    try {
      await ping(deps.db);
      return c.json({ status: 'ok', database: 'ok' });
    } catch {
      return c.json({ status: 'error', database: 'unreachable' }, 503);
    }
  });
  return app;
}

const jobsQuery = z.object({
  status: z.enum(['queued', 'running', 'done', 'failed', 'cancelled']).optional(),
  name: z.string().max(100).optional(),
  page: z.coerce.number().int().min(1).default(1),
  limit: z.coerce.number().int().min(1).max(200).default(50),
});

/** `/api/admin/jobs`: what the background workers are doing, and what failed and why. */
export function createJobsApi(deps: { jobs: JobQueue; staff: StaffService }) {
  const api = new Hono<AdminEnv>();
  api.use('*', authenticate(deps.staff), requireStaff('admin'));
  api.get('/', async (c) => {
    const q = readQuery(c, jobsQuery);
    const { jobs, total } = await deps.jobs.list({
      ...(q.status ? { status: q.status } : {}),
      ...(q.name ? { name: q.name } : {}),
      limit: q.limit,
      offset: (q.page - 1) * q.limit,
    });
    return c.json({
      jobs: jobs.map((j) => ({ ...j, payload: JSON.parse(j.payload) as unknown })),
      meta: { page: q.page, limit: q.limit, total, pages: Math.max(1, Math.ceil(total / q.limit)) },
    });
  });
  return api;
}
