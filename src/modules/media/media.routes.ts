import { Hono } from 'hono';
import { badRequest } from '../../platform/errors.js';
import { authenticate, requireStaff, type AdminEnv, type StaffService } from '../staff/index.js';
import type { MediaService } from './media.service.js';

/** `POST /api/admin/images`: one image as multipart form data, in the field `file`. */
export function createMediaApi(deps: { media: MediaService; staff: StaffService }) {
  const api = new Hono<AdminEnv>();
  api.use('*', authenticate(deps.staff), requireStaff());
  api.post('/', async (c) => {
    const form = await c.req.parseBody().catch(() => {
      throw badRequest('Send the image as multipart/form-data in the field "file"', 'file');
    });
    const file = form.file;
    if (!(file instanceof File)) {
      throw badRequest('Send the image as multipart/form-data in the field "file"', 'file');
    }
    const image = await deps.media.store(Buffer.from(await file.arrayBuffer()));
    return c.json({ image }, 201);
  });
  return api;
}

/** `/content/images/…`: stored images, immutable (every upload gets a new name). */
export function createMediaRoutes(deps: { media: MediaService }) {
  const routes = new Hono();
  routes.get('/content/images/*', async (c) => {
    const relative = c.req.path.slice('/content/images/'.length);
    const image = await deps.media.read(relative);
    c.header('Content-Type', image.type);
    c.header('Cache-Control', 'public, max-age=31536000, immutable');
    c.header('X-Content-Type-Options', 'nosniff');
    return c.body(new Uint8Array(image.body));
  });
  return routes;
}
