import type { Insertable, Selectable, Updateable } from 'kysely';
import type { Db } from '../../platform/db/index.js';
import type { TierRow } from '../../platform/db/schema.js';

export type TierRecord = Selectable<TierRow>;

export const findTierById = (db: Db, id: string) =>
  db.selectFrom('tiers').selectAll().where('id', '=', id).executeTakeFirst();

export const slugTaken = async (db: Db, slug: string) =>
  (await db.selectFrom('tiers').select('id').where('slug', '=', slug).executeTakeFirst()) !==
  undefined;

export function listTiers(db: Db, opts: { activeOnly: boolean }) {
  let q = db.selectFrom('tiers').selectAll();
  if (opts.activeOnly) q = q.where('active', '=', 1);
  return q.orderBy('sort_order').orderBy('created_at').execute();
}

/** The tier a Stripe price or product belongs to (for subscriptions made outside checkout). */
export const findTierByStripeIds = (
  db: Db,
  ids: { priceId: string | null; productId: string | null },
) =>
  db
    .selectFrom('tiers')
    .selectAll()
    .where((eb) =>
      eb.or([
        ...(ids.priceId
          ? [
              eb('stripe_monthly_price_id', '=', ids.priceId),
              eb('stripe_yearly_price_id', '=', ids.priceId),
            ]
          : []),
        ...(ids.productId ? [eb('stripe_product_id', '=', ids.productId)] : []),
      ]),
    )
    .executeTakeFirst();

export const insertTier = (db: Db, row: Insertable<TierRow>) =>
  db.insertInto('tiers').values(row).returningAll().executeTakeFirstOrThrow();

export const updateTier = (db: Db, id: string, patch: Updateable<TierRow>) =>
  db.updateTable('tiers').set(patch).where('id', '=', id).returningAll().executeTakeFirst();
