/**
 * Formatting shared by the views. Intl formatters are expensive to build and pages are
 * rendered with one locale, so each is built once per locale.
 */
const dateFormats = new Map<string, Intl.DateTimeFormat>();
const monthFormats = new Map<string, Intl.DateTimeFormat>();

function formatter(
  cache: Map<string, Intl.DateTimeFormat>,
  locale: string,
  options: Intl.DateTimeFormatOptions,
): Intl.DateTimeFormat {
  let format = cache.get(locale);
  if (format === undefined) {
    try {
      format = new Intl.DateTimeFormat(locale, { ...options, timeZone: 'UTC' });
    } catch {
      // A locale the runtime does not know must not take the site down.
      format = new Intl.DateTimeFormat('en', { ...options, timeZone: 'UTC' });
    }
    cache.set(locale, format);
  }
  return format;
}

/** `2026-03-04T10:00:00Z` → `March 4, 2026` (in the site's locale, UTC). */
export function formatDate(locale: string, iso: string): string {
  return formatter(dateFormats, locale, { dateStyle: 'long' }).format(new Date(iso));
}

/** `(2026, 3)` → `March 2026` */
export function formatMonth(locale: string, year: number, month: number): string {
  return formatter(monthFormats, locale, { month: 'long', year: 'numeric' }).format(
    new Date(Date.UTC(year, month - 1, 1)),
  );
}

export function plural(count: number, one: string, many: string): string {
  return `${count} ${count === 1 ? one : many}`;
}

export function readingTime(minutes: number): string {
  return `${Math.max(1, Math.round(minutes))} min read`;
}

/** Turns a stored path (`/content/a.jpg`) into the absolute URL social cards need. */
export function absoluteUrl(publicUrl: string, urlOrPath: string): string {
  if (/^https?:\/\//i.test(urlOrPath)) return urlOrPath;
  return publicUrl + (urlOrPath.startsWith('/') ? urlOrPath : `/${urlOrPath}`);
}

const HEX_COLOUR = /^#[0-9a-fA-F]{6}$/;
export const FALLBACK_ACCENT = '#1a5fb4';

/** The accent as stored, or the default if what is stored is not a `#rrggbb` colour. */
export function safeAccent(colour: string): string {
  return HEX_COLOUR.test(colour) ? colour.toLowerCase() : FALLBACK_ACCENT;
}

function luminance(hex: string): number {
  const channel = (offset: number) => {
    const c = parseInt(hex.slice(offset, offset + 2), 16) / 255;
    return c <= 0.04045 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
  };
  return 0.2126 * channel(1) + 0.7152 * channel(3) + 0.0722 * channel(5);
}

/** WCAG contrast ratio of two `#rrggbb` colours. */
export function contrastRatio(a: string, b: string): number {
  const [hi, lo] = [luminance(a), luminance(b)].sort((x, y) => y - x) as [number, number];
  return (hi + 0.05) / (lo + 0.05);
}

/**
 * Text colour for buttons filled with the accent: publishers pick any accent, so the
 * text colour is chosen for contrast rather than assumed white. Pure black (not a soft
 * near-black) because only black-or-white guarantees 4.5:1 for every possible accent.
 */
export function textColourOn(accent: string): '#ffffff' | '#000000' {
  return contrastRatio(accent, '#ffffff') >= contrastRatio(accent, '#000000')
    ? '#ffffff'
    : '#000000';
}
