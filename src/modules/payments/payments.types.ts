/** Vocabulary of the payments module; see CONTEXT.md beside this file. */

export const INTERVALS = ['month', 'year'] as const;
export type Interval = (typeof INTERVALS)[number];

/** A paid plan as staff and the API see it. Money is integer minor units (cents). */
export interface Tier {
  id: string;
  slug: string;
  name: string;
  description: string | null;
  currency: string;
  monthly_amount: number | null;
  yearly_amount: number | null;
  /** Set only on the founding tier: readers choose a yearly amount of at least this. */
  founding_min_amount: number | null;
  trial_days: number;
  /** true: readers can pay now; false: pledges only. */
  open: boolean;
  active: boolean;
  sort_order: number;
  stripe_product_id: string | null;
  stripe_monthly_price_id: string | null;
  stripe_yearly_price_id: string | null;
  created_at: string;
  updated_at: string;
}

/** What the public pricing UI may know about a tier. */
export type PublicTier = Pick<
  Tier,
  | 'id'
  | 'slug'
  | 'name'
  | 'description'
  | 'currency'
  | 'monthly_amount'
  | 'yearly_amount'
  | 'founding_min_amount'
  | 'trial_days'
  | 'open'
>;

export interface ActivePledge {
  member_id: string;
  email: string;
  name: string | null;
  amount: number;
  currency: string;
  interval: string;
  tier_id: string | null;
}

/**
 * Pledges belong to the members module; payments reaches them only through this port, which
 * the composition root wires to the members implementation. That implementation also keeps
 * the member's history: `markInvited` records `pledge_invited`, `markConverted` records
 * `pledge_converted` (once: converting a pledge that is no longer active does nothing).
 */
export interface PledgePort {
  activePledges(): Promise<ActivePledge[]>;
  markConverted(memberId: string, at: string): Promise<unknown>;
  markInvited(memberIds: readonly string[], at: string): Promise<unknown>;
}

/**
 * The subscription block of a member's account page. A superset of the members module's
 * `BillingSummary`, so it can be handed to it as is.
 */
export interface BillingSummary {
  subscription_id: string;
  /** Stripe's status: active, trialing, past_due, unpaid or canceled. */
  status: string;
  tier_id: string | null;
  /** The tier's name ("Paid plan" if the tier is unknown here). */
  plan: string;
  interval: Interval | null;
  amount: number | null;
  currency: string | null;
  /** End of the period paid for: the renewal date, or when access ends once cancelled. */
  current_period_end: string | null;
  /** When it renews; null once cancelled or ended. */
  renews_at: string | null;
  /** The member cancelled; access continues until current_period_end, then stops. */
  cancel_at_period_end: boolean;
  trial_end: string | null;
  /** The Stripe Customer Portal can be opened (card, invoices, cancellation). */
  portal_available: boolean;
  /** Where a form POST opens the portal, or null. */
  manage_path: string | null;
}

export interface PaymentsSummary {
  paid_subscriptions_open: boolean;
  stripe_configured: boolean;
  pledgers: { active: number; invited: number; converted: number };
  subscriptions: { active: number; trialing: number; past_due: number };
  /** Monthly recurring revenue per currency (yearly plans count a twelfth), minor units. */
  mrr: { currency: string; amount: number }[];
}
