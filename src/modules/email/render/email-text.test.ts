import { describe, expect, it } from 'vitest';
import type { DocNode } from '../../posts/document/index.js';
import { renderDocumentText, wrapText } from './email-text.js';
import {
  bold,
  doc,
  footnotes,
  h,
  image,
  link,
  p,
  paywall,
  quote,
  ref,
  text,
} from './email.fixtures.js';

const BASE = 'https://desk.example.com/';
const item = (...content: DocNode[]): DocNode => ({ type: 'listItem', content });

describe('renderDocumentText: blocks', () => {
  it.each<[string, DocNode[], string]>([
    ['paragraphs, a blank line apart', [p(text('One.')), p(text('Two.'))], 'One.\n\nTwo.'],
    ['empty paragraphs vanish', [p(), p(text('Two.'))], 'Two.'],
    ['h1 underlined with =', [h(1, 'Context')], 'Context\n======='],
    ['h2 underlined with -', [h(2, 'The exchange')], 'The exchange\n------------'],
    ['hard break kept', [p(text('a'), { type: 'hardBreak' }, text('b'))], 'a\nb'],
    ['quote', [quote(p(text('One.')), p(text('Two.')))], '> One.\n>\n> Two.'],
    ['quote in a quote', [quote(quote(p(text('Deep.'))))], '> > Deep.'],
    [
      'bullet list',
      [{ type: 'bulletList', content: [item(p(text('a'))), item(p(text('b')))] }],
      '- a\n- b',
    ],
    [
      'ordered list from 3',
      [
        {
          type: 'orderedList',
          attrs: { start: 3 },
          content: [item(p(text('c'))), item(p(text('d')))],
        },
      ],
      '3. c\n4. d',
    ],
    [
      'code block indented and never wrapped',
      [{ type: 'codeBlock', content: [text(`x = 1\n\n${'y'.repeat(100)}`)] }],
      `    x = 1\n\n    ${'y'.repeat(100)}`,
    ],
    ['rule', [p(text('a')), { type: 'horizontalRule' }, p(text('b'))], 'a\n\n* * *\n\nb'],
    ['image by its alt text', [image('/a.png', 'A map')], '[Image: A map]'],
    ['image without alt text vanishes', [image('/a.png', '')], ''],
    [
      'html card as its text',
      [{ type: 'htmlCard', attrs: { html: '<table><tr><td>Votes</td><td>42</td></tr></table>' } }],
      'Votes 42',
    ],
    ['paywall is invisible', [p(text('a')), paywall, p(text('b'))], 'a\n\nb'],
    ['unknown nodes render nothing', [{ type: 'mystery', content: [text('x')] }], ''],
  ])('%s', (_name, content, expected) => {
    expect(renderDocumentText(doc(...content), { baseUrl: BASE })).toBe(expected);
  });
});

describe('renderDocumentText: inline', () => {
  it.each<[string, DocNode[], string]>([
    [
      'relative link made absolute',
      [text('the wire', link('/p/wire'))],
      'the wire (https://desk.example.com/p/wire)',
    ],
    [
      'link whose text is its URL',
      [text('https://example.org/', link('https://example.org/'))],
      'https://example.org/',
    ],
    [
      'mailto shows the address',
      [text('write', link('mailto:desk@example.com'))],
      'write (desk@example.com)',
    ],
    ['in-page anchor is text only', [text('above', link('#context'))], 'above'],
    ['javascript: is text only', [text('click', link('javascript:alert(1)'))], 'click'],
    [
      'link over bold and plain text gets one URL',
      [text('bold ', link('/a'), bold), text('plain', link('/a'))],
      '*bold* plain (https://desk.example.com/a)',
    ],
    [
      'bold keeps spaces outside the stars',
      [text('a'), text(' strong ', bold), text('b')],
      'a *strong* b',
    ],
    ['adjacent bold runs merge', [text('one ', bold), text('two', bold)], '*one two*'],
  ])('%s', (_name, content, expected) => {
    expect(renderDocumentText(doc(p(...content)), { baseUrl: BASE })).toBe(expected);
  });

  it('leaves relative links as text when there is no base URL', () => {
    expect(renderDocumentText(doc(p(text('the wire', link('/p/wire')))))).toBe('the wire');
  });
});

describe('renderDocumentText: footnotes as endnotes', () => {
  it('numbers notes by first reference and lists only referenced ones', () => {
    const body = doc(
      p(text('First'), ref('b'), text(' and second'), ref('a'), text(' and again'), ref('b')),
      footnotes(['a', 'Note A.'], ['b', 'Note B.'], ['unused', 'Never cited.']),
    );
    expect(renderDocumentText(body)).toBe(
      'First[1] and second[2] and again[1]\n\nNotes\n-----\n\n[1] Note B.\n\n[2] Note A.',
    );
  });

  it('hangs long notes under their number', () => {
    const body = doc(p(text('x'), ref('a')), footnotes(['a', 'word '.repeat(30).trim()]));
    const notes = renderDocumentText(body).split('Notes\n-----\n\n')[1]!.split('\n');
    expect(notes[0]).toMatch(/^\[1\] word/);
    expect(notes.slice(1).every((line) => line.startsWith('    word'))).toBe(true);
  });
});

describe('wrapText', () => {
  it.each<[string, string, number, string[]]>([
    ['short line', 'a b c', 10, ['a b c']],
    ['breaks between words', 'aaa bbb ccc', 7, ['aaa bbb', 'ccc']],
    ['exactly the width fits', 'aaa bbbb', 8, ['aaa bbbb']],
    [
      'a long word stands alone, unbroken',
      'a https://example.org/very/long b',
      10,
      ['a', 'https://example.org/very/long', 'b'],
    ],
    ['newlines are kept', 'a\nb', 10, ['a', 'b']],
  ])('%s', (_name, input, width, expected) => {
    expect(wrapText(input, width)).toEqual(expected);
  });

  it('wraps quoted text so the "> " prefix stays inside 78 columns', () => {
    const body = doc(quote(p(text('Sergey Lavrov: '.concat('word '.repeat(60))))));
    const lines = renderDocumentText(body).split('\n');
    expect(lines.length).toBeGreaterThan(3);
    for (const line of lines) {
      expect(line.startsWith('> ')).toBe(true);
      expect(line.length).toBeLessThanOrEqual(78);
    }
  });
});
