import { Hono } from 'hono';
import { z } from 'zod';
import { readJson, readQuery } from '../../platform/http/index.js';
import { authenticate, requireStaff, type AdminEnv, type StaffService } from '../staff/index.js';
import { tagInputSchema, tagPatchSchema, type TagsService } from './tags.service.js';

const listSchema = z.object({
  page: z.coerce.number().int().min(1).default(1),
  limit: z.coerce.number().int().min(1).max(200).default(50),
});

/** `/api/admin/tags`: anyone on staff reads; editors and above change. */
export function createTagsApi(deps: { tags: TagsService; staff: StaffService }) {
  const { tags } = deps;
  const api = new Hono<AdminEnv>();
  api.use('*', authenticate(deps.staff), requireStaff());
  api.get('/', async (c) => {
    const q = readQuery(c, listSchema);
    const result = await tags.list(q.page, q.limit);
    return c.json({
      tags: result.tags,
      meta: {
        page: q.page,
        limit: q.limit,
        total: result.total,
        pages: Math.max(1, Math.ceil(result.total / q.limit)),
      },
    });
  });
  api.get('/:id', async (c) => c.json({ tag: await tags.get(c.req.param('id')) }));
  api.post('/', requireStaff('editor'), async (c) =>
    c.json({ tag: await tags.create(await readJson(c, tagInputSchema.strict())) }, 201),
  );
  api.patch('/:id', requireStaff('editor'), async (c) =>
    c.json({ tag: await tags.update(c.req.param('id'), await readJson(c, tagPatchSchema)) }),
  );
  api.delete('/:id', requireStaff('editor'), async (c) => {
    await tags.remove(c.req.param('id'));
    return c.body(null, 204);
  });
  return api;
}
