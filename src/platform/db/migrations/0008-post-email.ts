import type { Kysely } from 'kysely';
import type { Migration } from '../migrator.js';

/**
 * Publishing can email a post: the post keeps the newsletter, segment and subject chosen in
 * the editor, and the send made when it was published, so publishing twice sends once.
 * Sends share a pace per transport, kept here so every worker process honours one rate.
 */
export const postEmail: Migration = {
  name: '0008-post-email',
  async up(db: Kysely<unknown>) {
    await db.schema
      .alterTable('posts')
      .addColumn('email_newsletter_id', 'text', (c) =>
        c.references('newsletters.id').onDelete('set null'),
      )
      .execute();
    // all | free | paid | tier:<tier id>; null means all.
    await db.schema.alterTable('posts').addColumn('email_segment', 'text').execute();
    // null: the post's title.
    await db.schema.alterTable('posts').addColumn('email_subject', 'text').execute();
    await db.schema
      .alterTable('posts')
      .addColumn('email_send_id', 'text', (c) =>
        c.references('email_sends.id').onDelete('set null'),
      )
      .execute();

    await db.schema
      .createTable('email_send_pace')
      .addColumn('transport', 'text', (c) => c.primaryKey())
      // Milliseconds since the epoch before which the next message may not go out.
      .addColumn('next_at', 'double precision', (c) => c.notNull())
      .execute();
  },
};
