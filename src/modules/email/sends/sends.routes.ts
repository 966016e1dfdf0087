import { Hono } from 'hono';
import { z } from 'zod';
import { AppError, conflict } from '../../../platform/errors.js';
import { readJson } from '../../../platform/http/index.js';
import {
  authenticate,
  currentStaff,
  requireStaff,
  type AdminEnv,
  type StaffService,
} from '../../staff/index.js';
import { verpAddress } from '../delivery/index.js';
import { personalize, renderPostEmail } from '../render/index.js';
import { TransportError, type EmailTransport } from '../transport/index.js';
import { createSendSchema, type SendsService, type SendsServiceDeps } from './sends.service.js';

const createSendBody = z.strictObject({
  post_id: createSendSchema.shape.postId,
  newsletter_id: createSendSchema.shape.newsletterId,
  segment: createSendSchema.shape.segment,
  scheduled_at: createSendSchema.shape.scheduledAt,
});

const testEmailBody = z.strictObject({
  post_id: z.string().min(1, 'is required'),
  to: z.email('must be an email address'),
});

/** What a test email needs: the send's own post source, settings, transport and config. */
export type TestEmailDeps = Pick<SendsServiceDeps, 'posts' | 'settings' | 'config'> & {
  transport: EmailTransport;
};

export interface SendsApiDeps {
  staff: StaffService;
  /** Unset when no newsletter transport is configured: every route answers 409. */
  sends: SendsService | undefined;
  testEmail: TestEmailDeps | undefined;
}

/** The name a test email greets, where a member's name would go. */
export const TEST_RECIPIENT_NAME = 'Reader';

/**
 * One copy of a post to any address, through the newsletter transport, so staff see what
 * subscribers will: rendered for a paid reader of every tier (the whole post), personalized
 * with a placeholder name. No member stands behind it, so the unsubscribe link only leads to
 * the site and there are no List-Unsubscribe headers to act on.
 */
export async function sendTestEmail(
  deps: TestEmailDeps,
  input: { postId: string; to: string },
): Promise<void> {
  const { config } = deps;
  const site = config.publicUrl.trim().replace(/\/+$/, '');
  const [post, settings] = await Promise.all([deps.posts.get(input.postId), deps.settings.get()]);
  const frozen = renderPostEmail({
    post,
    site: {
      title: settings.title,
      accent_color: settings.accent_color,
      logo: settings.logo,
      locale: settings.locale,
      publicUrl: site,
    },
    reader: 'paid',
  });
  const content = personalize(frozen, {
    name: TEST_RECIPIENT_NAME,
    unsubscribeUrl: `${site}/unsubscribe`,
    manageUrl: `${site}/account`,
  });
  const [result] = await deps.transport
    .send([
      {
        to: input.to,
        from: config.from,
        subject: `[Test] ${content.subject}`,
        html: content.html,
        text: content.text,
        headers: {},
        // A bounce of a test names no real send or member, so it changes nothing.
        envelopeFrom: verpAddress({
          localPart: 'bnc',
          domain: config.bounceDomain,
          secret: config.secret,
          sendId: 'test',
          recipientId: 'test',
        }),
        messageId: `<test.${Date.now().toString(36)}.${Math.random().toString(36).slice(2)}@${new URL(site).hostname}>`,
      },
    ])
    .catch((error: unknown) => {
      // The relay or API itself failed (credentials, unreachable): not the caller's input.
      if (!(error instanceof TransportError)) throw error;
      throw new AppError('transport_failed', `The newsletter transport failed: ${error.message}`, {
        status: 502,
        cause: error,
      });
    });
  if (result && !result.ok) {
    throw conflict(`The test email was not accepted: ${result.message}`, 'to');
  }
}

const noTransport = () =>
  conflict(
    'No newsletter transport is configured: set SMTP_URL (an SMTP relay) or POSTMARK_SERVER_TOKEN',
  );

/** `/api/admin/sends`: start newsletter sends, watch them, pause, resume or cancel them. */
export function createSendsApi(deps: SendsApiDeps) {
  const api = new Hono<AdminEnv>();
  api.use('*', authenticate(deps.staff), requireStaff('editor'));
  const sends = () => deps.sends ?? throwing(noTransport());

  api.post('/test', async (c) => {
    const body = await readJson(c, testEmailBody);
    await sendTestEmail(deps.testEmail ?? throwing(noTransport()), {
      postId: body.post_id,
      to: body.to,
    });
    return c.json({ sent: true, to: body.to }, 202);
  });

  api.post('/', async (c) => {
    const body = await readJson(c, createSendBody);
    const send = await sends().createSend({
      postId: body.post_id,
      newsletterId: body.newsletter_id,
      segment: body.segment,
      scheduledAt: body.scheduled_at ?? null,
      actorId: currentStaff(c).id,
    });
    return c.json({ send }, 201);
  });

  api.get('/:id', async (c) => {
    const id = c.req.param('id');
    return c.json({ send: { id, ...(await sends().progress(id)) } });
  });

  for (const action of ['pause', 'resume', 'cancel'] as const) {
    api.post(`/:id/${action}`, async (c) => {
      const id = c.req.param('id');
      return c.json({ send: { id, ...(await sends()[action](id)) } });
    });
  }
  return api;
}

function throwing(error: Error): never {
  throw error;
}
