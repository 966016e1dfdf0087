import { describe, expect, it } from 'vitest';
import { renderDocumentText } from '../../email/render/email-text.js';
import { documentPlainText, wordCount } from './document-text.js';
import { postDocumentSchema } from './document.schema.js';
import type { DocNode, PostDocument } from './document.types.js';
import { renderDocumentHtml } from './render-html.js';

/** A bookmark card: a link to another page, shown with its title, description and image. */
const bookmark = (attrs: Record<string, unknown>): DocNode => ({ type: 'bookmark', attrs });
const doc = (...content: DocNode[]): PostDocument => ({ type: 'doc', content });

const ARTICLE = {
  url: 'https://example.org/reports/grain?year=2026&lang=en',
  title: 'Grain exports in 2026',
  description: 'The ministry’s yearly report, with tables by port.',
  image: 'https://example.org/cover.png',
};

function firstIssue(input: unknown): string | undefined {
  const result = postDocumentSchema.safeParse(input);
  if (result.success) return undefined;
  const issue = result.error.issues[0]!;
  return `${issue.path.join('.')}: ${issue.message}`;
}

describe('bookmark: validation', () => {
  it('accepts a card with every field, with only a URL, and with a site-relative image', () => {
    for (const attrs of [
      ARTICLE,
      { url: 'http://example.org/' },
      { url: 'https://example.org/', title: null, description: null, image: null },
      { ...ARTICLE, image: '/content/images/2026/01/cover.png' },
      { ...ARTICLE, image: '' },
    ]) {
      expect(firstIssue(doc(bookmark(attrs))), JSON.stringify(attrs)).toBeUndefined();
    }
  });

  it.each([
    ['javascript:alert(1)'],
    ['JaVaScRiPt:alert(1)'],
    ['java\tscript:alert(1)'],
    [' javascript:alert(1)'],
    ['data:text/html,<script>alert(1)</script>'],
    ['vbscript:msgbox(1)'],
    ['mailto:a@example.org'],
    ['/relative/path'],
    ['//evil.example/'],
    ['https://exa mple.org/'],
    ['https://example.org/\n'],
    ['https://'],
    [''],
  ])('refuses the URL %j, naming the field', (url) => {
    expect(firstIssue(doc(bookmark({ ...ARTICLE, url })))).toBe(
      'content.0.attrs.url: must be an http(s) URL',
    );
  });

  it('refuses a card without a URL, an unsafe image, and one inside a list item', () => {
    expect(firstIssue(doc(bookmark({ title: 'x' })))).toMatch(/^content\.0\.attrs\.url: /);
    expect(firstIssue(doc(bookmark({ ...ARTICLE, image: 'javascript:alert(1)' })))).toBe(
      'content.0.attrs.image: must be an http(s) URL or a path starting with /',
    );
    expect(firstIssue(doc(bookmark({ ...ARTICLE, image: '//evil.example/x.png' })))).toMatch(
      /^content\.0\.attrs\.image: /,
    );
    // A block like any other: allowed in quotes and list items too.
    expect(firstIssue(doc({ type: 'blockquote', content: [bookmark(ARTICLE)] }))).toBeUndefined();
  });
});

