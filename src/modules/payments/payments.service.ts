import type { Clock } from '../../platform/clock.js';
import type { Db } from '../../platform/db/index.js';
import { AppError } from '../../platform/errors.js';
import type { JobQueue } from '../../platform/jobs/index.js';
import type { Logger } from '../../platform/logger.js';
import type { Mailer } from '../../platform/mailer/index.js';
import { findMemberById } from '../members/members-billing.repository.js';
import { monthlyRecurringRevenue, PAYING_STATUSES } from './billing-status.js';
import { CheckoutService } from './checkout.service.js';
import { invitationCounts } from './payment-settings.repository.js';
import { keyHint, PaymentSettings } from './payment-settings.js';
import type { PaymentsConfig } from './payments.config.js';
import type { BillingSummary, Interval, PaymentsSummary, PledgePort } from './payments.types.js';
import { PledgeInvitations } from './pledge-invitations.service.js';
import { listMemberSubscriptions, listSubscriptionsByStatus } from './subscriptions.repository.js';
import { TiersService } from './tiers.service.js';
import { WebhookService } from './webhooks.service.js';

export const INVITE_PLEDGERS_JOB = 'payments.invite-pledgers';
export const WEBHOOK_PATH = '/members/stripe/webhook';
/** The HTML form route that opens the Stripe Customer Portal. */
export const PORTAL_FORM_PATH = '/members/billing-portal';

export interface PaymentsServiceDeps {
  db: Db;
  clock: Clock;
  logger: Logger;
  mailer: Mailer;
  jobs: JobQueue;
  publicUrl: string;
  config: PaymentsConfig;
  pledges: PledgePort;
  /** The publication's name, for emails; defaults to the public URL's host name. */
  siteTitle?: () => Promise<string>;
}

/** What staff see of the payment settings: never a secret, only where it comes from. */
export interface PaymentSettingsView {
  stripe_configured: boolean;
  paid_subscriptions_open: boolean;
  checkout_available: boolean;
  secret_key: { source: 'env' | 'settings' | null; hint: string | null };
  webhook_secret: { source: 'env' | 'settings' | null };
  webhook_url: string;
}

/** The payments module's one service: tiers, checkout, webhooks and the pledge drive. */
export class PaymentsService {
  readonly settings: PaymentSettings;
  readonly tiers: TiersService;
  readonly checkout: CheckoutService;
  readonly webhooks: WebhookService;
  readonly invitations: PledgeInvitations;

  constructor(private readonly deps: PaymentsServiceDeps) {
    const { db, clock, logger, publicUrl, pledges } = deps;
    this.settings = new PaymentSettings({ db, clock, logger, config: deps.config });
    this.tiers = new TiersService({ db, clock, settings: this.settings });
    this.checkout = new CheckoutService({
      db,
      clock,
      settings: this.settings,
      tiers: this.tiers,
      publicUrl,
    });
    this.webhooks = new WebhookService({
      db,
      clock,
      logger,
      settings: this.settings,
      tiers: this.tiers,
      pledges,
    });
    const host = new URL(publicUrl).hostname;
    this.invitations = new PledgeInvitations({
      db,
      clock,
      logger,
      mailer: deps.mailer,
      settings: this.settings,
      tiers: this.tiers,
      pledges,
      publicUrl,
      siteTitle: deps.siteTitle ?? (() => Promise.resolve(host)),
    });
  }

  async settingsView(): Promise<PaymentSettingsView> {
    const s = await this.settings.current();
    return {
      stripe_configured: s.configured,
      paid_subscriptions_open: s.open,
      checkout_available: s.checkoutOpen,
      secret_key: { source: s.sources.secretKey, hint: keyHint(s.secretKey) },
      webhook_secret: { source: s.sources.webhookSecret },
      webhook_url: `${this.deps.publicUrl}${WEBHOOK_PATH}`,
    };
  }

  async storeKeys(patch: Parameters<PaymentSettings['storeKeys']>[0]) {
    await this.settings.storeKeys(patch);
    return this.settingsView();
  }

  /**
   * Opens paid subscriptions and queues the invitations to pledgers, in one transaction:
   * the switch is on if and only if the invitations will go out.
   */
  async openPaidSubscriptions(): Promise<PaymentSettingsView & { invitation_job: string }> {
    if (!(await this.settings.current()).configured)
      throw new AppError(
        'payments_unavailable',
        'Set the Stripe secret key and webhook secret before opening paid subscriptions',
        { status: 409 },
      );
    const job = await this.deps.db.transaction().execute(async (trx) => {
      await this.settings.setOpen(true, trx);
      return this.deps.jobs.enqueue(
        INVITE_PLEDGERS_JOB,
        {},
        { uniqueKey: INVITE_PLEDGERS_JOB, executor: trx },
      );
    });
    this.deps.logger.info({ job: job.id }, 'paid subscriptions opened');
    return { ...(await this.settingsView()), invitation_job: job.id };
  }

  async closePaidSubscriptions(): Promise<PaymentSettingsView> {
    await this.settings.setOpen(false);
    return this.settingsView();
  }

  async summary(): Promise<PaymentsSummary> {
    const [state, pledges, invitations, subscriptions] = await Promise.all([
      this.settings.current(),
      this.deps.pledges.activePledges(),
      invitationCounts(this.deps.db),
      listSubscriptionsByStatus(this.deps.db, ['active', 'trialing', 'past_due']),
    ]);
    const count = (status: string) => subscriptions.filter((s) => s.status === status).length;
    return {
      paid_subscriptions_open: state.open,
      stripe_configured: state.configured,
      pledgers: { active: pledges.length, ...invitations },
      subscriptions: {
        active: count('active'),
        trialing: count('trialing'),
        past_due: count('past_due'),
      },
      mrr: monthlyRecurringRevenue(subscriptions),
    };
  }

  /**
   * The member's current subscription for their account page: the one being paid for, else
   * the one in arrears, else the last one that ended. Null for someone who never subscribed.
   */
  async billingSummary(memberId: string): Promise<BillingSummary | null> {
    const member = await findMemberById(this.deps.db, memberId);
    if (!member) return null;
    const subscriptions = await listMemberSubscriptions(this.deps.db, memberId);
    const newestFirst = [...subscriptions].sort((a, b) =>
      (b.current_period_end ?? '').localeCompare(a.current_period_end ?? ''),
    );
    const current =
      newestFirst.find((s) => PAYING_STATUSES.includes(s.status)) ??
      newestFirst.find((s) => s.status === 'past_due' || s.status === 'unpaid') ??
      newestFirst.find((s) => s.status === 'canceled');
    if (!current) return null;
    const tier = current.tier_id
      ? await this.tiers.get(current.tier_id).catch(() => undefined)
      : undefined;
    const { configured } = await this.settings.current();
    const cancelling = current.cancel_at_period_end === 1;
    const portal = configured && member.stripe_customer_id !== null;
    return {
      subscription_id: current.id,
      status: current.status,
      tier_id: current.tier_id,
      plan: tier?.name ?? 'Paid plan',
      interval: current.interval as Interval | null,
      amount: current.amount,
      currency: current.currency,
      current_period_end: current.current_period_end,
      renews_at:
        PAYING_STATUSES.includes(current.status) && !cancelling ? current.current_period_end : null,
      cancel_at_period_end: cancelling,
      trial_end: current.trial_end,
      portal_available: portal,
      manage_path: portal ? PORTAL_FORM_PATH : null,
    };
  }
}
