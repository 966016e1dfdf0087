import type { Insertable, Selectable, Updateable } from 'kysely';
import type { Db } from '../../platform/db/index.js';
import type { ApiTokenRow, StaffRow, StaffSessionRow } from '../../platform/db/schema.js';

export type StaffRecord = Selectable<StaffRow>;
export type SessionRecord = Selectable<StaffSessionRow>;
export type ApiTokenRecord = Selectable<ApiTokenRow>;

export const findStaffById = (db: Db, id: string) =>
  db.selectFrom('staff').selectAll().where('id', '=', id).executeTakeFirst();

export const findStaffByEmail = (db: Db, email: string) =>
  db.selectFrom('staff').selectAll().where('email', '=', email).executeTakeFirst();

export const findStaffBySlug = (db: Db, slug: string) =>
  db.selectFrom('staff').selectAll().where('slug', '=', slug).executeTakeFirst();

export const findStaffByIds = (db: Db, ids: readonly string[]) =>
  ids.length === 0
    ? Promise.resolve([])
    : db.selectFrom('staff').selectAll().where('id', 'in', ids).execute();

export const findOwner = (db: Db) =>
  db.selectFrom('staff').selectAll().where('role', '=', 'owner').executeTakeFirst();

export const listStaff = (db: Db) =>
  db.selectFrom('staff').selectAll().orderBy('created_at').orderBy('id').execute();

export const slugTaken = async (db: Db, slug: string) =>
  (await db.selectFrom('staff').select('id').where('slug', '=', slug).executeTakeFirst()) !==
  undefined;

export const insertStaff = (db: Db, row: Insertable<StaffRow>) =>
  db.insertInto('staff').values(row).returningAll().executeTakeFirstOrThrow();

export const updateStaff = (db: Db, id: string, patch: Updateable<StaffRow>) =>
  db.updateTable('staff').set(patch).where('id', '=', id).returningAll().executeTakeFirst();

export const deleteStaff = (db: Db, id: string) =>
  db.deleteFrom('staff').where('id', '=', id).executeTakeFirst();

export const insertSession = (db: Db, row: Insertable<StaffSessionRow>) =>
  db.insertInto('staff_sessions').values(row).execute();

export const findSessionByHash = (db: Db, tokenHash: string) =>
  db
    .selectFrom('staff_sessions')
    .innerJoin('staff', 'staff.id', 'staff_sessions.staff_id')
    .select([
      'staff_sessions.id as session_id',
      'staff_sessions.expires_at',
      'staff_sessions.last_used_at',
      'staff.id',
      'staff.email',
      'staff.name',
      'staff.slug',
      'staff.role',
    ])
    .where('staff_sessions.token_hash', '=', tokenHash)
    .executeTakeFirst();

export const findSessionOwner = (db: Db, id: string) =>
  db
    .selectFrom('staff_sessions')
    .innerJoin('staff', 'staff.id', 'staff_sessions.staff_id')
    .select(['staff_sessions.staff_id', 'staff.role'])
    .where('staff_sessions.id', '=', id)
    .executeTakeFirst();

export const touchSession = (db: Db, id: string, at: string) =>
  db.updateTable('staff_sessions').set({ last_used_at: at }).where('id', '=', id).execute();

export const listSessions = (db: Db, staffId: string) =>
  db
    .selectFrom('staff_sessions')
    .select(['id', 'created_at', 'last_used_at', 'expires_at', 'ip', 'user_agent'])
    .where('staff_id', '=', staffId)
    .orderBy('last_used_at', 'desc')
    .execute();

export const deleteSession = (db: Db, id: string, staffId?: string) => {
  let q = db.deleteFrom('staff_sessions').where('id', '=', id);
  if (staffId) q = q.where('staff_id', '=', staffId);
  return q.executeTakeFirst();
};

export const deleteSessionByHash = (db: Db, tokenHash: string) =>
  db.deleteFrom('staff_sessions').where('token_hash', '=', tokenHash).execute();

export const deleteSessionsOf = (db: Db, staffId: string, exceptId?: string) => {
  let q = db.deleteFrom('staff_sessions').where('staff_id', '=', staffId);
  if (exceptId) q = q.where('id', '!=', exceptId);
  return q.execute();
};

export const deleteExpiredSessions = (db: Db, now: string) =>
  db.deleteFrom('staff_sessions').where('expires_at', '<', now).execute();

export const insertApiToken = (db: Db, row: Insertable<ApiTokenRow>) =>
  db.insertInto('api_tokens').values(row).execute();

export const findApiTokenByHash = (db: Db, tokenHash: string) =>
  db
    .selectFrom('api_tokens')
    .innerJoin('staff', 'staff.id', 'api_tokens.staff_id')
    .select([
      'api_tokens.id as token_id',
      'api_tokens.last_used_at',
      'staff.id',
      'staff.email',
      'staff.name',
      'staff.slug',
      'staff.role',
    ])
    .where('api_tokens.token_hash', '=', tokenHash)
    .where('api_tokens.revoked_at', 'is', null)
    .executeTakeFirst();

export const touchApiToken = (db: Db, id: string, at: string) =>
  db.updateTable('api_tokens').set({ last_used_at: at }).where('id', '=', id).execute();

export const listApiTokens = (db: Db) =>
  db
    .selectFrom('api_tokens')
    .select(['id', 'name', 'staff_id', 'created_at', 'last_used_at', 'revoked_at'])
    .orderBy('created_at', 'desc')
    .execute();

export const revokeApiToken = (db: Db, id: string, at: string) =>
  db
    .updateTable('api_tokens')
    .set({ revoked_at: at })
    .where('id', '=', id)
    .where('revoked_at', 'is', null)
    .executeTakeFirst();