describe('bookmark: web', () => {
  it('renders a card linking to the page, with title, description, host and image', () => {
    expect(renderDocumentHtml(doc(bookmark(ARTICLE)))).toBe(
      '<figure class="bookmark-card"><a class="bookmark" href="https://example.org/reports/grain?year=2026&amp;lang=en" rel="noopener noreferrer">' +
        '<span class="bookmark-text"><span class="bookmark-title">Grain exports in 2026</span>' +
        '<span class="bookmark-description">The ministry’s yearly report, with tables by port.</span>' +
        '<span class="bookmark-url">example.org</span></span>' +
        '<img class="bookmark-image" src="https://example.org/cover.png" alt="" loading="lazy"></a></figure>',
    );
  });

  it('falls back to the host for a missing title and leaves out what is missing', () => {
    const html = renderDocumentHtml(doc(bookmark({ url: 'https://example.org/a' })));
    expect(html).toContain('<span class="bookmark-title">example.org</span>');
    expect(html).not.toContain('bookmark-description');
    expect(html).not.toContain('<img');
  });

  it('escapes every field', () => {
    const html = renderDocumentHtml(
      doc(
        bookmark({
          url: 'https://example.org/"><script>alert(1)</script>',
          title: '<img src=x onerror=alert(1)>',
          description: '"quoted" & <b>bold</b>',
          image: 'https://example.org/x.png" onerror="alert(1)',
        }),
      ),
    );
    expect(html).not.toMatch(/<script|<img src=x|<b>|" onerror=/);
    expect(html).toContain('&lt;img src=x onerror=alert(1)&gt;');
    expect(html).toContain('&quot;quoted&quot; &amp; &lt;b&gt;bold&lt;/b&gt;');
    expect(html).toContain('href="https://example.org/&quot;&gt;&lt;script&gt;');
  });

  it('renders nothing for an unsafe address that reached the database some other way', () => {
    for (const url of ['javascript:alert(1)', 'java\nscript:alert(1)', '/local', 'mailto:x@y.z']) {
      expect(renderDocumentHtml(doc(bookmark({ ...ARTICLE, url })))).toBe('');
    }
    // An unsafe image is dropped; the card stays.
    const html = renderDocumentHtml(doc(bookmark({ ...ARTICLE, image: 'javascript:alert(1)' })));
    expect(html).toContain('bookmark-title');
    expect(html).not.toContain('<img');
  });
});

describe('bookmark: email', () => {
  const email = (node: DocNode) =>
    renderDocumentHtml(doc(node), { footnotes: 'endnotes', baseUrl: 'https://news.example' });

  it('is a table with inline styles, its image made absolute', () => {
    const html = email(bookmark({ ...ARTICLE, image: '/content/images/cover.png' }));
    expect(html).toMatch(/^<table role="presentation" class="bookmark" width="100%"[^>]*style="/);
    expect(html).not.toMatch(/<figure|<span|display:\s*flex/);
    expect(html).toContain(
      '<a href="https://example.org/reports/grain?year=2026&amp;lang=en" rel="noopener noreferrer" style="font-weight:bold;',
    );
    expect(html).toContain('>Grain exports in 2026</a>');
    expect(html).toContain('The ministry’s yearly report, with tables by port.</p>');
    expect(html).toContain('<img src="https://news.example/content/images/cover.png" width="140"');
    expect(html.endsWith('</tr></table>')).toBe(true);
  });

  it('escapes every field and drops an unsafe address', () => {
    const html = email(bookmark({ url: 'https://example.org/', title: '<script>x</script>' }));
    expect(html).toContain('&lt;script&gt;x&lt;/script&gt;');
    expect(html).not.toContain('<script>');
    expect(email(bookmark({ url: 'javascript:alert(1)', title: 'x' }))).toBe('');
  });

  it('shows the title and the URL in the plain-text part', () => {
    const text = renderDocumentText(
      doc(
        { type: 'paragraph', content: [{ type: 'text', text: 'Read this:' }] },
        bookmark(ARTICLE),
      ),
    );
    expect(text).toBe(
      [
        'Read this:',
        '',
        'Grain exports in 2026',
        'The ministry’s yearly report, with tables by port.',
        'https://example.org/reports/grain?year=2026&lang=en',
      ].join('\n'),
    );
    expect(renderDocumentText(doc(bookmark({ url: 'javascript:alert(1)', title: 'x' })))).toBe('');
  });
});

describe('bookmark: plain text', () => {
  it('counts as the title, description and address, for search and reading time', () => {
    expect(documentPlainText(doc(bookmark(ARTICLE)))).toBe(
      'Grain exports in 2026\nThe ministry’s yearly report, with tables by port.\nhttps://example.org/reports/grain?year=2026&lang=en',
    );
    expect(wordCount(doc(bookmark({ url: 'https://example.org/' })))).toBe(1);
  });
});
