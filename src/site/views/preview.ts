import type { SiteSettings } from '../../modules/settings/index.js';
import type { PostPreview, PostPreviewRenderer, PreviewReader } from '../../modules/posts/index.js';
import { html, raw } from '../../platform/http/html.js';
import type { SiteAssets } from '../site-assets.js';
import type { ReaderLevel } from '../site.deps.js';
import type { SiteView } from './layout.js';
import { postPage } from './post.js';

const READERS: readonly { reader: PreviewReader; label: string; level: ReaderLevel }[] = [
  { reader: 'visitor', label: 'Visitor', level: 'anonymous' },
  { reader: 'member', label: 'Free member', level: 'member' },
  { reader: 'paid', label: 'Paying member', level: 'paid' },
];

const STATUS_TEXT: Record<PostPreview['status'], string> = {
  draft: 'This draft is not published.',
  scheduled: 'This post is scheduled and not published yet.',
  published: 'This post is published; this preview shows what is saved now.',
};

/**
 * A post as its readers will see it, in the site's own template, under a banner that says
 * it is a preview and switches between what a visitor, a free and a paying member see.
 * Links in the banner are relative: the page is served under the admin API.
 */
export function postPreviewPage(site: SiteView, preview: PostPreview): string {
  const current = READERS.find((r) => r.reader === preview.reader) ?? READERS[2]!;
  const banner = html`<aside class="preview-banner" role="note" aria-label="Preview">
    <p><strong>Preview.</strong> ${STATUS_TEXT[preview.status]}</p>
    <nav aria-label="Read as">
      ${READERS.map(
        (r) =>
          html`<a
            href="?as=${r.reader}"
            ${r.reader === current.reader ? raw('aria-current="page"') : ''}
            >${r.label}</a
          >`,
      )}
    </nav>
  </aside>`;
  return postPage(site, preview.post, current.level, { banner, noindex: true });
}

/** What the composition root hands the posts module for `GET /api/admin/posts/:id/preview`. */
export function createPostPreviewRenderer(deps: {
  settings: () => Promise<SiteSettings>;
  assets: SiteAssets;
  publicUrl: string;
}): PostPreviewRenderer {
  const publicUrl = deps.publicUrl.replace(/\/+$/, '');
  return async (preview) =>
    postPreviewPage({ settings: await deps.settings(), assets: deps.assets, publicUrl }, preview);
}
