import { Hono } from 'hono';
import type { Clock } from '../../../platform/clock.js';
import type { Db } from '../../../platform/db/index.js';
import type { BaseEnv } from '../../../platform/http/index.js';
import type { Logger } from '../../../platform/logger.js';
import type { SiteAssets } from '../../../site/site-assets.js';
import type { SiteView } from '../../../site/views/layout.js';
import type { SettingsService } from '../../settings/index.js';
import { startBounceListener, type BounceListener } from './bounce-listener.js';
import { BOUNCES_PATH, createBouncesApi, POSTMARK_WEBHOOK_PATH } from './bounces.routes.js';
import { BouncesService } from './bounces.service.js';
import { isSuppressed, listSuppressions } from './feedback.repository.js';
import {
  createUnsubscribeApi,
  createUnsubscribeSiteRoutes,
  UNSUBSCRIBE_API_PATH,
  UNSUBSCRIBE_PATH,
} from './unsubscribe.routes.js';
import { UNSUBSCRIBE_LOCAL_PART, UnsubscribeService } from './unsubscribe.service.js';

export {
  BOUNCE_LOCAL_PART,
  MATCH_WINDOW_DAYS,
  SOFT_BOUNCE_LIMIT,
  BouncesService,
  type BounceOutcome,
  type BounceReport,
  type BounceResult,
  type BounceSummary,
} from './bounces.service.js';
export { BOUNCE_SIZE_LIMIT, type BounceListener } from './bounce-listener.js';
export { INBOUND_SECRET_HEADER } from './inbound-auth.js';
export {
  UNSUBSCRIBE_LOCAL_PART,
  UnsubscribeService,
  type UnsubscribeMailResult,
  type UnsubscribeOutcome,
  type UnsubscribeTarget,
} from './unsubscribe.service.js';
export type { Suppression, SuppressionReason } from './feedback.repository.js';
export { BOUNCES_PATH, POSTMARK_WEBHOOK_PATH, UNSUBSCRIBE_API_PATH, UNSUBSCRIBE_PATH };

/** POSTs that carry no CSRF token: a signed token or the inbound secret authorises them. */
export const FEEDBACK_CSRF_EXEMPT_PATHS: ReadonlySet<string> = new Set([
  UNSUBSCRIBE_PATH,
  UNSUBSCRIBE_API_PATH,
  BOUNCES_PATH,
  POSTMARK_WEBHOOK_PATH,
]);

export interface FeedbackModuleDeps {
  db: Db;
  clock: Clock;
  logger: Logger;
  /** Signs unsubscribe tokens and VERP addresses; the sends module must use the same one. */
  secret: string;
  /** Shared with the bounce relay and Postmark; bounce endpoints refuse everything without it. */
  inboundSecret: string | undefined;
  /**
   * The domain of our VERP Return-Paths, `bnc+…@<bounceDomain>`, and of the `mailto:`
   * unsubscribe address, `unsubscribe@<bounceDomain>`; its MX is the bounce listener.
   */
  bounceDomain: string;
  settings: Pick<SettingsService, 'get'>;
  assets: SiteAssets;
  /** Absolute, as in emails: `https://news.example.com` */
  publicUrl: string;
}

export type FeedbackModule = ReturnType<typeof createFeedbackModule>;

/**
 * Unsubscribes, bounces and complaints: what comes back after a newsletter goes out.
 * Mount `routes.site` and `routes.api` at '/'; exempt `csrfExemptPaths` from CSRF.
 */
export function createFeedbackModule(deps: FeedbackModuleDeps) {
  const { db, clock, logger, secret } = deps;
  const publicUrl = deps.publicUrl.replace(/\/+$/, '');
  const unsubscribe = new UnsubscribeService({ db, clock, logger, secret });
  const bounces = new BouncesService({
    db,
    clock,
    logger,
    secret,
    bounceDomain: deps.bounceDomain,
  });
  const site = async (): Promise<SiteView> => ({
    settings: await deps.settings.get(),
    assets: deps.assets,
    publicUrl,
  });

  const api = new Hono<BaseEnv>();
  api.route('/', createUnsubscribeApi({ unsubscribe }));
  api.route('/', createBouncesApi({ bounces, inboundSecret: deps.inboundSecret }));

  return {
    service: {
      unsubscribe,
      bounces,
      handleBounce: (raw: Buffer | string) => bounces.handleBounce(raw),
      handleComplaint: (email: string, ref?: { sendId?: string; providerId?: string }) =>
        bounces.handleComplaint(email, ref),
      isSuppressed: (email: string) => isSuppressed(db, email.trim().toLowerCase()),
      listSuppressions: (page: { limit: number; offset: number } = { limit: 100, offset: 0 }) =>
        listSuppressions(db, page),
    },
    routes: { site: createUnsubscribeSiteRoutes({ unsubscribe, site }), api },
    csrfExemptPaths: (path: string) => FEEDBACK_CSRF_EXEMPT_PATHS.has(path),
    startBounceListener: (options: {
      port: number;
      host: string;
      disableStartTls?: boolean;
    }): Promise<BounceListener> =>
      startBounceListener({
        ...options,
        logger,
        handleBounce: (raw) => bounces.handleBounce(raw),
        unsubscribe: {
          address: `${UNSUBSCRIBE_LOCAL_PART}@${deps.bounceDomain}`,
          handle: (raw) => unsubscribe.unsubscribeByMail(raw),
        },
      }),
  };
}
