import { sql } from 'kysely';
import type { Db } from '../../platform/db/index.js';

/**
 * Table added by migration 0011-page-views, known only to this module. The dashboard also
 * reads (never writes) members, pledges, member events, posts and email sends: figures
 * across modules, read in one place rather than through five services' list calls.
 */
type AnalyticsTables = {
  page_views: { day: string; path: string; post_id: string | null; views: number };
};

const tables = (db: Db) => db.withTables<AnalyticsTables>();

export interface ViewIncrement {
  day: string;
  path: string;
  postId: string | null;
  views: number;
}

/** Rows per statement: 4 parameters each, well under SQLite's limit. */
const CHUNK = 200;

/**
 * Adds the increments to the stored counts. `views = views + n` makes every process's flush
 * add up, whichever order they come in; the caller runs this in a transaction so a failed
 * flush adds nothing and can be retried whole.
 */
export async function addViews(db: Db, increments: readonly ViewIncrement[]): Promise<void> {
  for (let i = 0; i < increments.length; i += CHUNK) {
    const rows = increments.slice(i, i + CHUNK).map((v) => ({
      day: v.day,
      path: v.path,
      post_id: v.postId,
      views: v.views,
    }));
    await tables(db)
      .insertInto('page_views')
      .values(rows)
      .onConflict((oc) =>
        oc.columns(['day', 'path']).doUpdateSet((eb) => ({
          views: eb('page_views.views', '+', eb.ref('excluded.views')),
          post_id: eb.fn.coalesce('excluded.post_id', 'page_views.post_id'),
        })),
      )
      .execute();
  }
}

/** Published posts' ids by slug, for the post pages among the counted paths. */
export async function postIdsBySlug(
  db: Db,
  slugs: readonly string[],
): Promise<Map<string, string>> {
  const found = new Map<string, string>();
  for (let i = 0; i < slugs.length; i += CHUNK) {
    const rows = await db
      .selectFrom('posts')
      .select(['id', 'slug'])
      .where('slug', 'in', slugs.slice(i, i + CHUNK))
      .execute();
    for (const r of rows) found.set(r.slug, r.id);
  }
  return found;
}

/** Total views per day from `from` (inclusive); days without views are absent. */
export async function viewsByDay(db: Db, from: string): Promise<Map<string, number>> {
  const rows = await tables(db)
    .selectFrom('page_views')
    .select((eb) => ['day', eb.fn.sum<number | string>('views').as('views')])
    .where('day', '>=', from)
    .groupBy('day')
    .execute();
  return new Map(rows.map((r) => [r.day, Number(r.views)]));
}

/** Each post's views of all time and since `recentFrom` (inclusive). */
export async function viewsOfPosts(
  db: Db,
  postIds: readonly string[],
  recentFrom: string,
): Promise<Map<string, { views: number; recent: number }>> {
  if (postIds.length === 0) return new Map();
  const rows = await tables(db)
    .selectFrom('page_views')
    .select((eb) => [
      'post_id',
      eb.fn.sum<number | string>('views').as('views'),
      eb.fn
        .sum<number | string>(
          eb.case().when('day', '>=', recentFrom).then(eb.ref('views')).else(0).end(),
        )
        .as('recent'),
    ])
    .where('post_id', 'in', postIds)
    .groupBy('post_id')
    .execute();
  return new Map(
    rows.map((r) => [r.post_id!, { views: Number(r.views), recent: Number(r.recent) }]),
  );
}

/** The latest published posts, newest first, with the email sent when they were published. */
export const recentPublishedPosts = (db: Db, limit: number) =>
  db
    .selectFrom('posts')
    .leftJoin('email_sends', 'email_sends.id', 'posts.email_send_id')
    .select([
      'posts.id',
      'posts.title',
      'posts.slug',
      'posts.published_at',
      'email_sends.id as send_id',
      'email_sends.status as send_status',
      'email_sends.total as send_total',
      'email_sends.sent as send_sent',
      'email_sends.bounced as send_bounced',
      'email_sends.complained as send_complained',
      'email_sends.unsubscribed as send_unsubscribed',
    ])
    .where('posts.status', '=', 'published')
    .orderBy('posts.published_at', 'desc')
    .orderBy('posts.id', 'desc')
    .limit(limit)
    .execute();

// --- members over time ----------------------------------------------------------------------

/** Every member as they stand now, with the start of their active pledge if they have one. */
export const currentMembers = (db: Db) =>
  db
    .selectFrom('members')
    .leftJoin('pledges', (join) =>
      join.onRef('pledges.member_id', '=', 'members.id').on('pledges.status', '=', 'active'),
    )
    .select([
      'members.id',
      'members.created_at',
      'members.status',
      'members.comp_until',
      'members.access_until',
      'pledges.created_at as pledged_at',
    ])
    .execute();

/** The history events that change what a member's access rests on; see members-over-time.ts. */
export const STATUS_EVENT_TYPES = [
  'imported',
  'paid',
  'cancelled',
  'comped',
  'comp_removed',
  'pledged',
  'pledge_withdrawn',
  'pledge_converted',
] as const;

export const statusEvents = (db: Db) =>
  db
    .selectFrom('member_events')
    .select(['member_id', 'type', 'data', 'created_at'])
    .where('member_id', 'is not', null)
    .where('type', 'in', STATUS_EVENT_TYPES)
    .orderBy('created_at')
    .orderBy('id')
    .execute();

/**
 * Deleted members, counted per day: their history stays with `member_id` null, so each left
 * one joining event (signed up, added or imported) and one `deleted` event.
 */
export async function deletedMembersByDay(
  db: Db,
): Promise<{ day: string; joined: number; left: number }[]> {
  const rows = await db
    .selectFrom('member_events')
    .select((eb) => [
      sql<string>`substr(created_at, 1, 10)`.as('day'),
      'type',
      eb.fn.countAll<number | string>().as('n'),
    ])
    .where('member_id', 'is', null)
    .where('type', 'in', ['signed_up', 'imported', 'deleted'])
    .groupBy(['day', 'type'])
    .execute();
  const byDay = new Map<string, { day: string; joined: number; left: number }>();
  for (const r of rows) {
    const entry = byDay.get(r.day) ?? { day: r.day, joined: 0, left: 0 };
    if (r.type === 'deleted') entry.left += Number(r.n);
    else entry.joined += Number(r.n);
    byDay.set(r.day, entry);
  }
  return [...byDay.values()];
}
