import type Stripe from 'stripe';
import type { Clock } from '../../platform/clock.js';
import type { Db } from '../../platform/db/index.js';
import { AppError, badRequest, notFound } from '../../platform/errors.js';
import { applyBilling } from '../members/members-billing.repository.js';
import type { Member } from '../members/members.types.js';
import { PAYING_STATUSES } from './billing-status.js';
import { formatMoney } from './money.js';
import type { PaymentSettings } from './payment-settings.js';
import type { CheckoutInput } from './payments.schema.js';
import type { Tier } from './payments.types.js';
import type { StripeGateway } from './stripe-gateway.js';
import { listMemberSubscriptions } from './subscriptions.repository.js';
import type { TiersService } from './tiers.service.js';

/** A member holding one of these has a subscription to manage, not a new one to buy. */
const CURRENT_STATUSES: readonly string[] = [...PAYING_STATUSES, 'past_due', 'unpaid'];

export interface CheckoutDeps {
  db: Db;
  clock: Clock;
  settings: PaymentSettings;
  tiers: TiersService;
  publicUrl: string;
}

/** Sends members to Stripe: Checkout to start paying, the Customer Portal to manage it. */
export class CheckoutService {
  constructor(private readonly deps: CheckoutDeps) {}

  async startCheckout(member: Member, input: CheckoutInput): Promise<{ url: string }> {
    const state = await this.deps.settings.current();
    if (!state.checkoutOpen)
      throw new AppError('payments_closed', 'Paid subscriptions are not open yet', {
        status: 409,
      });
    const stripe = await this.requireStripe();
    const stored = await this.deps.tiers.get(input.tier_id).catch(() => undefined);
    if (!stored?.active) throw notFound('Tier');
    if (!stored.open)
      throw new AppError('tier_not_open', `${stored.name} takes pledges only for now`, {
        status: 409,
        field: 'tier_id',
      });
    const subscriptions = await listMemberSubscriptions(this.deps.db, member.id);
    if (subscriptions.some((s) => CURRENT_STATUSES.includes(s.status)))
      throw new AppError(
        'already_subscribed',
        'You already have a subscription; change or cancel it from your account',
        { status: 409 },
      );

    checkChoice(stored, input);
    const tier = await this.deps.tiers.withStripeCatalog(stored);
    const lineItem = lineItemFor(tier, input);
    const customer = await stripe.customerFor(member);
    if (customer.created || member.stripe_customer_id !== customer.id) {
      await applyBilling(
        this.deps.db,
        member.id,
        { stripe_customer_id: customer.id },
        this.deps.clock.now().toISOString(),
      );
    }
    const metadata = { member_id: member.id, tier_id: tier.id };
    // One free trial per reader: someone who has subscribed before pays from day one.
    const trialDays = subscriptions.length === 0 ? tier.trial_days : 0;
    const session = await stripe.createCheckoutSession({
      mode: 'subscription',
      customer: customer.id,
      client_reference_id: member.id,
      line_items: [lineItem],
      subscription_data: {
        metadata,
        ...(trialDays > 0 ? { trial_period_days: trialDays } : {}),
      },
      metadata: { ...metadata, interval: input.interval },
      success_url: `${this.deps.publicUrl}/account?checkout=success`,
      cancel_url: `${this.deps.publicUrl}/account?checkout=cancelled`,
    });
    if (!session.url)
      throw new AppError('payment_provider_error', 'Stripe returned no checkout page', {
        status: 502,
      });
    return { url: session.url };
  }

  async openPortal(member: Member): Promise<{ url: string }> {
    const stripe = await this.requireStripe();
    if (!member.stripe_customer_id)
      throw new AppError('no_billing_account', 'There is no subscription to manage yet', {
        status: 409,
      });
    const session = await stripe.createPortalSession(
      member.stripe_customer_id,
      `${this.deps.publicUrl}/account`,
    );
    return { url: session.url };
  }

  private async requireStripe(): Promise<StripeGateway> {
    const stripe = await this.deps.settings.gateway();
    if (!stripe)
      throw new AppError('payments_unavailable', 'Payments are not set up on this site', {
        status: 409,
      });
    return stripe;
  }
}

/** What the reader chose must fit the tier; checked before anything is sent to Stripe. */
function checkChoice(tier: Tier, input: CheckoutInput): void {
  if (tier.founding_min_amount !== null) {
    if (input.interval !== 'year')
      throw badRequest('interval: the founding tier is paid yearly', 'interval');
    if (input.amount === undefined) throw badRequest('amount: is required', 'amount');
    if (input.amount < tier.founding_min_amount)
      throw badRequest(
        `amount: must be at least ${formatMoney(tier.founding_min_amount, tier.currency)}`,
        'amount',
      );
    return;
  }
  if (input.amount !== undefined)
    throw badRequest('amount: only the founding tier takes a chosen amount', 'amount');
}

/** The tier's Price, or for the founding tier a price made from the reader's amount. */
function lineItemFor(
  tier: Tier,
  input: CheckoutInput,
): Stripe.Checkout.SessionCreateParams.LineItem {
  if (tier.founding_min_amount !== null && input.amount !== undefined) {
    if (!tier.stripe_product_id)
      throw new AppError('payment_provider_error', 'The tier has no Stripe product', {
        status: 502,
      });
    return {
      quantity: 1,
      price_data: {
        currency: tier.currency,
        product: tier.stripe_product_id,
        unit_amount: input.amount,
        recurring: { interval: 'year' },
      },
    };
  }
  const price =
    input.interval === 'month' ? tier.stripe_monthly_price_id : tier.stripe_yearly_price_id;
  if (!price)
    throw badRequest(`interval: ${tier.name} has no ${input.interval}ly price`, 'interval');
  return { price, quantity: 1 };
}
