import { describe, expect, it } from 'vitest';
import {
  lastDays,
  membersOverTime,
  type MemberNow,
  type StatusEvent,
} from './members-over-time.js';

const NOW = new Date('2026-03-10T15:00:00Z');
const DAYS = lastDays(NOW, 5); // 03-06 … 03-10

const member = (id: string, created: string, row: Partial<MemberNow> = {}): MemberNow => ({
  id,
  created_at: created,
  status: 'free',
  comp_until: null,
  access_until: null,
  pledged_at: null,
  ...row,
});

const event = (
  member_id: string,
  type: string,
  created_at: string,
  data: Record<string, unknown> = {},
): StatusEvent => ({ member_id, type, created_at, data: JSON.stringify(data) });

/** The counts as compact rows: [free, pledged, paid] per day. */
const run = (members: MemberNow[], events: StatusEvent[] = [], deleted = []) =>
  membersOverTime({ days: DAYS, now: NOW, members, events, deleted }).map((d) => [
    d.free,
    d.pledged,
    d.paid,
  ]);

describe('lastDays', () => {
  it('ends today (UTC) and runs oldest first', () => {
    expect(DAYS).toEqual(['2026-03-06', '2026-03-07', '2026-03-08', '2026-03-09', '2026-03-10']);
    expect(lastDays(new Date('2026-03-01T00:30:00Z'), 2)).toEqual(['2026-02-28', '2026-03-01']);
  });
});

describe('membersOverTime', () => {
  it('counts members from the day they joined, those from before the range on every day', () => {
    expect(run([member('a', '2026-01-01T00:00:00Z'), member('b', '2026-03-08T23:59:59Z')])).toEqual(
      [
        [1, 0, 0],
        [1, 0, 0],
        [2, 0, 0],
        [2, 0, 0],
        [2, 0, 0],
      ],
    );
  });

  it('follows a member from free to pledged to paid', () => {
    const events = [
      event('a', 'pledged', '2026-03-07T09:00:00Z'),
      event('a', 'pledge_converted', '2026-03-09T09:00:00Z'),
      event('a', 'paid', '2026-03-09T09:00:00Z'),
    ];
    expect(run([member('a', '2026-02-01T00:00:00Z', { status: 'paid' })], events)).toEqual([
      [1, 0, 0],
      [0, 1, 0],
      [0, 1, 0],
      [0, 0, 1],
      [0, 0, 1],
    ]);
  });

  it('ends a comp on the day it runs out, though the row still says comped', () => {
    const events = [
      event('a', 'comped', '2026-03-06T12:00:00Z', { until: '2026-03-08T06:00:00Z' }),
    ];
    const row = { status: 'comped', comp_until: '2026-03-08T06:00:00Z' };
    expect(run([member('a', '2026-02-01T00:00:00Z', row)], events)).toEqual([
      [0, 0, 1],
      [0, 0, 1],
      [1, 0, 0],
      [1, 0, 0],
      [1, 0, 0],
    ]);
  });

  it('keeps a cancelled subscription paid to the end of its period', () => {
    const events = [
      event('a', 'paid', '2026-01-05T00:00:00Z'),
      event('a', 'cancelled', '2026-03-06T10:00:00Z', { access_until: '2026-03-09T10:00:00Z' }),
    ];
    const row = { status: 'cancelled', access_until: '2026-03-09T10:00:00Z' };
    expect(run([member('a', '2026-01-01T00:00:00Z', row)], events)).toEqual([
      [0, 0, 1],
      [0, 0, 1],
      [0, 0, 1],
      [1, 0, 0],
      [1, 0, 0],
    ]);
  });

  it('does not count an end of access that has not happened yet', () => {
    const row = { status: 'comped', comp_until: '2026-03-10T20:00:00Z' };
    expect(run([member('a', '2026-03-01T00:00:00Z', row)]).at(-1)).toEqual([0, 0, 1]);
  });

  it('takes the present from the row when changes left no event', () => {
    // Paid from an event, then the card failed for good: the row says free, no event does.
    const events = [event('a', 'paid', '2026-03-07T08:00:00Z')];
    expect(run([member('a', '2026-03-06T08:00:00Z', { status: 'free' })], events)).toEqual([
      [1, 0, 0],
      [1, 0, 0],
      [1, 0, 0],
      [1, 0, 0],
      [1, 0, 0],
    ]);
    // Without events, the row decides from the day they joined (an import, say).
    expect(run([member('b', '2026-03-08T08:00:00Z', { status: 'paid' })])).toEqual([
      [0, 0, 0],
      [0, 0, 0],
      [0, 0, 1],
      [0, 0, 1],
      [0, 0, 1],
    ]);
  });

  it('counts a day by how it ended when a member changed several times in it', () => {
    const events = [
      event('a', 'pledged', '2026-03-07T08:00:00Z'),
      event('a', 'pledge_withdrawn', '2026-03-07T09:00:00Z'),
      event('a', 'pledged', '2026-03-08T09:00:00Z'),
      event('a', 'pledge_withdrawn', '2026-03-08T10:00:00Z'),
      event('a', 'pledged', '2026-03-08T11:00:00Z'),
    ];
    expect(
      run([member('a', '2026-03-06T08:00:00Z', { pledged_at: '2026-03-08T11:00:00Z' })], events),
    ).toEqual([
      [1, 0, 0],
      [1, 0, 0],
      [0, 1, 0],
      [0, 1, 0],
      [0, 1, 0],
    ]);
  });

  it('counts deleted members as free between joining and leaving', () => {
    const deleted = [
      { day: '2026-02-01', joined: 3, left: 0 },
      { day: '2026-03-07', joined: 0, left: 1 },
      { day: '2026-03-08', joined: 1, left: 0 },
      { day: '2026-03-09', joined: 0, left: 2 },
    ];
    expect(
      membersOverTime({ days: DAYS, now: NOW, members: [], events: [], deleted }).map(
        (d) => d.free,
      ),
    ).toEqual([3, 2, 3, 1, 1]);
  });
});
