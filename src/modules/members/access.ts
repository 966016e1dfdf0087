import type { MemberStatus } from './members.types.js';

/**
 * Who is reading. The one input to the paywall: every channel that lets post content out
 * (post page, feeds, APIs, search, sitemap, email) turns its reader into a Viewer and asks
 * `canRead`. Nothing else decides.
 */
export type Viewer =
  | { kind: 'anonymous' }
  | {
      kind: 'member';
      status: MemberStatus;
      tierId: string | null;
      /** End of a comp; null = open-ended. Only meaningful when status is comped. */
      compUntil: string | null;
      /** End of the paid period for a cancelled subscription. */
      accessUntil: string | null;
    };

export const ANONYMOUS: Viewer = { kind: 'anonymous' };

export type Visibility = 'public' | 'members' | 'paid';

/** What a viewer's access amounts to; pages are cached once per level. */
export type AccessLevel = 'anonymous' | 'member' | 'paid';

export function accessLevel(viewer: Viewer, now: Date): AccessLevel {
  if (viewer.kind === 'anonymous') return 'anonymous';
  return hasPaidAccess(viewer, now) ? 'paid' : 'member';
}

function hasPaidAccess(viewer: Extract<Viewer, { kind: 'member' }>, now: Date): boolean {
  switch (viewer.status) {
    case 'paid':
      return true;
    // Stripe is still retrying the card: readers keep access while it does.
    case 'past_due':
      return true;
    case 'comped':
      return viewer.compUntil === null || Date.parse(viewer.compUntil) > now.getTime();
    // Cancelled subscriptions run to the end of the period already paid for.
    case 'cancelled':
      return viewer.accessUntil !== null && Date.parse(viewer.accessUntil) > now.getTime();
    case 'free':
      return false;
  }
}

/** May this viewer read the whole of a post with this visibility? */
export function canRead(viewer: Viewer, visibility: Visibility, now: Date): boolean {
  return levelCanRead(accessLevel(viewer, now), visibility);
}

export function levelCanRead(level: AccessLevel, visibility: Visibility): boolean {
  if (visibility === 'public') return true;
  if (visibility === 'members') return level !== 'anonymous';
  return level === 'paid';
}

/**
 * A reader as the paywall and the page cache see them: their level, and for paid readers
 * the tier they pay for (`paid:<tier id>`), since paid posts may be limited to some tiers.
 * Plain `paid` is a paid reader of every tier (a comp without a tier).
 */
export type ReaderLevel = 'anonymous' | 'member' | 'paid' | `paid:${string}`;

export function readerLevel(viewer: Viewer, now: Date): ReaderLevel {
  const level = accessLevel(viewer, now);
  if (level === 'paid' && viewer.kind === 'member' && viewer.tierId) return `paid:${viewer.tierId}`;
  return level;
}

/** May this reader read the whole of a post with this visibility and these tiers (none: all)? */
export function readerCanRead(
  reader: ReaderLevel,
  visibility: Visibility,
  postTiers: readonly string[],
): boolean {
  const paidTier = reader.startsWith('paid:') ? reader.slice('paid:'.length) : null;
  const level: AccessLevel = paidTier === null ? (reader as AccessLevel) : 'paid';
  if (!levelCanRead(level, visibility)) return false;
  if (visibility !== 'paid' || postTiers.length === 0 || paidTier === null) return true;
  return postTiers.includes(paidTier);
}
