import type { Db } from '../../platform/db/index.js';

/** Tables added by migration 0003-payments, known only to this module. */
type PaymentTables = {
  payment_settings: { key: string; value: string; updated_at: string };
  pledge_invitations: {
    member_id: string;
    invited_at: string | null;
    converted_at: string | null;
  };
};

const tables = (db: Db) => db.withTables<PaymentTables>();

export async function readPaymentSettings(db: Db): Promise<Map<string, unknown>> {
  const rows = await tables(db).selectFrom('payment_settings').select(['key', 'value']).execute();
  return new Map(rows.map((r) => [r.key, JSON.parse(r.value) as unknown]));
}

/** Writes the given keys; a null value removes the key. */
export async function writePaymentSettings(
  db: Db,
  entries: Record<string, unknown>,
  at: string,
): Promise<void> {
  for (const [key, value] of Object.entries(entries)) {
    if (value === null) {
      await tables(db).deleteFrom('payment_settings').where('key', '=', key).execute();
      continue;
    }
    const row = { key, value: JSON.stringify(value), updated_at: at };
    await tables(db)
      .insertInto('payment_settings')
      .values(row)
      .onConflict((oc) => oc.column('key').doUpdateSet({ value: row.value, updated_at: at }))
      .execute();
  }
}

export const invitedMemberIds = async (db: Db): Promise<Set<string>> =>
  new Set(
    (
      await tables(db)
        .selectFrom('pledge_invitations')
        .select('member_id')
        .where('invited_at', 'is not', null)
        .execute()
    ).map((r) => r.member_id),
  );

export async function recordInvited(db: Db, memberId: string, at: string): Promise<void> {
  await tables(db)
    .insertInto('pledge_invitations')
    .values({ member_id: memberId, invited_at: at, converted_at: null })
    .onConflict((oc) => oc.column('member_id').doUpdateSet({ invited_at: at }))
    .execute();
}

export async function recordConverted(db: Db, memberId: string, at: string): Promise<void> {
  await tables(db)
    .insertInto('pledge_invitations')
    .values({ member_id: memberId, invited_at: null, converted_at: at })
    .onConflict((oc) => oc.column('member_id').doUpdateSet({ converted_at: at }))
    .execute();
}

export async function invitationCounts(db: Db): Promise<{ invited: number; converted: number }> {
  const row = await tables(db)
    .selectFrom('pledge_invitations')
    .select((eb) => [
      eb.fn.count<number>('invited_at').as('invited'),
      eb.fn.count<number>('converted_at').as('converted'),
    ])
    .executeTakeFirstOrThrow();
  return { invited: Number(row.invited), converted: Number(row.converted) };
}
