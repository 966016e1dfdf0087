import type { Insertable, Selectable, Updateable } from 'kysely';
import type { Db } from '../../platform/db/index.js';
import type { MemberRow, MemberSessionRow, MemberTokenRow } from '../../platform/db/schema.js';
import type { Member, TokenPurpose } from './members.types.js';

export { findMemberByEmail, findMemberById } from './members-billing.repository.js';

export type TokenRecord = Selectable<MemberTokenRow>;

/** Undefined when the address already belongs to a member (the unique index decides). */
export const insertMemberIfNew = (db: Db, row: Insertable<MemberRow>) =>
  db
    .insertInto('members')
    .values(row)
    .onConflict((oc) => oc.column('email').doNothing())
    .returningAll()
    .executeTakeFirst() as Promise<Member | undefined>;

/** The columns a member changes about themselves; billing columns are the payments module's. */
export type ProfilePatch = Pick<
  Updateable<MemberRow>,
  'name' | 'email' | 'confirmed_at' | 'last_seen_at' | 'updated_at'
>;

export const updateMemberProfile = (db: Db, id: string, patch: ProfilePatch) =>
  db
    .updateTable('members')
    .set(patch)
    .where('id', '=', id)
    .returningAll()
    .executeTakeFirst() as Promise<Member | undefined>;

/** Sessions, tokens, newsletter choices and pledges go with the row (ON DELETE CASCADE). */
export const deleteMember = (db: Db, id: string) =>
  db.deleteFrom('members').where('id', '=', id).executeTakeFirst();

// --- emailed tokens -----------------------------------------------------------------------

export const insertToken = (db: Db, row: Insertable<MemberTokenRow>) =>
  db.insertInto('member_tokens').values(row).execute();

export const findToken = (db: Db, tokenHash: string) =>
  db.selectFrom('member_tokens').selectAll().where('token_hash', '=', tokenHash).executeTakeFirst();

/**
 * Marks a token used if, at this instant, it is unused and unexpired. The single UPDATE is
 * the check: of two concurrent clicks exactly one changes a row, so a link works once.
 */
export async function consumeToken(
  db: Db,
  tokenHash: string,
  purpose: TokenPurpose,
  now: string,
): Promise<TokenRecord | undefined> {
  const result = await db
    .updateTable('member_tokens')
    .set({ used_at: now })
    .where('token_hash', '=', tokenHash)
    .where('purpose', '=', purpose)
    .where('used_at', 'is', null)
    .where('expires_at', '>', now)
    .executeTakeFirst();
  if (Number(result.numUpdatedRows) !== 1) return undefined;
  return findToken(db, tokenHash);
}

export const deleteTokensExpiredBefore = (db: Db, before: string) =>
  db.deleteFrom('member_tokens').where('expires_at', '<', before).execute();

// --- sessions -------------------------------------------------------------------------------

export const insertSession = (db: Db, row: Insertable<MemberSessionRow>) =>
  db.insertInto('member_sessions').values(row).execute();

export const findSessionByHash = (db: Db, tokenHash: string) =>
  db
    .selectFrom('member_sessions')
    .innerJoin('members', 'members.id', 'member_sessions.member_id')
    .selectAll('members')
    .select([
      'member_sessions.id as session_id',
      'member_sessions.expires_at as session_expires_at',
      'member_sessions.last_used_at as session_last_used_at',
    ])
    .where('member_sessions.token_hash', '=', tokenHash)
    .executeTakeFirst();

export const touchSession = (db: Db, id: string, at: string) =>
  db.updateTable('member_sessions').set({ last_used_at: at }).where('id', '=', id).execute();

export const deleteSession = (db: Db, id: string) =>
  db.deleteFrom('member_sessions').where('id', '=', id).execute();

export const deleteSessionByHash = (db: Db, tokenHash: string) =>
  db.deleteFrom('member_sessions').where('token_hash', '=', tokenHash).execute();

export const deleteSessionsExpiredBefore = (db: Db, before: string) =>
  db.deleteFrom('member_sessions').where('expires_at', '<', before).execute();
