import { Hono } from 'hono';
import type { Clock } from '../../platform/clock.js';
import type { Db } from '../../platform/db/index.js';
import type { Logger } from '../../platform/logger.js';
import type { Mailer } from '../../platform/mailer/index.js';
import type { RateLimiter } from '../../platform/security/rate-limit.js';
import { loadSiteAssets, type SiteAssets } from '../../site/site-assets.js';
import type { SettingsService } from '../settings/index.js';
import type { AdminEnv, StaffService } from '../staff/index.js';
import { memberSession } from './member-session.js';
import {
  createMembersApi,
  createMemberSiteRoutes,
  MEMBER_CSRF_EXEMPT_PATHS,
  type MemberPlans,
} from './members.routes.js';
import { MembersService, type BillingSummary } from './members.service.js';
import { createNewslettersAdminApi } from './newsletters.routes.js';
import { NewslettersService } from './newsletters.service.js';
import { createPledgesAdminApi } from './pledges.routes.js';
import { PledgesService } from './pledges.service.js';

export * from './members.types.js';
export {
  ANONYMOUS,
  accessLevel,
  canRead,
  levelCanRead,
  readerCanRead,
  readerLevel,
  type AccessLevel,
  type ReaderLevel,
  type Viewer,
  type Visibility,
} from './access.js';
export { recordMemberEvent, memberEvents } from './member-events.repository.js';
// For the email module's one-click unsubscribe, which works without a member session.
export {
  findNewsletterById,
  memberNewsletterIds,
  unsubscribeMember,
} from './newsletters.repository.js';
export {
  applyBilling,
  findMemberByEmail,
  findMemberById,
  findMemberByStripeCustomer,
  type BillingPatch,
} from './members-billing.repository.js';
export {
  MEMBER_COOKIE,
  memberSession,
  requireMember,
  viewerOf,
  type MemberEnv,
  type MemberVariables,
} from './member-session.js';
export {
  MembersService,
  DELETE_CONFIRMATION,
  toPublicMember,
  type AccountOverview,
  type BillingSummary,
  type PublicMember,
  type SessionMember,
} from './members.service.js';
export { MEMBER_CSRF_EXEMPT_PATHS, type MemberPlans } from './members.routes.js';
export type { PlansOffer, PlanTier } from './members.views.js';
export {
  NewslettersService,
  type Newsletter,
  type NewsletterWithCount,
} from './newsletters.service.js';
export {
  PledgesService,
  PLEDGE_INTERVALS,
  formatMoney,
  minorUnitsPerMajor,
  summarizePledges,
  toMinorUnits,
  type Pledge,
  type PledgeInterval,
  type PledgeStatus,
  type PledgeSummary,
  type PledgeWithMember,
} from './pledges.service.js';

export interface MembersModuleDeps {
  db: Db;
  clock: Clock;
  logger: Logger;
  mailer: Mailer;
  rateLimiter: RateLimiter;
  settings: SettingsService;
  staff: StaffService;
  config: {
    /** Absolute, as in emails: `https://news.example.com` */
    publicUrl: string;
    secureCookies: boolean;
  };
  /** The site's theme files for the member pages; read from the site's folder if absent. */
  assets?: SiteAssets;
  /** Currency of new pledges (ISO code); USD when absent. */
  pledgeCurrency?: () => Promise<string>;
  /** The payments module's summary of a member's plan for the account page. */
  billingSummary?: (memberId: string) => Promise<BillingSummary | null>;
  /** The payments module's tiers and Checkout, for the account page's Plans section. */
  plans?: MemberPlans;
}

export type MembersModule = ReturnType<typeof createMembersModule>;

/**
 * Builds the members module. Mount `routes.site` at '/', `routes.api` at '/api/members' and
 * `routes.admin` at '/api/admin'; give `csrfProtection` the `csrfExemptPaths`.
 */
export function createMembersModule(deps: MembersModuleDeps) {
  const { db, clock, settings, staff } = deps;
  const publicUrl = deps.config.publicUrl.replace(/\/+$/, '');
  const newsletters = new NewslettersService({
    db,
    clock,
    publicationTitle: async () => (await settings.get()).title,
  });
  const pledges = new PledgesService({
    db,
    clock,
    currency: deps.pledgeCurrency ?? (async () => 'USD'),
    switch: {
      get: async () => (await settings.get()).pledges_enabled,
      set: async (enabled) => {
        await settings.update({ pledges_enabled: enabled });
      },
    },
  });
  const service = new MembersService({
    db,
    clock,
    logger: deps.logger,
    mailer: deps.mailer,
    rateLimiter: deps.rateLimiter,
    settings,
    newsletters,
    pledges,
    publicUrl,
    ...(deps.billingSummary ? { billingSummary: deps.billingSummary } : {}),
  });

  const routeDeps = {
    service,
    newsletters,
    pledges,
    settings,
    assets: deps.assets ?? loadSiteAssets(),
    publicUrl,
    secureCookies: deps.config.secureCookies,
    ...(deps.plans ? { plans: deps.plans } : {}),
  };
  const admin = new Hono<AdminEnv>();
  admin.route('/', createNewslettersAdminApi({ newsletters, staff }));
  admin.route('/', createPledgesAdminApi({ pledges, staff }));

  return {
    service,
    newsletters,
    pledges,
    routes: {
      site: createMemberSiteRoutes(routeDeps),
      api: createMembersApi(routeDeps),
      admin,
    },
    memberSession: memberSession(service),
    csrfExemptPaths: (path: string) => MEMBER_CSRF_EXEMPT_PATHS.has(path),
  };
}
