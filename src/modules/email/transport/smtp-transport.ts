import nodemailer from 'nodemailer';
import { classifySmtpReply } from '../delivery/index.js';
import {
  TransportError,
  type EmailTransport,
  type OutgoingBulkMessage,
  type SendResult,
  type TransportFailure,
} from './transport.js';

export type SmtpConnection =
  | { /** smtp://user:pass@host:587 or smtps://user:pass@host:465 */ url: string }
  | {
      host: string;
      port: number;
      /** TLS from the first byte (port 465). */
      secure?: boolean;
      /** Plain connection that must upgrade with STARTTLS (port 587). */
      requireTLS?: boolean;
      /** Never upgrade, even if the server offers STARTTLS (a relay on the same machine). */
      ignoreTLS?: boolean;
      auth?: { user: string; pass: string };
    };

export interface DkimSigning {
  domainName: string;
  keySelector: string;
  /** PEM. */
  privateKey: string;
}

export interface SmtpTransportOptions {
  connection: SmtpConnection;
  /** SMTP connections kept open at once. Default 5. */
  concurrency?: number;
  /**
   * Messages per `send` call. A send marks them all `sending` before handing them over, so a
   * crash may send up to this many again per job in flight. Default: two per connection, so
   * that one job alone keeps every connection busy.
   */
  maxBatch?: number;
  dkim?: DkimSigning;
}

/**
 * Header fields the DKIM signature covers: RFC 6376's recommended set plus the list headers.
 * RFC 8058 honours one-click unsubscribe only when the signature covers both `List-Unsubscribe`
 * and `List-Unsubscribe-Post`; we name them ourselves rather than rely on the default list of
 * whichever nodemailer version is installed (older ones left the Post header out).
 */
export const DKIM_SIGNED_HEADERS = [
  'From',
  'Sender',
  'Reply-To',
  'Subject',
  'Date',
  'Message-ID',
  'To',
  'Cc',
  'MIME-Version',
  'Content-Type',
  'Content-Transfer-Encoding',
  'In-Reply-To',
  'References',
  'List-Id',
  'List-Unsubscribe',
  'List-Unsubscribe-Post',
] as const;

/**
 * Newsletter mail through an SMTP relay: nodemailer's connection pool, one SMTP transaction per
 * recipient so the envelope sender can be that recipient's VERP address.
 */
export function createSmtpTransport(options: SmtpTransportOptions): EmailTransport {
  const concurrency = options.concurrency ?? 5;
  const connection =
    'url' in options.connection ? { url: options.connection.url } : options.connection;
  const transporter = nodemailer.createTransport({
    ...connection,
    pool: true,
    maxConnections: concurrency,
    ...(options.dkim
      ? { dkim: { ...options.dkim, headerFieldNames: DKIM_SIGNED_HEADERS.join(':') } }
      : {}),
  });

  // nodemailer compiles a message as soon as it is handed one, and its pool holds it until a
  // connection is free. Handing it only what the connections take next keeps few messages
  // compiled at once, each for a short while, however many jobs send at the same time.
  const pass = gate(concurrency * 2);

  return {
    name: 'smtp',
    maxBatch: options.maxBatch ?? concurrency * 2,
    concurrency,
    async send(messages: OutgoingBulkMessage[]): Promise<SendResult[]> {
      const settled = await Promise.allSettled(
        messages.map((m) =>
          pass(() =>
            transporter.sendMail({
              from: m.from,
              to: m.to,
              subject: m.subject,
              html: ownCopy(m.html),
              text: ownCopy(m.text),
              headers: m.headers,
              messageId: m.messageId,
              envelope: { from: m.envelopeFrom, to: [m.to] },
            }),
          ),
        ),
      );
      const results: SendResult[] = [];
      let whole: { failure: TransportFailure; error: unknown } | undefined;
      for (const outcome of settled) {
        if (outcome.status === 'fulfilled') {
          const queueId = /queued as ([^\s;]+)/i.exec(String(outcome.value.response ?? ''))?.[1];
          results.push(queueId === undefined ? { ok: true } : { ok: true, providerId: queueId });
        } else {
          const failure = transportFailureOf(outcome.reason);
          if (failure !== undefined) whole ??= { failure, error: outcome.reason };
          results.push(classifySmtpError(outcome.reason));
        }
      }
      // Throwing tells the caller to retry the whole batch, which is only safe when nothing
      // went out; once any message has, the failures stay per message (all temporary).
      if (whole !== undefined && !results.some((r) => r.ok)) {
        throw new TransportError(
          whole.failure,
          `SMTP ${whole.failure}: ${errorMessage(whole.error)}`,
          {
            cause: whole.error,
          },
        );
      }
      return results;
    },
    async close() {
      transporter.close();
    },
  };
}

