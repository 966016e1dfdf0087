import { describe, expect, it } from 'vitest';
import { postDocumentSchema } from './document.schema.js';
import { documentPlainText, hasPaywall } from './document-text.js';
import type { DocMark, DocNode } from './document.types.js';
import { markdownToDocument, parseMarkdownPost } from './markdown-import.js';
import { renderDocumentHtml } from './render-html.js';

const text = (value: string, ...marks: DocMark[]): DocNode =>
  marks.length > 0 ? { type: 'text', text: value, marks } : { type: 'text', text: value };
const p = (...content: (string | DocNode)[]): DocNode => ({
  type: 'paragraph',
  content: content.map((c) => (typeof c === 'string' ? text(c) : c)),
});
const bold: DocMark = { type: 'bold' };
const italic: DocMark = { type: 'italic' };
const li = (...content: DocNode[]): DocNode => ({ type: 'listItem', content });
const br: DocNode = { type: 'hardBreak' };
const ref = (id: string): DocNode => ({ type: 'footnoteReference', attrs: { id } });
const note = (id: string, ...content: DocNode[]): DocNode => ({
  type: 'footnote',
  attrs: { id },
  content,
});
const blocks = (markdown: string): DocNode[] => markdownToDocument(markdown).content;

describe('markdownToDocument: inline', () => {
  it.each<[string, string, DocNode[]]>([
    ['plain paragraph', 'Hello world', [p('Hello world')]],
    ['two paragraphs', 'One\n\nTwo', [p('One'), p('Two')]],
    ['soft break becomes a space', 'one\ntwo', [p('one two')]],
    ['hard break with two spaces', 'one  \ntwo', [p('one', br, 'two')]],
    ['hard break with a backslash', 'one\\\ntwo', [p('one', br, 'two')]],
    ['emphasis', '*a* and _b_', [p(text('a', italic), ' and ', text('b', italic))]],
    ['strong', '**a** and __b__', [p(text('a', bold), ' and ', text('b', bold))]],
    ['strikethrough', '~~gone~~', [p(text('gone', { type: 'strike' }))]],
    ['inline code keeps markup', '`a <b> c`', [p(text('a <b> c', { type: 'code' }))]],
    ['bold and italic together', '***both***', [p(text('both', bold, italic))]],
    [
      'nested emphasis merges runs',
      '**bold *both* bold**',
      [p(text('bold ', bold), text('both', bold, italic), text(' bold', bold))],
    ],
    [
      'link with title',
      '[site](https://example.com "Example")',
      [
        p(
          text('site', {
            type: 'link',
            attrs: { href: 'https://example.com', title: 'Example' },
          }),
        ),
      ],
    ],
    [
      'relative link with formatted text',
      '[**bold** link](/about)',
      [
        p(
          text('bold', { type: 'link', attrs: { href: '/about' } }, bold),
          text(' link', { type: 'link', attrs: { href: '/about' } }),
        ),
      ],
    ],
    // markdown-it refuses to create the link, so the source stays visible as text.
    ['javascript: link stays text', '[x](javascript:alert(1))', [p('[x](javascript:alert(1))')]],
    ['empty link keeps its text', '[text]()', [p('text')]],
    ['inline HTML is literal text', 'a <b>bold</b> claim', [p('a <b>bold</b> claim')]],
    ['inline comments are dropped', 'a <!-- note to self --> b', [p('a  b')]],
    ['entities are decoded', '&copy; &amp; &lt;tag&gt;', [p('© & <tag>')]],
    ['brackets without a link stay', '[My Emphasis]', [p('[My Emphasis]')]],
  ])('%s', (_name, markdown, expected) => {
    expect(blocks(markdown)).toEqual(expected);
  });
});

