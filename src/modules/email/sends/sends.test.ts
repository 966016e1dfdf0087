import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  createTestDatabase,
  engines,
  type TestDatabase,
} from '../../../../test/support/database.js';
import { doc, ManualClock, paragraph, paywall } from '../../../../test/support/fixtures.js';
import { startSmtpSink } from '../../../../test/support/smtp-sink.js';
import { readerLevel, viewerOf, type Member } from '../../members/index.js';
import { verifyUnsubscribe } from '../delivery/index.js';
import { createSmtpTransport, type FrozenEmail } from '../index.js';
import {
  insertMembers,
  insertNewsletter,
  insertPost,
  insertTier,
  recipientsOf,
  RecordingTransport,
  sendsHarness,
  suppress,
  testConfig,
  until,
  type MemberSpec,
} from './sends.fixtures.js';
import { buildProgress, NullTransport, type SendCounters } from './index.js';

describe('buildProgress', () => {
  const base: SendCounters = {
    status: 'sending',
    total: 1000,
    sent: 400,
    failed: 50,
    suppressed: 50,
    resent: 3,
    bounced: 0,
    complained: 0,
    unsubscribed: 0,
    started_at: '2026-03-02T10:00:00.000Z',
    finished_at: null,
  };
  const now = new Date('2026-03-02T10:01:40.000Z'); // 100 s after the start
  it.each([
    ['mid-send', base, { remaining: 500, rate: 4, eta_seconds: 125 }],
    [
      'not started',
      { ...base, status: 'scheduled', sent: 0, failed: 0, suppressed: 0, started_at: null },
      { remaining: 1000, rate: 0, eta_seconds: null },
    ],
    [
      'finished: the rate stops at finished_at',
      { ...base, status: 'sent', sent: 900, finished_at: '2026-03-02T10:00:50.000Z' },
      { remaining: 0, rate: 18, eta_seconds: null },
    ],
    [
      'paused: no eta',
      { ...base, status: 'paused' },
      { remaining: 500, rate: 4, eta_seconds: null },
    ],
  ] as const)('%s', (_name, counters, expected) => {
    expect(buildProgress(counters, now)).toMatchObject(expected);
  });
});

