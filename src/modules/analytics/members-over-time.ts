/**
 * How many members were free, pledged and paid at the end of each day.
 *
 * Reconstructed on demand, not snapshotted: a daily snapshot job would know nothing about
 * the days before it first ran (an import brings years of members at once), and would leave
 * holes whenever no worker ran. Everything needed is already stored: when each member
 * joined, the history events that change what their access rests on (`paid`, `cancelled`
 * with the end of the paid period, `comped` with its end, `comp_removed`, pledges), and, for
 * the present, the member row itself.
 *
 * For each member, the events are replayed from the day they joined; from their last status
 * event on, their row decides instead. The row is the authority on the present, and some
 * changes leave no event (Stripe retrying a card, a subscription running out); those are
 * then dated at the member's last event, the latest moment we know nothing changed before.
 * Ends of comps and of cancelled paid periods are dated exactly, from the event or the row.
 *
 * Deleted members took their identity with them: their events stay, detached. Each left a
 * joining event and a `deleted` event, so they are counted between the two, as free: which
 * category they were in cannot be told any more, and deletion is refused while a
 * subscription runs, so free is what most of them were.
 *
 * Days are UTC. "Paid" means paid access (paying, card being retried, comped, or a cancelled
 * subscription still running to the end of its period), as the paywall sees it; "pledged" is
 * a member without paid access who has an active pledge; "free" is everyone else.
 */

export type MemberCategory = 'free' | 'pledged' | 'paid';

export interface MemberNow {
  id: string;
  created_at: string;
  status: string;
  comp_until: string | null;
  access_until: string | null;
  /** When their active pledge was made; null without one. */
  pledged_at: string | null;
}

export interface StatusEvent {
  member_id: string;
  type: string;
  /** JSON, as stored. */
  data: string;
  created_at: string;
}

export interface DeletedMembersDay {
  day: string;
  joined: number;
  left: number;
}

export interface MembersDay {
  date: string;
  free: number;
  pledged: number;
  paid: number;
}

/** What a member's category rests on at some moment. */
interface AccessState {
  /** Paid access until this instant (ms); Infinity: open-ended; -Infinity: none. */
  paidUntil: number;
  pledged: boolean;
}

const NONE = Number.NEGATIVE_INFINITY;
const OPEN = Number.POSITIVE_INFINITY;
const DAY_MS = 86_400_000;

const until = (iso: unknown, missing: number): number =>
  typeof iso === 'string' && !Number.isNaN(Date.parse(iso)) ? Date.parse(iso) : missing;

const categoryAt = (s: AccessState, at: number): MemberCategory =>
  at < s.paidUntil ? 'paid' : s.pledged ? 'pledged' : 'free';

/** The state a member row describes now. */
export function stateOfRow(m: MemberNow): AccessState {
  const pledged = m.pledged_at !== null;
  switch (m.status) {
    case 'paid':
    case 'past_due':
      return { paidUntil: OPEN, pledged };
    case 'comped':
      return { paidUntil: until(m.comp_until, OPEN), pledged };
    case 'cancelled':
      return { paidUntil: until(m.access_until, NONE), pledged };
    default:
      return { paidUntil: NONE, pledged };
  }
}

/** The state after one history event (see member event types in the members module). */
export function applyEvent(
  s: AccessState,
  type: string,
  data: Record<string, unknown>,
): AccessState {
  switch (type) {
    case 'paid':
      return { paidUntil: OPEN, pledged: false };
    case 'cancelled':
      return { ...s, paidUntil: until(data.access_until, NONE) };
    case 'comped':
      return { ...s, paidUntil: until(data.until, OPEN) };
    case 'comp_removed':
      // A cancelled subscription's end is not in the event; the row has it, and the row
      // decides from the member's last event on.
      return {
        ...s,
        paidUntil: data.status === 'paid' || data.status === 'past_due' ? OPEN : NONE,
      };
    case 'imported':
      return 'comp_until' in data ? { ...s, paidUntil: until(data.comp_until, OPEN) } : s;
    case 'pledged':
      return { ...s, pledged: true };
    case 'pledge_withdrawn':
    case 'pledge_converted':
      return { ...s, pledged: false };
    default:
      return s;
  }
}

