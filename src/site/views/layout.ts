import type { SiteSettings } from '../../modules/settings/index.js';
import { html, raw, type SafeHtml } from '../../platform/http/html.js';
import type { SiteAssets } from '../site-assets.js';
import { absoluteUrl, safeAccent, textColourOn } from './format.js';
import { homePath, signinPath, subscribePath } from './urls.js';

/** What every view needs to know about the site it renders for. */
export interface SiteView {
  settings: SiteSettings;
  assets: SiteAssets;
  /** Absolute origin (and base path) without a trailing slash: `https://example.com` */
  publicUrl: string;
}

export interface PageMeta {
  /** The whole `<title>`. */
  title: string;
  description: string;
  /** Path of the canonical URL; null for pages that have none (errors). */
  path: string | null;
  type?: 'website' | 'article';
  /** Open Graph and Twitter fall back to `title`/`description` when these are absent. */
  socialTitle?: string;
  socialDescription?: string;
  image?: string | null;
  imageAlt?: string | null;
  twitterTitle?: string;
  twitterDescription?: string;
  twitterImage?: string | null;
  article?: { publishedTime: string; modifiedTime: string; tags: string[] };
  jsonLd?: object;
  noindex?: boolean;
  /** The home page's single h1 is the masthead's site title. */
  brandIsH1?: boolean;
  /** The page has its own subscribe form (posts): the footer leaves its one out. */
  subscribeInPage?: boolean;
}

/** JSON inside `<script>`: `<` is escaped so no `</script>` or `<!--` can end it early. */
export function jsonForScript(value: unknown): SafeHtml {
  return raw(JSON.stringify(value).replace(/</g, '\\u003c'));
}

function twitterHandle(handle: string | null): string | null {
  if (!handle) return null;
  return handle.startsWith('@') ? handle : `@${handle}`;
}

function head(site: SiteView, meta: PageMeta): SafeHtml {
  const { settings, publicUrl } = site;
  const canonical = meta.path === null ? null : absoluteUrl(publicUrl, meta.path);
  const image = meta.image ? absoluteUrl(publicUrl, meta.image) : null;
  const twitterImage = meta.twitterImage ? absoluteUrl(publicUrl, meta.twitterImage) : image;
  const socialTitle = meta.socialTitle ?? meta.title;
  const socialDescription = meta.socialDescription ?? meta.description;
  const accent = safeAccent(settings.accent_color);
  const handle = twitterHandle(settings.twitter_handle);

  return html`<head>
    <meta charset="utf-8" />
    <meta name="viewport" content="width=device-width, initial-scale=1" />
    <title>${meta.title}</title>
    <meta name="description" content="${meta.description}" />
    ${canonical ? html`<link rel="canonical" href="${canonical}" />` : ''}
    ${meta.noindex ? html`<meta name="robots" content="noindex" />` : ''}
    <meta name="color-scheme" content="light dark" />
    <meta name="generator" content="Pressroom" />
    <link rel="stylesheet" href="${site.assets.cssHref}" />
    <style>
      :root {
        --accent: ${accent};
        --accent-text: ${textColourOn(accent)};
      }
    </style>
    <link rel="icon" href="${settings.icon ?? site.assets.iconHref}" />
    <link
      rel="alternate"
      type="application/rss+xml"
      title="${settings.title} (RSS)"
      href="${publicUrl}/rss.xml"
    />
    <link
      rel="alternate"
      type="application/atom+xml"
      title="${settings.title} (Atom)"
      href="${publicUrl}/atom.xml"
    />
    <link
      rel="alternate"
      type="application/feed+json"
      title="${settings.title} (JSON Feed)"
      href="${publicUrl}/feed.json"
    />
    <meta property="og:site_name" content="${settings.title}" />
    <meta property="og:type" content="${meta.type ?? 'website'}" />
    <meta property="og:title" content="${socialTitle}" />
    <meta property="og:description" content="${socialDescription}" />
    ${canonical ? html`<meta property="og:url" content="${canonical}" />` : ''}
    ${image ? html`<meta property="og:image" content="${image}" />` : ''}
    ${image && meta.imageAlt ? html`<meta property="og:image:alt" content="${meta.imageAlt}" />` : ''}
    ${
      meta.article
        ? html`<meta property="article:published_time" content="${meta.article.publishedTime}" />
            <meta property="article:modified_time" content="${meta.article.modifiedTime}" />
            ${meta.article.tags.map((tag) => html`<meta property="article:tag" content="${tag}" /> `)}`
        : ''
    }
    <meta name="twitter:card" content="${twitterImage ? 'summary_large_image' : 'summary'}" />
    <meta name="twitter:title" content="${meta.twitterTitle ?? socialTitle}" />
    <meta name="twitter:description" content="${meta.twitterDescription ?? socialDescription}" />
    ${twitterImage ? html`<meta name="twitter:image" content="${twitterImage}" />` : ''}
    ${handle ? html`<meta name="twitter:site" content="${handle}" />` : ''}
    ${
      meta.jsonLd
        ? html`<script type="application/ld+json">
            ${jsonForScript(meta.jsonLd)}
          </script>`
        : ''
    }
  </head>`;
}

