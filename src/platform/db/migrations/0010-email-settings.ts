import type { Kysely } from 'kysely';
import type { Migration } from '../migrator.js';

/**
 * How newsletters leave: the transport (SMTP server or email API), its secrets and the DKIM
 * key, set from the admin. The environment still wins where it sets them.
 */
export const emailSettings: Migration = {
  name: '0010-email-settings',
  async up(db: Kysely<unknown>) {
    await db.schema
      .createTable('email_settings')
      .addColumn('key', 'text', (c) => c.primaryKey())
      .addColumn('value', 'text', (c) => c.notNull())
      .addColumn('updated_at', 'text', (c) => c.notNull())
      .execute();
  },
};
