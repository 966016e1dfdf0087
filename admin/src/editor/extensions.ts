import { mergeAttributes, Node } from '@tiptap/core';
import Document from '@tiptap/extension-document';
import Image from '@tiptap/extension-image';
import { Placeholder } from '@tiptap/extensions';
import { ReactNodeViewRenderer } from '@tiptap/react';
import StarterKit from '@tiptap/starter-kit';
import { BookmarkView } from './BookmarkView.js';
import { HtmlCardView } from './HtmlCardView.js';

/**
 * The editor's schema is the server's document model (posts/document): the same node names
 * and attributes, so what the editor produces is what the API validates and the site renders.
 * Paywall cut and footnotes live at the top level only, as the model requires.
 */

const TopDocument = Document.extend({ content: '(block | topBlock)+ footnotes?' });

/** Where the free preview ends for readers who may not read the whole post. */
export const Paywall = Node.create({
  name: 'paywall',
  group: 'topBlock',
  atom: true,
  selectable: true,
  draggable: true,
  parseHTML: () => [{ tag: 'div[data-type="paywall"]' }],
  renderHTML: ({ HTMLAttributes }) => [
    'div',
    mergeAttributes(HTMLAttributes, { 'data-type': 'paywall', class: 'pr-paywall' }),
    ['span', {}, 'Free preview ends here'],
  ],
});

/** Raw HTML the site sanitizes when it renders it. */
export const HtmlCard = Node.create({
  name: 'htmlCard',
  group: 'block',
  atom: true,
  selectable: true,
  draggable: true,
  addAttributes: () => ({ html: { default: '' } }),
  parseHTML: () => [
    {
      tag: 'div[data-type="html-card"]',
      getAttrs: (el) => ({ html: (el as HTMLElement).getAttribute('data-html') ?? '' }),
    },
  ],
  renderHTML: ({ node }) => [
    'div',
    { 'data-type': 'html-card', 'data-html': String(node.attrs.html ?? '') },
  ],
  addNodeView: () => ReactNodeViewRenderer(HtmlCardView),
});

/**
 * A link to another page shown as a card: its address, and the title, description and image
 * the writer gives it. The site renders it (web and email) from these four attributes.
 */
export const Bookmark = Node.create({
  name: 'bookmark',
  group: 'block',
  atom: true,
  selectable: true,
  draggable: true,
  addAttributes: () => ({
    url: { default: '' },
    title: { default: null },
    description: { default: null },
    image: { default: null },
  }),
  parseHTML: () => [
    {
      tag: 'figure[data-type="bookmark"]',
      getAttrs: (el) => {
        const e = el as HTMLElement;
        return {
          url: e.getAttribute('data-url') ?? '',
          title: e.getAttribute('data-title'),
          description: e.getAttribute('data-description'),
          image: e.getAttribute('data-image'),
        };
      },
    },
  ],
  renderHTML: ({ node }) => {
    const attrs: Record<string, string> = {
      'data-type': 'bookmark',
      'data-url': String(node.attrs.url ?? ''),
    };
    for (const name of ['title', 'description', 'image']) {
      const value: unknown = node.attrs[name];
      if (typeof value === 'string' && value !== '') attrs[`data-${name}`] = value;
    }
    return ['figure', attrs];
  },
  addNodeView: () => ReactNodeViewRenderer(BookmarkView),
});

/** A numbered marker in the text pointing at a note in the footnotes section. */
export const FootnoteReference = Node.create({
  name: 'footnoteReference',
  group: 'inline',
  inline: true,
  atom: true,
  selectable: true,
  addAttributes: () => ({ id: { default: null } }),
  parseHTML: () => [
    {
      tag: 'sup[data-footnote-ref]',
      getAttrs: (el) => ({ id: (el as HTMLElement).getAttribute('data-footnote-ref') }),
    },
  ],
  renderHTML: ({ node }) => [
    'sup',
    { 'data-footnote-ref': String(node.attrs.id), class: 'pr-footnote-ref' },
  ],
});

export const Footnote = Node.create({
  name: 'footnote',
  content: 'paragraph+',
  defining: true,
  isolating: true,
  addAttributes: () => ({ id: { default: null } }),
  parseHTML: () => [
    {
      tag: 'li[data-footnote]',
      getAttrs: (el) => ({ id: (el as HTMLElement).getAttribute('data-footnote') }),
    },
  ],
  renderHTML: ({ node }) => [
    'li',
    { 'data-footnote': String(node.attrs.id), class: 'pr-footnote' },
    0,
  ],
});

export const Footnotes = Node.create({
  name: 'footnotes',
  content: 'footnote+',
  isolating: true,
  parseHTML: () => [{ tag: 'ol[data-type="footnotes"]' }],
  renderHTML: () => ['ol', { 'data-type': 'footnotes', class: 'pr-footnotes' }, 0],
});

export function editorExtensions(options: { placeholder?: string } = {}) {
  return [
    TopDocument,
    StarterKit.configure({
      document: false,
      // Underline is in the model but not offered: on the web it reads as a link.
      underline: false,
      link: { openOnClick: false, autolink: true, defaultProtocol: 'https' },
    }),
    Image.configure({ inline: false, allowBase64: false }),
    Paywall,
    HtmlCard,
    Bookmark,
    FootnoteReference,
    Footnote,
    Footnotes,
    Placeholder.configure({ placeholder: options.placeholder ?? 'Begin writing your post…' }),
  ];
}
