import type { Db } from '../../../platform/db/index.js';

/** The table added by migration 0010-email-settings, known only to this module. */
type EmailSettingsTables = {
  email_settings: { key: string; value: string; updated_at: string };
};

const tables = (db: Db) => db.withTables<EmailSettingsTables>();

export async function readEmailSettings(db: Db): Promise<Map<string, unknown>> {
  const rows = await tables(db).selectFrom('email_settings').select(['key', 'value']).execute();
  return new Map(rows.map((r) => [r.key, JSON.parse(r.value) as unknown]));
}

/** Writes one key; null removes it. */
export async function writeEmailSetting(
  db: Db,
  key: string,
  value: unknown,
  at: string,
): Promise<void> {
  if (value === null) {
    await tables(db).deleteFrom('email_settings').where('key', '=', key).execute();
    return;
  }
  const row = { key, value: JSON.stringify(value), updated_at: at };
  await tables(db)
    .insertInto('email_settings')
    .values(row)
    .onConflict((oc) => oc.column('key').doUpdateSet({ value: row.value, updated_at: at }))
    .execute();
}
