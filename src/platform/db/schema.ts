import type { Generated } from 'kysely';

/**
 * The database as Kysely sees it. One schema for SQLite and PostgreSQL:
 * ids are text (UUIDs), timestamps ISO-8601 UTC text, booleans integers 0/1 and
 * documents JSON text, so every query means the same thing on both engines.
 */
export interface Database {
  pressroom_migrations: MigrationRow;
  app_state: AppStateRow;
  settings: SettingRow;
  staff: StaffRow;
  staff_sessions: StaffSessionRow;
  api_tokens: ApiTokenRow;
  staff_invitations: StaffInvitationRow;
  staff_password_resets: StaffPasswordResetRow;
  rate_limits: RateLimitRow;
  jobs: JobRow;
  tags: TagRow;
  posts: PostRow;
  post_tags: PostTagRow;
  post_authors: PostAuthorRow;
  post_revisions: PostRevisionRow;
  post_slug_redirects: PostSlugRedirectRow;
  newsletters: NewsletterRow;
  tiers: TierRow;
  members: MemberRow;
  member_newsletters: MemberNewsletterRow;
  member_tokens: MemberTokenRow;
  member_sessions: MemberSessionRow;
  pledges: PledgeRow;
  subscriptions: SubscriptionRow;
  stripe_events: StripeEventRow;
  member_events: MemberEventRow;
  post_tiers: PostTierRow;
  email_sends: EmailSendRow;
  email_send_recipients: EmailSendRecipientRow;
  email_suppressions: EmailSuppressionRow;
  email_send_events: EmailSendEventRow;
  email_send_pace: EmailSendPaceRow;
}

export interface EmailSendPaceRow {
  transport: string;
  next_at: number;
}

export interface EmailSendRow {
  id: string;
  post_id: string | null;
  newsletter_id: string | null;
  segment: string;
  status: string;
  subject: string;
  frozen: string | null;
  scheduled_at: string | null;
  started_at: string | null;
  finished_at: string | null;
  total: number;
  sent: number;
  failed: number;
  suppressed: number;
  resent: number;
  bounced: number;
  complained: number;
  unsubscribed: number;
  last_error: string | null;
  created_by: string | null;
  created_at: string;
  updated_at: string;
}

export interface EmailSendRecipientRow {
  send_id: string;
  member_id: string;
  email: string;
  name: string | null;
  reader_level: string;
  batch: number;
  state: string;
  attempts: number;
  last_error: string | null;
  provider_id: string | null;
  sent_at: string | null;
}

export interface EmailSuppressionRow {
  email: string;
  reason: string;
  detail: string | null;
  send_id: string | null;
  created_at: string;
}

export interface EmailSendEventRow {
  id: Generated<number>;
  send_id: string | null;
  email: string;
  type: string;
  data: string;
  created_at: string;
}

export interface PostTierRow {
  post_id: string;
  tier_id: string;
}

export interface MigrationRow {
  name: string;
  applied_at: string;
}

export interface AppStateRow {
  key: string;
  value: string;
}

export interface SettingRow {
  key: string;
  value: string;
}

export interface StaffRow {
  id: string;
  email: string;
  name: string;
  slug: string;
  role: string;
  password_hash: string | null;
  bio: string | null;
  created_at: string;
  updated_at: string;
}

export interface StaffSessionRow {
  id: string;
  token_hash: string;
  staff_id: string;
  created_at: string;
  expires_at: string;
  last_used_at: string;
  ip: string | null;
  user_agent: string | null;
}

export interface ApiTokenRow {
  id: string;
  name: string;
  token_hash: string;
  staff_id: string;
  created_at: string;
  last_used_at: string | null;
  revoked_at: string | null;
}

export interface StaffInvitationRow {
  id: string;
  token_hash: string;
  email: string;
  role: string;
  invited_by: string;
  created_at: string;
  expires_at: string;
  accepted_at: string | null;
  revoked_at: string | null;
}

export interface StaffPasswordResetRow {
  token_hash: string;
  staff_id: string;
  created_at: string;
  expires_at: string;
  used_at: string | null;
}

export interface RateLimitRow {
  key: string;
  window_start: number;
  count: number;
}

