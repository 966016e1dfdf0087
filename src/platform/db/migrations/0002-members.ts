import type { Kysely } from 'kysely';
import type { Migration } from '../migrator.js';

/**
 * Members, newsletters, plans (tiers), pledges, Stripe subscriptions and the event log.
 * Money is integer minor units (cents) with an ISO currency code beside it.
 */
export const members: Migration = {
  name: '0002-members',
  async up(db: Kysely<unknown>, dialect) {
    const autoId = dialect === 'postgres' ? 'bigserial' : 'integer';

    await db.schema
      .createTable('newsletters')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('slug', 'text', (c) => c.notNull().unique())
      .addColumn('name', 'text', (c) => c.notNull())
      .addColumn('description', 'text')
      .addColumn('subscribe_on_signup', 'integer', (c) => c.notNull().defaultTo(1))
      .addColumn('sort_order', 'integer', (c) => c.notNull().defaultTo(0))
      .addColumn('status', 'text', (c) => c.notNull().defaultTo('active'))
      .addColumn('created_at', 'text', (c) => c.notNull())
      .addColumn('updated_at', 'text', (c) => c.notNull())
      .execute();

    await db.schema
      .createTable('tiers')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('slug', 'text', (c) => c.notNull().unique())
      .addColumn('name', 'text', (c) => c.notNull())
      .addColumn('description', 'text')
      .addColumn('currency', 'text', (c) => c.notNull())
      .addColumn('monthly_amount', 'integer')
      .addColumn('yearly_amount', 'integer')
      // Founding tier: the reader picks an amount of at least this (yearly).
      .addColumn('founding_min_amount', 'integer')
      .addColumn('trial_days', 'integer', (c) => c.notNull().defaultTo(0))
      // 0: pledges only (not open for payment yet); 1: checkout open.
      .addColumn('open', 'integer', (c) => c.notNull().defaultTo(0))
      .addColumn('active', 'integer', (c) => c.notNull().defaultTo(1))
      .addColumn('sort_order', 'integer', (c) => c.notNull().defaultTo(0))
      .addColumn('stripe_product_id', 'text')
      .addColumn('stripe_monthly_price_id', 'text')
      .addColumn('stripe_yearly_price_id', 'text')
      .addColumn('created_at', 'text', (c) => c.notNull())
      .addColumn('updated_at', 'text', (c) => c.notNull())
      .execute();

    await db.schema
      .createTable('members')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('email', 'text', (c) => c.notNull().unique())
      .addColumn('name', 'text')
      // free | paid | comped | past_due | cancelled: derived from subscriptions and comps,
      // stored so lists and counts filter on it directly.
      .addColumn('status', 'text', (c) => c.notNull())
      .addColumn('tier_id', 'text', (c) => c.references('tiers.id').onDelete('set null'))
      .addColumn('comp_until', 'text')
      .addColumn('access_until', 'text')
      .addColumn('stripe_customer_id', 'text', (c) => c.unique())
      .addColumn('source', 'text', (c) => c.notNull())
      .addColumn('note', 'text')
      .addColumn('confirmed_at', 'text')
      .addColumn('last_seen_at', 'text')
      .addColumn('created_at', 'text', (c) => c.notNull())
      .addColumn('updated_at', 'text', (c) => c.notNull())
      .execute();
    await db.schema
      .createIndex('members_status_idx')
      .on('members')
      .columns(['status', 'created_at'])
      .execute();
    await db.schema.createIndex('members_created_idx').on('members').column('created_at').execute();

    await db.schema
      .createTable('member_newsletters')
      .addColumn('member_id', 'text', (c) =>
        c.notNull().references('members.id').onDelete('cascade'),
      )
      .addColumn('newsletter_id', 'text', (c) =>
        c.notNull().references('newsletters.id').onDelete('cascade'),
      )
      .addColumn('created_at', 'text', (c) => c.notNull())
      .addPrimaryKeyConstraint('member_newsletters_pk', ['member_id', 'newsletter_id'])
      .execute();
    await db.schema
      .createIndex('member_newsletters_newsletter_idx')
      .on('member_newsletters')
      .column('newsletter_id')
      .execute();

    // Single-use emailed links: signup confirmation, sign-in, email change.
    await db.schema
      .createTable('member_tokens')
      .addColumn('token_hash', 'text', (c) => c.primaryKey())
      .addColumn('purpose', 'text', (c) => c.notNull())
      .addColumn('email', 'text', (c) => c.notNull())
      .addColumn('member_id', 'text', (c) => c.references('members.id').onDelete('cascade'))
      .addColumn('payload', 'text', (c) => c.notNull())
      .addColumn('created_at', 'text', (c) => c.notNull())
      .addColumn('expires_at', 'text', (c) => c.notNull())
      .addColumn('used_at', 'text')
      .execute();
    await db.schema
      .createIndex('member_tokens_email_idx')
      .on('member_tokens')
      .columns(['email', 'purpose', 'created_at'])
      .execute();

    await db.schema
      .createTable('member_sessions')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('token_hash', 'text', (c) => c.notNull().unique())
      .addColumn('member_id', 'text', (c) =>
        c.notNull().references('members.id').onDelete('cascade'),
      )
      .addColumn('created_at', 'text', (c) => c.notNull())
      .addColumn('expires_at', 'text', (c) => c.notNull())
      .addColumn('last_used_at', 'text', (c) => c.notNull())
      .execute();

    await db.schema
      .createTable('pledges')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('member_id', 'text', (c) =>
        c.notNull().references('members.id').onDelete('cascade'),
      )
      .addColumn('tier_id', 'text', (c) => c.references('tiers.id').onDelete('set null'))
      .addColumn('amount', 'integer', (c) => c.notNull())
      .addColumn('currency', 'text', (c) => c.notNull())
      .addColumn('interval', 'text', (c) => c.notNull())
      // active | withdrawn | converted
      .addColumn('status', 'text', (c) => c.notNull())
      .addColumn('invited_at', 'text')
      .addColumn('converted_at', 'text')
      .addColumn('created_at', 'text', (c) => c.notNull())
      .addColumn('updated_at', 'text', (c) => c.notNull())
      .execute();
    await db.schema.createIndex('pledges_member_idx').on('pledges').column('member_id').execute();

    await db.schema
      .createTable('subscriptions')
      .addColumn('id', 'text', (c) => c.primaryKey()) // Stripe's subscription id
      .addColumn('member_id', 'text', (c) =>
        c.notNull().references('members.id').onDelete('cascade'),
      )
      .addColumn('tier_id', 'text', (c) => c.references('tiers.id').onDelete('set null'))
      .addColumn('status', 'text', (c) => c.notNull())
      .addColumn('interval', 'text')
      .addColumn('amount', 'integer')
      .addColumn('currency', 'text')
      .addColumn('current_period_end', 'text')
      .addColumn('cancel_at_period_end', 'integer', (c) => c.notNull().defaultTo(0))
      .addColumn('trial_end', 'text')
      // Stripe's `created` of the newest event applied: older events arriving late are ignored.
      .addColumn('stripe_event_created', 'integer', (c) => c.notNull().defaultTo(0))
      .addColumn('created_at', 'text', (c) => c.notNull())
      .addColumn('updated_at', 'text', (c) => c.notNull())
      .execute();
    await db.schema
      .createIndex('subscriptions_member_idx')
      .on('subscriptions')
      .column('member_id')
      .execute();

    await db.schema
      .createTable('stripe_events')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('type', 'text', (c) => c.notNull())
      .addColumn('created', 'integer', (c) => c.notNull())
      .addColumn('processed_at', 'text', (c) => c.notNull())
      .execute();

    // History shown to staff. member_id becomes null when a member deletes their account:
    // the event (and so every count) survives, the person does not.
    await db.schema
      .createTable('member_events')
      .addColumn('id', autoId, (c) => c.primaryKey())
      .addColumn('member_id', 'text', (c) => c.references('members.id').onDelete('set null'))
      .addColumn('type', 'text', (c) => c.notNull())
      .addColumn('data', 'text', (c) => c.notNull())
      .addColumn('created_at', 'text', (c) => c.notNull())
      .execute();
    await db.schema
      .createIndex('member_events_member_idx')
      .on('member_events')
      .columns(['member_id', 'id'])
      .execute();
    await db.schema
      .createIndex('member_events_type_idx')
      .on('member_events')
      .columns(['type', 'created_at'])
      .execute();
  },
};
