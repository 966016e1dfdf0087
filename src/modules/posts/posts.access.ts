import {
  autoExcerpt,
  hasPaywall,
  previewDocument,
  renderDocumentHtml,
  type PostDocument,
} from './document/index.js';
import type { Visibility } from './posts.types.js';

export interface ReaderView {
  html: string;
  /** True when `html` is the whole post. */
  full: boolean;
  excerpt: string;
}

/**
 * What a reader sees of a post. `readable` comes from the members' access decision (the
 * one function every channel asks); this only shapes the answer. A reader who may not read
 * the whole post gets what stands before the preview cut (nothing when there is no cut).
 * The excerpt of a members or paid post always comes from that preview alone, whoever asks,
 * so no listing, feed or meta tag can leak the rest.
 */
export function readerView(
  visibility: Visibility,
  readable: boolean,
  doc: PostDocument,
  customExcerpt: string | null,
  fullHtml?: string,
): ReaderView {
  const preview =
    visibility === 'public' ? undefined : hasPaywall(doc) ? previewDocument(doc) : null;
  const excerpt =
    customExcerpt ??
    (preview === undefined ? autoExcerpt(doc) : preview ? autoExcerpt(preview) : '');
  if (readable || visibility === 'public') {
    return { html: fullHtml ?? renderDocumentHtml(doc), full: true, excerpt };
  }
  return { html: preview ? renderDocumentHtml(preview) : '', full: false, excerpt };
}

/** The default reader: not signed in. */
export const anonymousCanRead: CanRead = (visibility) => visibility === 'public';

/** The members' access decision for one reader: may they read a post like this in full? */
export type CanRead = (visibility: Visibility, tiers: readonly string[]) => boolean;