describe('markdownToDocument: blocks', () => {
  it.each<[string, string, DocNode[]]>([
    ...[1, 2, 3, 4, 5, 6].map((level): [string, string, DocNode[]] => [
      `heading ${level}`,
      `${'#'.repeat(level)} Title`,
      [{ type: 'heading', attrs: { level }, content: [text('Title')] }],
    ]),
    [
      'setext heading',
      'Title\n=====',
      [{ type: 'heading', attrs: { level: 1 }, content: [text('Title')] }],
    ],
    [
      'nested blockquotes',
      '> outer\n>\n> > inner',
      [
        {
          type: 'blockquote',
          content: [p('outer'), { type: 'blockquote', content: [p('inner')] }],
        },
      ],
    ],
    ['bullet list', '- a\n- b', [{ type: 'bulletList', content: [li(p('a')), li(p('b'))] }]],
    [
      'ordered list with start',
      '3. c\n4. d',
      [{ type: 'orderedList', attrs: { start: 3 }, content: [li(p('c')), li(p('d'))] }],
    ],
    [
      'nested list',
      '1. a\n   - b',
      [
        {
          type: 'orderedList',
          attrs: { start: 1 },
          content: [li(p('a'), { type: 'bulletList', content: [li(p('b'))] })],
        },
      ],
    ],
    ['empty list item', '-', [{ type: 'bulletList', content: [li({ type: 'paragraph' })] }]],
    ['empty blockquote', '>', [{ type: 'blockquote', content: [{ type: 'paragraph' }] }]],
    [
      'code fence with language',
      '```ts title="x"\nconst a = 1;\n\nconst b = 2;\n```',
      [
        {
          type: 'codeBlock',
          attrs: { language: 'ts' },
          content: [text('const a = 1;\n\nconst b = 2;')],
        },
      ],
    ],
    [
      'code fence without language',
      '```\n<b>raw</b>\n```',
      [{ type: 'codeBlock', attrs: { language: null }, content: [text('<b>raw</b>')] }],
    ],
    ['empty code fence', '```\n```', [{ type: 'codeBlock', attrs: { language: null } }]],
    [
      'indented code',
      '    indented',
      [{ type: 'codeBlock', attrs: { language: null }, content: [text('indented')] }],
    ],
    ['horizontal rule', 'a\n\n***\n\nb', [p('a'), { type: 'horizontalRule' }, p('b')]],
    [
      'image alone is a block',
      '![A map](/map.png "Front line")',
      [{ type: 'image', attrs: { src: '/map.png', alt: 'A map', title: 'Front line' } }],
    ],
    [
      'image inside a paragraph is lifted out',
      'Before ![*A*](a.png) after',
      [p('Before'), { type: 'image', attrs: { src: 'a.png', alt: 'A', title: null } }, p('after')],
    ],
    [
      'image without alt',
      '![](a.png)',
      [{ type: 'image', attrs: { src: 'a.png', alt: null, title: null } }],
    ],
    [
      'image in a heading follows it',
      '## Map ![m](m.png)',
      [
        { type: 'heading', attrs: { level: 2 }, content: [text('Map')] },
        { type: 'image', attrs: { src: 'm.png', alt: 'm', title: null } },
      ],
    ],
    [
      'HTML block becomes a card',
      '<div class="note">\n<p>Hi</p>\n</div>',
      [{ type: 'htmlCard', attrs: { html: '<div class="note">\n<p>Hi</p>\n</div>' } }],
    ],
    ['comment-only HTML block is dropped', 'a\n\n<!-- draft note -->\n\nb', [p('a'), p('b')]],
    [
      'table becomes a card',
      '| a | b |\n|---|---|\n| 1 | 2 |',
      [
        {
          type: 'htmlCard',
          attrs: {
            html:
              '<table>\n<thead>\n<tr>\n<th>a</th>\n<th>b</th>\n</tr>\n</thead>\n' +
              '<tbody>\n<tr>\n<td>1</td>\n<td>2</td>\n</tr>\n</tbody>\n</table>',
          },
        },
      ],
    ],
  ])('%s', (_name, markdown, expected) => {
    expect(blocks(markdown)).toEqual(expected);
  });
});

describe('markdownToDocument: paywall', () => {
  it.each<[string, string, DocNode[]]>([
    [
      'spaced marker',
      'Free\n\n<!-- paywall -->\n\nPaid',
      [p('Free'), { type: 'paywall' }, p('Paid')],
    ],
    ['tight marker', 'Free\n\n<!--paywall-->\n\nPaid', [p('Free'), { type: 'paywall' }, p('Paid')]],
    [
      'marker interrupting a paragraph',
      'Free\n<!-- paywall -->\nPaid',
      [p('Free'), { type: 'paywall' }, p('Paid')],
    ],
    ['other comments are not markers', 'Free\n\n<!--more-->\n\nPaid', [p('Free'), p('Paid')]],
    [
      'marker inside a quote moves up before it',
      'Free\n\n> Quote\n>\n> <!-- paywall -->\n>\n> Paid quote',
      [
        p('Free'),
        { type: 'paywall' },
        { type: 'blockquote', content: [p('Quote'), p('Paid quote')] },
      ],
    ],
  ])('%s', (_name, markdown, expected) => {
    expect(blocks(markdown)).toEqual(expected);
  });
});

