import {
  autoExcerpt,
  hasPaywall,
  previewDocument,
  renderDocumentHtml,
  type PostDocument,
} from './document/index.js';
import type { Visibility } from './posts.types.js';

export interface AnonymousView {
  html: string;
  /** True when `html` is the whole post. */
  full: boolean;
  excerpt: string;
}

/**
 * What a reader who is not signed in may see. Public posts: everything. Members-only and
 * paid posts: only what stands before the preview cut (nothing when there is no cut), and
 * an excerpt taken from that part alone, so no listing, feed or meta tag can leak the rest.
 *
 * The Members issue replaces "anonymous" with a real access decision; every channel that
 * lets content out must go through that one function, as the site and feeds go through
 * this one.
 */
export function anonymousView(
  visibility: Visibility,
  doc: PostDocument,
  customExcerpt: string | null,
  fullHtml?: string,
): AnonymousView {
  if (visibility === 'public') {
    return {
      html: fullHtml ?? renderDocumentHtml(doc),
      full: true,
      excerpt: customExcerpt ?? autoExcerpt(doc),
    };
  }
  const preview = hasPaywall(doc) ? previewDocument(doc) : undefined;
  return {
    html: preview ? renderDocumentHtml(preview) : '',
    full: false,
    excerpt: customExcerpt ?? (preview ? autoExcerpt(preview) : ''),
  };
}
