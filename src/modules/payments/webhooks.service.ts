import type { Clock } from '../../platform/clock.js';
import type { Db } from '../../platform/db/index.js';
import { AppError } from '../../platform/errors.js';
import type { Logger } from '../../platform/logger.js';
import { recordMemberEvent } from '../members/member-events.repository.js';
import {
  applyBilling,
  findMemberById,
  findMemberByStripeCustomer,
} from '../members/members-billing.repository.js';
import type { Member } from '../members/members.types.js';
import { billingChanged, deriveBilling, startsCancellation, supersedes } from './billing-status.js';
import { recordConverted } from './payment-settings.repository.js';
import type { PaymentSettings } from './payment-settings.js';
import type { ActivePledge, PledgePort } from './payments.types.js';
import { verifyWebhook, type StripeEvent, type StripeGateway } from './stripe-gateway.js';
import {
  readCheckoutSession,
  readInvoice,
  readSubscription,
  type CheckoutFacts,
  type InvoiceFacts,
  type SubscriptionFacts,
} from './stripe-objects.js';
import * as repo from './subscriptions.repository.js';
import type { TiersService } from './tiers.service.js';

export const HANDLED_EVENTS = [
  'checkout.session.completed',
  'customer.subscription.created',
  'customer.subscription.updated',
  'customer.subscription.deleted',
  'invoice.paid',
  'invoice.payment_failed',
] as const;
type HandledType = (typeof HANDLED_EVENTS)[number];

export type WebhookOutcome = 'processed' | 'duplicate' | 'ignored';

/** Everything an event needs from outside the database, gathered before the transaction. */
interface Plan {
  type: HandledType;
  checkout?: CheckoutFacts;
  invoice?: InvoiceFacts;
  subscription?: SubscriptionFacts;
  tierId: string | null;
  /** The member's pledge, when checkout completed while one was active. */
  pledge?: ActivePledge;
}

export interface WebhookDeps {
  db: Db;
  clock: Clock;
  logger: Logger;
  settings: PaymentSettings;
  tiers: TiersService;
  pledges: PledgePort;
}

/**
 * Applies Stripe's webhook events to members. Each event is applied at most once: its id is
 * claimed in `stripe_events` in the same transaction as its effects, so a replay, a retry
 * or a second concurrent delivery changes nothing. Events also arrive out of order: a
 * subscription carries the version it was last written from, and an older one never
 * overwrites a newer one. Checkout and invoice events carry no subscription, so theirs is
 * fetched from Stripe; either way every path converges on Stripe's current state.
 */
export class WebhookService {
  constructor(private readonly deps: WebhookDeps) {}

  async handle(payload: Uint8Array, signature: string | undefined): Promise<WebhookOutcome> {
    const { webhookSecret } = await this.deps.settings.current();
    if (!webhookSecret)
      throw new AppError('payments_unavailable', 'Stripe webhooks are not configured', {
        status: 503,
      });
    let event: StripeEvent;
    try {
      event = verifyWebhook(
        payload,
        signature ?? '',
        webhookSecret,
        this.deps.clock.now().getTime(),
      );
    } catch (error) {
      this.deps.logger.warn({ err: error }, 'Stripe webhook refused: bad signature');
      throw new AppError('invalid_signature', 'The Stripe signature does not match this payload', {
        status: 400,
      });
    }
    if (!(HANDLED_EVENTS as readonly string[]).includes(event.type)) return 'ignored';
    // Cheap early exit for replays; the claim inside the transaction is what guarantees once.
    if (await repo.stripeEventSeen(this.deps.db, event.id)) return 'duplicate';

    const plan = await this.gather(event.type as HandledType, event.data.object);
    if (plan.pledge) {
      // The members module owns pledges and records the conversion in the member's history.
      // It is told before the transaction (the port uses its own connection: calling it from
      // inside would wait on ourselves on SQLite), and being told twice does nothing more.
      await this.deps.pledges.markConverted(plan.pledge.member_id, this.now());
    }
    const outcome = await this.deps.db.transaction().execute((trx) => this.apply(trx, event, plan));
    this.deps.logger.info({ stripeEvent: event.id, type: event.type, outcome }, 'Stripe event');
    return outcome;
  }

  private now() {
    return this.deps.clock.now().toISOString();
  }

  private async gather(type: HandledType, object: unknown): Promise<Plan> {
    if (type === 'checkout.session.completed') {
      const checkout = readCheckoutSession(object);
      if (checkout.mode !== 'subscription' || !checkout.subscriptionId)
        return { type, checkout, tierId: null };
      const subscription = await this.fetchSubscription(checkout.subscriptionId);
      const memberId = subscription.memberId ?? checkout.memberId;
      const pledge = memberId
        ? (await this.deps.pledges.activePledges()).find((p) => p.member_id === memberId)
        : undefined;
      return { type, checkout, subscription, tierId: await this.tierOf(subscription), pledge };
    }
    if (type === 'invoice.paid' || type === 'invoice.payment_failed') {
      const invoice = readInvoice(object);
      if (!invoice.subscriptionId) return { type, invoice, tierId: null };
      const subscription = await this.fetchSubscription(invoice.subscriptionId);
      return { type, invoice, subscription, tierId: await this.tierOf(subscription) };
    }
    const subscription = readSubscription(object);
    return { type, subscription, tierId: await this.tierOf(subscription) };
  }

