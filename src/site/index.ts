export { createSiteRoutes, type SiteDeps } from './site.routes.js';
export type { ReaderLevel, SiteContent } from './site.deps.js';
export {
  PageCache,
  CachedBody,
  PAGE_CACHE_CONTROL,
  FEED_CACHE_CONTROL,
  IMMUTABLE_CACHE_CONTROL,
  type PageCacheOptions,
  type RenderedPage,
} from './page-cache.js';
export { loadSiteAssets, type SiteAssets } from './site-assets.js';
export { renderErrorPage, siteErrorRenderer } from './site.errors.js';
export { createPostPreviewRenderer } from './views/preview.js';
