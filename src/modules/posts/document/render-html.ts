import sanitizeHtml from 'sanitize-html';
import { inlineText, previewDocument } from './document-text.js';
import { MARK_TYPES, type DocMark, type DocNode, type PostDocument } from './document.types.js';
import { escapeHtml } from '../../../platform/http/html.js';

export interface RenderOptions {
  /**
   * 'web' links references and notes both ways. 'endnotes' is for email, where in-page
   * anchors are unreliable: plain superscript numbers and a "Notes" list without backlinks.
   */
  footnotes?: 'web' | 'endnotes';
  /** Render only what precedes the first paywall node (the members' preview). */
  cutAtPaywall?: boolean;
  /** Makes relative image and link URLs absolute, for email and feeds. */
  baseUrl?: string;
}

interface RenderContext {
  html: string;
  mode: 'web' | 'endnotes';
  base: URL | undefined;
  urls: Map<string, ResolvedUrl | null>;
  /** Every id attribute emitted so far, so headings and footnotes never collide. */
  usedIds: Set<string>;
  footnotes: Map<string, DocNode>;
  /** Footnote id → its number, in order of first reference. */
  numbers: Map<string, number>;
  referenceCounts: Map<string, number>;
  footnotesRendered: boolean;
}

interface ResolvedUrl {
  url: string;
  external: boolean;
}

const stringAttr = (node: DocNode | DocMark, name: string): string | undefined => {
  const value = node.attrs?.[name];
  return typeof value === 'string' && value !== '' ? value : undefined;
};

// --- URLs -------------------------------------------------------------------------------

const SCHEME = /^([a-z][a-z0-9+.-]*):/i;

/** Memoized per render: a link mark is checked on every text node it spans. */
function resolveUrl(raw: string, kind: 'link' | 'image', ctx: RenderContext): ResolvedUrl | null {
  const cacheKey = kind + raw;
  const cached = ctx.urls.get(cacheKey);
  if (cached !== undefined) return cached;
  const resolved = classifyUrl(raw, kind, ctx.base);
  ctx.urls.set(cacheKey, resolved);
  return resolved;
}

/**
 * Allow-list rather than block-list: anything that is not http(s), mailto, a relative
 * path or an in-page anchor is dropped. Browsers ignore tabs and newlines inside URLs and
 * surrounding control characters, so those are removed before the scheme is read;
 * otherwise "java\tscript:" would slip through.
 */
function classifyUrl(
  raw: string,
  kind: 'link' | 'image',
  base: URL | undefined,
): ResolvedUrl | null {
  // eslint-disable-next-line no-control-regex -- control characters are exactly the point
  const url = raw.replace(/^[\u0000-\u0020]+|[\u0000-\u0020]+$/g, '').replace(/[\t\n\r]/g, '');
  // eslint-disable-next-line no-control-regex
  if (url === '' || /[\u0000-\u001f\u007f]/.test(url)) return null;

  if (url.startsWith('#')) return kind === 'link' ? { url, external: false } : null;

  const scheme = SCHEME.exec(url)?.[1]?.toLowerCase();
  if (scheme === 'mailto') return kind === 'link' ? { url, external: false } : null;
  if (scheme !== undefined && scheme !== 'http' && scheme !== 'https') return null;

  // Browsers read a leading backslash as a slash, so "/\host" is protocol-relative too.
  const protocolRelative = /^[/\\]{2}/.test(url);
  if (scheme === undefined && !protocolRelative) {
    if (base === undefined) return { url, external: false };
    try {
      return { url: new URL(url, base).href, external: false };
    } catch {
      return null;
    }
  }
  const external = base === undefined || !isSameOrigin(url, base);
  return { url, external };
}

function isSameOrigin(url: string, base: URL): boolean {
  try {
    return new URL(url, base).origin === base.origin;
  } catch {
    return false;
  }
}

// --- HTML cards -------------------------------------------------------------------------

const EMBED_HOSTS = [
  'www.youtube.com',
  'youtube.com',
  'www.youtube-nocookie.com',
  'player.vimeo.com',
];

