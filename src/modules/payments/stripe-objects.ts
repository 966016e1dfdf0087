import { z } from 'zod';
import type { Interval } from './payments.types.js';

/**
 * Tolerant readers for the Stripe objects we act on. Webhook payloads are rendered in the
 * API version of the webhook endpoint, which may be older than the SDK's, so each reader
 * accepts both shapes where Stripe moved a field (the billing period moved from the
 * subscription to its items in 2025-03-31; an invoice's subscription moved under `parent`).
 */

const idOf = z
  .union([z.string(), z.object({ id: z.string() })])
  .nullish()
  .transform((v) => (v == null ? null : typeof v === 'string' ? v : v.id));

const metadata = z
  .record(z.string(), z.string())
  .nullish()
  .transform((m) => m ?? {});

const itemSchema = z.object({
  current_period_start: z.number().nullish(),
  current_period_end: z.number().nullish(),
  quantity: z.number().nullish(),
  price: z
    .object({
      id: z.string(),
      product: idOf,
      unit_amount: z.number().nullish(),
      currency: z.string(),
      recurring: z.object({ interval: z.string(), interval_count: z.number().nullish() }).nullish(),
    })
    .nullish(),
});

const subscriptionSchema = z.object({
  id: z.string().min(1),
  status: z.string().min(1),
  customer: idOf,
  metadata,
  cancel_at_period_end: z.boolean().nullish(),
  current_period_start: z.number().nullish(),
  current_period_end: z.number().nullish(),
  trial_end: z.number().nullish(),
  ended_at: z.number().nullish(),
  canceled_at: z.number().nullish(),
  cancellation_details: z.object({ reason: z.string().nullish() }).nullish(),
  items: z.object({ data: z.array(itemSchema) }).nullish(),
});

/** A subscription as payments stores it, whatever the API version it arrived in. */
export interface SubscriptionFacts {
  id: string;
  status: string;
  customerId: string | null;
  /** From the metadata we set at checkout. */
  memberId: string | null;
  tierId: string | null;
  priceId: string | null;
  productId: string | null;
  interval: Interval | null;
  amount: number | null;
  currency: string | null;
  /**
   * End of the period paid for, ISO. While the subscription runs that is the renewal date.
   * Once it has ended because payment failed, it is when it ended: the period Stripe had
   * started but never collected for is not given away.
   */
  currentPeriodEnd: string | null;
  cancelAtPeriodEnd: boolean;
  trialEnd: string | null;
}

const iso = (seconds: number | null | undefined) =>
  seconds == null ? null : new Date(seconds * 1000).toISOString();

export function readSubscription(value: unknown): SubscriptionFacts {
  const s = subscriptionSchema.parse(value);
  const items = s.items?.data ?? [];
  const first = items[0];
  const price = first?.price ?? null;
  const rawInterval = price?.recurring?.interval;
  const interval: Interval | null =
    (price?.recurring?.interval_count ?? 1) === 1 &&
    (rawInterval === 'month' || rawInterval === 'year')
      ? rawInterval
      : null;
  const amounts = items.map((i) =>
    i.price?.unit_amount == null ? null : i.price.unit_amount * (i.quantity ?? 1),
  );
  const amount =
    amounts.length > 0 && amounts.every((a) => a !== null)
      ? amounts.reduce((sum: number, a) => sum + a!, 0)
      : null;
  const periodEnd = maxOf(items.map((i) => i.current_period_end)) ?? s.current_period_end ?? null;
  const periodStart =
    maxOf(items.map((i) => i.current_period_start)) ?? s.current_period_start ?? null;
  const reason = s.cancellation_details?.reason;
  let paidThrough = periodEnd;
  if (s.status === 'canceled' && (reason === 'payment_failed' || reason === 'payment_disputed'))
    paidThrough = s.ended_at ?? s.canceled_at ?? periodEnd;
  // Stripe gave up collecting for the current period: what was paid for ended when it began.
  if (s.status === 'unpaid') paidThrough = periodStart ?? periodEnd;
  return {
    id: s.id,
    status: s.status,
    customerId: s.customer,
    memberId: s.metadata.member_id ?? null,
    tierId: s.metadata.tier_id ?? null,
    priceId: price?.id ?? null,
    productId: price?.product ?? null,
    interval,
    amount,
    currency: price?.currency ?? null,
    currentPeriodEnd: iso(paidThrough),
    cancelAtPeriodEnd: s.cancel_at_period_end ?? false,
    trialEnd: iso(s.trial_end),
  };
}

function maxOf(values: (number | null | undefined)[]): number | null {
  const present = values.filter((v): v is number => typeof v === 'number');
  return present.length > 0 ? Math.max(...present) : null;
}

const checkoutSessionSchema = z.object({
  id: z.string(),
  mode: z.string().nullish(),
  customer: idOf,
  subscription: idOf,
  client_reference_id: z.string().nullish(),
  metadata,
});

export interface CheckoutFacts {
  id: string;
  mode: string | null;
  customerId: string | null;
  subscriptionId: string | null;
  memberId: string | null;
}

export function readCheckoutSession(value: unknown): CheckoutFacts {
  const s = checkoutSessionSchema.parse(value);
  return {
    id: s.id,
    mode: s.mode ?? null,
    customerId: s.customer,
    subscriptionId: s.subscription,
    memberId: s.client_reference_id ?? s.metadata.member_id ?? null,
  };
}

const invoiceSchema = z.object({
  id: z.string(),
  customer: idOf,
  subscription: idOf,
  parent: z.object({ subscription_details: z.object({ subscription: idOf }).nullish() }).nullish(),
  amount_paid: z.number().nullish(),
  amount_due: z.number().nullish(),
  currency: z.string().nullish(),
  attempt_count: z.number().nullish(),
});

export interface InvoiceFacts {
  id: string;
  customerId: string | null;
  subscriptionId: string | null;
  amountPaid: number | null;
  amountDue: number | null;
  currency: string | null;
  attemptCount: number | null;
}

export function readInvoice(value: unknown): InvoiceFacts {
  const i = invoiceSchema.parse(value);
  return {
    id: i.id,
    customerId: i.customer,
    subscriptionId: i.parent?.subscription_details?.subscription ?? i.subscription,
    amountPaid: i.amount_paid ?? null,
    amountDue: i.amount_due ?? null,
    currency: i.currency ?? null,
    attemptCount: i.attempt_count ?? null,
  };
}
