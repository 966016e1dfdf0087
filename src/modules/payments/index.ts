import type { Clock } from '../../platform/clock.js';
import type { Db } from '../../platform/db/index.js';
import type { JobQueue } from '../../platform/jobs/index.js';
import type { Logger } from '../../platform/logger.js';
import type { Mailer } from '../../platform/mailer/index.js';
import type { StaffService } from '../staff/index.js';
import { loadPaymentsConfig } from './payments.config.js';
import {
  createPaymentsAdminApi,
  createPaymentsMemberApi,
  createPaymentsSiteRoutes,
  type GetMember,
} from './payments.routes.js';
import { PaymentsService, WEBHOOK_PATH } from './payments.service.js';
import type { PledgePort } from './payments.types.js';

export interface PaymentsModuleDeps {
  db: Db;
  clock: Clock;
  logger: Logger;
  mailer: Mailer;
  jobs: JobQueue;
  config: { publicUrl: string };
  /** STRIPE_SECRET_KEY, STRIPE_WEBHOOK_SECRET, STRIPE_API_BASE; validated here, at start. */
  env: Record<string, string | undefined>;
  pledges: PledgePort;
  getMember: GetMember;
  /** Guards the admin routes. */
  staff: StaffService;
  /** The publication's name for emails; defaults to the public URL's host name. */
  siteTitle?: () => Promise<string>;
}

/**
 * Paid memberships through Stripe. Throws a ConfigError naming the variable when a payment
 * variable is malformed, so a bad deploy stops at start.
 */
export function createPaymentsModule(deps: PaymentsModuleDeps) {
  const service = new PaymentsService({
    db: deps.db,
    clock: deps.clock,
    logger: deps.logger,
    mailer: deps.mailer,
    jobs: deps.jobs,
    publicUrl: deps.config.publicUrl.replace(/\/+$/, ''),
    config: loadPaymentsConfig(deps.env),
    pledges: deps.pledges,
    ...(deps.siteTitle ? { siteTitle: deps.siteTitle } : {}),
  });
  const memberDeps = { payments: service, getMember: deps.getMember };
  return {
    service,
    routes: {
      /** Mount at `/`. */
      site: createPaymentsSiteRoutes(memberDeps),
      /** Mount at `/api/members`. */
      api: createPaymentsMemberApi(memberDeps),
      /** Mount at `/api/admin`. */
      admin: createPaymentsAdminApi({ payments: service, staff: deps.staff }),
    },
    /** Stripe posts here; exempt it from CSRF. */
    webhookPath: WEBHOOK_PATH,
    billingSummary: (memberId: string) => service.billingSummary(memberId),
  };
}

export type PaymentsModule = ReturnType<typeof createPaymentsModule>;

export { registerPaymentJobs } from './payments.jobs.js';
export { INVITE_PLEDGERS_JOB, WEBHOOK_PATH, PaymentsService } from './payments.service.js';
export { loadPaymentsConfig, type PaymentsConfig } from './payments.config.js';
export type { GetMember } from './payments.routes.js';
export type {
  ActivePledge,
  BillingSummary,
  PaymentsSummary,
  PledgePort,
  PublicTier,
  Tier,
} from './payments.types.js';