describe('markdownToDocument: footnotes', () => {
  it('turns references and definitions into nodes, ordered by first reference', () => {
    const markdown = [
      'Claim one[^src] and two[^1], again[^src].',
      '',
      '[^1]: Second source.',
      '[^src]: First *source*.',
      '[^unused]: Never referenced.',
    ].join('\n');
    expect(blocks(markdown)).toEqual([
      p('Claim one', ref('src'), ' and two', ref('1'), ', again', ref('src'), '.'),
      {
        type: 'footnotes',
        content: [
          note('src', p('First ', text('source', italic), '.')),
          note('1', p('Second source.')),
        ],
      },
    ]);
  });

  it('numbers inline footnotes without clashing with labels', () => {
    expect(blocks('A^[inline note] and B[^1].\n\n[^1]: Labelled.')).toEqual([
      p('A', ref('1-2'), ' and B', ref('1'), '.'),
      {
        type: 'footnotes',
        content: [note('1-2', p('inline note')), note('1', p('Labelled.'))],
      },
    ]);
  });

  it('flattens rich footnote bodies into paragraphs', () => {
    const markdown = [
      'Text[^n].',
      '',
      '[^n]: First paragraph.',
      '',
      '    - a list item',
      '',
      '    ```',
      '    code()',
      '    ```',
    ].join('\n');
    expect(blocks(markdown)).toEqual([
      p('Text', ref('n'), '.'),
      {
        type: 'footnotes',
        content: [
          note('n', p('First paragraph.'), p('a list item'), p(text('code()', { type: 'code' }))),
        ],
      },
    ]);
  });
});

describe('markdownToDocument: limits', () => {
  const quotes = (n: number) => `${'> '.repeat(n)}deep\n\nafter`;
  const lists = (n: number) =>
    Array.from({ length: n }, (_, i) => `${'  '.repeat(i)}- item`).join('\n') + '\n\nafter';

  it('imports deep but representable nesting', () => {
    const { content } = markdownToDocument(quotes(40));
    expect(content.at(-1)).toEqual(p('after'));
  });

  // markdown-it would silently drop everything past its own limit, "after" included.
  it.each([
    ['quotes', quotes(200)],
    ['lists', lists(200)],
    ['lists just over the limit', lists(25)],
  ])('refuses absurdly nested %s instead of losing text', (_name, markdown) => {
    expect(() => markdownToDocument(markdown)).toThrow(
      expect.objectContaining({
        code: 'invalid_markdown',
        message: 'The Markdown cannot be imported: Document is nested deeper than 50 levels',
      }),
    );
  });
});

describe('parseMarkdownPost: title', () => {
  it('takes the first H1 as title and removes it when front matter has none', () => {
    const { frontMatter, document } = parseMarkdownPost('# The *Real* Title\n\nBody');
    expect(frontMatter).toEqual({ title: 'The Real Title' });
    expect(document.content).toEqual([p('Body')]);
  });

  it('keeps the H1 when front matter has a title', () => {
    const { frontMatter, document } = parseMarkdownPost(
      '---\ntitle: Given\n---\n# Heading\n\nBody',
    );
    expect(frontMatter.title).toBe('Given');
    expect(document.content[0]).toEqual({
      type: 'heading',
      attrs: { level: 1 },
      content: [text('Heading')],
    });
  });

  it('does not treat an H2 as the title', () => {
    const { frontMatter, document } = parseMarkdownPost('## Section\n\nBody');
    expect(frontMatter).toEqual({});
    expect(document.content).toHaveLength(2);
  });
});

