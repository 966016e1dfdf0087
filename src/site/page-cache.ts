import type { IncomingMessage, ServerResponse } from 'node:http';
import { createHash } from 'node:crypto';
import { brotliCompressSync, constants as zlib, gzipSync } from 'node:zlib';
import type { Context } from 'hono';
import type { BaseEnv } from '../platform/http/index.js';

/** Pages must be revalidated (cheap: a 304 from the cache) so a correction shows at once. */
export const PAGE_CACHE_CONTROL = 'public, max-age=0, must-revalidate';
/** Feed readers and crawlers poll; five minutes of staleness costs nobody anything. */
export const FEED_CACHE_CONTROL = 'public, max-age=300';
/** Hashed file names change with their content, so browsers may keep them forever. */
export const IMMUTABLE_CACHE_CONTROL = 'public, max-age=31536000, immutable';

/** What a site route produces when it renders: cached as is, then served as bytes. */
export interface RenderedPage {
  body: string | Uint8Array;
  /** Content-Type, e.g. `text/html; charset=utf-8` */
  type: string;
  cacheControl: string;
}

export type Encoding = 'br' | 'gzip' | 'identity';

interface Variant {
  readonly body: Uint8Array | null;
  readonly etag: string;
  // Built once so that serving a variant allocates nothing but the Response itself.
  readonly ok: ResponseInit;
  readonly notModified: ResponseInit;
}

/**
 * One response body with everything needed to serve it repeatedly: a strong ETag and
 * gzip/brotli variants, each computed at most once. Each variant has its own ETag because
 * a strong validator names exact bytes, and the gzip bytes are not the identity bytes.
 */
/** Request headers as the cache reads them: a Headers object, or Node's own header map. */
export interface HeaderSource {
  get(name: string): string | null | undefined;
}

/**
 * On Node, read the two headers the cache needs straight from the incoming message: asking
 * the web Request for them builds a whole Headers object per request, a large share of the
 * cost of answering from the cache. Elsewhere (tests through app.request) use the Request.
 */
export function requestHeaders(c: Context): HeaderSource {
  const incoming = (c.env as { incoming?: IncomingMessage } | undefined)?.incoming;
  if (incoming === undefined) return c.req.raw.headers;
  const headers = incoming.headers;
  return {
    get: (name) => {
      const value = headers[name];
      return Array.isArray(value) ? value.join(', ') : value;
    },
  };
}

export class CachedBody {
  readonly #identity: Variant;
  readonly #hash: string;
  readonly #type: string;
  readonly #cacheControl: string;
  readonly #compressible: boolean;
  readonly #brotliQuality: number;
  // undefined: not computed yet; null: compressing did not make it smaller.
  #gzip: Variant | null | undefined;
  #br: Variant | null | undefined;
  /** Second-chance bit for the cache's eviction; set on every hit, cleared by the sweep. */
  used = false;

  constructor(
    readonly bytes: Uint8Array,
    type: string,
    cacheControl: string,
    options: { compressible?: boolean; brotliQuality?: number } = {},
  ) {
    this.#type = type;
    this.#cacheControl = cacheControl;
    this.#compressible = options.compressible ?? true;
    this.#brotliQuality = options.brotliQuality ?? 5;
    this.#hash = createHash('sha256').update(bytes).digest('base64url').slice(0, 22);
    this.#identity = this.#variant(bytes, `"${this.#hash}"`, undefined);
  }

  get etag(): string {
    return this.#identity.etag;
  }

  get byteLength(): number {
    return this.bytes.byteLength;
  }

  /** Compresses every variant now, e.g. for static assets loaded at start-up. */
  precompress(): this {
    this.#variantFor('gzip');
    this.#variantFor('br');
    return this;
  }

  /** The body for a request with these headers: the best encoding, or a 304. */
  respond(requestHeaders: HeaderSource): Response {
    const { variant, notModified } = this.#select(requestHeaders);
    if (notModified) return new Response(null, variant.notModified);
    return new Response(variant.body, variant.ok);
  }

  /** The same answer as `respond`, written straight to Node's response (see PageCache.serveNode). */
  writeTo(requestHeaders: HeaderSource, res: ServerResponse, head: boolean): void {
    const { variant, notModified } = this.#select(requestHeaders);
    if (notModified) {
      res.writeHead(304, variant.notModified.headers as Record<string, string>);
      res.end();
      return;
    }
    res.writeHead(200, variant.ok.headers as Record<string, string>);
    if (head || variant.body === null) res.end();
    else res.end(variant.body);
  }

