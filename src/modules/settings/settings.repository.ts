import type { Db } from '../../platform/db/index.js';

export const readAllSettings = (db: Db) =>
  db.selectFrom('settings').select(['key', 'value']).execute();

export async function writeSettings(db: Db, entries: Record<string, unknown>): Promise<void> {
  const rows = Object.entries(entries).map(([key, value]) => ({
    key,
    value: JSON.stringify(value),
  }));
  if (rows.length === 0) return;
  await db
    .insertInto('settings')
    .values(rows)
    .onConflict((oc) => oc.column('key').doUpdateSet((eb) => ({ value: eb.ref('excluded.value') })))
    .execute();
}
