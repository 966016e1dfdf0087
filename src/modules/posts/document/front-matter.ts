import { isMap, isNode, isScalar, LineCounter, parseDocument, type Node as YamlNode } from 'yaml';
import { z } from 'zod';
import { AppError } from '../../../platform/errors.js';

export interface MarkdownFrontMatter {
  title?: string;
  slug?: string;
  tags?: string[];
  excerpt?: string;
  featureImage?: string;
  featureImageAlt?: string;
  /** ISO 8601 in UTC, from `published_at` or else `date`. */
  publishedAt?: string;
  visibility?: 'public' | 'members' | 'paid';
  /** Emails or author slugs, as written; resolving them is the caller's job. */
  authors?: string[];
  metaTitle?: string;
  metaDescription?: string;
  ogTitle?: string;
  ogDescription?: string;
  ogImage?: string;
  twitterTitle?: string;
  twitterDescription?: string;
  twitterImage?: string;
}

// --- Field schemas ------------------------------------------------------------------------
// Messages name the key as written in the file, because that is what the author will edit.

/** YAML reads `title: 1984` as a number; the author meant text. Blank means "not set". */
const text = (key: string) =>
  z
    .union([z.string(), z.number()], `${key} must be a string`)
    .transform((value) => String(value).trim() || undefined);

/** A YAML list, or "a, b, c" because that is how many other tools write tags. */
const stringList = (key: string, what: string) =>
  z
    .union([z.array(z.union([z.string(), z.number()])), z.string()], `${key} must be ${what}`)
    .transform((value) => {
      const items = Array.isArray(value) ? value.map(String) : value.split(',');
      return [...new Set(items.map((item) => item.trim()).filter((item) => item !== ''))];
    });

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
const SLUG = /^[a-z0-9]+(?:[-_][a-z0-9]+)*$/i;

const authorList = stringList('authors', 'a list of emails or author slugs').check((ctx) => {
  const bad = ctx.value.find((item) => !EMAIL.test(item) && !SLUG.test(item));
  if (bad !== undefined) {
    ctx.issues.push({
      code: 'custom',
      input: ctx.value,
      message: `authors must be a list of emails or author slugs ("${bad}" is neither)`,
    });
  }
});

/** Images are shown to everyone and fetched by social sites: web URLs or site paths only. */
const imageUrl = (key: string) =>
  text(key).check((ctx) => {
    if (ctx.value !== undefined && !/^(?:https?:\/\/\S+|\/(?!\/)\S*)$/i.test(ctx.value)) {
      ctx.issues.push({
        code: 'custom',
        input: ctx.value,
        message: `${key} must be an http(s) URL or a path starting with /`,
      });
    }
  });

