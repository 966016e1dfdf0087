import type { Insertable, Selectable } from 'kysely';
import type { Db } from '../../platform/db/index.js';
import type { StripeEventRow, SubscriptionRow } from '../../platform/db/schema.js';

export type SubscriptionRecord = Selectable<SubscriptionRow>;

export const findSubscription = (db: Db, id: string) =>
  db.selectFrom('subscriptions').selectAll().where('id', '=', id).executeTakeFirst();

export const listMemberSubscriptions = (db: Db, memberId: string) =>
  db.selectFrom('subscriptions').selectAll().where('member_id', '=', memberId).execute();

/** Inserts unless the subscription is already stored; true when this call stored it. */
export async function insertSubscriptionIfAbsent(
  db: Db,
  row: Insertable<SubscriptionRow>,
): Promise<boolean> {
  const result = await db
    .insertInto('subscriptions')
    .values(row)
    .onConflict((oc) => oc.column('id').doNothing())
    .executeTakeFirst();
  return Number(result.numInsertedOrUpdatedRows ?? 0) > 0;
}

/**
 * Replaces a stored subscription only if it is still the version the caller read
 * (compare-and-set), so two deliveries racing on one subscription cannot interleave.
 */
export async function replaceSubscriptionIf(
  db: Db,
  row: Insertable<SubscriptionRow>,
  expected: { status: string; stripe_event_created: number },
): Promise<boolean> {
  const { id, created_at: _created, ...changes } = row;
  const result = await db
    .updateTable('subscriptions')
    .set(changes)
    .where('id', '=', id)
    .where('status', '=', expected.status)
    .where('stripe_event_created', '=', expected.stripe_event_created)
    .executeTakeFirst();
  return Number(result.numUpdatedRows) > 0;
}

/** Subscriptions that count toward revenue or headcounts. */
export const listSubscriptionsByStatus = (db: Db, statuses: readonly string[]) =>
  statuses.length === 0
    ? Promise.resolve([] as SubscriptionRecord[])
    : db.selectFrom('subscriptions').selectAll().where('status', 'in', statuses).execute();

/** Claims a Stripe event id; false when it was already processed (a replay or duplicate). */
export async function claimStripeEvent(db: Db, row: StripeEventRow): Promise<boolean> {
  const result = await db
    .insertInto('stripe_events')
    .values(row)
    .onConflict((oc) => oc.column('id').doNothing())
    .executeTakeFirst();
  return Number(result.numInsertedOrUpdatedRows ?? 0) > 0;
}

export const stripeEventSeen = async (db: Db, id: string) =>
  (await db.selectFrom('stripe_events').select('id').where('id', '=', id).executeTakeFirst()) !==
  undefined;
