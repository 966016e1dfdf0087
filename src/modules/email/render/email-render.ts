import juice from 'juice';
import { escapeHtml } from '../../../platform/http/html.js';
import { formatDate, safeAccent } from '../../../site/views/format.js';
// access.ts directly rather than the members index: it is the pure paywall decision, and
// the index would drag the members routes and services into a pure renderer.
import { readerCanRead, type ReaderLevel, type Visibility } from '../../members/access.js';
import {
  autoExcerpt,
  documentPlainText,
  hasPaywall,
  previewDocument,
  renderDocumentHtml,
  type PostDocument,
} from '../../posts/document/index.js';
import {
  neutraliseHtml,
  neutraliseText,
  placeholder,
  type FrozenEmail,
} from './email-personalize.js';
import { CONTAINER_WIDTH, emailCss } from './email-styles.js';
import { renderDocumentText, TEXT_WIDTH, wrapText } from './email-text.js';

export interface EmailPost {
  title: string;
  slug: string;
  /** Public by definition (shown to everyone): the preheader, and the whole preview when a
   * locked post has no paywall cut. */
  excerpt: string;
  feature_image: string | null;
  feature_image_alt: string | null;
  published_at: string | null;
  authors: readonly { name: string }[];
  visibility: Visibility;
  /** For a paid post: the tiers whose members may read it; empty means every tier. */
  tiers: readonly string[];
  body: PostDocument;
}

export interface EmailSite {
  title: string;
  accent_color: string;
  logo: string | null;
  /** Absolute URL of the public site; a trailing slash is ignored. */
  publicUrl: string;
  /** For the date line; English when unset. */
  locale?: string;
}

export interface PostEmailInput {
  post: EmailPost;
  site: EmailSite;
  reader: ReaderLevel;
  /** Named in the footer ("you subscribed to …"); the publication when unset, as the
   * default newsletter is named after it. */
  newsletter?: { name: string };
}

// --- Markup that keeps placeholders out of content ------------------------------------------

/**
 * Like the `html` tag of platform/http, plus one rule: interpolated values never carry a
 * `{` (see email-personalize.ts), so placeholders can only come from this file's literal
 * template text. Fragments built by `mail` nest as they are.
 */
class Mail {
  constructor(readonly value: string) {}
}
type MailValue = Mail | string | null | undefined | false | readonly MailValue[];

function interpolate(value: MailValue): string {
  if (value === null || value === undefined || value === false) return '';
  if (value instanceof Mail) return value.value;
  if (typeof value === 'string') return neutraliseHtml(escapeHtml(value));
  return value.map(interpolate).join('');
}

function mail(strings: TemplateStringsArray, ...values: MailValue[]): Mail {
  let out = strings[0] ?? '';
  for (let i = 0; i < values.length; i++) out += interpolate(values[i]) + (strings[i + 1] ?? '');
  return new Mail(out);
}

/** The post renderer's output: already escaped and sanitized; only its braces need care. */
const rendered = (html: string): Mail => new Mail(neutraliseHtml(html));

// --- Pieces ------------------------------------------------------------------------------------

interface Urls {
  /** Without a trailing slash. */
  site: string;
  post: string;
  /** The home page; relative URLs in a post are relative to it. */
  base: string;
}

function siteUrls(publicUrl: string, slug: string): Urls {
  const site = publicUrl.trim().replace(/\/+$/, '');
  return { site, post: `${site}/p/${encodeURIComponent(slug)}`, base: `${site}/` };
}

/** Absolute http(s) URL for a stored path or URL; null for anything else. */
function absolute(urlOrPath: string | null, base: string): string | null {
  if (urlOrPath === null || urlOrPath.trim() === '') return null;
  try {
    const url = new URL(urlOrPath.trim(), base);
    return url.protocol === 'http:' || url.protocol === 'https:' ? url.href : null;
  } catch {
    return null;
  }
}

function joinNames(names: readonly string[]): string {
  if (names.length <= 1) return names[0] ?? '';
  return `${names.slice(0, -1).join(', ')} and ${names[names.length - 1]}`;
}

function byline(post: EmailPost, locale: string): string {
  const names = joinNames(post.authors.map((a) => a.name.trim()).filter((n) => n !== ''));
  const date = post.published_at === null ? '' : formatDate(locale, post.published_at);
  return [names === '' ? '' : `By ${names}`, date].filter((part) => part !== '').join(' · ');
}

interface CallToAction {
  heading: string;
  text: string;
  button: string;
  url: string;
}

/**
 * Anonymous readers are asked to subscribe; members (free, or paying for another tier)
 * already have an account, so they are sent to its plans.
 */
