import type { Db } from '../../platform/db/index.js';
import type { MemberEventType } from './members.types.js';

/** The member history staff see. `data` must hold no personal data: it outlives deletion. */
export async function recordMemberEvent(
  db: Db,
  memberId: string | null,
  type: MemberEventType,
  data: Record<string, unknown>,
  at: string,
): Promise<void> {
  await db
    .insertInto('member_events')
    .values({ member_id: memberId, type, data: JSON.stringify(data), created_at: at })
    .execute();
}

export async function memberEvents(db: Db, memberId: string, limit = 200) {
  const rows = await db
    .selectFrom('member_events')
    .select(['id', 'type', 'data', 'created_at'])
    .where('member_id', '=', memberId)
    .orderBy('id', 'desc')
    .limit(limit)
    .execute();
  return rows.map((r) => ({ ...r, data: JSON.parse(r.data) as Record<string, unknown> }));
}
