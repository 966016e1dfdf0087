import type { Kysely } from 'kysely';
import type { Migration } from '../migrator.js';

/** Paid posts may be limited to some tiers; none listed means every paid tier. */
export const postTiers: Migration = {
  name: '0005-post-tiers',
  async up(db: Kysely<unknown>) {
    await db.schema
      .createTable('post_tiers')
      .addColumn('post_id', 'text', (c) => c.notNull().references('posts.id').onDelete('cascade'))
      .addColumn('tier_id', 'text', (c) => c.notNull().references('tiers.id').onDelete('cascade'))
      .addPrimaryKeyConstraint('post_tiers_pk', ['post_id', 'tier_id'])
      .execute();
  },
};
