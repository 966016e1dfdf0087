import { randomUUID } from 'node:crypto';
import type { Mailer, OutgoingMessage } from '../../src/platform/mailer/index.js';

/** Keeps messages in memory: for tests that do not need a real SMTP conversation. */
export class CaptureMailer implements Mailer {
  readonly sent: OutgoingMessage[] = [];

  async send(message: OutgoingMessage) {
    this.sent.push(message);
    return { messageId: `<${randomUUID()}@test>` };
  }

  to(address: string): OutgoingMessage[] {
    return this.sent.filter((m) => m.to === address);
  }

  async close() {}
}
