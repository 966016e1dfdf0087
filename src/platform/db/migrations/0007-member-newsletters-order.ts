import type { Kysely } from 'kysely';
import type { Migration } from '../migrator.js';

/**
 * A send copies a newsletter's subscribers in member-id order, a chunk at a time. With only
 * the newsletter index, every chunk sorted all the newsletter's subscribers again.
 */
export const memberNewslettersOrder: Migration = {
  name: '0007-member-newsletters-order',
  async up(db: Kysely<unknown>) {
    await db.schema
      .createIndex('member_newsletters_newsletter_member_idx')
      .on('member_newsletters')
      .columns(['newsletter_id', 'member_id'])
      .execute();
  },
};