function callToAction(
  reader: ReaderLevel,
  visibility: Visibility,
  siteTitle: string,
  urls: Urls,
): CallToAction {
  if (reader === 'anonymous') {
    return visibility === 'paid'
      ? {
          heading: 'This post is for paying subscribers',
          text: `Subscribe to ${siteTitle} to read the rest of this post and every other.`,
          button: 'Subscribe',
          url: `${urls.site}/subscribe`,
        }
      : {
          heading: 'This post is for subscribers',
          text: `Subscribe to ${siteTitle} for free to read the rest of this post.`,
          button: 'Subscribe',
          url: `${urls.site}/subscribe`,
        };
  }
  return reader === 'member'
    ? {
        heading: 'Upgrade to keep reading',
        text: `This post is for paying subscribers of ${siteTitle}. Upgrade to read the rest.`,
        button: 'Upgrade',
        url: `${urls.site}/account#plans`,
      }
    : {
        heading: 'This post is for another plan',
        text: `This post is for subscribers of other plans of ${siteTitle}. Change your plan to read the rest.`,
        button: 'See plans',
        url: `${urls.site}/account#plans`,
      };
}

/** Invisible filler after the preheader, so clients don't pad the preview with body text. */
const PREHEADER_FILLER = '&#847;&zwnj;&nbsp;'.repeat(90);

interface Body {
  html: string;
  text: string;
  /** Set when the reader gets only the preview. */
  cta: CallToAction | null;
}

function renderBody(input: PostEmailInput, urls: Urls): Body {
  const { post, reader, site } = input;
  const base = urls.base;
  if (readerCanRead(reader, post.visibility, post.tiers)) {
    return {
      html: renderDocumentHtml(post.body, { footnotes: 'endnotes', baseUrl: base }),
      text: renderDocumentText(post.body, { baseUrl: base }),
      cta: null,
    };
  }
  const cta = callToAction(reader, post.visibility, site.title, urls);
  const preview = previewDocument(post.body);
  // A cut at the very top leaves nothing to show: fall back to the excerpt, as without a cut.
  if (preview !== post.body && documentPlainText(preview) !== '') {
    return {
      html: renderDocumentHtml(post.body, {
        footnotes: 'endnotes',
        cutAtPaywall: true,
        baseUrl: base,
      }),
      text: renderDocumentText(preview, { baseUrl: base }),
      cta,
    };
  }
  // No cut means the writer chose no preview: the excerpt is all that is public.
  const excerpt = post.excerpt.trim();
  return {
    html: excerpt === '' ? '' : `<p>${escapeHtml(excerpt)}</p>`,
    text: wrapText(excerpt, TEXT_WIDTH).join('\n'),
    cta,
  };
}

function preheaderOf(input: PostEmailInput): string {
  const { post, reader } = input;
  const excerpt = post.excerpt.replace(/\s+/g, ' ').trim();
  if (excerpt !== '') return excerpt;
  // autoExcerpt stops at the paywall; without a cut only a reader of the whole post may see it.
  return readerCanRead(reader, post.visibility, post.tiers) || hasPaywall(post.body)
    ? autoExcerpt(post.body, 150)
    : '';
}

// --- HTML ----------------------------------------------------------------------------------------

function ctaHtml(cta: CallToAction): Mail {
  return mail`<tr><td class="cta-row">
<table role="presentation" width="100%" cellpadding="0" cellspacing="0" border="0"><tr><td class="cta">
<p class="cta-heading">${cta.heading}</p>
<p class="cta-text">${cta.text}</p>
<table role="presentation" cellpadding="0" cellspacing="0" border="0" align="center"><tr><td class="button-cell" align="center">
<a class="button" href="${cta.url}">${cta.button}</a>
</td></tr></table>
</td></tr></table>
</td></tr>`;
}