  #select(requestHeaders: HeaderSource): { variant: Variant; notModified: boolean } {
    const acceptEncoding = requestHeaders.get('accept-encoding');
    const variant =
      acceptEncoding == null ? this.#identity : this.#variantFor(chooseEncoding(acceptEncoding));
    const ifNoneMatch = requestHeaders.get('if-none-match');
    return { variant, notModified: ifNoneMatch != null && etagMatches(ifNoneMatch, variant.etag) };
  }

  #variantFor(encoding: Encoding): Variant {
    if (encoding === 'identity' || !this.#compressible) return this.#identity;
    if (encoding === 'br') {
      if (this.#br === undefined) {
        this.#br = this.#compressed(
          brotliCompressSync(this.bytes, {
            params: {
              [zlib.BROTLI_PARAM_QUALITY]: this.#brotliQuality,
              [zlib.BROTLI_PARAM_SIZE_HINT]: this.bytes.byteLength,
              [zlib.BROTLI_PARAM_MODE]: zlib.BROTLI_MODE_TEXT,
            },
          }),
          'br',
        );
      }
      return this.#br ?? this.#identity;
    }
    if (this.#gzip === undefined) this.#gzip = this.#compressed(gzipSync(this.bytes), 'gzip');
    return this.#gzip ?? this.#identity;
  }

  #compressed(bytes: Uint8Array, encoding: 'br' | 'gzip'): Variant | null {
    if (bytes.byteLength >= this.bytes.byteLength) return null;
    return this.#variant(bytes, `"${this.#hash}-${encoding}"`, encoding);
  }

  #variant(body: Uint8Array, etag: string, encoding: 'br' | 'gzip' | undefined): Variant {
    const common: Record<string, string> = {
      etag,
      'cache-control': this.#cacheControl,
      vary: 'Accept-Encoding',
    };
    const ok: Record<string, string> = {
      'content-type': this.#type,
      'content-length': String(body.byteLength),
      ...common,
    };
    if (encoding) ok['content-encoding'] = encoding;
    return {
      body,
      etag,
      ok: { status: 200, headers: ok },
      notModified: { status: 304, headers: common },
    };
  }
}

// Browsers send a handful of distinct Accept-Encoding values; parse each once.
const encodingMemo = new Map<string, Encoding>();
const ENCODING_MEMO_LIMIT = 256;

/** br > gzip > identity, honouring `q=0` and `*` as RFC 9110 §12.5.3 says. */
export function chooseEncoding(acceptEncoding: string): Encoding {
  const memo = encodingMemo.get(acceptEncoding);
  if (memo !== undefined) return memo;
  const q = new Map<string, number>();
  for (const part of acceptEncoding.toLowerCase().split(',')) {
    const [name = '', ...params] = part.split(';').map((s) => s.trim());
    if (!name) continue;
    let weight = 1;
    for (const param of params) {
      const match = /^q=([0-9.]+)$/.exec(param);
      if (match) weight = Number(match[1]);
    }
    q.set(name === 'x-gzip' ? 'gzip' : name, weight);
  }
  const accepts = (coding: string) => (q.get(coding) ?? q.get('*') ?? 0) > 0;
  const chosen: Encoding = accepts('br') ? 'br' : accepts('gzip') ? 'gzip' : 'identity';
  if (encodingMemo.size >= ENCODING_MEMO_LIMIT) encodingMemo.clear();
  encodingMemo.set(acceptEncoding, chosen);
  return chosen;
}

/** If-None-Match uses the weak comparison: `W/"x"` matches `"x"`. */
export function etagMatches(ifNoneMatch: string, etag: string): boolean {
  if (ifNoneMatch === etag) return true;
  for (const candidate of ifNoneMatch.split(',')) {
    const tag = candidate.trim();
    if (tag === '*' || tag === etag || (tag.startsWith('W/') && tag.slice(2) === etag)) return true;
  }
  return false;
}

export interface PageCacheOptions {
  /** false: every request renders (development, debugging). */
  enabled?: boolean;
  maxEntries?: number;
  /** Larger bodies are served but not kept. */
  maxBodyBytes?: number;
}

type RenderResult = RenderedPage | Response;

/**
 * Rendered GET responses kept in memory, keyed by path. The site's pages depend only on
 * the path and on published content, so serving them is a Map lookup plus a Response; the
 * owner calls `clear()` whenever published content or settings change.
 *
 * The key ignores the query string: no site page reads it, so `?utm_source=…` variants
 * share one entry instead of letting anyone fill the cache with junk keys.
 */
export class PageCache {
  readonly enabled: boolean;
  readonly #maxEntries: number;
  readonly #maxBodyBytes: number;
  readonly #entries = new Map<string, CachedBody>();
  /** Renders in progress, so fifty readers arriving at a cold page cause one render. */
  readonly #inflight = new Map<string, Promise<CachedBody | undefined>>();
  /** Bumped by clear(): a render that started before a clear must not be stored after it. */
  #generation = 0;

  constructor(options: PageCacheOptions = {}) {
    this.enabled = options.enabled ?? true;
    this.#maxEntries = Math.max(1, options.maxEntries ?? 1000);
    this.#maxBodyBytes = options.maxBodyBytes ?? 2 * 1024 * 1024;
  }

  get size(): number {
    return this.#entries.size;
  }

