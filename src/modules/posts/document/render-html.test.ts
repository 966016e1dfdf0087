import { describe, expect, it } from 'vitest';
import type { DocMark, DocNode, PostDocument } from './document.types.js';
import { renderDocumentHtml, slugify } from './render-html.js';

const doc = (...content: DocNode[]): PostDocument => ({ type: 'doc', content });
const p = (...content: DocNode[]): DocNode => ({ type: 'paragraph', content });
const text = (value: string, ...marks: DocMark[]): DocNode =>
  marks.length > 0 ? { type: 'text', text: value, marks } : { type: 'text', text: value };
const link = (href: string, title?: string): DocMark => ({
  type: 'link',
  attrs: title === undefined ? { href } : { href, title },
});
const h = (level: number, value: string): DocNode => ({
  type: 'heading',
  attrs: { level },
  content: [text(value)],
});
const ref = (id: string): DocNode => ({ type: 'footnoteReference', attrs: { id } });
const footnotes = (...notes: [id: string, body: string][]): DocNode => ({
  type: 'footnotes',
  content: notes.map(([id, body]) => ({
    type: 'footnote',
    attrs: { id },
    content: [p(text(body))],
  })),
});
const paywall: DocNode = { type: 'paywall' };

describe('renderDocumentHtml: blocks', () => {
  it.each<[string, DocNode, string]>([
    ['paragraph', p(text('Hello')), '<p>Hello</p>'],
    ['empty paragraph', { type: 'paragraph' }, '<p></p>'],
    ['heading', h(2, 'Context'), '<h2 id="context">Context</h2>'],
    [
      'blockquote',
      { type: 'blockquote', content: [p(text('Quoted'))] },
      '<blockquote><p>Quoted</p></blockquote>',
    ],
    [
      'bullet list',
      { type: 'bulletList', content: [{ type: 'listItem', content: [p(text('a'))] }] },
      '<ul><li><p>a</p></li></ul>',
    ],
    [
      'ordered list starting at 3',
      {
        type: 'orderedList',
        attrs: { start: 3 },
        content: [{ type: 'listItem', content: [p(text('c'))] }],
      },
      '<ol start="3"><li><p>c</p></li></ol>',
    ],
    [
      'ordered list starting at 1 has no start attribute',
      {
        type: 'orderedList',
        attrs: { start: 1 },
        content: [{ type: 'listItem', content: [p(text('a'))] }],
      },
      '<ol><li><p>a</p></li></ol>',
    ],
    [
      'code block with language',
      { type: 'codeBlock', attrs: { language: 'ts' }, content: [text('a < b && c')] },
      '<pre><code class="language-ts">a &lt; b &amp;&amp; c</code></pre>',
    ],
    [
      'code block with a hostile language',
      { type: 'codeBlock', attrs: { language: '"><script>' }, content: [text('x')] },
      '<pre><code>x</code></pre>',
    ],
    ['horizontal rule', { type: 'horizontalRule' }, '<hr>'],
    ['hard break', p(text('a'), { type: 'hardBreak' }, text('b')), '<p>a<br>b</p>'],
    ['paywall renders nothing', paywall, ''],
    ['unknown node renders nothing', { type: 'mystery', content: [text('x')] }, ''],
  ])('%s', (_name, node, expected) => {
    expect(renderDocumentHtml(doc(node))).toBe(expected);
  });
});

describe('renderDocumentHtml: escaping', () => {
  it('keeps markup in text as text', () => {
    const html = renderDocumentHtml(doc(p(text('<script>alert("x")</script> & \'q\''))));
    expect(html).toBe('<p>&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &#39;q&#39;</p>');
    expect(html).not.toContain('<script>');
  });

  it('escapes attribute values', () => {
    const html = renderDocumentHtml(
      doc(p(text('t', link('https://example.com/?a=1&b="2"', 'say "hi"'))), {
        type: 'image',
        attrs: { src: '/a.png', alt: '" onerror="x', title: '<t>' },
      }),
    );
    expect(html).toContain('href="https://example.com/?a=1&amp;b=&quot;2&quot;"');
    expect(html).toContain('title="say &quot;hi&quot;"');
    expect(html).toContain('alt="&quot; onerror=&quot;x"');
    expect(html).toContain('title="&lt;t&gt;"');
    expect(html).not.toContain('" onerror="');
  });
});

