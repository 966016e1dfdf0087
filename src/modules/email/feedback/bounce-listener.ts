import type { AddressInfo } from 'node:net';
import { SMTPServer, type SMTPServerDataStream } from 'smtp-server';
import type { Logger } from '../../../platform/logger.js';
import { BOUNCE_LOCAL_PART } from './bounces.service.js';
import type { UnsubscribeMailResult } from './unsubscribe.service.js';

/** Bounces are small: a report plus, at most, the returned headers or a truncated copy. */
export const BOUNCE_SIZE_LIMIT = 1024 * 1024;

export interface BounceListenerOptions {
  port: number;
  host: string;
  handleBounce: (raw: Buffer) => Promise<unknown>;
  /**
   * The `mailto:` target of `List-Unsubscribe` (`unsubscribe@<bounce domain>`) and what to do
   * with mail to it. Without it, only bounce addresses are taken.
   */
  unsubscribe?: { address: string; handle: (raw: Buffer) => Promise<UnsubscribeMailResult> };
  logger: Logger;
  /** Offer no STARTTLS (tests, or a listener behind a relay on a private network). */
  disableStartTls?: boolean;
}

export interface BounceListener {
  port: number;
  close(): Promise<void>;
}

class SmtpReplyError extends Error {
  constructor(
    readonly responseCode: number,
    message: string,
  ) {
    super(message);
  }
}

/**
 * An SMTP server for the bounce domain's MX: it takes mail for `bnc+…@` addresses (our VERP
 * Return-Paths) and for the unsubscribe address from anyone, refuses every other recipient
 * with 550, and hands each message to `handleBounce` or `unsubscribe.handle` by its recipient.
 * No AUTH: bouncing servers and mail clients never authenticate. What forged mail can do is
 * limited by the handlers: bounces act only on copies tied to a send of ours, unsubscribes
 * only with a token we signed.
 */
export async function startBounceListener(options: BounceListenerOptions): Promise<BounceListener> {
  const { logger } = options;
  const prefix = `${BOUNCE_LOCAL_PART}+`;
  const unsubscribeAddress = options.unsubscribe?.address.toLowerCase();
  const isBounce = (address: string) =>
    address.slice(0, address.lastIndexOf('@')).toLowerCase().startsWith(prefix);
  const isUnsubscribe = (address: string) => address.toLowerCase() === unsubscribeAddress;

  /** The reply to refuse the message with, or undefined to accept it. */
  async function handle(raw: Buffer, recipients: string[]): Promise<SmtpReplyError | undefined> {
    // One message may be for both kinds of address; each handler then sees it once.
    if (recipients.some(isBounce)) await options.handleBounce(raw);
    if (options.unsubscribe && recipients.some(isUnsubscribe)) {
      const result = await options.unsubscribe.handle(raw);
      // Refused rather than taken with a 250: the sender's own server then tells them, in its
      // bounce, that nothing changed, where a silent 250 would leave them believing they had
      // left (and reporting the next issue as spam). 5xx is final, so nothing retries, and the
      // report comes from their server, not from us, so there is no backscatter either.
      if (result === 'invalid') {
        return new SmtpReplyError(
          550,
          'No valid unsubscribe token in the Subject, so nothing was changed; ' +
            'use the unsubscribe link in the email instead',
        );
      }
    }
    return undefined;
  }
  const server = new SMTPServer({
    logger: false,
    authOptional: true,
    disabledCommands: options.disableStartTls ? ['AUTH', 'STARTTLS'] : ['AUTH'],
    size: BOUNCE_SIZE_LIMIT,
    onRcptTo(address, _session, callback) {
      if (isBounce(address.address) || isUnsubscribe(address.address)) callback();
      else callback(new SmtpReplyError(550, `No such mailbox: ${address.address}`));
    },
    onData(stream: SMTPServerDataStream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (chunk: Buffer) => chunks.push(chunk));
      stream.on('error', (err) => callback(err));
      stream.on('end', () => {
        if (stream.sizeExceeded) {
          callback(new SmtpReplyError(552, 'Message too large for a bounce'));
          return;
        }
        const recipients = session.envelope.rcptTo.map((r) => r.address);
        handle(Buffer.concat(chunks), recipients).then(
          (refusal) => callback(refusal ?? null),
          (err: unknown) => {
            // Most likely the database: 451 makes the sending server try again later.
            logger.error({ err }, 'bounce listener could not handle a message');
            callback(new SmtpReplyError(451, 'Temporary failure, try again later'));
          },
        );
      });
    },
  });
  server.on('error', (err) => logger.error({ err }, 'bounce listener error'));
  await new Promise<void>((resolve, reject) => {
    server.server.once('error', reject);
    server.listen(options.port, options.host, () => {
      server.server.off('error', reject);
      resolve();
    });
  });
  const port = (server.server.address() as AddressInfo).port;
  logger.info({ port, host: options.host }, 'bounce listener started');
  return {
    port,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
