import { sql, type Expression, type RawBuilder, type Selectable, type SqlBool } from 'kysely';
import type { Db } from '../../../platform/db/index.js';
import type { EmailSendRecipientRow, EmailSendRow } from '../../../platform/db/schema.js';
import type { Segment } from './sends.segment.js';

export type SendRecord = Selectable<EmailSendRow>;
export type RecipientRecord = Pick<
  Selectable<EmailSendRecipientRow>,
  'member_id' | 'email' | 'name' | 'reader_level' | 'state' | 'attempts'
>;

/** Recipient states a batch still has work for. */
export const OPEN_STATES = ['pending', 'sending'] as const;

export async function insertSend(
  db: Db,
  send: {
    id: string;
    postId: string;
    newsletterId: string;
    segment: Segment;
    subject: string;
    scheduledAt: string | null;
    createdBy: string | null;
    now: string;
  },
): Promise<void> {
  await db
    .insertInto('email_sends')
    .values({
      id: send.id,
      post_id: send.postId,
      newsletter_id: send.newsletterId,
      segment: send.segment,
      status: 'scheduled',
      subject: send.subject,
      frozen: null,
      scheduled_at: send.scheduledAt,
      started_at: null,
      finished_at: null,
      total: 0,
      sent: 0,
      failed: 0,
      suppressed: 0,
      resent: 0,
      bounced: 0,
      complained: 0,
      unsubscribed: 0,
      last_error: null,
      created_by: send.createdBy,
      created_at: send.now,
      updated_at: send.now,
    })
    .execute();
}

export const findSend = (db: Db, id: string): Promise<SendRecord | undefined> =>
  db.selectFrom('email_sends').selectAll().where('id', '=', id).executeTakeFirst();

export async function sendStatus(db: Db, id: string): Promise<string | undefined> {
  const row = await db
    .selectFrom('email_sends')
    .select('status')
    .where('id', '=', id)
    .executeTakeFirst();
  return row?.status;
}

export const findNewsletter = (db: Db, id: string) =>
  db
    .selectFrom('newsletters')
    .select(['id', 'slug', 'name', 'status'])
    .where('id', '=', id)
    .executeTakeFirst();

export const tierExists = async (db: Db, id: string): Promise<boolean> =>
  (await db.selectFrom('tiers').select('id').where('id', '=', id).executeTakeFirst()) !== undefined;

/**
 * Paid access exactly as `access.ts` decides it (`hasPaidAccess`), in SQL. ISO-8601 UTC text
 * compares in time order on both engines.
 */
function paidAccess(now: string): Expression<SqlBool> {
  return sql<SqlBool>`(m.status in ('paid', 'past_due')
    or (m.status = 'comped' and (m.comp_until is null or m.comp_until > ${now}))
    or (m.status = 'cancelled' and m.access_until is not null and m.access_until > ${now}))`;
}

/** `readerLevel(viewerOf(member), now)` in SQL: `paid:<tier>`, `paid` or `member`. */
function readerLevelSql(now: string) {
  return sql<string>`case when ${paidAccess(now)}
    then (case when m.tier_id is null or m.tier_id = '' then 'paid' else 'paid:' || m.tier_id end)
    else 'member' end`;
}

function segmentFilter(segment: Segment, now: string): Expression<SqlBool> {
  if (segment === 'all') return sql<SqlBool>`1 = 1`;
  if (segment === 'free') return sql<SqlBool>`m.status = 'free'`;
  if (segment === 'paid') return paidAccess(now);
  return sql<SqlBool>`(m.tier_id = ${segment.slice('tier:'.length)} and ${paidAccess(now)})`;
}

/** Subscribers of the newsletter in the segment, suppressed or not. */
function audience(db: Db, newsletterId: string, segment: Segment, now: string) {
  return db
    .selectFrom('members as m')
    .innerJoin('member_newsletters as mn', (join) =>
      join.onRef('mn.member_id', '=', 'm.id').on('mn.newsletter_id', '=', newsletterId),
    )
    .where(segmentFilter(segment, now));
}

const suppressed = sql<SqlBool>`exists (select 1 from email_suppressions s where s.email = m.email)`;

/**
 * Snapshots the next `limit` recipients after `afterMemberId` (keyset by member id) in one
 * INSERT … SELECT, numbering them into batches from `firstBatch` on. Returns how many went in
 * and the last member id, the cursor for the next chunk; nothing but ids passes through JS.
 */