const HTML_CARD_OPTIONS: sanitizeHtml.IOptions = {
  allowedTags: [
    ...sanitizeHtml.defaults.allowedTags,
    'img',
    'iframe',
    'del',
    'ins',
    'details',
    'summary',
  ],
  // No style and no on* handlers anywhere: only what is listed here survives.
  allowedAttributes: {
    a: ['href', 'name', 'title', 'target', 'rel'],
    img: ['src', 'srcset', 'alt', 'title', 'width', 'height', 'loading'],
    iframe: ['src', 'title', 'width', 'height', 'allow', 'allowfullscreen', 'frameborder'],
    td: ['colspan', 'rowspan', 'align'],
    th: ['colspan', 'rowspan', 'scope', 'align'],
    ol: ['start', 'reversed', 'type'],
    li: ['value'],
    blockquote: ['cite'],
    q: ['cite'],
    del: ['cite', 'datetime'],
    ins: ['cite', 'datetime'],
    time: ['datetime'],
    abbr: ['title'],
    details: ['open'],
  },
  allowedClasses: { code: ['language-*'], pre: ['language-*'] },
  allowedSchemes: ['http', 'https', 'mailto'],
  allowedSchemesByTag: { img: ['http', 'https'], iframe: ['https'] },
  allowedIframeHostnames: EMBED_HOSTS,
  allowIframeRelativeUrls: false,
  transformTags: {
    a: (tagName, attribs) => {
      const href = attribs.href ?? '';
      const external = /^(?:https?:)?\/\//i.test(href.trim());
      const { rel: _rel, ...rest } = attribs;
      return {
        tagName,
        attribs: external ? { ...rest, rel: 'noopener noreferrer' } : rest,
      };
    },
  },
};

/**
 * Sanitizing is by far the slowest step of a render and cards rarely change, so small
 * cards are memoized. Bounded so a stream of unique cards cannot grow memory.
 */
const sanitizedCards = new Map<string, string>();
const CARD_CACHE_ENTRIES = 256;
const CARD_CACHE_MAX_CHARS = 20_000;

export function sanitizeHtmlCard(html: string): string {
  const cached = sanitizedCards.get(html);
  if (cached !== undefined) return cached;
  const clean = sanitizeHtml(html, HTML_CARD_OPTIONS);
  if (html.length <= CARD_CACHE_MAX_CHARS) {
    if (sanitizedCards.size >= CARD_CACHE_ENTRIES) {
      const oldest = sanitizedCards.keys().next().value;
      if (oldest !== undefined) sanitizedCards.delete(oldest);
    }
    sanitizedCards.set(html, clean);
  }
  return clean;
}

// --- Ids ----------------------------------------------------------------------------------

/**
 * Readable, stable anchors: "Lavrov's answer" → "lavrovs-answer". Accents are folded
 * only on Latin letters; Cyrillic й or ё are letters in their own right and are kept.
 */