const DATE_TIME =
  /^(\d{4})-(\d{2})-(\d{2})(?:[Tt ]+(\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?\s*(Z|z|[+-]\d{2}(?::?\d{2})?)?)?$/;

/**
 * ISO 8601 dates and date-times, plus the "2024-05-01 09:30:00 +02:00" form Jekyll and
 * Hugo write. No zone means UTC: guessing the author's zone would be worse than a rule.
 */
export function parseIsoDate(value: string): string | undefined {
  const m = DATE_TIME.exec(value.trim());
  if (m === null) return undefined;
  const [, y, mo, d, h = '0', mi = '0', s = '0', frac = '0', zone] = m;
  const [year, month, day, hour, minute, second] = [y, mo, d, h, mi, s].map(Number) as [
    number,
    number,
    number,
    number,
    number,
    number,
  ];
  const ms = Math.floor(Number(`0.${frac}`) * 1000);
  const utc = Date.UTC(year, month - 1, day, hour, minute, second, ms);
  const check = new Date(utc);
  // Date.UTC silently rolls 2024-02-30 over to March; a typo should be an error instead.
  if (
    check.getUTCFullYear() !== year ||
    check.getUTCMonth() !== month - 1 ||
    check.getUTCDate() !== day ||
    hour > 23 ||
    minute > 59 ||
    second > 59
  ) {
    return undefined;
  }
  let offsetMinutes = 0;
  if (zone !== undefined && zone.toUpperCase() !== 'Z') {
    const digits = zone.slice(1).replace(':', '');
    offsetMinutes =
      (Number(digits.slice(0, 2)) * 60 + Number(digits.slice(2) || '0')) *
      (zone[0] === '-' ? -1 : 1);
  }
  return new Date(utc - offsetMinutes * 60_000).toISOString();
}

const dateField = (key: string) =>
  z
    .union(
      [z.string(), z.date()],
      `${key} must be a date such as 2024-05-01 or 2024-05-01T09:30:00Z`,
    )
    .transform((value, ctx) => {
      const iso =
        value instanceof Date
          ? Number.isNaN(value.getTime())
            ? undefined
            : value.toISOString()
          : parseIsoDate(value);
      if (iso === undefined) {
        ctx.issues.push({
          code: 'custom',
          input: value,
          message: `${key} must be a valid date such as 2024-05-01 or 2024-05-01T09:30:00Z`,
        });
        return z.NEVER;
      }
      return iso;
    });

const frontMatterSchema = z
  .object({
    title: text('title'),
    slug: text('slug'),
    tags: stringList('tags', 'a list of strings'),
    excerpt: text('excerpt'),
    feature_image: imageUrl('feature_image'),
    feature_image_alt: text('feature_image_alt'),
    published_at: dateField('published_at'),
    date: dateField('date'),
    visibility: z.enum(
      ['public', 'members', 'paid'],
      'visibility must be one of public, members, paid',
    ),
    authors: authorList,
    meta_title: text('meta_title'),
    meta_description: text('meta_description'),
    og_title: text('og_title'),
    og_description: text('og_description'),
    og_image: imageUrl('og_image'),
    twitter_title: text('twitter_title'),
    twitter_description: text('twitter_description'),
    twitter_image: imageUrl('twitter_image'),
  })
  .partial()
  .transform((fm): MarkdownFrontMatter => {
    const out: MarkdownFrontMatter = {
      title: fm.title,
      slug: fm.slug,
      tags: fm.tags,
      excerpt: fm.excerpt,
      featureImage: fm.feature_image,
      featureImageAlt: fm.feature_image_alt,
      publishedAt: fm.published_at ?? fm.date,
      visibility: fm.visibility,
      authors: fm.authors,
      metaTitle: fm.meta_title,
      metaDescription: fm.meta_description,
      ogTitle: fm.og_title,
      ogDescription: fm.og_description,
      ogImage: fm.og_image,
      twitterTitle: fm.twitter_title,
      twitterDescription: fm.twitter_description,
      twitterImage: fm.twitter_image,
    };
    // Unset keys are absent rather than `undefined`, so the result spreads and compares cleanly.
    for (const key of Object.keys(out) as (keyof MarkdownFrontMatter)[]) {
      if (out[key] === undefined) delete out[key];
    }
    return out;
  });

// --- Splitting and parsing -----------------------------------------------------------------

function frontMatterError(line: number, message: string, field?: string): AppError {
  return new AppError('invalid_front_matter', `Front matter line ${line}: ${message}`, {
    status: 400,
    field,
  });
}

const OPENING_FENCE = /^---[ \t]*(?:\n|$)/;
const CLOSING_FENCE = /^(?:---|\.\.\.)[ \t]*$/;

export interface SplitSource {
  /** The YAML between the fences, or undefined when the file has no front matter. */
  yaml: string | undefined;
  body: string;
}

/** Line endings are normalized first, which keeps line numbers unchanged. */
export function splitFrontMatter(source: string): SplitSource {
  const text = source.replace(/^\uFEFF/, '').replace(/\r\n?/g, '\n');
  if (!OPENING_FENCE.test(text)) return { yaml: undefined, body: text };
  const lines = text.split('\n');
  for (let i = 1; i < lines.length; i++) {
    if (CLOSING_FENCE.test(lines[i]!)) {
      return { yaml: lines.slice(1, i).join('\n'), body: lines.slice(i + 1).join('\n') };
    }
  }
  throw frontMatterError(1, 'the opening --- has no closing --- line');
}

/** The YAML starts on the line after the opening fence. */
const FIRST_YAML_LINE = 2;

/**
 * Parses and validates the YAML between the fences. Every error names the line in the
 * original file (not in the YAML snippet), and `field` is the offending key.
 */
export function parseFrontMatter(yamlText: string): MarkdownFrontMatter {
  const lineCounter = new LineCounter();
  const doc = parseDocument(yamlText, { lineCounter, prettyErrors: true, uniqueKeys: true });
  const lineAt = (offset: number): number => lineCounter.linePos(offset).line + FIRST_YAML_LINE - 1;
  const nodeLine = (node: unknown): number =>
    isNode(node) && node.range ? lineAt(node.range[0]) : FIRST_YAML_LINE;

  const syntaxError = doc.errors[0];
  if (syntaxError !== undefined) {
    const line = (syntaxError.linePos?.[0].line ?? 1) + FIRST_YAML_LINE - 1;
    // The pretty message repeats the position and quotes the source; the first clause is enough.
    const reason = syntaxError.message.split(/ at line \d+/)[0] ?? syntaxError.message;
    throw frontMatterError(line, `invalid YAML: ${reason}`);
  }

  if (doc.contents === null) return {};
  if (!isMap(doc.contents)) {
    throw frontMatterError(
      nodeLine(doc.contents),
      'front matter must be a list of key: value pairs',
    );
  }

  const raw: Record<string, unknown> = {};
  const keyNodes = new Map<string, YamlNode>();
  for (const pair of doc.contents.items) {
    const keyNode = pair.key;
    if (!isScalar(keyNode) || typeof keyNode.value !== 'string') {
      throw frontMatterError(nodeLine(keyNode), 'keys must be plain words such as title or tags');
    }
    const key = keyNode.value;
    keyNodes.set(key, keyNode);
    let value: unknown;
    try {
      // Per pair, so a broken alias is blamed on the line that uses it.
      value = isNode(pair.value) ? pair.value.toJS(doc) : pair.value;
    } catch (error) {
      throw frontMatterError(nodeLine(keyNode), `${key}: ${(error as Error).message}`, key);
    }
    // `key:` with nothing after it means "not set", not "set to null".
    if (value !== null && value !== undefined) raw[key] = value;
  }

  const result = frontMatterSchema.safeParse(raw);
  if (result.success) return result.data;
  const issue = result.error.issues[0]!;
  const key = typeof issue.path[0] === 'string' ? issue.path[0] : undefined;
  const node =
    issue.path.length > 1 ? doc.getIn(issue.path as (string | number)[], true) : undefined;
  const line = nodeLine(node ?? (key === undefined ? undefined : keyNodes.get(key)));
  throw frontMatterError(line, issue.message, key);
}
