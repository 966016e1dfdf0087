import { mkdtempSync, rmSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../platform/config.js';
import { startServer, type RunningServer } from './serve.js';

describe('serve', () => {
  let dir: string;
  let server: RunningServer;
  let port: number;

  beforeAll(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'pressroom-serve-'));
    server = await startServer(
      loadConfig({ PRESSROOM_DATA_DIR: dir, PORT: '0', LOG_LEVEL: 'silent' }),
      { worker: true },
    );
    port = Number(new URL(server.url).port);
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('serves the demo publication on first run', async () => {
    const home = await fetch(`http://127.0.0.1:${port}/`);
    expect(home.status).toBe(200);
    expect(await home.text()).toContain('Welcome to Pressroom');
    const health = await fetch(`http://127.0.0.1:${port}/healthz`);
    expect(await health.json()).toEqual({ status: 'ok', database: 'ok' });
  });

  it('answers cached pages from memory exactly as the app does', async () => {
    const base = `http://127.0.0.1:${port}`;
    const path = '/p/welcome-to-pressroom';
    server.pressroom.pageCache.clear();
    const miss = await fetch(base + path); // through the app; stores the page
    const missBody = await miss.text();
    const hit = await fetch(base + path, { headers: { 'x-request-id': 'trace-me-1' } });
    expect(hit.status).toBe(200);
    expect(await hit.text()).toBe(missBody);
    for (const name of ['etag', 'content-type', 'cache-control', 'vary', 'content-length']) {
      expect(hit.headers.get(name), name).toBe(miss.headers.get(name));
    }
    expect(hit.headers.get('x-request-id')).toBe('trace-me-1');
    expect(miss.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);

    const revalidated = await fetch(base + path, {
      headers: { 'if-none-match': miss.headers.get('etag')! },
    });
    expect(revalidated.status).toBe(304);
    const gzip = await fetch(base + path, { headers: { 'accept-encoding': 'gzip' } });
    expect(gzip.headers.get('content-encoding')).toBe('gzip');
    expect(await gzip.text()).toBe(missBody); // fetch decompresses
    const head = await fetch(base + path, { method: 'HEAD' });
    expect(head.status).toBe(200);
    expect(head.headers.get('content-length')).toBe(miss.headers.get('content-length'));
    expect(await head.text()).toBe('');

    // A reader with a member session goes through the app (the page may depend on them).
    const member = await fetch(base + path, { headers: { cookie: 'pr_member=not-a-session' } });
    expect(member.status).toBe(200);
    expect(await member.text()).toBe(missBody);
    // Query strings share the entry, as in the app.
    expect(await (await fetch(`${base}${path}?utm_source=x`)).text()).toBe(missBody);
  });

  it('finishes a request in flight, then releases claimed jobs and stops', async () => {
    // A job that never finishes by itself, claimed by this server's worker.
    const { jobs } = server.pressroom.services;
    const worker = server.pressroom.worker();
    worker.register('test.forever', () => new Promise<void>(() => undefined));
    const job = await jobs.enqueue('test.forever', null);
    for (let i = 0; i < 200 && (await jobs.get(job.id))?.status !== 'running'; i++) {
      await new Promise((r) => setTimeout(r, 10));
    }
    expect((await jobs.get(job.id))?.status).toBe('running');

    // A request whose body is only half sent when shutdown begins.
    const socket = net.connect(port, '127.0.0.1');
    await new Promise((r) => socket.once('connect', r));
    const response = new Promise<string>((resolve) => {
      let data = '';
      socket.on('data', (chunk) => (data += chunk.toString()));
      socket.on('close', () => resolve(data));
    });
    socket.write('GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n');
    await new Promise((r) => setTimeout(r, 50));

    const stopped = server.shutdown(500);
    await new Promise((r) => setTimeout(r, 50));
    socket.write('Connection: close\r\n\r\n');
    expect(await response).toMatch(/^HTTP\/1\.1 200 OK/);
    await stopped;

    // New connections are refused now.
    await expect(fetch(`http://127.0.0.1:${port}/healthz`)).rejects.toThrow();

    // The job went back to the queue for another worker, attempts not counted.
    const { openDatabase } = await import('../platform/db/index.js');
    const handle = await openDatabase({ dialect: 'sqlite', file: path.join(dir, 'pressroom.db') });
    const row = await handle.db
      .selectFrom('jobs')
      .selectAll()
      .where('id', '=', job.id)
      .executeTakeFirstOrThrow();
    await handle.destroy();
    expect(row).toMatchObject({ status: 'queued', attempts: 0, locked_by: null });
  });
});
