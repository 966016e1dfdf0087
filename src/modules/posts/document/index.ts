export {
  emptyDocument,
  MARK_TYPES,
  NODE_TYPES,
  type DocMark,
  type DocNode,
  type MarkType,
  type NodeType,
  type PostDocument,
} from './document.types.js';
export { MAX_DOCUMENT_DEPTH, MAX_DOCUMENT_NODES, postDocumentSchema } from './document.schema.js';
export { renderDocumentHtml, type RenderOptions } from './render-html.js';
export {
  autoExcerpt,
  documentPlainText,
  hasPaywall,
  previewDocument,
  readingTimeMinutes,
  wordCount,
} from './document-text.js';
export { type MarkdownFrontMatter } from './front-matter.js';
export {
  markdownToDocument,
  parseMarkdownPost,
  type ParsedMarkdownPost,
} from './markdown-import.js';
