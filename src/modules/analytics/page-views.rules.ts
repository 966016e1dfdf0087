/**
 * What counts as a page view. Pure, so the rules are tested as a table; the counter and the
 * HTTP glue only gather these facts from a request and its response.
 */
export interface ViewFacts {
  method: string;
  /** The path without the query string. */
  path: string;
  status: number;
  contentType: string | null | undefined;
  userAgent: string | null | undefined;
  accept: string | null | undefined;
  /** `Sec-Purpose` or `Purpose`: a browser fetching ahead of a click that may never come. */
  purpose: string | null | undefined;
}

/**
 * Machines that announce themselves. Only the obvious ones: telling subtle bots from
 * readers would need per-visitor data, which we do not keep. A browser always sends a
 * User-Agent, so a request without one is a script.
 */
const BOT =
  /\bbot\b|bot[/;)-]|crawl|spider|slurp|archiver|facebookexternalhit|embedly|preview|monitor|pingdom|uptime|lighthouse|curl\/|wget\/|httpie|python-|python\/|aiohttp|go-http-client|java\/|okhttp|libwww|node-fetch|undici|axios|scrapy|feedfetcher|\bfeed|rss/i;

/** Paths that are never pages of the website, whatever they answer. */
const NOT_PAGES = [
  '/admin',
  '/api/',
  '/assets/',
  '/content/',
  '/members/',
  '/unsubscribe',
  '/healthz',
];

const isHtml = (type: string | null | undefined) =>
  type != null && type.toLowerCase().startsWith('text/html');

export function isBot(userAgent: string | null | undefined): boolean {
  return userAgent == null || userAgent.trim() === '' || BOT.test(userAgent);
}

export function isCountedView(f: ViewFacts): boolean {
  // HEAD fetches no page; nobody saw anything.
  if (f.method !== 'GET') return false;
  if (NOT_PAGES.some((p) => f.path === p.replace(/\/$/, '') || f.path.startsWith(p))) return false;
  // A 304 is a reader coming back to a page their browser kept (pages must be revalidated),
  // so it counts when a browser asked for a page; a 304 has no Content-Type to look at.
  const page =
    f.status === 200
      ? isHtml(f.contentType)
      : f.status === 304 && f.accept != null && f.accept.includes('text/html');
  if (!page) return false;
  if (f.purpose != null && /prefetch|prerender/i.test(f.purpose)) return false;
  return !isBot(f.userAgent);
}

const POST_PATH = /^\/p\/([^/]+)\/?$/;

/** The slug of a post page's path, or undefined for any other page. */
export function postSlugOf(path: string): string | undefined {
  const m = POST_PATH.exec(path);
  if (!m) return undefined;
  try {
    return decodeURIComponent(m[1]!);
  } catch {
    return undefined;
  }
}

/** The UTC day of an instant, as stored: YYYY-MM-DD. */
export const dayOf = (at: Date): string => at.toISOString().slice(0, 10);
