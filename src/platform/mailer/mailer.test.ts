import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { simpleParser } from 'mailparser';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSmtpSink } from '../../../test/support/smtp-sink.js';
import { createMailer } from './index.js';

const logger = pino({ level: 'silent' });
const message = {
  to: 'reader@example.com',
  subject: 'Confirm your subscription',
  html: '<p>Click <a href="https://news.example.com/confirm?t=abc">here</a></p>',
  text: 'Click https://news.example.com/confirm?t=abc',
  headers: { 'X-Pressroom-Purpose': 'signup' },
};

describe('mailer over SMTP', () => {
  let sink: Awaited<ReturnType<typeof startSmtpSink>>;
  beforeAll(async () => {
    sink = await startSmtpSink({ user: 'press', pass: 'room' });
  });
  afterAll(async () => {
    await sink.close();
  });

  it('delivers HTML and text parts with auth, From and a Message-ID', async () => {
    const mailer = createMailer(
      {
        smtpUrl: sink.url,
        from: 'News <news@example.com>',
        outboxDir: '/nonexistent',
        messageIdDomain: 'news.example.com',
      },
      logger,
    );
    const sent = await mailer.send(message);
    await mailer.close();
    const [mail] = await sink.waitFor(1);
    expect(mail!.envelope).toEqual({ from: 'news@example.com', to: ['reader@example.com'] });
    expect(mail!.parsed.subject).toBe('Confirm your subscription');
    expect(mail!.parsed.html).toContain('href="https://news.example.com/confirm?t=abc"');
    expect(mail!.parsed.text?.trim()).toBe(message.text);
    expect(mail!.parsed.messageId).toBe(sent.messageId);
    expect(sent.messageId).toMatch(/@news\.example\.com>$/);
    expect(mail!.parsed.headers.get('x-pressroom-purpose')).toBe('signup');
  });

  it('fails loudly when the server refuses the credentials', async () => {
    const mailer = createMailer(
      {
        smtpUrl: `smtp://press:wrong@127.0.0.1:${sink.port}`,
        from: 'n@example.com',
        outboxDir: '/nonexistent',
        messageIdDomain: 'x',
      },
      logger,
    );
    await expect(mailer.send(message)).rejects.toThrow(/Invalid login|Invalid credentials|535/);
    await mailer.close();
  });
});

describe('mailer without SMTP', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'pressroom-outbox-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('writes each message as an .eml file that parses back', async () => {
    const mailer = createMailer(
      {
        smtpUrl: undefined,
        from: 'News <news@example.com>',
        outboxDir: dir,
        messageIdDomain: 'news.example.com',
      },
      logger,
    );
    const sent = await mailer.send(message);
    expect(sent.file).toBeDefined();
    expect(readdirSync(dir)).toEqual([path.basename(sent.file!)]);
    const parsed = await simpleParser(readFileSync(sent.file!));
    expect(parsed.subject).toBe(message.subject);
    expect(parsed.to && 'text' in parsed.to ? parsed.to.text : '').toBe('reader@example.com');
    expect(parsed.html).toContain('https://news.example.com/confirm?t=abc');
    expect(parsed.text?.trim()).toBe(message.text);
  });
});
