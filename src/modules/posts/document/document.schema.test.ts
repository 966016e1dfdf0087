import { describe, expect, it } from 'vitest';
import { MAX_DOCUMENT_DEPTH, MAX_DOCUMENT_NODES, postDocumentSchema } from './document.schema.js';
import { emptyDocument, type DocNode } from './document.types.js';

const p = (value: string): DocNode => ({
  type: 'paragraph',
  content: [{ type: 'text', text: value }],
});

/** The first issue as "path: message", which is what an API client gets to see. */
function firstIssue(input: unknown): string | undefined {
  const result = postDocumentSchema.safeParse(input);
  if (result.success) return undefined;
  const issue = result.error.issues[0]!;
  return `${issue.path.join('.')}: ${issue.message}`;
}

describe('postDocumentSchema: accepts', () => {
  it('the empty document', () => {
    expect(postDocumentSchema.parse(emptyDocument())).toEqual(emptyDocument());
  });

  it('every node and mark type', () => {
    const doc = {
      type: 'doc',
      content: [
        { type: 'heading', attrs: { level: 1 }, content: [{ type: 'text', text: 'Title' }] },
        {
          type: 'paragraph',
          content: [
            {
              type: 'text',
              text: 'styled',
              marks: [
                { type: 'bold' },
                { type: 'italic' },
                { type: 'strike' },
                { type: 'code' },
                { type: 'link', attrs: { href: 'https://example.com', title: 'Example' } },
              ],
            },
            { type: 'hardBreak' },
            { type: 'footnoteReference', attrs: { id: '1' } },
          ],
        },
        { type: 'blockquote', content: [p('quote')] },
        { type: 'bulletList', content: [{ type: 'listItem', content: [p('a')] }] },
        {
          type: 'orderedList',
          attrs: { start: 4 },
          content: [{ type: 'listItem', content: [p('b')] }],
        },
        { type: 'codeBlock', attrs: { language: 'ts' }, content: [{ type: 'text', text: 'x' }] },
        { type: 'horizontalRule' },
        { type: 'image', attrs: { src: '/a.png', alt: 'A', title: null } },
        { type: 'htmlCard', attrs: { html: '<p>raw</p>' } },
        { type: 'paywall' },
        p('members only'),
        {
          type: 'footnotes',
          content: [{ type: 'footnote', attrs: { id: '1' }, content: [p('note')] }],
        },
      ],
    };
    expect(postDocumentSchema.parse(doc)).toEqual(doc);
  });

  it('TipTap output, dropping attributes Pressroom does not use', () => {
    const fromEditor = {
      type: 'doc',
      content: [
        {
          type: 'paragraph',
          content: [
            {
              type: 'text',
              text: 'x',
              marks: [
                {
                  type: 'link',
                  attrs: { href: '/a', target: '_blank', rel: 'noopener', class: null },
                },
              ],
            },
          ],
        },
        {
          type: 'orderedList',
          attrs: { start: 1, type: null },
          content: [{ type: 'listItem', content: [p('a')] }],
        },
        { type: 'codeBlock', attrs: { language: null } },
      ],
    };
    expect(postDocumentSchema.parse(fromEditor)).toEqual({
      type: 'doc',
      content: [
        {
          type: 'paragraph',
          content: [{ type: 'text', text: 'x', marks: [{ type: 'link', attrs: { href: '/a' } }] }],
        },
        {
          type: 'orderedList',
          attrs: { start: 1 },
          content: [{ type: 'listItem', content: [p('a')] }],
        },
        { type: 'codeBlock', attrs: { language: null } },
      ],
    });
  });
});

