import {
  TransportError,
  type EmailTransport,
  type OutgoingBulkMessage,
  type SendResult,
} from './transport.js';

export interface PostmarkTransportOptions {
  serverToken: string;
  /** Postmark's broadcast stream for newsletters, `broadcast` unless renamed. */
  messageStream?: string;
  /** Default https://api.postmarkapp.com; tests point it at a fake. */
  baseUrl?: string;
  /** Per request. Default 30 s. */
  timeoutMs?: number;
  /** Batch requests in flight at once. Default 4. */
  concurrency?: number;
}

/** Postmark's limit for one /email/batch request. */
export const POSTMARK_MAX_BATCH = 500;

/** One entry of the batch response, in the order of the request. */
export interface PostmarkBatchReply {
  ErrorCode: number;
  Message: string;
  MessageID?: string;
  To?: string;
}

/** Inactive recipient: bounced or complained before, Postmark will not send to it. */
const INACTIVE_RECIPIENT = 406;
/**
 * Invalid email request. Postmark answers 300 for any bad field, our From or a header as well
 * as the recipient's address: only a message naming the recipient condemns the address, so a
 * misconfigured sender cannot suppress a whole list in one send.
 */
const INVALID_REQUEST = 300;
const NAMES_RECIPIENT = /'To'|\bTo address\b|\brecipient/i;

/**
 * Newsletter mail through Postmark's batch API. Postmark owns the Return-Path (its bounce
 * domain), so `envelopeFrom` is not used: bounces arrive by Postmark's webhook instead of VERP.
 */
export function createPostmarkTransport(options: PostmarkTransportOptions): EmailTransport {
  const endpoint = new URL(
    'email/batch',
    withTrailingSlash(options.baseUrl ?? 'https://api.postmarkapp.com'),
  );
  const messageStream = options.messageStream ?? 'broadcast';
  const timeoutMs = options.timeoutMs ?? 30_000;

  return {
    name: 'postmark',
    maxBatch: POSTMARK_MAX_BATCH,
    concurrency: options.concurrency ?? 4,
    async send(messages: OutgoingBulkMessage[]): Promise<SendResult[]> {
      if (messages.length === 0) return [];
      if (messages.length > POSTMARK_MAX_BATCH) {
        throw new RangeError(`Postmark takes at most ${POSTMARK_MAX_BATCH} messages per batch`);
      }
      let response: Response;
      try {
        response = await fetch(endpoint, {
          method: 'POST',
          headers: {
            Accept: 'application/json',
            'Content-Type': 'application/json',
            'X-Postmark-Server-Token': options.serverToken,
          },
          body: JSON.stringify(messages.map((m) => toPostmark(m, messageStream))),
          signal: AbortSignal.timeout(timeoutMs),
        });
      } catch (error) {
        throw new TransportError('unreachable', `Postmark unreachable: ${describe(error)}`, {
          cause: error,
        });
      }

      if (response.status === 429 || response.status >= 500) {
        const message = `Postmark answered HTTP ${response.status}: ${await bodyMessage(response)}`;
        return messages.map(() => ({
          ok: false,
          kind: 'temporary',
          code: response.status,
          message,
        }));
      }
      if (!response.ok) {
        const failure = response.status === 401 ? 'auth' : 'config';
        throw new TransportError(
          failure,
          `Postmark refused the batch (HTTP ${response.status}): ${await bodyMessage(response)}`,
        );
      }

      const replies: unknown = await response.json().catch(() => undefined);
      if (!Array.isArray(replies) || replies.length !== messages.length) {
        throw new TransportError(
          'protocol',
          `Postmark's batch reply does not hold one entry per message (sent ${messages.length})`,
        );
      }
      return replies.map((reply) => classifyPostmarkReply(reply as PostmarkBatchReply));
    },
    async close() {},
  };
}

/** One entry of Postmark's batch reply as a result: ErrorCode 0 is accepted. */
export function classifyPostmarkReply(reply: PostmarkBatchReply): SendResult {
  if (reply.ErrorCode === 0) {
    return reply.MessageID ? { ok: true, providerId: reply.MessageID } : { ok: true };
  }
  return {
    ok: false,
    kind:
      reply.ErrorCode === INACTIVE_RECIPIENT ||
      (reply.ErrorCode === INVALID_REQUEST && NAMES_RECIPIENT.test(reply.Message))
        ? 'permanent'
        : 'temporary',
    code: reply.ErrorCode,
    message: reply.Message,
  };
}

function toPostmark(m: OutgoingBulkMessage, messageStream: string) {
  return {
    From: m.from,
    To: m.to,
    Subject: m.subject,
    HtmlBody: m.html,
    TextBody: m.text,
    Headers: [
      { Name: 'Message-ID', Value: m.messageId },
      ...Object.entries(m.headers).map(([Name, Value]) => ({ Name, Value })),
    ],
    MessageStream: messageStream,
  };
}

/** Postmark's `{ ErrorCode, Message }` error body, or the start of whatever came instead. */
async function bodyMessage(response: Response): Promise<string> {
  const text = await response.text().catch(() => '');
  try {
    const body = JSON.parse(text) as { ErrorCode?: unknown; Message?: unknown };
    if (typeof body.Message === 'string')
      return `${body.Message} (ErrorCode ${String(body.ErrorCode)})`;
  } catch {
    // not JSON: fall through to the raw text
  }
  return text.slice(0, 200) || response.statusText;
}

function withTrailingSlash(url: string): string {
  return url.endsWith('/') ? url : `${url}/`;
}

function describe(error: unknown): string {
  if (error instanceof Error) {
    if (error.name === 'TimeoutError') return 'request timed out';
    // undici says only "fetch failed"; the reason (ECONNREFUSED, ENOTFOUND…) is in the cause
    const cause = error.cause instanceof Error ? `: ${error.cause.message}` : '';
    return `${error.message}${cause}`;
  }
  return String(error);
}
