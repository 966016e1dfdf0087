/** Vocabulary of the members module; see CONTEXT.md beside this file. */

export const MEMBER_STATUSES = ['free', 'paid', 'comped', 'past_due', 'cancelled'] as const;
export type MemberStatus = (typeof MEMBER_STATUSES)[number];

/** Where a member came from. */
export const MEMBER_SOURCES = ['signup', 'import', 'admin'] as const;
export type MemberSource = (typeof MEMBER_SOURCES)[number];

export const MEMBER_EVENT_TYPES = [
  'signed_up', // member row created (data: { source })
  'confirmed', // double opt-in completed
  'signed_in',
  'email_changed',
  'newsletters_changed', // data: { subscribed: slug[], unsubscribed: slug[] }
  'pledged', // data: { amount, currency, interval, tier }
  'pledge_withdrawn',
  'pledge_invited', // paid subscriptions opened; invitation emailed
  'pledge_converted',
  'paid', // subscription started or renewed (data: { tier, interval, amount, currency })
  'payment_failed',
  'cancelled', // subscription cancelled (data: { access_until })
  'comped', // data: { until }
  'comp_removed',
  'imported', // data: { format }
  'edited', // by staff
  'email_bounced', // a newsletter bounced (data: { kind: hard | soft, status, send_id })
  'email_complained', // a newsletter was marked as spam (data: { send_id })
  'deleted', // personal data erased; member_id is null from then on
] as const;
export type MemberEventType = (typeof MEMBER_EVENT_TYPES)[number];

export const TOKEN_PURPOSES = ['signup', 'signin', 'email_change'] as const;
export type TokenPurpose = (typeof TOKEN_PURPOSES)[number];

/** Token lifetimes (ms): 24 h for signup and email change, 1 h for sign-in. */
export const TOKEN_TTL_MS: Record<TokenPurpose, number> = {
  signup: 24 * 3_600_000,
  signin: 3_600_000,
  email_change: 24 * 3_600_000,
};

export interface Member {
  id: string;
  email: string;
  name: string | null;
  status: MemberStatus;
  tier_id: string | null;
  comp_until: string | null;
  access_until: string | null;
  stripe_customer_id: string | null;
  source: MemberSource;
  note: string | null;
  confirmed_at: string | null;
  last_seen_at: string | null;
  created_at: string;
  updated_at: string;
}
