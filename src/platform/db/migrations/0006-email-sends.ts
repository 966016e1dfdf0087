import type { Kysely } from 'kysely';
import type { Migration } from '../migrator.js';

/**
 * Newsletter sends. A send freezes its email when it starts; its recipients are snapshotted
 * into numbered batches, each recipient's delivery state recorded, so a process killed at
 * any instant resumes with nobody missed. Suppressed addresses are never sent to.
 */
export const emailSends: Migration = {
  name: '0006-email-sends',
  async up(db: Kysely<unknown>, dialect) {
    const autoId = dialect === 'postgres' ? 'bigserial' : 'integer';

    await db.schema
      .createTable('email_sends')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('post_id', 'text', (c) => c.references('posts.id').onDelete('set null'))
      .addColumn('newsletter_id', 'text', (c) =>
        c.references('newsletters.id').onDelete('set null'),
      )
      // all | free | paid | tier:<tier id>
      .addColumn('segment', 'text', (c) => c.notNull())
      // scheduled | sending | paused | cancelled | sent | failed
      .addColumn('status', 'text', (c) => c.notNull())
      .addColumn('subject', 'text', (c) => c.notNull())
      // The frozen emails, one per reader level, as JSON: later edits change nothing sent.
      .addColumn('frozen', 'text')
      .addColumn('scheduled_at', 'text')
      .addColumn('started_at', 'text')
      .addColumn('finished_at', 'text')
      .addColumn('total', 'integer', (c) => c.notNull().defaultTo(0))
      .addColumn('sent', 'integer', (c) => c.notNull().defaultTo(0))
      .addColumn('failed', 'integer', (c) => c.notNull().defaultTo(0))
      .addColumn('suppressed', 'integer', (c) => c.notNull().defaultTo(0))
      .addColumn('resent', 'integer', (c) => c.notNull().defaultTo(0))
      .addColumn('bounced', 'integer', (c) => c.notNull().defaultTo(0))
      .addColumn('complained', 'integer', (c) => c.notNull().defaultTo(0))
      .addColumn('unsubscribed', 'integer', (c) => c.notNull().defaultTo(0))
      .addColumn('last_error', 'text')
      .addColumn('created_by', 'text', (c) => c.references('staff.id').onDelete('set null'))
      .addColumn('created_at', 'text', (c) => c.notNull())
      .addColumn('updated_at', 'text', (c) => c.notNull())
      .execute();

    await db.schema
      .createTable('email_send_recipients')
      .addColumn('send_id', 'text', (c) =>
        c.notNull().references('email_sends.id').onDelete('cascade'),
      )
      // No foreign key: the record of a send outlives a member who deletes their account.
      .addColumn('member_id', 'text', (c) => c.notNull())
      .addColumn('email', 'text', (c) => c.notNull())
      .addColumn('name', 'text')
      // The reader level whose frozen email this recipient gets (anonymous | member | paid…).
      .addColumn('reader_level', 'text', (c) => c.notNull())
      .addColumn('batch', 'integer', (c) => c.notNull())
      // pending | sending | sent | failed | suppressed
      .addColumn('state', 'text', (c) => c.notNull())
      .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
      .addColumn('last_error', 'text')
      .addColumn('provider_id', 'text')
      .addColumn('sent_at', 'text')
      .addPrimaryKeyConstraint('email_send_recipients_pk', ['send_id', 'member_id'])
      .execute();
    await db.schema
      .createIndex('email_send_recipients_batch_idx')
      .on('email_send_recipients')
      .columns(['send_id', 'batch', 'state'])
      .execute();
    await db.schema
      .createIndex('email_send_recipients_email_idx')
      .on('email_send_recipients')
      .columns(['email'])
      .execute();

    // Addresses never sent to again: hard bounces, complaints, permanent failures, manual.
    await db.schema
      .createTable('email_suppressions')
      .addColumn('email', 'text', (c) => c.primaryKey())
      .addColumn('reason', 'text', (c) => c.notNull())
      .addColumn('detail', 'text')
      .addColumn('send_id', 'text')
      .addColumn('created_at', 'text', (c) => c.notNull())
      .execute();

    // What came back: bounces (hard/soft), complaints, unsubscribes, per send.
    await db.schema
      .createTable('email_send_events')
      .addColumn('id', autoId, (c) => c.primaryKey())
      .addColumn('send_id', 'text', (c) => c.references('email_sends.id').onDelete('cascade'))
      .addColumn('email', 'text', (c) => c.notNull())
      .addColumn('type', 'text', (c) => c.notNull())
      .addColumn('data', 'text', (c) => c.notNull())
      .addColumn('created_at', 'text', (c) => c.notNull())
      .execute();
    await db.schema
      .createIndex('email_send_events_send_idx')
      .on('email_send_events')
      .columns(['send_id', 'type'])
      .execute();
  },
};
