/**
 * Child process of bench/web.ts: the floor to compare Pressroom with. A bare node:http
 * server that answers every request with the same bytes from memory, the same
 * Content-Type, and nothing else.
 *
 *   env BASELINE_BODY_FILE, BASELINE_CONTENT_TYPE
 *   child → parent: { type: 'ready', url } | { type: 'cpu', usage }
 */
import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

const bodyFile = process.env.BASELINE_BODY_FILE;
const contentType = process.env.BASELINE_CONTENT_TYPE;
if (!bodyFile || !contentType)
  throw new Error('BASELINE_BODY_FILE and BASELINE_CONTENT_TYPE are required');

const body = readFileSync(bodyFile);
const headers = { 'content-type': contentType, 'content-length': String(body.byteLength) };

const server = createServer((_req, res) => {
  res.writeHead(200, headers);
  res.end(body);
});

function stop(): void {
  server.close(() => process.exit(0));
  server.closeAllConnections();
  setTimeout(() => process.exit(0), 1000).unref();
}

process.on('message', (message: { type: string }) => {
  if (message.type === 'cpu') process.send?.({ type: 'cpu', usage: process.cpuUsage() });
  else if (message.type === 'shutdown') stop();
});
process.on('disconnect', stop);

server.listen(0, '127.0.0.1', () => {
  const { port } = server.address() as AddressInfo;
  process.send?.({ type: 'ready', url: `http://127.0.0.1:${port}` });
});
