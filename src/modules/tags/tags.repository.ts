import type { Insertable, Selectable, Updateable } from 'kysely';
import type { Db } from '../../platform/db/index.js';
import type { TagRow } from '../../platform/db/schema.js';

export type TagRecord = Selectable<TagRow>;

export const findTagById = (db: Db, id: string) =>
  db.selectFrom('tags').selectAll().where('id', '=', id).executeTakeFirst();

export const findTagBySlug = (db: Db, slug: string) =>
  db.selectFrom('tags').selectAll().where('slug', '=', slug).executeTakeFirst();

export const findTagsBySlugs = (db: Db, slugs: readonly string[]) =>
  slugs.length === 0
    ? Promise.resolve([] as TagRecord[])
    : db.selectFrom('tags').selectAll().where('slug', 'in', slugs).execute();

export async function listTags(db: Db, opts: { limit: number; offset: number }) {
  const [tags, count] = await Promise.all([
    db
      .selectFrom('tags')
      .selectAll()
      .select((eb) =>
        eb
          .selectFrom('post_tags')
          .select(eb.fn.countAll<number>().as('n'))
          .whereRef('post_tags.tag_id', '=', 'tags.id')
          .as('post_count'),
      )
      .orderBy('name')
      .limit(opts.limit)
      .offset(opts.offset)
      .execute(),
    db
      .selectFrom('tags')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .executeTakeFirstOrThrow(),
  ]);
  return { tags, total: Number(count.n) };
}

export const insertTag = (db: Db, row: Insertable<TagRow>) =>
  db.insertInto('tags').values(row).returningAll().executeTakeFirstOrThrow();

export const updateTag = (db: Db, id: string, patch: Updateable<TagRow>) =>
  db.updateTable('tags').set(patch).where('id', '=', id).returningAll().executeTakeFirst();

export const deleteTag = (db: Db, id: string) =>
  db.deleteFrom('tags').where('id', '=', id).executeTakeFirst();