export function slugify(text: string): string {
  const slug = text
    .normalize('NFKD')
    .replace(/(\p{Script=Latin})\p{M}+/gu, '$1')
    .normalize('NFC')
    .toLowerCase()
    .replace(/['\u2019]/g, '')
    .replace(/[^\p{L}\p{N}\p{M}]+/gu, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 80)
    .replace(/-+$/, '');
  return slug === '' ? 'section' : slug;
}

function uniqueId(candidate: string, ctx: RenderContext): string {
  let id = candidate;
  for (let n = 2; ctx.usedIds.has(id); n++) id = `${candidate}-${n}`;
  ctx.usedIds.add(id);
  return id;
}

// --- Inline content -------------------------------------------------------------------------

const MARK_RANK: ReadonlyMap<string, number> = new Map(MARK_TYPES.map((type, i) => [type, i]));
const NO_MARKS: readonly DocMark[] = [];

/** Known, renderable marks in nesting order; links with unsafe hrefs are dropped here. */
function effectiveMarks(node: DocNode, ctx: RenderContext): readonly DocMark[] {
  const marks = node.marks;
  if (marks === undefined || marks.length === 0) return NO_MARKS;
  const kept = marks.filter((mark) => {
    if (!MARK_RANK.has(mark.type)) return false;
    if (mark.type !== 'link') return true;
    // A link inside a link is invalid HTML; footnote references are links themselves.
    if (node.type === 'footnoteReference') return false;
    const href = stringAttr(mark, 'href');
    return href !== undefined && resolveUrl(href, 'link', ctx) !== null;
  });
  return kept.length > 1
    ? kept.sort((a, b) => MARK_RANK.get(a.type)! - MARK_RANK.get(b.type)!)
    : kept;
}

function sameMark(a: DocMark, b: DocMark): boolean {
  if (a.type !== b.type) return false;
  if (a.type !== 'link') return true;
  return a.attrs?.href === b.attrs?.href && a.attrs?.title === b.attrs?.title;
}

function openMark(mark: DocMark, ctx: RenderContext): string {
  switch (mark.type) {
    case 'bold':
      return '<strong>';
    case 'italic':
      return '<em>';
    case 'strike':
      return '<s>';
    case 'underline':
      return '<u>';
    case 'code':
      return '<code>';
    default: {
      const resolved = resolveUrl(stringAttr(mark, 'href') ?? '', 'link', ctx)!;
      const title = stringAttr(mark, 'title');
      return `<a href="${escapeHtml(resolved.url)}"${title ? ` title="${escapeHtml(title)}"` : ''}${
        resolved.external ? ' rel="noopener noreferrer"' : ''
      }>`;
    }
  }
}

const CLOSE_MARK: Record<string, string> = {
  link: '</a>',
  bold: '</strong>',
  italic: '</em>',
  strike: '</s>',
  underline: '</u>',
  code: '</code>',
};

/**
 * Like ProseMirror's serializer, marks stay open across adjacent nodes that share them,
 * so a link over "**bold** and plain" is one `<a>`, not two.
 */
function renderInline(nodes: readonly DocNode[] | undefined, ctx: RenderContext): void {
  if (nodes === undefined) return;
  const open: DocMark[] = [];
  for (const node of nodes) {
    const marks = effectiveMarks(node, ctx);
    let keep = 0;
    while (keep < open.length && keep < marks.length && sameMark(open[keep]!, marks[keep]!)) keep++;
    for (let i = open.length - 1; i >= keep; i--) ctx.html += CLOSE_MARK[open[i]!.type];
    open.length = keep;
    for (let i = keep; i < marks.length; i++) {
      ctx.html += openMark(marks[i]!, ctx);
      open.push(marks[i]!);
    }
    renderInlineNode(node, ctx);
  }
  for (let i = open.length - 1; i >= 0; i--) ctx.html += CLOSE_MARK[open[i]!.type];
}

function renderInlineNode(node: DocNode, ctx: RenderContext): void {
  switch (node.type) {
    case 'text':
      if (typeof node.text === 'string') ctx.html += escapeHtml(node.text);
      return;
    case 'hardBreak':
      ctx.html += '<br>';
      return;
    case 'footnoteReference':
      renderFootnoteReference(node, ctx);
      return;
  }
}

// --- Footnotes --------------------------------------------------------------------------------

function renderFootnoteReference(node: DocNode, ctx: RenderContext): void {
  const id = stringAttr(node, 'id');
  const number = id === undefined ? undefined : ctx.numbers.get(id);
  // A reference to a missing (or cut-off) footnote has nothing to point at.
  if (id === undefined || number === undefined) return;
  if (ctx.mode === 'endnotes') {
    ctx.html += `<sup>${number}</sup>`;
    return;
  }
  const seen = ctx.referenceCounts.get(id) ?? 0;
  ctx.referenceCounts.set(id, seen + 1);
  // The first reference owns "fnref-ID" (the backlink target); repeats get unique ids.
  const refId = seen === 0 ? `fnref-${id}` : uniqueId(`fnref-${id}-${seen + 1}`, ctx);
  ctx.html += `<sup class="footnote-ref"><a href="#fn-${escapeHtml(id)}" id="${escapeHtml(
    refId,
  )}">${number}</a></sup>`;
}

/** Footnote definitions from every footnotes node, and numbers in order of first reference. */
function prepareFootnotes(doc: PostDocument, ctx: RenderContext): void {
  for (const node of doc.content) {
    if (node.type !== 'footnotes') continue;
    for (const footnote of node.content ?? []) {
      const id = stringAttr(footnote, 'id');
      if (footnote.type === 'footnote' && id !== undefined && !ctx.footnotes.has(id)) {
        ctx.footnotes.set(id, footnote);
      }
    }
  }
  if (ctx.footnotes.size === 0) return;

  const visit = (nodes: readonly DocNode[]): void => {
    for (const node of nodes) {
      if (node.type === 'footnotes') continue;
      if (node.type === 'footnoteReference') {
        const id = stringAttr(node, 'id');
        if (id !== undefined && ctx.footnotes.has(id) && !ctx.numbers.has(id)) {
          ctx.numbers.set(id, ctx.numbers.size + 1);
        }
      } else if (node.content) {
        visit(node.content);
      }
    }
  };
  visit(doc.content);

  for (const id of ctx.numbers.keys()) {
    ctx.usedIds.add(`fn-${id}`);
    ctx.usedIds.add(`fnref-${id}`);
  }
}

/** Rendered once, at the first footnotes node, listing referenced notes in number order. */
function renderFootnotesSection(ctx: RenderContext): void {
  if (ctx.footnotesRendered || ctx.numbers.size === 0) return;
  ctx.footnotesRendered = true;
  const web = ctx.mode === 'web';
  ctx.html += web
    ? '<section class="footnotes" role="doc-endnotes"><ol>'
    : '<section class="footnotes"><h2>Notes</h2><ol>';
  for (const [id, number] of ctx.numbers) {
    const paragraphs = ctx.footnotes.get(id)?.content ?? [];
    const backref = web
      ? ` <a href="#fnref-${escapeHtml(id)}" class="footnote-backref" aria-label="Back to reference ${number}">\u21a9</a>`
      : '';
    ctx.html += web ? `<li id="fn-${escapeHtml(id)}">` : '<li>';
    paragraphs.forEach((paragraph, i) => {
      ctx.html += '<p>';
      renderInline(paragraph.content, ctx);
      // Inside the last paragraph, so the arrow sits at the end of the text, not below it.
      if (i === paragraphs.length - 1) ctx.html += backref;
      ctx.html += '</p>';
    });
    if (paragraphs.length === 0) ctx.html += backref;
    ctx.html += '</li>';
  }
  ctx.html += '</ol></section>';
}

// --- Blocks --------------------------------------------------------------------------------

const LANGUAGE = /^[\w#+.-]{1,40}$/;

function renderBlocks(nodes: readonly DocNode[] | undefined, ctx: RenderContext): void {
  if (nodes === undefined) return;
  for (const node of nodes) renderBlock(node, ctx);
}

function renderBlock(node: DocNode, ctx: RenderContext): void {
  switch (node.type) {
    case 'paragraph':
      ctx.html += '<p>';
      renderInline(node.content, ctx);
      ctx.html += '</p>';
      return;
    case 'heading': {
      const raw = node.attrs?.level;
      const level = typeof raw === 'number' && raw >= 1 && raw <= 6 ? Math.trunc(raw) : 2;
      const id = uniqueId(slugify(inlineText(node, ' ')), ctx);
      ctx.html += `<h${level} id="${escapeHtml(id)}">`;
      renderInline(node.content, ctx);
      ctx.html += `</h${level}>`;
      return;
    }
    case 'blockquote':
      ctx.html += '<blockquote>';
      renderBlocks(node.content, ctx);
      ctx.html += '</blockquote>';
      return;
    case 'bulletList':
      ctx.html += '<ul>';
      renderBlocks(node.content, ctx);
      ctx.html += '</ul>';
      return;
    case 'orderedList': {
      const start = node.attrs?.start;
      ctx.html +=
        typeof start === 'number' && Number.isInteger(start) && start !== 1
          ? `<ol start="${start}">`
          : '<ol>';
      renderBlocks(node.content, ctx);
      ctx.html += '</ol>';
      return;
    }
    case 'listItem':
      ctx.html += '<li>';
      renderBlocks(node.content, ctx);
      ctx.html += '</li>';
      return;
    case 'codeBlock': {
      const language = stringAttr(node, 'language');
      ctx.html +=
        language !== undefined && LANGUAGE.test(language)
          ? `<pre><code class="language-${escapeHtml(language)}">`
          : '<pre><code>';
      ctx.html += `${escapeHtml(inlineText(node))}</code></pre>`;
      return;
    }
    case 'horizontalRule':
      ctx.html += '<hr>';
      return;
    case 'image':
      renderImage(node, ctx);
      return;
    case 'htmlCard': {
      const html = stringAttr(node, 'html');
      if (html !== undefined) ctx.html += sanitizeHtmlCard(html);
      return;
    }
    case 'bookmark':
      renderBookmark(node, ctx);
      return;
    case 'footnotes':
      renderFootnotesSection(ctx);
      return;
    // 'paywall' marks where the preview ends; in a full render it is invisible.
    // Unknown types render nothing rather than something unvetted.
  }
}

function renderImage(node: DocNode, ctx: RenderContext): void {
  const src = stringAttr(node, 'src');
  const resolved = src === undefined ? null : resolveUrl(src, 'image', ctx);
  if (resolved === null) return;
  const title = stringAttr(node, 'title');
  ctx.html += `<img src="${escapeHtml(resolved.url)}" alt="${escapeHtml(
    stringAttr(node, 'alt') ?? '',
  )}"${title ? ` title="${escapeHtml(title)}"` : ''} loading="lazy">`;
}

// --- Bookmark cards -----------------------------------------------------------------------

/** What a bookmark may show, each part already vetted; null when its address is unsafe. */
function bookmarkParts(node: DocNode, ctx: RenderContext) {
  const raw = stringAttr(node, 'url');
  const link = raw === undefined ? null : resolveUrl(raw, 'link', ctx);
  // Only absolute http(s): the schema insists, and an old or hand-made row must not slip a
  // relative or mailto address into what reads as a link to another site.
  if (link === null || !/^https?:\/\//i.test(link.url)) return null;
  const image = stringAttr(node, 'image');
  let host = link.url;
  try {
    host = new URL(link.url).host;
  } catch {
    // The schema checked it parses; a hand-made row just shows its address.
  }
  return {
    link,
    host,
    title: stringAttr(node, 'title')?.trim() || host,
    description: stringAttr(node, 'description')?.trim(),
    image: image === undefined ? null : resolveUrl(image, 'image', ctx),
  };
}

/**
 * On the web a card the site stylesheet lays out; in email (endnotes mode) a table with its
 * styles inline, since mail clients drop or ignore most CSS and flexbox entirely.
 */
function renderBookmark(node: DocNode, ctx: RenderContext): void {
  const card = bookmarkParts(node, ctx);
  if (card === null) return;
  const href = escapeHtml(card.link.url);
  const rel = card.link.external ? ' rel="noopener noreferrer"' : '';
  const title = escapeHtml(card.title);
  const description = card.description ? escapeHtml(card.description) : undefined;
  const host = escapeHtml(card.host);
  if (ctx.mode === 'web') {
    ctx.html +=
      `<figure class="bookmark-card"><a class="bookmark" href="${href}"${rel}>` +
      `<span class="bookmark-text"><span class="bookmark-title">${title}</span>` +
      (description ? `<span class="bookmark-description">${description}</span>` : '') +
      `<span class="bookmark-url">${host}</span></span>` +
      (card.image
        ? `<img class="bookmark-image" src="${escapeHtml(card.image.url)}" alt="" loading="lazy">`
        : '') +
      '</a></figure>';
    return;
  }
  ctx.html +=
    '<table role="presentation" class="bookmark" width="100%" cellpadding="0" cellspacing="0" border="0" style="width:100%;border:1px solid #dddddd;border-collapse:separate;border-radius:6px;margin:0 0 18px;">' +
    '<tr><td valign="top" style="padding:14px 16px;">' +
    `<a href="${href}"${rel} style="font-weight:bold;font-size:16px;line-height:1.4;text-decoration:none;">${title}</a>` +
    (description
      ? `<p style="margin:6px 0 0;font-size:14px;line-height:1.5;color:#555555;">${description}</p>`
      : '') +
    `<p style="margin:6px 0 0;font-size:13px;line-height:1.4;color:#777777;"><a href="${href}"${rel} style="color:#777777;">${host}</a></p>` +
    '</td>' +
    (card.image
      ? `<td width="140" valign="top" style="width:140px;padding:0;"><a href="${href}"${rel}><img src="${escapeHtml(card.image.url)}" width="140" alt="" style="display:block;width:140px;max-width:140px;height:auto;margin:0;border-radius:0 6px 6px 0;"></a></td>`
      : '') +
    '</tr></table>';
}

function parseBase(baseUrl: string | undefined): URL | undefined {
  if (baseUrl === undefined) return undefined;
  try {
    return new URL(baseUrl);
  } catch {
    return undefined;
  }
}

/**
 * Renders a post body to HTML by string building (no DOM). All text and attribute values
 * are escaped; HTML cards pass through sanitize-html. Documents are expected to have been
 * validated with `postDocumentSchema`, but anything unexpected still renders safely.
 */
export function renderDocumentHtml(doc: PostDocument, options: RenderOptions = {}): string {
  const source = options.cutAtPaywall ? previewDocument(doc) : doc;
  const ctx: RenderContext = {
    html: '',
    mode: options.footnotes ?? 'web',
    base: parseBase(options.baseUrl),
    urls: new Map(),
    usedIds: new Set(),
    footnotes: new Map(),
    numbers: new Map(),
    referenceCounts: new Map(),
    footnotesRendered: false,
  };
  prepareFootnotes(source, ctx);
  renderBlocks(source.content, ctx);
  return ctx.html;
}
