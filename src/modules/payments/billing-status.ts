import type { MemberStatus } from '../members/members.types.js';

/**
 * The rules that turn Stripe's view of a member's subscriptions into the member's billing
 * columns, and decide which of two versions of a subscription is the newer. Pure, so each
 * rule is tested as a table of cases.
 */

/** The stored subscription fields the rules read. */
export interface SubscriptionState {
  id: string;
  tier_id: string | null;
  status: string;
  interval: string | null;
  amount: number | null;
  currency: string | null;
  current_period_end: string | null;
  cancel_at_period_end: number | boolean;
}

/** Stripe statuses that give the reader paid access now. */
export const PAYING_STATUSES: readonly string[] = ['active', 'trialing'];
/** Stripe statuses after which a subscription can never give access again. */
const TERMINAL_STATUSES: readonly string[] = ['canceled', 'incomplete_expired'];
/** Ended after having been paid for: the member keeps access to the end of that period. */
const ENDED_STATUSES: readonly string[] = ['canceled', 'unpaid'];

/**
 * Where a status stands in a subscription's life: 0 not yet started, 1 running, 2 over.
 * Stripe stamps events with whole seconds, so several can share one; within a second a
 * subscription only moves forward, so the later stage is the newer version.
 */
function stage(status: string): 0 | 1 | 2 {
  if (status === 'incomplete') return 0;
  return TERMINAL_STATUSES.includes(status) ? 2 : 1;
}

export interface Version {
  status: string;
  /** Stripe's `created` of the event that carried (or caused us to fetch) this version. */
  eventCreated: number;
}

/** Should `incoming` replace `stored`? Webhooks arrive late, twice and out of order. */
export function supersedes(stored: Version | undefined, incoming: Version): boolean {
  if (!stored) return true;
  const before = stage(stored.status);
  const after = stage(incoming.status);
  // Stripe never revives an ended subscription: anything saying otherwise is stale.
  if (before === 2 && after < 2) return false;
  if (incoming.eventCreated !== stored.eventCreated)
    return incoming.eventCreated > stored.eventCreated;
  return after >= before;
}

export interface MemberBillingFacts {
  status: MemberStatus;
  comp_until: string | null;
}

export interface DerivedBilling {
  status: MemberStatus;
  /** Omitted when a comp decides: the tier of a comp is staff's to set. */
  tier_id?: string | null;
  access_until: string | null;
}

const truthy = (v: number | boolean) => v === true || v === 1;

const latestEnd = <T extends SubscriptionState>(subs: T[]): T | undefined =>
  [...subs].sort((a, b) =>
    (b.current_period_end ?? '').localeCompare(a.current_period_end ?? ''),
  )[0];

/**
 * The member's status from their subscriptions and comp. Order of precedence: paying (active
 * or trialing) → paid; a card being retried → past_due; a running comp → comped; a
 * subscription that ended → cancelled with access to the end of the period paid for;
 * otherwise free. A paying member who cancelled at period end stays paid, with
 * `access_until` noting when it stops.
 */
export function deriveBilling(
  member: MemberBillingFacts,
  subscriptions: readonly SubscriptionState[],
  now: Date,
): DerivedBilling {
  const paying = latestEnd(subscriptions.filter((s) => PAYING_STATUSES.includes(s.status)));
  if (paying) {
    return {
      status: 'paid',
      tier_id: paying.tier_id,
      access_until: truthy(paying.cancel_at_period_end) ? paying.current_period_end : null,
    };
  }
  const pastDue = latestEnd(subscriptions.filter((s) => s.status === 'past_due'));
  if (pastDue) return { status: 'past_due', tier_id: pastDue.tier_id, access_until: null };

  const compRunning =
    member.comp_until === null
      ? member.status === 'comped'
      : Date.parse(member.comp_until) > now.getTime();
  if (compRunning) return { status: 'comped', access_until: null };

  const ended = latestEnd(subscriptions.filter((s) => ENDED_STATUSES.includes(s.status)));
  if (ended)
    return { status: 'cancelled', tier_id: ended.tier_id, access_until: ended.current_period_end };

  return { status: 'free', tier_id: null, access_until: null };
}

/** Is the derived billing different from what the member row holds? Saves empty writes. */
export function billingChanged(
  current: { status: string; tier_id: string | null; access_until: string | null },
  next: DerivedBilling,
): boolean {
  return (
    current.status !== next.status ||
    current.access_until !== next.access_until ||
    (next.tier_id !== undefined && current.tier_id !== next.tier_id)
  );
}

/** Did this change start a cancellation (at period end, or outright)? */
export function startsCancellation(
  before: Pick<SubscriptionState, 'status' | 'cancel_at_period_end'> | undefined,
  after: Pick<SubscriptionState, 'status' | 'cancel_at_period_end'>,
): boolean {
  const cancelling = (s: Pick<SubscriptionState, 'status' | 'cancel_at_period_end'>) =>
    truthy(s.cancel_at_period_end) || ENDED_STATUSES.includes(s.status);
  return !(before && cancelling(before)) && cancelling(after);
}

/**
 * Monthly recurring revenue per currency, in minor units: subscriptions being paid for
 * (active, or past due while the card is retried); a yearly plan counts a twelfth.
 * Trials pay nothing yet and are left out.
 */
export function monthlyRecurringRevenue(
  subscriptions: readonly SubscriptionState[],
): { currency: string; amount: number }[] {
  const totals = new Map<string, number>();
  for (const s of subscriptions) {
    if ((s.status !== 'active' && s.status !== 'past_due') || s.amount === null || !s.currency)
      continue;
    const monthly =
      s.interval === 'year' ? s.amount / 12 : s.interval === 'month' ? s.amount : null;
    if (monthly === null) continue;
    totals.set(s.currency, (totals.get(s.currency) ?? 0) + monthly);
  }
  return [...totals]
    .map(([currency, amount]) => ({ currency, amount: Math.round(amount) }))
    .sort((a, b) => a.currency.localeCompare(b.currency));
}