export async function snapshotChunk(
  db: Db,
  args: {
    sendId: string;
    newsletterId: string;
    segment: Segment;
    now: string;
    afterMemberId: string;
    firstBatch: number;
    batchSize: number;
    limit: number;
  },
): Promise<{ inserted: number; lastMemberId: string | undefined }> {
  // The cursor and the order are on the subscription's member id, which equals m.id: that
  // way the (newsletter_id, member_id) index yields the chunk in order and the LIMIT stops
  // the scan. On m.id, every chunk read and sorted the whole rest of the list.
  const batch = sql<number>`cast(${sql.lit(args.firstBatch)} + (row_number() over (order by mn.member_id) - 1) / ${sql.lit(args.batchSize)} as integer)`;
  const select = audience(db, args.newsletterId, args.segment, args.now)
    .where('mn.member_id', '>', args.afterMemberId)
    .where((eb) => eb.not(suppressed))
    .select([
      sql<string>`cast(${args.sendId} as text)`.as('send_id'),
      'm.id as member_id',
      'm.email as email',
      'm.name as name',
      readerLevelSql(args.now).as('reader_level'),
      batch.as('batch'),
      sql<string>`'pending'`.as('state'),
      sql<number>`0`.as('attempts'),
    ])
    .orderBy('mn.member_id')
    .limit(args.limit);
  const rows = await db
    .insertInto('email_send_recipients')
    .columns([
      'send_id',
      'member_id',
      'email',
      'name',
      'reader_level',
      'batch',
      'state',
      'attempts',
    ])
    .expression(select)
    .returning('member_id')
    .execute();
  let last: string | undefined;
  // The engine decides RETURNING's order; the cursor is the greatest id in the engine's order,
  // which the next chunk's `m.id > cursor` uses too, so compare in SQL terms, not JS ones.
  if (rows.length > 0) {
    const top = await db
      .selectFrom('email_send_recipients')
      .select((eb) => eb.fn.max('member_id').as('id'))
      .where('send_id', '=', args.sendId)
      .executeTakeFirst();
    last = top?.id ?? undefined;
  }
  return { inserted: rows.length, lastMemberId: last };
}

/** Where an interrupted snapshot stands: the keyset cursor and the next batch number. */
export async function snapshotPosition(
  db: Db,
  sendId: string,
): Promise<{ afterMemberId: string; nextBatch: number }> {
  const [id, batch] = await Promise.all([
    db
      .selectFrom('email_send_recipients')
      .select((eb) => eb.fn.max('member_id').as('v'))
      .where('send_id', '=', sendId)
      .executeTakeFirst(),
    db
      .selectFrom('email_send_recipients')
      .select((eb) => eb.fn.max('batch').as('v'))
      .where('send_id', '=', sendId)
      .executeTakeFirst(),
  ]);
  return {
    afterMemberId: id?.v ?? '',
    nextBatch: batch?.v === null || batch?.v === undefined ? 0 : Number(batch.v) + 1,
  };
}

