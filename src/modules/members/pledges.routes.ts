import { Hono } from 'hono';
import { z } from 'zod';
import { readQuery } from '../../platform/http/index.js';
import { authenticate, requireStaff, type AdminEnv, type StaffService } from '../staff/index.js';
import type { PledgesService } from './pledges.service.js';

const listQuery = z.object({
  status: z.enum(['active', 'withdrawn', 'converted', 'all']).default('active'),
});

/** `/pledges` under `/api/admin`: who pledged what, with addresses, so admins only. */
export function createPledgesAdminApi(deps: { pledges: PledgesService; staff: StaffService }) {
  const { pledges } = deps;
  const api = new Hono<AdminEnv>();
  api.use('/pledges', authenticate(deps.staff));

  api.get('/pledges', requireStaff('admin'), async (c) => {
    const { status } = readQuery(c, listQuery);
    const [list, summary] = await Promise.all([
      pledges.list(status === 'all' ? undefined : status),
      pledges.pledgeSummary(),
    ]);
    return c.json({ pledges: list, summary });
  });

  return api;
}
