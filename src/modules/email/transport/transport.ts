/**
 * One bulk message for one recipient: already personalized, with its VERP Return-Path and its
 * own List-Unsubscribe headers.
 */
export interface OutgoingBulkMessage {
  to: string;
  from: string;
  subject: string;
  html: string;
  text: string;
  headers: Record<string, string>;
  /** The VERP address for the SMTP envelope (Return-Path); bounces come back to it. */
  envelopeFrom: string;
  /** `<id@domain>`, angle brackets included. */
  messageId: string;
}

/**
 * What became of one message. `temporary`: try again later, say nothing about the address.
 * `permanent`: the address is bad; suppress it.
 */
export type SendResult =
  | { ok: true; providerId?: string }
  | { ok: false; kind: 'temporary' | 'permanent'; code?: number; message: string };

/** A way out for newsletter mail: SMTP relay or an email API. */
export interface EmailTransport {
  readonly name: string;
  /** Most messages one `send` call should be given. */
  readonly maxBatch: number;
  /** How many `send` calls (or SMTP connections) may run at once. */
  readonly concurrency: number;
  /**
   * One result per message, in order. A recipient's rejection is a result, never an exception;
   * `send` throws a {@link TransportError} only when the transport as a whole failed (bad
   * credentials, unreachable server) and nothing was sent.
   */
  send(messages: OutgoingBulkMessage[]): Promise<SendResult[]>;
  close(): Promise<void>;
}

/**
 * Where the newsletter transport comes from. Staff may change it in the admin while sends run,
 * so it is asked for at each use rather than held.
 */
export interface TransportSource {
  /** The transport to use now; undefined when none is configured. */
  current(): Promise<EmailTransport | undefined>;
}

/** A source that always gives the same transport (the environment's, or a test's). */
export function fixedTransport(transport: EmailTransport | undefined): TransportSource {
  return { current: () => Promise.resolve(transport) };
}

export type TransportFailure = 'auth' | 'unreachable' | 'config' | 'protocol';

/**
 * The whole transport failed. Always temporary: the batch is to be retried (after someone fixes
 * the credentials, or the server comes back), and no recipient is to blame.
 */
export class TransportError extends Error {
  readonly kind = 'temporary';
  readonly failure: TransportFailure;

  constructor(failure: TransportFailure, message: string, options: { cause?: unknown } = {}) {
    super(message, { cause: options.cause });
    this.name = 'TransportError';
    this.failure = failure;
  }
}
