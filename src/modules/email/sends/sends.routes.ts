import { Hono } from 'hono';
import { z } from 'zod';
import { readJson, readQuery } from '../../../platform/http/index.js';
import {
  authenticate,
  currentStaff,
  requireStaff,
  type AdminEnv,
  type StaffService,
} from '../../staff/index.js';
import { createSendSchema, SEND_STATUSES, type SendsService } from './sends.service.js';
import { previewEmail, type PreviewDeps } from './email-preview.js';
import { sendTestEmail, type TestEmailDeps } from './test-email.js';

const createSendBody = z.strictObject({
  post_id: createSendSchema.shape.postId,
  newsletter_id: createSendSchema.shape.newsletterId,
  segment: createSendSchema.shape.segment,
  scheduled_at: createSendSchema.shape.scheduledAt,
});

const previewQuery = z.object({
  post_id: z.string().min(1, 'is required'),
  reader: z.enum(['free', 'paid'], { message: 'must be free or paid' }).default('paid'),
});

const audienceQuery = z.object({
  newsletter_id: z.string().min(1, 'is required'),
  segment: z.string().default('all'),
});

const paging = {
  page: z.coerce.number().int().min(1).default(1),
  limit: z.coerce.number().int().min(1).max(100).default(20),
};

const listQuery = z.object({
  status: z
    .enum(SEND_STATUSES, { message: `must be one of ${SEND_STATUSES.join(', ')}` })
    .optional(),
  ...paging,
});

const failuresQuery = z.object(paging);

const testEmailBody = z.strictObject({
  post_id: z.string().min(1, 'is required'),
  to: z.email('must be an email address'),
});

export interface SendsApiDeps {
  staff: StaffService;
  /** Sending without a transport is refused by the service, saying what to set up. */
  sends: SendsService;
  testEmail: TestEmailDeps;
  /** Rendering needs no transport: previews work before one is configured. */
  preview: PreviewDeps;
}

/** `/api/admin/sends`: start newsletter sends, watch them, pause, resume or cancel them. */
export function createSendsApi(deps: SendsApiDeps) {
  const api = new Hono<AdminEnv>();
  api.use('*', authenticate(deps.staff), requireStaff('editor'));
  const { sends } = deps;

  api.get('/preview', async (c) => {
    const q = readQuery(c, previewQuery);
    return c.json({
      preview: await previewEmail(deps.preview, { postId: q.post_id, reader: q.reader }),
    });
  });

  api.get('/audience', async (c) => {
    const q = readQuery(c, audienceQuery);
    return c.json({
      audience: await sends.audience({ newsletterId: q.newsletter_id, segment: q.segment }),
    });
  });

  api.post('/test', async (c) => {
    const body = await readJson(c, testEmailBody);
    await sendTestEmail(deps.testEmail, {
      postId: body.post_id,
      to: body.to,
    });
    return c.json({ sent: true, to: body.to }, 202);
  });

  api.post('/', async (c) => {
    const body = await readJson(c, createSendBody);
    await sends.requireTransport();
    const send = await sends.createSend({
      postId: body.post_id,
      newsletterId: body.newsletter_id,
      segment: body.segment,
      scheduledAt: body.scheduled_at ?? null,
      actorId: currentStaff(c).id,
    });
    return c.json({ send }, 201);
  });

  api.get('/', async (c) => {
    const q = readQuery(c, listQuery);
    const page = await sends.list(q);
    return c.json({
      sends: page.items,
      meta: { page: page.page, limit: page.limit, pages: page.pages, total: page.total },
    });
  });

  api.get('/:id', async (c) => c.json({ send: await sends.summary(c.req.param('id')) }));

  api.get('/:id/failures', async (c) => {
    const q = readQuery(c, failuresQuery);
    const page = await sends.failures(c.req.param('id'), q);
    return c.json({
      failures: page.items,
      meta: { page: page.page, limit: page.limit, pages: page.pages, total: page.total },
    });
  });

  for (const action of ['pause', 'resume', 'cancel'] as const) {
    api.post(`/:id/${action}`, async (c) => {
      const id = c.req.param('id');
      return c.json({ send: { id, ...(await sends[action](id)) } });
    });
  }
  return api;
}