export async function countSuppressedAudience(
  db: Db,
  newsletterId: string,
  segment: Segment,
  now: string,
): Promise<number> {
  const row = await audience(db, newsletterId, segment, now)
    .where(suppressed)
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

/** How many a send would go to now: subscribers in the segment, less suppressed addresses. */
export async function countAudience(
  db: Db,
  newsletterId: string,
  segment: Segment,
  now: string,
): Promise<{ recipients: number; suppressed: number }> {
  const row = await audience(db, newsletterId, segment, now)
    .select((eb) => [
      eb.fn.countAll<number>().as('n'),
      eb.fn.sum<number>(sql`case when ${suppressed} then 1 else 0 end`).as('s'),
    ])
    .executeTakeFirstOrThrow();
  const suppressedCount = Number(row.s ?? 0);
  return { recipients: Number(row.n) - suppressedCount, suppressed: suppressedCount };
}

export async function snapshotSummary(
  db: Db,
  sendId: string,
): Promise<{ total: number; levels: string[]; lastBatch: number | null }> {
  const [count, levels] = await Promise.all([
    db
      .selectFrom('email_send_recipients')
      .select((eb) => [eb.fn.countAll<number>().as('n'), eb.fn.max('batch').as('last')])
      .where('send_id', '=', sendId)
      .executeTakeFirstOrThrow(),
    db
      .selectFrom('email_send_recipients')
      .select('reader_level')
      .distinct()
      .where('send_id', '=', sendId)
      .execute(),
  ]);
  return {
    total: Number(count.n),
    levels: levels.map((l) => l.reader_level),
    lastBatch: count.last === null ? null : Number(count.last),
  };
}

/** Moves a snapshotted send to `sending`; false if it is no longer `scheduled` (cancelled). */
export async function startSending(
  db: Db,
  id: string,
  args: { frozen: string; subject: string; total: number; suppressed: number; now: string },
): Promise<boolean> {
  const result = await db
    .updateTable('email_sends')
    .set({
      status: args.total === 0 ? 'sent' : 'sending',
      frozen: args.frozen,
      subject: args.subject,
      total: args.total + args.suppressed,
      suppressed: args.suppressed,
      started_at: args.now,
      finished_at: args.total === 0 ? args.now : null,
      updated_at: args.now,
    })
    .where('id', '=', id)
    .where('status', '=', 'scheduled')
    .executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}

export async function setStatus(
  db: Db,
  id: string,
  from: readonly string[],
  to: string,
  now: string,
  extra: { last_error?: string; finished_at?: string } = {},
): Promise<boolean> {
  const result = await db
    .updateTable('email_sends')
    .set({ status: to, updated_at: now, ...extra })
    .where('id', '=', id)
    .where('status', 'in', from)
    .executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}

/**
 * A batch's open recipients, in member-id order. Sorted here: given ORDER BY member_id, SQLite
 * walked the primary key through every recipient of the send rather than sort one batch, a
 * scan of the whole send for each batch (0.3 s a batch at a million recipients).
 */
export async function batchRecipients(
  db: Db,
  sendId: string,
  batch: number,
): Promise<RecipientRecord[]> {
  const rows = await db
    .selectFrom('email_send_recipients')
    .select(['member_id', 'email', 'name', 'reader_level', 'state', 'attempts'])
    .where('send_id', '=', sendId)
    .where('batch', '=', batch)
    .where('state', 'in', OPEN_STATES)
    .execute();
  return rows.sort((a, b) => (a.member_id < b.member_id ? -1 : a.member_id > b.member_id ? 1 : 0));
}

export async function openBatches(db: Db, sendId: string): Promise<number[]> {
  const rows = await db
    .selectFrom('email_send_recipients')
    .select('batch')
    .distinct()
    .where('send_id', '=', sendId)
    .where('state', 'in', OPEN_STATES)
    .orderBy('batch')
    .execute();
  return rows.map((r) => Number(r.batch));
}

/**
 * Marks open recipients of a batch whose address was suppressed after the snapshot (say a
 * hard bounce from an earlier batch) as `suppressed`; returns how many.
 */
export async function suppressNewlySuppressed(
  db: Db,
  sendId: string,
  batch: number,
): Promise<number> {
  const result = await db
    .updateTable('email_send_recipients')
    .set({ state: 'suppressed' })
    .where('send_id', '=', sendId)
    .where('batch', '=', batch)
    .where('state', 'in', OPEN_STATES)
    .where((eb) =>
      eb.exists(
        eb
          .selectFrom('email_suppressions as s')
          .select(sql`1`.as('one'))
          .whereRef('s.email', '=', 'email_send_recipients.email'),
      ),
    )
    .executeTakeFirst();
  return Number(result.numUpdatedRows);
}

/**
 * Moves open recipients to `sending` and returns the ids it moved. A recipient another
 * worker has meanwhile sent (this one stalled and lost its job) is not returned, so this
 * worker does not send it again.
 */
export async function markSending(db: Db, sendId: string, memberIds: string[]): Promise<string[]> {
  const moved: string[] = [];
  for (const slice of slices(memberIds)) {
    const rows = await db
      .updateTable('email_send_recipients')
      .set({ state: 'sending' })
      .where('send_id', '=', sendId)
      .where('member_id', 'in', slice)
      .where('state', 'in', OPEN_STATES)
      .returning('member_id')
      .execute();
    for (const r of rows) moved.push(r.member_id);
  }
  return moved;
}

/**
 * Recipients per result statement. A statement binds three values per recipient, so this
 * stays far below SQLite's and PostgreSQL's parameter limits whatever the transport's batch.
 */
const RESULT_ROWS = 1000;

/** `case member_id when … then … else <otherwise> end`, one arm per recipient. */
function perRecipient(
  rows: { memberId: string; value: string }[],
  otherwise: RawBuilder<unknown>,
): RawBuilder<string | null> {
  const arms = rows.map((r) => sql`when ${r.memberId} then ${r.value}`);
  return sql<string | null>`case member_id ${sql.join(arms, sql` `)} else ${otherwise} end`;
}

function* slices<T>(rows: T[]): Generator<T[]> {
  for (let i = 0; i < rows.length; i += RESULT_ROWS) yield rows.slice(i, i + RESULT_ROWS);
}

/**
 * One UPDATE per chunk, not one per recipient: each recipient's provider id goes in through a
 * CASE on the member id, which both engines run the same way.
 *
 * Results land only on recipients still `sending`, and the count of those is returned: when
 * two workers sent the same recipient (one stalled past its lease), the second result finds
 * the row settled and is not counted again.
 */
export async function markSent(
  db: Db,
  sendId: string,
  sent: { memberId: string; providerId: string | null }[],
  now: string,
): Promise<number> {
  let changed = 0;
  for (const slice of slices(sent)) {
    const known = slice.flatMap((s) =>
      s.providerId === null ? [] : [{ memberId: s.memberId, value: s.providerId }],
    );
    const result = await db
      .updateTable('email_send_recipients')
      .set({
        state: 'sent',
        sent_at: now,
        last_error: null,
        ...(known.length > 0 ? { provider_id: perRecipient(known, sql`provider_id`) } : {}),
      })
      .where('send_id', '=', sendId)
      .where(
        'member_id',
        'in',
        slice.map((s) => s.memberId),
      )
      .where('state', '=', 'sending')
      .executeTakeFirst();
    changed += Number(result.numUpdatedRows);
  }
  return changed;
}

/**
 * Counts one more attempt and moves recipients still `sending` to `state`, each with its own
 * error; returns how many it moved (see `markSent`).
 */
async function markAttempted(
  db: Db,
  sendId: string,
  state: 'failed' | 'pending',
  rows: { memberId: string; error: string }[],
): Promise<number> {
  let changed = 0;
  for (const slice of slices(rows)) {
    const result = await db
      .updateTable('email_send_recipients')
      .set((eb) => ({
        state,
        attempts: eb('attempts', '+', 1),
        last_error: perRecipient(
          slice.map((r) => ({ memberId: r.memberId, value: r.error })),
          sql`last_error`,
        ),
      }))
      .where('send_id', '=', sendId)
      .where(
        'member_id',
        'in',
        slice.map((r) => r.memberId),
      )
      .where('state', '=', 'sending')
      .executeTakeFirst();
    changed += Number(result.numUpdatedRows);
  }
  return changed;
}

export const markFailed = (
  db: Db,
  sendId: string,
  failed: { memberId: string; error: string }[],
): Promise<number> => markAttempted(db, sendId, 'failed', failed);

export const markRetry = (
  db: Db,
  sendId: string,
  retry: { memberId: string; error: string }[],
): Promise<number> => markAttempted(db, sendId, 'pending', retry);

export async function suppressAddresses(
  db: Db,
  rows: { email: string; detail: string }[],
  sendId: string,
  now: string,
): Promise<void> {
  if (rows.length === 0) return;
  await db
    .insertInto('email_suppressions')
    .values(
      rows.map((r) => ({
        email: r.email,
        reason: 'permanent_failure',
        detail: r.detail.slice(0, 1000),
        send_id: sendId,
        created_at: now,
      })),
    )
    .onConflict((oc) => oc.column('email').doNothing())
    .execute();
}

/** Adds to the send's counters in one statement, so concurrent batches never lose a count. */
export async function addCounts(
  db: Db,
  sendId: string,
  counts: { sent: number; failed: number; suppressed: number; resent: number },
  now: string,
): Promise<void> {
  if (counts.sent + counts.failed + counts.suppressed + counts.resent === 0) return;
  await db
    .updateTable('email_sends')
    .set((eb) => ({
      sent: eb('sent', '+', counts.sent),
      failed: eb('failed', '+', counts.failed),
      suppressed: eb('suppressed', '+', counts.suppressed),
      resent: eb('resent', '+', counts.resent),
      updated_at: now,
    }))
    .where('id', '=', sendId)
    .execute();
}

/**
 * `sent` once every recipient is accounted for. Decided on the counters, not by scanning the
 * recipients, so that 2,000 batches finishing do not each read a million rows.
 */
export async function finishIfDone(db: Db, sendId: string, now: string): Promise<boolean> {
  const result = await db
    .updateTable('email_sends')
    .set({ status: 'sent', finished_at: now, updated_at: now })
    .where('id', '=', sendId)
    .where('status', '=', 'sending')
    .where(sql<SqlBool>`sent + failed + suppressed >= total`)
    .executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}

/** A send as the admin lists it: its counters, with the post's title and newsletter's name. */
export type SendListRow = Pick<
  SendRecord,
  | 'id'
  | 'post_id'
  | 'newsletter_id'
  | 'segment'
  | 'status'
  | 'subject'
  | 'scheduled_at'
  | 'started_at'
  | 'finished_at'
  | 'total'
  | 'sent'
  | 'failed'
  | 'suppressed'
  | 'resent'
  | 'bounced'
  | 'complained'
  | 'unsubscribed'
  | 'last_error'
  | 'created_at'
> & { post_title: string | null; newsletter_name: string | null };

function sendListQuery(db: Db) {
  // Left joins: a send outlives its post or newsletter (their ids are set to null).
  return db
    .selectFrom('email_sends as s')
    .leftJoin('posts as p', 'p.id', 's.post_id')
    .leftJoin('newsletters as n', 'n.id', 's.newsletter_id')
    .select([
      's.id',
      's.post_id',
      's.newsletter_id',
      's.segment',
      's.status',
      's.subject',
      's.scheduled_at',
      's.started_at',
      's.finished_at',
      's.total',
      's.sent',
      's.failed',
      's.suppressed',
      's.resent',
      's.bounced',
      's.complained',
      's.unsubscribed',
      's.last_error',
      's.created_at',
      'p.title as post_title',
      'n.name as newsletter_name',
    ]);
}

/** Sends newest first (ties broken by id, so pages never overlap), optionally of one status. */
export async function listSends(
  db: Db,
  filter: { status?: string; limit: number; offset: number },
): Promise<{ rows: SendListRow[]; total: number }> {
  let count = db.selectFrom('email_sends').select((eb) => eb.fn.countAll<number>().as('n'));
  let rows = sendListQuery(db);
  if (filter.status !== undefined) {
    count = count.where('status', '=', filter.status);
    rows = rows.where('s.status', '=', filter.status);
  }
  const [found, counted] = await Promise.all([
    rows
      .orderBy('s.created_at', 'desc')
      .orderBy('s.id', 'desc')
      .limit(filter.limit)
      .offset(filter.offset)
      .execute(),
    count.executeTakeFirstOrThrow(),
  ]);
  return { rows: found, total: Number(counted.n) };
}

export const findSendListRow = (db: Db, id: string): Promise<SendListRow | undefined> =>
  sendListQuery(db).where('s.id', '=', id).executeTakeFirst();

export async function tierNames(db: Db, ids: string[]): Promise<Map<string, string>> {
  if (ids.length === 0) return new Map();
  const rows = await db.selectFrom('tiers').select(['id', 'name']).where('id', 'in', ids).execute();
  return new Map(rows.map((r) => [r.id, r.name]));
}

/** A recipient the transport refused for good, or gave up on after every attempt. */
export type FailedRecipient = Pick<
  Selectable<EmailSendRecipientRow>,
  'member_id' | 'email' | 'name' | 'attempts' | 'last_error'
>;

/** A send's failed recipients by address, paged. */
export async function listFailedRecipients(
  db: Db,
  sendId: string,
  page: { limit: number; offset: number },
): Promise<{ rows: FailedRecipient[]; total: number }> {
  const failed = db
    .selectFrom('email_send_recipients')
    .where('send_id', '=', sendId)
    .where('state', '=', 'failed');
  const [rows, counted] = await Promise.all([
    failed
      .select(['member_id', 'email', 'name', 'attempts', 'last_error'])
      .orderBy('email')
      .orderBy('member_id')
      .limit(page.limit)
      .offset(page.offset)
      .execute(),
    failed.select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow(),
  ]);
  return { rows, total: Number(counted.n) };
}
