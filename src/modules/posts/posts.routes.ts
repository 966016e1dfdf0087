import { Hono } from 'hono';
import { z } from 'zod';
import { readJson, readQuery } from '../../platform/http/index.js';
import {
  authenticate,
  currentStaff,
  requireStaff,
  type AdminEnv,
  type StaffService,
} from '../staff/index.js';
import { postCreateSchema, postListQuerySchema, postPatchSchema } from './posts.schema.js';
import type { PostsService } from './posts.service.js';

const importSchema = z
  .object({
    markdown: z.string().min(1, 'is required').max(5_000_000),
    publish: z.boolean().default(false),
    tags: z.array(z.string().trim().min(1).max(100)).max(50).default([]),
  })
  .strict();

/** `/api/admin/posts` */
export function createPostsApi(deps: { posts: PostsService; staff: StaffService }) {
  const { posts } = deps;
  const api = new Hono<AdminEnv>();
  api.use('*', authenticate(deps.staff), requireStaff());

  api.get('/', async (c) => {
    const q = readQuery(c, postListQuerySchema);
    const page = await posts.list(q);
    return c.json({
      posts: page.items,
      meta: { page: page.page, limit: page.limit, pages: page.pages, total: page.total },
    });
  });
  api.post('/', async (c) => {
    const body = await readJson(c, postCreateSchema);
    return c.json({ post: await posts.create(currentStaff(c), body) }, 201);
  });
  api.post('/import', async (c) => {
    const body = await readJson(c, importSchema);
    return c.json({ post: await posts.importMarkdown(currentStaff(c), body.markdown, body) }, 201);
  });
  api.get('/:id', async (c) => c.json({ post: await posts.get(c.req.param('id')) }));
  api.patch('/:id', async (c) => {
    const body = await readJson(c, postPatchSchema);
    return c.json({ post: await posts.update(currentStaff(c), c.req.param('id'), body) });
  });
  api.delete('/:id', async (c) => {
    await posts.remove(currentStaff(c), c.req.param('id'));
    return c.body(null, 204);
  });
  api.get('/:id/revisions', async (c) =>
    c.json({ revisions: await posts.revisions(c.req.param('id')) }),
  );
  return api;
}
