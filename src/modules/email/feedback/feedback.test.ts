import nodemailer from 'nodemailer';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  createTestDatabase,
  engines,
  type TestDatabase,
} from '../../../../test/support/database.js';
import { ManualClock } from '../../../../test/support/fixtures.js';
import { signUnsubscribe, verpAddress } from '../delivery/index.js';
import {
  BOUNCE_DOMAIN,
  dsn,
  feedbackHarness,
  INBOUND_SECRET,
  insertScenario,
  memberEventTypes,
  readSend,
  SECRET,
  sendEvents,
  subscribedTo,
  suppression,
  type Scenario,
} from './feedback.fixtures.js';
import { BOUNCE_LOCAL_PART } from './index.js';

const ONE_CLICK = {
  method: 'POST',
  headers: { 'content-type': 'application/x-www-form-urlencoded' },
  body: 'List-Unsubscribe=One-Click',
};

describe.each(engines)('email feedback on %s', (dialect) => {
  let t: TestDatabase;
  let clock: ManualClock;
  let harness: ReturnType<typeof feedbackHarness>;
  let s: Scenario;

  beforeAll(async () => {
    t = await createTestDatabase(dialect);
  });
  afterAll(async () => {
    await t.destroy();
  });
  beforeEach(async () => {
    clock = new ManualClock();
    harness = feedbackHarness(t.db, clock);
    s = await insertScenario(t.db, clock.now());
  });

  const tokenFor = (sc: Scenario, withSend = true) =>
    signUnsubscribe(
      {
        memberId: sc.memberId,
        newsletterId: sc.newsletterId,
        ...(withSend ? { sendId: sc.sendId } : {}),
      },
      SECRET,
    );
  const verpFor = (sc: Scenario) =>
    verpAddress({
      localPart: BOUNCE_LOCAL_PART,
      domain: BOUNCE_DOMAIN,
      secret: SECRET,
      sendId: sc.sendId,
      recipientId: sc.memberId,
    });
  const postBounce = (raw: string, secret = INBOUND_SECRET) =>
    harness.app.request('/api/email/bounces', {
      method: 'POST',
      headers: { 'content-type': 'message/rfc822', 'x-pressroom-inbound-secret': secret },
      body: raw,
    });

  describe('unsubscribe links', () => {
    it('GET shows the newsletter and a button that POSTs, and unsubscribes nobody', async () => {
      const token = tokenFor(s);
      const res = await harness.app.request(`/unsubscribe?token=${token}`);
      expect(res.status).toBe(200);
      expect(res.headers.get('cache-control')).toBe('no-store');
      const page = await res.text();
      expect(page).toContain('Unsubscribe from The Weekly Brief?');
      expect(page).toMatch(/<form method="post" action="\/unsubscribe\?token=[\w-]+">/);
      expect(page).toContain('<button type="submit"');
      expect(page).toContain('noindex');
      expect(await subscribedTo(t.db, s.memberId)).toEqual([s.newsletterId]);
      expect(await sendEvents(t.db, s.sendId)).toEqual([]);
    });

    it('a one-click POST with no cookies unsubscribes and records the events and counter', async () => {
      const res = await harness.app.request(`/unsubscribe?token=${tokenFor(s)}`, ONE_CLICK);
      expect(res.status).toBe(200);
      expect(await res.text()).toContain('You have been unsubscribed');
      expect(await subscribedTo(t.db, s.memberId)).toEqual([]);
      const [event] = await memberEventTypes(t.db, s.memberId);
      expect(event?.type).toBe('newsletters_changed');
      expect(event?.data).toMatchObject({ subscribed: [], unsubscribed: [expect.any(String)] });
      expect(await sendEvents(t.db, s.sendId)).toEqual([
        { type: 'unsubscribed', email: s.email, data: { newsletterId: s.newsletterId } },
      ]);
      expect((await readSend(t.db, s.sendId)).unsubscribed).toBe(1);
    });

    it('a second POST says "already unsubscribed" and records nothing more', async () => {
      const url = `/unsubscribe?token=${tokenFor(s)}`;
      await harness.app.request(url, ONE_CLICK);
      const again = await harness.app.request(url, ONE_CLICK);
      expect(again.status).toBe(200);
      expect(await again.text()).toContain('already unsubscribed');
      expect(await memberEventTypes(t.db, s.memberId)).toHaveLength(1);
      expect(await sendEvents(t.db, s.sendId)).toHaveLength(1);
      expect((await readSend(t.db, s.sendId)).unsubscribed).toBe(1);
      // And the link itself now says so rather than offering the button.
      const page = await (await harness.app.request(url)).text();
      expect(page).toContain('already unsubscribed');
      expect(page).not.toContain('action="/unsubscribe');
    });

    it('a token without a send unsubscribes and counts against no send', async () => {
      const res = await harness.app.request(`/unsubscribe?token=${tokenFor(s, false)}`, ONE_CLICK);
      expect(res.status).toBe(200);
      expect(await subscribedTo(t.db, s.memberId)).toEqual([]);
      expect((await readSend(t.db, s.sendId)).unsubscribed).toBe(0);
    });

    it.each([
      [
        'forged with another secret',
        (sc: Scenario) =>
          signUnsubscribe(
            { memberId: sc.memberId, newsletterId: sc.newsletterId },
            'not-our-secret',
          ),
      ],
      [
        'altered by one character',
        (sc: Scenario) => {
          const token = signUnsubscribe(
            { memberId: sc.memberId, newsletterId: sc.newsletterId },
            SECRET,
          );
          return token.slice(0, 5) + (token[5] === 'A' ? 'B' : 'A') + token.slice(6);
        },
      ],
      ['missing', () => ''],
    ])('a token %s is a 400 that changes nothing', async (_name, make) => {
      const token = make(s);
      for (const init of [undefined, ONE_CLICK]) {
        const res = await harness.app.request(`/unsubscribe?token=${token}`, init);
        expect(res.status).toBe(400);
        expect(await res.text()).toContain('not valid, so nothing was changed');
      }
      const api = await harness.app.request('/api/email/unsubscribe', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ token: token || 'x' }),
      });
      expect(api.status).toBe(400);
      expect(((await api.json()) as { error: { code: string } }).error.code).toBe(
        'invalid_unsubscribe_link',
      );
      expect(await subscribedTo(t.db, s.memberId)).toEqual([s.newsletterId]);
      expect(await memberEventTypes(t.db, s.memberId)).toEqual([]);
      expect((await readSend(t.db, s.sendId)).unsubscribed).toBe(0);
    });

    it('the JSON twin unsubscribes and answers what happened', async () => {
      const res = await harness.app.request('/api/email/unsubscribe', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ token: tokenFor(s) }),
      });
      expect(res.status).toBe(200);
      expect(await res.json()).toEqual({
        result: 'unsubscribed',
        newsletterId: s.newsletterId,
        newsletterName: 'The Weekly Brief',
      });
      expect(await subscribedTo(t.db, s.memberId)).toEqual([]);
    });
  });

  describe('bounces over HTTP', () => {
    it('a hard bounce with our VERP address suppresses the address and counts once', async () => {
      const raw = dsn({ to: verpFor(s), recipient: s.email, status: '5.1.1' });
      const res = await postBounce(raw);
      expect(res.status).toBe(200);
      expect(await res.json()).toEqual({
        recognised: true,
        results: [{ email: s.email, kind: 'hard', outcome: 'suppressed', sendId: s.sendId }],
      });
      expect(await suppression(t.db, s.email)).toMatchObject({
        reason: 'hard_bounce',
        send_id: s.sendId,
      });
      expect(await sendEvents(t.db, s.sendId)).toEqual([
        {
          type: 'bounced',
          email: s.email,
          data: { kind: 'hard', status: '5.1.1', diagnostic: expect.stringContaining('5.1.1') },
        },
      ]);
      // The same report delivered again is recorded but not counted again.
      await postBounce(raw);
      expect((await readSend(t.db, s.sendId)).bounced).toBe(1);
      // The member's history says so once, naming the send and nothing personal.
      expect(await memberEventTypes(t.db, s.memberId)).toEqual([
        { type: 'email_bounced', data: { kind: 'hard', status: '5.1.1', send_id: s.sendId } },
      ]);
      expect(await harness.feedback.service.isSuppressed(s.email.toUpperCase())).toBe(true);
    });

    it('a hard bounce without VERP matches a recent copy by address', async () => {
      const res = await postBounce(
        dsn({ to: 'bnc@bounces.example.com', recipient: s.email, status: '5.1.1' }),
      );
      expect(((await res.json()) as { results: { outcome: string }[] }).results[0]?.outcome).toBe(
        'suppressed',
      );
      expect((await readSend(t.db, s.sendId)).bounced).toBe(1);
    });

    it('a bounce about an address we did not mail changes nothing', async () => {
      const res = await postBounce(
        dsn({
          to: verpFor(s).replace(/\.[0-9a-z]{8}@/, '.00000000@'),
          recipient: 'stranger@example.org',
          status: '5.1.1',
        }),
      );
      expect(await res.json()).toEqual({
        recognised: true,
        results: [
          { email: 'stranger@example.org', kind: 'hard', outcome: 'unmatched', sendId: null },
        ],
      });
      expect(await suppression(t.db, 'stranger@example.org')).toBeUndefined();
    });

    it('a soft bounce is recorded, and only the third within 30 days suppresses', async () => {
      const raw = dsn({ to: verpFor(s), recipient: s.email, status: '5.2.2' });
      for (const expected of ['recorded', 'recorded', 'suppressed']) {
        const body = (await (await postBounce(raw)).json()) as { results: { outcome: string }[] };
        expect(body.results[0]?.outcome).toBe(expected);
        if (expected === 'recorded') expect(await suppression(t.db, s.email)).toBeUndefined();
      }
      expect(await suppression(t.db, s.email)).toMatchObject({ reason: 'soft_bounce_repeated' });
      const events = await sendEvents(t.db, s.sendId);
      expect(events.map((e) => e.data.kind)).toEqual(['soft', 'soft', 'soft']);
      expect((await readSend(t.db, s.sendId)).bounced).toBe(0);
      expect((await memberEventTypes(t.db, s.memberId)).map((e) => e.data.kind)).toEqual([
        'soft',
        'soft',
        'soft',
      ]);
    });

    it('a delay notice is no bounce', async () => {
      await postBounce(
        dsn({ to: verpFor(s), recipient: s.email, status: '4.4.1', action: 'delayed' }),
      );
      expect(await sendEvents(t.db, s.sendId)).toEqual([]);
    });

    it('a message that is no bounce is answered unrecognised', async () => {
      const res = await postBounce('Subject: hello\r\n\r\njust saying hi\r\n');
      expect(await res.json()).toEqual({ recognised: false, results: [] });
    });

    it.each([
      ['a wrong secret', { 'x-pressroom-inbound-secret': 'wrong' }],
      ['no secret', {} as Record<string, string>],
      [
        'basic auth with a wrong password',
        { authorization: `Basic ${Buffer.from('postmark:wrong').toString('base64')}` },
      ],
    ])('%s is a 401', async (_name, headers) => {
      const res = await harness.app.request('/api/email/bounces', {
        method: 'POST',
        headers: { 'content-type': 'message/rfc822', ...headers },
        body: dsn({ to: verpFor(s), recipient: s.email, status: '5.1.1' }),
      });
      expect(res.status).toBe(401);
      expect(await suppression(t.db, s.email)).toBeUndefined();
    });

    it('any other content type is a 415', async () => {
      const res = await harness.app.request('/api/email/bounces', {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'x-pressroom-inbound-secret': INBOUND_SECRET,
        },
        body: '{}',
      });
      expect(res.status).toBe(415);
    });
  });

  describe('Postmark webhook', () => {
    const postmark = (body: object, password = INBOUND_SECRET) =>
      harness.app.request('/api/email/postmark-webhook', {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          authorization: `Basic ${Buffer.from(`postmark:${password}`).toString('base64')}`,
        },
        body: JSON.stringify(body),
      });

    it('a HardBounce suppresses the address, found by its MessageID', async () => {
      const res = await postmark({
        RecordType: 'Bounce',
        Type: 'HardBounce',
        TypeCode: 1,
        Email: s.email,
        MessageID: `pm-${s.sendId}`,
        Details: 'smtp;550 5.1.1 The email account that you tried to reach does not exist.',
      });
      expect(res.status).toBe(200);
      expect(await suppression(t.db, s.email)).toMatchObject({ reason: 'hard_bounce' });
      expect((await readSend(t.db, s.sendId)).bounced).toBe(1);
    });

    it('a SpamComplaint suppresses the address and counts a complaint', async () => {
      const res = await postmark({
        RecordType: 'SpamComplaint',
        Type: 'SpamComplaint',
        Email: s.email,
        MessageID: `pm-${s.sendId}`,
      });
      expect(res.status).toBe(200);
      expect(await suppression(t.db, s.email)).toMatchObject({
        reason: 'complaint',
        send_id: s.sendId,
      });
      expect((await readSend(t.db, s.sendId)).complained).toBe(1);
      expect((await sendEvents(t.db, s.sendId)).map((e) => e.type)).toEqual(['complained']);
      expect(await memberEventTypes(t.db, s.memberId)).toEqual([
        { type: 'email_complained', data: { send_id: s.sendId } },
      ]);
    });

    it('a SoftBounce is recorded only; an AutoResponder is ignored', async () => {
      await postmark({
        RecordType: 'Bounce',
        Type: 'SoftBounce',
        Email: s.email,
        MessageID: `pm-${s.sendId}`,
      });
      const ignored = await postmark({
        RecordType: 'Bounce',
        Type: 'AutoResponder',
        Email: s.email,
      });
      expect(await ignored.json()).toMatchObject({ recognised: false });
      expect(await suppression(t.db, s.email)).toBeUndefined();
      expect((await sendEvents(t.db, s.sendId)).map((e) => e.data.kind)).toEqual(['soft']);
    });

    it('the X-Pressroom-Inbound-Secret header works too; a wrong password is a 401', async () => {
      expect((await postmark({ RecordType: 'SpamComplaint', Email: s.email }, 'nope')).status).toBe(
        401,
      );
      const res = await harness.app.request('/api/email/postmark-webhook', {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'x-pressroom-inbound-secret': INBOUND_SECRET,
        },
        body: JSON.stringify({ RecordType: 'SpamComplaint', Email: s.email }),
      });
      expect(res.status).toBe(200);
      expect(await suppression(t.db, s.email)).toMatchObject({ reason: 'complaint' });
    });
  });

  describe('the SMTP bounce listener', () => {
    let listener: { port: number; close(): Promise<void> } | undefined;
    afterEach(async () => {
      await listener?.close();
      listener = undefined;
    });

    it('takes a DSN for a bnc+ address and suppresses; refuses other recipients with 550', async () => {
      listener = await harness.feedback.startBounceListener({
        port: 0,
        host: '127.0.0.1',
        disableStartTls: true,
      });
      const transport = nodemailer.createTransport({
        host: '127.0.0.1',
        port: listener.port,
        secure: false,
        ignoreTLS: true,
      });
      const verp = verpFor(s);
      await transport.sendMail({
        envelope: { from: '', to: [verp] },
        raw: dsn({ to: verp, recipient: s.email, status: '5.1.1' }),
      });
      expect(await suppression(t.db, s.email)).toMatchObject({ reason: 'hard_bounce' });
      expect((await readSend(t.db, s.sendId)).bounced).toBe(1);

      await expect(
        transport.sendMail({
          envelope: { from: 'someone@example.org', to: [`postmaster@${BOUNCE_DOMAIN}`] },
          raw: 'Subject: hi\r\n\r\nhello\r\n',
        }),
      ).rejects.toMatchObject({ responseCode: 550 });
      transport.close();
    });
  });
});
