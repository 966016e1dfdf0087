import Stripe from 'stripe';
import { AppError } from '../../platform/errors.js';
import type { Logger } from '../../platform/logger.js';
import type { StripeApiBase } from './payments.config.js';
import type { Interval } from './payments.types.js';

/**
 * The Stripe calls payments makes, behind one small surface: everything else in the module
 * speaks in tiers and members, and a failed call becomes one AppError (502) here.
 */
export class StripeGateway {
  private readonly stripe: Stripe;

  constructor(
    secretKey: string,
    apiBase: StripeApiBase | undefined,
    private readonly logger: Logger,
  ) {
    this.stripe = new Stripe(secretKey, {
      ...(apiBase ? { host: apiBase.host, port: apiBase.port, protocol: apiBase.protocol } : {}),
      appInfo: { name: 'Pressroom' },
      timeout: 20_000,
    });
  }

  createProduct(input: { name: string; description: string | null; tierId: string }) {
    return this.call('create the product', () =>
      this.stripe.products.create({
        name: input.name,
        ...(input.description ? { description: input.description } : {}),
        metadata: { tier_id: input.tierId },
      }),
    );
  }

  updateProduct(id: string, input: { name: string; description: string | null }) {
    return this.call('update the product', () =>
      this.stripe.products.update(id, {
        name: input.name,
        // An empty string is how Stripe's API clears a field.
        description: input.description ?? '',
      }),
    );
  }

  createPrice(input: {
    productId: string;
    currency: string;
    amount: number;
    interval: Interval;
    tierId: string;
  }) {
    return this.call('create the price', () =>
      this.stripe.prices.create({
        product: input.productId,
        currency: input.currency,
        unit_amount: input.amount,
        recurring: { interval: input.interval },
        metadata: { tier_id: input.tierId },
      }),
    );
  }

  /**
   * The member's Customer: the stored one while it still exists in Stripe, otherwise a new
   * one. The idempotency key makes two checkouts started at once share one new Customer.
   */
  async customerFor(member: {
    id: string;
    email: string;
    name: string | null;
    stripe_customer_id: string | null;
  }): Promise<{ id: string; created: boolean }> {
    const existing = member.stripe_customer_id;
    if (existing) {
      const found = await this.call('look up the customer', async () => {
        try {
          const c = await this.stripe.customers.retrieve(existing);
          return c.deleted ? undefined : c;
        } catch (error) {
          if (error instanceof Stripe.errors.StripeInvalidRequestError && error.statusCode === 404)
            return undefined;
          throw error;
        }
      });
      if (found) return { id: found.id, created: false };
    }
    const created = await this.call('create the customer', () =>
      this.stripe.customers.create(
        {
          email: member.email,
          ...(member.name ? { name: member.name } : {}),
          metadata: { member_id: member.id },
        },
        { idempotencyKey: `pressroom-customer-${member.id}-${existing ?? 'first'}` },
      ),
    );
    return { id: created.id, created: true };
  }

  createCheckoutSession(params: Stripe.Checkout.SessionCreateParams) {
    return this.call('start the checkout', () => this.stripe.checkout.sessions.create(params));
  }

  createPortalSession(customerId: string, returnUrl: string) {
    return this.call('open the billing portal', () =>
      this.stripe.billingPortal.sessions.create({ customer: customerId, return_url: returnUrl }),
    );
  }

  retrieveSubscription(id: string) {
    return this.call('fetch the subscription', () => this.stripe.subscriptions.retrieve(id));
  }

  private async call<T>(what: string, fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (error) {
      if (error instanceof AppError) throw error;
      const message = error instanceof Error ? error.message : String(error);
      this.logger.warn({ err: error }, `Stripe: could not ${what}`);
      throw new AppError('payment_provider_error', `Stripe could not ${what}: ${message}`, {
        status: 502,
        cause: error,
      });
    }
  }
}

/**
 * Checks the Stripe-Signature header against the raw body and returns the event. Throws when
 * the signature is missing, wrong, or older than Stripe's five-minute tolerance.
 */
export function verifyWebhook(
  payload: Uint8Array,
  signature: string,
  secret: string,
  receivedAtMs: number,
): Stripe.Event {
  return Stripe.webhooks.constructEvent(
    payload,
    signature,
    secret,
    undefined,
    undefined,
    receivedAtMs,
  );
}

export type StripeEvent = Stripe.Event;
