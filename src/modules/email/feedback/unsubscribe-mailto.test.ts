import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, ownerClient, type TestApp } from '../../../../test/support/app.js';
import { engines } from '../../../../test/support/database.js';
import { insertMember } from '../../../../test/support/fixtures.js';
import { startSmtpSink, type ReceivedMail } from '../../../../test/support/smtp-sink.js';
import { appSecret } from '../../../platform/app-state.js';
import { signUnsubscribe, verifyUnsubscribe } from '../delivery/index.js';
import type { BounceListener } from './index.js';
import {
  loopbackMailer,
  mailtoParts,
  rawHeader,
  unsubscribeTargets,
} from './unsubscribe-mailto.fixtures.js';

const PUBLIC_URL = 'https://news.example.com';
// Not the site's own host, so the test sees which domain the mailto is built from.
const BOUNCE_DOMAIN = 'bounces.mail-news.example';
const READERS = { ana: 'ana@example.com', ben: 'ben@example.com', cy: 'cy@example.com' } as const;

/**
 * The mailto half of List-Unsubscribe through the whole app: a send delivered to a real SMTP
 * server, and the unsubscribe mail a reader's client sends back to the bounce listener.
 */
describe.each(engines)('mailto unsubscribe through the app on %s', (dialect) => {
  let sink: Awaited<ReturnType<typeof startSmtpSink>>;
  let t: TestApp;
  let listener: BounceListener;
  let mailer: ReturnType<typeof loopbackMailer>;
  let secret: string;
  let sendId: string;
  let weekly: { id: string; slug: string };
  let weekend: { id: string };
  let mails: ReceivedMail[];

  beforeAll(async () => {
    sink = await startSmtpSink();
    t = await createTestApp(dialect, {
      env: {
        SMTP_URL: sink.url,
        PRESSROOM_URL: PUBLIC_URL,
        PRESSROOM_BOUNCE_DOMAIN: BOUNCE_DOMAIN,
        // Configured, so the mailto is offered; the test starts the listener on its own port.
        PRESSROOM_BOUNCE_PORT: '2525',
      },
    });
    const { pressroom } = t;
    listener = await pressroom.startBounceListener({
      port: 0,
      host: '127.0.0.1',
      disableStartTls: true,
    });
    mailer = loopbackMailer(listener.port);
    secret = await appSecret(pressroom.db);

    const owner = await ownerClient(t);
    const created = await owner.post('/api/admin/posts', {
      title: 'Budget week',
      markdown: 'What changed, line by line.',
      status: 'published',
    });
    const { post } = (await created.json()) as { post: { id: string } };
    await pressroom.services.newsletters.ensureDefault();
    weekly = await pressroom.db
      .selectFrom('newsletters')
      .select(['id', 'slug'])
      .executeTakeFirstOrThrow();
    weekend = await pressroom.services.newsletters.create({ name: 'Weekend Edition' });
    for (const name of ['ana', 'ben', 'cy'] as const) {
      await insertMember(pressroom.db, {
        id: `m-${name}`,
        email: READERS[name],
        newsletters: [weekly.id, weekend.id],
      });
    }

    const sends = pressroom.services.sends;
    if (!sends) throw new Error('SMTP_URL is set, so sends must exist');
    sendId = (await sends.createSend({ postId: post.id, newsletterId: weekly.id, segment: 'all' }))
      .id;
    await pressroom.worker().drain();
    mails = await sink.waitFor(3);
  });
  afterAll(async () => {
    mailer?.close();
    await listener?.close();
    await t?.close();
    await sink?.close();
  });

  const mailFor = (email: string) => {
    const mail = mails.find((m) => m.envelope.to[0] === email);
    if (!mail) throw new Error(`no copy went to ${email}`);
    return mail;
  };
  const tokenOf = (email: string) =>
    new URL(
      unsubscribeTargets(rawHeader(mailFor(email).raw, 'List-Unsubscribe')!)[0]!,
    ).searchParams.get('token')!;
  const subscriptions = async (memberId: string) =>
    (
      await t.pressroom.db
        .selectFrom('member_newsletters')
        .select('newsletter_id')
        .where('member_id', '=', memberId)
        .execute()
    )
      .map((r) => r.newsletter_id)
      .sort();
  const unsubscribedFigure = async () =>
    (
      await t.pressroom.db
        .selectFrom('email_sends')
        .select('unsubscribed')
        .where('id', '=', sendId)
        .executeTakeFirstOrThrow()
    ).unsubscribed;
  const unsubscribeEvents = async (email: string) =>
    (
      await t.pressroom.db
        .selectFrom('email_send_events')
        .select(['send_id', 'data'])
        .where('email', '=', email)
        .where('type', '=', 'unsubscribed')
        .execute()
    ).map((e) => ({ sendId: e.send_id, data: JSON.parse(e.data) as unknown }));
  const memberEvents = (memberId: string) =>
    t.pressroom.db
      .selectFrom('member_events')
      .select(['type', 'data'])
      .where('member_id', '=', memberId)
      .where('type', '=', 'newsletters_changed')
      .execute();

  it('every copy offers the https link and unsubscribe@<bounce domain>, with one-click', () => {
    expect(mails.map((m) => m.envelope.to[0]).sort()).toEqual(Object.values(READERS).sort());
    for (const [name, email] of Object.entries(READERS)) {
      const memberId = `m-${name}`;
      const raw = mailFor(email).raw;
      const token = tokenOf(email);
      expect(verifyUnsubscribe(token, secret)).toEqual({
        memberId,
        newsletterId: weekly.id,
        sendId,
      });
      expect(rawHeader(raw, 'List-Unsubscribe')).toBe(
        `<${PUBLIC_URL}/unsubscribe?token=${token}>, ` +
          `<mailto:unsubscribe@${BOUNCE_DOMAIN}?subject=unsubscribe-${token}>`,
      );
      expect(rawHeader(raw, 'List-Unsubscribe-Post')).toBe('List-Unsubscribe=One-Click');
    }
  });

  it('mailing the mailto target unsubscribes that reader from that newsletter, once', async () => {
    const [, target] = unsubscribeTargets(rawHeader(mailFor(READERS.ana).raw, 'List-Unsubscribe')!);
    const { address, subject } = mailtoParts(target!);
    const before = await unsubscribedFigure();
    expect(await subscriptions('m-ana')).toEqual([weekly.id, weekend.id].sort());

    // What a client's unsubscribe button sends: the mailto's address and subject, any body.
    const info = await mailer.sendMail({
      from: READERS.ana,
      to: address,
      subject: subject!,
      text: 'This message was sent to unsubscribe you.',
    });
    expect(info.response).toMatch(/^250\b/);

    expect(await subscriptions('m-ana')).toEqual([weekend.id]);
    expect(await subscriptions('m-ben')).toEqual([weekly.id, weekend.id].sort());
    expect(await unsubscribedFigure()).toBe(before + 1);
    expect(await unsubscribeEvents(READERS.ana)).toEqual([
      { sendId, data: { newsletterId: weekly.id } },
    ]);
    const changes = await memberEvents('m-ana');
    expect(changes).toHaveLength(1);
    expect(JSON.parse(changes[0]!.data)).toMatchObject({
      subscribed: [],
      unsubscribed: [weekly.slug],
    });

    // Sent again (a second click, or a retry), and with the address in capitals as some
    // servers write it: taken, and nothing counted twice.
    const again = await mailer.sendMail({
      from: READERS.ana,
      to: address.toUpperCase(),
      subject: subject!,
      text: 'Again.',
    });
    expect(again.response).toMatch(/^250\b/);
    expect(await unsubscribedFigure()).toBe(before + 1);
    expect(await unsubscribeEvents(READERS.ana)).toHaveLength(1);
    expect(await memberEvents('m-ana')).toHaveLength(1);
  });

  it.each([
    [
      'altered by one character',
      (token: string) => token.slice(0, 40) + (token[40] === 'A' ? 'B' : 'A') + token.slice(41),
    ],
    [
      'forged with another secret',
      () =>
        signUnsubscribe(
          { memberId: 'm-ben', newsletterId: weekly.id, sendId },
          'a secret that is not ours',
        ),
    ],
    ['cut short', (token: string) => token.slice(0, -1)],
  ])('a token %s is refused with 550 and changes nothing', async (_name, alter) => {
    const forged = alter(tokenOf(READERS.ben));
    expect(forged).not.toBe(tokenOf(READERS.ben));
    await expectRefused(`unsubscribe-${forged}`);
  });

  it.each([
    ['a reply to it', (token: string) => `Re: unsubscribe-${token}`],
    ['words of a person', () => 'Please take me off this list'],
  ])('a subject that is %s is refused with 550 and changes nothing', async (_name, subject) => {
    await expectRefused(subject(tokenOf(READERS.ben)));
  });

  it('a genuine token with whitespace around it still unsubscribes', async () => {
    const before = await unsubscribedFigure();
    const info = await mailer.sendMail({
      envelope: { from: READERS.cy, to: [`unsubscribe@${BOUNCE_DOMAIN}`] },
      raw: `From: ${READERS.cy}\r\nSubject: \t unsubscribe-${tokenOf(READERS.cy)}  \r\n\r\nbye\r\n`,
    });
    expect(info.response).toMatch(/^250\b/);
    expect(await subscriptions('m-cy')).toEqual([weekend.id]);
    expect(await unsubscribedFigure()).toBe(before + 1);
  });

  it('other addresses at the bounce domain, and the address at other domains, are refused', async () => {
    for (const to of [`postmaster@${BOUNCE_DOMAIN}`, 'unsubscribe@news.example.com']) {
      await expect(
        mailer.sendMail({
          from: READERS.ben,
          to,
          subject: `unsubscribe-${tokenOf(READERS.ben)}`,
          text: 'x',
        }),
      ).rejects.toMatchObject({ responseCode: 550, command: 'RCPT TO' });
    }
  });

  async function expectRefused(subject: string) {
    const before = await unsubscribedFigure();
    await expect(
      mailer.sendMail({
        from: READERS.ben,
        to: `unsubscribe@${BOUNCE_DOMAIN}`,
        subject,
        text: 'Unsubscribe me.',
      }),
    ).rejects.toMatchObject({
      responseCode: 550,
      command: 'DATA',
      response: expect.stringContaining('nothing was changed'),
    });
    expect(await subscriptions('m-ben')).toEqual([weekly.id, weekend.id].sort());
    expect(await unsubscribedFigure()).toBe(before);
    expect(await unsubscribeEvents(READERS.ben)).toEqual([]);
    expect(await memberEvents('m-ben')).toEqual([]);
  }
});