describe('renderDocumentHtml: marks', () => {
  it.each<[string, DocNode[], string]>([
    [
      'nested marks close in order',
      [text('a', { type: 'bold' }, { type: 'italic' }), text('b', { type: 'bold' })],
      '<p><strong><em>a</em>b</strong></p>',
    ],
    [
      'one link across differently formatted text',
      [text('bold', link('/x'), { type: 'bold' }), text(' plain', link('/x'))],
      '<p><a href="/x"><strong>bold</strong> plain</a></p>',
    ],
    [
      'mark order in the JSON does not matter',
      [text('x', { type: 'code' }, { type: 'strike' }, link('/y'))],
      '<p><a href="/y"><s><code>x</code></s></a></p>',
    ],
    [
      'adjacent different links stay separate',
      [text('a', link('/a')), text('b', link('/b'))],
      '<p><a href="/a">a</a><a href="/b">b</a></p>',
    ],
    ['underline (TipTap StarterKit v3)', [text('u', { type: 'underline' })], '<p><u>u</u></p>'],
    ['unknown marks are ignored', [text('x', { type: 'blink' })], '<p>x</p>'],
  ])('%s', (_name, content, expected) => {
    expect(renderDocumentHtml(doc(p(...content)))).toBe(expected);
  });
});

describe('renderDocumentHtml: link safety', () => {
  it.each<[string, string | null]>([
    ['javascript:alert(1)', null],
    ['JAVASCRIPT:alert(1)', null],
    ['  javascript:alert(1)', null],
    ['java\tscript:alert(1)', null],
    ['java\nscript:alert(1)', null],
    ['\u0001javascript:alert(1)', null],
    ['data:text/html;base64,PHNjcmlwdD4=', null],
    ['vbscript:msgbox', null],
    ['file:///etc/passwd', null],
    ['https://example.com/a', '<a href="https://example.com/a" rel="noopener noreferrer">'],
    ['HTTP://example.com', '<a href="HTTP://example.com" rel="noopener noreferrer">'],
    ['//example.com/x', '<a href="//example.com/x" rel="noopener noreferrer">'],
    ['mailto:editor@example.com', '<a href="mailto:editor@example.com">'],
    ['/about', '<a href="/about">'],
    ['../archive', '<a href="../archive">'],
    ['#section-2', '<a href="#section-2">'],
  ])('%j', (href, expectedTag) => {
    const html = renderDocumentHtml(doc(p(text('label', link(href)))));
    if (expectedTag === null) {
      expect(html).toBe('<p>label</p>');
    } else {
      expect(html).toBe(`<p>${expectedTag}label</a></p>`);
    }
  });

  it('makes relative links absolute and treats same-site links as internal with baseUrl', () => {
    const html = renderDocumentHtml(
      doc(
        p(
          text('rel', link('/about')),
          text('same', link('https://site.example/other')),
          text('ext', link('https://elsewhere.example/')),
          text('anchor', link('#notes')),
        ),
      ),
      { baseUrl: 'https://site.example/blog/' },
    );
    expect(html).toBe(
      '<p><a href="https://site.example/about">rel</a>' +
        '<a href="https://site.example/other">same</a>' +
        '<a href="https://elsewhere.example/" rel="noopener noreferrer">ext</a>' +
        '<a href="#notes">anchor</a></p>',
    );
  });
});

describe('renderDocumentHtml: images', () => {
  it('adds lazy loading and an empty alt when none is given', () => {
    expect(renderDocumentHtml(doc({ type: 'image', attrs: { src: '/a.png' } }))).toBe(
      '<img src="/a.png" alt="" loading="lazy">',
    );
  });

  it('resolves relative sources against baseUrl', () => {
    const html = renderDocumentHtml(
      doc({ type: 'image', attrs: { src: 'img/a.png', alt: 'Map', title: 'The map' } }),
      { baseUrl: 'https://site.example/p/post/' },
    );
    expect(html).toBe(
      '<img src="https://site.example/p/post/img/a.png" alt="Map" title="The map" loading="lazy">',
    );
  });

  it.each(['javascript:alert(1)', 'data:image/svg+xml;base64,PHN2Zz4=', '#x', 'mailto:a@b.c'])(
    'drops an image with src %j',
    (src) => {
      expect(renderDocumentHtml(doc({ type: 'image', attrs: { src, alt: 'x' } }))).toBe('');
    },
  );
});

