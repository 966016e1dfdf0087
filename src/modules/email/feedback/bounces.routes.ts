import { Hono } from 'hono';
import { AppError } from '../../../platform/errors.js';
import { readJson, type BaseEnv } from '../../../platform/http/index.js';
import type { BounceResult, BouncesService } from './bounces.service.js';
import { requireInboundSecret } from './inbound-auth.js';
import { postmarkFeedback, postmarkRecordSchema } from './postmark-webhook.js';

export const BOUNCES_PATH = '/api/email/bounces';
export const POSTMARK_WEBHOOK_PATH = '/api/email/postmark-webhook';

const RAW_TYPES = ['message/rfc822', 'text/plain'];

export interface BouncesRoutesDeps {
  bounces: BouncesService;
  inboundSecret: string | undefined;
}

/**
 * `POST /api/email/bounces` (a raw bounce message, from a relay or a pipe on the MX) and
 * `POST /api/email/postmark-webhook`; mount at '/'. Both need the inbound secret.
 */
export function createBouncesApi(deps: BouncesRoutesDeps) {
  const app = new Hono<BaseEnv>();
  const auth = requireInboundSecret(deps.inboundSecret);

  app.post(BOUNCES_PATH, auth, async (c) => {
    const type = (c.req.header('content-type') ?? '').split(';')[0]!.trim().toLowerCase();
    if (!RAW_TYPES.includes(type)) {
      throw new AppError(
        'unsupported_media_type',
        'Send the bounce message as message/rfc822 or text/plain',
        { status: 415 },
      );
    }
    const raw = Buffer.from(await c.req.arrayBuffer());
    return c.json(await deps.bounces.handleBounce(raw));
  });

  app.post(POSTMARK_WEBHOOK_PATH, auth, async (c) => {
    const feedback = postmarkFeedback(await readJson(c, postmarkRecordSchema));
    let result: BounceResult | null = null;
    const ref =
      feedback.action !== 'ignore' && feedback.providerId
        ? { providerId: feedback.providerId }
        : {};
    if (feedback.action === 'complaint') {
      result = await deps.bounces.handleComplaint(feedback.email, ref);
    } else if (feedback.action === 'bounce') {
      result = await deps.bounces.applyBounce({
        email: feedback.email,
        kind: feedback.kind,
        status: feedback.status,
        diagnostic: feedback.diagnostic,
        ...ref,
      });
    }
    // Postmark retries anything but a 2xx, so records we do not act on are still accepted.
    return c.json(
      result === null
        ? {
            recognised: false,
            results: [],
            ignored: feedback.action === 'ignore' ? feedback.reason : null,
          }
        : { recognised: true, results: [result] },
    );
  });

  return app;
}
