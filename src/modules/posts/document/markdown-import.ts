import MarkdownIt, { type Token } from 'markdown-it';
import footnotePlugin from 'markdown-it-footnote';
import { AppError } from '../../../platform/errors.js';
import { MAX_DOCUMENT_DEPTH, postDocumentSchema } from './document.schema.js';
import { inlineText } from './document-text.js';
import { MARK_TYPES, type DocMark, type DocNode, type PostDocument } from './document.types.js';
import { parseFrontMatter, splitFrontMatter, type MarkdownFrontMatter } from './front-matter.js';

export interface ParsedMarkdownPost {
  frontMatter: MarkdownFrontMatter;
  document: PostDocument;
}

/**
 * Raw HTML is enabled only so HTML blocks can become htmlCard nodes (sanitized when
 * rendered); inline HTML is turned back into literal text below. Typographer and linkify
 * stay off: an import must keep the author's text exactly.
 */
const md = new MarkdownIt('default', {
  html: true,
  linkify: false,
  typographer: false,
  // markdown-it silently drops everything below this level. At twice the document depth
  // limit, any input deep enough to be cut also fails validation, so nothing is lost quietly.
  maxNesting: MAX_DOCUMENT_DEPTH * 2,
}).use(footnotePlugin);

const PAYWALL_MARKER = /^<!--\s*paywall\s*-->$/;
const ONLY_COMMENTS = /^(?:<!--[\s\S]*?-->\s*)+$/;
const MARK_RANK: ReadonlyMap<string, number> = new Map(MARK_TYPES.map((type, i) => [type, i]));

// A type alias, not an interface, so it fits markdown-it's index-signature `Env`.
type FootnoteEnv = {
  footnotes?: {
    list?: { label?: string }[];
  };
};

interface Reader {
  tokens: Token[];
  pos: number;
  env: FootnoteEnv;
  /** markdown-it's footnote index → the id used in the document. */
  footnoteIds: string[];
  /** Set when a paywall marker was found inside a list or quote; see readBlocks. */
  nestedPaywall: boolean;
}

// --- Inline ---------------------------------------------------------------------------------

function sameMarks(a: readonly DocMark[] | undefined, b: readonly DocMark[]): boolean {
  const left = a ?? [];
  if (left.length !== b.length) return false;
  return left.every((mark, i) => {
    const other = b[i]!;
    return mark.type === other.type && JSON.stringify(mark.attrs) === JSON.stringify(other.attrs);
  });
}

/**
 * The marks a text node gets: one per type (`*a _b_ c*` is italic once), innermost link
 * winning, no empty links (`[text]()`), in the editor's canonical order.
 */
function normalizeMarks(active: readonly DocMark[]): DocMark[] {
  const byType = new Map<string, DocMark>();
  for (const mark of active) {
    if (mark.type === 'link' && !mark.attrs?.href) continue;
    byType.set(mark.type, mark);
  }
  return [...byType.values()].sort((a, b) => MARK_RANK.get(a.type)! - MARK_RANK.get(b.type)!);
}

/** Adjacent text with the same marks is merged, as ProseMirror would do on load. */
function pushText(out: DocNode[], text: string, active: readonly DocMark[]): void {
  if (text === '') return;
  const marks = normalizeMarks(active);
  const last = out[out.length - 1];
  if (last?.type === 'text' && sameMarks(last.marks, marks)) {
    last.text += text;
    return;
  }
  out.push(marks.length > 0 ? { type: 'text', text, marks } : { type: 'text', text });
}

function removeLastMark(active: DocMark[], type: string): void {
  for (let i = active.length - 1; i >= 0; i--) {
    if (active[i]!.type === type) {
      active.splice(i, 1);
      return;
    }
  }
}

const SIMPLE_MARKS: Record<string, string> = {
  em_open: 'italic',
  strong_open: 'bold',
  s_open: 'strike',
};
const SIMPLE_MARK_CLOSE: Record<string, string> = {
  em_close: 'italic',
  strong_close: 'bold',
  s_close: 'strike',
};

