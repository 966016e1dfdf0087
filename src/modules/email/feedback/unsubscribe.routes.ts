import { Hono, type Context } from 'hono';
import { z } from 'zod';
import { readJson, type BaseEnv } from '../../../platform/http/index.js';
import type { SiteView } from '../../../site/views/layout.js';
import { confirmUnsubscribePage, unsubscribedPage } from './unsubscribe.views.js';
import type { UnsubscribeOutcome, UnsubscribeService } from './unsubscribe.service.js';

export interface UnsubscribeRoutesDeps {
  unsubscribe: UnsubscribeService;
  site: () => Promise<SiteView>;
}

/** Paths whose POSTs carry no CSRF token: the signed token is their authorisation. */
export const UNSUBSCRIBE_PATH = '/unsubscribe';
export const UNSUBSCRIBE_API_PATH = '/api/email/unsubscribe';

const tokenOf = (c: Context) => c.req.query('token') ?? '';

function noStore(c: Context): void {
  // The token in the URL is a credential: keep it out of caches and other sites' logs.
  c.header('Cache-Control', 'no-store');
  c.header('Referrer-Policy', 'no-referrer');
}

/** `GET|POST /unsubscribe?token=…`; mount at '/'. */
export function createUnsubscribeSiteRoutes(deps: UnsubscribeRoutesDeps) {
  const app = new Hono<BaseEnv>();

  app.get(UNSUBSCRIBE_PATH, async (c) => {
    const token = tokenOf(c);
    const target = await deps.unsubscribe.describe(token);
    noStore(c);
    const action = `${UNSUBSCRIBE_PATH}?token=${encodeURIComponent(token)}`;
    return c.html(confirmUnsubscribePage(await deps.site(), target, action));
  });

  // RFC 8058: the mail client POSTs `List-Unsubscribe=One-Click` with no cookies; our own
  // page's button posts the same. Whatever the body says, the token decides.
  app.post(UNSUBSCRIBE_PATH, async (c) => {
    const outcome = await deps.unsubscribe.unsubscribe(tokenOf(c));
    noStore(c);
    return c.html(unsubscribedPage(await deps.site(), outcome));
  });

  return app;
}

const unsubscribeBody = z.strictObject({ token: z.string().min(1).max(1000) });

const present = (o: UnsubscribeOutcome) => ({
  result: o.result,
  newsletterId: o.payload.newsletterId,
  newsletterName: o.newsletterName,
});

/** `POST /api/email/unsubscribe {token}`: the same for scripts; mount at '/'. */
export function createUnsubscribeApi(deps: Pick<UnsubscribeRoutesDeps, 'unsubscribe'>) {
  const app = new Hono<BaseEnv>();
  app.post(UNSUBSCRIBE_API_PATH, async (c) => {
    const { token } = await readJson(c, unsubscribeBody);
    return c.json(present(await deps.unsubscribe.unsubscribe(token)));
  });
  return app;
}
