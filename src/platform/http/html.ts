/**
 * A tiny HTML template tag: every interpolated value is escaped unless it is already
 * SafeHtml (from `html` itself or `raw`). Views are plain functions returning SafeHtml,
 * which keeps server rendering fast (string concatenation, no virtual DOM).
 */
export class SafeHtml {
  constructor(readonly value: string) {}
  toString(): string {
    return this.value;
  }
}

const ESCAPES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};

/** Safe for both text and double-quoted attribute values. */
export function escapeHtml(value: string): string {
  // Most text needs no escaping; testing first skips building a new string.
  return /[&<>"']/.test(value) ? value.replace(/[&<>"']/g, (ch) => ESCAPES[ch]!) : value;
}

export type HtmlValue =
  SafeHtml | string | number | boolean | null | undefined | readonly HtmlValue[];

function render(value: HtmlValue): string {
  if (value === null || value === undefined || value === false) return '';
  if (value instanceof SafeHtml) return value.value;
  if (Array.isArray(value)) return value.map(render).join('');
  return escapeHtml(String(value));
}

export function html(strings: TemplateStringsArray, ...values: HtmlValue[]): SafeHtml {
  let out = strings[0] ?? '';
  for (let i = 0; i < values.length; i++) out += render(values[i]) + (strings[i + 1] ?? '');
  return new SafeHtml(out);
}

/** Marks trusted markup (our own renderer's output, sanitized HTML) as safe. */
export function raw(value: string): SafeHtml {
  return new SafeHtml(value);
}
