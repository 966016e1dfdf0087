import { describe, expect, it } from 'vitest';
import { AppError } from '../../../platform/errors.js';
import { parseIsoDate } from './front-matter.js';
import { parseMarkdownPost } from './markdown-import.js';

const frontMatterOf = (yaml: string) => parseMarkdownPost(`---\n${yaml}\n---\nBody\n`).frontMatter;

function errorOf(source: string): AppError {
  try {
    parseMarkdownPost(source);
  } catch (error) {
    if (error instanceof AppError) return error;
    throw error;
  }
  throw new Error('expected parseMarkdownPost to throw');
}

describe('front matter: values', () => {
  it('maps every supported key', () => {
    const yaml = [
      'title: "Lavrov on the talks"',
      'slug: lavrov-talks',
      'tags: [Russia, Diplomacy]',
      'excerpt: A close reading.',
      'feature_image: https://cdn.example/lavrov.jpg',
      'feature_image_alt: Lavrov at the podium',
      'published_at: 2024-03-14T09:30:00+01:00',
      'visibility: paid',
      'authors:',
      '  - analyst@example.com',
      '  - jane-doe',
      'meta_title: Meta title',
      'meta_description: Meta description',
      'og_title: OG title',
      'og_description: OG description',
      'og_image: /content/og.png',
      'twitter_title: Twitter title',
      'twitter_description: Twitter description',
      'twitter_image: https://cdn.example/tw.png',
    ].join('\n');
    expect(frontMatterOf(yaml)).toEqual({
      title: 'Lavrov on the talks',
      slug: 'lavrov-talks',
      tags: ['Russia', 'Diplomacy'],
      excerpt: 'A close reading.',
      featureImage: 'https://cdn.example/lavrov.jpg',
      featureImageAlt: 'Lavrov at the podium',
      publishedAt: '2024-03-14T08:30:00.000Z',
      visibility: 'paid',
      authors: ['analyst@example.com', 'jane-doe'],
      metaTitle: 'Meta title',
      metaDescription: 'Meta description',
      ogTitle: 'OG title',
      ogDescription: 'OG description',
      ogImage: '/content/og.png',
      twitterTitle: 'Twitter title',
      twitterDescription: 'Twitter description',
      twitterImage: 'https://cdn.example/tw.png',
    });
  });

  it.each<[string, string, unknown]>([
    ['comma-separated tags', 'tags: russia, diplomacy , ,un', ['russia', 'diplomacy', 'un']],
    ['block list tags', 'tags:\n  - a\n  - b', ['a', 'b']],
    ['numeric tags', 'tags: [2024, elections]', ['2024', 'elections']],
    ['duplicate tags', 'tags: [a, a, b]', ['a', 'b']],
    ['a single author as a string', 'authors: jane-doe', ['jane-doe']],
  ])('%s', (_name, yaml, expected) => {
    const fm = frontMatterOf(yaml);
    expect(fm.tags ?? fm.authors).toEqual(expected);
  });

  it('reads a numeric title as text', () => {
    expect(frontMatterOf('title: 1984').title).toBe('1984');
  });

  it('treats empty values as unset and ignores unknown keys', () => {
    expect(frontMatterOf('title:\nexcerpt: ""\nlayout: post\ncategories: [x]')).toEqual({});
  });

  it('uses date when published_at is absent, and prefers published_at', () => {
    expect(frontMatterOf('date: 2024-05-01').publishedAt).toBe('2024-05-01T00:00:00.000Z');
    expect(frontMatterOf('date: 2020-01-01\npublished_at: 2024-05-01').publishedAt).toBe(
      '2024-05-01T00:00:00.000Z',
    );
  });

  it('accepts CRLF line endings and a byte-order mark', () => {
    const { frontMatter, document } = parseMarkdownPost('\uFEFF---\r\ntitle: T\r\n---\r\nBody\r\n');
    expect(frontMatter).toEqual({ title: 'T' });
    expect(document.content).toEqual([
      { type: 'paragraph', content: [{ type: 'text', text: 'Body' }] },
    ]);
  });

  it('treats a file without front matter as all body', () => {
    expect(parseMarkdownPost('Just text\n').frontMatter).toEqual({});
  });

  it('accepts empty front matter', () => {
    expect(parseMarkdownPost('---\n---\nBody').frontMatter).toEqual({});
  });
});

