import { generateKeyPairSync } from 'node:crypto';
import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { authenticate } from 'mailauth';
import { SMTPServer } from 'smtp-server';
import { afterEach, describe, expect, it } from 'vitest';
import { startSmtpSink } from '../../../../test/support/smtp-sink.js';
import {
  classifySmtpError,
  createSmtpTransport,
  TransportError,
  type EmailTransport,
  type OutgoingBulkMessage,
} from './index.js';

function message(to: string, n: number): OutgoingBulkMessage {
  return {
    to,
    from: 'The Ledger <news@ledger.example>',
    subject: 'Issue 12',
    html: '<p>Hello</p>',
    text: 'Hello',
    headers: {
      'List-Unsubscribe': `<https://ledger.example/unsubscribe?token=tok${n}>`,
      'List-Unsubscribe-Post': 'List-Unsubscribe=One-Click',
    },
    envelopeFrom: `bounces+s1.r${n}.mac@ledger.example`,
    messageId: `<m${n}@ledger.example>`,
  };
}

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function sink() {
  const s = await startSmtpSink();
  cleanups.push(s.close);
  return s;
}

function transportFor(...args: Parameters<typeof createSmtpTransport>): EmailTransport {
  const t = createSmtpTransport(...args);
  cleanups.push(() => t.close());
  return t;
}

/** A sink that refuses chosen recipients at RCPT TO with the given reply (`550 5.1.1 …`). */
async function startRejectingSink(rejections: Record<string, string>) {
  const accepted: string[] = [];
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    onRcptTo(address, _session, callback) {
      const reply = rejections[address.address];
      if (reply === undefined) return callback();
      const [code, ...text] = reply.split(' ');
      callback(Object.assign(new Error(text.join(' ')), { responseCode: Number(code) }));
    },
    onData(stream, session, callback) {
      stream.resume();
      stream.on('end', () => {
        accepted.push(...session.envelope.rcptTo.map((r) => r.address));
        callback();
      });
    },
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  cleanups.push(() => new Promise<void>((resolve) => server.close(() => resolve())));
  return { port: (server.server.address() as AddressInfo).port, accepted };
}

