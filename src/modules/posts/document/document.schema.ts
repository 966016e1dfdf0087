import { z } from 'zod';
import { NODE_TYPES, type DocMark, type DocNode, type PostDocument } from './document.types.js';

/** Counting the doc itself as level 1. Deeper than this is an attack or a bug, not writing. */
export const MAX_DOCUMENT_DEPTH = 50;
export const MAX_DOCUMENT_NODES = 100_000;

const KNOWN_NODE_TYPES: ReadonlySet<string> = new Set(NODE_TYPES);

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/**
 * Zod's own message for a failed discriminator is "Invalid input"; an editor author needs to
 * know whether the node is unknown or merely in the wrong place. The issue is typed loosely
 * because zod also routes a non-object input (`invalid_type`) here, despite its typings.
 */
function nodeTypeError(expected: string) {
  return (issue: { code: string; input?: unknown }): string | undefined => {
    if (issue.code === 'invalid_type') return `Expected ${expected}`;
    if (issue.code !== 'invalid_union') return undefined;
    const type = isRecord(issue.input) ? issue.input.type : undefined;
    if (typeof type !== 'string') return `Node type must be a string (expected ${expected})`;
    return KNOWN_NODE_TYPES.has(type)
      ? `Node type "${type}" is not allowed here (expected ${expected})`
      : `Unknown node type "${type}"`;
  };
}

function markTypeError(issue: { code: string; input?: unknown }): string | undefined {
  if (issue.code === 'invalid_type') return 'Expected a mark object';
  if (issue.code !== 'invalid_union') return undefined;
  const type = isRecord(issue.input) ? issue.input.type : undefined;
  return `Unknown mark type ${JSON.stringify(type)}`;
}

const optionalText = (max: number) => z.string().max(max).nullish();
const noAttrs = z.object({}).optional();

const markSchema: z.ZodType<DocMark> = z.discriminatedUnion(
  'type',
  [
    z.object({ type: z.literal('bold'), attrs: noAttrs }),
    z.object({ type: z.literal('italic'), attrs: noAttrs }),
    z.object({ type: z.literal('strike'), attrs: noAttrs }),
    // TipTap's StarterKit (v3) includes Underline, so pasted underlined text must save.
    z.object({ type: z.literal('underline'), attrs: noAttrs }),
    z.object({ type: z.literal('code'), attrs: noAttrs }),
    // The href is only checked for shape here: unsafe schemes are dropped when rendering,
    // so a pasted javascript: link does not make the whole post unsaveable.
    z.object({
      type: z.literal('link'),
      attrs: z.object({ href: z.string().min(1).max(4096), title: optionalText(500) }),
    }),
  ],
  { error: markTypeError },
);

const marks = z.array(markSchema).max(10).optional();

// Whitespace and control characters are refused outright rather than trimmed: browsers
// strip them inside URLs, which is how "java\tscript:" gets past naive scheme checks.
// eslint-disable-next-line no-control-regex
const ABSOLUTE_HTTP_URL = /^https?:\/\/[^\s\u0000-\u001f\u007f]+$/i;
const isHttpUrl = (value: string): boolean => {
  if (!ABSOLUTE_HTTP_URL.test(value)) return false;
  try {
    return ['http:', 'https:'].includes(new URL(value).protocol);
  } catch {
    return false;
  }
};

/**
 * A bookmark points off-site, so its address must be absolute http(s): a `javascript:` or
 * `data:` link would run in the reader's browser. Unlike link marks (checked only when
 * rendered, so a pasted link never blocks a save) a bookmark is made on purpose, one at a
 * time, and the writer is told at once.
 */
const bookmarkUrl = z.string().max(2000).refine(isHttpUrl, 'must be an http(s) URL');
/** Empty means no image; otherwise an http(s) URL or one of this site's own paths. */
const bookmarkImage = z
  .string()
  .max(2000)
  .refine(
    (v) => v === '' || isHttpUrl(v) || /^\/(?![/\\])\S*$/.test(v),
    'must be an http(s) URL or a path starting with /',
  )
  .nullish();

/**
 * Footnote ids end up in `id="fn-…"` attributes and `#fn-…` fragments, where whitespace
 * would break the link.
 */
const footnoteId = z
  .string()
  .regex(/^\S{1,100}$/, 'Footnote id must be 1 to 100 characters without spaces');

const textNode = z.object({
  type: z.literal('text'),
  // ProseMirror refuses empty text nodes, so the editor could not load them.
  text: z.string().min(1, 'Text nodes cannot be empty'),
  marks,
});

const inlineNode: z.ZodType<DocNode> = z.discriminatedUnion(
  'type',
  [
    textNode,
    z.object({ type: z.literal('hardBreak'), marks }),
    z.object({ type: z.literal('footnoteReference'), attrs: z.object({ id: footnoteId }), marks }),
  ],
  { error: nodeTypeError('an inline node: text, hardBreak or footnoteReference') },
);