describe('parseIsoDate', () => {
  it.each<[string, string | undefined]>([
    ['2024-05-01', '2024-05-01T00:00:00.000Z'],
    ['2024-05-01T09:30', '2024-05-01T09:30:00.000Z'],
    ['2024-05-01T09:30:15Z', '2024-05-01T09:30:15.000Z'],
    ['2024-05-01T09:30:15.250Z', '2024-05-01T09:30:15.250Z'],
    ['2024-05-01T09:30:00+02:00', '2024-05-01T07:30:00.000Z'],
    ['2024-05-01T09:30:00-0530', '2024-05-01T15:00:00.000Z'],
    ['2024-05-01 09:30:00 +02:00', '2024-05-01T07:30:00.000Z'],
    ['2024-02-29', '2024-02-29T00:00:00.000Z'],
    ['2023-02-29', undefined],
    ['2024-13-01', undefined],
    ['2024-05-01T25:00', undefined],
    ['May 1, 2024', undefined],
    ['2024-5-1', undefined],
    ['', undefined],
  ])('%j → %j', (input, expected) => {
    expect(parseIsoDate(input)).toBe(expected);
  });
});

describe('front matter: errors name the file line', () => {
  it.each<[string, string, string, string | undefined]>([
    [
      'unterminated front matter',
      '---\ntitle: Draft\n\nThe body never closes it.\n',
      'Front matter line 1: the opening --- has no closing --- line',
      undefined,
    ],
    [
      'a wrong type',
      '---\ntitle: T\ntags: {russia: true}\n---\nBody',
      'Front matter line 3: tags must be a list of strings',
      'tags',
    ],
    [
      'a boolean title',
      '---\nslug: s\n\ntitle: true\n---\nBody',
      'Front matter line 4: title must be a string',
      'title',
    ],
    [
      'an unknown visibility',
      '---\ntitle: T\nslug: s\nvisibility: secret\n---\n',
      'Front matter line 4: visibility must be one of public, members, paid',
      'visibility',
    ],
    [
      'an impossible date',
      '---\ntitle: T\npublished_at: 2024-02-30\n---\n',
      'Front matter line 3: published_at must be a valid date such as 2024-05-01 or 2024-05-01T09:30:00Z',
      'published_at',
    ],
    [
      'a date of the wrong type',
      '---\ndate: 2024\n---\n',
      'Front matter line 2: date must be a date such as 2024-05-01 or 2024-05-01T09:30:00Z',
      'date',
    ],
    [
      'an author that is neither email nor slug',
      '---\ntitle: T\nauthors:\n  - jane-doe\n  - John Smith\n---\n',
      'Front matter line 3: authors must be a list of emails or author slugs ("John Smith" is neither)',
      'authors',
    ],
    [
      'an unsafe image URL',
      '---\nog_image: javascript:alert(1)\n---\n',
      'Front matter line 2: og_image must be an http(s) URL or a path starting with /',
      'og_image',
    ],
    [
      'a YAML syntax error',
      '---\ntitle: T\nexcerpt: "never closed\n---\nBody',
      'Front matter line 3: invalid YAML: Missing closing "quote',
      undefined,
    ],
    [
      'a duplicate key',
      '---\ntitle: A\nslug: a\ntitle: B\n---\n',
      'Front matter line 4: invalid YAML: Map keys must be unique',
      undefined,
    ],
    [
      'a list instead of a mapping',
      '---\n- title\n- tags\n---\n',
      'Front matter line 2: front matter must be a list of key: value pairs',
      undefined,
    ],
    [
      'an unresolved alias',
      '---\ntitle: T\nexcerpt: *missing\n---\n',
      'Front matter line 3: excerpt:',
      'excerpt',
    ],
  ])('%s', (_name, source, message, field) => {
    const error = errorOf(source);
    expect(error.code).toBe('invalid_front_matter');
    expect(error.status).toBe(400);
    expect(error.message).toContain(message);
    expect(error.field).toBe(field);
  });
});