describe('renderDocumentHtml: heading ids', () => {
  it('slugifies and dedupes', () => {
    const html = renderDocumentHtml(
      doc(h(2, 'The Answer'), h(2, 'The answer'), h(3, 'The Answer!'), h(2, '***')),
    );
    expect(html).toBe(
      '<h2 id="the-answer">The Answer</h2><h2 id="the-answer-2">The answer</h2>' +
        '<h3 id="the-answer-3">The Answer!</h3><h2 id="section">***</h2>',
    );
  });

  it.each([
    ["Lavrov's answer", 'lavrovs-answer'],
    ['Café  au lait', 'cafe-au-lait'],
    ['Сергей Лавров', 'сергей-лавров'],
    ['  --Edge--  ', 'edge'],
  ])('slugify(%j) = %j', (input, expected) => {
    expect(slugify(input)).toBe(expected);
  });

  it('never reuses a footnote id', () => {
    const html = renderDocumentHtml(
      doc(h(2, 'fn 1'), p(text('x'), ref('1')), footnotes(['1', 'n'])),
    );
    expect(html).toContain('<h2 id="fn-1-2">');
    expect(html).toContain('<li id="fn-1">');
  });
});

describe('renderDocumentHtml: footnotes', () => {
  const annotated = doc(
    p(text('First'), ref('b'), text(' then'), ref('a'), text(' and again'), ref('b')),
    footnotes(['a', 'Note A'], ['b', 'Note B'], ['unused', 'Never referenced']),
  );

  it('numbers by first reference and links both ways', () => {
    expect(renderDocumentHtml(annotated)).toBe(
      '<p>First<sup class="footnote-ref"><a href="#fn-b" id="fnref-b">1</a></sup>' +
        ' then<sup class="footnote-ref"><a href="#fn-a" id="fnref-a">2</a></sup>' +
        ' and again<sup class="footnote-ref"><a href="#fn-b" id="fnref-b-2">1</a></sup></p>' +
        '<section class="footnotes" role="doc-endnotes"><ol>' +
        '<li id="fn-b"><p>Note B <a href="#fnref-b" class="footnote-backref" aria-label="Back to reference 1">\u21a9</a></p></li>' +
        '<li id="fn-a"><p>Note A <a href="#fnref-a" class="footnote-backref" aria-label="Back to reference 2">\u21a9</a></p></li>' +
        '</ol></section>',
    );
  });

  it('renders plain numbers and a Notes list in endnotes mode', () => {
    expect(renderDocumentHtml(annotated, { footnotes: 'endnotes' })).toBe(
      '<p>First<sup>1</sup> then<sup>2</sup> and again<sup>1</sup></p>' +
        '<section class="footnotes"><h2>Notes</h2><ol>' +
        '<li><p>Note B</p></li><li><p>Note A</p></li>' +
        '</ol></section>',
    );
  });

  it('leaves out footnotes nobody references, and references to missing notes', () => {
    const html = renderDocumentHtml(doc(p(text('x'), ref('ghost')), footnotes(['n', 'Alone'])));
    expect(html).toBe('<p>x</p>');
  });

  it('puts the backlink after the last paragraph of a multi-paragraph note', () => {
    const html = renderDocumentHtml(
      doc(p(ref('n')), {
        type: 'footnotes',
        content: [
          { type: 'footnote', attrs: { id: 'n' }, content: [p(text('One')), p(text('Two'))] },
        ],
      }),
    );
    expect(html).toContain(
      '<li id="fn-n"><p>One</p><p>Two <a href="#fnref-n" class="footnote-backref"',
    );
  });
});