const parseData = (json: string): Record<string, unknown> => {
  try {
    const v = JSON.parse(json) as unknown;
    return v !== null && typeof v === 'object' ? (v as Record<string, unknown>) : {};
  } catch {
    return {};
  }
};

/** The UTC days ending today, oldest first. */
export function lastDays(now: Date, count: number): string[] {
  const today = Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate());
  return Array.from({ length: count }, (_, i) =>
    new Date(today - (count - 1 - i) * DAY_MS).toISOString().slice(0, 10),
  );
}

/**
 * Counts per day. Each member contributes only where their category changes (as +1/-1 on
 * that day), and the days are summed at the end: the work grows with members and events,
 * not with members times days.
 */
export function membersOverTime(input: {
  days: readonly string[];
  now: Date;
  members: readonly MemberNow[];
  /** Status events of existing members, oldest first. */
  events: readonly StatusEvent[];
  deleted: readonly DeletedMembersDay[];
}): MembersDay[] {
  const { days } = input;
  if (days.length === 0) return [];
  const first = Date.parse(`${days[0]}T00:00:00Z`);
  const nowMs = input.now.getTime();
  const deltas = days.map(() => ({ free: 0, pledged: 0, paid: 0 }));
  /** The day an instant falls in: before the range counts as its first day. */
  const dayIndex = (at: number) => Math.max(0, Math.floor((at - first) / DAY_MS));

  const eventsOf = new Map<string, StatusEvent[]>();
  for (const e of input.events) {
    const list = eventsOf.get(e.member_id);
    if (list) list.push(e);
    else eventsOf.set(e.member_id, [e]);
  }

  for (const m of input.members) {
    const joined = Date.parse(m.created_at);
    // Segments of constant state; the last one is the row's.
    const segments: { start: number; state: AccessState }[] = [];
    let state: AccessState = { paidUntil: NONE, pledged: false };
    segments.push({ start: joined, state });
    for (const e of eventsOf.get(m.id) ?? []) {
      state = applyEvent(state, e.type, parseData(e.data));
      segments.push({ start: Math.max(joined, Date.parse(e.created_at)), state });
    }
    segments[segments.length - 1]!.state = stateOfRow(m);

    // Moments the category may change: each segment's start, and the end of paid access
    // that falls inside a segment. Nothing after now has happened yet.
    const changes: { at: number; category: MemberCategory }[] = [];
    segments.forEach((seg, i) => {
      const end = segments[i + 1]?.start ?? OPEN;
      changes.push({ at: seg.start, category: categoryAt(seg.state, seg.start) });
      const expiry = seg.state.paidUntil;
      if (expiry > seg.start && expiry < end && expiry !== OPEN)
        changes.push({ at: expiry, category: categoryAt(seg.state, expiry) });
    });

    let previous: MemberCategory | undefined;
    let previousDay = -1;
    for (const change of changes) {
      if (change.at > nowMs) break;
      const day = dayIndex(change.at);
      if (day >= days.length) break;
      // Several changes in one day: the day ends with the last of them.
      if (day === previousDay && previous !== undefined) {
        deltas[day]![previous] -= 1;
        deltas[day]![change.category] += 1;
      } else if (change.category !== previous) {
        if (previous !== undefined) deltas[day]![previous] -= 1;
        deltas[day]![change.category] += 1;
      } else {
        continue;
      }
      previous = change.category;
      previousDay = day;
    }
  }

  for (const d of input.deleted) {
    const at = Date.parse(`${d.day}T00:00:00Z`);
    if (Number.isNaN(at) || at > nowMs) continue;
    const day = dayIndex(at);
    if (day >= days.length) continue;
    deltas[day]!.free += d.joined - d.left;
  }

  const out: MembersDay[] = [];
  const running = { free: 0, pledged: 0, paid: 0 };
  days.forEach((date, i) => {
    const d = deltas[i]!;
    running.free += d.free;
    running.pledged += d.pledged;
    running.paid += d.paid;
    out.push({ date, ...running });
  });
  return out;
}
