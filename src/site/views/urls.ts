/** The site's URL scheme in one place, so routes, views, feeds and the sitemap agree. */
export const homePath = '/';
export const postPath = (slug: string) => `/p/${encodeURIComponent(slug)}`;
export const tagPath = (slug: string) => `/tag/${encodeURIComponent(slug)}`;
export const authorPath = (slug: string) => `/author/${encodeURIComponent(slug)}`;
export const archivePath = '/archive';
export const archiveMonthPath = (year: number, month: number) =>
  `/archive/${String(year).padStart(4, '0')}/${String(month).padStart(2, '0')}`;
export const subscribePath = '/subscribe';
export const signinPath = '/signin';
export const accountPath = '/account';

/** Page 1 of a list lives at the list's own path; page n at `<path>/page/n`. */
export function pagedPath(basePath: string, page: number): string {
  if (page <= 1) return basePath;
  return `${basePath === '/' ? '' : basePath}/page/${page}`;
}