  /**
   * Answers a request from Node's server directly when it is a hit for a reader with no
   * session (the common case on a busy post): no web Request or Response objects, no router,
   * no middleware. Everything else, and every miss, returns false and goes through the app,
   * which stores the entry this serves next time. Keys of anonymous entries are the path.
   */
  serveNode(
    req: IncomingMessage,
    res: ServerResponse,
    hooks: { skip(req: IncomingMessage): boolean; onHit(res: ServerResponse): void },
  ): boolean {
    if (req.method !== 'GET' && req.method !== 'HEAD') return false;
    const url = req.url;
    if (url === undefined || !this.enabled || hooks.skip(req)) return false;
    const q = url.indexOf('?');
    const entry = this.#entries.get(q === -1 ? url : url.slice(0, q));
    if (entry === undefined) return false;
    entry.used = true;
    hooks.onHit(res);
    const headers = req.headers;
    entry.writeTo(
      {
        get: (name) =>
          name === 'accept-encoding' ? headers['accept-encoding'] : headers['if-none-match'],
      },
      res,
      req.method === 'HEAD',
    );
    return true;
  }

  clear(): void {
    this.#entries.clear();
    this.#inflight.clear();
    this.#generation++;
  }

  /**
   * A route handler that renders once per path and then answers from memory. `render`
   * returns a RenderedPage to cache, or a Response (a redirect, say) to pass through
   * uncached; what it throws goes to the error handler, also uncached.
   */
  route<C extends Context>(
    render: (c: C) => Promise<RenderResult>,
    /** Varies the entry, e.g. by reader level; the path by default. */
    keyOf?: (c: C) => string | Promise<string>,
  ): (c: C) => Response | Promise<Response> {
    return (c) => {
      const key = keyOf ? keyOf(c) : c.req.path;
      if (typeof key !== 'string') return key.then((k) => this.#serve(c, k, render));
      return this.#serve(c, key, render);
    };
  }

  #serve<C extends Context>(
    c: C,
    key: string,
    render: (c: C) => Promise<RenderResult>,
  ): Response | Promise<Response> {
    const entry = this.#entries.get(key);
    if (entry !== undefined) {
      entry.used = true;
      (c as Context<BaseEnv>).set('servedFromCache', true);
      return entry.respond(requestHeaders(c));
    }
    return this.#miss(c, key, render);
  }

  async #miss<C extends Context>(
    c: C,
    key: string,
    render: (c: C) => Promise<RenderResult>,
  ): Promise<Response> {
    if (!this.enabled) return this.#serveUncached(c, await render(c));

    const pending = this.#inflight.get(key);
    if (pending !== undefined) {
      const shared = await pending;
      // The first render was not cacheable (a redirect, an error): render our own.
      if (shared !== undefined) return shared.respond(requestHeaders(c));
      return this.#serveUncached(c, await render(c));
    }

    const generation = this.#generation;
    let result: RenderResult;
    let settle!: (entry: CachedBody | undefined) => void;
    const promise = new Promise<CachedBody | undefined>((resolve) => (settle = resolve));
    this.#inflight.set(key, promise);
    try {
      result = await render(c);
    } catch (err) {
      settle(undefined);
      throw err;
    } finally {
      if (this.#inflight.get(key) === promise) this.#inflight.delete(key);
    }

    if (result instanceof Response) {
      settle(undefined);
      return result;
    }
    const bytes = toBytes(result.body);
    if (bytes.byteLength > this.#maxBodyBytes) {
      settle(undefined);
      return new CachedBody(bytes, result.type, result.cacheControl, {
        compressible: false,
      }).respond(requestHeaders(c));
    }
    const entry = new CachedBody(bytes, result.type, result.cacheControl);
    if (generation === this.#generation) this.#store(key, entry);
    settle(entry);
    return entry.respond(requestHeaders(c));
  }

  #serveUncached(c: Context, result: RenderResult): Response {
    if (result instanceof Response) return result;
    // Compressing on every request would cost more than it saves here; this path is for
    // development and for oversized bodies.
    return new CachedBody(toBytes(result.body), result.type, result.cacheControl, {
      compressible: false,
    }).respond(requestHeaders(c));
  }

  /** Second-chance (CLOCK) eviction: LRU-like, yet a hit costs one boolean write. */
  #store(key: string, entry: CachedBody): void {
    this.#entries.delete(key);
    while (this.#entries.size >= this.#maxEntries) {
      const [oldestKey, oldest] = this.#entries.entries().next().value as [string, CachedBody];
      this.#entries.delete(oldestKey);
      if (oldest.used) {
        oldest.used = false;
        this.#entries.set(oldestKey, oldest);
      }
    }
    this.#entries.set(key, entry);
  }
}

const encoder = new TextEncoder();

function toBytes(body: string | Uint8Array): Uint8Array {
  return typeof body === 'string' ? encoder.encode(body) : body;
}
