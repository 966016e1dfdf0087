import { randomBytes } from 'node:crypto';
import type { Db } from './db/index.js';

/** Small internal key-value facts (not user settings): content version, one-time flags. */
export async function readState(db: Db, key: string): Promise<string | undefined> {
  return (
    await db.selectFrom('app_state').select('value').where('key', '=', key).executeTakeFirst()
  )?.value;
}

export async function writeState(db: Db, key: string, value: string): Promise<void> {
  await db
    .insertInto('app_state')
    .values({ key, value })
    .onConflict((oc) => oc.column('key').doUpdateSet({ value }))
    .execute();
}

/** Sets the key only if absent; true when this call set it (a once-only claim across processes). */
export async function claimState(db: Db, key: string, value: string): Promise<boolean> {
  const result = await db
    .insertInto('app_state')
    .values({ key, value })
    .onConflict((oc) => oc.column('key').doNothing())
    .executeTakeFirst();
  return Number(result.numInsertedOrUpdatedRows ?? 0) > 0;
}

/**
 * The publication's signing secret (unsubscribe links, bounce addresses), made once and
 * kept in the database, so every process that shares the database signs and verifies alike
 * and links in old emails keep working across restarts.
 */
export async function appSecret(db: Db): Promise<string> {
  await claimState(db, 'app_secret', randomBytes(32).toString('base64url'));
  const secret = await readState(db, 'app_secret');
  if (!secret) throw new Error('The app secret could not be read back');
  return secret;
}
