import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startFakePostmark } from '../../../../test/support/fake-postmark.js';
import {
  classifyPostmarkReply,
  createPostmarkTransport,
  TransportError,
  type OutgoingBulkMessage,
} from './index.js';

const TOKEN = 'server-token-1';

function message(to: string): OutgoingBulkMessage {
  return {
    to,
    from: 'The Ledger <news@ledger.example>',
    subject: 'Issue 12',
    html: `<p>Hello ${to}</p>`,
    text: `Hello ${to}`,
    headers: {
      'List-Unsubscribe': `<https://ledger.example/unsubscribe?token=t-${to}>`,
      'List-Unsubscribe-Post': 'List-Unsubscribe=One-Click',
    },
    envelopeFrom: 'bounces+abc@ledger.example',
    messageId: `<${to.replace('@', '.')}@ledger.example>`,
  };
}

describe('Postmark transport', () => {
  let fake: Awaited<ReturnType<typeof startFakePostmark>>;
  beforeEach(async () => {
    fake = await startFakePostmark({ token: TOKEN });
  });
  afterEach(async () => {
    await fake.close();
  });

  it('sends one batch request with Postmark fields and the unsubscribe headers', async () => {
    const transport = createPostmarkTransport({ serverToken: TOKEN, baseUrl: fake.url });
    const results = await transport.send([message('a@example.com'), message('b@example.com')]);

    expect(results).toEqual([
      { ok: true, providerId: 'fake-1' },
      { ok: true, providerId: 'fake-2' },
    ]);
    expect(fake.batches).toHaveLength(1);
    const [first] = fake.batches[0] ?? [];
    expect(first).toEqual({
      From: 'The Ledger <news@ledger.example>',
      To: 'a@example.com',
      Subject: 'Issue 12',
      HtmlBody: '<p>Hello a@example.com</p>',
      TextBody: 'Hello a@example.com',
      MessageStream: 'broadcast',
      Headers: [
        { Name: 'Message-ID', Value: '<a.example.com@ledger.example>' },
        {
          Name: 'List-Unsubscribe',
          Value: '<https://ledger.example/unsubscribe?token=t-a@example.com>',
        },
        { Name: 'List-Unsubscribe-Post', Value: 'List-Unsubscribe=One-Click' },
      ],
    });
  });

  it('maps per-message errors while the rest of the batch goes out', async () => {
    fake.failRecipient('gone@example.com', 406, 'Address is inactive.');
    fake.failRecipient('bad@example.com', 300, 'Invalid To address.');
    fake.failRecipient('odd@example.com', 701, 'Something else.');
    const transport = createPostmarkTransport({ serverToken: TOKEN, baseUrl: fake.url });

    const results = await transport.send(
      ['ok@example.com', 'gone@example.com', 'bad@example.com', 'odd@example.com'].map(message),
    );

    expect(results).toEqual([
      { ok: true, providerId: 'fake-1' },
      { ok: false, kind: 'permanent', code: 406, message: 'Address is inactive.' },
      { ok: false, kind: 'permanent', code: 300, message: 'Invalid To address.' },
      { ok: false, kind: 'temporary', code: 701, message: 'Something else.' },
    ]);
  });

  it('answers HTTP 429 and 5xx with a temporary result for every message', async () => {
    fake.failNextRequests(429);
    fake.failNextRequests(503);
    const transport = createPostmarkTransport({ serverToken: TOKEN, baseUrl: fake.url });
    const batch = [message('a@example.com'), message('b@example.com')];

    for (const status of [429, 503]) {
      const results = await transport.send(batch);
      expect(results).toHaveLength(2);
      for (const r of results)
        expect(r).toMatchObject({ ok: false, kind: 'temporary', code: status });
    }
    expect(fake.batches).toHaveLength(0);
    expect(await transport.send(batch)).toMatchObject([{ ok: true }, { ok: true }]);
  });

  it('throws an auth TransportError for a bad server token', async () => {
    const transport = createPostmarkTransport({ serverToken: 'wrong', baseUrl: fake.url });
    const sending = transport.send([message('a@example.com')]);
    await expect(sending).rejects.toBeInstanceOf(TransportError);
    await expect(sending).rejects.toMatchObject({ failure: 'auth', kind: 'temporary' });
    await expect(sending).rejects.toThrow(/Server Token/);
  });

  it('throws an unreachable TransportError when nothing listens', async () => {
    const gone = await startFakePostmark({ token: TOKEN });
    const url = gone.url;
    await gone.close();
    const transport = createPostmarkTransport({ serverToken: TOKEN, baseUrl: url });
    await expect(transport.send([message('a@example.com')])).rejects.toMatchObject({
      failure: 'unreachable',
    });
  });

  it('refuses more than 500 messages per call', async () => {
    const transport = createPostmarkTransport({ serverToken: TOKEN, baseUrl: fake.url });
    const many = Array.from({ length: 501 }, (_, i) => message(`r${i}@example.com`));
    await expect(transport.send(many)).rejects.toThrow(RangeError);
  });
});

describe('classifyPostmarkReply', () => {
  it.each([
    [
      { ErrorCode: 0, Message: 'OK', MessageID: 'id-1' },
      { ok: true, providerId: 'id-1' },
    ],
    [
      { ErrorCode: 406, Message: 'inactive' },
      { ok: false, kind: 'permanent', code: 406, message: 'inactive' },
    ],
    [
      { ErrorCode: 300, Message: "Error parsing 'To': Illegal email address 'x@'." },
      {
        ok: false,
        kind: 'permanent',
        code: 300,
        message: "Error parsing 'To': Illegal email address 'x@'.",
      },
    ],
    // Our own From or headers at fault: not the recipient's, so not suppressed.
    [
      { ErrorCode: 300, Message: "Invalid 'From' address: 'news@'." },
      { ok: false, kind: 'temporary', code: 300, message: "Invalid 'From' address: 'news@'." },
    ],
    [
      { ErrorCode: 429, Message: 'rate' },
      { ok: false, kind: 'temporary', code: 429, message: 'rate' },
    ],
  ])('%j → %j', (reply, expected) => {
    expect(classifyPostmarkReply(reply)).toEqual(expected);
  });
});
