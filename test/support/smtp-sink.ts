import type { AddressInfo, Socket } from 'node:net';
import { simpleParser, type ParsedMail } from 'mailparser';
import { SMTPServer } from 'smtp-server';

export interface ReceivedMail {
  envelope: { from: string; to: string[] };
  raw: Buffer;
  parsed: ParsedMail;
}

/**
 * What the sink does with one recipient of one transaction. `temporary` answers RCPT TO with
 * `451 4.3.0 Try again later`, `permanent` with `550 5.1.1 No such user`; `drop` accepts the
 * recipient, takes the whole message, then closes the connection without a reply, so the
 * client cannot know whether it went; `{ reply, at }` answers `reply` (e.g. `452 4.2.2 Full`)
 * at RCPT TO (the default) or after the message data.
 */
export type SinkVerdict =
  'accept' | 'temporary' | 'permanent' | 'drop' | { reply: string; at?: 'rcpt' | 'data' };

export interface SmtpSinkOptions {
  user?: string;
  pass?: string;
  /**
   * Decides every RCPT TO; `n` counts the times this address has been offered, this one
   * included (1 the first time). Unset: everything is accepted.
   */
  failures?: (rcpt: string, n: number) => SinkVerdict;
  /**
   * False: keep only each accepted message's envelope (in `envelopes`), not the message, which
   * spares parsing it; for tests of hundreds of messages that look only at who got one.
   */
  keepMessages?: boolean;
}

/** One refusal or dropped connection, in the order they happened. */
export interface SinkFault {
  rcpt: string;
  n: number;
  /** `drop`, or the reply given. */
  outcome: string;
  at: 'rcpt' | 'data';
}

const TEMPORARY = '451 4.3.0 Try again later';
const PERMANENT = '550 5.1.1 No such user';

type Deferred = { rcpt: string; n: number; outcome: string };

/** A real SMTP server on loopback that keeps what it receives, for tests. */
export async function startSmtpSink(options: SmtpSinkOptions = {}) {
  const received: ReceivedMail[] = [];
  const envelopes: ReceivedMail['envelope'][] = [];
  const waiters: (() => void)[] = [];
  const offered = new Map<string, number>();
  const faults: SinkFault[] = [];
  const errors: Error[] = [];
  // Refusals after DATA and drops are decided at RCPT TO and carried out once the data is in.
  const deferred = new Map<string, Deferred[]>();
  // smtp-server hides the socket from its handlers; the session's client port finds it.
  const sockets = new Map<number, Socket>();

  const server = new SMTPServer({
    authOptional: !options.user,
    disabledCommands: ['STARTTLS'],
    logger: false,
    onAuth(auth, _session, callback) {
      if (auth.username === options.user && auth.password === options.pass)
        callback(null, { user: auth.username });
      else callback(new Error('Invalid credentials'));
    },
    onRcptTo(address, session, callback) {
      const rcpt = address.address;
      const n = (offered.get(rcpt) ?? 0) + 1;
      offered.set(rcpt, n);
      const verdict = options.failures?.(rcpt, n) ?? 'accept';
      if (verdict === 'accept') return callback();
      if (verdict === 'drop') {
        defer(session.id, { rcpt, n, outcome: 'drop' });
        return callback();
      }
      const { reply, at } =
        verdict === 'temporary'
          ? { reply: TEMPORARY, at: 'rcpt' }
          : verdict === 'permanent'
            ? { reply: PERMANENT, at: 'rcpt' }
            : { reply: verdict.reply, at: verdict.at ?? 'rcpt' };
      if (at === 'data') {
        defer(session.id, { rcpt, n, outcome: reply });
        return callback();
      }
      faults.push({ rcpt, n, outcome: reply, at: 'rcpt' });
      callback(replyError(reply));
    },
    onData(stream, session, callback) {
      const pending = deferred.get(session.id) ?? [];
      deferred.delete(session.id);
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => {
        const drop = pending.find((d) => d.outcome === 'drop');
        if (drop) {
          faults.push({ ...drop, at: 'data' });
          const socket = sockets.get(session.remotePort);
          // No reply ever comes: the callback is left uncalled on purpose.
          if (socket) return void socket.destroy();
          // Never leave the client waiting for a reply that cannot come.
          errors.push(new Error(`no socket for client port ${session.remotePort}`));
          return callback(replyError('421 4.4.2 Connection dropped'));
        }
        const refusal = pending[0];
        if (refusal) {
          faults.push({ ...refusal, at: 'data' });
          return callback(replyError(refusal.outcome));
        }
        const envelope = {
          from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
          to: session.envelope.rcptTo.map((r) => r.address),
        };
        const accepted = () => {
          envelopes.push(envelope);
          waiters.splice(0).forEach((w) => w());
          callback();
        };
        if (options.keepMessages === false) return accepted();
        const raw = Buffer.concat(chunks);
        simpleParser(raw)
          .then((parsed) => {
            received.push({ envelope, raw, parsed });
            accepted();
          })
          .catch(callback);
      });
    },
  });

  function defer(sessionId: string, entry: Deferred) {
    deferred.set(sessionId, [...(deferred.get(sessionId) ?? []), entry]);
  }

  if (options.failures) {
    server.server.on('connection', (socket: Socket) => {
      const port = socket.remotePort;
      if (port === undefined) return;
      sockets.set(port, socket);
      socket.once('close', () => {
        // The port may already belong to a newer connection.
        if (sockets.get(port) === socket) sockets.delete(port);
      });
    });
    // A connection torn down on purpose may surface as an error; it must not crash the run.
    server.on('error', (error: Error) => errors.push(error));
  }

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.server.address() as AddressInfo).port;
  return {
    port,
    url: options.user
      ? `smtp://${options.user}:${options.pass}@127.0.0.1:${port}`
      : `smtp://127.0.0.1:${port}`,
    /** Accepted messages, parsed, in arrival order; empty when `keepMessages` is false. */
    received,
    /** The envelope of every accepted message, in arrival order. */
    envelopes,
    /** RCPT TO commands per address, refused ones included. */
    offered,
    /** Refusals and drops the `failures` option caused. */
    faults,
    /** Server-side errors seen while `failures` was set (connections dropped on purpose). */
    errors,
    /** Resolves once at least `count` messages have arrived (or rejects after 10 s). */
    async waitFor(count: number): Promise<ReceivedMail[]> {
      const deadline = Date.now() + 10_000;
      while (envelopes.length < count) {
        if (Date.now() > deadline)
          throw new Error(`expected ${count} messages, got ${envelopes.length}`);
        await new Promise<void>((r) => {
          waiters.push(r);
          setTimeout(r, 200);
        });
      }
      return received;
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** `451 4.3.0 Try again later` as smtp-server takes it: the code apart from the text. */
function replyError(reply: string): Error {
  const match = /^([45]\d\d)\s+(.*)$/.exec(reply);
  if (!match) throw new Error(`not an SMTP error reply: ${reply}`);
  return Object.assign(new Error(match[2]), { responseCode: Number(match[1]) });
}
