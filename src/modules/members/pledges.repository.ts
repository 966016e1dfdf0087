import type { Insertable, Selectable, Updateable } from 'kysely';
import type { Db } from '../../platform/db/index.js';
import type { PledgeRow } from '../../platform/db/schema.js';

export type PledgeRecord = Selectable<PledgeRow>;

export const findActivePledge = (db: Db, memberId: string) =>
  db
    .selectFrom('pledges')
    .selectAll()
    .where('member_id', '=', memberId)
    .where('status', '=', 'active')
    .executeTakeFirst();

export const insertPledge = (db: Db, row: Insertable<PledgeRow>) =>
  db.insertInto('pledges').values(row).returningAll().executeTakeFirstOrThrow();

export const updatePledge = (db: Db, id: string, patch: Updateable<PledgeRow>) =>
  db
    .updateTable('pledges')
    .set(patch)
    .where('id', '=', id)
    .returningAll()
    .executeTakeFirstOrThrow();

/**
 * Takes the member row's write lock for the rest of the transaction (PostgreSQL; SQLite
 * runs one writer at a time anyway), so two requests from one member cannot both find no
 * active pledge and insert one each.
 */
export const lockMember = (db: Db, memberId: string, at: string) =>
  db.updateTable('members').set({ updated_at: at }).where('id', '=', memberId).execute();

/** Pledges with who made them, newest first. */
export const listPledgesWithMembers = (db: Db, status?: string) => {
  let q = db
    .selectFrom('pledges')
    .innerJoin('members', 'members.id', 'pledges.member_id')
    .selectAll('pledges')
    .select(['members.email', 'members.name']);
  if (status) q = q.where('pledges.status', '=', status);
  return q.orderBy('pledges.created_at', 'desc').orderBy('pledges.id').execute();
};

/** Active pledges summed per currency and interval: the summary needs nothing finer. */
export const activePledgeTotals = (db: Db) =>
  db
    .selectFrom('pledges')
    .select((eb) => [
      'currency',
      'interval',
      eb.fn.countAll<number>().as('count'),
      eb.fn.sum<number>('amount').as('total'),
    ])
    .where('status', '=', 'active')
    .groupBy(['currency', 'interval'])
    .execute();
