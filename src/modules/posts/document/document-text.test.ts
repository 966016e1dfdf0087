import { describe, expect, it } from 'vitest';
import {
  autoExcerpt,
  documentPlainText,
  hasPaywall,
  previewDocument,
  readingTimeMinutes,
  wordCount,
} from './document-text.js';
import { emptyDocument, type DocNode, type PostDocument } from './document.types.js';

const doc = (...content: DocNode[]): PostDocument => ({ type: 'doc', content });
const p = (...content: (string | DocNode)[]): DocNode => ({
  type: 'paragraph',
  content: content.map((c) => (typeof c === 'string' ? { type: 'text', text: c } : c)),
});
const ref = (id: string): DocNode => ({ type: 'footnoteReference', attrs: { id } });
const note = (id: string, body: string): DocNode => ({
  type: 'footnote',
  attrs: { id },
  content: [p(body)],
});
const paywall: DocNode = { type: 'paywall' };
const words = (n: number): string => Array.from({ length: n }, (_, i) => `w${i}`).join(' ');

describe('documentPlainText', () => {
  it('separates blocks with blank lines and drops footnote markers', () => {
    const text = documentPlainText(
      doc(
        { type: 'heading', attrs: { level: 2 }, content: [{ type: 'text', text: 'Heading' }] },
        p('First', ref('1'), ' paragraph.'),
        p('Line one', { type: 'hardBreak' }, 'line two'),
        { type: 'blockquote', content: [p('Quoted.')] },
        { type: 'bulletList', content: [{ type: 'listItem', content: [p('Item')] }] },
        { type: 'codeBlock', content: [{ type: 'text', text: 'let a = 1;\nlet b = 2;' }] },
        { type: 'image', attrs: { src: '/a.png', alt: 'ignored' } },
        {
          type: 'htmlCard',
          attrs: { html: '<table><tr><td>A&amp;B</td><td>2 &lt; 3</td></tr></table>' },
        },
        paywall,
        { type: 'footnotes', content: [note('1', 'The source.')] },
      ),
    );
    expect(text).toBe(
      [
        'Heading',
        'First paragraph.',
        'Line one\nline two',
        'Quoted.',
        'Item',
        'let a = 1;\nlet b = 2;',
        'A&B 2 < 3',
        'The source.',
      ].join('\n\n'),
    );
  });

  it('is empty for an empty document', () => {
    expect(documentPlainText(emptyDocument())).toBe('');
  });
});

describe('wordCount and readingTimeMinutes', () => {
  it.each<[string, PostDocument, number]>([
    ['empty', emptyDocument(), 0],
    ['simple', doc(p('Three little words')), 3],
    ['punctuation is not a word', doc(p('Yes — no; maybe … ok')), 4],
    ['across blocks', doc(p('one two'), p('three')), 3],
    ['Chinese counts characters', doc(p('俄罗斯外交部')), 6],
    ['Cyrillic', doc(p('Сергей Лавров ответил')), 3],
  ])('%s', (_name, input, expected) => {
    expect(wordCount(input)).toBe(expected);
  });

  it.each<[number, number]>([
    [0, 1],
    [100, 1],
    [238, 1],
    [476, 2],
    [2380, 10],
  ])('%i words take %i minute(s)', (count, minutes) => {
    expect(readingTimeMinutes(doc(p(words(count) || 'x')))).toBe(minutes);
  });
});

describe('autoExcerpt', () => {
  it('returns short text unchanged', () => {
    expect(autoExcerpt(doc(p('Short and sweet.')))).toBe('Short and sweet.');
  });

  it('skips headings and joins the first paragraphs', () => {
    const input = doc(
      { type: 'heading', attrs: { level: 2 }, content: [{ type: 'text', text: 'Skip me' }] },
      p('First.'),
      { type: 'codeBlock', content: [{ type: 'text', text: 'code()' }] },
      p('Second', { type: 'hardBreak' }, 'line.'),
    );
    expect(autoExcerpt(input)).toBe('First. Second line.');
  });

  it('cuts at a word boundary and adds an ellipsis within the limit', () => {
    const input = doc(p('The minister said that the talks were, in his view, productive.'));
    const excerpt = autoExcerpt(input, 40);
    expect(excerpt).toBe('The minister said that the talks were\u2026');
    expect(excerpt.length).toBeLessThanOrEqual(40);
  });

  it('drops trailing punctuation before the ellipsis', () => {
    expect(autoExcerpt(doc(p('Talks were, in his view, fine')), 12)).toBe('Talks were\u2026');
  });

  it('hard-cuts a single overlong word', () => {
    expect(autoExcerpt(doc(p('a'.repeat(50))), 10)).toBe(`${'a'.repeat(9)}\u2026`);
  });

  it('never reads past the paywall', () => {
    const input = doc(p('Public teaser.'), paywall, p('SECRET paid analysis.'));
    expect(autoExcerpt(input)).toBe('Public teaser.');
  });
});

describe('previewDocument and hasPaywall', () => {
  it('returns the same document when there is no paywall', () => {
    const input = doc(p('All'));
    expect(hasPaywall(input)).toBe(false);
    expect(previewDocument(input)).toBe(input);
  });

  it('cuts before the first paywall and keeps only footnotes referenced before it', () => {
    const input = doc(p('Free', ref('a')), paywall, p('Paid', ref('b')), paywall, p('More'), {
      type: 'footnotes',
      content: [note('a', 'Note A'), note('b', 'Note B'), note('c', 'Note C')],
    });
    expect(hasPaywall(input)).toBe(true);
    expect(previewDocument(input)).toEqual(
      doc(p('Free', ref('a')), { type: 'footnotes', content: [note('a', 'Note A')] }),
    );
  });

  it('adds no footnotes node when the preview references none', () => {
    const input = doc(p('Free'), paywall, p('Paid', ref('a')), {
      type: 'footnotes',
      content: [note('a', 'Note A')],
    });
    expect(previewDocument(input)).toEqual(doc(p('Free')));
  });

  it('does not modify its input', () => {
    const input = doc(p('Free'), paywall, p('Paid'));
    const copy = structuredClone(input);
    previewDocument(input);
    expect(input).toEqual(copy);
  });
});
