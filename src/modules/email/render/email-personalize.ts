import { escapeHtml } from '../../../platform/http/html.js';

/**
 * Placeholders are `{{name}}`, `{{unsubscribe_url}}` and `{{manage_url}}`, and only the
 * email's own template writes them. Post content can contain the same characters, so it
 * is neutralised when it goes into a frozen email:
 * - in HTML every `{` of the content becomes `&#123;` (the same character to a mail client,
 *   but never part of a `{{`);
 * - in text, which has no entities, a literal `{{` is written `{{{{` and `personalize`
 *   turns it back into `{{`.
 * So a frozen part is only meaningful after `personalize`.
 */
export const PLACEHOLDERS = ['name', 'unsubscribe_url', 'manage_url'] as const;
export type Placeholder = (typeof PLACEHOLDERS)[number];

export const placeholder = (key: Placeholder): string => `{{${key}}}`;

/** Content → frozen HTML: `{` as a character reference, so no `{{` can come from content. */
export function neutraliseHtml(html: string): string {
  return html.includes('{') ? html.replace(/\{/g, '&#123;') : html;
}

/** Content → frozen text: a literal `{{` is doubled, and undoubled by `personalize`. */
export function neutraliseText(text: string): string {
  return text.includes('{{') ? text.replace(/\{\{/g, '{{{{') : text;
}

/** The part of the email that is the same for every recipient at one reader level. */
export interface FrozenEmail {
  /** The post title as is: the subject carries no placeholders. */
  subject: string;
  /** The inbox preview line, also hidden at the top of the HTML. */
  preheader: string;
  html: string;
  text: string;
}

export interface Recipient {
  name: string | null;
  unsubscribeUrl: string;
  manageUrl: string;
}

export interface PersonalizedEmail {
  subject: string;
  html: string;
  text: string;
}

/** Greets "Hi there," when a member gave no name. */
export const NAME_FALLBACK = 'there';

/**
 * A frozen part split once into literal text and placeholders, so each recipient costs
 * one concatenation rather than a scan of a 100 kB document.
 */
interface CompiledPart {
  literals: string[];
  keys: Placeholder[];
}

const TOKEN = /\{\{(?:\{\{|(name|unsubscribe_url|manage_url)\}\})/g;

function compile(source: string): CompiledPart {
  const literals: string[] = [];
  const keys: Placeholder[] = [];
  let literal = '';
  let last = 0;
  for (const match of source.matchAll(TOKEN)) {
    literal += source.slice(last, match.index);
    last = match.index + match[0].length;
    const key = match[1] as Placeholder | undefined;
    if (key === undefined) {
      literal += '{{';
    } else {
      literals.push(literal);
      keys.push(key);
      literal = '';
    }
  }
  literals.push(literal + source.slice(last));
  return { literals, keys };
}

function fill(part: CompiledPart, values: Readonly<Record<Placeholder, string>>): string {
  let out = part.literals[0]!;
  for (let i = 0; i < part.keys.length; i++) out += values[part.keys[i]!] + part.literals[i + 1]!;
  return out;
}

/**
 * A send personalizes one frozen email thousands of times: it is compiled once. Keyed by
 * the object, so a frozen email must not be changed once personalizing has started
 * (`renderPostEmail` returns it frozen).
 */
const compiled = new WeakMap<FrozenEmail, { html: CompiledPart; text: CompiledPart }>();

function compiledFor(frozen: FrozenEmail) {
  let parts = compiled.get(frozen);
  if (parts === undefined) {
    parts = { html: compile(frozen.html), text: compile(frozen.text) };
    compiled.set(frozen, parts);
  }
  return parts;
}

/** One line, no control characters: a name is shown inline, never as markup or layout. */
function displayName(name: string | null): string {
  // eslint-disable-next-line no-control-regex
  const clean = (name ?? '').replace(/[\u0000-\u001f\u007f\s]+/g, ' ').trim();
  return clean === '' ? NAME_FALLBACK : clean;
}

/** Fills in one recipient. Values are HTML-escaped for the HTML part, raw for the text. */
export function personalize(frozen: FrozenEmail, recipient: Recipient): PersonalizedEmail {
  const parts = compiledFor(frozen);
  const name = displayName(recipient.name);
  return {
    subject: frozen.subject,
    html: fill(parts.html, {
      name: escapeHtml(name),
      unsubscribe_url: escapeHtml(recipient.unsubscribeUrl),
      manage_url: escapeHtml(recipient.manageUrl),
    }),
    text: fill(parts.text, {
      name,
      unsubscribe_url: recipient.unsubscribeUrl,
      manage_url: recipient.manageUrl,
    }),
  };
}