describe('parseMarkdownPost: a realistic post', () => {
  const source = `---
title: "Lavrov on the talks: what was actually said"
slug: lavrov-talks-analysis
tags: [Russia, Diplomacy]
published_at: 2024-03-14T09:30:00+01:00
visibility: members
authors: [analyst@example.com]
---

The official readout was short. The transcript is not, and it is worth reading in full
because the tone differs markedly from the summaries that circulated afterwards.[^transcript]

Three points stand out: the framing of security guarantees, the repeated references to
2021, and the conspicuous absence of any timeline.

> **Question:** Are you ready to resume talks without preconditions?
>
> **Sergey Lavrov:** We have never refused dialogue. **It is the other side that walked
> away from the table [My Emphasis]**, and everyone knows it.
>
> **Question:** What would it take?
>
> **Sergey Lavrov:** Respect for our legitimate interests. Nothing more, nothing less.

<!-- paywall -->

## What this means

MEMBERS-ONLY: the second answer repeats the 2021 position word for word.

[^transcript]: Full transcript published by the Ministry of Foreign Affairs, 14 March 2024.
`;

  const { frontMatter, document } = parseMarkdownPost(source);

  it('reads the front matter', () => {
    expect(frontMatter).toEqual({
      title: 'Lavrov on the talks: what was actually said',
      slug: 'lavrov-talks-analysis',
      tags: ['Russia', 'Diplomacy'],
      publishedAt: '2024-03-14T08:30:00.000Z',
      visibility: 'members',
      authors: ['analyst@example.com'],
    });
  });

  it('builds a valid document with the transcript as one quote', () => {
    expect(postDocumentSchema.safeParse(document).success).toBe(true);
    expect(document.content.map((node) => node.type)).toEqual([
      'paragraph',
      'paragraph',
      'blockquote',
      'paywall',
      'heading',
      'paragraph',
      'footnotes',
    ]);
    const quote = document.content[2]!;
    expect(quote.content).toHaveLength(4);
    expect(quote.content![1]).toEqual(
      p(
        text('Sergey Lavrov:', bold),
        ' We have never refused dialogue. ',
        text('It is the other side that walked away from the table [My Emphasis]', bold),
        ', and everyone knows it.',
      ),
    );
    expect(document.content[0]!.content!.at(-1)).toEqual(ref('transcript'));
  });

  it('renders the full post', () => {
    const html = renderDocumentHtml(document);
    expect(html).toContain('<blockquote><p><strong>Question:</strong> Are you ready');
    expect(html).toContain(
      '<strong>It is the other side that walked away from the table [My Emphasis]</strong>',
    );
    expect(html).toContain(
      '<sup class="footnote-ref"><a href="#fn-transcript" id="fnref-transcript">1</a></sup>',
    );
    expect(html).toContain('<h2 id="what-this-means">What this means</h2>');
    expect(html).toContain('MEMBERS-ONLY');
    expect(html).toContain('<li id="fn-transcript"><p>Full transcript published');
  });

  it('renders the members preview without anything after the paywall', () => {
    const html = renderDocumentHtml(document, { cutAtPaywall: true });
    expect(hasPaywall(document)).toBe(true);
    expect(html).toContain('<strong>Sergey Lavrov:</strong> Respect for our legitimate interests.');
    expect(html).not.toContain('MEMBERS-ONLY');
    expect(html).not.toContain('What this means');
    // The footnote is referenced before the cut, so it stays.
    expect(html).toContain('<li id="fn-transcript">');
  });

  it('renders for email with endnotes', () => {
    const html = renderDocumentHtml(document, { footnotes: 'endnotes', cutAtPaywall: true });
    expect(html).toContain('afterwards.<sup>1</sup></p>');
    expect(html).toContain('<h2>Notes</h2><ol><li><p>Full transcript');
    expect(html).not.toContain('href="#');
  });

  it('has readable plain text', () => {
    expect(documentPlainText(document)).toContain('Sergey Lavrov: We have never refused dialogue.');
  });
});

describe('parseMarkdownPost: round trip to HTML', () => {
  it('produces the expected elements for every construct', () => {
    const { document } = parseMarkdownPost(
      [
        '# Title',
        '',
        '## Section',
        '',
        'Text with *em*, **strong**, ~~strike~~, `code`, a [link](https://example.com) and a note[^1].  ',
        'After a break.',
        '',
        '> Quote',
        '',
        '- bullet',
        '',
        '2. second',
        '',
        '```py',
        'print("<hi>")',
        '```',
        '',
        '---',
        '',
        '![Alt](/img.png)',
        '',
        '<figure><script>alert(1)</script><figcaption>Cap</figcaption></figure>',
        '',
        '<script>alert(2)</script>',
        '',
        '[^1]: The note.',
      ].join('\n'),
    );
    const html = renderDocumentHtml(document, { baseUrl: 'https://site.example/' });
    for (const fragment of [
      '<h2 id="section">Section</h2>',
      '<em>em</em>',
      '<strong>strong</strong>',
      '<s>strike</s>',
      '<code>code</code>',
      '<a href="https://example.com" rel="noopener noreferrer">link</a>',
      '<br>After a break.',
      '<blockquote><p>Quote</p></blockquote>',
      '<ul><li><p>bullet</p></li></ul>',
      '<ol start="2"><li><p>second</p></li></ol>',
      '<pre><code class="language-py">print(&quot;&lt;hi&gt;&quot;)</code></pre>',
      '<hr>',
      '<img src="https://site.example/img.png" alt="Alt" loading="lazy">',
      '<figure><figcaption>Cap</figcaption></figure>',
      '<section class="footnotes" role="doc-endnotes">',
    ]) {
      expect(html).toContain(fragment);
    }
    expect(html).not.toContain('<h1');
    expect(html).not.toContain('<script');
    expect(html).not.toContain('alert(');
  });
});
