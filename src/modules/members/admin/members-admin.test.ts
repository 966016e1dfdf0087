import { parse } from 'csv-parse/sync';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { engines } from '../../../../test/support/database.js';
import { expectError, json } from '../../../../test/support/fixtures.js';
import { recordMemberEvent } from '../member-events.repository.js';
import type { MemberDetail, MemberHistory, MemberStats, MemberSummary } from './index.js';
import { statusWithoutComp } from './index.js';
import { createMembersAdminTestApp, type MembersAdminTestApp } from './members-admin.test-app.js';

interface ListBody {
  members: MemberSummary[];
  meta: { page: number; limit: number; pages: number; total: number };
}

describe('statusWithoutComp', () => {
  const now = new Date('2026-03-02T10:00:00Z');
  it.each([
    { subs: [], accessUntil: null, expected: 'free' },
    { subs: ['active'], accessUntil: null, expected: 'paid' },
    { subs: ['canceled', 'trialing'], accessUntil: null, expected: 'paid' },
    { subs: ['past_due'], accessUntil: null, expected: 'past_due' },
    { subs: ['canceled'], accessUntil: '2026-03-20T00:00:00Z', expected: 'cancelled' },
    { subs: ['canceled'], accessUntil: '2026-02-01T00:00:00Z', expected: 'free' },
  ])('$subs, access until $accessUntil → $expected', ({ subs, accessUntil, expected }) => {
    expect(statusWithoutComp(subs, accessUntil, now)).toBe(expected);
  });
});

