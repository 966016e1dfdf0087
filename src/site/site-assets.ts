import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { CachedBody, IMMUTABLE_CACHE_CONTROL } from './page-cache.js';

/** The theme's static files, each served under a name that contains its content hash. */
export interface SiteAssets {
  /** e.g. `/assets/site.3f9a1c2b.css` */
  readonly cssHref: string;
  /** The asset published as `/assets/<file>`, or undefined. */
  get(file: string): CachedBody | undefined;
}

const DEFAULT_CSS = new URL('./assets/site.css', import.meta.url);

/**
 * Reads the stylesheet once at start-up. Relative to this module, so it works both from
 * `src/` (tsx, tests) and from `dist/`, where the build copies `src/site/assets`.
 */
export function loadSiteAssets(cssUrl: URL = DEFAULT_CSS): SiteAssets {
  const css = readFileSync(cssUrl);
  const hash = createHash('sha256').update(css).digest('hex').slice(0, 8);
  const file = `site.${hash}.css`;
  // Compressed once here at the highest brotli quality: it is small and served forever.
  const body = new CachedBody(css, 'text/css; charset=utf-8', IMMUTABLE_CACHE_CONTROL, {
    brotliQuality: 11,
  }).precompress();
  const files = new Map([[file, body]]);
  return {
    cssHref: `/assets/${file}`,
    get: (name) => files.get(name),
  };
}
