import { describe, expect, it } from 'vitest';
import { ANONYMOUS, canRead } from './access.js';
import { viewerOf } from './member-session.js';
import type { Member } from './members.types.js';

const now = new Date('2026-06-01T12:00:00Z');
const member = (patch: Partial<Member>): Member => ({
  id: 'm1',
  email: 'm@example.com',
  name: null,
  status: 'free',
  tier_id: null,
  comp_until: null,
  access_until: null,
  stripe_customer_id: null,
  source: 'signup',
  note: null,
  confirmed_at: null,
  last_seen_at: null,
  created_at: '2026-01-01T00:00:00Z',
  updated_at: '2026-01-01T00:00:00Z',
  ...patch,
});

describe('viewerOf', () => {
  it('makes nobody anonymous', () => {
    expect(viewerOf(undefined)).toBe(ANONYMOUS);
  });

  it('carries exactly what the paywall decides on', () => {
    expect(
      viewerOf(
        member({
          status: 'comped',
          tier_id: 't1',
          comp_until: '2026-07-01T00:00:00Z',
          access_until: null,
        }),
      ),
    ).toEqual({
      kind: 'member',
      status: 'comped',
      tierId: 't1',
      compUntil: '2026-07-01T00:00:00Z',
      accessUntil: null,
    });
  });

  it.each<[string, Member | undefined, boolean, boolean]>([
    ['nobody', undefined, false, false],
    ['a free member', member({}), true, false],
    ['a paying member', member({ status: 'paid' }), true, true],
    [
      'a comp that ran out',
      member({ status: 'comped', comp_until: '2026-05-01T00:00:00Z' }),
      true,
      false,
    ],
    [
      'a cancelled member inside the paid period',
      member({ status: 'cancelled', access_until: '2026-06-02T00:00:00Z' }),
      true,
      true,
    ],
  ])('%s: members posts %s, paid posts %s', (_name, m, members, paid) => {
    expect(canRead(viewerOf(m), 'members', now)).toBe(members);
    expect(canRead(viewerOf(m), 'paid', now)).toBe(paid);
  });
});
