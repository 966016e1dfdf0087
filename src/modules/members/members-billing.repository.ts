import type { Updateable } from 'kysely';
import type { Db } from '../../platform/db/index.js';
import type { MemberRow } from '../../platform/db/schema.js';
import type { Member } from './members.types.js';

/**
 * What the payments module may read and write of a member: the billing columns. Payments
 * owns subscriptions and Stripe events; members owns the member row and its history.
 */
export type BillingPatch = Pick<
  Updateable<MemberRow>,
  'status' | 'tier_id' | 'access_until' | 'comp_until' | 'stripe_customer_id'
>;

export const findMemberById = (db: Db, id: string) =>
  db.selectFrom('members').selectAll().where('id', '=', id).executeTakeFirst() as Promise<
    Member | undefined
  >;

export const findMemberByEmail = (db: Db, email: string) =>
  db
    .selectFrom('members')
    .selectAll()
    .where('email', '=', email.trim().toLowerCase())
    .executeTakeFirst() as Promise<Member | undefined>;

export const findMemberByStripeCustomer = (db: Db, customerId: string) =>
  db
    .selectFrom('members')
    .selectAll()
    .where('stripe_customer_id', '=', customerId)
    .executeTakeFirst() as Promise<Member | undefined>;

export async function applyBilling(
  db: Db,
  memberId: string,
  patch: BillingPatch,
  at: string,
): Promise<void> {
  await db
    .updateTable('members')
    .set({ ...patch, updated_at: at })
    .where('id', '=', memberId)
    .execute();
}
