/**
 * Child process of bench/send-part.ts: an SMTP server on 127.0.0.1 that accepts every message
 * and throws it away (the DATA stream is drained, never parsed). It runs apart from the
 * benchmark so that its CPU time does not compete inside the measured process.
 *
 *   parent → child: { type: 'stats' } | { type: 'shutdown' }
 *   child → parent: { type: 'ready', port } | { type: 'stats', received, bytes, cpu }
 */
import type { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';

export type SinkMessage =
  | { type: 'ready'; port: number }
  | { type: 'stats'; received: number; bytes: number; cpu: NodeJS.CpuUsage };

export type SinkCommand = { type: 'stats' } | { type: 'shutdown' };

let received = 0;
let bytes = 0;

const server = new SMTPServer({
  authOptional: true,
  disabledCommands: ['STARTTLS', 'AUTH'],
  logger: false,
  // No limit on connections or size: the sink must never be the bottleneck by policy.
  maxClients: 1000,
  onData(stream, _session, callback) {
    stream.on('data', (chunk: Buffer) => {
      bytes += chunk.length;
    });
    stream.on('end', () => {
      received++;
      callback();
    });
  },
});
server.on('error', () => undefined);

function send(message: SinkMessage): void {
  process.send?.(message);
}

function stop(): void {
  server.close(() => process.exit(0));
  // Open pooled connections would keep close() waiting: do not wait for long.
  setTimeout(() => process.exit(0), 500).unref();
}

process.on('message', (message: SinkCommand) => {
  if (message.type === 'stats') send({ type: 'stats', received, bytes, cpu: process.cpuUsage() });
  else stop();
});
// The parent died without saying goodbye: do not outlive it.
process.on('disconnect', stop);

server.listen(0, '127.0.0.1', () => {
  send({ type: 'ready', port: (server.server.address() as AddressInfo).port });
});