function masthead(site: SiteView, currentPath: string | null, brandIsH1: boolean): SafeHtml {
  const { settings } = site;
  const brand = html`<a
    href="${homePath}"
    class="site-title-link"
    ${currentPath === homePath ? raw('aria-current="page"') : ''}
    >${
      settings.logo
        ? html`<img class="site-logo" src="${settings.logo}" alt="${settings.title}" />`
        : settings.title
    }</a
  >`;
  const nav = settings.navigation.length
    ? html`<nav class="site-nav" aria-label="Main">
        <ul>
          ${settings.navigation.map(
            (item) =>
              html`<li>
                <a href="${item.url}" ${item.url === currentPath ? raw('aria-current="page"') : ''}
                  >${item.label}</a
                >
              </li>`,
          )}
        </ul>
      </nav>`
    : '';
  return html`<header class="site-header">
    <div class="site-header-inner">
      ${brandIsH1 ? html`<h1 class="site-title">${brand}</h1>` : html`<p class="site-title">${brand}</p>`}
      ${nav}
    </div>
  </header>`;
}

function footer(site: SiteView, meta: PageMeta): SafeHtml {
  return html`<footer class="site-footer">
    <div class="site-footer-inner">
      <p>
        <a href="${homePath}">${site.settings.title}</a> · <a href="/rss.xml">RSS</a> ·
        <a href="/archive">Archive</a>
      </p>
      ${
        meta.subscribeInPage
          ? html`<p><a href="${signinPath}">Sign in</a></p>`
          : html`<form method="post" action="${subscribePath}" class="footer-subscribe">
              <label for="footer-subscribe-email">Get new posts by email</label>
              <input
                id="footer-subscribe-email"
                type="email"
                name="email"
                required
                autocomplete="email"
                inputmode="email"
                placeholder="you@example.com"
              />
              <button type="submit" class="button">Subscribe</button>
              <a class="footer-signin" href="${signinPath}">Sign in</a>
            </form>`
      }
      <p class="powered-by">Published with Pressroom</p>
    </div>
  </footer>`;
}

/** The whole document around a page's `<main>` content. */
export function layout(site: SiteView, meta: PageMeta, main: SafeHtml): string {
  return html`<!doctype html>
    <html lang="${site.settings.locale}">
      ${head(site, meta)}
      <body>
        <a class="skip-link" href="#main">Skip to content</a>
        ${masthead(site, meta.path, meta.brandIsH1 === true)}
        <main id="main" tabindex="-1">${main}</main>
        ${footer(site, meta)}
      </body>
    </html> `.value;
}
