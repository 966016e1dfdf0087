import type { PublicPost } from '../../modules/posts/index.js';
import type { ReaderLevel } from '../site.deps.js';
import { html, raw, type SafeHtml } from '../../platform/http/html.js';
import { absoluteUrl, formatDate, readingTime } from './format.js';
import { layout, type SiteView } from './layout.js';
import { accountPath, authorPath, postPath, signinPath, subscribePath, tagPath } from './urls.js';

export const DEMO_NOTICE =
  'This is a sample post that ships with Pressroom. Delete it from the admin when you publish your own.';

function byline(site: SiteView, post: PublicPost): SafeHtml {
  const authors = post.authors.map(
    (author, i) =>
      html`${i === 0 ? '' : i === post.authors.length - 1 ? ' and ' : ', '}<a
          href="${authorPath(author.slug)}"
          rel="author"
          >${author.name}</a
        >`,
  );
  return html`<p class="post-meta">
    ${post.authors.length ? html`<span class="post-authors">By ${authors}</span> · ` : ''}<time
      datetime="${post.published_at}"
      >${formatDate(site.settings.locale, post.published_at)}</time
    >
    · <span class="reading-time">${readingTime(post.reading_time)}</span>
  </p>`;
}

function tagList(post: PublicPost): SafeHtml | string {
  if (!post.tags.length) return '';
  return html`<ul class="post-tags" aria-label="Tags">
    ${post.tags.map(
      (tag) => html`<li><a href="${tagPath(tag.slug)}" rel="tag">${tag.name}</a></li>`,
    )}
  </ul>`;
}

/** Shown where a members or paid post's preview ends: subscribe, sign in, or upgrade. */
export function paywall(post: PublicPost, level: ReaderLevel = 'anonymous'): SafeHtml {
  const audience = post.visibility === 'paid' ? 'paid subscribers' : 'members';
  if (level !== 'anonymous') {
    return html`<aside class="paywall" aria-labelledby="paywall-title">
      <h2 id="paywall-title">This post is for ${audience}</h2>
      <p>Upgrade to a paid subscription to read the rest of <cite>${post.title}</cite>.</p>
      <p><a class="button" href="${accountPath}#plans">Upgrade</a></p>
    </aside>`;
  }
  return html`<aside class="paywall" aria-labelledby="paywall-title">
    <h2 id="paywall-title">This post is for ${audience}</h2>
    <p>Subscribe to read the rest of <cite>${post.title}</cite> and every post like it.</p>
    <p>
      <a class="button" href="${subscribePath}">Subscribe</a>
      <a class="paywall-signin" href="${signinPath}">Already a member? Sign in</a>
    </p>
  </aside>`;
}

/**
 * The form posts to /subscribe, which the members feature provides. It carries no
 * per-visitor token because this page is shared bytes served from the page cache.
 */
export function subscribeForm(site: SiteView): SafeHtml {
  return html`<section class="subscribe" aria-labelledby="subscribe-title">
    <h2 id="subscribe-title">Subscribe to ${site.settings.title}</h2>
    <p>New posts, with their sources, straight to your inbox.</p>
    <form method="post" action="${subscribePath}" class="subscribe-form">
      <label for="subscribe-email">Email address</label>
      <div class="subscribe-row">
        <input
          id="subscribe-email"
          type="email"
          name="email"
          required
          autocomplete="email"
          inputmode="email"
          placeholder="you@example.com"
        />
        <button type="submit" class="button">Subscribe</button>
      </div>
    </form>
  </section>`;
}

function articleJsonLd(site: SiteView, post: PublicPost, canonical: string, image: string | null) {
  const { settings, publicUrl } = site;
  return {
    '@context': 'https://schema.org',
    '@type': 'Article',
    headline: post.title,
    description: post.meta_description ?? post.excerpt,
    datePublished: post.published_at,
    dateModified: post.updated_at,
    mainEntityOfPage: canonical,
    url: canonical,
    ...(image ? { image: [absoluteUrl(publicUrl, image)] } : {}),
    author: post.authors.map((author) => ({
      '@type': 'Person',
      name: author.name,
      url: absoluteUrl(publicUrl, authorPath(author.slug)),
    })),
    publisher: {
      '@type': 'Organization',
      name: settings.title,
      url: `${publicUrl}/`,
      ...(settings.logo
        ? { logo: { '@type': 'ImageObject', url: absoluteUrl(publicUrl, settings.logo) } }
        : {}),
    },
    ...(post.tags.length ? { keywords: post.tags.map((t) => t.name).join(', ') } : {}),
    isAccessibleForFree: post.full,
  };
}

/** For staff previews: a banner above the post, and kept out of search engines. */
export interface PostPageExtras {
  banner?: SafeHtml;
  noindex?: boolean;
}

export function postPage(
  site: SiteView,
  post: PublicPost,
  level: ReaderLevel = 'anonymous',
  extras: PostPageExtras = {},
): string {
  const path = postPath(post.slug);
  const canonical = absoluteUrl(site.publicUrl, path);
  const description = post.meta_description ?? post.excerpt;
  const image = post.og_image ?? post.feature_image;

  const main = html`${extras.banner ?? ''}
    <article class="post">
      <header class="post-header">
        <h1 class="post-title">${post.title}</h1>
        ${byline(site, post)} ${tagList(post)}
      </header>
      ${
        post.is_demo
          ? html`<aside class="notice notice-demo" role="note">
              <p><strong>Sample post.</strong> ${DEMO_NOTICE}</p>
            </aside>`
          : ''
      }
      ${
        post.feature_image
          ? html`<figure class="post-feature">
              <img
                src="${post.feature_image}"
                alt="${post.feature_image_alt ?? ''}"
                decoding="async"
              />
            </figure>`
          : ''
      }
      <div class="post-content">${raw(post.html)}</div>
      ${post.full ? '' : paywall(post, level)}
    </article>
    ${subscribeForm(site)}`;

  return layout(
    site,
    {
      subscribeInPage: true,
      title: post.meta_title ?? `${post.title} – ${site.settings.title}`,
      description,
      path,
      type: 'article',
      socialTitle: post.og_title ?? post.meta_title ?? post.title,
      socialDescription: post.og_description ?? description,
      image,
      imageAlt: post.og_image ? null : post.feature_image_alt,
      twitterTitle: post.twitter_title ?? undefined,
      twitterDescription: post.twitter_description ?? undefined,
      twitterImage: post.twitter_image,
      article: {
        publishedTime: post.published_at,
        modifiedTime: post.updated_at,
        tags: post.tags.map((t) => t.name),
      },
      jsonLd: articleJsonLd(site, post, canonical, image),
      ...(extras.noindex ? { noindex: true } : {}),
    },
    main,
  );
}
