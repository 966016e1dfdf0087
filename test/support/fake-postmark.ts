import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** One message as Postmark's batch API receives it. */
export interface PostmarkMessage {
  From: string;
  To: string;
  Subject: string;
  HtmlBody?: string;
  TextBody?: string;
  Headers?: { Name: string; Value: string }[];
  MessageStream?: string;
}

/**
 * A stand-in for Postmark's `/email/batch` on loopback, for tests: checks the server token,
 * keeps every accepted batch, and fails on request (chosen recipients, or whole requests).
 */
export async function startFakePostmark(options: { token: string }) {
  const batches: PostmarkMessage[][] = [];
  const recipientErrors = new Map<string, { ErrorCode: number; Message: string }>();
  const requestFailures: number[] = [];
  let nextId = 1;

  const server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      reply(res, 500, { ErrorCode: 500, Message: String(error) });
    });
  });

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    if (req.method !== 'POST' || req.url !== '/email/batch') {
      return reply(res, 404, { ErrorCode: 404, Message: 'Not found' });
    }
    if (req.headers['x-postmark-server-token'] !== options.token) {
      return reply(res, 401, {
        ErrorCode: 10,
        Message:
          'The Server Token you provided in the X-Postmark-Server-Token request header was invalid.',
      });
    }
    const status = requestFailures.shift();
    if (status !== undefined) {
      return reply(res, status, { ErrorCode: status, Message: `Injected HTTP ${status}` });
    }
    let body: unknown;
    try {
      body = JSON.parse(Buffer.concat(chunks).toString('utf8'));
    } catch {
      return reply(res, 422, { ErrorCode: 402, Message: 'Received invalid JSON input.' });
    }
    if (!Array.isArray(body) || body.length > 500) {
      return reply(res, 422, {
        ErrorCode: 300,
        Message: 'Expected an array of up to 500 messages.',
      });
    }
    const messages = body as PostmarkMessage[];
    batches.push(messages);
    reply(
      res,
      200,
      messages.map((m) => {
        const error = recipientErrors.get(m.To);
        if (error) return { ...error, To: m.To };
        return {
          ErrorCode: 0,
          Message: 'OK',
          MessageID: `fake-${nextId++}`,
          To: m.To,
          SubmittedAt: new Date().toISOString(),
        };
      }),
    );
  }

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}`,
    /** Accepted batches, in arrival order. */
    batches,
    /** Answer this recipient with the given per-message ErrorCode (e.g. 406 inactive). */
    failRecipient(to: string, errorCode: number, message = `Injected error ${errorCode}`) {
      recipientErrors.set(to, { ErrorCode: errorCode, Message: message });
    },
    /** Answer the next `count` requests (after the token check) with HTTP `status`. */
    failNextRequests(status: number, count = 1) {
      for (let i = 0; i < count; i++) requestFailures.push(status);
    },
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        server.closeAllConnections();
      }),
  };
}

function reply(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'Content-Type': 'application/json' });
  res.end(JSON.stringify(body));
}
