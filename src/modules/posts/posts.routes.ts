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
import { notFound } from '../../platform/errors.js';
import {
  postCreateSchema,
  postListQuerySchema,
  postPatchSchema,
  postPreviewQuerySchema,
} from './posts.schema.js';
import type { PostsService } from './posts.service.js';
import type { PostPreviewRenderer } from './posts.types.js';

const importSchema = z
  .object({
    markdown: z.string().min(1, 'is required').max(5_000_000),
    publish: z.boolean().default(false),
    tags: z.array(z.string().trim().min(1).max(100)).max(50).default([]),
  })
  .strict();

/** `/api/admin/posts` */
export function createPostsApi(deps: {
  posts: PostsService;
  staff: StaffService;
  /** The public post template; without it there is no web preview. */
  renderPreview?: PostPreviewRenderer;
}) {
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
  /**
   * The post as a reader will see it, drafts included: staff only (as every route here),
   * never stored by a browser or proxy, and kept out of search engines.
   */
  api.get('/:id/preview', async (c) => {
    if (!deps.renderPreview) throw notFound('Preview');
    const { as } = readQuery(c, postPreviewQuerySchema);
    const page = await deps.renderPreview(await posts.preview(c.req.param('id'), as));
    return c.html(page, 200, {
      'cache-control': 'no-store',
      'x-robots-tag': 'noindex, nofollow',
      'referrer-policy': 'same-origin',
    });
  });
  api.get('/:id/revisions', async (c) =>
    c.json({ revisions: await posts.revisions(c.req.param('id')) }),
  );
  return api;
}
