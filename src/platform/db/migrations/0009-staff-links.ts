import type { Kysely } from 'kysely';
import type { Migration } from '../migrator.js';

/**
 * Emailed links for staff: invitations to join with a role, and password resets. Only the
 * SHA-256 of each link's token is stored, so a copy of the database opens no account.
 */
export const staffLinks: Migration = {
  name: '0009-staff-links',
  async up(db: Kysely<unknown>) {
    await db.schema
      .createTable('staff_invitations')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('token_hash', 'text', (c) => c.notNull().unique())
      .addColumn('email', 'text', (c) => c.notNull())
      .addColumn('role', 'text', (c) => c.notNull())
      // An invitation carries its inviter's authority: when they leave, it goes with them.
      .addColumn('invited_by', 'text', (c) =>
        c.notNull().references('staff.id').onDelete('cascade'),
      )
      .addColumn('created_at', 'text', (c) => c.notNull())
      .addColumn('expires_at', 'text', (c) => c.notNull())
      .addColumn('accepted_at', 'text')
      .addColumn('revoked_at', 'text')
      .execute();
    await db.schema
      .createIndex('staff_invitations_email_idx')
      .on('staff_invitations')
      .column('email')
      .execute();

    await db.schema
      .createTable('staff_password_resets')
      .addColumn('token_hash', 'text', (c) => c.primaryKey())
      .addColumn('staff_id', 'text', (c) => c.notNull().references('staff.id').onDelete('cascade'))
      .addColumn('created_at', 'text', (c) => c.notNull())
      .addColumn('expires_at', 'text', (c) => c.notNull())
      .addColumn('used_at', 'text')
      .execute();
    await db.schema
      .createIndex('staff_password_resets_staff_idx')
      .on('staff_password_resets')
      .column('staff_id')
      .execute();
  },
};
