import { createHash } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import {
  createTestApp,
  ownerClient,
  type TestApp,
  type TestClient,
} from '../../../../test/support/app.js';
import { engines } from '../../../../test/support/database.js';
import {
  createPost,
  insertMember,
  json,
  ManualClock,
  MINUTE,
} from '../../../../test/support/fixtures.js';
import { startSmtpSink, type SinkVerdict } from '../../../../test/support/smtp-sink.js';
import type { SendProgress } from './index.js';

/**
 * Sends through the whole app to an SMTP server that refuses, defers and hangs up, as real
 * receivers do: temporary trouble is retried (with backoff) until everyone has their copy,
 * permanent refusals fail the recipient and suppress the address for later sends.
 */

const readersOf = (count: number) =>
  Array.from({ length: count }, (_, i) => `reader${String(i).padStart(3, '0')}@example.com`);

/** A fixed pseudo-random number in [0, 1) for one offer of one address. */
function chance(rcpt: string, n: number): number {
  return createHash('sha256').update(`${rcpt}#${n}`).digest().readUInt32BE(0) / 2 ** 32;
}

/**
 * About 10% of offers are deferred (half at RCPT TO, half after the data) and 2% hung up on,
 * decided per offer, so a recipient can be unlucky several times running. From the fourth
 * offer on everything is accepted: recipients give up after five temporary failures, and
 * this test is about recovering, not about giving up.
 */
function flaky(rcpt: string, n: number): SinkVerdict {
  if (n > 3) return 'accept';
  const r = chance(rcpt, n);
  if (r < 0.02) return 'drop';
  if (r < 0.07) return 'temporary';
  if (r < 0.12) return { reply: '451 4.3.0 Try again later', at: 'data' };
  return 'accept';
}

/** How many offers `flaky` needs before it accepts this address. */
function offersNeeded(rcpt: string): number {
  let n = 1;
  while (flaky(rcpt, n) !== 'accept') n++;
  return n;
}

type Figures = { id: string } & SendProgress;