/** Inline tokens → inline nodes, with images left in place for the caller to lift out. */
function convertInline(tokens: readonly Token[], reader: Reader): DocNode[] {
  const out: DocNode[] = [];
  const active: DocMark[] = [];
  for (const token of tokens) {
    const simpleOpen = SIMPLE_MARKS[token.type];
    const simpleClose = SIMPLE_MARK_CLOSE[token.type];
    if (simpleOpen !== undefined) {
      active.push({ type: simpleOpen });
      continue;
    }
    if (simpleClose !== undefined) {
      removeLastMark(active, simpleClose);
      continue;
    }
    switch (token.type) {
      case 'text':
        pushText(out, token.content, active);
        break;
      // A soft line break in Markdown is just a space between words.
      case 'softbreak':
        pushText(out, ' ', active);
        break;
      case 'hardbreak':
        out.push({ type: 'hardBreak' });
        break;
      case 'code_inline':
        pushText(out, token.content, [...active, { type: 'code' }]);
        break;
      case 'link_open': {
        const title = token.attrGet('title');
        active.push({
          type: 'link',
          attrs: { href: token.attrGet('href') ?? '', ...(title ? { title } : {}) },
        });
        break;
      }
      case 'link_close':
        removeLastMark(active, 'link');
        break;
      case 'image': {
        const src = token.attrGet('src') ?? '';
        if (src === '') break;
        out.push({
          type: 'image',
          attrs: {
            src,
            alt:
              inlineText({
                type: 'paragraph',
                content: convertInline(token.children ?? [], reader),
              }) || null,
            title: token.attrGet('title') || null,
          },
        });
        break;
      }
      case 'html_inline':
        // Comments are notes to self; other inline HTML is shown as the text it is.
        if (!token.content.startsWith('<!--')) pushText(out, token.content, active);
        break;
      case 'footnote_ref': {
        const id = reader.footnoteIds[(token.meta as { id: number }).id];
        if (id !== undefined) out.push({ type: 'footnoteReference', attrs: { id } });
        break;
      }
    }
  }
  return out;
}

const isBlank = (node: DocNode | undefined): boolean =>
  node?.type === 'hardBreak' || (node?.type === 'text' && (node.text ?? '').trim() === '');

/** Splitting a paragraph around an image leaves whitespace and breaks at the cut edges. */
function trimRun(nodes: readonly DocNode[]): DocNode[] {
  const run = [...nodes];
  while (isBlank(run[0])) run.shift();
  while (isBlank(run[run.length - 1])) run.pop();
  const first = run[0];
  if (first?.type === 'text') run[0] = { ...first, text: (first.text ?? '').trimStart() };
  const last = run[run.length - 1];
  if (last?.type === 'text') run[run.length - 1] = { ...last, text: (last.text ?? '').trimEnd() };
  return run;
}

/**
 * Images are block nodes in the editor, so an image inside a paragraph splits it:
 * "text ![a](b) more" becomes paragraph, image, paragraph.
 */
function paragraphBlocks(inline: DocNode[]): DocNode[] {
  const blocks: DocNode[] = [];
  let run: DocNode[] = [];
  const flush = (): void => {
    const content = trimRun(run);
    if (content.length > 0) blocks.push({ type: 'paragraph', content });
    run = [];
  };
  for (const node of inline) {
    if (node.type === 'image') {
      flush();
      blocks.push(node);
    } else {
      run.push(node);
    }
  }
  flush();
  return blocks;
}

/** A heading keeps its text; its images follow it. */
function headingBlocks(level: number, inline: DocNode[]): DocNode[] {
  const images = inline.filter((node) => node.type === 'image');
  const content = trimRun(inline.filter((node) => node.type !== 'image'));
  const heading: DocNode = { type: 'heading', attrs: { level } };
  if (content.length > 0) heading.content = content;
  return [heading, ...images];
}

/**
 * Footnote bodies are paragraphs only (the editor's footnote node holds nothing else), so
 * richer Markdown inside a definition is flattened rather than lost.
 */
