import type { AddressInfo } from 'node:net';
import { SMTPServer, type SMTPServerDataStream } from 'smtp-server';
import type { Logger } from '../../../platform/logger.js';
import { BOUNCE_LOCAL_PART } from './bounces.service.js';

/** Bounces are small: a report plus, at most, the returned headers or a truncated copy. */
export const BOUNCE_SIZE_LIMIT = 1024 * 1024;

export interface BounceListenerOptions {
  port: number;
  host: string;
  handleBounce: (raw: Buffer) => Promise<unknown>;
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
 * Return-Paths) from anyone, refuses every other recipient with 550, and hands each message to
 * `handleBounce`. No AUTH: bouncing servers never authenticate. What a forged bounce can do
 * is limited by `handleBounce`, which acts only on copies it can tie to a send of ours.
 */
export async function startBounceListener(options: BounceListenerOptions): Promise<BounceListener> {
  const { logger } = options;
  const prefix = `${BOUNCE_LOCAL_PART}+`;
  const server = new SMTPServer({
    logger: false,
    authOptional: true,
    disabledCommands: options.disableStartTls ? ['AUTH', 'STARTTLS'] : ['AUTH'],
    size: BOUNCE_SIZE_LIMIT,
    onRcptTo(address, _session, callback) {
      const local = address.address.slice(0, address.address.lastIndexOf('@')).toLowerCase();
      if (local.startsWith(prefix)) callback();
      else callback(new SmtpReplyError(550, `No such mailbox: ${address.address}`));
    },
    onData(stream: SMTPServerDataStream, _session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (chunk: Buffer) => chunks.push(chunk));
      stream.on('error', (err) => callback(err));
      stream.on('end', () => {
        if (stream.sizeExceeded) {
          callback(new SmtpReplyError(552, 'Message too large for a bounce'));
          return;
        }
        options.handleBounce(Buffer.concat(chunks)).then(
          () => callback(),
          (err: unknown) => {
            // Most likely the database: 451 makes the bouncing server try again later.
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
