import { describe, expect, it } from 'vitest';
import {
  ANONYMOUS,
  accessLevel,
  canRead,
  readerCanRead,
  readerLevel,
  type Viewer,
  type Visibility,
} from './access.js';

const now = new Date('2026-06-01T12:00:00Z');
const member = (
  status: Extract<Viewer, { kind: 'member' }>['status'],
  extra: Partial<Extract<Viewer, { kind: 'member' }>> = {},
): Viewer => ({
  kind: 'member',
  status,
  tierId: null,
  compUntil: null,
  accessUntil: null,
  ...extra,
});

const viewers: [string, Viewer, 'anonymous' | 'member' | 'paid'][] = [
  ['anonymous', ANONYMOUS, 'anonymous'],
  ['free member', member('free'), 'member'],
  ['paid member', member('paid', { tierId: 't1' }), 'paid'],
  ['past due (card being retried)', member('past_due'), 'paid'],
  ['comped, open-ended', member('comped'), 'paid'],
  ['comped until later', member('comped', { compUntil: '2026-07-01T00:00:00Z' }), 'paid'],
  ['comp expired', member('comped', { compUntil: '2026-05-01T00:00:00Z' }), 'member'],
  [
    'cancelled, period still running',
    member('cancelled', { accessUntil: '2026-06-02T00:00:00Z' }),
    'paid',
  ],
  [
    'cancelled after period end',
    member('cancelled', { accessUntil: '2026-05-31T00:00:00Z' }),
    'member',
  ],
  ['cancelled without a period', member('cancelled'), 'member'],
];

describe('accessLevel', () => {
  it.each(viewers)('%s → %s', (_name, viewer, level) => {
    expect(accessLevel(viewer, now)).toBe(level);
  });
});

describe('canRead', () => {
  const expected: Record<'anonymous' | 'member' | 'paid', Record<Visibility, boolean>> = {
    anonymous: { public: true, members: false, paid: false },
    member: { public: true, members: true, paid: false },
    paid: { public: true, members: true, paid: true },
  };
  for (const [name, viewer, level] of viewers) {
    for (const visibility of ['public', 'members', 'paid'] as const) {
      it(`${name} reading a ${visibility} post: ${expected[level][visibility]}`, () => {
        expect(canRead(viewer, visibility, now)).toBe(expected[level][visibility]);
      });
    }
  }
});

describe('readerLevel and readerCanRead: paid posts limited to tiers', () => {
  it('names the tier a paid reader pays for', () => {
    expect(readerLevel(member('paid', { tierId: 'gold' }), now)).toBe('paid:gold');
    expect(readerLevel(member('comped'), now)).toBe('paid');
    expect(readerLevel(member('free', { tierId: 'gold' }), now)).toBe('member');
    expect(readerLevel(ANONYMOUS, now)).toBe('anonymous');
  });

  it.each([
    ['paid:gold', 'paid', ['gold', 'silver'], true],
    ['paid:bronze', 'paid', ['gold', 'silver'], false],
    ['paid:bronze', 'paid', [], true],
    ['paid', 'paid', ['gold'], true],
    ['paid:bronze', 'members', ['gold'], true],
    ['member', 'paid', [], false],
    ['member', 'paid', ['gold'], false],
    ['anonymous', 'public', ['gold'], true],
    ['anonymous', 'members', [], false],
  ] as const)('%s reading a %s post for tiers %j: %s', (reader, visibility, tiers, expected) => {
    expect(readerCanRead(reader, visibility, tiers)).toBe(expected);
  });
});
