import type { Insertable, Selectable } from 'kysely';
import type { Db } from '../../platform/db/index.js';
import type { StaffInvitationRow, StaffPasswordResetRow } from '../../platform/db/schema.js';

export type InvitationRecord = Selectable<StaffInvitationRow>;
export type PasswordResetRecord = Selectable<StaffPasswordResetRow>;

// --- invitations ----------------------------------------------------------------------------

export const insertInvitation = (db: Db, row: Insertable<StaffInvitationRow>) =>
  db.insertInto('staff_invitations').values(row).execute();

export const findInvitationByHash = (db: Db, tokenHash: string) =>
  db
    .selectFrom('staff_invitations')
    .selectAll()
    .where('token_hash', '=', tokenHash)
    .executeTakeFirst();

export const findInvitationById = (db: Db, id: string) =>
  db.selectFrom('staff_invitations').selectAll().where('id', '=', id).executeTakeFirst();

/** Neither accepted nor withdrawn; expired ones included, so staff see they lapsed. */
export const listOpenInvitations = (db: Db) =>
  db
    .selectFrom('staff_invitations')
    .innerJoin('staff', 'staff.id', 'staff_invitations.invited_by')
    .select([
      'staff_invitations.id',
      'staff_invitations.email',
      'staff_invitations.role',
      'staff_invitations.created_at',
      'staff_invitations.expires_at',
      'staff.id as inviter_id',
      'staff.name as inviter_name',
    ])
    .where('staff_invitations.accepted_at', 'is', null)
    .where('staff_invitations.revoked_at', 'is', null)
    .orderBy('staff_invitations.created_at', 'desc')
    .orderBy('staff_invitations.id')
    .execute();

export const revokeOpenInvitationsTo = (db: Db, email: string, at: string, exceptId: string) =>
  db
    .updateTable('staff_invitations')
    .set({ revoked_at: at })
    .where('email', '=', email)
    .where('id', '!=', exceptId)
    .where('accepted_at', 'is', null)
    .where('revoked_at', 'is', null)
    .execute();

export const revokeInvitation = (db: Db, id: string, at: string) =>
  db
    .updateTable('staff_invitations')
    .set({ revoked_at: at })
    .where('id', '=', id)
    .where('accepted_at', 'is', null)
    .where('revoked_at', 'is', null)
    .executeTakeFirst();

export const deleteInvitation = (db: Db, id: string) =>
  db.deleteFrom('staff_invitations').where('id', '=', id).execute();

/**
 * Marks an invitation accepted if, at this instant, it is open and unexpired. The single
 * UPDATE is the check: of two concurrent acceptances exactly one changes a row.
 */
export async function acceptInvitation(
  db: Db,
  tokenHash: string,
  now: string,
): Promise<InvitationRecord | undefined> {
  const result = await db
    .updateTable('staff_invitations')
    .set({ accepted_at: now })
    .where('token_hash', '=', tokenHash)
    .where('accepted_at', 'is', null)
    .where('revoked_at', 'is', null)
    .where('expires_at', '>', now)
    .executeTakeFirst();
  if (Number(result.numUpdatedRows) !== 1) return undefined;
  return findInvitationByHash(db, tokenHash);
}

export const deleteInvitationsExpiredBefore = (db: Db, before: string) =>
  db.deleteFrom('staff_invitations').where('expires_at', '<', before).execute();

// --- password resets ------------------------------------------------------------------------

export const insertPasswordReset = (db: Db, row: Insertable<StaffPasswordResetRow>) =>
  db.insertInto('staff_password_resets').values(row).execute();

export const findPasswordReset = (db: Db, tokenHash: string) =>
  db
    .selectFrom('staff_password_resets')
    .innerJoin('staff', 'staff.id', 'staff_password_resets.staff_id')
    .select([
      'staff_password_resets.token_hash',
      'staff_password_resets.staff_id',
      'staff_password_resets.expires_at',
      'staff_password_resets.used_at',
      'staff.email',
    ])
    .where('staff_password_resets.token_hash', '=', tokenHash)
    .executeTakeFirst();

/** Uses the link up if it is unused and unexpired; one UPDATE, as for invitations. */
export async function consumePasswordReset(
  db: Db,
  tokenHash: string,
  now: string,
): Promise<{ staff_id: string } | undefined> {
  const result = await db
    .updateTable('staff_password_resets')
    .set({ used_at: now })
    .where('token_hash', '=', tokenHash)
    .where('used_at', 'is', null)
    .where('expires_at', '>', now)
    .executeTakeFirst();
  if (Number(result.numUpdatedRows) !== 1) return undefined;
  return db
    .selectFrom('staff_password_resets')
    .select('staff_id')
    .where('token_hash', '=', tokenHash)
    .executeTakeFirst();
}

/** Every other reset link of this person stops working once one has been used. */
export const usePasswordResetsOf = (db: Db, staffId: string, now: string) =>
  db
    .updateTable('staff_password_resets')
    .set({ used_at: now })
    .where('staff_id', '=', staffId)
    .where('used_at', 'is', null)
    .execute();

export const deletePasswordResetsExpiredBefore = (db: Db, before: string) =>
  db.deleteFrom('staff_password_resets').where('expires_at', '<', before).execute();
