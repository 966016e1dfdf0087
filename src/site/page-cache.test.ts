import { gunzipSync } from 'node:zlib';
import { Hono } from 'hono';
import { describe, expect, it } from 'vitest';
import {
  CachedBody,
  chooseEncoding,
  etagMatches,
  PAGE_CACHE_CONTROL,
  PageCache,
  type RenderedPage,
} from './page-cache.js';

describe('chooseEncoding', () => {
  it.each([
    ['gzip, deflate, br, zstd', 'br'],
    ['gzip, deflate', 'gzip'],
    ['GZIP', 'gzip'],
    ['x-gzip', 'gzip'],
    ['br;q=0, gzip', 'gzip'],
    ['br;q=0, gzip;q=0', 'identity'],
    ['identity', 'identity'],
    ['deflate', 'identity'],
    ['*', 'br'],
    ['*;q=0, gzip', 'gzip'],
    ['br;q=0, *', 'gzip'],
    ['', 'identity'],
    [' br ; q=0.5 ', 'br'],
  ] as const)('%j → %s', (header, expected) => {
    expect(chooseEncoding(header)).toBe(expected);
  });
});

describe('etagMatches', () => {
  it.each([
    ['"abc"', '"abc"', true],
    ['W/"abc"', '"abc"', true],
    ['"x", "abc"', '"abc"', true],
    ['*', '"abc"', true],
    ['"abcd"', '"abc"', false],
    ['"abc-gzip"', '"abc"', false],
    ['', '"abc"', false],
  ] as const)('%j vs %s → %s', (header, etag, expected) => {
    expect(etagMatches(header, etag)).toBe(expected);
  });
});

describe('CachedBody', () => {
  const text = 'A transcript line that repeats. '.repeat(200);
  const bytes = new TextEncoder().encode(text);

  it('compresses once, lazily, and only when it saves bytes', () => {
    const body = new CachedBody(bytes, 'text/plain', PAGE_CACHE_CONTROL);
    const gz1 = body.respond(new Headers({ 'accept-encoding': 'gzip' }));
    const gz2 = body.respond(new Headers({ 'accept-encoding': 'gzip' }));
    expect(gz1.headers.get('content-encoding')).toBe('gzip');
    expect(gz1.headers.get('etag')).toBe(gz2.headers.get('etag'));

    const tiny = new CachedBody(new TextEncoder().encode('ok'), 'text/plain', PAGE_CACHE_CONTROL);
    const res = tiny.respond(new Headers({ 'accept-encoding': 'br, gzip' }));
    expect(res.headers.get('content-encoding')).toBeNull();
    expect(res.headers.get('etag')).toBe(tiny.etag);
  });

  it('gives the same ETag to the same bytes and a different one to different bytes', () => {
    const a = new CachedBody(bytes, 'text/plain', PAGE_CACHE_CONTROL);
    const b = new CachedBody(Uint8Array.from(bytes), 'text/plain', PAGE_CACHE_CONTROL);
    const c = new CachedBody(
      new TextEncoder().encode(`${text}!`),
      'text/plain',
      PAGE_CACHE_CONTROL,
    );
    expect(a.etag).toBe(b.etag);
    expect(a.etag).not.toBe(c.etag);
  });

  it('serves gzip bytes that decompress to the original', async () => {
    const body = new CachedBody(bytes, 'text/plain', PAGE_CACHE_CONTROL);
    const res = body.respond(new Headers({ 'accept-encoding': 'gzip' }));
    expect(gunzipSync(Buffer.from(await res.arrayBuffer())).toString()).toBe(text);
  });
});

/** A tiny app whose one route counts its renders. */
function appWith(
  cache: PageCache,
  render?: (n: number, path: string) => Promise<RenderedPage | Response>,
) {
  let renders = 0;
  const app = new Hono();
  app.onError((_err, c) => c.text('failed', 500));
  app.get(
    '/:name',
    cache.route(async (c) => {
      renders++;
      if (render) return render(renders, c.req.path);
      return {
        body: `render ${renders} of ${c.req.path}`,
        type: 'text/plain',
        cacheControl: PAGE_CACHE_CONTROL,
      };
    }),
  );
  return { app, renders: () => renders };
}

