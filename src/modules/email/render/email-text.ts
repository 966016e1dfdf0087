import {
  documentPlainText,
  type DocMark,
  type DocNode,
  type PostDocument,
} from '../../posts/document/index.js';

/**
 * The plain-text twin of `renderDocumentHtml(doc, { footnotes: 'endnotes' })`, for the
 * text/plain part of an email: blank lines between blocks, underlined headings, quotes
 * prefixed with "> ", links as "text (url)", footnotes as [n] with the notes listed where
 * the footnotes block stands (the end). Bold becomes *bold*: analysts bold the passages
 * of a transcript they want read, and that emphasis is the point of the quote.
 */
export interface TextRenderOptions {
  /** Makes relative link URLs absolute; links that stay relative are shown as text only. */
  baseUrl?: string;
  /** Column to wrap prose at. Code, URLs and words longer than this are never split. */
  width?: number;
}

export const TEXT_WIDTH = 78;
/** Deep nesting (quotes in lists in quotes) must still leave room for words. */
const MIN_WIDTH = 24;

interface TextContext {
  base: URL | undefined;
  footnotes: Map<string, DocNode>;
  /** Footnote id → its number, in order of first reference (as the HTML renderer numbers). */
  numbers: Map<string, number>;
  notesRendered: boolean;
}

// --- Wrapping ---------------------------------------------------------------------------

/** Greedy word wrap; explicit newlines (hard breaks) are kept. */
export function wrapText(text: string, width: number): string[] {
  const lines: string[] = [];
  for (const paragraphLine of text.split('\n')) {
    const words = paragraphLine.split(/[ \t]+/).filter((word) => word !== '');
    let line = '';
    for (const word of words) {
      if (line === '') line = word;
      else if (line.length + 1 + word.length <= width) line += ` ${word}`;
      else {
        lines.push(line);
        line = word;
      }
    }
    lines.push(line);
  }
  return lines;
}

/** Puts `first` before the first line and aligns the others under it. */
function hang(lines: readonly string[], first: string): string[] {
  const indent = ' '.repeat(first.length);
  return lines.map((line, i) => (i === 0 ? first + line : line === '' ? '' : indent + line));
}

// --- Links ------------------------------------------------------------------------------

/**
 * Same allow-list as the HTML renderer (http, https, mailto). In-page anchors and URLs
 * that cannot be made absolute mean nothing in a mail, so the link text stands alone.
 */
function linkTarget(raw: unknown, base: URL | undefined): string | null {
  if (typeof raw !== 'string') return null;
  // eslint-disable-next-line no-control-regex -- browsers drop these; so do we
  const trimmed = raw.replace(/^[\u0000-\u0020]+|[\u0000-\u0020]+$/g, '').replace(/[\t\n\r]/g, '');
  // eslint-disable-next-line no-control-regex
  if (trimmed === '' || trimmed.startsWith('#') || /[\u0000-\u001f\u007f]/.test(trimmed)) {
    return null;
  }
  try {
    const url = new URL(trimmed, base);
    if (url.protocol === 'mailto:') return trimmed.slice('mailto:'.length);
    return url.protocol === 'http:' || url.protocol === 'https:' ? url.href : null;
  } catch {
    return null;
  }
}

/** "https://example.com/a/" and "example.com/a" are the same words to a reader. */
function sameAsUrl(text: string, url: string): boolean {
  const bare = (value: string) =>
    value
      .trim()
      .replace(/^(?:https?:\/\/|mailto:)/i, '')
      .replace(/^www\./i, '')
      .replace(/\/$/, '')
      .toLowerCase();
  return bare(text) === bare(url);
}

// --- Inline content -----------------------------------------------------------------------

interface Run {
  text: string;
  bold: boolean;
  href: string | null;
}

const hasMark = (marks: readonly DocMark[] | undefined, type: string) =>
  marks?.some((mark) => mark.type === type) ?? false;

/** Wraps the words in `*`, leaving surrounding spaces outside ("* a *" reads as bullets). */
function embolden(text: string): string {
  const match = /^(\s*)([\s\S]*?)(\s*)$/.exec(text);
  if (match === null || match[2] === '') return text;
  return `${match[1]}*${match[2]}*${match[3]}`;
}

function inlineToText(nodes: readonly DocNode[] | undefined, ctx: TextContext): string {
  const runs: Run[] = [];
  for (const node of nodes ?? []) {
    let run: Run | null = null;
    if (node.type === 'text' && typeof node.text === 'string') {
      const link = node.marks?.find((mark) => mark.type === 'link');
      run = {
        text: node.text,
        bold: hasMark(node.marks, 'bold'),
        href: link === undefined ? null : linkTarget(link.attrs?.href, ctx.base),
      };
    } else if (node.type === 'hardBreak') {
      run = { text: '\n', bold: false, href: null };
    } else if (node.type === 'footnoteReference') {
      const id = node.attrs?.id;
      const number = typeof id === 'string' ? ctx.numbers.get(id) : undefined;
      if (number !== undefined) run = { text: `[${number}]`, bold: false, href: null };
    }
    if (run === null) continue;
    const last = runs[runs.length - 1];
    if (last !== undefined && last.bold === run.bold && last.href === run.href) {
      last.text += run.text;
    } else {
      runs.push(run);
    }
  }

  let out = '';
  for (let i = 0; i < runs.length;) {
    // A link spanning bold and plain text gets one "(url)", after all of it.
    const href = runs[i]!.href;
    let label = '';
    for (; i < runs.length && runs[i]!.href === href; i++) {
      const run = runs[i]!;
      label += run.bold ? embolden(run.text) : run.text;
    }
    if (href === null || label.trim() === '') out += label;
    else if (sameAsUrl(label.replace(/\*/g, ''), href)) out += href;
    else out += `${label} (${href})`;
  }
  return out.replace(/[ \t]+/g, ' ').trim();
}

