import type { Kysely } from 'kysely';
import type { Migration } from '../migrator.js';

/**
 * Page views of the public website, counted without cookies and stored only as totals: one
 * row per day (UTC) and path, never anything about who looked. Post pages also note the
 * post, so its views survive a change of slug.
 */
export const pageViews: Migration = {
  name: '0011-page-views',
  async up(db: Kysely<unknown>) {
    await db.schema
      .createTable('page_views')
      // YYYY-MM-DD, UTC.
      .addColumn('day', 'text', (c) => c.notNull())
      .addColumn('path', 'text', (c) => c.notNull())
      // No foreign key: a count flushed just as its post is deleted must not fail the flush,
      // and the dashboard only shows views of posts that exist.
      .addColumn('post_id', 'text')
      .addColumn('views', 'integer', (c) => c.notNull())
      .addPrimaryKeyConstraint('page_views_pk', ['day', 'path'])
      .execute();
    await db.schema
      .createIndex('page_views_post_idx')
      .on('page_views')
      .columns(['post_id', 'day'])
      .execute();
  },
};
