/**
 * A post body is stored as ProseMirror/TipTap JSON so the editor can load it as-is.
 * Node and mark names follow TipTap's StarterKit, plus a few Pressroom nodes
 * (footnotes, the members' paywall cut, raw HTML cards and bookmark cards).
 *
 * The shapes are deliberately loose (`type: string`, `attrs: Record`) because documents
 * arrive from the editor over the wire; `postDocumentSchema` is what makes them trustworthy.
 */

export interface DocMark {
  type: string;
  attrs?: Record<string, unknown>;
}

export interface DocNode {
  type: string;
  attrs?: Record<string, unknown>;
  content?: DocNode[];
  text?: string;
  marks?: DocMark[];
}

export interface PostDocument extends DocNode {
  type: 'doc';
  content: DocNode[];
}

/** Blocks that may appear anywhere blocks are allowed (doc, blockquote, listItem). */
export const BLOCK_NODE_TYPES = [
  'paragraph',
  'heading',
  'blockquote',
  'bulletList',
  'orderedList',
  'codeBlock',
  'horizontalRule',
  'image',
  'htmlCard',
  'bookmark',
] as const;

/**
 * Blocks that only make sense once per post at the top level: the paywall cut splits the
 * document in two, and the footnotes list closes it.
 */
export const TOP_LEVEL_ONLY_NODE_TYPES = ['paywall', 'footnotes'] as const;

export const INLINE_NODE_TYPES = ['text', 'hardBreak', 'footnoteReference'] as const;

/** Nodes that only appear inside one specific parent. */
export const CHILD_ONLY_NODE_TYPES = ['listItem', 'footnote'] as const;

export const NODE_TYPES = [
  'doc',
  ...BLOCK_NODE_TYPES,
  ...TOP_LEVEL_ONLY_NODE_TYPES,
  ...INLINE_NODE_TYPES,
  ...CHILD_ONLY_NODE_TYPES,
] as const;

export type NodeType = (typeof NODE_TYPES)[number];

/** Listed outermost first: a link spanning bold and plain text stays one `<a>`. */
export const MARK_TYPES = ['link', 'bold', 'italic', 'strike', 'underline', 'code'] as const;

export type MarkType = (typeof MARK_TYPES)[number];

/** What an empty TipTap editor produces, so a new post opens without the editor rewriting it. */
export function emptyDocument(): PostDocument {
  return { type: 'doc', content: [{ type: 'paragraph' }] };
}