/**
 * The same text, as a string only nodemailer will hold. A personalized part is a concatenation,
 * which V8 copies into one flat block the first time it is read, and keeps that block attached
 * to the concatenation: to the caller's message, held until its whole chunk is sent. That is
 * long enough for the garbage collector to move the block (50–100 KB a message) to the old
 * generation, which then fills up to the next full collection, well over 100 MB. A new
 * concatenation, flattened by the slice, leaves the caller's string as it was, and its block
 * dies young with the message. The copy costs far less than the old-generation collections.
 */
const ownCopy = (part: string): string => ` ${part}`.slice(1);

/** Runs at most `limit` tasks at once, the others in the order they came. */
function gate(limit: number): <T>(task: () => Promise<T>) => Promise<T> {
  let running = 0;
  const waiting: (() => void)[] = [];
  return async (task) => {
    if (running < limit) running++;
    else await new Promise<void>((resolve) => waiting.push(resolve));
    try {
      return await task();
    } finally {
      // The slot goes straight to the next task, so a newcomer cannot overtake it.
      const next = waiting.shift();
      if (next) next();
      else running--;
    }
  };
}

/** The parts of a nodemailer error we read. */
interface SmtpErrorLike {
  code?: unknown;
  responseCode?: unknown;
  response?: unknown;
  command?: unknown;
  message?: unknown;
}

const AUTH_CODES = new Set(['EAUTH', 'ENOAUTH', 'EOAUTH2']);
const CONNECTION_CODES = new Set(['ECONNECTION', 'ESOCKET', 'ETIMEDOUT', 'EDNS', 'ETLS', 'EPROXY']);

/** Whether this error means the transport as a whole is broken, and how. */
export function transportFailureOf(error: unknown): TransportFailure | undefined {
  const code = (error as SmtpErrorLike | null)?.code;
  if (typeof code !== 'string') return undefined;
  if (AUTH_CODES.has(code)) return 'auth';
  if (code === 'ECONFIG') return 'config';
  if (CONNECTION_CODES.has(code)) return 'unreachable';
  return undefined;
}

/**
 * A failed SMTP transaction as a result for its one recipient. A 4xx/5xx reply to RCPT TO or
 * DATA is judged by `classifySmtpReply` (5.7.x policy rejections, full mailboxes and the like
 * are temporary). A rejected MAIL FROM is about our sender, not the recipient, and anything
 * without a reply (dropped connection, timeout) is temporary too.
 */
export function classifySmtpError(error: unknown): Extract<SendResult, { ok: false }> {
  const e = (typeof error === 'object' && error !== null ? error : {}) as SmtpErrorLike;
  const message = errorMessage(error);
  const code = typeof e.responseCode === 'number' ? e.responseCode : undefined;
  if (code === undefined || code < 400 || code > 599) {
    return { ok: false, kind: 'temporary', ...(code === undefined ? {} : { code }), message };
  }
  if (e.command === 'MAIL FROM') return { ok: false, kind: 'temporary', code, message };
  const enhanced =
    typeof e.response === 'string'
      ? /^\d{3}[ -]([245]\.\d{1,3}\.\d{1,3})\b/.exec(e.response)?.[1]
      : undefined;
  const kind = classifySmtpReply(code, enhanced) === 'hard' ? 'permanent' : 'temporary';
  return { ok: false, kind, code, message };
}

function errorMessage(error: unknown): string {
  if (error instanceof Error) return error.message;
  return String(error);
}
