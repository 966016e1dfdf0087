import type { Selectable } from 'kysely';
import type { Db, EmailSuppressionRow } from '../../../platform/db/index.js';

/** Why an address is never mailed again. */
export type SuppressionReason =
  | 'hard_bounce'
  | 'soft_bounce_repeated'
  | 'complaint'
  | 'manual'
  /** A 5xx reply to a send (or an API's inactive-recipient error). */
  | 'permanent_failure';

/** What came back about one copy of a send. */
export type SendEventType = 'bounced' | 'complained' | 'unsubscribed';

/** The per-send counters feedback moves; each counts recipients, not reports. */
export type SendCounter = 'bounced' | 'complained' | 'unsubscribed';

export type Suppression = Selectable<EmailSuppressionRow>;

export interface RecipientRef {
  sendId: string;
  memberId: string;
  email: string;
}

/**
 * Suppresses an address. The first reason stands: a later complaint about an address that
 * hard-bounced tells staff nothing new, and the first record is the one that explains why
 * mail stopped. True when this call added the row.
 */
export async function insertSuppression(
  db: Db,
  row: { email: string; reason: SuppressionReason; detail: string | null; sendId: string | null },
  at: string,
): Promise<boolean> {
  const result = await db
    .insertInto('email_suppressions')
    .values({
      email: row.email,
      reason: row.reason,
      detail: row.detail,
      send_id: row.sendId,
      created_at: at,
    })
    .onConflict((oc) => oc.column('email').doNothing())
    .executeTakeFirst();
  return Number(result.numInsertedOrUpdatedRows ?? 0n) > 0;
}

export async function isSuppressed(db: Db, email: string): Promise<boolean> {
  const row = await db
    .selectFrom('email_suppressions')
    .select('email')
    .where('email', '=', email)
    .executeTakeFirst();
  return row !== undefined;
}

export const findSuppression = (db: Db, email: string) =>
  db.selectFrom('email_suppressions').selectAll().where('email', '=', email).executeTakeFirst();

/** Newest first. */
export const listSuppressions = (db: Db, page: { limit: number; offset: number }) =>
  db
    .selectFrom('email_suppressions')
    .selectAll()
    .orderBy('created_at', 'desc')
    .orderBy('email')
    .limit(page.limit)
    .offset(page.offset)
    .execute();

export async function recordSendEvent(
  db: Db,
  event: { sendId: string | null; email: string; type: SendEventType; data: object },
  at: string,
): Promise<void> {
  await db
    .insertInto('email_send_events')
    .values({
      send_id: event.sendId,
      email: event.email,
      type: event.type,
      data: JSON.stringify(event.data),
      created_at: at,
    })
    .execute();
}

/** Whether this address already has an event of this type for this send (counted once). */
export async function hasSendEvent(
  db: Db,
  sendId: string,
  email: string,
  type: SendEventType,
  dataLike?: string,
): Promise<boolean> {
  let query = db
    .selectFrom('email_send_events')
    .select('id')
    .where('send_id', '=', sendId)
    .where('email', '=', email)
    .where('type', '=', type);
  if (dataLike !== undefined) query = query.where('data', 'like', dataLike);
  return (await query.limit(1).executeTakeFirst()) !== undefined;
}

/** Events of a type for an address since a time, optionally filtered on their JSON text. */
export async function countEventsSince(
  db: Db,
  email: string,
  type: SendEventType,
  since: string,
  dataLike: string,
): Promise<number> {
  const row = await db
    .selectFrom('email_send_events')
    .select((eb) => eb.fn.countAll<number | string>().as('n'))
    .where('email', '=', email)
    .where('type', '=', type)
    .where('created_at', '>=', since)
    .where('data', 'like', dataLike)
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

/** Adds one in the database, so concurrent reports never lose an increment. */
export async function bumpSendCounter(db: Db, sendId: string, counter: SendCounter): Promise<void> {
  await db
    .updateTable('email_sends')
    .set(counter, (eb) => eb(counter, '+', 1))
    .where('id', '=', sendId)
    .execute();
}

export async function sendExists(db: Db, sendId: string): Promise<boolean> {
  const row = await db
    .selectFrom('email_sends')
    .select('id')
    .where('id', '=', sendId)
    .executeTakeFirst();
  return row !== undefined;
}

export async function findRecipient(
  db: Db,
  sendId: string,
  memberId: string,
): Promise<RecipientRef | undefined> {
  const row = await db
    .selectFrom('email_send_recipients')
    .select(['send_id', 'member_id', 'email'])
    .where('send_id', '=', sendId)
    .where('member_id', '=', memberId)
    .executeTakeFirst();
  return row && { sendId: row.send_id, memberId: row.member_id, email: row.email };
}

/** The latest copy sent to this address since `since`: who a report without VERP is about. */
export async function latestRecipientByEmail(
  db: Db,
  email: string,
  since: string,
): Promise<RecipientRef | undefined> {
  const row = await db
    .selectFrom('email_send_recipients')
    .select(['send_id', 'member_id', 'email'])
    .where('email', '=', email)
    .where('sent_at', '>=', since)
    .orderBy('sent_at', 'desc')
    .limit(1)
    .executeTakeFirst();
  return row && { sendId: row.send_id, memberId: row.member_id, email: row.email };
}

/** The copy a provider (Postmark's MessageID) accepted under this id. */
export async function recipientByProviderId(
  db: Db,
  providerId: string,
): Promise<RecipientRef | undefined> {
  const row = await db
    .selectFrom('email_send_recipients')
    .select(['send_id', 'member_id', 'email'])
    .where('provider_id', '=', providerId)
    .limit(1)
    .executeTakeFirst();
  return row && { sendId: row.send_id, memberId: row.member_id, email: row.email };
}
