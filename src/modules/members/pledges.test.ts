import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { engines } from '../../../test/support/database.js';
import { expectError, json } from '../../../test/support/fixtures.js';
import { signedUpMember, createMembersTestApp, type MembersTestApp } from './members.test-app.js';
import {
  formatMoney,
  summarizePledges,
  toMinorUnits,
  type PledgeSummary,
  type PledgeWithMember,
} from './pledges.service.js';

describe('summarizePledges', () => {
  const row = (currency: string, interval: string, total: number, count = 1) => ({
    currency,
    interval,
    total,
    count,
  });
  it.each<[string, Parameters<typeof summarizePledges>[0], PledgeSummary]>([
    ['nothing pledged', [], { count: 0, monthly_total_by_currency: {} }],
    [
      'monthly pledges add up as they are',
      [row('USD', 'month', 1500, 3)],
      { count: 3, monthly_total_by_currency: { USD: 1500 } },
    ],
    [
      'yearly pledges count a twelfth',
      [row('USD', 'month', 500), row('USD', 'year', 12000)],
      { count: 2, monthly_total_by_currency: { USD: 1500 } },
    ],
    [
      'currencies are kept apart',
      [row('USD', 'month', 500), row('EUR', 'month', 1000), row('EUR', 'year', 10000)],
      { count: 3, monthly_total_by_currency: { EUR: 1833, USD: 500 } },
    ],
    [
      'rounding happens once, after adding (3 × 100/12 = 25, not 3 × 8)',
      [row('USD', 'year', 300, 3)],
      { count: 3, monthly_total_by_currency: { USD: 25 } },
    ],
  ])('%s', (_name, totals, expected) => {
    expect(summarizePledges(totals)).toEqual(expected);
  });
});

describe('money', () => {
  it.each([
    [5, 'USD', 500],
    [5, 'eur', 500],
    [500, 'JPY', 500],
  ])('%s %s is %s minor units', (major, currency, minor) => {
    expect(toMinorUnits(major, currency)).toBe(minor);
  });

  it('formats minor units in the currency', () => {
    expect(formatMoney(500, 'USD')).toBe('$5.00');
    expect(formatMoney(500, 'JPY')).toBe('¥500');
    expect(formatMoney(833, 'XYZ')).toMatch(/8\.33/);
  });
});

describe.each(engines)('pledges on %s', (dialect) => {
  let t: MembersTestApp;
  beforeAll(async () => {
    t = await createMembersTestApp(dialect);
  });
  afterAll(async () => {
    await t.close();
  });

  it('sums active pledges per month and currency; staff see them by address (admins only)', async () => {
    const pledges = t.members.pledges;
    const a = await signedUpMember(t);
    const b = await signedUpMember(t);
    const c = await signedUpMember(t);
    const d = await signedUpMember(t);
    const gone = await signedUpMember(t);
    await pledges.pledge(a.id, { amount: 5, interval: 'month' });
    await pledges.pledge(b.id, { amount: 120, interval: 'year' });
    await t.settings.update({ currency: 'EUR' });
    await pledges.pledge(c.id, { amount: 10, interval: 'month' });
    await pledges.pledge(d.id, { amount: 100, interval: 'year' });
    await pledges.pledge(gone.id, { amount: 50, interval: 'month' });
    await pledges.withdraw(gone.id);
    await t.settings.update({ currency: 'USD' });

    expect(await pledges.pledgeSummary()).toEqual({
      count: 4,
      monthly_total_by_currency: { EUR: 1833, USD: 1500 },
    });

    await expectError(await t.client().get('/api/admin/pledges'), 401);
    const editor = await t.staffClient('editor');
    await expectError(await editor.get('/api/admin/pledges'), 403);
    const admin = await t.staffClient('admin');
    const body = await json<{ pledges: PledgeWithMember[]; summary: PledgeSummary }>(
      await admin.get('/api/admin/pledges'),
    );
    expect(body.summary).toEqual(await pledges.pledgeSummary());
    expect(body.pledges.map((p) => p.email).sort()).toEqual(
      [a.email, b.email, c.email, d.email].sort(),
    );
    expect(body.pledges.find((p) => p.email === d.email)).toMatchObject({
      amount: 10000,
      currency: 'EUR',
      interval: 'year',
      status: 'active',
    });
    const withdrawn = await json<{ pledges: PledgeWithMember[] }>(
      await admin.get('/api/admin/pledges?status=withdrawn'),
    );
    expect(withdrawn.pledges.map((p) => p.email)).toEqual([gone.email]);
    await expectError(await admin.get('/api/admin/pledges?status=bogus'), 400, { field: 'status' });

    // What the payments module calls when paid subscriptions open.
    expect((await pledges.activePledges()).map((p) => p.member_id).sort()).toEqual(
      [a.id, b.id, c.id, d.id].sort(),
    );
    expect(await pledges.markInvited(a.id)).toBe(true);
    expect(await pledges.markConverted(a.id)).toBe(true);
    expect(await pledges.markConverted(a.id)).toBe(false);
    expect(await pledges.markConverted(gone.id)).toBe(false);
    expect((await pledges.activePledges()).map((p) => p.member_id)).not.toContain(a.id);
    expect(await pledges.pledgeSummary()).toEqual({
      count: 3,
      monthly_total_by_currency: { EUR: 1833, USD: 1000 },
    });
    const events = await t.db
      .selectFrom('member_events')
      .select('type')
      .where('member_id', '=', a.id)
      .where('type', 'like', 'pledge%')
      .orderBy('id')
      .execute();
    expect(events.map((e) => e.type)).toEqual(['pledged', 'pledge_invited', 'pledge_converted']);
    const converted = await t.db
      .selectFrom('pledges')
      .selectAll()
      .where('member_id', '=', a.id)
      .executeTakeFirstOrThrow();
    expect(converted).toMatchObject({ status: 'converted' });
    expect(converted.invited_at).not.toBeNull();
    expect(converted.converted_at).not.toBeNull();
  });

  it('keeps one active pledge per member when two requests race', async () => {
    const { id } = await signedUpMember(t);
    await Promise.all([
      t.members.pledges.pledge(id, { amount: 3, interval: 'month' }),
      t.members.pledges.pledge(id, { amount: 4, interval: 'month' }),
      t.members.pledges.pledge(id, { amount: 5, interval: 'year' }),
    ]);
    const rows = await t.db
      .selectFrom('pledges')
      .select('status')
      .where('member_id', '=', id)
      .execute();
    expect(rows).toEqual([{ status: 'active' }]);
  });

  it('records nothing when a pledge is "changed" to what it already is', async () => {
    const { id } = await signedUpMember(t);
    const first = await t.members.pledges.pledge(id, { amount: 8, interval: 'month' });
    const same = await t.members.pledges.pledge(id, { amount: 8, interval: 'month' });
    expect(first.created).toBe(true);
    expect(same).toEqual({ pledge: first.pledge, created: false });
    const pledged = await t.db
      .selectFrom('member_events')
      .select('type')
      .where('member_id', '=', id)
      .where('type', '=', 'pledged')
      .execute();
    expect(pledged).toHaveLength(1);
  });
});
