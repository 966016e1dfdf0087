import type { Insertable, Selectable, Updateable } from 'kysely';
import type { Db } from '../../platform/db/index.js';
import type { NewsletterRow } from '../../platform/db/schema.js';

export type NewsletterRecord = Selectable<NewsletterRow>;

export const countNewsletters = async (db: Db): Promise<number> =>
  Number(
    (
      await db
        .selectFrom('newsletters')
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .executeTakeFirstOrThrow()
    ).n,
  );

/** Undefined when the slug is taken: two processes creating the default race safely. */
export const insertNewsletterIfSlugFree = (db: Db, row: Insertable<NewsletterRow>) =>
  db
    .insertInto('newsletters')
    .values(row)
    .onConflict((oc) => oc.column('slug').doNothing())
    .returningAll()
    .executeTakeFirst();

export const updateNewsletter = (db: Db, id: string, patch: Updateable<NewsletterRow>) =>
  db.updateTable('newsletters').set(patch).where('id', '=', id).returningAll().executeTakeFirst();

export const findNewsletterById = (db: Db, id: string) =>
  db.selectFrom('newsletters').selectAll().where('id', '=', id).executeTakeFirst();

export const slugTaken = async (db: Db, slug: string, exceptId?: string) => {
  let q = db.selectFrom('newsletters').select('id').where('slug', '=', slug);
  if (exceptId) q = q.where('id', '!=', exceptId);
  return (await q.executeTakeFirst()) !== undefined;
};

/** Newsletters with how many members receive each; staff see archived ones too. */
export const listNewslettersWithCounts = (db: Db, status?: 'active' | 'archived') => {
  let q = db
    .selectFrom('newsletters')
    .leftJoin(
      db
        .selectFrom('member_newsletters')
        .select(['newsletter_id', (eb) => eb.fn.countAll<number>().as('members')])
        .groupBy('newsletter_id')
        .as('counts'),
      'counts.newsletter_id',
      'newsletters.id',
    )
    .selectAll('newsletters')
    .select((eb) => eb.fn.coalesce('counts.members', eb.lit(0)).as('member_count'));
  if (status) q = q.where('newsletters.status', '=', status);
  return q.orderBy('newsletters.sort_order').orderBy('newsletters.name').execute();
};

export const listActiveNewsletters = (db: Db) =>
  db
    .selectFrom('newsletters')
    .selectAll()
    .where('status', '=', 'active')
    .orderBy('sort_order')
    .orderBy('name')
    .execute();

export const memberNewsletterIds = async (db: Db, memberId: string): Promise<string[]> =>
  (
    await db
      .selectFrom('member_newsletters')
      .select('newsletter_id')
      .where('member_id', '=', memberId)
      .execute()
  ).map((r) => r.newsletter_id);

export async function subscribeMember(
  db: Db,
  memberId: string,
  newsletterIds: readonly string[],
  at: string,
): Promise<void> {
  if (newsletterIds.length === 0) return;
  await db
    .insertInto('member_newsletters')
    .values(newsletterIds.map((id) => ({ member_id: memberId, newsletter_id: id, created_at: at })))
    .onConflict((oc) => oc.columns(['member_id', 'newsletter_id']).doNothing())
    .execute();
}

export async function unsubscribeMember(
  db: Db,
  memberId: string,
  newsletterIds: readonly string[],
): Promise<void> {
  if (newsletterIds.length === 0) return;
  await db
    .deleteFrom('member_newsletters')
    .where('member_id', '=', memberId)
    .where('newsletter_id', 'in', newsletterIds)
    .execute();
}
