import { randomUUID } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import nodemailer from 'nodemailer';
import type { Logger } from '../logger.js';

export interface OutgoingMessage {
  to: string;
  subject: string;
  html: string;
  text: string;
  /** Overrides the configured From. */
  from?: string;
  replyTo?: string;
  headers?: Record<string, string>;
}

export interface SentMessage {
  messageId: string;
  /** Not sent: the address is on the suppression list (it bounced hard or complained). */
  suppressed?: true;
  /** The .eml file written when no SMTP server is configured. */
  file?: string;
}

/** Transactional mail (sign-in links, confirmations). Bulk newsletter sending builds on this. */
export interface Mailer {
  send(message: OutgoingMessage): Promise<SentMessage>;
  close(): Promise<void>;
}

export interface MailerConfig {
  /** smtp://user:pass@host:587 or smtps://…:465; unset: write .eml files instead. */
  smtpUrl: string | undefined;
  from: string;
  /** Where .eml files go when there is no SMTP server. */
  outboxDir: string;
  /** Domain for Message-ID headers. */
  messageIdDomain: string;
}

/**
 * nodemailer over SMTP (pooled connections) when SMTP_URL is set; otherwise every message is
 * written as an .eml file under the data folder and logged, so a fresh install can sign
 * people in without any mail server (open the file, click the link).
 */
export function createMailer(config: MailerConfig, logger: Logger): Mailer {
  if (config.smtpUrl) {
    const transport = nodemailer.createTransport(withPool(config.smtpUrl));
    return {
      async send(message) {
        const messageId = `<${randomUUID()}@${config.messageIdDomain}>`;
        await transport.sendMail({ ...toNodemailer(message, config.from), messageId });
        logger.info({ to: message.to, subject: message.subject, messageId }, 'mail sent');
        return { messageId };
      },
      async close() {
        transport.close();
      },
    };
  }

  const transport = nodemailer.createTransport({
    streamTransport: true,
    buffer: true,
    newline: 'unix',
  });
  return {
    async send(message) {
      const messageId = `<${randomUUID()}@${config.messageIdDomain}>`;
      const info = await transport.sendMail({ ...toNodemailer(message, config.from), messageId });
      await mkdir(config.outboxDir, { recursive: true });
      const safeTo = message.to.replace(/[^\w.@-]/g, '_');
      const file = path.join(
        config.outboxDir,
        `${new Date().toISOString().replace(/[:.]/g, '-')}-${safeTo}.eml`,
      );
      await writeFile(file, info.message as Buffer, { mode: 0o600 });
      logger.info(
        { to: message.to, subject: message.subject, file },
        'no SMTP_URL set: mail written to the outbox folder',
      );
      return { messageId, file };
    },
    async close() {
      transport.close();
    },
  };
}

function withPool(url: string): string {
  const u = new URL(url);
  if (!u.searchParams.has('pool')) u.searchParams.set('pool', 'true');
  return u.toString();
}

function toNodemailer(message: OutgoingMessage, defaultFrom: string) {
  return {
    from: message.from ?? defaultFrom,
    to: message.to,
    subject: message.subject,
    html: message.html,
    text: message.text,
    ...(message.replyTo ? { replyTo: message.replyTo } : {}),
    ...(message.headers ? { headers: message.headers } : {}),
  };
}
