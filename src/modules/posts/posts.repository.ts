import { sql, type Insertable, type Selectable, type SqlBool, type Updateable } from 'kysely';
import type { Db } from '../../platform/db/index.js';
import type { PostRow } from '../../platform/db/schema.js';
import type { ArchiveMonth, PostAuthor, PostStatus, PostTag } from './posts.types.js';

export type PostRecord = Selectable<PostRow>;

export const findPostById = (db: Db, id: string) =>
  db.selectFrom('posts').selectAll().where('id', '=', id).executeTakeFirst();

export const findPostBySlug = (db: Db, slug: string) =>
  db.selectFrom('posts').selectAll().where('slug', '=', slug).executeTakeFirst();

export const findPublishedBySlug = (db: Db, slug: string) =>
  db
    .selectFrom('posts')
    .selectAll()
    .where('slug', '=', slug)
    .where('status', '=', 'published')
    .executeTakeFirst();

export const postSlugTaken = async (db: Db, slug: string, exceptId?: string) => {
  let q = db.selectFrom('posts').select('id').where('slug', '=', slug);
  if (exceptId) q = q.where('id', '!=', exceptId);
  return (await q.executeTakeFirst()) !== undefined;
};

export const insertPost = (db: Db, row: Insertable<PostRow>) =>
  db.insertInto('posts').values(row).returningAll().executeTakeFirstOrThrow();

export const updatePost = (db: Db, id: string, patch: Updateable<PostRow>) =>
  db.updateTable('posts').set(patch).where('id', '=', id).returningAll().executeTakeFirstOrThrow();

export const deletePost = (db: Db, id: string) =>
  db.deleteFrom('posts').where('id', '=', id).executeTakeFirst();

export async function setPostTags(
  db: Db,
  postId: string,
  tagIds: readonly string[],
): Promise<void> {
  await db.deleteFrom('post_tags').where('post_id', '=', postId).execute();
  if (tagIds.length === 0) return;
  await db
    .insertInto('post_tags')
    .values(tagIds.map((tag_id, sort_order) => ({ post_id: postId, tag_id, sort_order })))
    .execute();
}

export async function setPostTiers(
  db: Db,
  postId: string,
  tierIds: readonly string[],
): Promise<void> {
  await db.deleteFrom('post_tiers').where('post_id', '=', postId).execute();
  if (tierIds.length === 0) return;
  await db
    .insertInto('post_tiers')
    .values(tierIds.map((tier_id) => ({ post_id: postId, tier_id })))
    .execute();
}

export async function tiersOfPosts(
  db: Db,
  postIds: readonly string[],
): Promise<Map<string, string[]>> {
  const map = new Map<string, string[]>();
  if (postIds.length === 0) return map;
  const rows = await db
    .selectFrom('post_tiers')
    .select(['post_id', 'tier_id'])
    .where('post_id', 'in', postIds)
    .orderBy('tier_id')
    .execute();
  for (const { post_id, tier_id } of rows) map.set(post_id, [...(map.get(post_id) ?? []), tier_id]);
  return map;
}

export async function setPostAuthors(
  db: Db,
  postId: string,
  staffIds: readonly string[],
): Promise<void> {
  await db.deleteFrom('post_authors').where('post_id', '=', postId).execute();
  if (staffIds.length === 0) return;
  await db
    .insertInto('post_authors')
    .values(staffIds.map((staff_id, sort_order) => ({ post_id: postId, staff_id, sort_order })))
    .execute();
}

/** Tags of many posts in one query, in each post's order. */
export async function tagsOfPosts(
  db: Db,
  postIds: readonly string[],
): Promise<Map<string, PostTag[]>> {
  const map = new Map<string, PostTag[]>();
  if (postIds.length === 0) return map;
  const rows = await db
    .selectFrom('post_tags')
    .innerJoin('tags', 'tags.id', 'post_tags.tag_id')
    .select(['post_tags.post_id', 'tags.id', 'tags.slug', 'tags.name', 'tags.description'])
    .where('post_tags.post_id', 'in', postIds)
    .orderBy('post_tags.sort_order')
    .execute();
  for (const { post_id, ...tag } of rows) {
    const list = map.get(post_id) ?? [];
    list.push(tag);
    map.set(post_id, list);
  }
  return map;
}

export async function authorsOfPosts(
  db: Db,
  postIds: readonly string[],
): Promise<Map<string, PostAuthor[]>> {
  const map = new Map<string, PostAuthor[]>();
  if (postIds.length === 0) return map;
  const rows = await db
    .selectFrom('post_authors')
    .innerJoin('staff', 'staff.id', 'post_authors.staff_id')
    .select(['post_authors.post_id', 'staff.id', 'staff.slug', 'staff.name', 'staff.bio'])
    .where('post_authors.post_id', 'in', postIds)
    .orderBy('post_authors.sort_order')
    .execute();
  for (const { post_id, ...author } of rows) {
    const list = map.get(post_id) ?? [];
    list.push(author);
    map.set(post_id, list);
  }
  return map;
}

export interface PostFilter {
  status?: PostStatus;
  tagSlug?: string;
  authorId?: string;
  authorSlug?: string;
  /** Published posts in [from, to) by published_at */
  publishedFrom?: string;
  publishedTo?: string;
  search?: string;
  order: 'published_desc' | 'updated_desc' | 'created_desc';
  limit: number;
  offset: number;
}