describe.each(engines)('a send to a misbehaving SMTP server on %s', (dialect) => {
  const cleanups: (() => Promise<void>)[] = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });

  async function setUp(readers: string[], failures: (rcpt: string, n: number) => SinkVerdict) {
    const sink = await startSmtpSink({ failures, keepMessages: false });
    cleanups.push(sink.close);
    // Retries wait out a backoff of seconds to minutes; the test moves time instead of waiting.
    const clock = new ManualClock();
    const t = await createTestApp(dialect, {
      clock,
      env: { SMTP_URL: sink.url, PRESSROOM_URL: 'https://news.example.com' },
    });
    cleanups.push(t.close);
    const owner = await ownerClient(t);
    const post = await createPost(owner, {
      title: 'Rates held',
      markdown: 'The committee kept rates where they were.',
      status: 'published',
    });
    const { pressroom } = t;
    await pressroom.services.newsletters.ensureDefault();
    const newsletter = await pressroom.db
      .selectFrom('newsletters')
      .select('id')
      .executeTakeFirstOrThrow();
    await pressroom.db.transaction().execute(async (trx) => {
      for (const [i, email] of readers.entries()) {
        await insertMember(
          trx,
          { id: `m-${String(i).padStart(3, '0')}`, email, newsletters: [newsletter.id] },
          {},
          clock.now(),
        );
      }
    });
    return { sink, clock, t, owner, postId: post.id, newsletterId: newsletter.id };
  }

  async function startSend(owner: TestClient, postId: string, newsletterId: string) {
    const res = await owner.post('/api/admin/sends', {
      post_id: postId,
      newsletter_id: newsletterId,
      segment: 'all',
    });
    const body = await json<{ send: Figures }>(res);
    expect(res.status, JSON.stringify(body)).toBe(201);
    return body.send;
  }

  async function figures(owner: TestClient, id: string): Promise<Figures> {
    const res = await owner.get(`/api/admin/sends/${id}`);
    const body = await json<{ send: Figures }>(res);
    expect(res.status, JSON.stringify(body)).toBe(200);
    return body.send;
  }

  /** Runs the worker, moving the clock past each retry's backoff, until the send is over. */
  async function runToEnd(t: TestApp, clock: ManualClock, owner: TestClient, id: string) {
    const worker = t.pressroom.worker();
    for (let round = 1; round <= 12; round++) {
      await worker.drain();
      if ((await figures(owner, id)).status !== 'sending') return round;
      clock.advance(5 * MINUTE);
    }
    throw new Error(
      `send ${id} still sending after 12 rounds: ${JSON.stringify(await figures(owner, id))}`,
    );
  }

  it('retries deferrals and dropped connections until every reader has one copy', async () => {
    const readers = readersOf(300);
    const { sink, clock, t, owner, postId, newsletterId } = await setUp(readers, flaky);
    const send = await startSend(owner, postId, newsletterId);
    expect(send).toMatchObject({
      status: 'sending',
      total: readers.length,
      remaining: readers.length,
    });

    const rounds = await runToEnd(t, clock, owner, send.id);
    expect(rounds).toBeGreaterThan(1);
    expect(await figures(owner, send.id)).toMatchObject({
      status: 'sent',
      total: readers.length,
      sent: readers.length,
      failed: 0,
      suppressed: 0,
      resent: 0,
      remaining: 0,
    });

    const arrived = sink.envelopes.map((e) => e.to[0]);
    expect(arrived.sort()).toEqual(readers);
    // The faults did happen, each kind of them, and each was answered by exactly one more
    // offer: nobody was given up on, and nobody offered again once accepted.
    const kinds = new Set(sink.faults.map((f) => (f.outcome === 'drop' ? 'drop' : f.at)));
    expect([...kinds].sort()).toEqual(['data', 'drop', 'rcpt']);
    for (const rcpt of readers) expect(sink.offered.get(rcpt), rcpt).toBe(offersNeeded(rcpt));
    expect(sink.faults).toHaveLength(readers.reduce((n, r) => n + offersNeeded(r) - 1, 0));
    expect(sink.errors).toEqual([]);

    const rows = await t.pressroom.db
      .selectFrom('email_send_recipients')
      .select(['state', 'attempts'])
      .where('send_id', '=', send.id)
      .execute();
    expect(rows.filter((r) => r.state !== 'sent')).toEqual([]);
    expect(rows.some((r) => r.attempts > 0)).toBe(true);
    const { jobs } = await t.pressroom.services.jobs.list({
      name: 'email.send-batch',
      limit: 10,
      offset: 0,
    });
    expect(jobs).toHaveLength(1);
    expect(jobs[0]).toMatchObject({ status: 'done' });
    expect(jobs[0]!.attempts).toBeGreaterThan(1);
  });

  it('fails and suppresses 5.1.1 refusals, and the next send skips those addresses', async () => {
    // Two sends: fewer readers than above keep the file quick, and are as many as it needs.
    const readers = readersOf(200);
    const unknown = new Set(readers.filter((_, i) => i % 40 === 7));
    const { sink, clock, t, owner, postId, newsletterId } = await setUp(readers, (rcpt) =>
      unknown.has(rcpt) ? 'permanent' : 'accept',
    );
    const delivered = readers.filter((r) => !unknown.has(r));
    const { feedback } = t.pressroom.services;

    const first = await startSend(owner, postId, newsletterId);
    await runToEnd(t, clock, owner, first.id);
    expect(await figures(owner, first.id)).toMatchObject({
      status: 'sent',
      total: readers.length,
      sent: delivered.length,
      failed: unknown.size,
      suppressed: 0,
      remaining: 0,
    });
    expect(sink.envelopes.map((e) => e.to[0]).sort()).toEqual(delivered);
    // A permanent refusal is final: offered once, never retried.
    for (const rcpt of unknown) expect(sink.offered.get(rcpt), rcpt).toBe(1);

    const suppressions = await t.pressroom.db
      .selectFrom('email_suppressions')
      .selectAll()
      .orderBy('email')
      .execute();
    expect(suppressions.map((s) => s.email)).toEqual([...unknown].sort());
    for (const s of suppressions) {
      expect(s).toMatchObject({ reason: 'permanent_failure', send_id: first.id });
      expect(s.detail).toMatch(/5\.1\.1/);
      expect(await feedback.isSuppressed(s.email)).toBe(true);
    }
    expect(await feedback.isSuppressed(delivered[0]!)).toBe(false);
    const failedRows = await t.pressroom.db
      .selectFrom('email_send_recipients')
      .select(['email', 'last_error'])
      .where('send_id', '=', first.id)
      .where('state', '=', 'failed')
      .orderBy('email')
      .execute();
    expect(failedRows.map((r) => r.email)).toEqual([...unknown].sort());
    for (const r of failedRows) expect(r.last_error).toMatch(/5\.1\.1/);

    const second = await startSend(owner, postId, newsletterId);
    expect(second).toMatchObject({ total: readers.length, suppressed: unknown.size });
    await runToEnd(t, clock, owner, second.id);
    expect(await figures(owner, second.id)).toMatchObject({
      status: 'sent',
      total: readers.length,
      sent: delivered.length,
      failed: 0,
      suppressed: unknown.size,
      remaining: 0,
    });
    expect(sink.envelopes).toHaveLength(2 * delivered.length);
    for (const rcpt of unknown) expect(sink.offered.get(rcpt), rcpt).toBe(1);
  });
});
