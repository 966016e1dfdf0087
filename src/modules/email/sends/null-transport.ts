import type { EmailTransport, OutgoingBulkMessage, SendResult } from '../transport/index.js';

/** Accepts everything at once and keeps nothing: for tests and the send benchmark. */
export class NullTransport implements EmailTransport {
  readonly name = 'null';
  readonly concurrency = 1;
  /** Messages accepted so far. */
  accepted = 0;

  constructor(readonly maxBatch = 500) {}

  send(messages: OutgoingBulkMessage[]): Promise<SendResult[]> {
    this.accepted += messages.length;
    return Promise.resolve(messages.map(() => ({ ok: true as const })));
  }

  close(): Promise<void> {
    return Promise.resolve();
  }
}
