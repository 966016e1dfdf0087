import { describe, expect, it } from 'vitest';
import {
  absoluteUrl,
  contrastRatio,
  formatDate,
  formatMonth,
  readingTime,
  safeAccent,
  textColourOn,
} from './format.js';
import { archiveMonthPath, pagedPath } from './urls.js';

describe('textColourOn', () => {
  it.each([
    ['#1a5fb4', '#ffffff'],
    ['#000000', '#ffffff'],
    ['#ffcc00', '#000000'],
    ['#ffffff', '#000000'],
    ['#e01b24', '#ffffff'],
    ['#33d17a', '#000000'],
  ] as const)('%s → %s', (accent, expected) => {
    expect(textColourOn(accent)).toBe(expected);
  });

  it('always reaches at least 4.5:1 for a range of accents', () => {
    for (let v = 0; v < 256; v += 15) {
      const hex = v.toString(16).padStart(2, '0');
      for (const accent of [`#${hex}${hex}${hex}`, `#${hex}0000`, `#00${hex}00`, `#0000${hex}`]) {
        expect(contrastRatio(accent, textColourOn(accent)), accent).toBeGreaterThanOrEqual(4.5);
      }
    }
  });
});

describe('formatting', () => {
  it('formats dates in the site locale, in UTC', () => {
    expect(formatDate('en', '2026-03-31T23:30:00Z')).toBe('March 31, 2026');
    expect(formatDate('en-GB', '2026-03-04T10:00:00Z')).toBe('4 March 2026');
    expect(formatDate('de', '2026-03-04T10:00:00Z')).toBe('4. März 2026');
    expect(formatMonth('en', 2026, 1)).toBe('January 2026');
  });

  it.each([
    ['#1A5FB4', '#1a5fb4'],
    ['red', '#1a5fb4'],
    ['#123', '#1a5fb4'],
    ['#abcdef;}body{', '#1a5fb4'],
  ])('safeAccent(%j) → %s', (input, expected) => {
    expect(safeAccent(input)).toBe(expected);
  });

  it('builds absolute URLs and paths', () => {
    expect(absoluteUrl('https://x.test', '/a.jpg')).toBe('https://x.test/a.jpg');
    expect(absoluteUrl('https://x.test', 'https://cdn.test/a.jpg')).toBe('https://cdn.test/a.jpg');
    expect(pagedPath('/', 1)).toBe('/');
    expect(pagedPath('/', 3)).toBe('/page/3');
    expect(pagedPath('/tag/x', 2)).toBe('/tag/x/page/2');
    expect(archiveMonthPath(2026, 3)).toBe('/archive/2026/03');
    expect(readingTime(0)).toBe('1 min read');
    expect(readingTime(12.4)).toBe('12 min read');
  });
});