export async function listPosts(
  db: Db,
  f: PostFilter,
): Promise<{ rows: PostRecord[]; total: number }> {
  let q = db.selectFrom('posts');
  if (f.status) q = q.where('status', '=', f.status);
  if (f.tagSlug) {
    const slug = f.tagSlug;
    q = q.where('posts.id', 'in', (eb) =>
      eb
        .selectFrom('post_tags')
        .innerJoin('tags', 'tags.id', 'post_tags.tag_id')
        .select('post_tags.post_id')
        .where('tags.slug', '=', slug),
    );
  }
  if (f.authorId || f.authorSlug) {
    const { authorId, authorSlug } = f;
    q = q.where('posts.id', 'in', (eb) => {
      let sub = eb
        .selectFrom('post_authors')
        .innerJoin('staff', 'staff.id', 'post_authors.staff_id')
        .select('post_authors.post_id');
      if (authorId) sub = sub.where('staff.id', '=', authorId);
      if (authorSlug) sub = sub.where('staff.slug', '=', authorSlug);
      return sub;
    });
  }
  if (f.publishedFrom) q = q.where('published_at', '>=', f.publishedFrom);
  if (f.publishedTo) q = q.where('published_at', '<', f.publishedTo);
  if (f.search) {
    // lower() on both sides: SQLite's LIKE is case-insensitive for ASCII, PostgreSQL's is not.
    // ESCAPE is spelled out because SQLite, unlike PostgreSQL, has no default escape
    // character: without it `\%` would look for a backslash and `%` would stay a wildcard.
    const pattern = `%${f.search.toLowerCase().replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
    q = q.where(sql<SqlBool>`lower(title) like ${pattern} escape '\\'`);
  }
  const ordered =
    f.order === 'published_desc'
      ? q.selectAll().orderBy('published_at', 'desc')
      : f.order === 'updated_desc'
        ? q.selectAll().orderBy('updated_at', 'desc')
        : q.selectAll().orderBy('created_at', 'desc');
  const [rows, count] = await Promise.all([
    ordered.orderBy('id').limit(f.limit).offset(f.offset).execute(),
    q.select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow(),
  ]);
  return { rows, total: Number(count.n) };
}

export async function archiveMonths(db: Db): Promise<ArchiveMonth[]> {
  const rows = await db
    .selectFrom('posts')
    .select((eb) => [
      eb.fn<string>('substr', ['published_at', eb.val(1), eb.val(7)]).as('ym'),
      eb.fn.countAll<number>().as('n'),
    ])
    .where('status', '=', 'published')
    .groupBy('ym')
    .orderBy('ym', 'desc')
    .execute();
  return rows.map((r) => ({
    year: Number(r.ym.slice(0, 4)),
    month: Number(r.ym.slice(5, 7)),
    count: Number(r.n),
  }));
}

export const publishedSitemap = (db: Db) =>
  db
    .selectFrom('posts')
    .select(['slug', 'updated_at'])
    .where('status', '=', 'published')
    .orderBy('published_at', 'desc')
    .execute();

export const tagsWithPublishedPosts = (db: Db) =>
  db
    .selectFrom('tags')
    .select('tags.slug')
    .where('tags.id', 'in', (eb) =>
      eb
        .selectFrom('post_tags')
        .innerJoin('posts', 'posts.id', 'post_tags.post_id')
        .select('post_tags.tag_id')
        .where('posts.status', '=', 'published'),
    )
    .orderBy('tags.slug')
    .execute();

export const authorsWithPublishedPosts = (db: Db) =>
  db
    .selectFrom('staff')
    .select('staff.slug')
    .where('staff.id', 'in', (eb) =>
      eb
        .selectFrom('post_authors')
        .innerJoin('posts', 'posts.id', 'post_authors.post_id')
        .select('post_authors.staff_id')
        .where('posts.status', '=', 'published'),
    )
    .orderBy('staff.slug')
    .execute();

export const insertRevision = (
  db: Db,
  row: {
    post_id: string;
    title: string;
    body: string;
    staff_id: string | null;
    created_at: string;
  },
) => db.insertInto('post_revisions').values(row).execute();

export const latestRevision = (db: Db, postId: string) =>
  db
    .selectFrom('post_revisions')
    .select(['id', 'staff_id', 'created_at'])
    .where('post_id', '=', postId)
    .orderBy('id', 'desc')
    .limit(1)
    .executeTakeFirst();

export const replaceRevision = (
  db: Db,
  id: number,
  row: { title: string; body: string; created_at: string },
) => db.updateTable('post_revisions').set(row).where('id', '=', id).execute();

export const listRevisions = (db: Db, postId: string) =>
  db
    .selectFrom('post_revisions')
    .select(['id', 'post_id', 'title', 'body', 'staff_id', 'created_at'])
    .where('post_id', '=', postId)
    .orderBy('id', 'desc')
    .execute();

export async function addSlugRedirect(db: Db, oldSlug: string, postId: string): Promise<void> {
  await db
    .insertInto('post_slug_redirects')
    .values({ slug: oldSlug, post_id: postId })
    .onConflict((oc) => oc.column('slug').doUpdateSet({ post_id: postId }))
    .execute();
}

/** A slug taken by a live post no longer redirects anywhere. */
export const removeSlugRedirect = (db: Db, slug: string) =>
  db.deleteFrom('post_slug_redirects').where('slug', '=', slug).execute();

export const findRedirectTarget = (db: Db, oldSlug: string) =>
  db
    .selectFrom('post_slug_redirects')
    .innerJoin('posts', 'posts.id', 'post_slug_redirects.post_id')
    .select('posts.slug')
    .where('post_slug_redirects.slug', '=', oldSlug)
    .where('posts.status', '=', 'published')
    .executeTakeFirst();

export const countPosts = async (db: Db) =>
  Number(
    (
      await db
        .selectFrom('posts')
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .executeTakeFirstOrThrow()
    ).n,
  );
