import type { Kysely } from 'kysely';
import type { Migration } from '../migrator.js';

/**
 * Payments: the publication's Stripe keys and switches (when not given by the environment),
 * and the invitations sent to pledgers when paid subscriptions open.
 */
export const payments: Migration = {
  name: '0003-payments',
  async up(db: Kysely<unknown>) {
    // Key-value, so a new switch needs no migration. Values are JSON text.
    await db.schema
      .createTable('payment_settings')
      .addColumn('key', 'text', (c) => c.primaryKey())
      .addColumn('value', 'text', (c) => c.notNull())
      .addColumn('updated_at', 'text', (c) => c.notNull())
      .execute();

    // One row per pledger invited to pay (or who converted on their own): it makes the
    // invitation job safe to run again and gives the invited/converted counts.
    await db.schema
      .createTable('pledge_invitations')
      .addColumn('member_id', 'text', (c) =>
        c.primaryKey().references('members.id').onDelete('cascade'),
      )
      .addColumn('invited_at', 'text')
      .addColumn('converted_at', 'text')
      .execute();
  },
};
