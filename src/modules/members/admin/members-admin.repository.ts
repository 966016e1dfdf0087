import {
  sql,
  type ExpressionBuilder,
  type Insertable,
  type SqlBool,
  type Updateable,
} from 'kysely';
import type { Database, Db } from '../../../platform/db/index.js';
import type { MemberEventRow, MemberRow } from '../../../platform/db/schema.js';

/**
 * Both engines cap bound parameters per statement (SQLite 32766, PostgreSQL 65535); bulk
 * statements are cut so none comes near either.
 */
const MAX_PARAMS = 30_000;

export interface MemberFilter {
  search?: string;
  status?: string;
  tierId?: string;
  newsletterSlug?: string;
  /** created_at >= this (ISO UTC) */
  signedUpAfter?: string;
  /** created_at < this (ISO UTC) */
  signedUpBefore?: string;
  /** Has an active pledge (true) or none (false). */
  pledged?: boolean;
}

/** Where the previous page of a newest-first listing ended. */
export interface MemberCursor {
  created_at: string;
  id: string;
}

function matches(eb: ExpressionBuilder<Database, 'members'>, f: MemberFilter) {
  const conditions = [];
  if (f.status) conditions.push(eb('members.status', '=', f.status));
  if (f.tierId) conditions.push(eb('members.tier_id', '=', f.tierId));
  if (f.signedUpAfter) conditions.push(eb('members.created_at', '>=', f.signedUpAfter));
  if (f.signedUpBefore) conditions.push(eb('members.created_at', '<', f.signedUpBefore));
  if (f.newsletterSlug) {
    conditions.push(
      eb(
        'members.id',
        'in',
        eb
          .selectFrom('member_newsletters')
          .innerJoin('newsletters', 'newsletters.id', 'member_newsletters.newsletter_id')
          .select('member_newsletters.member_id')
          .where('newsletters.slug', '=', f.newsletterSlug),
      ),
    );
  }
  if (f.pledged !== undefined) {
    const pledge = eb.exists(
      eb
        .selectFrom('pledges')
        .select(sql`1`.as('one'))
        .whereRef('pledges.member_id', '=', 'members.id')
        .where('pledges.status', '=', 'active'),
    );
    conditions.push(f.pledged ? pledge : eb.not(pledge));
  }
  if (f.search) {
    // lower() on both sides, both in SQL: SQLite's LIKE ignores ASCII case and PostgreSQL's
    // does not, and one engine's lower() on both sides folds the same letters the same way.
    // ESCAPE is spelled out because SQLite has no default escape character.
    const pattern = `%${f.search.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
    conditions.push(
      eb.or([
        sql<SqlBool>`lower(members.email) like lower(${pattern}) escape '\\'`,
        sql<SqlBool>`lower(coalesce(members.name, '')) like lower(${pattern}) escape '\\'`,
      ]),
    );
  }
  return eb.and(conditions);
}

const listColumns = [
  'members.id',
  'members.email',
  'members.name',
  'members.status',
  'members.tier_id',
  'members.comp_until',
  'members.access_until',
  'members.source',
  'members.note',
  'members.confirmed_at',
  'members.last_seen_at',
  'members.created_at',
  'members.updated_at',
  'tiers.slug as tier_slug',
  'tiers.name as tier_name',
] as const;

export type MemberListRow = Awaited<ReturnType<typeof listMembers>>['rows'][number];

export async function listMembers(
  db: Db,
  f: MemberFilter,
  page: { limit: number; offset: number },
) {
  const [rows, count] = await Promise.all([
    db
      .selectFrom('members')
      .where((eb) => matches(eb, f))
      .leftJoin('tiers', 'tiers.id', 'members.tier_id')
      .select(listColumns)
      .orderBy('members.created_at', 'desc')
      .orderBy('members.id', 'desc')
      .limit(page.limit)
      .offset(page.offset)
      .execute(),
    db
      .selectFrom('members')
      .where((eb) => matches(eb, f))
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .executeTakeFirstOrThrow(),
  ]);
  return { rows, total: Number(count.n) };
}

/** One page of a newest-first walk: keyset, so page 500 costs what page 1 does. */
export function listMembersAfter(
  db: Db,
  f: MemberFilter,
  after: MemberCursor | null,
  limit: number,
) {
  return (
    db
      .selectFrom('members')
      .where((eb) => matches(eb, f))
      // A row-value comparison, not `a < x or (a = x and b < y)`: both engines walk the
      // (created_at, id) index from the cursor with it, and neither does with the OR.
      .$if(after !== null, (q) =>
        q.where((eb) =>
          eb(
            eb.refTuple('members.created_at', 'members.id'),
            '<',
            eb.tuple(after!.created_at, after!.id),
          ),
        ),
      )
      .leftJoin('tiers', 'tiers.id', 'members.tier_id')
      .select(listColumns)
      .orderBy('members.created_at', 'desc')
      .orderBy('members.id', 'desc')
      .limit(limit)
      .execute()
  );
}

export async function newsletterSlugsOf(
  db: Db,
  memberIds: readonly string[],
): Promise<Map<string, string[]>> {
  const map = new Map<string, string[]>();
  if (memberIds.length === 0) return map;
  const rows = await db
    .selectFrom('member_newsletters')
    .innerJoin('newsletters', 'newsletters.id', 'member_newsletters.newsletter_id')
    .select(['member_newsletters.member_id', 'newsletters.slug'])
    .where('member_newsletters.member_id', 'in', memberIds)
    .orderBy('newsletters.sort_order')
    .orderBy('newsletters.slug')
    .execute();
  for (const r of rows) map.set(r.member_id, [...(map.get(r.member_id) ?? []), r.slug]);
  return map;
}

const pledgeColumns = [
  'id',
  'member_id',
  'tier_id',
  'amount',
  'currency',
  'interval',
  'status',
  'invited_at',
  'created_at',
] as const;

export async function activePledgesOf(db: Db, memberIds: readonly string[]) {
  if (memberIds.length === 0) return new Map<string, ActivePledge>();
  const rows = await db
    .selectFrom('pledges')
    .select(pledgeColumns)
    .where('member_id', 'in', memberIds)
    .where('status', '=', 'active')
    .orderBy('created_at')
    .execute();
  // Oldest first, so the newest active pledge of a member wins.
  return new Map(rows.map((r) => [r.member_id, r]));
}

export type ActivePledge = NonNullable<Awaited<ReturnType<typeof activePledgeOf>>>;

export const activePledgeOf = (db: Db, memberId: string) =>
  db
    .selectFrom('pledges')
    .select(pledgeColumns)
    .where('member_id', '=', memberId)
    .where('status', '=', 'active')
    .orderBy('created_at', 'desc')
    .executeTakeFirst();

export const countByStatus = (db: Db) =>
  db
    .selectFrom('members')
    .select((eb) => ['status', eb.fn.countAll<number>().as('n')])
    .groupBy('status')
    .execute();

export async function countPledged(db: Db): Promise<number> {
  const row = await db
    .selectFrom('pledges')
    .select((eb) => eb.fn.count<number>('member_id').distinct().as('n'))
    .where('status', '=', 'active')
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

export const findMember = (db: Db, id: string) =>
  db
    .selectFrom('members')
    .leftJoin('tiers', 'tiers.id', 'members.tier_id')
    .selectAll('members')
    .select(['tiers.slug as tier_slug', 'tiers.name as tier_name'])
    .where('members.id', '=', id)
    .executeTakeFirst();

export const findMemberIdByEmail = (db: Db, email: string) =>
  db.selectFrom('members').select('id').where('email', '=', email).executeTakeFirst();

export const newslettersOf = (db: Db, memberId: string) =>
  db
    .selectFrom('member_newsletters')
    .innerJoin('newsletters', 'newsletters.id', 'member_newsletters.newsletter_id')
    .select(['newsletters.id', 'newsletters.slug', 'newsletters.name'])
    .where('member_newsletters.member_id', '=', memberId)
    .orderBy('newsletters.sort_order')
    .orderBy('newsletters.slug')
    .execute();

export const subscriptionsOf = (db: Db, memberId: string) =>
  db
    .selectFrom('subscriptions')
    .select([
      'id',
      'tier_id',
      'status',
      'interval',
      'amount',
      'currency',
      'current_period_end',
      'cancel_at_period_end',
      'trial_end',
      'created_at',
      'updated_at',
    ])
    .where('member_id', '=', memberId)
    .orderBy('created_at', 'desc')
    .execute();

/**
 * One page of a member's history, newest first, keyset on the event id: the
 * (member_id, id) index answers any page as cheaply as the first.
 */
export const memberEventsPage = (
  db: Db,
  memberId: string,
  page: { before: number | undefined; limit: number },
) =>
  db
    .selectFrom('member_events')
    .select(['id', 'type', 'data', 'created_at'])
    .where('member_id', '=', memberId)
    .$if(page.before !== undefined, (q) => q.where('id', '<', page.before!))
    .orderBy('id', 'desc')
    .limit(page.limit)
    .execute();

export const findNewslettersBySlugs = (db: Db, slugs: readonly string[]) =>
  slugs.length === 0
    ? Promise.resolve([])
    : db
        .selectFrom('newsletters')
        .select(['id', 'slug', 'name', 'status'])
        .where('slug', 'in', slugs)
        .execute();

/** The newsletters a new reader gets unless told otherwise. */
export const signupNewsletters = (db: Db) =>
  db
    .selectFrom('newsletters')
    .select(['id', 'slug', 'name', 'status'])
    .where('subscribe_on_signup', '=', 1)
    .where('status', '=', 'active')
    .orderBy('sort_order')
    .execute();

export const insertMember = (db: Db, row: Insertable<MemberRow>) =>
  db.insertInto('members').values(row).execute();

export const updateMember = (db: Db, id: string, patch: Updateable<MemberRow>) =>
  db.updateTable('members').set(patch).where('id', '=', id).executeTakeFirst();

export const deleteMember = (db: Db, id: string) =>
  db.deleteFrom('members').where('id', '=', id).executeTakeFirst();

export async function addMemberNewsletters(
  db: Db,
  rows: readonly { member_id: string; newsletter_id: string; created_at: string }[],
): Promise<void> {
  for (const part of chunks(rows, 3)) {
    await db
      .insertInto('member_newsletters')
      .values(part)
      .onConflict((oc) => oc.columns(['member_id', 'newsletter_id']).doNothing())
      .execute();
  }
}

export async function insertMemberEvents(
  db: Db,
  rows: readonly Insertable<MemberEventRow>[],
): Promise<void> {
  for (const part of chunks(rows, 4)) await db.insertInto('member_events').values(part).execute();
}

/** Which of these addresses already belong to members. */
export async function existingEmails(db: Db, emails: readonly string[]): Promise<Set<string>> {
  const found = new Set<string>();
  for (const part of chunks(emails, 1)) {
    const rows = await db
      .selectFrom('members')
      .select('email')
      .where('email', 'in', part)
      .execute();
    for (const r of rows) found.add(r.email);
  }
  return found;
}

export async function existingStripeCustomers(
  db: Db,
  ids: readonly string[],
): Promise<Set<string>> {
  const found = new Set<string>();
  for (const part of chunks(ids, 1)) {
    const rows = await db
      .selectFrom('members')
      .select('stripe_customer_id')
      .where('stripe_customer_id', 'in', part)
      .execute();
    for (const r of rows) if (r.stripe_customer_id) found.add(r.stripe_customer_id);
  }
  return found;
}

/**
 * Multi-row insert that skips rows clashing with a unique column (email, Stripe customer),
 * so a reader signing up while an import runs costs that row, not the batch. Returns the
 * rows actually inserted.
 */
export async function insertMembersSkippingConflicts(
  db: Db,
  rows: readonly Insertable<MemberRow>[],
): Promise<{ id: string; email: string }[]> {
  const inserted: { id: string; email: string }[] = [];
  const columns = Object.keys(rows[0] ?? {}).length || 1;
  for (const part of chunks(rows, columns)) {
    inserted.push(
      ...(await db
        .insertInto('members')
        .values(part)
        .onConflict((oc) => oc.doNothing())
        .returning(['id', 'email'])
        .execute()),
    );
  }
  return inserted;
}

function* chunks<T>(rows: readonly T[], paramsPerRow: number): Generator<T[]> {
  const size = Math.max(1, Math.floor(MAX_PARAMS / paramsPerRow));
  for (let i = 0; i < rows.length; i += size) yield rows.slice(i, i + size);
}
