import { Hono } from 'hono';
import { readQuery } from '../../platform/http/index.js';
import { authenticate, requireStaff, type AdminEnv, type StaffService } from '../staff/index.js';
import { dashboardQuerySchema } from './analytics.schema.js';
import type { AnalyticsService } from './analytics.service.js';

/**
 * `/api/admin/dashboard`: members over time, views and the latest posts' figures. Editors
 * and above, the roles that may see members: the figures are counts of them.
 */
export function createDashboardApi(deps: { analytics: AnalyticsService; staff: StaffService }) {
  const api = new Hono<AdminEnv>();
  api.use('*', authenticate(deps.staff), requireStaff('editor'));
  api.get('/', async (c) => {
    const { days } = readQuery(c, dashboardQuerySchema);
    return c.json({ dashboard: await deps.analytics.dashboard(days) });
  });
  return api;
}