describe.each(engines)('staff member tools on %s', (dialect) => {
  let t: MembersAdminTestApp;
  const ids: Record<string, string> = {};
  let gold = '';

  const list = async (query = '') => {
    const res = await t.request('owner', 'GET', `/${query}`);
    const body = await json<ListBody>(res);
    expect(res.status, JSON.stringify(body)).toBe(200);
    return body;
  };
  const emails = async (query: string) => (await list(query)).members.map((m) => m.email);
  const detail = async (id: string) => {
    const res = await t.request('owner', 'GET', `/${id}`);
    expect(res.status).toBe(200);
    return json<MemberDetail>(res);
  };
  const exportRows = async (query = '') => {
    const res = await t.request('owner', 'GET', `/export.csv${query}`);
    expect(res.status).toBe(200);
    const text = await res.text();
    return { res, text, rows: parse(text) as string[][] };
  };

  beforeAll(async () => {
    t = await createMembersAdminTestApp(dialect);
    const f = t.factories;
    const weekly = await f.newsletter('weekly', true);
    const daily = await f.newsletter('daily', false);
    gold = await f.tier('gold');
    ids.ann = await f.member({
      email: 'ann@example.com',
      name: 'Ann Archer',
      createdAt: '2026-01-05T09:00:00.000Z',
      newsletterIds: [weekly],
    });
    ids.bob = await f.member({
      email: 'bob@example.com',
      name: 'Bob Brown',
      status: 'paid',
      tierId: gold,
      createdAt: '2026-02-10T09:00:00.000Z',
      newsletterIds: [weekly, daily],
    });
    await f.subscription(ids.bob, 'active', gold);
    ids.cat = await f.member({
      email: 'cat@example.org',
      name: 'Cat Cole',
      status: 'comped',
      createdAt: '2026-02-20T09:00:00.000Z',
    });
    await f.pledge(ids.cat, 'active', 900);
    ids.dan = await f.member({
      email: 'dan@example.org',
      name: 'Dan Dunn',
      status: 'past_due',
      createdAt: '2025-12-01T09:00:00.000Z',
    });
    ids.eve = await f.member({
      email: 'eve@example.net',
      name: 'Eve Evans',
      status: 'cancelled',
      createdAt: '2026-03-01T09:00:00.000Z',
      accessUntil: '2026-03-31T00:00:00.000Z',
    });
    await f.pledge(ids.eve, 'withdrawn');
    // Names and addresses holding LIKE's wildcards and its escape character.
    ids.pct = await f.member({
      email: 'under_score@example.com',
      name: '100% Real',
      createdAt: '2025-11-01T09:00:00.000Z',
    });
    ids.slash = await f.member({
      email: 'plain@example.com',
      name: 'Back\\slash',
      createdAt: '2025-10-01T09:00:00.000Z',
    });
  });
  afterAll(() => t?.close());

  describe('list', () => {
    it('lists newest first with pagination meta', async () => {
      const body = await list('?limit=3');
      expect(body.members.map((m) => m.email)).toEqual([
        'eve@example.net',
        'cat@example.org',
        'bob@example.com',
      ]);
      expect(body.meta).toEqual({ page: 1, limit: 3, pages: 3, total: 7 });
      expect(await emails('?limit=3&page=3')).toEqual(['plain@example.com']);
      const bob = body.members[2]!;
      expect(bob.tier).toEqual({ id: gold, slug: 'gold', name: 'gold' });
      expect(bob.newsletters.sort()).toEqual(['daily', 'weekly']);
      expect(body.members[1]!.pledge).toMatchObject({ amount: 900, currency: 'USD' });
      expect(body.members[0]!.pledge).toBeNull();
    });

    it('rejects a limit above 200 and a malformed filter, naming the field', async () => {
      await expectError(await t.request('owner', 'GET', '/?limit=201'), 400, { field: 'limit' });
      await expectError(await t.request('owner', 'GET', '/?status=gold'), 400, {
        field: 'status',
      });
      await expectError(await t.request('owner', 'GET', '/?signed_up_after=yesterday'), 400, {
        field: 'signed_up_after',
      });
      await expectError(await t.request('owner', 'GET', '/?pledged=maybe'), 400, {
        field: 'pledged',
      });
    });

    it('filters by status', async () => {
      expect(await emails('?status=paid')).toEqual(['bob@example.com']);
      expect(await emails('?status=comped')).toEqual(['cat@example.org']);
      expect(await emails('?status=past_due')).toEqual(['dan@example.org']);
      expect(await emails('?status=cancelled')).toEqual(['eve@example.net']);
      expect(await emails('?status=free')).toEqual([
        'ann@example.com',
        'under_score@example.com',
        'plain@example.com',
      ]);
    });

    it('filters by tier and by newsletter', async () => {
      expect(await emails(`?tier=${gold}`)).toEqual(['bob@example.com']);
      expect(await emails('?newsletter=weekly')).toEqual(['bob@example.com', 'ann@example.com']);
      expect(await emails('?newsletter=daily')).toEqual(['bob@example.com']);
      expect(await emails('?newsletter=nonexistent')).toEqual([]);
    });

    it('filters by signup date: after is inclusive, before exclusive', async () => {
      expect(await emails('?signed_up_after=2026-02-10T09:00:00Z')).toEqual([
        'eve@example.net',
        'cat@example.org',
        'bob@example.com',
      ]);
      expect(await emails('?signed_up_before=2026-01-01')).toEqual([
        'dan@example.org',
        'under_score@example.com',
        'plain@example.com',
      ]);
      expect(
        await emails('?signed_up_after=2026-01-01&signed_up_before=2026-02-15&status=paid'),
      ).toEqual(['bob@example.com']);
    });

    it('filters by active pledge', async () => {
      expect(await emails('?pledged=true')).toEqual(['cat@example.org']);
      const without = await emails('?pledged=false');
      expect(without).toHaveLength(6);
      expect(without).not.toContain('cat@example.org');
      // A withdrawn pledge is no pledge.
      expect(without).toContain('eve@example.net');
    });

    it('searches email and name, ignoring case', async () => {
      expect(await emails('?search=ANN')).toEqual(['ann@example.com']);
      expect(await emails('?search=brown')).toEqual(['bob@example.com']);
      expect(await emails('?search=EXAMPLE.ORG')).toEqual(['cat@example.org', 'dan@example.org']);
    });

    it('treats LIKE wildcards and backslashes in a search as plain text', async () => {
      expect(await emails(`?search=${encodeURIComponent('%')}`)).toEqual([
        'under_score@example.com',
      ]);
      expect(await emails('?search=_')).toEqual(['under_score@example.com']);
      expect(await emails(`?search=${encodeURIComponent('0% r')}`)).toEqual([
        'under_score@example.com',
      ]);
      expect(await emails(`?search=${encodeURIComponent('k\\s')}`)).toEqual(['plain@example.com']);
      expect(await emails('?search=e_a')).toEqual([]);
    });
  });

  it('counts members by status, in total and with active pledges', async () => {
    const res = await t.request('editor', 'GET', '/stats');
    expect(res.status).toBe(200);
    expect(await json<MemberStats>(res)).toEqual({
      total: 7,
      by_status: { free: 3, paid: 1, comped: 1, past_due: 1, cancelled: 1 },
      pledged: 1,
    });
  });

  it('shows one member with newsletters, pledge, subscriptions and history newest first', async () => {
    await t.request('owner', 'PATCH', `/${ids.cat}`, { json: { note: 'Sent a long letter' } });
    const body = await detail(ids.cat!);
    expect(body.member).toMatchObject({
      id: ids.cat,
      email: 'cat@example.org',
      status: 'comped',
      note: 'Sent a long letter',
      stripe_customer_id: null,
    });
    expect(body.pledge).toMatchObject({ amount: 900, currency: 'USD', interval: 'month' });
    expect(body.events.map((e) => e.type)).toEqual(['edited', 'signed_up']);

    const bob = await detail(ids.bob!);
    expect(bob.newsletters.map((n) => n.slug).sort()).toEqual(['daily', 'weekly']);
    expect(bob.subscriptions).toHaveLength(1);
    expect(bob.subscriptions[0]).toMatchObject({ status: 'active', tier_id: gold });

    await expectError(await t.request('owner', 'GET', '/no-such-member'), 404);
  });

  describe('history', () => {
    const history = async (id: string, query = '') => {
      const res = await t.request('editor', 'GET', `/${id}/events${query}`);
      const body = await json<MemberHistory>(res);
      expect(res.status, JSON.stringify(body)).toBe(200);
      return body;
    };

    it('pages through the whole history newest first, beyond what the detail holds', async () => {
      const id = await t.factories.member({ email: 'regular@example.com' });
      const other = await t.factories.member({ email: 'neighbour@example.com' });
      // More than the detail's 200, interleaved with another member's events.
      for (let i = 0; i < 205; i++) {
        await recordMemberEvent(t.db, id, 'signed_in', { n: i }, '2026-03-02T10:00:00.000Z');
        if (i % 50 === 0)
          await recordMemberEvent(t.db, other, 'signed_in', {}, '2026-03-02T10:00:00.000Z');
      }
      expect((await detail(id)).events).toHaveLength(200);

      const seen: MemberHistory['events'] = [];
      let query = '?limit=60';
      for (let pages = 0; pages < 10; pages++) {
        const body = await history(id, query);
        expect(body.meta.limit).toBe(60);
        seen.push(...body.events);
        if (body.meta.next_before === null) break;
        expect(body.meta.next_before).toBe(body.events.at(-1)!.id);
        query = `?limit=60&before=${body.meta.next_before}`;
      }
      // signed_up plus the 205 sign-ins, each once, in order, none of the neighbour's.
      expect(seen).toHaveLength(206);
      expect(new Set(seen.map((e) => e.id)).size).toBe(206);
      expect(seen.map((e) => e.id)).toEqual([...seen.map((e) => e.id)].sort((a, b) => b - a));
      expect(seen[0]).toMatchObject({ type: 'signed_in', data: { n: 204 } });
      expect(seen.at(-1)).toMatchObject({ type: 'signed_up', data: { source: 'signup' } });
      expect(seen.filter((e) => e.type === 'signed_in').map((e) => e.data.n)).toEqual(
        Array.from({ length: 205 }, (_, i) => 204 - i),
      );
    });

    it('answers an exact last page with no next page, and records staff actions in it', async () => {
      const id = await t.factories.member({ email: 'short@example.com' });
      await t.request('admin', 'POST', `/${id}/comp`, { json: { until: null } });
      const all = await history(id);
      expect(all.events.map((e) => e.type)).toEqual(['comped', 'signed_up']);
      expect(all.meta).toEqual({ limit: 50, next_before: null });
      const first = await history(id, '?limit=1');
      expect(first.events.map((e) => e.type)).toEqual(['comped']);
      expect(first.meta.next_before).toBe(first.events[0]!.id);
      const second = await history(id, `?limit=1&before=${first.meta.next_before}`);
      expect(second.events.map((e) => e.type)).toEqual(['signed_up']);
      expect(second.meta.next_before).toBeNull();
    });

    it('refuses unknown members, bad paging and readers below editor', async () => {
      await expectError(await t.request('editor', 'GET', '/no-such-member/events'), 404);
      await expectError(await t.request('editor', 'GET', `/${ids.ann}/events?limit=0`), 400, {
        field: 'limit',
      });
      await expectError(await t.request('editor', 'GET', `/${ids.ann}/events?limit=201`), 400, {
        field: 'limit',
      });
      await expectError(await t.request('editor', 'GET', `/${ids.ann}/events?before=x`), 400, {
        field: 'before',
      });
      await expectError(await t.request('author', 'GET', `/${ids.ann}/events`), 403);
      await expectError(await t.request(null, 'GET', `/${ids.ann}/events`), 401);
    });
  });

  describe('create', () => {
    it('adds a member with source admin, the signup newsletters and a signed_up event', async () => {
      const res = await t.request('admin', 'POST', '/', {
        json: { email: '  New.Reader@Example.com ', name: 'New Reader' },
      });
      const body = await json<MemberDetail>(res);
      expect(res.status, JSON.stringify(body)).toBe(201);
      expect(body.member).toMatchObject({
        email: 'new.reader@example.com',
        name: 'New Reader',
        status: 'free',
        source: 'admin',
      });
      expect(body.newsletters.map((n) => n.slug)).toEqual(['weekly']);
      expect(body.events).toHaveLength(1);
      expect(body.events[0]).toMatchObject({ type: 'signed_up', data: { source: 'admin' } });
      await expectError(
        await t.request('admin', 'POST', '/', { json: { email: 'new.reader@example.com' } }),
        409,
        { field: 'email' },
      );
      await t.request('owner', 'DELETE', `/${body.member.id}`);
    });

    it('can subscribe to chosen newsletters and comp at once', async () => {
      const res = await t.request('owner', 'POST', '/', {
        json: {
          email: 'gift@example.com',
          newsletters: ['daily'],
          comp: { until: '2026-12-31T00:00:00Z' },
        },
      });
      const body = await json<MemberDetail>(res);
      expect(res.status, JSON.stringify(body)).toBe(201);
      expect(body.member).toMatchObject({
        status: 'comped',
        comp_until: '2026-12-31T00:00:00.000Z',
        name: null,
      });
      expect(body.newsletters.map((n) => n.slug)).toEqual(['daily']);
      expect(body.events.map((e) => e.type).sort()).toEqual(['comped', 'signed_up']);
      await t.request('owner', 'DELETE', `/${body.member.id}`);
    });

    it('refuses bad input with the field named', async () => {
      await expectError(
        await t.request('owner', 'POST', '/', { json: { email: 'not an address' } }),
        400,
        { field: 'email' },
      );
      await expectError(
        await t.request('owner', 'POST', '/', {
          json: { email: 'x@example.com', newsletters: ['nope'] },
        }),
        400,
        { field: 'newsletters', message: /nope/ },
      );
      await expectError(
        await t.request('owner', 'POST', '/', {
          json: { email: 'x@example.com', comp: { until: '2020-01-01T00:00:00Z' } },
        }),
        400,
        { field: 'comp.until' },
      );
      await expectError(
        await t.request('owner', 'POST', '/', { json: { email: 'x@example.com', role: 'x' } }),
        400,
        { field: 'role' },
      );
    });
  });

  describe('edit', () => {
    it('changes name, note and newsletters and records which fields changed', async () => {
      const id = await t.factories.member({ email: 'edit@example.com', name: 'Old Name' });
      const res = await t.request('admin', 'PATCH', `/${id}`, {
        json: { name: 'New Name', note: 'VIP', newsletters: ['daily'] },
      });
      const body = await json<MemberDetail>(res);
      expect(res.status, JSON.stringify(body)).toBe(200);
      expect(body.member).toMatchObject({ name: 'New Name', note: 'VIP' });
      expect(body.newsletters.map((n) => n.slug)).toEqual(['daily']);
      const edited = body.events[0]!;
      expect(edited.type).toBe('edited');
      expect(edited.data).toMatchObject({
        fields: ['name', 'note', 'newsletters'],
        subscribed: ['daily'],
        unsubscribed: [],
      });
      // The history outlives the member: it names what changed, never the values.
      expect(JSON.stringify(edited.data)).not.toMatch(/New Name|VIP/);

      const cleared = await json<MemberDetail>(
        await t.request('admin', 'PATCH', `/${id}`, { json: { name: '', newsletters: [] } }),
      );
      expect(cleared.member.name).toBeNull();
      expect(cleared.newsletters).toEqual([]);
      expect(cleared.events[0]!.data).toMatchObject({ unsubscribed: ['daily'] });

      // Nothing changed: nothing recorded.
      const again = await json<MemberDetail>(
        await t.request('admin', 'PATCH', `/${id}`, { json: { name: null } }),
      );
      expect(again.events).toHaveLength(cleared.events.length);
    });

    it('keeps an archived newsletter a member has, and subscribes no one new to it', async () => {
      const archived = await t.factories.newsletter('bygone', false, 'archived');
      const id = await t.factories.member({
        email: 'loyal@example.com',
        newsletterIds: [archived],
      });
      const kept = await json<MemberDetail>(
        await t.request('admin', 'PATCH', `/${id}`, {
          json: { newsletters: ['bygone', 'weekly'] },
        }),
      );
      expect(kept.newsletters.map((n) => n.slug).sort()).toEqual(['bygone', 'weekly']);
      await expectError(
        await t.request('admin', 'PATCH', `/${ids.ann}`, { json: { newsletters: ['bygone'] } }),
        400,
        { field: 'newsletters', message: /archived/ },
      );
      await expectError(
        await t.request('admin', 'POST', '/', {
          json: { email: 'late@example.com', newsletters: ['bygone'] },
        }),
        400,
        { field: 'newsletters', message: /archived/ },
      );
      await expectError(
        await t.request('admin', 'POST', '/import?newsletters=bygone', {
          body: 'email\nlate@example.com\n',
          headers: { 'content-type': 'text/csv' },
        }),
        400,
        { field: 'newsletters', message: /archived/ },
      );
    });

    it('refuses unknown newsletters, unknown fields and unknown members', async () => {
      await expectError(
        await t.request('admin', 'PATCH', `/${ids.ann}`, { json: { newsletters: ['zzz'] } }),
        400,
        { field: 'newsletters' },
      );
      await expectError(
        await t.request('admin', 'PATCH', `/${ids.ann}`, { json: { email: 'a@b.co' } }),
        400,
        { field: 'email' },
      );
      await expectError(
        await t.request('admin', 'PATCH', '/missing', { json: { name: 'x' } }),
        404,
      );
    });
  });

  describe('comp', () => {
    it('comps until a date, then removes the comp back to free', async () => {
      const id = await t.factories.member({ email: 'comp1@example.com' });
      const res = await t.request('admin', 'POST', `/${id}/comp`, {
        json: { until: '2026-06-01T12:00:00+02:00' },
      });
      const body = await json<MemberDetail>(res);
      expect(res.status, JSON.stringify(body)).toBe(200);
      expect(body.member).toMatchObject({
        status: 'comped',
        comp_until: '2026-06-01T10:00:00.000Z',
      });
      expect(body.events[0]).toMatchObject({
        type: 'comped',
        data: { until: '2026-06-01T10:00:00.000Z', previous_status: 'free' },
      });

      const removed = await json<MemberDetail>(await t.request('admin', 'DELETE', `/${id}/comp`));
      expect(removed.member).toMatchObject({ status: 'free', comp_until: null });
      expect(removed.events[0]).toMatchObject({ type: 'comp_removed', data: { status: 'free' } });
      await expectError(await t.request('admin', 'DELETE', `/${id}/comp`), 409);
    });

    it('comps open-ended, and back to paid when a subscription is active', async () => {
      const id = await t.factories.member({ email: 'comp2@example.com', status: 'paid' });
      await t.factories.subscription(id, 'active');
      const body = await json<MemberDetail>(
        await t.request('admin', 'POST', `/${id}/comp`, { json: { until: null } }),
      );
      expect(body.member).toMatchObject({ status: 'comped', comp_until: null });
      const removed = await json<MemberDetail>(await t.request('admin', 'DELETE', `/${id}/comp`));
      expect(removed.member.status).toBe('paid');
    });

    it('refuses an end in the past', async () => {
      await expectError(
        await t.request('admin', 'POST', `/${ids.ann}/comp`, {
          json: { until: '2026-03-01T00:00:00Z' },
        }),
        400,
        { field: 'until' },
      );
      await expectError(
        await t.request('admin', 'POST', `/${ids.ann}/comp`, { json: { until: 'soon' } }),
        400,
        { field: 'until' },
      );
    });
  });

  describe('delete', () => {
    it('erases the member, keeps their history anonymised and the counts', async () => {
      const id = await t.factories.member({
        email: 'gone@example.com',
        name: 'Gone Soon',
      });
      await t.request('admin', 'PATCH', `/${id}`, { json: { note: 'x' } });
      await t.factories.pledge(id);
      const eventsBefore = await t.db
        .selectFrom('member_events')
        .select(['id', 'type', 'member_id'])
        .execute();
      const ownEvents = eventsBefore.filter((e) => e.member_id === id);
      expect(ownEvents.map((e) => e.type).sort()).toEqual(['edited', 'signed_up']);
      const statsBefore = await json<MemberStats>(await t.request('owner', 'GET', '/stats'));

      const res = await t.request('admin', 'DELETE', `/${id}`);
      expect(res.status).toBe(204);

      await expectError(await t.request('admin', 'GET', `/${id}`), 404);
      expect(await emails('?search=gone')).toEqual([]);
      const eventsAfter = await t.db
        .selectFrom('member_events')
        .select(['id', 'type', 'member_id', 'data'])
        .execute();
      expect(eventsAfter).toHaveLength(eventsBefore.length + 1);
      for (const e of ownEvents) {
        expect(eventsAfter.find((a) => a.id === e.id)).toMatchObject({
          type: e.type,
          member_id: null,
        });
      }
      // The one new event; earlier tests deleted members too, and rows come in no set order.
      const deleted = eventsAfter.find((e) => !eventsBefore.some((b) => b.id === e.id));
      expect(deleted).toMatchObject({ type: 'deleted', member_id: null });
      expect(JSON.parse(deleted!.data)).toMatchObject({ by: 'staff', status: 'free' });
      expect(JSON.stringify(eventsAfter)).not.toMatch(/gone@example|Gone Soon/);
      expect(
        await t.db.selectFrom('pledges').select('id').where('member_id', '=', id).execute(),
      ).toEqual([]);
      const statsAfter = await json<MemberStats>(await t.request('owner', 'GET', '/stats'));
      expect(statsAfter.total).toBe(statsBefore.total - 1);
      expect(statsAfter.pledged).toBe(statsBefore.pledged - 1);

      await expectError(await t.request('admin', 'DELETE', `/${id}`), 404);
    });

    it('refuses while a subscription is running', async () => {
      await expectError(await t.request('admin', 'DELETE', `/${ids.bob}`), 409, {
        message: /subscription/,
      });
      expect((await detail(ids.bob!)).member.email).toBe('bob@example.com');
    });
  });

  describe('export', () => {
    it('streams every member as CSV with the documented columns', async () => {
      const { res, rows } = await exportRows();
      expect(res.headers.get('content-type')).toBe('text/csv; charset=utf-8');
      expect(res.headers.get('content-disposition')).toMatch(
        /^attachment; filename="members-\d{4}-\d{2}-\d{2}\.csv"$/,
      );
      expect(rows[0]).toEqual([
        'id',
        'email',
        'name',
        'status',
        'tier',
        'newsletters',
        'pledge_amount',
        'pledge_currency',
        'pledge_interval',
        'comp_until',
        'created_at',
      ]);
      const total = (await json<MemberStats>(await t.request('owner', 'GET', '/stats'))).total;
      expect(rows).toHaveLength(total + 1);
      const bob = rows.find((r) => r[1] === 'bob@example.com')!;
      expect(bob).toEqual([
        ids.bob,
        'bob@example.com',
        'Bob Brown',
        'paid',
        'gold',
        expect.stringMatching(/^(daily,weekly|weekly,daily)$/),
        '',
        '',
        '',
        '',
        '2026-02-10T09:00:00.000Z',
      ]);
      const cat = rows.find((r) => r[1] === 'cat@example.org')!;
      expect(cat.slice(6, 9)).toEqual(['900', 'USD', 'month']);
    });

    it('quotes commas, quotes and line breaks, and defuses formulas', async () => {
      const names = {
        'quote@example.com': 'Smith, "Jo"\nSecond line',
        'formula@example.com': '=HYPERLINK("http://evil.example","x")',
        'plus@example.com': '+cmd|calc',
        'at@example.com': '@SUM(A1)',
        'minus@example.com': '-2+3',
      };
      for (const [email, name] of Object.entries(names))
        await t.factories.member({ email, name, createdAt: '2024-01-01T00:00:00.000Z' });
      const { text, rows } = await exportRows('?signed_up_before=2024-01-02');
      expect(text).toContain('"Smith, ""Jo""\nSecond line"');
      const byEmail = new Map(rows.map((r) => [r[1], r[2]]));
      expect(byEmail.get('quote@example.com')).toBe('Smith, "Jo"\nSecond line');
      expect(byEmail.get('formula@example.com')).toBe(`'=HYPERLINK("http://evil.example","x")`);
      expect(byEmail.get('plus@example.com')).toBe(`'+cmd|calc`);
      expect(byEmail.get('at@example.com')).toBe(`'@SUM(A1)`);
      expect(byEmail.get('minus@example.com')).toBe(`'-2+3`);
      expect(text.endsWith('\r\n')).toBe(true);
    });

    it('applies the list filters', async () => {
      for (const query of [
        '?status=paid',
        '?pledged=true',
        '?search=EXAMPLE.ORG',
        '?newsletter=daily',
        `?tier=${gold}`,
        '?signed_up_after=2026-01-01&signed_up_before=2026-02-15',
      ]) {
        const exported = (await exportRows(query)).rows.slice(1).map((r) => r[1]);
        expect(exported.length, query).toBeGreaterThan(0);
        expect(exported, query).toEqual(await emails(`${query}&limit=200`));
      }
      expect((await exportRows('?search=EXAMPLE.ORG')).rows.slice(1).map((r) => r[1])).toEqual([
        'cat@example.org',
        'dan@example.org',
      ]);
      await expectError(await t.request('owner', 'GET', '/export.csv?status=nope'), 400, {
        field: 'status',
      });
    });
  });

  describe('roles', () => {
    it('answers 401 to nobody and 403 to an author', async () => {
      for (const path of ['/', '/stats', `/${ids.ann}`, '/export.csv'])
        await expectError(await t.request(null, 'GET', path), 401);
      await expectError(await t.request(null, 'POST', '/', { json: { email: 'a@b.co' } }), 401);
      for (const path of ['/', '/stats', `/${ids.ann}`, '/export.csv'])
        await expectError(await t.request('author', 'GET', path), 403);
      await expectError(await t.request('author', 'DELETE', `/${ids.ann}`), 403);
    });

    it('lets editors look but not change, export or import', async () => {
      expect((await t.request('editor', 'GET', '/')).status).toBe(200);
      expect((await t.request('editor', 'GET', `/${ids.ann}`)).status).toBe(200);
      await expectError(await t.request('editor', 'GET', '/export.csv'), 403);
      await expectError(
        await t.request('editor', 'PATCH', `/${ids.ann}`, { json: { name: 'x' } }),
        403,
      );
      await expectError(
        await t.request('editor', 'POST', `/${ids.ann}/comp`, { json: { until: null } }),
        403,
      );
      await expectError(await t.request('editor', 'DELETE', `/${ids.ann}`), 403);
      await expectError(
        await t.request('editor', 'POST', '/', { json: { email: 'e@example.com' } }),
        403,
      );
      await expectError(
        await t.request('editor', 'POST', '/import', {
          body: 'email\nx@example.com\n',
          headers: { 'content-type': 'text/csv' },
        }),
        403,
      );
      expect(await emails('?search=x@example.com')).toEqual([]);
    });
  });
});