describe('renderDocumentHtml: paywall', () => {
  const post = doc(
    p(text('Free analysis'), ref('free')),
    paywall,
    p(text('SECRET members text'), ref('paid')),
    h(2, 'SECRET heading'),
    footnotes(['free', 'Free source'], ['paid', 'SECRET paid source']),
  );

  it('renders everything and no marker without cutAtPaywall', () => {
    const html = renderDocumentHtml(post);
    expect(html).toContain('SECRET members text');
    expect(html).toContain('Free source');
    expect(html).toContain('SECRET paid source');
  });

  it('stops at the paywall but keeps footnotes referenced before it', () => {
    const html = renderDocumentHtml(post, { cutAtPaywall: true });
    expect(html).toBe(
      '<p>Free analysis<sup class="footnote-ref"><a href="#fn-free" id="fnref-free">1</a></sup></p>' +
        '<section class="footnotes" role="doc-endnotes"><ol><li id="fn-free"><p>Free source ' +
        '<a href="#fnref-free" class="footnote-backref" aria-label="Back to reference 1">\u21a9</a>' +
        '</p></li></ol></section>',
    );
    expect(html).not.toContain('SECRET');
    expect(html).not.toContain('fn-paid');
  });

  it('also cuts in endnotes mode', () => {
    const html = renderDocumentHtml(post, { cutAtPaywall: true, footnotes: 'endnotes' });
    expect(html).not.toContain('SECRET');
    expect(html).toContain('<h2>Notes</h2><ol><li><p>Free source</p></li></ol>');
  });

  it('renders the whole document when there is no paywall', () => {
    const plain = doc(p(text('All of it')));
    expect(renderDocumentHtml(plain, { cutAtPaywall: true })).toBe('<p>All of it</p>');
  });
});

describe('renderDocumentHtml: HTML cards', () => {
  const card = (html: string) => renderDocumentHtml(doc({ type: 'htmlCard', attrs: { html } }));

  it.each<[string, string, string]>([
    ['script removed with its content', '<p>ok</p><script>alert(1)</script>', '<p>ok</p>'],
    ['event handlers removed', '<p onclick="alert(1)" onmouseover="x">ok</p>', '<p>ok</p>'],
    ['style removed', '<p style="position:fixed">ok</p>', '<p>ok</p>'],
    ['style element removed', '<style>body{display:none}</style><p>ok</p>', '<p>ok</p>'],
    ['javascript: href removed', '<a href="javascript:alert(1)">x</a>', '<a>x</a>'],
    [
      'external link gets rel',
      '<a href="https://example.com" rel="opener">x</a>',
      '<a href="https://example.com" rel="noopener noreferrer">x</a>',
    ],
    [
      'tables kept',
      '<table><thead><tr><th scope="col">A</th></tr></thead><tbody><tr><td colspan="2">1</td></tr></tbody></table>',
      '<table><thead><tr><th scope="col">A</th></tr></thead><tbody><tr><td colspan="2">1</td></tr></tbody></table>',
    ],
    [
      'figures kept',
      '<figure><img src="https://cdn.example/a.png" alt="A"><figcaption>Cap</figcaption></figure>',
      '<figure><img src="https://cdn.example/a.png" alt="A" /><figcaption>Cap</figcaption></figure>',
    ],
    [
      'youtube iframe kept',
      '<iframe src="https://www.youtube.com/embed/abc" allowfullscreen></iframe>',
      '<iframe src="https://www.youtube.com/embed/abc" allowfullscreen></iframe>',
    ],
    [
      'vimeo iframe kept',
      '<iframe src="https://player.vimeo.com/video/1"></iframe>',
      '<iframe src="https://player.vimeo.com/video/1"></iframe>',
    ],
    [
      'other iframes lose their src',
      '<iframe src="https://evil.example/"></iframe>',
      '<iframe></iframe>',
    ],
    ['data: images dropped', '<img src="data:image/png;base64,AAAA">', '<img />'],
    ['object and embed removed', '<object data="x.swf"></object><embed src="x">', ''],
  ])('%s', (_name, input, expected) => {
    expect(card(input)).toBe(expected);
  });
});

describe('renderDocumentHtml: size', () => {
  it('renders a long document completely', () => {
    const paragraphs = Array.from({ length: 200 }, (_, i) =>
      p(text(`Paragraph ${i} `), text('with emphasis', { type: 'italic' }), text('.')),
    );
    const html = renderDocumentHtml(doc(...paragraphs));
    expect(html.match(/<p>/g)).toHaveLength(200);
    expect(html).toContain('<p>Paragraph 199 <em>with emphasis</em>.</p>');
  });
});