function flattenToParagraphs(blocks: readonly DocNode[]): DocNode[] {
  const out: DocNode[] = [];
  for (const block of blocks) {
    switch (block.type) {
      case 'paragraph':
        out.push(block);
        break;
      case 'heading':
        if (block.content) out.push({ type: 'paragraph', content: block.content });
        break;
      case 'codeBlock': {
        const content: DocNode[] = [];
        inlineText(block)
          .split('\n')
          .forEach((line, i) => {
            if (i > 0) content.push({ type: 'hardBreak' });
            if (line !== '') content.push({ type: 'text', text: line, marks: [{ type: 'code' }] });
          });
        if (content.length > 0) out.push({ type: 'paragraph', content });
        break;
      }
      case 'image': {
        const src = String(block.attrs?.src ?? '');
        const label = typeof block.attrs?.alt === 'string' ? block.attrs.alt : src;
        if (label !== '') {
          const link: DocMark = { type: 'link', attrs: { href: src } };
          out.push({ type: 'paragraph', content: [{ type: 'text', text: label, marks: [link] }] });
        }
        break;
      }
      default:
        if (block.content) out.push(...flattenToParagraphs(block.content));
    }
  }
  return out;
}

// --- Blocks ---------------------------------------------------------------------------------

/** Reads the inline token(s) of a paragraph or heading, up to and including `close`. */
function readInlineUntil(reader: Reader, close: string): DocNode[] {
  const inline: DocNode[] = [];
  while (reader.pos < reader.tokens.length) {
    const token = reader.tokens[reader.pos++]!;
    if (token.type === close) break;
    // footnote_anchor tokens (the plugin's backlinks) also land here and are dropped.
    if (token.type === 'inline') inline.push(...convertInline(token.children ?? [], reader));
  }
  return inline;
}

/** Skips an unknown container and everything in it. */
function skipToken(reader: Reader, token: Token): void {
  if (token.nesting !== 1) return;
  let depth = 1;
  while (reader.pos < reader.tokens.length && depth > 0) {
    depth += reader.tokens[reader.pos++]!.nesting;
  }
}

/**
 * Tables have no editor node; rendered by markdown-it, they survive as an HTML card
 * (tables are on the card sanitizer's allow-list).
 */
function tableCard(reader: Reader, open: Token): DocNode {
  const start = reader.pos - 1;
  skipToken(reader, open);
  const html = md.renderer.render(reader.tokens.slice(start, reader.pos), md.options, reader.env);
  return { type: 'htmlCard', attrs: { html: html.trim() } };
}

function readBlocks(reader: Reader, close: string | undefined, depth: number): DocNode[] {
  const out: DocNode[] = [];
  while (reader.pos < reader.tokens.length) {
    const token = reader.tokens[reader.pos++]!;
    if (token.type === close) break;
    const before = out.length;
    readBlock(reader, token, depth, out);
    // A paywall cut can only sit at the top level. When the marker is inside a quote or a
    // list, the cut moves up to just before that block: hiding a little more than asked
    // is safe, showing paid text is not.
    if (depth === 0 && reader.nestedPaywall) {
      out.splice(before, 0, { type: 'paywall' });
      reader.nestedPaywall = false;
    }
  }
  return out;
}