describe('PageCache', () => {
  it('keys by path, ignoring the query string', async () => {
    const { app, renders } = appWith(new PageCache());
    await app.request('/a');
    expect(await (await app.request('/a?utm_source=x')).text()).toBe('render 1 of /a');
    await app.request('/b');
    expect(renders()).toBe(2);
  });

  it('shares no header object between responses, so middleware may add per-request headers', async () => {
    const cache = new PageCache();
    const app = new Hono();
    let n = 0;
    app.use(async (c, next) => {
      await next();
      c.res.headers.set('x-request-id', String(++n));
    });
    app.get(
      '/p',
      cache.route(async () => ({
        body: 'page',
        type: 'text/plain',
        cacheControl: PAGE_CACHE_CONTROL,
      })),
    );
    const ids = [];
    for (let i = 0; i < 3; i++) ids.push((await app.request('/p')).headers.get('x-request-id'));
    expect(ids).toEqual(['1', '2', '3']);
    expect((await app.request('/p')).headers.get('etag')).toMatch(/^"/);
  });

  it('evicts entries that were not used since the last sweep first', async () => {
    const cache = new PageCache({ maxEntries: 2 });
    const { app, renders } = appWith(cache);
    await app.request('/a');
    await app.request('/b');
    await app.request('/a'); // hit: /a gets a second chance
    await app.request('/c'); // evicts /b, the one not used
    expect(cache.size).toBe(2);
    expect(renders()).toBe(3);
    await app.request('/a');
    expect(renders()).toBe(3);
    await app.request('/b');
    expect(renders()).toBe(4);
  });

  it('renders a cold page once for many concurrent readers', async () => {
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const { app, renders } = appWith(new PageCache(), async (n) => {
      await gate;
      return { body: `render ${n}`, type: 'text/plain', cacheControl: PAGE_CACHE_CONTROL };
    });
    const responses = Array.from({ length: 20 }, () => app.request('/cold'));
    release();
    const bodies = await Promise.all((await Promise.all(responses)).map((r) => r.text()));
    expect(renders()).toBe(1);
    expect(new Set(bodies)).toEqual(new Set(['render 1']));
  });

  it('lets concurrent readers render their own when the first render fails', async () => {
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const { app, renders } = appWith(new PageCache(), async (n) => {
      await gate;
      if (n === 1) throw new Error('boom');
      return { body: `render ${n}`, type: 'text/plain', cacheControl: PAGE_CACHE_CONTROL };
    });
    const first = app.request('/x');
    const second = app.request('/x');
    release();
    expect((await first).status).toBe(500);
    expect(await (await second).text()).toBe('render 2');
    expect(renders()).toBe(2);
  });

  it('does not store a render that began before clear()', async () => {
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const cache = new PageCache();
    const { app, renders } = appWith(cache, async (n) => {
      if (n === 1) await gate;
      return { body: `render ${n}`, type: 'text/plain', cacheControl: PAGE_CACHE_CONTROL };
    });
    const stale = app.request('/p');
    await Promise.resolve();
    cache.clear();
    release();
    expect(await (await stale).text()).toBe('render 1');
    expect(cache.size).toBe(0);
    expect(await (await app.request('/p')).text()).toBe('render 2');
    expect(renders()).toBe(2);
  });

  it('passes responses through uncached and does not keep oversized bodies', async () => {
    const cache = new PageCache({ maxBodyBytes: 10 });
    const { app, renders } = appWith(cache, async (n, path) =>
      path === '/moved'
        ? new Response(null, { status: 301, headers: { location: '/elsewhere' } })
        : {
            body: `a body longer than ten bytes, render ${n}`,
            type: 'text/plain',
            cacheControl: PAGE_CACHE_CONTROL,
          },
    );
    expect((await app.request('/moved')).status).toBe(301);
    expect((await app.request('/moved')).status).toBe(301);
    const big = await app.request('/big', { headers: { 'accept-encoding': 'gzip' } });
    expect(big.headers.get('content-encoding')).toBeNull();
    expect(await big.text()).toBe('a body longer than ten bytes, render 3');
    await app.request('/big');
    expect(renders()).toBe(4);
    expect(cache.size).toBe(0);
  });
});