describe.each(engines)('email sends on %s', (dialect) => {
  let t: TestDatabase;
  let clock: ManualClock;
  beforeEach(async () => {
    t = await createTestDatabase(dialect);
    clock = new ManualClock('2026-03-02T10:00:00.000Z');
  });
  afterEach(async () => {
    await t.destroy();
  });

  const subscribers = (newsletterId: string, n: number, prefix = 'reader'): MemberSpec[] =>
    Array.from({ length: n }, (_, i) => ({
      email: `${prefix}${i}@example.com`,
      name: `Reader ${i}`,
      newsletters: [newsletterId],
    }));

  it('delivers 1,200 recipients through SMTP exactly once each, personalized', async () => {
    const sink = await startSmtpSink();
    const transport = createSmtpTransport({
      connection: { url: sink.url },
      concurrency: 5,
      maxBatch: 100,
    });
    try {
      const h = sendsHarness(t.db, dialect, clock, transport);
      const n = await insertNewsletter(t.db, 'weekly');
      const ids = await insertMembers(t.db, [
        ...subscribers(n.id, 1200),
        { email: 'not-subscribed@example.com', newsletters: [] },
      ]);
      const postId = await insertPost(t.db, {
        title: 'Issue 12',
        body: doc(paragraph('The whole story.')),
      });
      const created = await h.sends.createSend({ postId, newsletterId: n.id, segment: 'all' });
      expect(created).toMatchObject({ status: 'sending', total: 1200, remaining: 1200 });
      const jobs = await h.jobs.list({ name: 'email.send-batch', limit: 10, offset: 0 });
      expect(jobs.total).toBe(3); // 500 + 500 + 200

      await h.worker().drain();
      const received = await sink.waitFor(1200);
      expect(received).toHaveLength(1200);
      const to = received.flatMap((m) => m.envelope.to);
      expect(new Set(to).size).toBe(1200);
      expect(to).not.toContain('not-subscribed@example.com');

      const mail = received.find((m) => m.envelope.to[0] === 'reader7@example.com')!;
      expect(mail.parsed.subject).toBe('Issue 12');
      expect(mail.parsed.text).toContain('Hi Reader 7,');
      expect(mail.parsed.html).toContain('Hi Reader 7,');
      expect(mail.envelope.from).toMatch(/^bnc\+[0-9a-z.]+@bounces\.ledger\.example$/);
      const raw = mail.raw.toString('utf8').replace(/\r?\n[ \t]+/g, ' '); // unfolded
      expect(raw).toMatch(/^List-Id: <weekly\.ledger\.example>\r?$/im);
      expect(raw).toMatch(/^List-Unsubscribe-Post: List-Unsubscribe=One-Click\r?$/m);
      const token =
        /List-Unsubscribe: <https:\/\/ledger\.example\/unsubscribe\?token=([\w-]+)>/.exec(raw)?.[1];
      expect(verifyUnsubscribe(token!, testConfig.secret)).toEqual({
        memberId: ids[7],
        newsletterId: n.id,
        sendId: created.id,
      });
      expect(mail.parsed.text).toContain(`https://ledger.example/unsubscribe?token=${token}`);

      expect(await h.sends.progress(created.id)).toMatchObject({
        status: 'sent',
        sent: 1200,
        failed: 0,
        resent: 0,
        remaining: 0,
      });
      const rows = await recipientsOf(t.db, created.id);
      expect(rows.every((r) => r.state === 'sent' && r.sent_at !== null)).toBe(true);
    } finally {
      await transport.close();
      await sink.close();
    }
  }, 120_000);

  it('filters by segment, computes reader levels like access.ts, and skips suppressed addresses', async () => {
    const h = sendsHarness(t.db, dialect, clock, new NullTransport());
    const n = await insertNewsletter(t.db);
    const other = await insertNewsletter(t.db);
    const tierA = await insertTier(t.db, 'gold');
    const tierB = await insertTier(t.db, 'silver');
    const past = '2026-01-01T00:00:00.000Z';
    const future = '2027-01-01T00:00:00.000Z';
    const on = [n.id];
    const members: MemberSpec[] = [
      { email: 'free@x.test', newsletters: on },
      { email: 'paid-a@x.test', status: 'paid', tierId: tierA, newsletters: on },
      { email: 'paid-none@x.test', status: 'paid', newsletters: on },
      { email: 'comp-open@x.test', status: 'comped', tierId: tierB, newsletters: on },
      { email: 'comp-over@x.test', status: 'comped', compUntil: past, newsletters: on },
      { email: 'comp-on@x.test', status: 'comped', compUntil: future, newsletters: on },
      { email: 'due-a@x.test', status: 'past_due', tierId: tierA, newsletters: on },
      {
        email: 'cancel-on@x.test',
        status: 'cancelled',
        tierId: tierA,
        accessUntil: future,
        newsletters: on,
      },
      {
        email: 'cancel-over@x.test',
        status: 'cancelled',
        tierId: tierA,
        accessUntil: past,
        newsletters: on,
      },
      { email: 'free-suppressed@x.test', newsletters: on },
      { email: 'paid-suppressed@x.test', status: 'paid', tierId: tierA, newsletters: on },
      { email: 'unsubscribed@x.test', status: 'paid', tierId: tierA, newsletters: [] },
      { email: 'other-list@x.test', status: 'paid', tierId: tierA, newsletters: [other.id] },
    ];
    await insertMembers(t.db, members);
    await suppress(t.db, 'free-suppressed@x.test');
    await suppress(t.db, 'paid-suppressed@x.test');
    const postId = await insertPost(t.db, {
      title: 'Paid post',
      visibility: 'paid',
      body: doc(paragraph('Everyone sees this.'), paywall, paragraph('Only payers see this.')),
    });

    const cases: [string, string[], number][] = [
      [
        'all',
        [
          'free',
          'paid-a',
          'paid-none',
          'comp-open',
          'comp-over',
          'comp-on',
          'due-a',
          'cancel-on',
          'cancel-over',
        ],
        2,
      ],
      ['free', ['free'], 1],
      ['paid', ['paid-a', 'paid-none', 'comp-open', 'comp-on', 'due-a', 'cancel-on'], 1],
      [`tier:${tierA}`, ['paid-a', 'due-a', 'cancel-on'], 1],
      [`tier:${tierB}`, ['comp-open'], 0],
    ];
    const memberRows = await t.db.selectFrom('members').selectAll().execute();
    for (const [segment, expected, suppressed] of cases) {
      const send = await h.sends.createSend({ postId, newsletterId: n.id, segment });
      const rows = await recipientsOf(t.db, send.id);
      expect(rows.map((r) => r.email.replace('@x.test', '')).sort(), segment).toEqual(
        [...expected].sort(),
      );
      expect(send, segment).toMatchObject({ total: expected.length + suppressed, suppressed });
      for (const row of rows) {
        const member = memberRows.find((m) => m.id === row.member_id)! as Member;
        expect(row.reader_level, row.email).toBe(readerLevel(viewerOf(member), clock.now()));
      }
      const stored = await t.db
        .selectFrom('email_sends')
        .select('frozen')
        .where('id', '=', send.id)
        .executeTakeFirstOrThrow();
      const frozen = JSON.parse(stored.frozen!) as Record<string, FrozenEmail>;
      expect(Object.keys(frozen).sort()).toEqual(
        [...new Set(rows.map((r) => r.reader_level))].sort(),
      );
      if (frozen.member) {
        expect(frozen.member.text).toContain('Everyone sees this.');
        expect(frozen.member.text).not.toContain('Only payers see this.');
        expect(frozen.member.text).toContain('Upgrade');
      }
      if (frozen[`paid:${tierA}`]) expect(frozen[`paid:${tierA}`]!.text).toContain('Only payers');
    }

    await expect(
      h.sends.createSend({ postId, newsletterId: n.id, segment: 'tier:nope' }),
    ).rejects.toMatchObject({ code: 'invalid_input', field: 'segment' });
    await expect(
      h.sends.createSend({ postId, newsletterId: n.id, segment: 'everyone' }),
    ).rejects.toMatchObject({ code: 'invalid_input', field: 'segment' });
  });

  it('sends what was frozen at the start, whatever the post becomes', async () => {
    const transport = new RecordingTransport(100);
    const h = sendsHarness(t.db, dialect, clock, transport);
    const n = await insertNewsletter(t.db);
    await insertMembers(t.db, subscribers(n.id, 20));
    const postId = await insertPost(t.db, {
      title: 'Original title',
      body: doc(paragraph('Original text.')),
    });
    const send = await h.sends.createSend({ postId, newsletterId: n.id, segment: 'all' });
    await t.db
      .updateTable('posts')
      .set({ title: 'Edited title', body: JSON.stringify(doc(paragraph('Edited text.'))) })
      .where('id', '=', postId)
      .execute();
    await h.worker().drain();
    expect(transport.delivered).toHaveLength(20);
    for (const m of transport.delivered) {
      expect(m.subject).toBe('Original title');
      expect(m.text).toContain('Original text.');
      expect(m.html).not.toContain('Edited');
    }
    expect((await h.sends.progress(send.id)).status).toBe('sent');
  });

  it('resumes after a worker dies mid-chunk: nobody missed, duplicates counted as resent', async () => {
    const chunk = 50;
    const dying = new RecordingTransport(chunk, { hangOnCall: 2 });
    const h = sendsHarness(t.db, dialect, clock, dying);
    const n = await insertNewsletter(t.db);
    await insertMembers(t.db, subscribers(n.id, 120));
    const postId = await insertPost(t.db, { title: 'Crash', body: doc(paragraph('Text.')) });
    const send = await h.sends.createSend({ postId, newsletterId: n.id, segment: 'all' });

    // The first worker takes the batch, delivers a chunk, hands the second to the transport
    // and is never heard of again: its lease is left to run out.
    h.worker({ leaseMs: 30_000 }).wake();
    await until(() => dying.delivered.length === 2 * chunk);
    const inFlight = await t.db
      .selectFrom('email_send_recipients')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('send_id', '=', send.id)
      .where('state', '=', 'sending')
      .executeTakeFirstOrThrow();
    expect(Number(inFlight.n)).toBe(chunk);

    const healthy = new RecordingTransport(chunk);
    const other = sendsHarness(t.db, dialect, clock, healthy);
    const survivor = h.worker({ sends: other.sends });
    await survivor.drain();
    expect(healthy.delivered).toHaveLength(0); // the lease still holds
    clock.advance(31_000);
    await survivor.drain();

    const all = [...dying.delivered, ...healthy.delivered].map((m) => m.to);
    expect(new Set(all).size).toBe(120);
    const duplicates = all.length - 120;
    expect(duplicates).toBeGreaterThan(0);
    expect(duplicates).toBeLessThanOrEqual(chunk);
    const progress = await h.sends.progress(send.id);
    expect(progress).toMatchObject({ status: 'sent', sent: 120, resent: duplicates });
    const rows = await recipientsOf(t.db, send.id);
    expect(rows.every((r) => r.state === 'sent')).toBe(true);
  });

  it('a worker that stalls past its lease and comes back sends and counts nothing twice', async () => {
    const chunk = 50;
    let wakeUp!: () => void;
    const stalled = new Promise<void>((resolve) => (wakeUp = resolve));
    // The first worker hands its first chunk over and stalls before the copies go out.
    const slow = new RecordingTransport(chunk, {
      onCall: (call) => (call === 1 ? stalled : Promise.resolve()),
    });
    const h = sendsHarness(t.db, dialect, clock, slow);
    const n = await insertNewsletter(t.db);
    await insertMembers(t.db, subscribers(n.id, 120));
    const postId = await insertPost(t.db, { title: 'Stall', body: doc(paragraph('Text.')) });
    const send = await h.sends.createSend({ postId, newsletterId: n.id, segment: 'all' });
    h.worker({ leaseMs: 30_000 }).wake();
    await until(() => slow.calls === 1);

    // Another worker takes the batch over and settles everyone but the last recipient, whose
    // server asks it to try later: the send stays open while the first worker wakes up.
    const last = await t.db
      .selectFrom('email_send_recipients')
      .select('email')
      .where('send_id', '=', send.id)
      .orderBy('member_id', 'desc')
      .executeTakeFirstOrThrow();
    const healthy = new RecordingTransport(chunk, {
      outcome: (m) =>
        m.to === last.email
          ? { ok: false, kind: 'temporary', message: '4.2.1 later' }
          : { ok: true },
    });
    const other = sendsHarness(t.db, dialect, clock, healthy);
    clock.advance(31_000);
    await h.worker({ sends: other.sends }).drain();
    expect(healthy.delivered).toHaveLength(119);
    expect(await h.sends.progress(send.id)).toMatchObject({
      status: 'sending',
      sent: 119,
      resent: chunk,
    });

    // The stalled worker's copies of its chunk go out (the duplicates counted as resent);
    // of the rest it sends only the one recipient still open, and counts each once.
    wakeUp();
    await until(async () => (await h.sends.progress(send.id)).status === 'sent');
    expect(slow.delivered).toHaveLength(chunk + 1);
    expect(slow.delivered.map((m) => m.to)).toContain(last.email);
    const all = [...slow.delivered, ...healthy.delivered].map((m) => m.to);
    expect(new Set(all).size).toBe(120);
    expect(all.length - 120).toBe(chunk);
    expect(await h.sends.progress(send.id)).toMatchObject({
      status: 'sent',
      sent: 120,
      failed: 0,
      resent: chunk,
    });
  });

  it('suppresses permanent failures and retries temporary ones with backoff', async () => {
    const tries = new Map<string, number>();
    const transport = new RecordingTransport(100, {
      outcome: (m) => {
        const k = (tries.get(m.to) ?? 0) + 1;
        tries.set(m.to, k);
        if (m.to.startsWith('bad'))
          return { ok: false, kind: 'permanent', code: 550, message: '5.1.1 unknown' };
        if (m.to.startsWith('slow') && k < 3)
          return { ok: false, kind: 'temporary', message: '4.2.1 later' };
        if (m.to.startsWith('never'))
          return { ok: false, kind: 'temporary', message: '4.4.1 down' };
        return { ok: true, providerId: `q-${m.to}` };
      },
    });
    const h = sendsHarness(t.db, dialect, clock, transport, { maxAttempts: 3 });
    const n = await insertNewsletter(t.db);
    await insertMembers(t.db, [
      ...subscribers(n.id, 6),
      ...['bad1', 'bad2', 'slow', 'never'].map((p) => ({
        email: `${p}@x.test`,
        newsletters: [n.id],
      })),
    ]);
    const postId = await insertPost(t.db, { title: 'Failures', body: doc(paragraph('Text.')) });
    const send = await h.sends.createSend({ postId, newsletterId: n.id, segment: 'all' });
    const worker = h.worker();

    await worker.drain();
    expect(await h.sends.progress(send.id)).toMatchObject({
      status: 'sending',
      total: 10,
      sent: 6,
      failed: 2,
      remaining: 2,
    });
    const suppressions = await t.db.selectFrom('email_suppressions').selectAll().execute();
    expect(suppressions.map((s) => [s.email, s.reason, s.send_id]).sort()).toEqual([
      ['bad1@x.test', 'permanent_failure', send.id],
      ['bad2@x.test', 'permanent_failure', send.id],
    ]);
    const job = (await h.jobs.list({ name: 'email.send-batch', limit: 1, offset: 0 })).jobs[0]!;
    expect(job).toMatchObject({ status: 'queued', attempts: 1 });

    for (let i = 0; i < 3; i++) {
      clock.advance(1000);
      await worker.drain();
    }
    expect(tries.get('slow@x.test')).toBe(3);
    expect(tries.get('never@x.test')).toBe(3);
    expect(tries.get('reader0@example.com')).toBe(1);
    expect(await h.sends.progress(send.id)).toMatchObject({
      status: 'sent',
      sent: 7,
      failed: 3,
      remaining: 0,
    });
    const rows = await recipientsOf(t.db, send.id);
    const byEmail = new Map(rows.map((r) => [r.email, r]));
    expect(byEmail.get('slow@x.test')).toMatchObject({
      state: 'sent',
      provider_id: 'q-slow@x.test',
    });
    expect(byEmail.get('never@x.test')).toMatchObject({ state: 'failed', attempts: 3 });
    expect(byEmail.get('bad1@x.test')).toMatchObject({
      state: 'failed',
      last_error: '5.1.1 unknown',
    });
    // The next send skips the addresses this one suppressed.
    const next = await h.sends.createSend({ postId, newsletterId: n.id, segment: 'all' });
    expect(next).toMatchObject({ total: 10, suppressed: 2 });
  });

  it('pauses (even mid-batch), resumes and cancels', async () => {
    // The transport pauses the send from inside its first call, as an admin would mid-flight.
    const target = { pause: (): Promise<unknown> => Promise.resolve() };
    const transport = new RecordingTransport(10, {
      onCall: async (call) => {
        if (call === 1) await target.pause();
      },
    });
    const h = sendsHarness(t.db, dialect, clock, transport, { batchSize: 25 });
    const n = await insertNewsletter(t.db);
    await insertMembers(t.db, subscribers(n.id, 60));
    const postId = await insertPost(t.db, { title: 'Pause', body: doc(paragraph('Text.')) });
    const send = await h.sends.createSend({ postId, newsletterId: n.id, segment: 'all' });
    target.pause = () => h.sends.pause(send.id);
    const worker = h.worker();

    // Paused while its first chunk was in flight: that chunk lands, nothing more goes.
    await worker.drain();
    expect(transport.delivered).toHaveLength(10);
    expect(await h.sends.progress(send.id)).toMatchObject({
      status: 'paused',
      sent: 10,
      remaining: 50,
    });
    await worker.drain();
    expect(transport.delivered).toHaveLength(10);

    expect((await h.sends.resume(send.id)).status).toBe('sending');
    await worker.drain();
    expect(transport.delivered).toHaveLength(60);
    expect(new Set(transport.delivered.map((m) => m.to)).size).toBe(60);
    expect(await h.sends.progress(send.id)).toMatchObject({ status: 'sent', sent: 60, resent: 0 });
    await expect(h.sends.pause(send.id)).rejects.toMatchObject({ code: 'conflict' });
    await expect(h.sends.cancel(send.id)).rejects.toMatchObject({ code: 'conflict' });

    const second = await h.sends.createSend({ postId, newsletterId: n.id, segment: 'all' });
    expect((await h.sends.cancel(second.id)).status).toBe('cancelled');
    await worker.drain();
    expect(transport.delivered).toHaveLength(60);
    const rows = await recipientsOf(t.db, second.id);
    expect(rows.every((r) => r.state === 'pending')).toBe(true);
    await expect(h.sends.resume(second.id)).rejects.toMatchObject({ code: 'conflict' });
  });

  it('starts a scheduled send at its time, and reports progress while it goes', async () => {
    const transport = new RecordingTransport(10);
    const h = sendsHarness(t.db, dialect, clock, transport, { batchSize: 10 });
    const n = await insertNewsletter(t.db);
    await insertMembers(t.db, subscribers(n.id, 30));
    const postId = await insertPost(t.db, { title: 'Later', body: doc(paragraph('Text.')) });
    const send = await h.sends.createSend({
      postId,
      newsletterId: n.id,
      segment: 'all',
      scheduledAt: '2026-03-02T12:00:00.000Z',
    });
    expect(send).toMatchObject({ status: 'scheduled', total: 0, rate: 0, eta_seconds: null });
    const worker = h.worker();
    await worker.drain();
    expect(transport.delivered).toHaveLength(0);

    clock.advance(2 * 3_600_000);
    // Run the start job and one batch by hand, to look at progress half-way.
    await h.sends.start(send.id);
    await h.sends.sendBatch({ sendId: send.id, batch: 0 });
    clock.advance(10_000);
    expect(await h.sends.progress(send.id)).toMatchObject({
      status: 'sending',
      total: 30,
      sent: 10,
      remaining: 20,
      rate: 1,
      eta_seconds: 20,
    });
    await worker.drain();
    expect(transport.delivered).toHaveLength(30);
    expect(new Set(transport.delivered.map((m) => m.to)).size).toBe(30);
    expect((await h.sends.progress(send.id)).status).toBe('sent');
  });
});