export interface JobRow {
  id: string;
  name: string;
  payload: string;
  status: string;
  unique_key: string | null;
  run_at: string;
  attempts: number;
  max_attempts: number;
  last_error: string | null;
  locked_by: string | null;
  locked_until: string | null;
  created_at: string;
  updated_at: string;
  finished_at: string | null;
}

export interface TagRow {
  id: string;
  slug: string;
  name: string;
  description: string | null;
  created_at: string;
  updated_at: string;
}

export interface PostRow {
  id: string;
  title: string;
  slug: string;
  status: string;
  visibility: string;
  body: string;
  html: string;
  plaintext: string;
  word_count: number;
  custom_excerpt: string | null;
  feature_image: string | null;
  feature_image_alt: string | null;
  meta_title: string | null;
  meta_description: string | null;
  og_title: string | null;
  og_description: string | null;
  og_image: string | null;
  twitter_title: string | null;
  twitter_description: string | null;
  twitter_image: string | null;
  is_demo: number;
  published_at: string | null;
  created_by: string | null;
  created_at: string;
  updated_at: string;
  email_newsletter_id: Generated<string | null>;
  email_segment: Generated<string | null>;
  email_subject: Generated<string | null>;
  email_send_id: Generated<string | null>;
}

export interface PostTagRow {
  post_id: string;
  tag_id: string;
  sort_order: number;
}

export interface PostAuthorRow {
  post_id: string;
  staff_id: string;
  sort_order: number;
}

export interface PostRevisionRow {
  id: Generated<number>;
  post_id: string;
  title: string;
  body: string;
  staff_id: string | null;
  created_at: string;
}

export interface PostSlugRedirectRow {
  slug: string;
  post_id: string;
}

export interface NewsletterRow {
  id: string;
  slug: string;
  name: string;
  description: string | null;
  subscribe_on_signup: number;
  sort_order: number;
  status: string;
  created_at: string;
  updated_at: string;
}

export interface TierRow {
  id: string;
  slug: string;
  name: string;
  description: string | null;
  currency: string;
  monthly_amount: number | null;
  yearly_amount: number | null;
  founding_min_amount: number | null;
  trial_days: number;
  open: number;
  active: number;
  sort_order: number;
  stripe_product_id: string | null;
  stripe_monthly_price_id: string | null;
  stripe_yearly_price_id: string | null;
  created_at: string;
  updated_at: string;
}

export interface MemberRow {
  id: string;
  email: string;
  name: string | null;
  status: string;
  tier_id: string | null;
  comp_until: string | null;
  access_until: string | null;
  stripe_customer_id: string | null;
  source: string;
  note: string | null;
  confirmed_at: string | null;
  last_seen_at: string | null;
  created_at: string;
  updated_at: string;
}

export interface MemberNewsletterRow {
  member_id: string;
  newsletter_id: string;
  created_at: string;
}

export interface MemberTokenRow {
  token_hash: string;
  purpose: string;
  email: string;
  member_id: string | null;
  payload: string;
  created_at: string;
  expires_at: string;
  used_at: string | null;
}

export interface MemberSessionRow {
  id: string;
  token_hash: string;
  member_id: string;
  created_at: string;
  expires_at: string;
  last_used_at: string;
}

export interface PledgeRow {
  id: string;
  member_id: string;
  tier_id: string | null;
  amount: number;
  currency: string;
  interval: string;
  status: string;
  invited_at: string | null;
  converted_at: string | null;
  created_at: string;
  updated_at: string;
}

export interface SubscriptionRow {
  id: string;
  member_id: string;
  tier_id: string | null;
  status: string;
  interval: string | null;
  amount: number | null;
  currency: string | null;
  current_period_end: string | null;
  cancel_at_period_end: number;
  trial_end: string | null;
  stripe_event_created: number;
  created_at: string;
  updated_at: string;
}

export interface StripeEventRow {
  id: string;
  type: string;
  created: number;
  processed_at: string;
}

export interface MemberEventRow {
  id: Generated<number>;
  member_id: string | null;
  type: string;
  data: string;
  created_at: string;
}
