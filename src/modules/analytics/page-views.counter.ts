import type { IncomingMessage, ServerResponse } from 'node:http';
import type { MiddlewareHandler } from 'hono';
import type { Clock } from '../../platform/clock.js';
import type { Db } from '../../platform/db/index.js';
import type { Logger } from '../../platform/logger.js';
import * as repo from './analytics.repository.js';
import { dayOf, isCountedView, postSlugOf, type ViewFacts } from './page-views.rules.js';

export interface PageViewCounterDeps {
  db: Db;
  clock: Clock;
  logger: Logger;
  /** How often this process adds its counts to the database; default 10 s. */
  flushMs?: number;
}

const header = (value: string | string[] | undefined) =>
  Array.isArray(value) ? value.join(', ') : value;

/**
 * Counts page views in memory and adds them to the database every few seconds, so a busy
 * page costs a Map increment per view rather than a write. Each web process counts its own
 * views and adds them (`views = views + n`), so several processes sharing one database add
 * up. The counts not yet flushed live only in memory: a crash loses at most the last few
 * seconds of views, which is fine for figures nobody bills by; a normal shutdown flushes.
 */
export class PageViewCounter {
  readonly #deps: PageViewCounterDeps;
  /** `<YYYY-MM-DD><path>`: the day has a fixed length, so the key splits back without a separator. */
  #pending = new Map<string, number>();
  #timer: ReturnType<typeof setInterval> | undefined;
  #flushing: Promise<void> = Promise.resolve();
  #stopped = false;

  constructor(deps: PageViewCounterDeps) {
    this.#deps = deps;
  }

  /** Counts the view if the request and its response make one (see page-views.rules.ts). */
  record(facts: ViewFacts): void {
    if (this.#stopped || !isCountedView(facts)) return;
    const key = dayOf(this.#deps.clock.now()) + facts.path;
    this.#pending.set(key, (this.#pending.get(key) ?? 0) + 1);
    // Started on the first view, so processes that serve no pages (workers, tests) run no timer.
    if (this.#timer === undefined) {
      this.#timer = setInterval(() => void this.flush(), this.#deps.flushMs ?? 10_000);
      this.#timer.unref();
    }
  }

  /** Counts views the site routes answer through the app (rendered, or from the page cache). */
  middleware(): MiddlewareHandler {
    return async (c, next) => {
      await next();
      if (c.req.method !== 'GET') return;
      this.record({
        method: c.req.method,
        path: c.req.path,
        status: c.res.status,
        contentType: c.res.headers.get('content-type'),
        userAgent: c.req.header('user-agent'),
        accept: c.req.header('accept'),
        purpose: c.req.header('sec-purpose') ?? c.req.header('purpose'),
      });
    };
  }

  /**
   * Counts a page the page cache wrote straight to Node's response, without the app. Called
   * after the write: the status and headers are then set. (Node keeps writeHead's headers
   * readable only when one was set before it; the cache's hit hook sets X-Request-Id. The
   * page-cache test in analytics.test.ts fails if that changes.)
   */
  recordServed(req: IncomingMessage, res: ServerResponse): void {
    if (req.method !== 'GET' || req.url === undefined) return;
    const query = req.url.indexOf('?');
    const type = res.getHeader('content-type');
    this.record({
      method: req.method,
      path: query === -1 ? req.url : req.url.slice(0, query),
      status: res.statusCode,
      contentType: typeof type === 'string' ? type : undefined,
      userAgent: header(req.headers['user-agent']),
      accept: header(req.headers.accept),
      purpose: header(req.headers['sec-purpose']) ?? header(req.headers.purpose),
    });
  }

  /** Views counted here and not yet in the database (tests, and the last flush at shutdown). */
  get pendingViews(): number {
    let n = 0;
    for (const v of this.#pending.values()) n += v;
    return n;
  }

  /** Adds this process's counts to the database. Flushes run one at a time. */
  flush(): Promise<void> {
    this.#flushing = this.#flushing.then(() => this.#flushNow());
    return this.#flushing;
  }

  /** Stops counting and flushes what was counted. */
  async stop(): Promise<void> {
    this.#stopped = true;
    if (this.#timer !== undefined) clearInterval(this.#timer);
    this.#timer = undefined;
    await this.flush();
  }

  async #flushNow(): Promise<void> {
    if (this.#pending.size === 0) return;
    const taken = this.#pending;
    this.#pending = new Map();
    try {
      const increments = [...taken].map(([key, views]) => ({
        day: key.slice(0, 10),
        path: key.slice(10),
        views,
      }));
      const slugs = [
        ...new Set(increments.map((v) => postSlugOf(v.path)).filter((s) => s !== undefined)),
      ];
      await this.#deps.db.transaction().execute(async (trx) => {
        const posts = slugs.length > 0 ? await repo.postIdsBySlug(trx, slugs) : new Map();
        await repo.addViews(
          trx,
          increments.map((v) => {
            const slug = postSlugOf(v.path);
            return { ...v, postId: (slug && posts.get(slug)) ?? null };
          }),
        );
      });
    } catch (error) {
      // Nothing was written (one transaction): keep the counts for the next flush.
      for (const [key, views] of taken)
        this.#pending.set(key, (this.#pending.get(key) ?? 0) + views);
      this.#deps.logger.warn(
        { err: error },
        'page views not flushed; retrying with the next flush',
      );
    }
  }
}
