import sanitizeHtml from 'sanitize-html';
import type { DocNode, PostDocument } from './document.types.js';

const WORDS_PER_MINUTE = 238;

/** Text of an inline run; footnote markers are dropped because they are not prose. */
export function inlineText(node: DocNode, hardBreak = '\n'): string {
  let text = '';
  for (const child of node.content ?? []) {
    if (child.type === 'text' && typeof child.text === 'string') text += child.text;
    else if (child.type === 'hardBreak') text += hardBreak;
  }
  return text;
}

// Cells, items and paragraphs would otherwise run together once the tags are gone.
const BLOCK_TAG = /<\/?(?:p|div|br|li|td|th|tr|h[1-6]|blockquote|pre|figcaption|section|table)\b/gi;

/**
 * Cards are raw HTML; their text still counts as content for search and reading time.
 * sanitize-html is the HTML parser already trusted for rendering them, and its output is
 * text with only `& < > "` re-escaped.
 */
function htmlCardText(node: DocNode): string {
  const html = node.attrs?.html;
  if (typeof html !== 'string' || html === '') return '';
  const escaped = sanitizeHtml(html.replace(BLOCK_TAG, ' $&'), {
    allowedTags: [],
    allowedAttributes: {},
  });
  return escaped
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&amp;/g, '&')
    .replace(/\s+/g, ' ')
    .trim();
}

/** A bookmark in plain text: its title (and description), then the address it points at. */
export function bookmarkText(node: DocNode): string {
  const part = (name: string) => {
    const value = node.attrs?.[name];
    return typeof value === 'string' ? value.replace(/\s+/g, ' ').trim() : '';
  };
  return [part('title'), part('description'), part('url')].filter((p) => p !== '').join('\n');
}

function collectBlockTexts(nodes: readonly DocNode[], out: string[]): void {
  for (const node of nodes) {
    switch (node.type) {
      case 'paragraph':
      case 'heading':
      case 'codeBlock': {
        const text = inlineText(node).trim();
        if (text !== '') out.push(text);
        break;
      }
      case 'htmlCard': {
        const text = htmlCardText(node);
        if (text !== '') out.push(text);
        break;
      }
      case 'bookmark': {
        const text = bookmarkText(node);
        if (text !== '') out.push(text);
        break;
      }
      default:
        if (node.content) collectBlockTexts(node.content, out);
    }
  }
}

/**
 * The whole document as plain text, one blank line between blocks. Footnote bodies are
 * included (they are part of what a reader reads) but the reference markers are not.
 * Callers showing this publicly pass `previewDocument(doc)` for members-only posts.
 */
export function documentPlainText(doc: PostDocument): string {
  const blocks: string[] = [];
  collectBlockTexts(doc.content, blocks);
  return blocks.join('\n\n');
}

// Chinese and Japanese are written without spaces; each character is roughly a word.
const UNSPACED_CHAR = /[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}]/gu;
const HAS_WORD_CHAR = /[\p{L}\p{N}]/u;

export function wordCount(doc: PostDocument): number {
  const text = documentPlainText(doc);
  let count = 0;
  for (const token of text.replace(UNSPACED_CHAR, ' x ').split(/\s+/)) {
    if (HAS_WORD_CHAR.test(token)) count++;
  }
  return count;
}

export function readingTimeMinutes(doc: PostDocument): number {
  return Math.max(1, Math.round(wordCount(doc) / WORDS_PER_MINUTE));
}

function collectParagraphTexts(nodes: readonly DocNode[], out: string[]): void {
  for (const node of nodes) {
    if (node.type === 'paragraph') {
      const text = inlineText(node, ' ').replace(/\s+/g, ' ').trim();
      if (text !== '') out.push(text);
    } else if (
      node.type === 'blockquote' ||
      node.type === 'bulletList' ||
      node.type === 'orderedList' ||
      node.type === 'listItem'
    ) {
      collectParagraphTexts(node.content ?? [], out);
    }
  }
}

/** Cuts at the last word boundary that leaves room for the ellipsis. */
function truncateAtWord(text: string, maxChars: number): string {
  if (text.length <= maxChars) return text;
  if (maxChars < 1) return '';
  const limit = maxChars - 1;
  let cut = text.charAt(limit) === ' ' ? limit : text.lastIndexOf(' ', limit);
  if (cut <= 0) {
    cut = limit;
    // Never split a surrogate pair (emoji, rare CJK) in a hard cut.
    const code = text.charCodeAt(cut - 1);
    if (code >= 0xd800 && code <= 0xdbff) cut--;
  }
  return `${text.slice(0, cut).replace(/[\s,;:.!?\u2013\u2014-]+$/u, '')}\u2026`;
}

/**
 * The opening paragraphs as a teaser of at most `maxChars` characters. Headings, code and
 * cards are skipped, and it never reads past the paywall: excerpts are shown to everyone.
 */
export function autoExcerpt(doc: PostDocument, maxChars = 300): string {
  const texts: string[] = [];
  let length = 0;
  for (const node of doc.content) {
    if (node.type === 'paywall') break;
    const before = texts.length;
    collectParagraphTexts([node], texts);
    for (let i = before; i < texts.length; i++) length += texts[i]!.length + 1;
    if (length > maxChars) break;
  }
  return truncateAtWord(texts.join(' '), maxChars);
}

export function hasPaywall(doc: PostDocument): boolean {
  return doc.content.some((node) => node.type === 'paywall');
}

function collectFootnoteReferences(nodes: readonly DocNode[], into: Set<string>): void {
  for (const node of nodes) {
    if (node.type === 'footnoteReference') {
      const id = node.attrs?.id;
      if (typeof id === 'string') into.add(id);
    } else if (node.content) {
      collectFootnoteReferences(node.content, into);
    }
  }
}

/**
 * What a visitor without access may see: everything before the first paywall. The
 * footnotes list normally sits at the very end, after the cut, so the footnotes
 * referenced from the preview are carried over (and only those: the others could leak
 * what the paid part says). Returns `doc` itself when there is no paywall.
 */
export function previewDocument(doc: PostDocument): PostDocument {
  const cut = doc.content.findIndex((node) => node.type === 'paywall');
  if (cut === -1) return doc;

  const content = doc.content.slice(0, cut).filter((node) => node.type !== 'footnotes');
  const referenced = new Set<string>();
  collectFootnoteReferences(content, referenced);

  const footnotes: DocNode[] = [];
  for (const node of doc.content) {
    if (node.type !== 'footnotes') continue;
    for (const footnote of node.content ?? []) {
      const id = footnote.attrs?.id;
      if (typeof id === 'string' && referenced.has(id)) footnotes.push(footnote);
    }
  }
  if (footnotes.length > 0) content.push({ type: 'footnotes', content: footnotes });
  return { ...doc, content };
}