describe('SMTP transport', () => {
  it('sends each message with its VERP envelope sender and its headers', async () => {
    const s = await sink();
    const transport = transportFor({ connection: { url: s.url }, concurrency: 2 });
    const batch = ['a@example.com', 'b@example.com', 'c@example.com'].map(message);

    const results = await transport.send(batch);

    expect(results).toEqual(batch.map(() => expect.objectContaining({ ok: true })));
    const received = await s.waitFor(3);
    for (const [i, m] of batch.entries()) {
      const mail = received.find((r) => r.envelope.to[0] === m.to);
      expect(mail?.envelope).toEqual({ from: `bounces+s1.r${i}.mac@ledger.example`, to: [m.to] });
      expect(mail?.parsed.messageId).toBe(m.messageId);
      // mailparser folds List-* headers into one object, so read the raw lines
      const lines = (mail?.raw.toString() ?? '').split('\r\n');
      expect(lines).toContain(
        `List-Unsubscribe: <https://ledger.example/unsubscribe?token=tok${i}>`,
      );
      expect(lines).toContain('List-Unsubscribe-Post: List-Unsubscribe=One-Click');
    }
  });

  it('signs with DKIM over both unsubscribe headers, verifiable by a receiver', async () => {
    const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const dnsName = 'pr2024._domainkey.ledger.example';
    const txt = `v=DKIM1; k=rsa; p=${publicKey.export({ type: 'spki', format: 'der' }).toString('base64')}`;
    const s = await sink();
    const transport = transportFor({
      connection: { host: '127.0.0.1', port: s.port, secure: false },
      dkim: {
        domainName: 'ledger.example',
        keySelector: 'pr2024',
        privateKey: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
      },
    });

    expect(await transport.send([message('a@example.com', 0)])).toEqual([
      expect.objectContaining({ ok: true }),
    ]);
    const [mail] = await s.waitFor(1);

    const result = await authenticate(mail!.raw, {
      trustReceived: false,
      disableArc: true,
      disableBimi: true,
      disableDmarc: true,
      resolver: async (name, type) => {
        if (type === 'TXT' && name === dnsName) return [[txt]];
        throw Object.assign(new Error(`no ${type} ${name}`), { code: 'ENOTFOUND' });
      },
    });
    expect(result.dkim.results[0]?.status.result).toBe('pass');
    const signature = mail!.parsed.headerLines.find((h) => h.key === 'dkim-signature')?.line ?? '';
    const signed = /\bh=([^;]+)/
      .exec(signature.replace(/\r?\n[ \t]/g, ''))?.[1]
      ?.toLowerCase()
      .split(':')
      .map((f) => f.trim());
    expect(signed).toEqual(expect.arrayContaining(['list-unsubscribe', 'list-unsubscribe-post']));
  });

  it('maps 4xx / 5xx recipient rejections to temporary / permanent and sends the rest', async () => {
    const s = await startRejectingSink({
      'busy@example.com': '450 4.2.1 Mailbox busy, try later',
      'gone@example.com': '550 5.1.1 No such user',
      'full@example.com': '552 5.2.2 Mailbox full',
    });
    const transport = transportFor({ connection: { host: '127.0.0.1', port: s.port } });
    const to = ['ok1@example.com', 'busy@example.com', 'gone@example.com', 'full@example.com'];

    const results = await transport.send(to.map(message));

    expect(results).toEqual([
      expect.objectContaining({ ok: true }),
      expect.objectContaining({ ok: false, kind: 'temporary', code: 450 }),
      expect.objectContaining({ ok: false, kind: 'permanent', code: 550 }),
      expect.objectContaining({ ok: false, kind: 'temporary', code: 552 }),
    ]);
    expect(s.accepted).toEqual(['ok1@example.com']);
  });

  it('sends batches far larger than its connections, two at once, each result in its place', async () => {
    const s = await startRejectingSink({ 'gone@example.com': '550 5.1.1 No such user' });
    const transport = transportFor({
      connection: { host: '127.0.0.1', port: s.port },
      concurrency: 2,
    });
    const first = Array.from({ length: 30 }, (_, i) => message(`a${i}@example.com`, i));
    const second = [
      message('gone@example.com', 30),
      ...Array.from({ length: 9 }, (_, i) => message(`b${i}@example.com`, 31 + i)),
    ];

    const [one, two] = await Promise.all([transport.send(first), transport.send(second)]);

    expect(transport.maxBatch).toBe(4); // two per connection by default

    expect(one).toEqual(first.map(() => expect.objectContaining({ ok: true })));
    expect(two[0]).toMatchObject({ ok: false, kind: 'permanent', code: 550 });
    expect(two.slice(1)).toEqual(second.slice(1).map(() => expect.objectContaining({ ok: true })));
    expect(s.accepted).toHaveLength(39);
  });

  it('throws an unreachable TransportError when nothing listens', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    const transport = transportFor({ connection: { host: '127.0.0.1', port } });

    const sending = transport.send([message('a@example.com', 0), message('b@example.com', 1)]);
    await expect(sending).rejects.toBeInstanceOf(TransportError);
    await expect(sending).rejects.toMatchObject({ failure: 'unreachable', kind: 'temporary' });
  });
});

describe('classifySmtpError', () => {
  const rcpt = (responseCode: number, response: string) => ({
    code: 'EENVELOPE',
    command: 'RCPT TO',
    responseCode,
    response,
  });
  it.each([
    [rcpt(450, '450 4.2.1 busy'), 'temporary'],
    [rcpt(550, '550 5.1.1 no such user'), 'permanent'],
    [rcpt(554, '554 5.7.1 blocked by policy'), 'temporary'],
    [rcpt(552, '552 5.2.2 mailbox full'), 'temporary'],
    [rcpt(553, '553 mailbox name not allowed'), 'permanent'],
    [
      { code: 'EENVELOPE', command: 'MAIL FROM', responseCode: 550, response: '550 5.1.8' },
      'temporary',
    ],
    [{ code: 'ECONNECTION', message: 'Connection closed unexpectedly' }, 'temporary'],
    [{ code: 'ETIMEDOUT', message: 'Timeout' }, 'temporary'],
  ] as const)('%j → %s', (error, kind) => {
    expect(classifySmtpError(error).kind).toBe(kind);
  });
});
