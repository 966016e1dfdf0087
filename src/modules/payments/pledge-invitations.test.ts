import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, engines, type TestDatabase } from '../../../test/support/database.js';
import { startFakeStripe, type FakeStripe } from '../../../test/support/fake-stripe.js';
import { json, ManualClock } from '../../../test/support/fixtures.js';
import { startSmtpSink } from '../../../test/support/smtp-sink.js';
import { createMailer, type Mailer } from '../../platform/mailer/index.js';
import {
  insertMember,
  insertPledge,
  memberEventTypes,
  paymentsHarness,
  PUBLIC_URL,
  readMember,
  readPledge,
  stripeEvent,
  type PaymentsHarness,
} from './payments.test-app.js';
import type { PaymentsSummary, Tier } from './payments.types.js';
import { INVITE_PLEDGERS_JOB } from './index.js';

describe.each(engines)('opening paid subscriptions on %s', (dialect) => {
  let database: TestDatabase;
  let fake: FakeStripe;
  let sink: Awaited<ReturnType<typeof startSmtpSink>>;
  let mailer: Mailer;
  let h: PaymentsHarness;
  let clock: ManualClock;
  let gold: Tier;

  beforeAll(async () => {
    database = await createTestDatabase(dialect);
    fake = await startFakeStripe();
    sink = await startSmtpSink();
    mailer = createMailer(
      {
        smtpUrl: sink.url,
        from: 'The Dispatch <news@pressroom.test>',
        outboxDir: '/nonexistent',
        messageIdDomain: 'pressroom.test',
      },
      pino({ level: 'silent' }),
    );
    clock = new ManualClock();
    h = await paymentsHarness({ db: database.db, dialect, clock, mailer, stripeUrl: fake.url });
    gold = (
      await json<{ tier: Tier }>(
        await h.admin('POST', '/api/admin/tiers', {
          name: 'Gold',
          currency: 'usd',
          monthly_amount: 800,
          yearly_amount: 8000,
          open: true,
        }),
      )
    ).tier;
  });
  afterAll(async () => {
    await mailer.close();
    await sink.close();
    await fake.close();
    await database.destroy();
  });

  const summary = async () =>
    (await json<{ summary: PaymentsSummary }>(await h.admin('GET', '/api/admin/payments/summary')))
      .summary;

  it('emails every active pledger once, and a second run emails nobody again', async () => {
    const db = database.db;
    const ada = await insertMember(db, clock.now(), { email: 'ada@example.com', name: 'Ada' });
    const bo = await insertMember(db, clock.now(), { email: 'bo@example.com', name: null });
    const withdrawn = await insertMember(db, clock.now(), { email: 'gone@example.com' });
    await insertPledge(db, clock.now(), { member_id: ada.id, tier_id: gold.id, amount: 800 });
    await insertPledge(db, clock.now(), {
      member_id: bo.id,
      tier_id: null,
      amount: 6000,
      interval: 'year',
    });
    await insertPledge(db, clock.now(), { member_id: withdrawn.id, tier_id: gold.id, amount: 500 });
    await db
      .updateTable('pledges')
      .set({ status: 'withdrawn' })
      .where('member_id', '=', withdrawn.id)
      .execute();

    expect(await summary()).toMatchObject({
      paid_subscriptions_open: false,
      pledgers: { active: 2, invited: 0, converted: 0 },
    });

    const res = await h.admin('POST', '/api/admin/payments/open');
    const body = await json<{
      payments: { paid_subscriptions_open: boolean; invitation_job: string };
    }>(res);
    expect(res.status).toBe(200);
    expect(body.payments.paid_subscriptions_open).toBe(true);
    const job = await h.jobs.get(body.payments.invitation_job);
    expect(job).toMatchObject({ name: INVITE_PLEDGERS_JOB, status: 'queued' });

    await h.worker.drain();
    // A copy: the sink keeps appending to the array it hands out.
    const mail = [...(await sink.waitFor(2))];
    expect(mail).toHaveLength(2);
    expect(mail.map((m) => m.envelope.to[0]).sort()).toEqual(['ada@example.com', 'bo@example.com']);
    const toAda = mail.find((m) => m.envelope.to[0] === 'ada@example.com')!;
    expect(toAda.parsed.subject).toBe('Paid subscriptions are open at The Dispatch');
    expect(toAda.parsed.headers.get('x-pressroom-purpose')).toBe('pledge-invitation');
    expect(toAda.parsed.text).toContain('Dear Ada,');
    expect(toAda.parsed.text).toContain(
      'You pledged $8.00 a month (Gold) to support The Dispatch.',
    );
    expect(toAda.parsed.text).toContain(`${PUBLIC_URL}/account`);
    expect(toAda.parsed.html).toContain(`href="${PUBLIC_URL}/account"`);
    const toBo = mail.find((m) => m.envelope.to[0] === 'bo@example.com')!;
    expect(toBo.parsed.text).toContain('Hello,');
    expect(toBo.parsed.text).toContain('You pledged $60.00 a year to support');

    expect((await h.jobs.get(body.payments.invitation_job))?.status).toBe('done');
    expect((await readPledge(db, ada.id)).invited_at).toBe(clock.now().toISOString());
    expect((await readPledge(db, withdrawn.id)).invited_at).toBeNull();
    expect(await memberEventTypes(db, ada.id)).toEqual(['pledge_invited']);
    expect(await summary()).toMatchObject({
      paid_subscriptions_open: true,
      pledgers: { active: 2, invited: 2, converted: 0 },
    });

    // Opening again runs the job again: nobody is emailed twice.
    await h.admin('POST', '/api/admin/payments/open');
    await h.worker.drain();
    expect(sink.received).toHaveLength(2);

    // A pledge made since then: only its pledger is invited.
    const cy = await insertMember(db, clock.now(), { email: 'cy@example.com' });
    await insertPledge(db, clock.now(), { member_id: cy.id, tier_id: gold.id, amount: 900 });
    await h.jobs.enqueue(INVITE_PLEDGERS_JOB, {});
    await h.worker.drain();
    await sink.waitFor(3);
    expect(sink.received.map((m) => m.envelope.to[0])).toEqual([
      ...mail.map((m) => m.envelope.to[0]),
      'cy@example.com',
    ]);
    expect(await memberEventTypes(db, ada.id)).toEqual(['pledge_invited']);

    // An invited pledger converts: counted.
    const checkout = await h.member(ada.id, 'POST', '/api/members/checkout', {
      tier_id: gold.id,
      interval: 'month',
    });
    expect(checkout.status).toBe(200);
    const customer = (await readMember(db, ada.id)).stripe_customer_id!;
    const now = Math.floor(clock.now().getTime() / 1000);
    const sub = fake.setSubscription({
      customer,
      current_period_end: now + 30 * 86_400,
      price: {
        id: gold.stripe_monthly_price_id!,
        product: gold.stripe_product_id!,
        unit_amount: 800,
        currency: 'usd',
        interval: 'month',
      },
      metadata: { member_id: ada.id, tier_id: gold.id },
    });
    await h.deliver(
      stripeEvent(
        'checkout.session.completed',
        {
          id: 'cs_test_ada',
          object: 'checkout.session',
          mode: 'subscription',
          customer,
          subscription: sub.id,
          client_reference_id: ada.id,
          metadata: {},
        },
        now,
      ),
    );
    expect((await readPledge(db, ada.id)).status).toBe('converted');
    expect(await summary()).toMatchObject({
      pledgers: { active: 2, invited: 3, converted: 1 },
      subscriptions: { active: 1, trialing: 0, past_due: 0 },
      mrr: [{ currency: 'usd', amount: 800 }],
    });
  });

  it('sends nothing while paid subscriptions are closed', async () => {
    const before = sink.received.length;
    const db = database.db;
    const dee = await insertMember(db, clock.now(), { email: 'dee@example.com' });
    await insertPledge(db, clock.now(), { member_id: dee.id, tier_id: gold.id, amount: 800 });
    const closed = await h.admin('POST', '/api/admin/payments/close');
    expect(
      (await json<{ payments: { paid_subscriptions_open: boolean } }>(closed)).payments
        .paid_subscriptions_open,
    ).toBe(false);
    await h.jobs.enqueue(INVITE_PLEDGERS_JOB, {});
    await h.worker.drain();
    expect(sink.received.length).toBe(before);
    expect((await readPledge(db, dee.id)).invited_at).toBeNull();
  });
});