function readBlock(reader: Reader, token: Token, depth: number, out: DocNode[]): void {
  switch (token.type) {
    case 'paragraph_open':
      out.push(...paragraphBlocks(readInlineUntil(reader, 'paragraph_close')));
      return;
    case 'heading_open':
      out.push(
        ...headingBlocks(Number(token.tag.slice(1)), readInlineUntil(reader, 'heading_close')),
      );
      return;
    case 'blockquote_open': {
      const content = readBlocks(reader, 'blockquote_close', depth + 1);
      out.push({
        type: 'blockquote',
        content: content.length > 0 ? content : [{ type: 'paragraph' }],
      });
      return;
    }
    case 'bullet_list_open':
      out.push({ type: 'bulletList', content: readBlocks(reader, 'bullet_list_close', depth + 1) });
      return;
    case 'ordered_list_open':
      out.push({
        type: 'orderedList',
        attrs: { start: Number(token.attrGet('start') ?? 1) },
        content: readBlocks(reader, 'ordered_list_close', depth + 1),
      });
      return;
    case 'list_item_open': {
      const content = readBlocks(reader, 'list_item_close', depth + 1);
      // An empty bullet (or quote, above) still needs a paragraph for the cursor to sit in.
      out.push({
        type: 'listItem',
        content: content.length > 0 ? content : [{ type: 'paragraph' }],
      });
      return;
    }
    case 'fence':
    case 'code_block': {
      const language = md.utils.unescapeAll(token.info).trim().split(/\s+/)[0] ?? '';
      const code = token.content.replace(/\n$/, '');
      const node: DocNode = { type: 'codeBlock', attrs: { language: language || null } };
      if (code !== '') node.content = [{ type: 'text', text: code }];
      out.push(node);
      return;
    }
    case 'hr':
      out.push({ type: 'horizontalRule' });
      return;
    case 'html_block': {
      const html = token.content.trim();
      if (PAYWALL_MARKER.test(html)) {
        if (depth === 0) out.push({ type: 'paywall' });
        else reader.nestedPaywall = true;
      } else if (!ONLY_COMMENTS.test(html) && html !== '') {
        out.push({ type: 'htmlCard', attrs: { html } });
      }
      return;
    }
    case 'table_open':
      out.push(tableCard(reader, token));
      return;
    case 'footnote_block_open': {
      const content = readBlocks(reader, 'footnote_block_close', depth + 1);
      if (content.length > 0) out.push({ type: 'footnotes', content });
      return;
    }
    case 'footnote_open': {
      const id = reader.footnoteIds[(token.meta as { id: number }).id];
      const paragraphs = flattenToParagraphs(readBlocks(reader, 'footnote_close', depth + 1));
      if (id !== undefined) {
        out.push({
          type: 'footnote',
          attrs: { id },
          content: paragraphs.length > 0 ? paragraphs : [{ type: 'paragraph' }],
        });
      }
      return;
    }
    default:
      skipToken(reader, token);
  }
}

/**
 * Labelled footnotes keep their label as id ("[^source]" → "source"), so ids stay
 * meaningful in the editor. Inline footnotes (^[…]) have none and get the next free number.
 */
function footnoteIds(env: FootnoteEnv): string[] {
  const list = env.footnotes?.list ?? [];
  const labels = list.map((entry) =>
    entry.label === undefined ? undefined : entry.label.replace(/\s+/g, '-').slice(0, 100),
  );
  const used = new Set(labels.filter((label) => label !== undefined));
  return labels.map((label, i) => {
    if (label !== undefined) return label;
    let candidate = String(i + 1);
    for (let n = 2; used.has(candidate); n++) candidate = `${i + 1}-${n}`;
    used.add(candidate);
    return candidate;
  });
}

/**
 * Markdown body → document, using markdown-it's token stream rather than its HTML. The
 * result is validated like any document from the editor, so an import can never store what
 * the API would refuse; input that cannot be represented (absurd nesting, a 5 000-character
 * URL) throws AppError 'invalid_markdown'.
 */
export function markdownToDocument(markdown: string): PostDocument {
  const env: FootnoteEnv = {};
  const tokens = md.parse(markdown, env);
  const reader: Reader = {
    tokens,
    pos: 0,
    env,
    footnoteIds: footnoteIds(env),
    nestedPaywall: false,
  };
  const result = postDocumentSchema.safeParse({
    type: 'doc',
    content: readBlocks(reader, undefined, 0),
  });
  if (!result.success) {
    const issue = result.error.issues[0]!;
    throw new AppError('invalid_markdown', `The Markdown cannot be imported: ${issue.message}`, {
      status: 400,
    });
  }
  return result.data;
}

/**
 * Imports a Markdown post with optional YAML front matter. Without a front-matter title,
 * the first top-level `# H1` becomes the title and is removed from the body (it would
 * otherwise be shown twice). Throws AppError 'invalid_front_matter' naming the file line.
 */
export function parseMarkdownPost(source: string): ParsedMarkdownPost {
  const { yaml, body } = splitFrontMatter(source);
  const frontMatter = yaml === undefined ? {} : parseFrontMatter(yaml);
  const document = markdownToDocument(body);

  if (frontMatter.title === undefined) {
    const index = document.content.findIndex(
      (node) => node.type === 'heading' && node.attrs?.level === 1,
    );
    const heading = document.content[index];
    const title = heading === undefined ? '' : inlineText(heading, ' ').replace(/\s+/g, ' ').trim();
    if (title !== '') {
      frontMatter.title = title;
      document.content.splice(index, 1);
    }
  }
  return { frontMatter, document };
}