  private async fetchSubscription(id: string): Promise<SubscriptionFacts> {
    const stripe: StripeGateway | undefined = await this.deps.settings.gateway();
    if (!stripe)
      throw new AppError('payments_unavailable', 'Stripe is not configured', { status: 503 });
    return readSubscription(await stripe.retrieveSubscription(id));
  }

  /** Our metadata names the tier; a subscription made in Stripe's dashboard has only a price. */
  private async tierOf(s: SubscriptionFacts): Promise<string | null> {
    if (s.tierId) {
      const tier = await this.deps.tiers.get(s.tierId).catch(() => undefined);
      if (tier) return tier.id;
    }
    return (await this.deps.tiers.findByStripeIds(s))?.id ?? null;
  }

  private async apply(trx: Db, event: StripeEvent, plan: Plan): Promise<WebhookOutcome> {
    const now = this.now();
    const claimed = await repo.claimStripeEvent(trx, {
      id: event.id,
      type: event.type,
      created: event.created,
      processed_at: now,
    });
    if (!claimed) return 'duplicate';

    const member = await this.memberFor(trx, {
      memberId: plan.subscription?.memberId ?? plan.checkout?.memberId ?? null,
      customerId:
        plan.subscription?.customerId ??
        plan.checkout?.customerId ??
        plan.invoice?.customerId ??
        null,
    });
    if (!member) {
      this.deps.logger.warn(
        { stripeEvent: event.id, type: event.type },
        'Stripe event for no known member; recorded and skipped',
      );
      return 'ignored';
    }

    const customerId = plan.subscription?.customerId ?? plan.checkout?.customerId;
    if (customerId && !member.stripe_customer_id)
      await applyBilling(trx, member.id, { stripe_customer_id: customerId }, now);

    if (plan.subscription) await this.storeSubscription(trx, member, plan, event.created, now);
    await this.refreshMember(trx, member.id, now);

    const sub = plan.subscription;
    if (plan.type === 'invoice.paid' && sub) {
      await recordMemberEvent(
        trx,
        member.id,
        'paid',
        {
          tier: plan.tierId,
          interval: sub.interval,
          amount: plan.invoice?.amountPaid ?? sub.amount,
          currency: plan.invoice?.currency ?? sub.currency,
        },
        now,
      );
    }
    if (plan.type === 'invoice.payment_failed' && sub) {
      await recordMemberEvent(
        trx,
        member.id,
        'payment_failed',
        {
          tier: plan.tierId,
          amount: plan.invoice?.amountDue ?? null,
          currency: plan.invoice?.currency ?? null,
          attempt: plan.invoice?.attemptCount ?? null,
        },
        now,
      );
    }
    // The conversion itself (and its history event) is the members module's, told above;
    // this row only feeds the invited/converted counts.
    if (plan.pledge && plan.pledge.member_id === member.id)
      await recordConverted(trx, member.id, now);
    return 'processed';
  }

  private async memberFor(
    trx: Db,
    hints: { memberId: string | null; customerId: string | null },
  ): Promise<Member | undefined> {
    if (hints.memberId) {
      const member = await findMemberById(trx, hints.memberId);
      if (member) return member;
    }
    return hints.customerId ? findMemberByStripeCustomer(trx, hints.customerId) : undefined;
  }

  /**
   * Stores this version of the subscription unless a newer one is already stored. The write
   * is compare-and-set against the version read, so concurrent deliveries for one
   * subscription settle on the newest whichever commits first.
   */
  private async storeSubscription(
    trx: Db,
    member: Member,
    plan: Plan,
    eventCreated: number,
    now: string,
  ): Promise<void> {
    const s = plan.subscription!;
    const row = {
      id: s.id,
      member_id: member.id,
      tier_id: plan.tierId,
      status: s.status,
      interval: s.interval,
      amount: s.amount,
      currency: s.currency,
      current_period_end: s.currentPeriodEnd,
      cancel_at_period_end: s.cancelAtPeriodEnd ? 1 : 0,
      trial_end: s.trialEnd,
      stripe_event_created: eventCreated,
      created_at: now,
      updated_at: now,
    };
    for (let attempt = 0; attempt < 5; attempt++) {
      const stored = await repo.findSubscription(trx, s.id);
      const newer = supersedes(
        stored && { status: stored.status, eventCreated: stored.stripe_event_created },
        { status: s.status, eventCreated },
      );
      if (!newer) return;
      const written = stored
        ? await repo.replaceSubscriptionIf(trx, row, stored)
        : await repo.insertSubscriptionIfAbsent(trx, row);
      if (!written) continue;
      if (startsCancellation(stored, row)) {
        await recordMemberEvent(
          trx,
          member.id,
          'cancelled',
          {
            tier: plan.tierId,
            access_until: s.currentPeriodEnd,
            at_period_end: s.cancelAtPeriodEnd,
          },
          now,
        );
      }
      return;
    }
    throw new Error(`Subscription ${s.id} kept changing while being stored`);
  }

  private async refreshMember(trx: Db, memberId: string, now: string): Promise<void> {
    const member = await findMemberById(trx, memberId);
    if (!member) return;
    const derived = deriveBilling(
      member,
      await repo.listMemberSubscriptions(trx, memberId),
      this.deps.clock.now(),
    );
    if (!billingChanged(member, derived)) return;
    await applyBilling(
      trx,
      memberId,
      {
        status: derived.status,
        access_until: derived.access_until,
        ...(derived.tier_id !== undefined ? { tier_id: derived.tier_id } : {}),
      },
      now,
    );
  }
}
