import { Hono } from 'hono';
import { z } from 'zod';
import { readJson, readQuery } from '../../platform/http/index.js';
import { SLUG_PATTERN } from '../../platform/slug.js';
import { authenticate, requireStaff, type AdminEnv, type StaffService } from '../staff/index.js';
import { NEWSLETTER_STATUSES, type NewslettersService } from './newsletters.service.js';

const fields = {
  name: z.string().trim().min(1, 'is required').max(120),
  slug: z
    .string()
    .trim()
    .max(80)
    .regex(SLUG_PATTERN, 'must be lowercase letters and digits joined by hyphens'),
  description: z.string().trim().max(2000).nullable(),
  subscribe_on_signup: z.boolean(),
  sort_order: z.number().int().min(0).max(1_000_000),
};

const createSchema = z
  .object({ ...fields })
  .partial()
  .required({ name: true })
  .strict();
const patchSchema = z
  .object({ ...fields, status: z.enum(NEWSLETTER_STATUSES) })
  .partial()
  .strict();
const listQuery = z.object({ status: z.enum(NEWSLETTER_STATUSES).optional() });

/**
 * `/newsletters` under `/api/admin`. Editors and up may read the list (it holds counts,
 * no addresses); changing what readers can subscribe to is for admins.
 */
export function createNewslettersAdminApi(deps: {
  newsletters: NewslettersService;
  staff: StaffService;
}) {
  const { newsletters } = deps;
  const api = new Hono<AdminEnv>();
  // Scoped to our paths: '*' here would authenticate every request under /api/admin again.
  api.use('/newsletters', authenticate(deps.staff));
  api.use('/newsletters/*', authenticate(deps.staff));

  api.get('/newsletters', requireStaff('editor'), async (c) => {
    const { status } = readQuery(c, listQuery);
    return c.json({ newsletters: await newsletters.list(status) });
  });
  api.post('/newsletters', requireStaff('admin'), async (c) => {
    const body = await readJson(c, createSchema);
    return c.json({ newsletter: await newsletters.create(body) }, 201);
  });
  api.patch('/newsletters/:id', requireStaff('admin'), async (c) => {
    const body = await readJson(c, patchSchema);
    return c.json({ newsletter: await newsletters.update(c.req.param('id'), body) });
  });
  api.delete('/newsletters/:id', requireStaff('admin'), async (c) => {
    return c.json({ newsletter: await newsletters.archive(c.req.param('id')) });
  });

  return api;
}