describe('postDocumentSchema: rejects', () => {
  it.each<[string, unknown, string]>([
    [
      'a non-doc root',
      { type: 'paragraph', content: [] },
      'type: The root node must have type "doc"',
    ],
    [
      'an unknown top-level node',
      { type: 'doc', content: [p('a'), p('b'), p('c'), { type: 'tweet' }] },
      'content.3.type: Unknown node type "tweet"',
    ],
    [
      'an unknown node deep inside',
      {
        type: 'doc',
        content: [
          {
            type: 'bulletList',
            content: [{ type: 'listItem', content: [p('a'), { type: 'table', content: [] }] }],
          },
        ],
      },
      'content.0.content.0.content.1.type: Unknown node type "table"',
    ],
    [
      'an unknown mark',
      {
        type: 'doc',
        content: [
          { type: 'paragraph', content: [{ type: 'text', text: 'x', marks: [{ type: 'blink' }] }] },
        ],
      },
      'content.0.content.0.marks.0.type: Unknown mark type "blink"',
    ],
    [
      'a known node in the wrong place',
      { type: 'doc', content: [{ type: 'text', text: 'loose' }] },
      'content.0.type: Node type "text" is not allowed here (expected a block node)',
    ],
    [
      'a paywall inside a quote',
      { type: 'doc', content: [{ type: 'blockquote', content: [{ type: 'paywall' }] }] },
      'content.0.content.0.type: Node type "paywall" is not allowed here',
    ],
    [
      'text that is not a string',
      { type: 'doc', content: [{ type: 'paragraph', content: [{ type: 'text', text: 42 }] }] },
      'content.0.content.0.text: Invalid input: expected string, received number',
    ],
    [
      'empty text',
      { type: 'doc', content: [{ type: 'paragraph', content: [{ type: 'text', text: '' }] }] },
      'content.0.content.0.text: Text nodes cannot be empty',
    ],
    [
      'heading level 7',
      { type: 'doc', content: [{ type: 'heading', attrs: { level: 7 } }] },
      'content.0.attrs.level: Heading level must be an integer from 1 to 6',
    ],
    [
      'heading level 0',
      { type: 'doc', content: [{ type: 'heading', attrs: { level: 0 } }] },
      'content.0.attrs.level: Heading level must be an integer from 1 to 6',
    ],
    [
      'a footnote id with spaces',
      {
        type: 'doc',
        content: [
          { type: 'paragraph', content: [{ type: 'footnoteReference', attrs: { id: 'a b' } }] },
        ],
      },
      'content.0.content.0.attrs.id: Footnote id must be 1 to 100 characters without spaces',
    ],
    [
      'a list without items',
      { type: 'doc', content: [{ type: 'bulletList', content: [] }] },
      'content.0.content: Lists need at least one item',
    ],
    [
      'an image without src',
      { type: 'doc', content: [{ type: 'image', attrs: { alt: 'x' } }] },
      'content.0.attrs.src: Invalid input: expected string, received undefined',
    ],
    ['a non-object node', { type: 'doc', content: ['text'] }, 'content.0: Expected a block node'],
    [
      'a list holding something other than items',
      { type: 'doc', content: [{ type: 'bulletList', content: [p('a')] }] },
      'content.0.content.0.type: Node type "paragraph" is not allowed here (expected a listItem node)',
    ],
    [
      'a footnote holding a quote',
      {
        type: 'doc',
        content: [
          {
            type: 'footnotes',
            content: [
              {
                type: 'footnote',
                attrs: { id: '1' },
                content: [{ type: 'blockquote', content: [p('q')] }],
              },
            ],
          },
        ],
      },
      'content.0.content.0.content.0.type: Node type "blockquote" is not allowed here (expected a paragraph',
    ],
    [
      'a hard break in a code block',
      { type: 'doc', content: [{ type: 'codeBlock', content: [{ type: 'hardBreak' }] }] },
      'content.0.content.0.type: Node type "hardBreak" is not allowed here (expected plain text)',
    ],
  ])('%s', (_name, input, expected) => {
    expect(firstIssue(input)).toContain(expected);
  });

  it(`nesting deeper than ${MAX_DOCUMENT_DEPTH} levels, without recursing`, () => {
    let node: DocNode = p('deep');
    for (let i = 0; i < 10_000; i++) node = { type: 'blockquote', content: [node] };
    expect(firstIssue({ type: 'doc', content: [node] })).toBe(
      `: Document is nested deeper than ${MAX_DOCUMENT_DEPTH} levels`,
    );
  });

  it(`more than ${MAX_DOCUMENT_NODES} nodes`, () => {
    const content = Array.from({ length: MAX_DOCUMENT_NODES / 2 }, () => p('x'));
    expect(firstIssue({ type: 'doc', content })).toBe(
      `: Document has more than ${MAX_DOCUMENT_NODES} nodes`,
    );
  });

  it('accepts nesting right at the limit', () => {
    // doc (1) + blockquotes + paragraph + text = MAX_DOCUMENT_DEPTH
    let node: DocNode = p('deep');
    for (let i = 0; i < MAX_DOCUMENT_DEPTH - 3; i++) node = { type: 'blockquote', content: [node] };
    expect(firstIssue({ type: 'doc', content: [node] })).toBeUndefined();
    expect(firstIssue({ type: 'doc', content: [{ type: 'blockquote', content: [node] }] })).toMatch(
      /nested deeper/,
    );
  });
});