// --- Footnotes ----------------------------------------------------------------------------

function prepareFootnotes(doc: PostDocument, ctx: TextContext): void {
  for (const node of doc.content) {
    if (node.type !== 'footnotes') continue;
    for (const footnote of node.content ?? []) {
      const id = footnote.attrs?.id;
      if (footnote.type === 'footnote' && typeof id === 'string' && !ctx.footnotes.has(id)) {
        ctx.footnotes.set(id, footnote);
      }
    }
  }
  const visit = (nodes: readonly DocNode[]): void => {
    for (const node of nodes) {
      if (node.type === 'footnotes') continue;
      const id = node.attrs?.id;
      if (node.type === 'footnoteReference') {
        if (typeof id === 'string' && ctx.footnotes.has(id) && !ctx.numbers.has(id)) {
          ctx.numbers.set(id, ctx.numbers.size + 1);
        }
      } else if (node.content) {
        visit(node.content);
      }
    }
  };
  visit(doc.content);
}

function renderNotes(width: number, ctx: TextContext): string | null {
  if (ctx.notesRendered || ctx.numbers.size === 0) return null;
  ctx.notesRendered = true;
  const notes = [...ctx.numbers].map(([id, number]) => {
    const marker = `[${number}] `;
    const paragraphs = (ctx.footnotes.get(id)?.content ?? []).map((paragraph) =>
      inlineToText(paragraph.content, ctx),
    );
    return hang(wrapText(paragraphs.join('\n'), width - marker.length), marker).join('\n');
  });
  return ['Notes', '-----', '', notes.join('\n\n')].join('\n');
}

// --- Blocks ---------------------------------------------------------------------------------

function renderBlocks(nodes: readonly DocNode[] | undefined, width: number, ctx: TextContext) {
  const blocks: string[] = [];
  for (const node of nodes ?? []) {
    const block = renderBlock(node, Math.max(width, MIN_WIDTH), ctx);
    if (block !== null && block !== '') blocks.push(block);
  }
  return blocks;
}

function renderList(node: DocNode, width: number, ctx: TextContext): string {
  const start = node.attrs?.start;
  const first = typeof start === 'number' && Number.isInteger(start) ? start : 1;
  return (node.content ?? [])
    .map((item, i) => {
      const marker = node.type === 'orderedList' ? `${first + i}. ` : '- ';
      const body = renderBlocks(item.content, width - marker.length, ctx).join('\n\n');
      return hang(body.split('\n'), marker).join('\n');
    })
    .join('\n');
}

function renderBlock(node: DocNode, width: number, ctx: TextContext): string | null {
  switch (node.type) {
    case 'paragraph':
      return wrapText(inlineToText(node.content, ctx), width).join('\n');
    case 'heading': {
      const lines = wrapText(inlineToText(node.content, ctx), width);
      const level = node.attrs?.level;
      const rule = (level === 1 ? '=' : '-').repeat(Math.max(...lines.map((l) => l.length)));
      return lines[0] === '' ? null : [...lines, rule].join('\n');
    }
    case 'blockquote':
      return renderBlocks(node.content, width - 2, ctx)
        .join('\n\n')
        .split('\n')
        .map((line) => (line === '' ? '>' : `> ${line}`))
        .join('\n');
    case 'bulletList':
    case 'orderedList':
      return renderList(node, width, ctx);
    case 'codeBlock': {
      const code = (node.content ?? []).map((child) => child.text ?? '').join('');
      return code
        .replace(/\n+$/, '')
        .split('\n')
        .map((line) => (line === '' ? '' : `    ${line}`))
        .join('\n');
    }
    case 'horizontalRule':
      return '* * *';
    case 'image': {
      const alt = node.attrs?.alt;
      return typeof alt === 'string' && alt.trim() !== '' ? `[Image: ${alt.trim()}]` : null;
    }
    case 'htmlCard':
      return wrapText(documentPlainText({ type: 'doc', content: [node] }), width).join('\n');
    case 'bookmark':
      return bookmarkToText(node, width);
    case 'footnotes':
      return renderNotes(width, ctx);
    default:
      // 'paywall' and unknown nodes, as in the HTML renderer.
      return null;
  }
}

/** Title and description wrapped, then the address on a line of its own, never split. */
function bookmarkToText(node: DocNode, width: number): string | null {
  const attr = (name: string) => {
    const value = node.attrs?.[name];
    return typeof value === 'string' ? value.replace(/\s+/g, ' ').trim() : '';
  };
  const url = attr('url');
  // As the HTML renderer: an address that is not absolute http(s) is not shown at all.
  if (!/^https?:\/\/\S+$/i.test(url)) return null;
  const title = attr('title');
  const description = attr('description');
  return [
    ...(title ? wrapText(title, width) : []),
    ...(description ? wrapText(description, width) : []),
    url,
  ].join('\n');
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
 * Callers decide what may be shown: pass `previewDocument(doc)` for a reader who may not
 * read past the paywall. This renders whatever it is given.
 */
export function renderDocumentText(doc: PostDocument, options: TextRenderOptions = {}): string {
  const ctx: TextContext = {
    base: parseBase(options.baseUrl),
    footnotes: new Map(),
    numbers: new Map(),
    notesRendered: false,
  };
  prepareFootnotes(doc, ctx);
  return renderBlocks(doc.content, options.width ?? TEXT_WIDTH, ctx).join('\n\n');
}
