/**
 * Child process of bench/web.ts: Pressroom exactly as `pressroom serve` runs it (config from
 * the environment, worker on), plus an owner and one long published post. Talks to the
 * parent over IPC so the parent can read this process's CPU time without counting its own.
 *
 *   parent → child: { type: 'cpu' } | { type: 'shutdown' }
 *   child → parent: { type: 'ready', url, slug } | { type: 'cpu', usage } | { type: 'error', message }
 */
import { startServer, type RunningServer } from '../src/cli/serve.js';
import { loadConfig } from '../src/platform/config.js';
import { longPostMarkdown } from './long-post.js';

export type ChildMessage =
  | { type: 'ready'; url: string; slug: string }
  | { type: 'cpu'; usage: NodeJS.CpuUsage }
  | { type: 'error'; message: string };

export type ParentMessage = { type: 'cpu' } | { type: 'shutdown' };

const SLUG = 'reading-the-transcript';

function send(message: ChildMessage): void {
  process.send?.(message);
}

let running: RunningServer | undefined;
let stopping = false;

async function stop(code: number): Promise<void> {
  if (stopping) return;
  stopping = true;
  try {
    await running?.shutdown(1000);
  } finally {
    // A normal exit, so that --cpu-prof writes its profile.
    process.exit(code);
  }
}

process.on('message', (message: ParentMessage) => {
  if (message.type === 'cpu') send({ type: 'cpu', usage: process.cpuUsage() });
  else if (message.type === 'shutdown') void stop(0);
});
// The parent died without saying goodbye: do not outlive it.
process.on('disconnect', () => void stop(0));

try {
  running = await startServer(loadConfig(process.env), { worker: true });
  const { staff, posts } = running.pressroom.services;
  const owner = await staff.createOwner({
    email: 'bench@example.com',
    name: 'Bench Owner',
    password: 'a long benchmark password',
  });
  await posts.importMarkdown(owner, longPostMarkdown(SLUG), { publish: true });
  send({ type: 'ready', url: running.url, slug: SLUG });
} catch (err) {
  send({ type: 'error', message: err instanceof Error ? (err.stack ?? err.message) : String(err) });
  await stop(1);
}
