import { sql } from 'kysely';
import type { Db } from '../../../platform/db/index.js';

/**
 * Reserves `costMs` of a transport's time, starting no earlier than `nowMs`, and returns when
 * the reservation starts. One upsert, atomic on both engines, so concurrent workers each get
 * their own slot: the row holds the end of the last reservation.
 */
export async function reservePace(
  db: Db,
  transport: string,
  nowMs: number,
  costMs: number,
): Promise<number> {
  const row = await db
    .insertInto('email_send_pace')
    .values({ transport, next_at: nowMs + costMs })
    .onConflict((oc) =>
      oc.column('transport').doUpdateSet({
        // CASE rather than max()/greatest(), which differ between the engines.
        next_at: sql<number>`(case when email_send_pace.next_at > ${nowMs} then email_send_pace.next_at else ${nowMs} end) + ${costMs}`,
      }),
    )
    .returning('next_at')
    .executeTakeFirstOrThrow();
  return Number(row.next_at) - costMs;
}
