import { Hono } from 'hono';
import { z } from 'zod';
import { readJson, readQuery } from '../../platform/http/index.js';
import { authenticate, requireStaff, type AdminEnv, type StaffService } from '../staff/index.js';
import type { PledgesService } from './pledges.service.js';

const listQuery = z.object({
  status: z.enum(['active', 'withdrawn', 'converted', 'all']).default('active'),
});
const switchSchema = z
  .object({ enabled: z.boolean({ message: 'must be true or false' }) })
  .strict();

/**
 * `/pledges` under `/api/admin`: who pledged what, with addresses, so admins only; and
 * `/pledges/settings`, the switch that lets readers pledge or not.
 */
export function createPledgesAdminApi(deps: { pledges: PledgesService; staff: StaffService }) {
  const { pledges } = deps;
  const api = new Hono<AdminEnv>();
  api.use('/pledges', authenticate(deps.staff));
  api.use('/pledges/*', authenticate(deps.staff));

  api.get('/pledges', requireStaff('admin'), async (c) => {
    const { status } = readQuery(c, listQuery);
    const [list, summary] = await Promise.all([
      pledges.list(status === 'all' ? undefined : status),
      pledges.pledgeSummary(),
    ]);
    return c.json({ pledges: list, summary });
  });

  api.get('/pledges/settings', requireStaff('admin'), async (c) =>
    c.json({ pledges: { enabled: await pledges.enabled() } }),
  );
  api.patch('/pledges/settings', requireStaff('admin'), async (c) => {
    const { enabled } = await readJson(c, switchSchema);
    return c.json({ pledges: { enabled: await pledges.setEnabled(enabled) } });
  });

  return api;
}