const inlineContent = z.array(inlineNode).optional();
const blockContent = z.array(z.lazy(() => blockNode)).min(1, 'Must contain at least one block');

const paragraph = z.object({
  type: z.literal('paragraph'),
  attrs: noAttrs,
  content: inlineContent,
});

/** A child that must be one specific node type, with the same messages as the unions. */
const only = <T extends z.ZodObject<{ type: z.ZodLiteral<string> }>>(schema: T, expected: string) =>
  z.discriminatedUnion('type', [schema], { error: nodeTypeError(expected) });

const listItems = z
  .array(
    only(
      z.object({ type: z.literal('listItem'), attrs: noAttrs, content: blockContent }),
      'a listItem node',
    ),
  )
  .min(1, 'Lists need at least one item');

const BLOCK_OPTIONS = [
  paragraph,
  z.object({
    type: z.literal('heading'),
    attrs: z.object({
      level: z.int('Heading level must be an integer from 1 to 6').min(1).max(6),
    }),
    content: inlineContent,
  }),
  z.object({ type: z.literal('blockquote'), attrs: noAttrs, content: blockContent }),
  z.object({
    type: z.literal('bulletList'),
    attrs: noAttrs,
    content: listItems,
  }),
  z.object({
    type: z.literal('orderedList'),
    attrs: z.object({ start: z.int().min(0).max(1_000_000_000).nullish() }).optional(),
    content: listItems,
  }),
  z.object({
    type: z.literal('codeBlock'),
    attrs: z.object({ language: optionalText(50) }).optional(),
    // Code is plain text; the editor allows no marks there, so any sent are stripped.
    content: z
      .array(only(z.object({ type: z.literal('text'), text: textNode.shape.text }), 'plain text'))
      .optional(),
  }),
  z.object({ type: z.literal('horizontalRule'), attrs: noAttrs }),
  z.object({
    type: z.literal('image'),
    attrs: z.object({
      src: z.string().min(1).max(4096),
      alt: optionalText(1000),
      title: optionalText(1000),
    }),
  }),
  z.object({ type: z.literal('htmlCard'), attrs: z.object({ html: z.string().max(200_000) }) }),
  z.object({
    type: z.literal('bookmark'),
    attrs: z.object({
      url: bookmarkUrl,
      title: optionalText(500),
      description: optionalText(2000),
      image: bookmarkImage,
    }),
  }),
] as const;

const blockNode: z.ZodType<DocNode> = z.discriminatedUnion('type', [...BLOCK_OPTIONS], {
  error: nodeTypeError(`a block node: ${BLOCK_OPTIONS.map((o) => o.shape.type.value).join(', ')}`),
});

const footnote = z.object({
  type: z.literal('footnote'),
  attrs: z.object({ id: footnoteId }),
  content: z
    .array(only(paragraph, 'a paragraph (footnotes hold paragraphs only)'))
    .min(1, 'Footnotes need at least one paragraph'),
});

const topLevelNode: z.ZodType<DocNode> = z.discriminatedUnion(
  'type',
  [
    ...BLOCK_OPTIONS,
    z.object({ type: z.literal('paywall'), attrs: noAttrs }),
    z.object({
      type: z.literal('footnotes'),
      attrs: noAttrs,
      content: z
        .array(only(footnote, 'a footnote node'))
        .min(1, 'Must contain at least one footnote'),
    }),
  ],
  { error: nodeTypeError('a block node') },
);

const documentShape = z.object({
  type: z.literal('doc', 'The root node must have type "doc"'),
  content: z.array(topLevelNode),
});

/**
 * Walks iteratively before the recursive schema runs, so a hostile 10 000-level document
 * is refused cheaply instead of overflowing the stack inside zod.
 */
function checkLimits(input: unknown, ctx: z.RefinementCtx): void {
  const stack: [unknown, number][] = [[input, 1]];
  let count = 0;
  while (stack.length > 0) {
    const [node, depth] = stack.pop()!;
    if (++count > MAX_DOCUMENT_NODES) {
      ctx.addIssue({
        code: 'custom',
        message: `Document has more than ${MAX_DOCUMENT_NODES} nodes`,
      });
      return;
    }
    if (depth > MAX_DOCUMENT_DEPTH) {
      ctx.addIssue({
        code: 'custom',
        message: `Document is nested deeper than ${MAX_DOCUMENT_DEPTH} levels`,
      });
      return;
    }
    const content = isRecord(node) ? node.content : undefined;
    if (Array.isArray(content)) for (const child of content) stack.push([child, depth + 1]);
  }
}

/**
 * Validates a document from the editor or an API client. Issues carry zod paths such as
 * `content.3.type`, so the caller can say exactly which node is wrong. Parsing strips
 * attributes Pressroom does not use (TipTap adds `target`, `rel`, `class` to links).
 */
export const postDocumentSchema: z.ZodType<PostDocument> = z
  .unknown()
  .superRefine(checkLimits)
  .pipe(documentShape);