function renderHtml(
  input: PostEmailInput,
  urls: Urls,
  body: Body,
  preheader: string,
  accent: string,
): string {
  const { post, site } = input;
  const logo = absolute(site.logo, urls.base);
  const feature = absolute(post.feature_image, urls.base);
  const newsletter = input.newsletter?.name ?? site.title;
  const credit = byline(post, site.locale ?? 'en');

  const document = mail`<!DOCTYPE html>
<html lang="${site.locale ?? 'en'}" xmlns="http://www.w3.org/1999/xhtml" xmlns:o="urn:schemas-microsoft-com:office:office">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="X-UA-Compatible" content="IE=edge">
<meta name="x-apple-disable-message-reformatting">
<meta name="color-scheme" content="light only">
<meta name="supported-color-schemes" content="light only">
<title>${post.title}</title>
<!--[if mso]><noscript><xml><o:OfficeDocumentSettings><o:PixelsPerInch>96</o:PixelsPerInch></o:OfficeDocumentSettings></xml></noscript><![endif]-->
<style>${new Mail(emailCss(accent))}</style>
</head>
<body style="color-scheme: light only; supported-color-schemes: light only;">
<div class="preheader">${preheader}${new Mail(PREHEADER_FILLER)}</div>
<table role="presentation" class="page" width="100%" cellpadding="0" cellspacing="0" border="0">
<tr><td class="page-cell" align="center">
<!--[if mso]><table role="presentation" width="${String(CONTAINER_WIDTH)}" align="center" cellpadding="0" cellspacing="0" border="0"><tr><td><![endif]-->
<table role="presentation" class="container" width="${String(CONTAINER_WIDTH)}" align="center" cellpadding="0" cellspacing="0" border="0">
<tr><td class="browser-link"><a href="${urls.post}">View in browser</a></td></tr>
<tr><td class="masthead"><a href="${urls.base}">${
    logo === null ? site.title : mail`<img src="${logo}" alt="${site.title}" height="44">`
  }</a></td></tr>
${
  feature === null
    ? null
    : mail`<tr><td class="feature"><img src="${feature}" alt="${post.feature_image_alt ?? ''}" width="${String(CONTAINER_WIDTH)}"></td></tr>`
}
<tr><td class="content">
<h1 class="title">${post.title}</h1>
${credit === '' ? null : mail`<p class="byline">${credit}</p>`}
<p class="greeting">Hi {{name}},</p>
${rendered(body.html)}
</td></tr>
${body.cta === null ? null : ctaHtml(body.cta)}
<tr><td class="footer">
<p>You are receiving this because you subscribed to ${newsletter}.</p>
<p><a href="{{unsubscribe_url}}">Unsubscribe</a> &middot; <a href="{{manage_url}}">Manage your email preferences</a></p>
<p><a href="${urls.base}">${site.title}</a></p>
</td></tr>
</table>
<!--[if mso]></td></tr></table><![endif]-->
</td></tr>
</table>
</body>
</html>`.value;

  return juice(document, {
    removeStyleTags: true,
    preserveMediaQueries: true,
    preserveFontFaces: false,
    preserveKeyFrames: false,
    applyWidthAttributes: true,
    // `height: auto` would become height="auto", which Outlook reads as a broken image.
    applyHeightAttributes: false,
    applyAttributesTableElements: true,
  });
}

// --- Text ----------------------------------------------------------------------------------------

function underline(text: string, char: string): string {
  const lines = wrapText(text, TEXT_WIDTH);
  return [...lines, char.repeat(Math.max(...lines.map((line) => line.length)))].join('\n');
}

function renderText(input: PostEmailInput, urls: Urls, body: Body): string {
  const { post, site } = input;
  const newsletter = input.newsletter?.name ?? site.title;
  const credit = byline(post, site.locale ?? 'en');
  const c = neutraliseText;
  const sections: string[] = [
    `View in browser: ${c(urls.post)}`,
    c(underline(post.title.trim(), '=')),
    credit === '' ? '' : c(credit),
    `Hi ${placeholder('name')},`,
    c(body.text),
  ];
  if (body.cta !== null) {
    sections.push(
      c(
        [
          underline(body.cta.heading, '-'),
          '',
          wrapText(body.cta.text, TEXT_WIDTH).join('\n'),
          '',
          `${body.cta.button}: ${body.cta.url}`,
        ].join('\n'),
      ),
    );
  }
  sections.push(
    [
      '-- ',
      c(
        wrapText(
          `You are receiving this because you subscribed to ${newsletter}.`,
          TEXT_WIDTH,
        ).join('\n'),
      ),
      `Unsubscribe: ${placeholder('unsubscribe_url')}`,
      `Manage your email preferences: ${placeholder('manage_url')}`,
      '',
      c(`${site.title} - ${urls.site}/`),
    ].join('\n'),
  );
  return `${sections.filter((section) => section !== '').join('\n\n')}\n`;
}

// --- API ------------------------------------------------------------------------------------------

/**
 * A post as an email for one reader level: what every recipient at that level gets, with
 * placeholders for what differs (`personalize` fills them). Pure and deterministic, so a
 * send freezes it once per level when it starts.
 *
 * The paywall is decided here, by `readerCanRead`, like every other channel: a reader who
 * may not read the post gets what precedes the paywall cut (only the excerpt if there is
 * no cut) and a box asking them to subscribe or upgrade.
 */
export function renderPostEmail(input: PostEmailInput): FrozenEmail {
  const urls = siteUrls(input.site.publicUrl, input.post.slug);
  const accent = safeAccent(input.site.accent_color);
  const body = renderBody(input, urls);
  const preheader = preheaderOf(input);
  return Object.freeze({
    subject: input.post.title.replace(/\s+/g, ' ').trim(),
    preheader,
    html: renderHtml(input, urls, body, preheader, accent),
    text: renderText(input, urls, body),
  });
}
