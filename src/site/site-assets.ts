import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { CachedBody, IMMUTABLE_CACHE_CONTROL } from './page-cache.js';

/** The theme's static files, each served under a name that contains its content hash. */
export interface SiteAssets {
  /** e.g. `/assets/site.3f9a1c2b.css` */
  readonly cssHref: string;
  /** The default favicon, for sites that have not set their own. */
  readonly iconHref: string;
  /** The asset published as `/assets/<file>`, or undefined. */
  get(file: string): CachedBody | undefined;
}

const DEFAULT_DIR = new URL('./assets/', import.meta.url);

/**
 * Reads the theme's files once at start-up. Relative to this module, so it works both
 * from `src/` (tsx, tests) and from `dist/`, where the build copies `src/site/assets`.
 * Synchronous on purpose: it runs once, before the server listens.
 */
export function loadSiteAssets(dir: URL = DEFAULT_DIR): SiteAssets {
  const files = new Map<string, CachedBody>();
  const publish = (name: string, ext: string, type: string): string => {
    const bytes = readFileSync(new URL(`${name}.${ext}`, dir));
    const hash = createHash('sha256').update(bytes).digest('hex').slice(0, 8);
    const file = `${name}.${hash}.${ext}`;
    // Compressed once here at the highest brotli quality: small, and served for a year.
    files.set(
      file,
      new CachedBody(bytes, type, IMMUTABLE_CACHE_CONTROL, { brotliQuality: 11 }).precompress(),
    );
    return `/assets/${file}`;
  };
  return {
    cssHref: publish('site', 'css', 'text/css; charset=utf-8'),
    iconHref: publish('favicon', 'svg', 'image/svg+xml'),
    get: (name) => files.get(name),
  };
}
